"""1EdTech CASE 1.0 (Competencies and Academic Standards Exchange): a document as a CFPackage.

The document is the CFDocument; each coded item a CFItem (its kind the CFItemType, its code
the humanCodingScheme); CFAssociations say where each item sits (isChildOf its task or
activity, or the document), which knowledge and skills a task or activity needs (isRelatedTo),
and which items of other documents correspond (exactMatchOf for exact mappings, isRelatedTo
for close ones). CASE identifiers are UUIDs: each is the UUID-5 of the thing's IRI, so the same
item keeps its identifier from build to build, and its `uri` is the IRI itself (served by
`kg serve` as linked data).
"""

from __future__ import annotations

import uuid
from typing import Any

from kg.export.outline import Framework, Node
from kg.parse.kinds import item_kinds

LANGUAGE = "zh-Hant"
PUBLISHER = "勞動部勞動力發展署 iCAP (Workforce Development Agency, Ministry of Labor, Taiwan)"


def identifier(iri: str) -> str:
    """A CASE identifier: the UUID-5 of an IRI (stable: the same IRI, the same UUID)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, iri))


def package(framework: Framework, changed: str, base_iri: str) -> dict[str, Any]:
    """The CFPackage of one document; `changed` is the build's time (ISO 8601, UTC)."""
    document = framework.document
    link = _link(framework.iri, document.title or document.code)
    kind_zh, kind_en = framework.kind_labels
    cf_document: dict[str, Any] = {
        "identifier": identifier(framework.iri),
        "uri": framework.iri,
        "creator": PUBLISHER,
        "title": f"{document.code} {document.title or ''}".strip(),
        "lastChangeDateTime": changed,
        "officialSourceURL": "https://icap.wda.gov.tw/",
        "publisher": PUBLISHER,
        "description": f"{kind_zh} ({kind_en}) {document.code}",
        "language": LANGUAGE,
        "adoptionStatus": "Adopted",
    }
    if document.description:
        cf_document["notes"] = document.description
    types = _item_types(base_iri, changed)
    items = [_item(node, types, changed) for node in framework.nodes]
    by_code = {node.code: node for node in framework.nodes}
    associations = []
    for node in framework.nodes:
        parent = by_code.get(node.parent or "")
        destination = _link(parent.iri, parent.code) if parent else link
        associations.append(_association("isChildOf", node, destination, changed))
        for needed in node.needs:
            if needed in by_code:
                target = by_code[needed]
                associations.append(
                    _association("isRelatedTo", node, _link(target.iri, target.code), changed)
                )
    nodes_by_iri = {node.iri: node for node in framework.nodes}
    for aligned in framework.alignments:
        kind = "exactMatchOf" if aligned.relation == "exact" else "isRelatedTo"
        other = _link(aligned.other, f"{aligned.other_document} {aligned.other_code}")
        associations.append(_association(kind, nodes_by_iri[aligned.item], other, changed))
    return {
        "CFDocument": cf_document,
        "CFItems": items,
        "CFAssociations": associations,
        "CFDefinitions": {"CFItemTypes": list(types.values())},
    }


def _link(uri: str, title: str) -> dict[str, str]:
    """A CASE LinkURI: what an association or item says of the thing it points to."""
    return {"title": title, "identifier": identifier(uri), "uri": uri}


def _item_types(base_iri: str, changed: str) -> dict[str, dict[str, Any]]:
    """A CFItemType per item kind (工作任務 Task ...), by kind name."""
    types = {}
    for number, kind in enumerate(item_kinds(), 1):
        uri = f"{base_iri}case/item-type/{kind.name}"
        types[kind.name] = {
            "identifier": identifier(uri),
            "uri": uri,
            "title": f"{kind.zh} {kind.en}",
            "description": f"{kind.zh} ({kind.en}) of an iCAP competency document",
            "hierarchyCode": str(number),
            "lastChangeDateTime": changed,
        }
    return types


def _item(node: Node, types: dict[str, dict[str, Any]], changed: str) -> dict[str, Any]:
    kind = types[node.kind]
    item: dict[str, Any] = {
        "identifier": identifier(node.iri),
        "uri": node.iri,
        "fullStatement": node.text or node.code,
        "humanCodingScheme": node.code,
        "CFItemType": kind["title"],
        "CFItemTypeURI": _link(kind["uri"], kind["title"]),
        "language": LANGUAGE,
        "lastChangeDateTime": changed,
    }
    if node.level is not None:
        item["educationLevel"] = [str(node.level)]  # iCAP levels 1-6 (職能級別)
    return item


def _association(kind: str, origin: Node, destination: dict[str, str], changed: str) -> dict[str, Any]:
    uri = f"{origin.iri}#{kind}/{destination['identifier']}"
    return {
        "identifier": identifier(uri),
        "uri": uri,
        "associationType": kind,
        "originNodeURI": _link(origin.iri, origin.code),
        "destinationNodeURI": destination,
        "lastChangeDateTime": changed,
    }
