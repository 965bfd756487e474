"""Linked data: the build's IRIs resolve here when its base IRI points at this server.

Build with `kg build --base-iri http://127.0.0.1:8000/id/` and serve on that port:
`GET /id/BAS1499-003/P4.3.1` answers with the item's page for a browser, or its
triples (everything it says, everything that points at it) as Turtle, N-Triples,
JSON-LD or RDF/XML by content negotiation. Only the path of the base is matched,
so the same build answers behind any host name.
"""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from rdflib import RDFS, SKOS, Literal, URIRef
from starlette.concurrency import run_in_threadpool

from kg.catalogue import CONCEPT_FACETS, concept_key
from kg.graph.vocabulary import KG
from kg.knowledge_graph import KnowledgeGraph, NotFound
from kg.query.formats import media_types, serialize_result, short_names
from kg.server.api import knowledge_graph
from kg.server.errors import HttpError
from kg.server.negotiation import NotAcceptable, by_name, choose
from kg.server.pages import base_path, document_page, item_page, page_links
from kg.server.sparql import run_sparql
from kg.server.templating import render
from kg.store import QueryResult

router = APIRouter()

_SAFE_IRI = re.compile(r"[^\s<>\"{}|\\^`]+")
HTML_TYPES = ("text/html", "application/xhtml+xml")


async def describe(request: Request, iri: str) -> QueryResult:
    """The resource's own triples and those pointing at it, without duplicates."""
    outgoing, incoming = f"<{iri}> ?p ?o", f"?s ?q <{iri}>"
    query = f"CONSTRUCT {{ {outgoing} . {incoming} }} WHERE {{ {{ {outgoing} }} UNION {{ {incoming} }} }}"
    result = await run_sparql(request, query)
    result.triples = list(dict.fromkeys(result.triples))
    return result


def negotiated(request: Request) -> str:
    """The format a resource is asked for: a link's `format=`, else the Accept header; a page
    (html) unless RDF is preferred."""
    offers = {"html": HTML_TYPES} | media_types("graph")
    named = request.query_params.getlist("format")  # a link's choice (the pages' downloads)
    try:
        if named:
            names: dict[str, tuple[str, ...]] = {"html": ("html",), **short_names("graph")}
            return by_name(named, names, offers)
        return choose(request.headers.get("accept"), offers, "html")
    except NotAcceptable:
        offered = ", ".join(types[0] for types in offers.values())
        raise HttpError(406, f"a resource is offered as {offered}") from None


async def described(request: Request, graph: KnowledgeGraph, iri: str, fmt: str) -> Response:
    """What the build says of an IRI and what points at it: a page of triples, or RDF."""
    result = await describe(request, iri)
    if not result.triples:
        raise NotFound(f"no resource <{iri}> in this build")
    if fmt == "html":
        return render(
            request,
            "resource.html",
            iri=iri,
            title=label(result, iri),
            triples=result.triples,
            page_of=page_links(graph),
            browse=concept_browse(graph, iri),
        )
    body = serialize_result(result, fmt)
    return Response(body, media_type=f"{media_types('graph')[fmt][0]}; charset=utf-8")


LABELS = (SKOS.prefLabel, RDFS.label, KG.title, KG.name)  # what names a resource, in that order


def label(result: QueryResult, iri: str) -> str | None:
    """What the resource is called (its label, title or name; in Chinese when it has one), for
    the page's heading."""
    subject = URIRef(iri)
    named = [(p, o) for s, p, o in result.triples if s == subject and p in LABELS and isinstance(o, Literal)]
    named.sort(key=lambda po: (LABELS.index(po[0]), not (po[1].language or "").startswith("zh")))
    return str(named[0][1]) if named else None


def concept_browse(graph: KnowledgeGraph, iri: str) -> str | None:
    """For a classification concept of ours (a 職業別, say), /documents narrowed to it: the facet
    values minted as this IRI (one code may come with differently written names)."""
    if not iri.startswith(graph.iris.base):
        return None
    facet = iri[len(graph.iris.base) :].split("/", 1)[0]
    if facet not in CONCEPT_FACETS:
        return None
    minted = [
        v
        for v in graph.catalogue().values(facet)
        if str(graph.iris.concept(facet, concept_key(facet, v))) == iri
    ]
    return "/documents?" + urlencode([(facet, v) for v in minted]) if minted else None


async def resolve(request: Request, graph: KnowledgeGraph, path: str) -> Response:
    """An IRI under the base: an HTML page or RDF, as the client prefers."""
    local = path[len(base_path(graph)) :]
    iri = graph.iris.base + local
    if not local or not _SAFE_IRI.fullmatch(iri):
        raise NotFound(f"no resource at {path}")
    fmt = negotiated(request)
    parts = local.split("/")
    # The pages are built in the thread pool, as their own routes are: an item page searches,
    # and nothing may hold up the event loop.
    if fmt == "html" and len(parts) == 1 and parts[0] in graph.parsed:
        response: Response = await run_in_threadpool(document_page, request, parts[0])
    elif fmt == "html" and len(parts) == 2 and parts[0] in graph.parsed and parts[1] in graph.items(parts[0]):
        response = await run_in_threadpool(item_page, request, parts[0], parts[1])
    else:
        response = await described(request, graph, iri, fmt)
    response.headers["Vary"] = "Accept"
    return response


@router.get("/resource")
async def resource(
    request: Request, iri: Annotated[str, Query(description="An IRI the build mentions.")] = ""
) -> Response:
    """Any IRI the build mentions, the ontology's terms above all (their namespace is not under the
    base, so no path of this server is theirs): its triples as a page, or RDF by `format=`/Accept."""
    if not iri.strip():
        raise HttpError(400, "missing the iri parameter: /resource?iri=https://…")
    if not _SAFE_IRI.fullmatch(iri):
        raise HttpError(400, f"not an IRI: {iri[:200]!r}")
    response = await described(request, knowledge_graph(request), iri, negotiated(request))
    response.headers["Vary"] = "Accept"
    return response


@router.get("/{path:path}")
async def linked_data(request: Request, path: str) -> Response:
    """Any other path: an IRI of the build when it lies under the base's path, else 404."""
    graph = knowledge_graph(request)
    raw = request.scope.get("raw_path", b"").decode("latin-1") or request.url.path
    if not raw.startswith(base_path(graph)):
        raise NotFound(f"no page at {request.url.path}")
    return await resolve(request, graph, raw)
