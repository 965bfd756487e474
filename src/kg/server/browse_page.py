"""Browsing the documents by facet: /documents (the page) and /api/documents (JSON, CSV, XLSX)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from kg.catalogue import FACETS, PAGE_SIZE, SORTS, Page, toggled
from kg.server.api import TABLE_TYPES, choose_format, knowledge_graph, table_download
from kg.server.classes import Classes
from kg.server.templating import render

router = APIRouter()
FacetValues = Annotated[list[str] | None, Query()]
HEADINGS = ["代碼 Code", "名稱 Title", "類別 Kind", "級別 Level", "工作任務 Tasks"] + [
    f"{f.zh} {f.en}" for f in FACETS if f.name not in ("kind", "level")
]


@dataclass
class Listing(Classes):
    """What a listing asks for: facet values (each repeatable: the classes, the kind and the
    level), the sort, the page and its size."""

    kind: FacetValues = None
    level: FacetValues = None
    sort: str = "code"
    page: int = 1
    size: int = PAGE_SIZE

    def browse(self, request: Request) -> Page:
        catalogue = knowledge_graph(request).catalogue()
        return catalogue.browse(self.chosen(), sort=self.sort, page=self.page, size=self.size)


@router.get("/documents", response_class=HTMLResponse)
def documents_page(request: Request, listing: Annotated[Listing, Depends()]) -> HTMLResponse:
    """Every document, narrowed by facet values, sorted and paged."""
    found = listing.browse(request)
    return render(
        request,
        "documents.html",
        found=found,
        facets=FACETS,
        sorts=SORTS,
        link=_linker(found),
        downloads={
            fmt: "/api/documents?"
            + urlencode([*_params(found.chosen, found.sort, found.size), ("format", fmt)])
            for fmt in ("csv", "xlsx", "json")
        },
    )


@router.get("/api/documents")
def documents_api(
    request: Request,
    listing: Annotated[Listing, Depends()],
    fmt: Annotated[str, Query(alias="format", description="json (default), csv or xlsx.")] = "json",
) -> Response:
    """The documents the facet values leave: one page as JSON with the facets' counts, or every
    one of them as CSV or XLSX (the page's download)."""
    choose_format(fmt, "json", *TABLE_TYPES)
    if fmt == "json":
        found = listing.browse(request)
        body = {
            "total": found.total,
            "page": found.page,
            "pages": found.pages,
            "documents": [e.row() for e in found.entries],
            "facets": {
                name: [{"value": v.value, "count": v.count, "chosen": v.chosen} for v in values]
                for name, values in found.counts.items()
            },
        }
        return Response(_json(body), media_type="application/json")
    import pandas

    every = knowledge_graph(request).catalogue().every(listing.chosen(), listing.sort)
    frame = pandas.DataFrame([_cells(e.row()) for e in every], columns=HEADINGS)
    return table_download(frame, fmt, "documents")


def _cells(row: dict[str, Any]) -> list[object]:
    listed = ["domain", "category", "occupation", "industry"]
    level = row["level"] if row["level"] is not None else ""
    return [row["code"], row["title"], row["kind"], level, row["tasks"], *("; ".join(row[n]) for n in listed)]


def _json(body: dict[str, Any]) -> bytes:
    import json

    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def _params(chosen: dict[str, list[str]], sort: str, size: int, page: int = 1) -> list[tuple[str, object]]:
    """A listing's query parameters, defaults left out."""
    params: list[tuple[str, object]] = [(n, v) for n, values in chosen.items() for v in values]
    params += [("sort", sort)] if sort != "code" else []
    params += [("size", size)] if size != PAGE_SIZE else []
    params += [("page", page)] if page > 1 else []
    return params


def _linker(found: Page) -> Any:
    """The links the page draws: a facet value toggled on or off (back to page 1), another page."""

    def link(facet: str | None = None, value: str | None = None, page: int = 1) -> str:
        chosen = toggled(found.chosen, facet, value) if facet and value else found.chosen
        params = _params(chosen, found.sort, found.size, page)
        return "/documents" + ("?" + urlencode(params) if params else "")

    return link
