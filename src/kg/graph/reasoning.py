"""OWL RL reasoning over the asserted graph, kept apart from it.

Two reasoners, picked by name in `get_reasoner`:

- ``owlrl``: the reference. owlrl's full OWL RL closure of ontology + document.
  Correct for any ontology, but pure Python and slow (about 3 s for one standard).
- ``rules`` (default): owlrl closes the ontology (the TBox) once; the entailments
  that OWL RL draws from that closed TBox for instance data (sub-classes and
  sub-properties, inverses, transitivity, two-step property chains, domains and
  ranges, owl:hasValue restrictions) are then applied to each document by a small
  semi-naive rule engine. The test suite checks it gives exactly owlrl's answer on
  the seeds, and it refuses ontologies that use constructs it does not implement.

Both reason per document: documents share no part-of links, so the closure of the
whole corpus is the union of the documents' closures, and a rebuild can reuse the
closures of unchanged documents. What is kept is only what the ontology entails
for our data: no literal subjects, no blank nodes, no owl:sameAs, no owl:Thing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Protocol

from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from kg.errors import KgError

Triple = tuple[Node, Node, Node]

_TRIVIAL_TYPES = {OWL.Thing, RDFS.Resource, OWL.NamedIndividual}
# OWL constructs whose instance-level rules the `rules` reasoner does not implement.
_UNSUPPORTED = {
    OWL.FunctionalProperty: "functional properties",
    OWL.InverseFunctionalProperty: "inverse-functional properties",
    OWL.SymmetricProperty: "symmetric properties",
    OWL.sameAs: "owl:sameAs",
    OWL.someValuesFrom: "someValuesFrom restrictions",
    OWL.allValuesFrom: "allValuesFrom restrictions",
    OWL.intersectionOf: "class intersections",
    OWL.unionOf: "class unions",
    OWL.hasKey: "keys",
    OWL.maxCardinality: "cardinality restrictions",
    OWL.maxQualifiedCardinality: "cardinality restrictions",
}


class Reasoner(Protocol):
    name: str

    def infer(self, asserted: Graph) -> set[Triple]:
        """The triples entailed for the data in `asserted`, minus those asserted."""


def keep(triple: Triple, data: Callable[[Node], bool]) -> bool:
    """Is this entailed triple about our data, rather than junk or schema?"""
    subject, predicate, obj = triple
    if not isinstance(subject, URIRef) or isinstance(obj, BNode) or not data(subject):
        return False
    if predicate == OWL.sameAs:
        return False
    return not (predicate == RDF.type and obj in _TRIVIAL_TYPES)


def _data_nodes(asserted: Graph, ontology: Graph) -> Callable[[Node], bool]:
    """Our data: the IRIs the asserted graph mentions that the ontology does not define."""
    mentioned = {n for t in asserted for n in (t[0], t[2]) if isinstance(n, URIRef)}
    data = mentioned - set(ontology.subjects())
    return data.__contains__


def _owlrl_closure(graph: Graph) -> Graph:
    import owlrl

    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(
        graph
    )
    return graph


class OwlrlReasoner:
    """owlrl's full OWL RL closure, filtered to what concerns the data."""

    name = "owlrl"

    def __init__(self, ontology: Graph) -> None:
        self.ontology = ontology

    def infer(self, asserted: Graph) -> set[Triple]:
        closure = Graph()
        for triple in self.ontology:
            closure.add(triple)
        for triple in asserted:
            closure.add(triple)
        _owlrl_closure(closure)
        is_data = _data_nodes(asserted, self.ontology)
        return {t for t in closure if t not in asserted and keep(t, is_data)}


class RulesReasoner:
    """OWL RL's instance rules, compiled from owlrl's closure of the ontology."""

    name = "rules"

    def __init__(self, ontology: Graph) -> None:
        _check_supported(ontology)
        tbox = Graph()
        for triple in ontology:
            tbox.add(triple)
        _owlrl_closure(tbox)
        self.ontology = ontology
        self.super_properties = _closure_map(tbox, RDFS.subPropertyOf)
        self.super_classes = _closure_map(tbox, RDFS.subClassOf)
        self.inverses: dict[Node, set[Node]] = defaultdict(set)
        for p, q in tbox.subject_objects(OWL.inverseOf):
            self.inverses[p].add(q)
            self.inverses[q].add(p)
        self.transitive = set(tbox.subjects(RDF.type, OWL.TransitiveProperty))
        self.domains = _closure_map(tbox, RDFS.domain, reflexive=False)
        self.ranges = _closure_map(tbox, RDFS.range, reflexive=False)
        self.has_values: dict[Node, list[tuple[Node, Node]]] = defaultdict(list)
        for restriction, value in tbox.subject_objects(OWL.hasValue):
            prop = tbox.value(restriction, OWL.onProperty)
            if prop is None:
                raise KgError(f"the owl:hasValue restriction {restriction} has no owl:onProperty")
            for cls in tbox.subjects(RDFS.subClassOf, restriction):
                self.has_values[cls].append((prop, value))
        # chain (first, second) -> property: x first y, y second z  =>  x property z
        self.chains: list[tuple[Node, Node, Node]] = []
        for prop, head in tbox.subject_objects(OWL.propertyChainAxiom):
            steps = list(Collection(tbox, head))
            if len(steps) != 2:
                raise KgError(
                    f"property chain of {prop} has {len(steps)} steps; the rules reasoner supports 2"
                )
            self.chains.append((steps[0], steps[1], prop))

    def infer(self, asserted: Graph) -> set[Triple]:
        engine = _Engine(self)
        engine.run(asserted)
        is_data = _data_nodes(asserted, self.ontology)
        return {t for t in engine.triples if t not in asserted and keep(t, is_data)}


class _Engine:
    """Semi-naive forward chaining: each new triple is joined once with what is known."""

    def __init__(self, rules: RulesReasoner) -> None:
        self.rules = rules
        self.triples: set[Triple] = set()
        self.by_subject: dict[tuple[Node, Node], set[Node]] = defaultdict(set)
        self.by_object: dict[tuple[Node, Node], set[Node]] = defaultdict(set)
        self.queue: list[Triple] = []

    def add(self, triple: Triple) -> None:
        if triple not in self.triples:
            self.triples.add(triple)
            s, p, o = triple
            self.by_subject[(s, p)].add(o)
            self.by_object[(o, p)].add(s)
            self.queue.append(triple)

    def run(self, asserted: Iterable[Triple]) -> None:
        for triple in asserted:
            self.add(triple)
        while self.queue:
            self.fire(self.queue.pop())

    def fire(self, triple: Triple) -> None:
        r = self.rules
        s, p, o = triple
        is_resource = not isinstance(o, Literal)
        for q in r.super_properties.get(p, ()):
            self.add((s, q, o))
        if is_resource:
            for q in r.inverses.get(p, ()):
                self.add((o, q, s))
        if p in r.transitive:
            for z in list(self.by_subject[(o, p)]):
                self.add((s, p, z))
            for w in list(self.by_object[(s, p)]):
                self.add((w, p, o))
        for cls in r.domains.get(p, ()):
            self.add((s, RDF.type, cls))
        if is_resource:
            for cls in r.ranges.get(p, ()):
                self.add((o, RDF.type, cls))
        if p == RDF.type:
            for cls in r.super_classes.get(o, ()):
                self.add((s, RDF.type, cls))
            for prop, value in r.has_values.get(o, ()):
                self.add((s, prop, value))
        for first, second, prop in r.chains:
            if p == first:
                for z in list(self.by_subject[(o, second)]):
                    self.add((s, prop, z))
            if p == second:
                for w in list(self.by_object[(s, first)]):
                    self.add((w, prop, o))


def _closure_map(tbox: Graph, predicate: URIRef, reflexive: bool = True) -> dict[Node, set[Node]]:
    """subject -> its objects for `predicate` in the (already closed) TBox."""
    result: dict[Node, set[Node]] = defaultdict(set)
    for subject, obj in tbox.subject_objects(predicate):
        if reflexive and subject == obj:
            continue
        result[subject].add(obj)
    return result


def _check_supported(ontology: Graph) -> None:
    for construct, label in _UNSUPPORTED.items():
        if (None, None, construct) in ontology or (None, construct, None) in ontology:
            raise KgError(
                f"the ontology uses {label}, which the 'rules' reasoner does not implement; "
                "use --reasoner owlrl"
            )


REASONERS: dict[str, Callable[[Graph], Reasoner]] = {
    "rules": RulesReasoner,
    "owlrl": OwlrlReasoner,
}


def check_reasoner(name: str) -> None:
    """Fail early, and cheaply, on a reasoner name that does not exist."""
    if name not in REASONERS:
        raise KgError(f"unknown reasoner {name!r}; choose one of: {', '.join(REASONERS)}")


def get_reasoner(name: str, ontology: Graph) -> Reasoner:
    """The one place that picks a reasoner by name."""
    check_reasoner(name)
    return REASONERS[name](ontology)
