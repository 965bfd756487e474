"""The HTML pages: home, search, SPARQL query, document and item."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from typing import Annotated, Any, cast
from urllib.parse import quote, urlencode, urlsplit

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from rdflib import URIRef
from starlette.concurrency import run_in_threadpool

from kg.catalogue import FACETS, toggled
from kg.errors import KgError
from kg.graph.vocabulary import KG, PREFIXES
from kg.knowledge_graph import KnowledgeGraph
from kg.query.formats import media_types
from kg.query.named import named_queries
from kg.search.engine import MODES
from kg.search.items import document_kind_names, searchable_kinds
from kg.search.results import DocumentHit, SearchResults
from kg.server.api import MAX_TOP, knowledge_graph, run_search
from kg.server.classes import Classes
from kg.server.errors import status_of
from kg.server.highlight import query_terms
from kg.server.overlap_page import document_overlaps
from kg.server.sparql import run_sparql
from kg.server.templating import compact, render
from kg.store import GRAPH_NAMES, QueryResult

router = APIRouter()

SHOWN_ROWS = 500  # rows of a query result drawn as a table a page; the downloads carry all


def base_path(graph: KnowledgeGraph) -> str:
    """The path part of the build's base IRI (`/id/` for http://127.0.0.1:8000/id/): where the
    server answers the build's IRIs (`kg.server.linked_data`)."""
    return urlsplit(graph.iris.base).path or "/"


def local_path(graph: KnowledgeGraph, iri: str) -> str:
    """Where this server answers one of the build's IRIs: its path here, whatever host the base
    IRI names (w3id.org does not redirect to a local server)."""
    return base_path(graph) + iri[len(graph.iris.base) :]


def page_links(graph: KnowledgeGraph) -> Callable[[str], str | None]:
    """`page_of(iri)`: where this server shows one of the build's own IRIs (a document's or an
    item's page, any other IRI under the base at its local path, an ontology term at /resource),
    or None for an IRI of somebody else's.

    The live build is read once, here: a result table asks for a link in each of its cells.
    """
    base, documents = graph.iris.base, graph.parsed
    items: dict[str, Collection[str]] = {}

    def page_of(iri: str) -> str | None:
        if iri.startswith(str(KG)) or iri == str(KG).rstrip("#"):  # the ontology and its terms
            return "/resource?" + urlencode({"iri": iri})
        if not iri.startswith(base):
            return None
        parts = iri[len(base) :].split("/")
        if len(parts) == 1 and parts[0] in documents:
            return "/document/" + quote(parts[0])
        if len(parts) == 2 and parts[0] in documents:
            if parts[0] not in items:
                items[parts[0]] = graph.items(parts[0])
            if parts[1] in items[parts[0]]:
                return f"/document/{quote(parts[0])}/{quote(parts[1])}"
        return local_path(graph, iri)  # answered by kg.server.linked_data

    return page_of


HOME_DOCUMENTS = 20  # listed on the home page; the browse page has them all


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    graph = knowledge_graph(request)
    found = graph.catalogue().browse(size=HOME_DOCUMENTS)
    return render(request, "home.html", found=found, graph=graph, examples=EXAMPLES)


EXAMPLES = ("哪些單元涵蓋客訴處理", "新人訓練", "客服KPI", "how to deal with angry customers")


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    classes: Annotated[Classes, Depends()],
    q: str = "",
    mode: str = "hybrid",
    top: Annotated[int, Query(ge=1, le=MAX_TOP)] = 10,
    kind: str = "",
    document_kind: Annotated[str, Query(alias="document-kind")] = "",
    level: str = "",
    ignore: Annotated[list[str] | None, Query()] = None,
    page: Annotated[int, Query(ge=1)] = 1,
) -> HTMLResponse:
    """Documents that answer a question, each with its evidence, the question's words marked.

    What the question was read to ask for shows as chips; a chip's link searches again
    without that part (`ignore=`), which the form then keeps. Classification facets (as on
    /documents) narrow the answer to the documents filed under the values chosen; their
    counts are of the best `FACET_DEPTH` documents for the question. Pages of `top` documents.
    """
    form: dict[str, Any] = {
        "q": q,
        "mode": mode,
        "top": top,
        "kind": kind,
        "document_kind": document_kind,
        "level": level,
        "ignore": list(ignore or []),
        "classes": classes.chosen(),
        "page": page,
    }
    context: dict[str, Any] = {
        "form": form,
        "modes": MODES,
        "item_kinds": searchable_kinds(),
        "document_kinds": document_kind_names(),
        "results": None,
        "error": None,
        "terms": (),
        "chips": [],
        "facets": [f for f in FACETS if f.name in SEARCH_FACETS],
        "counts": {},
        "more": False,
        "link": _search_linker(form),
        "api_link": _search_api_linker(form),
        "facet_depth": FACET_DEPTH,
    }
    status = 200
    if q.strip():
        try:
            levels = [int(level)] if level else []
        except ValueError:
            levels = []
            context["error"] = f"level must be a whole number from 1 to 6, not {level!r}"
            status = 400
        if not context["error"]:
            try:
                context.update(_faceted_search(request, form, levels))
            except KgError as exc:
                context["error"], status = str(exc), status_of(exc)
    return render(request, "search.html", status_code=status, **context)


def _faceted_search(request: Request, form: dict[str, Any], levels: list[int]) -> dict[str, Any]:
    """The search page's answer: one page of documents, narrowed to the classes chosen, and the
    classes of the question's best `FACET_DEPTH` documents, counted."""
    top, page = form["top"], form["page"]
    if page > 1 and top * page > MAX_SEARCH_DEPTH:
        raise KgError(f"page {page} of {top} documents is past the {MAX_SEARCH_DEPTH} best documents")
    catalogue = knowledge_graph(request).catalogue()
    found = run_search(
        request,
        form["q"],
        mode=form["mode"],
        top=min(max(FACET_DEPTH, top * page), MAX_SEARCH_DEPTH),
        kind=[form["kind"]] if form["kind"] else None,
        document_kind=[form["document_kind"]] if form["document_kind"] else None,
        level=levels,
        ignore=form["ignore"],
        classes=form["classes"],
    )
    hits = cast(list[DocumentHit], found.results)  # the page groups by document
    found.results = hits[(page - 1) * top : page * top]
    answer = {
        "results": found,
        "counts": catalogue.value_counts(
            [hit.document for hit in hits[:FACET_DEPTH]], SEARCH_FACETS, form["classes"]
        ),
        "more": len(hits) > top * page,
        "chips": understood_chips(request, found),
        "terms": query_terms(" ".join(form["q"].split())),
    }
    if not hits and form["classes"] and not catalogue.codes(form["classes"]):  # asked only then
        # the facets still show the choices, so they can be taken back
        answer["error"] = "沒有文件屬於所選的分類 no document is filed under the classes chosen"
    return answer


SEARCH_FACETS = ("domain", "category", "occupation", "industry")  # the form has kind and level
FACET_DEPTH = 100  # the best documents for a question whose classification the facets count
MAX_SEARCH_DEPTH = 500  # documents a question's pages reach


def _form_params(form: dict[str, Any], classes: dict[str, list[str]]) -> list[tuple[str, object]]:
    """The search form as query parameters, defaults left out: what the page's links and its
    downloads ask again."""
    asked = {"mode": form["mode"] if form["mode"] != "hybrid" else "", "kind": form["kind"]}
    asked |= {"document-kind": form["document_kind"], "level": form["level"]}
    params: list[tuple[str, object]] = [("q", form["q"])]
    params += [(name, value) for name, value in asked.items() if value]
    params += [("ignore", part) for part in form["ignore"]]
    return params + [(name, v) for name, values in classes.items() for v in values]


def _search_linker(form: dict[str, Any]) -> Callable[..., str]:
    """Links of the search page: a classification value toggled (back to page 1), or another page."""

    def link(facet: str | None = None, value: str | None = None, page: int = 1) -> str:
        classes = toggled(form["classes"], facet, value) if facet and value else form["classes"]
        params = _form_params(form, classes)
        params += [("top", form["top"])] if form["top"] != 10 else []
        params += [("page", page)] if page > 1 else []
        return "/search?" + urlencode(params)

    return link


def _search_api_linker(form: dict[str, Any]) -> Callable[[str], str]:
    """The page's answer from /api/search, in a format (the page's downloads)."""

    def link(fmt: str) -> str:
        top = min(form["top"] * form["page"], MAX_TOP)
        params = [*_form_params(form, form["classes"]), ("top", top), ("format", fmt)]
        return "/api/search?" + urlencode(params)

    return link


CHIP_LABELS = {
    "document_kinds": "文件類別 document kind",
    "item_kinds": "優先項目類別 item kind first",
    "levels": "級別 level",
    "documents": "文件 document",
    "occupations": "優先職業別 occupation first",
    "industries": "優先行業別 industry first",
}


def understood_chips(request: Request, results: SearchResults) -> list[dict[str, str]]:
    """One chip per part of the question's reading: its label, its values, and a link without it."""
    chips = []
    for part, values in results.understood.to_dict().items():
        params = [(k, v) for k, v in request.query_params.multi_items()]
        link = "/search?" + urlencode([*params, ("ignore", part)])
        chips.append(
            {"part": part, "label": CHIP_LABELS[part], "value": ", ".join(map(str, values)), "remove": link}
        )
    return chips


@router.get("/query", response_class=HTMLResponse)
async def query_page(
    request: Request,
    query: str | None = None,
    name: str = "",
    graph: str = "all",
    page: Annotated[int, Query(ge=1)] = 1,
) -> HTMLResponse:
    """The SPARQL page: pick a named query or write one; the result as a table, `SHOWN_ROWS` rows a page."""
    queries = named_queries()
    context: dict[str, Any] = {"queries": queries, "name": name, "graph": graph, "graphs": GRAPH_NAMES}
    context |= {"result": None, "error": None, "shown": SHOWN_ROWS, "downloads": {}, "page": page}
    context["prefixes"] = json.dumps(PREFIXES)  # for the editor's completion (static/query.js)
    status = 200
    if name and query is None:
        if name not in queries:
            context["error"], status = f"no named query {name!r}", 404
        else:
            query = queries[name].text
    context["query"] = query or ""
    if query and not context["error"]:
        try:
            context["result"] = await run_sparql(request, query, graph)
        except KgError as exc:
            context["error"], status = str(exc), status_of(exc)
    # Drawing up to SHOWN_ROWS rows takes a while: in the thread pool, never on the event loop.
    return await run_in_threadpool(_query_response, request, context, status)


def _query_response(request: Request, context: dict[str, Any], status: int) -> HTMLResponse:
    """The query page, with the result (if any) as a table and its downloads."""
    result = context["result"]
    if result is not None:
        try:
            opened = knowledge_graph(request)
            total = len(result.triples if result.kind == "graph" else result.rows)
            context["pages"] = max(1, -(-total // SHOWN_ROWS))
            if context["page"] > context["pages"]:
                raise KgError(f"page {context['page']} is past the last page ({context['pages']})")
            context["rows"] = _table(result, opened, context["page"])
            context["page_link"] = _query_page_link(context)
            context["downloads"] = _downloads(result, context["query"], context["graph"], opened)
        except KgError as exc:
            context["error"], status, context["result"] = str(exc), status_of(exc), None
    return render(request, "query.html", status_code=status, **context)


def _query_page_link(context: dict[str, Any]) -> Callable[[int], str]:
    """Another page of the same query's result."""
    params: list[tuple[str, object]] = [("query", context["query"])]
    params += [("graph", context["graph"])] if context["graph"] != "all" else []
    return lambda page: "/query?" + urlencode([*params, ("page", page)])


def _table(result: QueryResult, graph: KnowledgeGraph, page: int = 1) -> list[list[dict[str, Any]]]:
    """One page of result rows as cells {text, href, lang} (href: the local page of a document or item)."""
    shown = slice((page - 1) * SHOWN_ROWS, page * SHOWN_ROWS)
    if result.kind == "graph":
        header = ["subject", "predicate", "object"]
        rows = [dict(zip(header, triple, strict=True)) for triple in result.triples[shown]]
    else:
        header = result.variables
        rows = result.rows[shown]
    page_of = page_links(graph)
    table = []
    for row in rows:
        cells: list[dict[str, str | None]] = []
        for name in header:
            term = row.get(name)
            if term is None:
                cells.append({"text": ""})
                continue
            href = page_of(str(term)) if isinstance(term, URIRef) else None
            cells.append({"text": compact(term), "href": href, "lang": getattr(term, "language", None)})
        table.append(cells)
    return table


def _downloads(result: QueryResult, query: str, graph: str, opened: KnowledgeGraph) -> dict[str, str]:
    names = media_types(result.kind)  # every format the endpoint serves for the result
    extra = {"default-graph-uri": opened.graphs[graph]} if graph != "all" else {}
    return {name: "/sparql?" + urlencode({"query": query, "format": name} | extra) for name in names}


def standard_rows(document: dict[str, Any]) -> list[dict[str, Any]]:
    """A standard's table, one row per activity: the task cell spans its activities, and so
    do level, K and S when the document prints them once per task."""
    rows = []
    for task in document.get("tasks", []):
        activities = task.get("activities") or [{}]
        per_activity = any(a.get("level") or a.get("knowledge") or a.get("skills") for a in activities)
        for number, activity in enumerate(activities):
            row: dict[str, Any] = {"task": task if number == 0 else None, "span": len(activities)}
            row["activity"] = activity
            holder = activity if per_activity else task
            row["shared"] = None if (number and not per_activity) else holder
            row["shared_span"] = 1 if per_activity else len(activities)
            rows.append(row)
    return rows


def document_page(request: Request, code: str, status_code: int = 200) -> HTMLResponse:
    """A document as its table: tasks, activities, outputs, indicators, levels, K and S; then its
    overlap with other documents and K/S/A."""
    graph = knowledge_graph(request)
    document = graph.document(code)
    return render(
        request,
        "document.html",
        status_code=status_code,
        document=document,
        items=graph.items(code),
        rows=standard_rows(document) if document["kind"] == "standard" else [],
        iri=str(graph.iris.document(code)),
        iri_here=local_path(graph, str(graph.iris.document(code))),
        overlaps=document_overlaps(graph, code),
    )


def item_page(request: Request, code: str, item_code: str) -> HTMLResponse:
    """An item: its place in the document, its text and references, its mapped items and its
    nearest items elsewhere."""
    graph = knowledge_graph(request)
    item = graph.item(code, item_code)
    try:
        closest = graph.closest(code, item_code)
    except KgError:
        closest = []  # a build without a search index still shows the item
    try:
        mapped = graph.item_mappings(code, item_code).to_dict(orient="records")
    except KgError:
        mapped = None  # nor one without overlap mappings
    items = graph.items(code)
    children = [other for other in items.values() if other.parents and other.parents[-1].code == item_code]
    parent = item.parents[-1].code if item.parents else None
    siblings = [
        other
        for other in items.values()
        if other.kind == item.kind
        and other.code != item.code
        and (other.parents[-1].code if other.parents else None) == parent
    ]
    needed_by = [  # the tasks and activities that list this knowledge or skill
        other
        for other in items.values()
        if item.code in (getattr(other.record, "knowledge", None) or [])
        or item.code in (getattr(other.record, "skills", None) or [])
    ]
    iri = str(graph.iris.item(item.document.code, item.code))
    local = local_path(graph, iri)
    return render(
        request,
        "item.html",
        item=item,
        entry=item.to_dict(),
        children=children,
        siblings=siblings[:SIBLINGS],
        more_siblings=max(0, len(siblings) - SIBLINGS),
        needed_by=needed_by,
        document=item.document,
        items=items,
        closest=closest,
        mapped=mapped,
        iri=iri,
        iri_here=local,
        downloads={"Turtle": f"{local}?format=turtle", "JSON-LD": f"{local}?format=jsonld"},
    )


SIBLINGS = 12  # of an item's kind under the same parent, listed on its page


@router.get("/document/{code}", response_class=HTMLResponse)
def document_route(request: Request, code: str) -> HTMLResponse:
    return document_page(request, code)


@router.get("/document/{code}/{item_code}", response_class=HTMLResponse)
def item_route(request: Request, code: str, item_code: str) -> HTMLResponse:
    return item_page(request, code, item_code)
