"""The store interface and the backend-neutral query result (rdflib terms)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from rdflib.term import Node

GRAPH_NAMES = ("all", "asserted", "inferred", "ontology")


@dataclass
class QueryResult:
    """SELECT rows, an ASK answer, or CONSTRUCT/DESCRIBE triples."""

    kind: str  # "select" | "ask" | "graph"
    variables: list[str] = field(default_factory=list)
    rows: list[dict[str, Node]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[tuple[Node, Node, Node]] = field(default_factory=list)

    def records(self) -> list[dict[str, object]]:
        """SELECT rows as plain Python values (str, int, date ...), for notebooks and scripts."""
        return [{name: term.toPython() for name, term in row.items()} for row in self.rows]


class GraphStore(Protocol):
    """A read-only, queryable build."""

    def query(self, sparql: str, graph: str = "all") -> QueryResult:
        """Run a SPARQL query over the named graph(s); raises QueryError on bad queries."""

    def close(self) -> None: ...
