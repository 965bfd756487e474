"""Running SPARQL on a store: what refuses a query before it runs, and running it."""

from __future__ import annotations

from pathlib import Path

from kg.errors import KgError
from kg.graph.vocabulary import KGF
from kg.query.errors import QueryError, UpdateRefused
from kg.query.guard import check_query, names_in, update_keyword
from kg.store import EXTENSION_FUNCTIONS, GRAPH_NAMES, GraphStore, QueryResult
from kg.store.base import Functions, function_name
from kg.store.lexer import tokens
from kg.text_files import read_text

__all__ = ["check_request", "execute", "read_query_file", "update_keyword"]


def read_query_file(path: str | Path) -> str:
    """A query from a .rq file, with a clear error when it cannot be read."""
    text = read_text(path, "query file")
    if not text.strip():
        raise KgError(f"{path}: the query file is empty")
    return text


def check_request(sparql: str, graph: str = "all") -> None:
    """Everything that refuses a query before it runs: empty, too long or deep, SERVICE, an update,
    an unknown graph. Cheap: callers that run queries elsewhere (a worker process) check first."""
    if not sparql.strip():
        raise QueryError("the query is empty")
    check_query(sparql)
    if graph not in GRAPH_NAMES:
        raise QueryError(f"unknown graph {graph!r}; choose one of: {', '.join(GRAPH_NAMES)}")
    keyword = update_keyword(sparql)
    if keyword:
        raise UpdateRefused(keyword)


def execute(
    store: GraphStore,
    sparql: str,
    graph: str = "all",
    functions: Functions | None = None,
    max_results: int | None = None,
) -> QueryResult:
    """Run a read-only SPARQL query on an open store, in this process, with no time limit.

    `graph` picks the union of everything ("all", the default), or only the
    "asserted", "inferred", "ontology" or "mappings" triples. Common prefixes (kg:, kgf:, skos:,
    dcterms:, ceasn:, prov: ...) are predeclared; `functions` are extension functions by IRI
    (`kgf:similarity`, see `kg.search.similarity`). More than `max_results` rows or triples
    raise `ResultTooLarge` (None: no limit). The caller has run `check_request` (once: a query
    checked before it went to a worker process is not checked again there).
    `kg.KnowledgeGraph.run_query` calls this with the build's store and functions.
    """
    result = store.query(sparql, graph, _functions(store, sparql, functions), max_results)
    if result.kind == "select":
        result.variables = in_query_order(sparql, result.variables)
    return result


def in_query_order(sparql: str, variables: list[str]) -> list[str]:
    """The columns of a `SELECT *` in the order the query first names them (stores order them
    by name or by hash); the variables of any other SELECT as the query lists them already."""
    found = tokens(sparql)
    select = next((n for n, t in enumerate(found) if t.kind == "word" and t.text.upper() == "SELECT"), None)
    if select is None:
        return variables
    rest = [t for t in found[select + 1 :] if t.text.upper() not in ("DISTINCT", "REDUCED")]
    if not rest or rest[0].text != "*":
        return variables
    named = list(dict.fromkeys(t.text[1:] for t in rest if t.kind == "var"))
    first = {name: n for n, name in enumerate(named)}
    return sorted(variables, key=lambda v: first.get(v, len(named)))  # stable: unnamed ones keep their order


def _functions(store: GraphStore, sparql: str, functions: Functions | None) -> Functions | None:
    """The extension functions (kgf:similarity ...) for a store that declares it can call them.

    A store without the capability gets none, and a query that calls one is refused, by name:
    such a store would leave the function's value unbound, a silently empty answer.
    """
    if EXTENSION_FUNCTIONS in store.capabilities:
        return functions
    used = names_in(sparql, str(KGF))
    if used:
        names = ", ".join(function_name(iri) for iri in used)
        raise QueryError(
            f"the query uses {names}, but the store {store.descriptor} cannot call extension functions "
            "(the search index that answers them stays with the local build): "
            "run it against a build's own store (oxigraph or rdflib)"
        )
    return None
