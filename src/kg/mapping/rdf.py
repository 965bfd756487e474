"""The mappings as RDF, for the `mappings` named graph.

    <a> skos:closeMatch <b> .  <b> skos:closeMatch <a> .      (SKOS mapping relations are symmetric)
    <{base}mapping/{hash}> a kg:Mapping, owl:Axiom ;
        owl:annotatedSource <a> ; owl:annotatedProperty skos:closeMatch ; owl:annotatedTarget <b> ;
        kg:similarityScore 0.9123 ; kg:mappingCardinality "1:1" .
    <task> kg:incorporatesUnit <unit> .
    <{base}incorporation/{hash}> a kg:UnitIncorporation, owl:Axiom ;
        owl:annotatedSource <task> ; owl:annotatedProperty kg:incorporatesUnit ;
        owl:annotatedTarget <unit> ; kg:coverage 1.0 .

The reified nodes follow OWL's axiom annotation pattern (as SSSOM's OWL output
does), so the score sits beside the plain triple that queries use.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator

from rdflib import OWL, RDF, XSD, Literal, URIRef
from rdflib.term import Node

from kg.graph.nquads import nquads
from kg.graph.vocabulary import KG, Iris
from kg.mapping.incorporation import Coverage
from kg.mapping.model import Mapping

Triple = tuple[Node, Node, Node]


def mapping_triples(
    mappings: Iterable[Mapping], coverage: Iterable[Coverage], iris: Iris
) -> Iterator[Triple]:
    for m in mappings:
        a, b, predicate = URIRef(m.a.iri), URIRef(m.b.iri), URIRef(m.predicate)
        yield a, predicate, b
        yield b, predicate, a
        node = iris.concept("mapping", _digest(m.a.iri, m.b.iri))
        yield from _axiom(node, KG.Mapping, a, predicate, b)
        yield node, KG.similarityScore, Literal(round(m.score, 4), datatype=XSD.decimal)
        yield node, KG.mappingCardinality, Literal(m.cardinality)
    for c in coverage:
        if not c.incorporated or c.task is None:
            continue
        task, unit = iris.item(c.standard, c.task), iris.document(c.unit)
        yield task, KG.incorporatesUnit, unit
        node = iris.concept("incorporation", _digest(str(task), str(unit)))
        yield from _axiom(node, KG.UnitIncorporation, task, KG.incorporatesUnit, unit)
        yield node, KG.coverage, Literal(round(c.coverage, 4), datatype=XSD.decimal)


def mapping_nquads(mappings: Iterable[Mapping], coverage: Iterable[Coverage], iris: Iris) -> bytes:
    """The triples above as N-Quads in the `mappings` graph."""
    graph = str(iris.graph("mappings"))
    return nquads(mapping_triples(mappings, coverage, iris), graph)


def _axiom(node: URIRef, kind: URIRef, source: Node, predicate: Node, target: Node) -> Iterator[Triple]:
    yield node, RDF.type, kind
    yield node, RDF.type, OWL.Axiom
    yield node, OWL.annotatedSource, source
    yield node, OWL.annotatedProperty, predicate
    yield node, OWL.annotatedTarget, target


def _digest(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:16]
