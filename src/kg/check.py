"""SHACL checks without building: of source files, or of the live build's asserted graph."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rdflib import Graph

from kg.graph.ontology import load_shapes
from kg.graph.validate import validate_graph
from kg.parse import discover
from kg.pipeline import process_all
from kg.settings import Settings
from kg.store import open_store, store_descriptor
from kg.store.layout import current_build, graph_iris, read_manifest


def check_sources(
    paths: Iterable[str | Path],
    settings: Settings | None = None,
    strict: bool = False,
    warnings: list[str] | None = None,
) -> list[str]:
    """Every parse error and SHACL violation in these files, as `file:line: message`.

    The files' warnings are appended to `warnings` when given; `strict` makes them problems.
    """
    settings = settings or Settings.load()
    files = discover(paths)
    results = process_all(files, settings.base_iri, reasoner=None, workers=settings.workers, strict=strict)
    problems: list[str] = []
    for result in results:
        problems.extend(result.problems)
        if warnings is not None:
            warnings.extend(result.warnings)
    return problems


def check_build(settings: Settings | None = None) -> list[str]:
    """Every SHACL violation in the live build's asserted graph, checked one document at a time."""
    settings = settings or Settings.load()
    build_path = current_build(settings.build_dir)
    asserted_graph = graph_iris(build_path)["asserted"]
    shapes = load_shapes()
    store = open_store(store_descriptor(settings.store, build_path))
    problems: list[str] = []
    try:
        for document in read_manifest(build_path)["documents"]:
            result = store.query(_DOCUMENT_TRIPLES.format(graph=asserted_graph, code=document["code"]))
            asserted = Graph()
            for triple in result.triples:
                asserted.add(triple)
            # named by the path the build was given: the graph keeps only the file's name
            problems.extend(str(v) for v in validate_graph(asserted, shapes, document["source"]))
    finally:
        store.close()
    return problems


# A document's asserted triples: its own, its items' and its source file's.
_DOCUMENT_TRIPLES = """
CONSTRUCT {{ ?s ?p ?o }} WHERE {{
  ?doc a kg:CompetencyDocument ; kg:code "{code}" .
  {{ BIND(?doc AS ?s) }} UNION {{ ?s kg:inDocument ?doc }} UNION {{ ?doc kg:sourceFile ?s }}
  GRAPH <{graph}> {{ ?s ?p ?o }}
}}
"""
