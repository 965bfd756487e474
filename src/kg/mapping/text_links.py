"""Close links between distinct texts, and the document pairs they make strong partners.

Beyond a few hundred documents nearly every document pair shares some close item: a
field's short phrases are all somewhat alike to e5, and a generic skill is reworded in
hundreds of documents. Matching every such pair item by item would grow with the square
of the corpus, and so would their mappings. So a large corpus is kept at two levels:

- every close link, once, between the distinct texts (`TextLinks`: per kind group, each
  distinct text, the items that print it and its close texts), which grows with the texts,
  not with the square of their holders; the graph holds it as `kg:DistinctText` nodes
  (see `kg.mapping.rdf`);
- the document pairs matched item by item: each document's strongest partners, by the
  number of item links (identical or close texts) they share (`strongest_partners`).

Texts that more than `COMMON_TEXT_DOCUMENTS` documents print (溝通協調能力 and the like) make
no links: every pair of those documents would share them (the graph holds one
`kg:SharedText` node per shared knowledge text instead, see `kg.graph.shared_texts`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from kg.mapping.calibration import Calibration
from kg.mapping.close_texts import CloseTextCache, close_text_pairs, new_blocks
from kg.mapping.matching import kind_group
from kg.mapping.material import Material

COMMON_TEXT_DOCUMENTS = 50  # a unit is embedded in a handful of standards, a generic skill in hundreds
PARTNERS = 20  # each document's partners matched item by item (and every partner tied with the last)


@dataclass
class GroupLinks:
    """One kind group: its distinct texts, the item rows printing each, and the close pairs (i < j)."""

    texts: list[str]
    rows: list[list[int]]
    pairs: np.ndarray


@dataclass
class TextLinks:
    groups: dict[str, GroupLinks]

    def close_links(self) -> int:
        return sum(len(g.pairs) for g in self.groups.values())


def text_links(
    material: Material,
    calibration: Calibration,
    progress: Callable[[str, int, int], None] | None = None,
    cache: CloseTextCache | None = None,
) -> TextLinks:
    """The close pairs of every kind group's distinct texts (kept in `cache` between builds;
    see `kg.mapping.close_texts` for how they are found)."""
    groups = _distinct_texts(material)
    known = {group: cache.get(group) if cache else None for group in groups}
    blocks = sum(new_blocks(list(held), known[group]) for group, held in groups.items())
    done = [0]

    def block_done(n: int) -> None:
        done[0] += n
        if progress:
            progress("pairs", done[0], blocks)

    scorer, close = calibration.scorer, calibration.thresholds.close
    found = {}
    for group, held in groups.items():
        names = list(held)
        vectors = material.vectors[[held[name][0] for name in names]]
        pairs = close_text_pairs(names, vectors, scorer, close, known[group], block_done)
        if cache:
            cache.put(group, names, pairs)
        found[group] = GroupLinks(names, [held[name] for name in names], pairs)
    return TextLinks(found)


def link_counts(links: TextLinks, material: Material) -> dict[tuple[str, str], int]:
    """Per document pair (codes in order), how many item links it shares: two items printing one
    text, or two printing close texts, neither text printed by more than `COMMON_TEXT_DOCUMENTS`."""
    codes = sorted(material.documents)
    number = {code: n for n, code in enumerate(codes)}
    of_row = np.array([number[item.document] for item in material.items], dtype=np.int64)
    keys = []
    for group in links.groups.values():
        holders = [of_row[rows] if _uncommon(of_row[rows]) else of_row[[]] for rows in group.rows]
        for documents in holders:  # items printing one text
            if len(documents) > 1:
                first, second = np.triu_indices(len(documents), k=1)
                keys.append(_keys(documents[first], documents[second], len(codes)))
        # items printing two close texts: every holder of one with every holder of the other
        if len(group.pairs):
            sizes = np.array([len(h) for h in holders], dtype=np.int64)
            starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
            flat = np.concatenate([*holders, of_row[[]]])
            left, right = group.pairs[:, 0], group.pairs[:, 1]
            each = sizes[left] * sizes[right]
            pair = np.repeat(np.arange(len(left)), each)
            within = np.arange(len(pair)) - np.repeat(np.cumsum(each) - each, each)
            width = sizes[right][pair]
            a = flat[starts[left][pair] + within // width]
            b = flat[starts[right][pair] + within % width]
            keys.append(_keys(a, b, len(codes)))
    if not keys:
        return {}
    joined = np.concatenate(keys)
    joined = joined[joined >= 0]
    unique, counts = np.unique(joined, return_counts=True)
    return {
        (codes[key // len(codes)], codes[key % len(codes)]): int(n)
        for key, n in zip(unique.tolist(), counts.tolist(), strict=True)
    }


def strongest_partners(counts: dict[tuple[str, str], int], partners: int = PARTNERS) -> set[tuple[str, str]]:
    """The pairs among each document's `partners` strongest (most links), and every pair tied
    with its last: a tie is not broken by anything arbitrary such as a code's order."""
    by_document: dict[str, list[int]] = {}
    for (x, y), n in counts.items():
        by_document.setdefault(x, []).append(n)
        by_document.setdefault(y, []).append(n)
    floor = {
        code: sorted(found, reverse=True)[min(partners, len(found)) - 1]
        for code, found in by_document.items()
    }
    return {pair for pair, n in counts.items() if n >= floor[pair[0]] or n >= floor[pair[1]]}


def _uncommon(documents: np.ndarray) -> bool:
    return len(np.unique(documents)) <= COMMON_TEXT_DOCUMENTS


def _keys(a: np.ndarray, b: np.ndarray, size: int) -> np.ndarray:
    """A number per document pair (smaller first); -1 where both are one document."""
    low, high = np.minimum(a, b), np.maximum(a, b)
    return np.where(low == high, -1, low * size + high)


def _distinct_texts(material: Material) -> dict[str, dict[str, list[int]]]:
    """Per kind group: each distinct text and the rows of the items that print it."""
    found: dict[str, dict[str, list[int]]] = {}
    for row, item in enumerate(material.items):
        found.setdefault(kind_group(item.kind), {}).setdefault(item.text, []).append(row)
    return found
