"""Finding and loading the ontology files (`ontology/` in a checkout, package data when installed)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from rdflib import Graph

from kg.errors import KgError

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
    return _parse(ontology_dir() / ONTOLOGY_FILE)


@cache
def load_shapes() -> Graph:
    return _parse(ontology_dir() / SHAPES_FILE)


def _parse(path: Path) -> Graph:
    try:
        return Graph().parse(path, format="turtle")
    except Exception as exc:  # rdflib raises many parser-specific types
        raise KgError(f"{path}: not valid Turtle: {exc}") from None
