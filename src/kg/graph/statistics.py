"""Per-document counts, made once at build time as triples that named queries read.

    <doc> kg:taskCount 8 ; kg:indicatorCount 114 ; kg:knowledgeCount 49 ;
          kg:skillCount 54 ; kg:competencyCount 258 .

Counting items of every document in SPARQL grows with the corpus (seconds at thousands
of documents); each document's counts depend on that document alone, so they are counted
where it is processed, from its asserted and inferred triples, and stored beside them.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator

from rdflib import DCTERMS, RDF, Graph, Literal, URIRef
from rdflib.term import Node

from kg.graph.vocabulary import CEASN, KG

Triple = tuple[Node, Node, Node]

# count property -> (class of the counted items, how an item says it is part of the document)
COUNTS: dict[URIRef, tuple[URIRef, URIRef]] = {
    KG.taskCount: (KG.Task, DCTERMS.isPartOf),
    KG.indicatorCount: (KG.BehaviourIndicator, DCTERMS.isPartOf),
    KG.knowledgeCount: (KG.Knowledge, DCTERMS.isPartOf),
    KG.skillCount: (KG.Skill, DCTERMS.isPartOf),
    KG.competencyCount: (CEASN.Competency, CEASN.isPartOf),
}


def document_statistics(document: URIRef, asserted: Graph, inferred: Iterable[Triple]) -> Iterator[Triple]:
    """The counts of `document`'s items, from its asserted and inferred triples (one pass)."""
    classes = {cls for cls, _ in COUNTS.values()}
    part_of = {prop for _, prop in COUNTS.values()}
    typed: dict[Node, set[Node]] = {cls: set() for cls in classes}
    parts: dict[Node, set[Node]] = {prop: set() for prop in part_of}
    for subject, predicate, value in itertools.chain(asserted, inferred):
        if predicate == RDF.type and value in typed:
            typed[value].add(subject)
        elif predicate in parts and value == document:
            parts[predicate].add(subject)
    for prop, (cls, part) in COUNTS.items():
        yield document, prop, Literal(len(typed[cls] & parts[part]))
