"""Finding and loading the ontology files (`ontology/` in a checkout, package data when installed).

The ontology's blank nodes (OWL restrictions, property-chain lists) get labels derived
from their content (`kg.graph.blank_nodes`), so its quads are the same in every build.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from rdflib import Graph

from kg.errors import KgError
from kg.graph.blank_nodes import stable_blank_nodes

ONTOLOGY_FILE = "kg.ttl"
SHAPES_FILE = "shapes.ttl"
QUERIES_FOLDER = "queries"


def ontology_dir() -> Path:
    """The checkout's `ontology/`, or the copy installed inside the package."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package.parent.parent / "ontology", package / "_ontology"):
        if (candidate / ONTOLOGY_FILE).is_file():
            return candidate
    raise KgError("the ontology files (ontology/kg.ttl) are missing from this installation")


@cache
def load_ontology() -> Graph:
    return stable_blank_nodes(_parse(ontology_dir() / ONTOLOGY_FILE))


@cache
def load_shapes() -> Graph:
    return _parse(ontology_dir() / SHAPES_FILE)


def _parse(path: Path) -> Graph:
    try:
        return Graph().parse(path, format="turtle")
    except Exception as exc:  # rdflib raises many parser-specific types
        raise KgError(f"{path}: not valid Turtle: {exc}") from None
