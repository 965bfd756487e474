"""CTDL-ASN (Credential Engine's competency framework language) as JSON-LD: each document a
ceasn:CompetencyFramework, each coded item a ceasn:Competency.

An item's text is its ceasn:competencyText and its code the ceasn:codedNotation, in `zh-Hant`
language maps; the tree is ceasn:hasTopChild / ceasn:isTopChildOf, ceasn:hasChild /
ceasn:isChildOf, and every competency ceasn:isPartOf its framework. A task or activity's
knowledge and skills are ceasn:crossSubjectReference; the build's mappings to other
documents' items are ceasn:exactAlignment (exact) and ceasn:majorAlignment (close). The
nodes keep the graph's IRIs (`@id`), so the export and the SPARQL endpoint name the same things.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from kg.export.outline import Framework

CONTEXT = "http://credreg.net/ctdlasn/schema/context/json"  # as the Credential Registry's schemas require
LANGUAGE = "zh-Hant"
PUBLISHER = {LANGUAGE: "勞動部勞動力發展署", "en": "Workforce Development Agency, Ministry of Labor, Taiwan"}
_ALIGNMENT = {"exact": "ceasn:exactAlignment", "close": "ceasn:majorAlignment"}


def ctid(iri: str) -> str:
    """A Credential Engine CTID: "ce-" and a UUID, here the UUID-5 of the IRI (stable)."""
    return f"ce-{uuid.uuid5(uuid.NAMESPACE_URL, iri)}"


def graph(frameworks: list[Framework]) -> dict[str, Any]:
    """One JSON-LD document holding every framework and its competencies."""
    nodes: list[dict[str, Any]] = []
    for framework in frameworks:
        nodes.extend(_framework_nodes(framework))
    return {"@context": CONTEXT, "@graph": nodes}


def _framework_nodes(framework: Framework) -> list[dict[str, Any]]:
    document = framework.document
    kind_zh, kind_en = framework.kind_labels
    by_code = {node.code: node for node in framework.nodes}
    children: dict[str, list[str]] = defaultdict(list)
    for node in framework.nodes:
        if node.parent in by_code:
            children[node.parent or ""].append(node.iri)
    top = [node.iri for node in framework.nodes if node.parent not in by_code]
    described: dict[str, Any] = {
        "@id": framework.iri,
        "@type": "ceasn:CompetencyFramework",
        "ceasn:name": {LANGUAGE: document.title or document.code},
        "ceasn:description": {LANGUAGE: document.description or f"{kind_zh} {document.code}", "en": kind_en},
        "ceasn:codedNotation": document.code,
        "ceterms:ctid": ctid(framework.iri),
        "ceasn:inLanguage": [LANGUAGE],
        "ceasn:publisherName": PUBLISHER,
        "ceasn:hasTopChild": top,
    }
    aligned: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for alignment in framework.alignments:
        aligned[alignment.item][_ALIGNMENT[alignment.relation]].append(alignment.other)
    found = [described]
    for node in framework.nodes:
        zh, en = node.kind_labels
        competency: dict[str, Any] = {
            "@id": node.iri,
            "@type": "ceasn:Competency",
            "ceasn:competencyText": {LANGUAGE: node.text or node.code},
            "ceasn:codedNotation": node.code,
            "ceterms:ctid": ctid(node.iri),
            "ceasn:competencyCategory": [{LANGUAGE: zh, "en": en}],
            "ceasn:isPartOf": [framework.iri],
            "ceasn:inLanguage": [LANGUAGE],
        }
        if node.parent in by_code:
            competency["ceasn:isChildOf"] = [by_code[node.parent or ""].iri]
        else:
            competency["ceasn:isTopChildOf"] = framework.iri
        if children.get(node.code):
            competency["ceasn:hasChild"] = children[node.code]
        needed = [by_code[code].iri for code in node.needs if code in by_code]
        if needed:
            competency["ceasn:crossSubjectReference"] = needed
        competency.update(aligned.get(node.iri, {}))
        found.append(competency)
    return found
