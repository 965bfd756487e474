"""A release of a whole build, as ESCO publishes its downloads (`kg export --dump DIR`).

    graph.nq.gz          every named graph (ontology, asserted, inferred, mappings) as N-Quads
    mappings.sssom.tsv   every mapping between documents' items (SSSOM), when the build has them
    documents.json       the parsed documents (the JSON model of docs/document-model.md)
    void.ttl             what the release holds: a VoID and DCAT description with counts,
                         licence, source and the files (their size and media type)

The folder is written beside its target and renamed into place at the end, so a failed
dump leaves nothing half-written.
"""

from __future__ import annotations

import gzip
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, XSD, BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, VOID

from kg import __version__
from kg.errors import KgError
from kg.graph.vocabulary import KG
from kg.parse.kinds import document_kinds
from kg.store.layout import DOCUMENTS_FILE, MAPPINGS_FOLDER, SSSOM_FILE
from kg.store.parts import GraphParts

GRAPH_FILE, VOID_FILE = "graph.nq.gz", "void.ttl"
SOURCE = URIRef("https://icap.wda.gov.tw/")
LICENCE = URIRef("https://opensource.org/licenses/MIT")  # the project's, for what kg made
RIGHTS = (
    "職能基準與職能單元的內容出自勞動部勞動力發展署 iCAP 職能發展應用平台；圖譜、對應與描述由 kg 產生。"
    " The competency standards' and units' text comes from iCAP (Workforce Development Agency, "
    "Ministry of Labor, Taiwan); the graph, mappings and description are made by kg."
)
_MEDIA = {
    GRAPH_FILE: "application/n-quads",
    SSSOM_FILE: "text/tab-separated-values",
    DOCUMENTS_FILE: "application/json",
}


@dataclass(frozen=True)
class Release:
    folder: Path
    files: list[str]
    lines: int  # N-Quads lines in graph.nq.gz


def write_dump(build_path: Path, target: Path, manifest: dict, built_at: str) -> Release:
    """Write the release of the build in `build_path` into the folder `target` (new or empty)."""
    target = Path(target)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise KgError(f"{target} is not an empty folder: name a new or empty folder for the release")
    if not target.parent.is_dir():
        raise KgError(f"{target}: the folder {target.parent} does not exist")
    staging = target.parent / f".{target.name}.{uuid.uuid4().hex}.tmp"
    staging.mkdir()  # as any new folder is (mkdtemp's would be private to its owner)
    try:
        lines = 0
        with gzip.open(staging / GRAPH_FILE, "wb", compresslevel=5) as out:
            for line in GraphParts(build_path).sorted_lines(staging):
                out.write(line)
                lines += 1
        files = [GRAPH_FILE]
        for source in (build_path / MAPPINGS_FOLDER / SSSOM_FILE, build_path / DOCUMENTS_FILE):
            if source.is_file():
                shutil.copyfile(source, staging / source.name)
                files.append(source.name)
        description = void_description(staging, files, manifest, built_at)
        (staging / VOID_FILE).write_text(description, encoding="utf-8")
        if target.exists():
            target.rmdir()
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Release(target, [*files, VOID_FILE], lines)


def void_description(folder: Path, files: list[str], manifest: dict, built_at: str) -> str:
    """The release's VoID / DCAT description (Turtle; the files by relative IRIs)."""
    base = manifest["base_iri"]
    graph = Graph()
    graph.bind("void", VOID)
    graph.bind("dcat", DCAT)
    graph.bind("dcterms", DCTERMS)
    graph.bind("kg", KG)
    dataset = URIRef(f"{base}dataset")
    graph.add((dataset, RDF.type, VOID.Dataset))
    graph.add((dataset, RDF.type, DCAT.Dataset))
    graph.add((dataset, DCTERMS.title, Literal("iCAP 職能知識圖譜", lang="zh-Hant")))
    graph.add((dataset, DCTERMS.title, Literal("iCAP competency knowledge graph", lang="en")))
    graph.add(
        (dataset, DCTERMS.description, Literal("勞動部 iCAP 職能基準與職能單元的知識圖譜。", lang="zh-Hant"))
    )
    graph.add(
        (
            dataset,
            DCTERMS.description,
            Literal("Taiwan's iCAP competency standards and units as a knowledge graph.", lang="en"),
        )
    )
    graph.add((dataset, DCTERMS.issued, Literal(built_at, datatype=XSD.dateTime)))
    graph.add((dataset, DCTERMS.creator, Literal(f"kg {__version__}")))
    graph.add((dataset, DCTERMS.source, SOURCE))
    graph.add((dataset, DCTERMS.license, LICENCE))
    graph.add((dataset, DCTERMS.rights, Literal(RIGHTS)))
    graph.add((dataset, DCTERMS.language, Literal("zh-Hant")))
    graph.add((dataset, VOID.uriSpace, Literal(base)))
    triples = manifest.get("triples", {})
    graph.add((dataset, VOID.triples, Literal(sum(triples.values()))))
    for name, iri in manifest.get("graphs", {}).items():
        subset = URIRef(iri)
        graph.add((dataset, VOID.subset, subset))
        graph.add((subset, RDF.type, VOID.Dataset))
        graph.add((subset, DCTERMS.title, Literal(name)))
        graph.add((subset, VOID.triples, Literal(triples.get(name, 0))))
    documents = manifest.get("documents", [])
    for kind in document_kinds():  # how many documents of each kind
        partition = BNode(f"partition-{kind.name}")
        graph.add((dataset, VOID.classPartition, partition))
        graph.add((partition, VOID["class"], KG[kind.owl_class]))
        count = sum(1 for d in documents if d.get("kind") == kind.name)
        graph.add((partition, VOID.entities, Literal(count)))
    for name in files:
        distribution = URIRef(name)  # relative: the release's own file
        graph.add((dataset, DCAT.distribution, distribution))
        graph.add((distribution, RDF.type, DCAT.Distribution))
        graph.add((distribution, DCTERMS.title, Literal(name)))
        graph.add((distribution, DCAT.downloadURL, distribution))
        graph.add((distribution, DCAT.mediaType, Literal(_MEDIA[name])))
        graph.add(
            (
                distribution,
                DCAT.byteSize,
                Literal((folder / name).stat().st_size, datatype=XSD.nonNegativeInteger),
            )
        )
        if name.endswith(".gz"):
            graph.add((distribution, DCAT.compressFormat, Literal("application/gzip")))
    return graph.serialize(format="turtle")
