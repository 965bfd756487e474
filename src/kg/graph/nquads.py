"""A graph's triples as N-Quads lines: how the build writes every named graph.

Written here rather than by rdflib's serialisers, which are slower and lower-case
language tags (zh-Hant; oxigraph lower-cases them on loading anyway).
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import XSD, BNode, Literal
from rdflib.term import Node

Triple = tuple[Node, Node, Node]

_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def nt(term: Node) -> str:
    """One term as N-Triples writes it."""
    if isinstance(term, Literal):
        lexical = plain(str(term))
        if term.language:
            return f"{lexical}@{term.language}"
        if term.datatype is not None:
            return f"{lexical}^^<{term.datatype}>"
        return lexical
    if isinstance(term, BNode):
        return f"_:{term}"
    return f"<{term}>"


def nquads(triples: Iterable[Triple], graph: str) -> bytes:
    """N-Quads bytes for rdflib triples, all in the named graph `graph`."""
    label = f"<{graph}>"
    return "".join(f"{nt(s)} {nt(p)} {nt(o)} {label} .\n" for s, p, o in triples).encode("utf-8")


def plain(text: str) -> str:
    """A plain literal (no language, no datatype) as N-Triples writes it."""
    return f'"{text.translate(_ESCAPES)}"'


def integer(value: int) -> str:
    """An xsd:integer literal as N-Triples writes it (as `nt(Literal(value))` does)."""
    return f'"{value}"^^<{XSD.integer}>'
