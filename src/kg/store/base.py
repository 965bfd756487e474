"""The store interface and the backend-neutral query result (rdflib terms)."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from rdflib.term import IdentifiedNode, Literal, Node

from kg.graph.vocabulary import PREFIXES
from kg.store.errors import FunctionError

if TYPE_CHECKING:
    import pandas

GRAPH_NAMES = ("all", "asserted", "inferred", "ontology", "mappings")

# Capabilities a store may declare (GraphStore.capabilities).
EXTENSION_FUNCTIONS = "extension-functions"  # calls Python functions (kgf:similarity) from SPARQL

# A SPARQL extension function: rdflib terms in, an rdflib term (or None: unbound) out.
SparqlFunction = Callable[..., Node | None]
Functions = Mapping[str, SparqlFunction]


def _python(term: Node) -> object:
    """A result term as a Python value. Stores give IRIs, blank nodes and literals, which all
    have one (a bare rdflib Node does not)."""
    if isinstance(term, (IdentifiedNode, Literal)):
        return term.toPython()
    raise TypeError(f"not an RDF term in a query result: {term!r}")


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
        return [{name: _python(term) for name, term in row.items()} for row in self.rows]

    def to_dataframe(self) -> pandas.DataFrame:
        """SELECT rows as a DataFrame of Python values (columns in the query's order);
        CONSTRUCT/DESCRIBE triples as subject/predicate/object columns."""
        import pandas

        if self.kind == "graph":
            rows = [tuple(str(term) for term in triple) for triple in self.triples]
            return pandas.DataFrame(rows, columns=["subject", "predicate", "object"])
        if self.kind == "ask":
            return pandas.DataFrame({"boolean": [self.boolean]})
        return pandas.DataFrame(self.records(), columns=self.variables)


class GraphStore(Protocol):
    """A read-only, queryable build.

    `capabilities` names what the store can do beyond plain SPARQL: with
    `EXTENSION_FUNCTIONS` it takes `functions` in `query`; without it, it must not be
    given any (a remote endpoint cannot call Python). `descriptor` names the store as
    `open_store` takes it (oxigraph:PATH ...), for messages.
    """

    capabilities: frozenset[str]
    descriptor: str

    def query(
        self,
        sparql: str,
        graph: str = "all",
        functions: Functions | None = None,
        max_results: int | None = None,
    ) -> QueryResult:
        """Run a SPARQL query over the named graph(s), with extension functions by IRI
        (only for a store with the `EXTENSION_FUNCTIONS` capability).

        Raises QueryError on bad queries, ResultTooLarge past `max_results` rows or
        triples, and the first error an extension function raised (an engine would
        only leave its value unbound).
        """

    def close(self) -> None: ...


def function_name(iri: str) -> str:
    """An extension function's IRI as people write it (kgf:similarity)."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return f"<{iri}>"


class GuardedCalls:
    """Wraps extension functions so that an error inside one is raised after the query.

    SPARQL engines treat a failing function as "unbound" and go on, which would turn
    a missing search index into a silently empty answer. The number of arguments is
    checked against the function's signature first: a call with too few or too many
    raises FunctionError naming the function (and its `usage`, when it has one), never
    a TypeError.
    """

    def __init__(self) -> None:
        self.error: Exception | None = None

    def wrap(self, function: SparqlFunction, iri: str = "") -> SparqlFunction:
        signature = inspect.signature(function)
        name = function_name(iri) if iri else getattr(function, "__name__", "the function")

        def call(*args: Node) -> Node | None:
            try:
                try:
                    signature.bind(*args)
                except TypeError:
                    raise _arity_error(name, signature, len(args), getattr(function, "usage", "")) from None
                return function(*args)
            except Exception as exc:  # re-raised by raise_if_failed once the engine is done
                self.error = self.error or exc
                return None

        return call

    def raise_if_failed(self) -> None:
        if self.error is not None:
            raise self.error


def _arity_error(name: str, signature: inspect.Signature, given: int, usage: str) -> FunctionError:
    positional = [p for p in signature.parameters.values() if p.kind != p.VAR_KEYWORD]
    least = sum(p.default is p.empty and p.kind != p.VAR_POSITIONAL for p in positional)
    most = len(positional)
    if any(p.kind == p.VAR_POSITIONAL for p in positional):
        wanted = f"at least {least}"  # any number more (kgf:nearest's classes)
    else:
        wanted = str(least) if least == most else f"{least} to {most}"
    plural = "" if wanted == "1" else "s"
    return FunctionError(
        f"{name} takes {wanted} argument{plural}, not {given}" + (f", as in {usage}" if usage else "")
    )
