"""A remote SPARQL 1.1 server as a store (`sparql:URL`): queries over the SPARQL 1.1 Protocol.

The server holds a build published with `kg publish` (its named graphs under the build's
graph IRIs). A query is POSTed form-encoded with the common prefixes (kg:, skos: ...)
declared before it, and the graph it reads named by the protocol's dataset parameters:
`default-graph-uri` is the chosen graph, or every graph of the build for "all" (their
union, as the local stores read it), and `named-graph-uri` every graph of the build, so
`GRAPH ?g { … }` works as it does locally. The answer (SPARQL JSON or XML results,
N-Triples or Turtle) is read as it arrives by pyoxigraph's parsers into the same
`QueryResult` the local stores give, and reading stops past `max_results`.

The store cannot call Python: it has no EXTENSION_FUNCTIONS capability, so a query using
kgf:similarity is refused by name (`kg.query.sparql`), never answered without it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlencode

import pyoxigraph as ox

from kg.graph.vocabulary import sparql_prefixes
from kg.store.base import Functions, QueryResult
from kg.store.errors import QueryError, RemoteError, query_error
from kg.store.http import Response, at_path, send
from kg.store.oxigraph import collect

# What a query asks for: SPARQL results (SELECT, ASK) or RDF (CONSTRUCT, DESCRIBE), best first.
ACCEPT = (
    "application/sparql-results+json, application/sparql-results+xml;q=0.9, "
    "text/tab-separated-values;q=0.8, application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
)
QUERY_PATH = "/query"  # Oxigraph's query endpoint, for a URL without a path
_PREFIXES = sparql_prefixes()
_PREFIX_LINES = len(_PREFIXES.splitlines())
_POSITION = re.compile(r"error at (\d+):(\d+)")


class RemoteStore:
    """Queries a SPARQL 1.1 server that holds a published build; read-only, no extension functions."""

    capabilities: frozenset[str] = frozenset()

    def __init__(self, url: str, graphs: Mapping[str, str], timeout: float) -> None:
        """url: the query endpoint (one without a path means Oxigraph's /query); graphs: the build's
        named graph IRIs by name; timeout: seconds to wait for the server at each step."""
        self.url = at_path(url, QUERY_PATH)
        self.descriptor = f"sparql:{self.url}"
        self.graphs = dict(graphs)
        self.timeout = timeout
        self._checked = False

    def query(
        self,
        sparql: str,
        graph: str = "all",
        functions: Functions | None = None,
        max_results: int | None = None,
    ) -> QueryResult:
        if functions:
            raise QueryError(f"the store {self.descriptor} cannot call extension functions")
        if not self._checked:
            self._check_published()
            self._checked = True
        chosen = list(self.graphs.values()) if graph == "all" else [self.graphs[graph]]
        return self._ask(sparql, chosen, max_results)

    def _ask(self, sparql: str, default_graphs: list[str], max_results: int | None) -> QueryResult:
        parameters = [("query", _PREFIXES + sparql)]
        parameters += [("default-graph-uri", iri) for iri in default_graphs]
        parameters += [("named-graph-uri", iri) for iri in self.graphs.values()]
        try:
            response = send(
                self.url,
                method="POST",
                timeout=self.timeout,
                headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": ACCEPT},
                body=urlencode(parameters).encode("utf-8"),
            )
        except RemoteError as exc:
            if exc.status == 400:
                raise self._refused(sparql, exc.detail) from None
            raise
        with response:
            return self._read(response, max_results)

    def _read(self, response: Response, max_results: int | None) -> QueryResult:
        """The answer in the response, parsed as it arrives; RemoteError when it is not SPARQL."""
        media_type = response.headers.get_content_type()
        results = ox.QueryResultsFormat.from_media_type(media_type)
        rdf = ox.RdfFormat.from_media_type(media_type)
        try:
            if results is not None and results != ox.QueryResultsFormat.CSV:
                return collect(ox.parse_query_results(response, format=results), max_results)
            if rdf is not None:
                return collect(ox.parse(response, format=rdf), max_results)
        except (SyntaxError, ValueError) as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise RemoteError(
                f"the SPARQL server at {self.url} sent an answer in {media_type} that cannot be read: {first}"
            ) from None
        except TimeoutError:
            raise RemoteError(f"the SPARQL server at {self.url} stopped sending its answer") from None
        raise RemoteError(
            f"the server at {self.url} did not answer with SPARQL results but with {media_type}: "
            "is it a SPARQL query endpoint (Oxigraph: http://HOST:7878/query)?"
        )

    def _refused(self, sparql: str, detail: str) -> QueryError:
        """A 400 as a QueryError: with line and column in the caller's query when the server says where."""
        match = _POSITION.search(detail)
        line = int(match.group(1)) - _PREFIX_LINES if match else 0
        if match and line >= 1:
            return query_error(sparql, _POSITION.sub(f"error at {line}:{match.group(2)}", detail, count=1))
        return QueryError(f"the SPARQL server at {self.url} refused the query: {detail or 'HTTP 400'}")

    def _check_published(self) -> None:
        """A clear error, rather than empty answers, when the server does not hold the build's graphs."""
        name = "asserted" if "asserted" in self.graphs else next(iter(self.graphs))
        iri = self.graphs[name]
        answer = self._ask(f"ASK {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}", [], None)
        if answer.kind != "ask":
            raise RemoteError(f"the server at {self.url} answered an ASK query without a boolean")
        if not answer.boolean:
            raise RemoteError(
                f"the SPARQL server at {self.url} holds nothing in the build's {name} graph <{iri}>: "
                "publish the build there first (kg publish --to URL), or give the base IRI it was built "
                "with (--base-iri)"
            )

    def close(self) -> None:
        """Nothing to close: every query is its own HTTP request."""
