"""Moving RDF terms between rdflib and pyoxigraph, keeping language tags' case (zh-Hant),
and writing query results in pyoxigraph's RDF formats (see also `kg.graph.nquads`)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import pyoxigraph as ox
from rdflib import XSD, BNode, Literal, URIRef
from rdflib.term import Node

from kg.errors import KgError

Triple = tuple[Node, Node, Node]


def to_rdflib(term: object) -> Node:
    """A pyoxigraph term as the equivalent rdflib term."""
    if isinstance(term, ox.NamedNode):
        return _iri(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        return _literal(term.value, term.language, term.datatype.value)
    raise KgError(f"unsupported RDF term in a result: {term!r}")


# A result repeats its terms (a document's IRI on every row, the same counts): making an rdflib
# term parses its value (a number, a date), which cost half of a large answer's time. Terms
# are immutable, so each is made once and shared.
@lru_cache(maxsize=2**16)
def _iri(value: str) -> URIRef:
    return URIRef(value)


@lru_cache(maxsize=2**16)
def _literal(value: str, language: str | None, datatype: str) -> Literal:
    if language:
        return Literal(value, lang=language)
    if datatype == _STRING:
        return Literal(value)
    return Literal(value, datatype=_iri(datatype))


_STRING = str(XSD.string)


def to_oxigraph(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An rdflib term as the equivalent pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise KgError(f"unsupported RDF term: {term!r}")


def turtle(triples: Iterable[Triple], prefixes: dict[str, str]) -> str:
    """Turtle text for rdflib triples, with the given prefixes."""
    return serialize(triples, ox.RdfFormat.TURTLE, prefixes)


def serialize(triples: Iterable[Triple], fmt: ox.RdfFormat, prefixes: dict[str, str] | None = None) -> str:
    """rdflib triples in one of pyoxigraph's RDF formats (Turtle, N-Triples, JSON-LD ...)."""
    data = [_oxigraph_triple(s, p, o) for s, p, o in triples]
    # Without an output file, serialize returns the bytes; its stubs do not say so (no overload).
    return ox.serialize(data, format=fmt, prefixes=prefixes).decode("utf-8")  # type: ignore[union-attr]


def _oxigraph_triple(s: Node, p: Node, o: Node) -> ox.Triple:
    subject, predicate = to_oxigraph(s), to_oxigraph(p)
    if isinstance(subject, ox.Literal) or not isinstance(predicate, ox.NamedNode):
        raise KgError(f"not an RDF triple: {s!r} {p!r} {o!r}")
    return ox.Triple(subject, predicate, to_oxigraph(o))
