"""How much documents overlap, as shares: for an ordered pair (row, column), the share of the row
document's items that match (at least a relation) an item of the column document.

Read from the per-pair counts the build wrote (`BuildMappings.matched`), one row per pair
that has a match: a corpus of 3,000 documents has about 150,000 such pairs, against 9
million cells in the square matrix. The overlap page and a document's page ask only for
the documents overlapping most, the strongest pairs and a small square of shares, so they
are computed here from the pairs and the full matrix is made only when asked for
(`kg.mapping.overlap.matrix`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas

from kg.mapping.files import BuildMappings
from kg.mapping.model import Relation, check_relation


def pair_shares(stored: BuildMappings, *, min_relation: Relation = "close") -> pandas.DataFrame:
    """Each ordered pair of documents with a share above 0: columns row, column, share."""
    check_relation(min_relation)
    documents = stored.meta["documents"]
    matched = stored.matched
    known = matched["row"].isin(documents) & matched["column"].isin(documents)
    matched = matched[known]
    sizes = pandas.Series({code: d["items"] for code, d in documents.items()}, dtype=float)
    items = sizes.reindex(matched["row"]).to_numpy()
    counts = matched[min_relation].to_numpy(dtype=float)
    share = np.divide(counts, items, out=np.zeros_like(counts), where=items > 0)
    frame = pandas.DataFrame({"row": matched["row"], "column": matched["column"], "share": share})
    return frame[frame["share"] > 0].reset_index(drop=True)


def square(shares: pandas.DataFrame, codes: list[str]) -> pandas.DataFrame:
    """The matrix of `codes` x `codes` (rows and columns in that order), each document's
    share of itself 1."""
    index = pandas.Index(codes, name="document")
    values = np.eye(len(codes))
    rows, columns = index.get_indexer(shares["row"]), index.get_indexer(shares["column"])
    inside = (rows >= 0) & (columns >= 0) & (rows != columns)
    values[rows[inside], columns[inside]] = shares["share"].to_numpy()[inside]
    return pandas.DataFrame(values, index=index, columns=list(codes))


def most_overlapping(shares: pandas.DataFrame, codes: list[str], limit: int) -> list[str]:
    """All of `codes` when they are few; else the `limit` sharing most with the others (their
    shares both ways summed; ties by code), by code."""
    if len(codes) <= limit:
        return list(codes)
    total = (
        shares.groupby("row")["share"]
        .sum()
        .add(shares.groupby("column")["share"].sum(), fill_value=0.0)
        .reindex(codes, fill_value=0.0)
    )
    order = np.argsort(-total.to_numpy(), kind="stable")[:limit]
    return sorted(codes[n] for n in order)


def strongest_pairs(shares: pandas.DataFrame, codes: list[str], limit: int) -> list[dict[str, Any]]:
    """The document pairs with the largest share, either way round, best first (ties by the
    codes' order in `codes`); each pair once, in the direction of its larger share, with the
    share the other way (`back`)."""
    if shares.empty:
        return []
    index = pandas.Index(codes)
    rows, columns = index.get_indexer(shares["row"]), index.get_indexer(shares["column"])
    forward = rows < columns
    pairs = pandas.DataFrame(
        {
            "first": np.minimum(rows, columns),
            "second": np.maximum(rows, columns),
            "forward": np.where(forward, shares["share"], 0.0),
            "backward": np.where(forward, 0.0, shares["share"]),
        }
    )
    pairs = pairs.groupby(["first", "second"], as_index=False)[["forward", "backward"]].sum()
    pairs["best"] = pairs[["forward", "backward"]].max(axis=1)
    top = pairs.sort_values(["best", "first", "second"], ascending=[False, True, True]).head(limit)
    found = []
    for first, second, there, back in top[["first", "second", "forward", "backward"]].itertuples(index=False):
        if there < back:
            first, second, there, back = second, first, back, there
        found.append(
            {"row": codes[first], "column": codes[second], "share": float(there), "back": float(back)}
        )
    return found


def partners(shares: pandas.DataFrame, code: str) -> pandas.DataFrame:
    """The documents `code` overlaps with either way: other, share (of `code`'s items) and back
    (of the other's), most shared first (either way), then by code."""
    out = shares[shares["row"] == code].set_index("column")["share"]
    back = shares[shares["column"] == code].set_index("row")["share"]
    table = pandas.DataFrame({"share": out, "back": back}).fillna(0.0)
    table.index.name = "other"
    table = table.reset_index()
    strongest = table[["share", "back"]].max(axis=1)
    return table.assign(strongest=strongest).sort_values(["strongest", "other"], ascending=[False, True])[
        ["other", "share", "back"]
    ]
