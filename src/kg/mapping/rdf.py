"""The mappings as RDF, in the `mappings` graph: plain SKOS triples, nodes only where they say something.

    <a> skos:exactMatch <b> .  <b> skos:exactMatch <a> .      (SKOS mapping relations are symmetric;
                                                                exact and close only: see `IN_GRAPH`)
    <{base}mapping/{hash}> a kg:Mapping ;                       (only when the score or cardinality says
        owl:annotatedSource <a> ; owl:annotatedProperty skos:closeMatch ; owl:annotatedTarget <b> ;
        kg:similarityScore 0.9123 ; kg:mappingCardinality "1:n" .          something: see `says_something`)
    <{base}overlap/{hash}> a kg:DocumentOverlap ;               (one per document pair with a mapping)
        kg:overlapSource <docA> ; kg:overlapTarget <docB> ;
        kg:exactMatches 12 ; kg:closeMatches 3 ; kg:relatedMatches 0 ;
        kg:overlapRank 1 ; kg:overlapPage 1 .                   (1: the most exact, then close, then by code;
                                                                the page: ranks 1-1000, 1001-2000 ...)
    <task> kg:incorporatesUnit <unit> .
    <{base}incorporation/{hash}> a kg:UnitIncorporation ;
        owl:annotatedSource <task> ; owl:annotatedProperty kg:incorporatesUnit ;
        owl:annotatedTarget <unit> ; kg:coverage 0.9545 .

Why: most mappings of a real corpus join identical texts (a unit printed inside every
standard that embeds it), scored 1 and one-to-one; a reified node for each (7 triples)
made the mappings graph 16 times the asserted one at 1,000 documents. Such a mapping is
the plain triple alone: a missing node means score 1, cardinality 1:1. Related mappings
(about half of all, the weakest evidence: too loose to call a unit embedded) stay in the
SSSOM file and the per-pair counts, not in the graph. The reified nodes
follow OWL's axiom annotation pattern (as SSSOM's OWL output does; kg:Mapping is a
subclass of owl:Axiom). The per-pair counts are what `document-overlap` reads, so that
query does not aggregate every mapping; their rank is the query's order, and their page
(`OVERLAP_PAGE` ranks each) lets it read the first page by a look-up of one value instead of
reading every pair's rank to filter it (a range filter is not an index look-up in the store).
Every mapping, with its score, is in the SSSOM file.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Iterator

from rdflib import OWL, RDF, XSD, Literal, URIRef
from rdflib.term import Node

from kg.graph.nquads import nquads
from kg.graph.vocabulary import KG, Iris
from kg.mapping.incorporation import Coverage
from kg.mapping.model import RELATIONS, Mapping

Triple = tuple[Node, Node, Node]
IN_GRAPH = ("exact", "close")  # relations stored as triples; every relation is in the SSSOM file
OVERLAP_PAGE = 1000  # document pairs a kg:overlapPage holds (the document-overlap query's page)
_COUNTS = {"exact": KG.exactMatches, "close": KG.closeMatches, "related": KG.relatedMatches}


def says_something(mapping: Mapping) -> bool:
    """Whether a mapping needs a reified node: its score is below 1 or it is not one-to-one."""
    return round(mapping.score, 4) < 1 or mapping.cardinality != "1:1"


def mapping_triples(
    mappings: Iterable[Mapping], coverage: Iterable[Coverage], iris: Iris
) -> Iterator[Triple]:
    pairs: dict[tuple[str, str], Counter[str]] = {}
    for m in mappings:
        pairs.setdefault((m.a.document, m.b.document), Counter())[m.relation] += 1
        if m.relation not in IN_GRAPH:
            continue
        a, b, predicate = URIRef(m.a.iri), URIRef(m.b.iri), URIRef(m.predicate)
        yield a, predicate, b
        yield b, predicate, a
        if not says_something(m):
            continue
        node = iris.concept("mapping", _digest(m.a.iri, m.b.iri))
        yield from _axiom(node, KG.Mapping, a, predicate, b)
        yield node, KG.similarityScore, Literal(round(m.score, 4), datatype=XSD.decimal)
        if m.cardinality != "1:1":
            yield node, KG.mappingCardinality, Literal(m.cardinality)
    ranked = sorted(pairs.items(), key=lambda pair: (-pair[1]["exact"], -pair[1]["close"], pair[0]))
    for rank, ((first, second), counts) in enumerate(ranked, start=1):
        node = iris.concept("overlap", _digest(first, second))
        yield node, RDF.type, KG.DocumentOverlap
        yield node, KG.overlapSource, iris.document(first)
        yield node, KG.overlapTarget, iris.document(second)
        for relation in RELATIONS:
            yield node, _COUNTS[relation], Literal(counts[relation])
        yield node, KG.overlapRank, Literal(rank)
        yield node, KG.overlapPage, Literal((rank - 1) // OVERLAP_PAGE + 1)
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
    yield node, OWL.annotatedSource, source
    yield node, OWL.annotatedProperty, predicate
    yield node, OWL.annotatedTarget, target


def _digest(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:16]
