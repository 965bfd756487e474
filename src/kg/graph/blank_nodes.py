"""Blank-node labels derived from content, so the same Turtle gives the same N-Quads every time.

rdflib names each parsed blank node at random, so the ontology's OWL restrictions and
lists would get new labels in every build. Here a blank node is named after what it
says (its triples, recursively down through nested blank nodes) and where it is used
(the subjects and properties pointing at it, recursively up), hashed: `_:b<32 hex>`.
Two blank nodes alike in both are interchangeable; they get a numbered suffix.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable

from rdflib import BNode, Graph
from rdflib.term import Node

_CYCLE = "(cycle)"


def stable_blank_nodes(graph: Graph) -> Graph:
    """A copy of `graph` whose blank nodes carry content-derived labels (the graph itself if none)."""
    outgoing: dict[BNode, list[tuple[Node, Node]]] = defaultdict(list)
    incoming: dict[BNode, list[tuple[Node, Node]]] = defaultdict(list)
    nodes: set[BNode] = set()
    for s, p, o in graph:
        if isinstance(s, BNode):
            outgoing[s].append((p, o))
            nodes.add(s)
        if isinstance(o, BNode):
            incoming[o].append((s, p))
            nodes.add(o)
    if not nodes:
        return graph

    def says(node: BNode, recurse: Callable[[Node], str]) -> str:
        return _hash(f"{p.n3()} {_term(o, recurse)}" for p, o in outgoing[node])

    content = _memoised(says)

    def context(node: BNode, recurse: Callable[[Node], str]) -> str:
        uses = (f"{_term(s, recurse)} {p.n3()}" for s, p in incoming[node])
        return _hash([content(node), *uses])

    labels = _memoised(context)
    groups: dict[str, list[BNode]] = defaultdict(list)
    for node in nodes:
        groups[labels(node)].append(node)
    renamed: dict[Node, BNode] = {}
    for digest, alike in groups.items():
        for index, node in enumerate(sorted(alike)):  # alike nodes are interchangeable
            renamed[node] = BNode(f"b{digest[:32]}" + (f"x{index}" if len(alike) > 1 else ""))
    stable = Graph(namespace_manager=graph.namespace_manager)
    for s, p, o in graph:
        stable.add((renamed.get(s, s), p, renamed.get(o, o)))
    return stable


def _term(term: Node, recurse: Callable[[Node], str]) -> str:
    return f"_:{recurse(term)}" if isinstance(term, BNode) else term.n3()


def _hash(lines: Iterable[str]) -> str:
    return hashlib.sha256("\n".join(sorted(lines)).encode("utf-8")).hexdigest()


def _memoised(describe: Callable[[BNode, Callable[[Node], str]], str]) -> Callable[[Node], str]:
    """`describe(node, recurse)`, cached per node.

    A node met again while it is being described is a cycle: it reads as `(cycle)`, and
    what was described through it is not cached, so a value never depends on where the
    walk started (blank-node cycles are rare: OWL's restrictions and lists are trees).
    """
    done: dict[Node, str] = {}
    active: list[Node] = []
    cut: set[Node] = set()  # nodes whose description met a cycle

    def run(node: Node) -> str:
        if node in done:
            return done[node]
        if node in active:
            cut.update(active[active.index(node) :])
            return _CYCLE
        active.append(node)
        try:
            value = describe(node, run)  # type: ignore[arg-type]
        finally:
            active.pop()
        if node in cut:
            cut.discard(node)
            if active:
                cut.add(active[-1])
        else:
            done[node] = value
        return value

    return run
