"""Documents as RDF (Turtle, JSON-LD): their own asserted and inferred triples as the build
stored them (the graph's part per document, `kg.store.parts`), with the classification
concepts they name, in one graph."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from kg.graph.vocabulary import PREFIXES
from kg.store.parts import GraphParts, part_name

FORMATS = {"turtle": ox.RdfFormat.TURTLE, "jsonld": ox.RdfFormat.JSON_LD}


def rdf_bytes(build_path: Path, codes: list[str], fmt: str) -> bytes:
    parts = GraphParts(build_path)
    names = [part_name("documents", code) for code in codes] + ["concepts"]
    triples: dict[ox.Triple, None] = {}  # each once, in the parts' order
    for name in names:
        if name in parts.parts:
            with open(parts.path(name), "rb") as quads:
                for quad in ox.parse(quads, format=ox.RdfFormat.N_QUADS):
                    triples.setdefault(quad.triple, None)
    prefixes = PREFIXES if fmt == "turtle" else None
    written: bytes = ox.serialize(list(triples), format=FORMATS[fmt], prefixes=prefixes)  # type: ignore[assignment]
    return written
