"""The overlap page: the document x document matrix, and one pair's corresponding items."""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from kg.errors import KgError, document_code
from kg.knowledge_graph import KnowledgeGraph, NotFound
from kg.mapping.display import DEFAULT_PAIR_RELATION, MEANINGFUL_SHARE, WEAK_RELATIONS, shows_closest_task
from kg.mapping.model import RELATIONS, as_relation
from kg.mapping.shares import most_overlapping, partners, square, strongest_pairs
from kg.search.items import searchable_kinds
from kg.server.api import MAX_CODE, knowledge_graph
from kg.server.errors import status_of
from kg.server.templating import render

router = APIRouter()

MATRIX_DOCUMENTS = 40  # documents a matrix draws; a larger build shows those that overlap most
COVERAGE_ROWS = 100  # incorporated units listed, most covered first; the API gives them all
MAX_CHOSEN = 200  # documents one may pick for a matrix
STRONGEST_PAIRS = 15  # document pairs listed under the matrix


@router.get("/overlap", response_class=HTMLResponse)
def overlap_page(
    request: Request,
    a: Annotated[str, Query(max_length=MAX_CODE)] = "",
    b: Annotated[str, Query(max_length=MAX_CODE)] = "",
    min_relation: Annotated[str, Query(alias="min-relation", max_length=20)] = "",
    kind: Annotated[str, Query(max_length=20)] = "",
    document: Annotated[list[str] | None, Query()] = None,
) -> HTMLResponse:
    """The matrix of the build (`document` picks its documents), or with `a` and `b` one pair."""
    graph = knowledge_graph(request)
    context: dict[str, Any] = {
        "form": {"a": a, "b": b, "min_relation": min_relation, "kind": kind},
        "relations": RELATIONS,
        "item_kinds": searchable_kinds(),
        "documents": {},
        "error": None,
    }
    status = 200
    try:
        if a or b:
            context["documents"] = graph.parsed  # the form lists every document
            context |= _pair(graph, a, b, min_relation or DEFAULT_PAIR_RELATION, kind)
        else:
            context |= _matrix(graph, min_relation or "close", document or [])
    except KgError as exc:
        context["error"], status = str(exc), status_of(exc)
    template = "overlap_pair.html" if a or b else "overlap.html"
    return render(request, template, status_code=status, **context)


def _pair(graph: KnowledgeGraph, a: str, b: str, min_relation: str, kind: str) -> dict[str, Any]:
    if not (a and b):
        raise KgError("give two documents, a and b, to compare")
    found = graph.overlap(a, b, min_relation=as_relation(min_relation), kinds=(kind,) if kind else ())
    return {
        "overlap": found,
        "counts": [(r, n) for r in RELATIONS if (n := Counter(m.relation for m in found.pairs)[r])],
        "a_document": graph.parsed[a],
        "b_document": graph.parsed[b],
        "show_closest": shows_closest_task(found.incorporation),
        "meaningful_share": MEANINGFUL_SHARE,
        "weak_relations": WEAK_RELATIONS,
    }


def _matrix(graph: KnowledgeGraph, min_relation: str, chosen: list[str]) -> dict[str, Any]:
    if len(chosen) > MAX_CHOSEN:
        raise KgError(f"document: pick at most {MAX_CHOSEN} documents for one matrix, not {len(chosen)}")
    # The mapping files' list of documents (code, kind, title): the parsed documents, far
    # larger, are not read for the matrix.
    documents = graph.stored_mappings.meta["documents"]
    for code in chosen:
        if len(code) > MAX_CODE:
            raise KgError(f"document: a document code has at most {MAX_CODE} characters, not {len(code)}")
    chosen = [document_code(code, documents, error=NotFound) for code in chosen]
    found = graph.pair_shares(min_relation=as_relation(min_relation))
    codes = sorted(documents)
    shown = list(dict.fromkeys(chosen)) or most_overlapping(found, codes, MATRIX_DOCUMENTS)
    coverage = graph.coverage(incorporated_only=True)
    return {
        "documents": documents,
        "matrix": square(found, shown).to_dict(orient="index"),  # row -> column -> share, as floats
        "shown": shown,
        "total": len(codes),
        "chosen": bool(chosen),
        "min_relation": min_relation,
        "strongest": strongest_pairs(found, codes, STRONGEST_PAIRS),
        "coverage": coverage.head(COVERAGE_ROWS).to_dict(orient="records"),
        "coverage_total": len(coverage),
    }


def document_overlaps(graph: KnowledgeGraph, code: str, limit: int = 10) -> dict[str, Any] | None:
    """What a document page shows of overlap: the documents it shares most with (close or
    stronger, both ways) and its incorporations; None for a build without mappings."""
    try:
        found = partners(graph.pair_shares(min_relation="close"), code).head(limit)
        coverage = graph.coverage(incorporated_only=True)
    except KgError:
        return None
    others = [
        {"document": other, "title": graph.parsed[other]["title"], "share": share, "back": back}
        for other, share, back in found.itertuples(index=False)
    ]
    mine = coverage[(coverage["unit"] == code) | (coverage["standard"] == code)]
    return {"others": others, "incorporations": mine.to_dict(orient="records")}
