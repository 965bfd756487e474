"""Search results as text for a terminal."""

from __future__ import annotations

from collections.abc import Sequence

from kg.search.results import DocumentHit, ItemHit, SearchResults

WIDTH = 70  # characters of an item's text shown; --json gives all of it


def _clip(text: str) -> str:
    return text if len(text) <= WIDTH else text[: WIDTH - 1] + "…"


def _item_line(hit: ItemHit, indent: str, with_document: bool) -> str:
    where = f"{hit.item.document} " if with_document else ""
    return f"{indent}{where}{hit.item.code:<8} {hit.item.kind:<10} {hit.score:.3f}  {_clip(hit.item.text)}"


def format_results(results: SearchResults) -> str:
    """Numbered documents with their evidence, or numbered items."""
    lines = []
    hits: Sequence[DocumentHit | ItemHit] = results.results
    for number, hit in enumerate(hits, 1):
        if isinstance(hit, DocumentHit):
            lines.append(
                f"{number:>2}. {hit.document}  {hit.title or ''}  ({hit.kind})  score {hit.score:.3f}"
            )
            lines.extend(_item_line(e, "      ", with_document=False) for e in hit.evidence)
        else:
            lines.append(_item_line(hit, f"{number:>2}. ", with_document=True))
    return "\n".join(lines)
