"""The JSON API: `/api/search` and `/api/overlap`, the JSON of `kg search` and `kg overlap`, same options;
`/api/export`, the files of `kg export`."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from kg.errors import KgError
from kg.export import FORMATS as EXPORT_FORMATS
from kg.export import export_format
from kg.knowledge_graph import KnowledgeGraph
from kg.mapping.display import DEFAULT_PAIR_RELATION
from kg.mapping.model import as_relation
from kg.mapping.overlap import coverage_json, matrix_json
from kg.mapping.sssom import sssom_text
from kg.search.engine import Filters, as_grouping, as_mode
from kg.search.results import SearchResults
from kg.server.classes import Classes
from kg.workbooks import XLSX_MEDIA_TYPE, cell_text

if TYPE_CHECKING:
    import pandas

router = APIRouter()
# The table downloads (`format=`) every route with a table offers beside its JSON.
TABLE_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": XLSX_MEDIA_TYPE,
}


def knowledge_graph(request: Request) -> KnowledgeGraph:
    """The app's open graph: the live build, loaded once and shared by every request."""
    graph: KnowledgeGraph = request.app.state.graph
    return graph


MAX_TOP = 100


def run_search(
    request: Request,
    q: str,
    *,
    mode: str = "hybrid",
    by: str = "document",
    top: int = 10,
    kind: list[str] | None = None,
    document_kind: list[str] | None = None,
    document: list[str] | None = None,
    level: list[int] | None = None,
    ignore: list[str] | None = None,
    literal: bool = False,
    classes: dict[str, list[str]] | None = None,
) -> SearchResults:
    """Search the live build (what the API and the search page share).

    ignore: parts of the question's reading to drop (the page's chips); literal: no reading at all;
    classes: only the documents filed under these values of the browse facets (`kg.catalogue`).
    """
    graph = knowledge_graph(request)
    documents = list(document or [])
    if classes and any(classes.values()):
        filed = graph.catalogue().codes(classes)
        asked = set(documents)
        documents = [c for c in filed if c in asked] if asked else filed
        if not documents:  # no document is filed so: no answer (an empty filter would allow any)
            return SearchResults(q, as_mode(mode), as_grouping(by), [])
    filters = Filters(
        item_kinds=tuple(kind or ()),
        document_kinds=tuple(document_kind or ()),
        documents=tuple(documents),
        levels=tuple(level or ()),
    )
    return graph.find(
        q,
        mode=as_mode(mode),
        by=as_grouping(by),
        top=top,
        filters=filters,
        understand=not literal,
        ignore=tuple(ignore or ()),
    )


@router.get("/api/search")
def search(
    request: Request,
    q: Annotated[str, Query(description="A question or keywords, in Chinese or English.")],
    classes: Annotated[Classes, Depends()],
    mode: Annotated[str, Query(description="hybrid, dense or lexical.")] = "hybrid",
    by: Annotated[str, Query(description="document (grouped, with evidence) or item.")] = "document",
    top: Annotated[int, Query(ge=1, le=MAX_TOP, description="How many documents or items.")] = 10,
    kind: Annotated[list[str] | None, Query(description="Only items of this kind; repeatable.")] = None,
    document_kind: Annotated[
        list[str] | None, Query(alias="document-kind", description="standard or unit; repeatable.")
    ] = None,
    document: Annotated[list[str] | None, Query(description="Only this document (code); repeatable.")] = None,
    level: Annotated[
        list[int] | None, Query(description="Only items at this level (1-6); repeatable.")
    ] = None,
    ignore: Annotated[
        list[str] | None,
        Query(
            description="Drop a part of what the question was read to ask for: document_kinds, "
            "item_kinds, levels, documents, occupations or industries; repeatable."
        ),
    ] = None,
    literal: Annotated[
        bool, Query(description="Search the words only: read no kinds, levels or codes in the question.")
    ] = False,
    fmt: Annotated[str, Query(alias="format", description="json (the default), csv or xlsx.")] = "json",
) -> Any:
    """Documents (or items) that answer a question, best first: `kg search --json`'s JSON, or
    as CSV or XLSX a row per piece of evidence (`SearchResults.to_dataframe`). The classification
    values are those of /documents (`kg.catalogue`), as "name (code)"."""
    choose_format(fmt, "json", *TABLE_TYPES)
    results = run_search(
        request,
        q,
        mode=mode,
        by=by,
        top=top,
        kind=kind,
        document_kind=document_kind,
        document=document,
        level=level,
        ignore=ignore,
        literal=literal,
        classes=classes.chosen(),
    )
    if fmt != "json":
        return table_download(results.to_dataframe(), fmt, "search")
    return results.to_dict()


MAX_CODE = 200  # characters in a document code; longer is not a code


@router.get("/api/overlap")
def overlap(
    request: Request,
    a: Annotated[str, Query(max_length=MAX_CODE, description="A document's code, e.g. KMM5R0915v2.")],
    b: Annotated[str, Query(max_length=MAX_CODE, description="Another document's code, e.g. BAS1499-003.")],
    min_relation: Annotated[
        str,
        Query(
            alias="min-relation",
            description="Weakest relation to keep: exact, close (the default) or related "
            "(weak pairs, on request).",
        ),
    ] = DEFAULT_PAIR_RELATION,
    kind: Annotated[list[str] | None, Query(description="Only pairs of this item kind; repeatable.")] = None,
    fmt: Annotated[
        str, Query(alias="format", description="json (the default), sssom, csv or xlsx.")
    ] = "json",
) -> Any:
    """The corresponding items of two documents, best first: `kg overlap A B --json`'s JSON, or
    the pairs as an SSSOM table, or as a CSV or XLSX table (`Overlap.to_dataframe`)."""
    choose_format(fmt, "json", "sssom", *TABLE_TYPES)
    graph = knowledge_graph(request)
    found = graph.overlap(a, b, min_relation=as_relation(min_relation), kinds=tuple(kind or ()))
    if fmt == "sssom":
        text = sssom_text(found.pairs, graph.iris.base, graph.material.embedder)
        headers = {
            "Content-Disposition": f'attachment; filename="{quote(found.a)}-{quote(found.b)}.sssom.tsv"'
        }
        return Response(
            text.encode("utf-8"), media_type="text/tab-separated-values; charset=utf-8", headers=headers
        )
    if fmt != "json":
        return table_download(found.to_dataframe(), fmt, f"{quote(found.a)}-{quote(found.b)}")
    return found.to_dict()


@router.get("/api/overlap/matrix")
def overlap_matrix(
    request: Request,
    min_relation: Annotated[
        str, Query(alias="min-relation", description="Weakest relation counted: exact, close or related.")
    ] = "close",
    fmt: Annotated[str, Query(alias="format", description="json (the default), csv or xlsx.")] = "json",
) -> Any:
    """Per row document, the share of its items that match the column's: `kg overlap --matrix --json`,
    or the matrix as a table (a row per document)."""
    choose_format(fmt, "json", *TABLE_TYPES)
    matrix = knowledge_graph(request).matrix(min_relation=as_relation(min_relation))
    if fmt != "json":
        return table_download(matrix.rename_axis("document"), fmt, "overlap-matrix", index=True)
    return matrix_json(matrix)


@router.get("/api/overlap/coverage")
def overlap_coverage(
    request: Request,
    incorporated: Annotated[
        bool, Query(description="Only the units a standard incorporates (most of the unit inside one task).")
    ] = False,
    fmt: Annotated[str, Query(alias="format", description="json (the default), csv or xlsx.")] = "json",
) -> Any:
    """For each unit and standard, the task covering most of the unit: `kg overlap --coverage --json`,
    or as a table."""
    choose_format(fmt, "json", *TABLE_TYPES)
    coverage = knowledge_graph(request).coverage(incorporated_only=incorporated)
    if fmt != "json":
        return table_download(coverage, fmt, "unit-coverage")
    return coverage_json(coverage)


def choose_format(fmt: str, *choices: str) -> str:
    """A route's `format=`, when it is one of `choices`; a KgError (a 400) naming them otherwise."""
    if fmt not in choices:
        raise KgError(f"unknown format {fmt!r}; choose one of: {', '.join(choices)}")
    return fmt


def table_download(frame: pandas.DataFrame, fmt: str, name: str, index: bool = False) -> Response:
    """A table as a CSV (UTF-8 with a BOM, for Excel) or XLSX download (`fmt`, one of TABLE_TYPES)."""
    if fmt == "csv":
        data = frame.to_csv(index=index).encode("utf-8-sig")
    else:
        out = io.BytesIO()
        frame.map(lambda v: cell_text(v) if isinstance(v, str) else v).to_excel(
            out, index=index, engine="openpyxl"
        )
        data = out.getvalue()
    headers = {"Content-Disposition": f'attachment; filename="{name}.{fmt}"'}
    return Response(data, media_type=TABLE_TYPES[fmt], headers=headers)


@router.get("/api/export")
def export(
    request: Request,
    document: Annotated[
        list[str] | None,
        Query(description="A document's code (any letter case); repeatable; none: all."),
    ] = None,
    fmt: Annotated[
        str, Query(alias="format", description=f"One of {', '.join(EXPORT_FORMATS)} (default case).")
    ] = "case",
) -> Response:
    """Documents as CASE, CTDL-ASN, JSON-LD, Turtle, CSV or XLSX: `kg export`'s files, as downloads."""
    chosen = export_format(fmt)
    for code in document or []:
        if len(code) > MAX_CODE:
            raise KgError(f"document: a document code has at most {MAX_CODE} characters, not {len(code)}")
    data = knowledge_graph(request).export(document or [], chosen.name)
    name = "-".join(document or ["icap"])[:100] if len(document or []) <= 3 else "icap"
    headers = {"Content-Disposition": f'attachment; filename="{quote(name)}{chosen.suffix}"'}
    media = chosen.media_type + ("; charset=utf-8" if chosen.name != "xlsx" else "")
    return Response(data, media_type=media, headers=headers)
