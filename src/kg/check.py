"""SHACL checks without building: of source files, or of the live build's asserted graph."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rdflib import Graph

from kg.build import check_files
from kg.graph.ontology import load_shapes
from kg.graph.validate import validate_graph
from kg.graph.vocabulary import Iris
from kg.parse import discover
from kg.settings import Settings
from kg.store import open_store
from kg.store.layout import current_build


def check_sources(paths: Iterable[str | Path], settings: Settings | None = None) -> list[str]:
    """Every parse error and SHACL violation in these files, as `file:line: message`."""
    settings = settings or Settings.load()
    return [
        problem
        for checked in check_files(discover(paths), Iris(settings.base_iri))
        for problem in checked.problems
    ]


def check_build(settings: Settings | None = None) -> list[str]:
    """Every SHACL violation in the live build's asserted graph."""
    settings = settings or Settings.load()
    store = open_store(settings.store, current_build(settings.build_dir))
    try:
        result = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", graph="asserted")
    finally:
        store.close()
    asserted = Graph()
    for triple in result.triples:
        asserted.add(triple)
    return [str(v) for v in validate_graph(asserted, load_shapes())]
