"""`/sparql`: the SPARQL 1.1 Protocol endpoint (query only), with content negotiation.

GET `?query=`, POST form-encoded (`query=`) or POST `application/sparql-query`.
Updates (`update=`, `application/sparql-update`, or an INSERT/DELETE/... query) get
403. Results: SPARQL JSON (default), XML, CSV, TSV or an XLSX workbook for SELECT/ASK; Turtle
(default), N-Triples, JSON-LD or RDF/XML for CONSTRUCT/DESCRIBE; by the Accept header
or a `format` (also `output`, `results`) parameter, as SPARQLWrapper sends them.
"""

from __future__ import annotations

from functools import partial
from urllib.parse import parse_qs, urlencode

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from kg.query.errors import UpdateRefused
from kg.query.formats import FORMS, media_types, serialize_result, short_names
from kg.query.guard import MAX_QUERY_CHARS
from kg.server.api import knowledge_graph
from kg.server.errors import HttpError
from kg.server.negotiation import NotAcceptable, by_name, choose, parse_accept
from kg.server.workers import SERVER_HINTS
from kg.store import QueryResult

router = APIRouter()

Params = dict[str, list[str]]
FORMAT_PARAMETERS = ("format", "output", "results")
READ_ONLY = "this endpoint is read-only: SPARQL updates are not accepted"


async def run_sparql(request: Request, sparql: str, graph: str = "all") -> QueryResult:
    """Run a query in the worker pool (off the event loop), within the time and size limits.

    A query that must not run (too long, too deep, SERVICE, an update) is refused by
    `KnowledgeGraph.query` before it takes a worker; an update is a 403.
    """
    job = partial(knowledge_graph(request).query, sparql, graph=graph, hints=SERVER_HINTS)
    try:
        return await anyio.to_thread.run_sync(job, limiter=request.app.state.query_limiter)
    except UpdateRefused as exc:
        raise HttpError(403, f"SPARQL updates ({exc.keyword}) are not allowed: {READ_ONLY}") from None


def graph_of(request: Request, params: Params) -> str:
    """The graph to query: all (the union), or the named graph a default-graph-uri names."""
    if params.get("named-graph-uri"):
        raise HttpError(400, "named-graph-uri is not supported: use GRAPH <…> inside the query")
    wanted = params.get("default-graph-uri", [])
    if not wanted:
        return "all"
    graphs = knowledge_graph(request).graphs
    if len(wanted) > 1 or wanted[0] not in graphs.values():
        raise HttpError(
            400, "default-graph-uri must be one of the build's graphs: " + ", ".join(sorted(graphs.values()))
        )
    return next(name for name, iri in graphs.items() if iri == wanted[0])


def negotiate(result: QueryResult, params: Params, accept: str | None) -> tuple[str, str]:
    """(format name, media type) for a result, from a format parameter or the Accept header."""
    types = media_types(result.kind)
    asked = [value for key in FORMAT_PARAMETERS for value in params.get(key, []) if value]
    try:
        if asked:
            fmt = by_name(asked, short_names(result.kind), types)
        else:
            fmt = choose(accept, types, next(iter(types)))
    except NotAcceptable:
        offered = ", ".join(f"{name} ({kinds[0]})" for name, kinds in types.items())
        raise HttpError(406, f"{FORMS[result.kind]} results are offered as {offered}") from None
    return fmt, types[fmt][0]


async def answer(request: Request, sparql: str, params: Params) -> Response:
    result = await run_sparql(request, sparql, graph_of(request, params))
    fmt, media_type = negotiate(result, params, request.headers.get("accept"))
    body = serialize_result(result, fmt)
    if isinstance(body, bytes):  # a workbook: a download, not text
        headers = {"Vary": "Accept", "Content-Disposition": f'attachment; filename="result.{fmt}"'}
        return Response(body, media_type=media_type, headers=headers)
    return Response(body, media_type=f"{media_type}; charset=utf-8", headers={"Vary": "Accept"})


def _one_query(params: Params) -> str | None:
    if params.get("update"):
        raise HttpError(403, READ_ONLY)
    queries = params.get("query", [])
    if len(queries) > 1:
        raise HttpError(400, "give one query parameter, not several")
    return queries[0] if queries else None


@router.get("/sparql")
async def sparql_get(request: Request) -> Response:
    params: Params = {key: request.query_params.getlist(key) for key in request.query_params}
    query = _one_query(params)
    best = [media for media, _ in parse_accept(request.headers.get("accept"))][:1]
    if best == ["text/html"] and not any(params.get(key) for key in FORMAT_PARAMETERS):
        # A browser: the query page shows the same query with its results as a table.
        page = {"query": query} if query is not None else {}
        return RedirectResponse("/query" + (f"?{urlencode(page)}" if page else ""), status_code=303)
    if query is None:
        raise HttpError(400, "missing the query parameter: /sparql?query=SELECT …")
    return await answer(request, query, params)


@router.post("/sparql")
async def sparql_post(request: Request) -> Response:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    declared = request.headers.get("content-length", "0")
    if declared.isdigit() and int(declared) > MAX_QUERY_CHARS * 4:
        raise HttpError(413, f"the request body is too large: {int(declared):,} bytes")
    if content_type == "application/sparql-update":
        raise HttpError(403, READ_ONLY)
    body = await request.body()
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise HttpError(400, "the request body is not UTF-8 text") from None
    params: Params = {key: request.query_params.getlist(key) for key in request.query_params}
    if content_type == "application/x-www-form-urlencoded":
        params |= parse_qs(text, keep_blank_values=True)
        query = _one_query(params)
        if query is None:
            raise HttpError(400, "missing the query parameter in the form")
    elif content_type == "application/sparql-query":
        query = text
    else:
        raise HttpError(
            415,
            f"POST a query as application/x-www-form-urlencoded (query=…) or application/sparql-query, "
            f"not {content_type or 'a body without a Content-Type'}",
        )
    return await answer(request, query, params)
