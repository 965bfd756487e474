"""rdflib's in-memory Dataset, loaded from the build's graph (its N-Quads parts)."""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

from rdflib import Dataset, Graph, URIRef
from rdflib.query import Result, ResultRow
from rdflib.term import Node

from kg.graph.vocabulary import sparql_prefixes
from kg.store.base import EXTENSION_FUNCTIONS, Functions, GuardedCalls, QueryResult
from kg.store.errors import QueryError, check_size, query_error
from kg.store.layout import graph_iris
from kg.store.parts import GraphParts

_PREFIXES = sparql_prefixes()
_PREFIX_LINES = len(_PREFIXES.splitlines())
_REGISTRY = threading.Lock()  # held while a query's functions sit in rdflib's global registry


class RdflibStore:
    """Loads the whole build into memory; fine for the seeds, slow for millions of triples."""

    capabilities = frozenset({EXTENSION_FUNCTIONS})

    def __init__(self, build_path: Path) -> None:
        self.descriptor = f"rdflib:{build_path}"
        self.graphs = graph_iris(build_path)
        self.dataset = Dataset(default_union=True)
        for path in GraphParts(build_path).files():
            self.dataset.parse(path, format="nquads")

    def _target(self, graph: str) -> Graph:
        if graph == "all":
            return self.dataset
        return self.dataset.graph(URIRef(self.graphs[graph]))

    def query(
        self,
        sparql: str,
        graph: str = "all",
        functions: Functions | None = None,
        max_results: int | None = None,
    ) -> QueryResult:
        from pyparsing import ParseException
        from rdflib.plugins.sparql.operators import register_custom_function, unregister_custom_function

        target = self._target(graph)
        guard = GuardedCalls()
        registered = [(URIRef(iri), guard.wrap(f, iri)) for iri, f in (functions or {}).items()]
        # rdflib's function registry is global: a query's functions are registered for it alone,
        # and the queries of this process that bring functions take turns.
        with _REGISTRY if registered else contextlib.nullcontext():
            for iri, function in registered:
                # rdflib types every custom function as a raw one, (expression, bindings) -> term;
                # without raw=True it is called with the argument terms, as a SparqlFunction is.
                register_custom_function(iri, function, override=True)  # type: ignore[arg-type]
            try:
                result = target.query(_PREFIXES + sparql)
                answer = self._collect(result)
            except ParseException as exc:
                raise query_error(
                    sparql, f"error at {exc.lineno - _PREFIX_LINES}:{exc.col}: {exc.msg}"
                ) from None
            except RecursionError:  # rdflib's parser recurses per bracket: about 25 levels is its most
                raise QueryError(
                    "the query nests brackets too deeply for the rdflib store (about 25 levels at most): "
                    "use the oxigraph store"
                ) from None
            except Exception as exc:  # rdflib's evaluator fails on some valid queries (VALUES ?x { })
                raise QueryError(
                    f"the rdflib store could not evaluate this query ({type(exc).__name__}: {exc}): "
                    "use the oxigraph store"
                ) from None
            finally:
                for iri, function in registered:
                    unregister_custom_function(iri, function)
        guard.raise_if_failed()
        check_size(len(answer.rows) + len(answer.triples), max_results)
        return answer

    @staticmethod
    def _collect(result: Result) -> QueryResult:
        if result.type == "ASK":
            return QueryResult(kind="ask", boolean=bool(result.askAnswer))
        if result.type == "SELECT":
            variables = [str(v) for v in result.vars or ()]
            rows: list[dict[str, Node]] = [
                {name: row[name] for name in variables if row[name] is not None}
                for row in result
                if isinstance(row, ResultRow)  # all of them: a SELECT result yields rows
            ]
            return QueryResult(kind="select", variables=variables, rows=rows)
        # a CONSTRUCT or DESCRIBE result iterates over its graph's triples
        return QueryResult(kind="graph", triples=list(result.graph) if result.graph is not None else [])

    def close(self) -> None:
        self.dataset.close()
