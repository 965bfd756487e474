"""Search results as text for a terminal."""

from __future__ import annotations

from collections.abc import Sequence

from kg.search.results import DocumentHit, ItemHit, SearchResults

WIDTH = 70  # characters of an item's text shown; --json gives all of it
NO_GOOD_MATCH = "no document covers this question well; the closest items, all weak:"


def _clip(text: str) -> str:
    return text if len(text) <= WIDTH else text[: WIDTH - 1] + "…"


def _item_line(hit: ItemHit, indent: str, with_document: bool, weak: bool) -> str:
    where = f"{hit.item.document} " if with_document else ""
    mark = " weak" if weak else ""
    return (
        f"{indent}{where}{hit.item.code:<8} {hit.item.kind:<10} {hit.score:.3f}{mark}  {_clip(hit.item.text)}"
    )


def header_lines(results: SearchResults) -> list[str]:
    """What the question was read to ask for, and whether anything matches well."""
    lines = []
    if results.understood:
        lines.append(f"understood: {results.understood.describe()} (--literal to search the words only)")
    if results.gloss:
        lines.append(f"also searched in Chinese as: {'、'.join(results.gloss)}")
    if results.no_good_match:
        lines.append(NO_GOOD_MATCH)
    return lines


def format_results(results: SearchResults) -> str:
    """What was understood, then numbered documents with their evidence, or numbered items."""
    lines = header_lines(results)
    weak = results.no_good_match
    hits: Sequence[DocumentHit | ItemHit] = results.results
    for number, hit in enumerate(hits, 1):
        if isinstance(hit, DocumentHit):
            mark = " weak" if weak else ""
            lines.append(
                f"{number:>2}. {hit.document}  {hit.title or ''}  ({hit.kind})  score {hit.score:.3f}{mark}"
            )
            lines.extend(_item_line(e, "      ", with_document=False, weak=weak) for e in hit.evidence)
        else:
            lines.append(_item_line(hit, f"{number:>2}. ", with_document=True, weak=weak))
    return "\n".join(lines)
