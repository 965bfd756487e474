"""The overlap page: the document x document matrix, and one pair's corresponding items."""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Any

import numpy as np
import pandas
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from kg.errors import KgError, no_such_document
from kg.knowledge_graph import KnowledgeGraph, NotFound
from kg.mapping.display import DEFAULT_PAIR_RELATION, MEANINGFUL_SHARE, WEAK_RELATIONS, shows_closest_task
from kg.mapping.model import RELATIONS, as_relation
from kg.search.items import searchable_kinds
from kg.server.api import MAX_CODE, knowledge_graph
from kg.server.errors import status_of
from kg.server.templating import render

router = APIRouter()

MATRIX_DOCUMENTS = 40  # documents a matrix draws; a larger build shows those that overlap most
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
        if code not in documents:
            raise NotFound(no_such_document(code, documents))
    matrix = graph.matrix(min_relation=as_relation(min_relation))
    shown = list(dict.fromkeys(chosen)) or most_overlapping(matrix, MATRIX_DOCUMENTS)
    coverage = graph.coverage(incorporated_only=True)
    return {
        "documents": documents,
        "matrix": matrix.loc[shown, shown],
        "shown": shown,
        "total": len(matrix),
        "chosen": bool(chosen),
        "min_relation": min_relation,
        "strongest": strongest_pairs(matrix, STRONGEST_PAIRS),
        "coverage": coverage.to_dict(orient="records"),
    }


def _off_diagonal(matrix: pandas.DataFrame) -> np.ndarray:
    """The matrix's shares with each document's share of itself set to 0."""
    same = matrix.index.to_numpy()[:, None] == matrix.columns.to_numpy()[None, :]
    return np.where(same, 0.0, matrix.to_numpy(dtype=float))


def most_overlapping(matrix: pandas.DataFrame, limit: int) -> list[str]:
    """All documents when they are few; else the `limit` sharing most with the others, by code."""
    if len(matrix) <= limit:
        return list(matrix.index)
    shared = _off_diagonal(matrix)
    total = shared.sum(axis=1) + shared.sum(axis=0)
    order = np.argsort(-total, kind="stable")[:limit]
    return sorted(matrix.index[order])


def strongest_pairs(matrix: pandas.DataFrame, limit: int) -> list[dict[str, Any]]:
    """The document pairs with the largest share, either way round, best first; each pair once,
    in the direction of its larger share. `matrix` is square, rows and columns in one order."""
    shares = _off_diagonal(matrix)
    rows, columns = np.triu_indices(len(shares), k=1)
    forward, backward = shares[rows, columns], shares[columns, rows]
    best = np.maximum(forward, backward)
    order = [n for n in np.argsort(-best, kind="stable")[:limit] if best[n] > 0]
    pairs = []
    for n in order:
        row, column = (rows[n], columns[n]) if forward[n] >= backward[n] else (columns[n], rows[n])
        pairs.append(
            {
                "row": matrix.index[row],
                "column": matrix.columns[column],
                "share": float(shares[row, column]),
                "back": float(shares[column, row]),
            }
        )
    return pairs


def document_overlaps(graph: KnowledgeGraph, code: str, limit: int = 10) -> dict[str, Any] | None:
    """What a document page shows of overlap: the documents it shares most with (close or
    stronger, both ways) and its incorporations; None for a build without mappings."""
    try:
        matrix = graph.matrix(min_relation="close")
        coverage = graph.coverage(incorporated_only=True)
    except KgError:
        return None
    shares = _off_diagonal(matrix)
    row = matrix.index.get_loc(code)
    others = [
        {
            "document": other,
            "title": graph.parsed[other]["title"],
            "share": float(shares[row, n]),
            "back": float(shares[n, row]),
        }
        for n, other in enumerate(matrix.columns)
        if max(shares[row, n], shares[n, row]) > 0
    ]
    others.sort(key=lambda o: (-max(o["share"], o["back"]), o["document"]))
    mine = coverage[(coverage["unit"] == code) | (coverage["standard"] == code)]
    return {"others": others[:limit], "incorporations": mine.to_dict(orient="records")}
