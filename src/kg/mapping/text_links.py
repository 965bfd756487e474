"""Close links between distinct texts, from which the document pairs a large corpus matches are chosen.

Beyond a few hundred documents nearly every document pair shares some close item: a
field's short phrases are all somewhat alike to e5, and a generic skill is reworded in
hundreds of documents. Matching every such pair item by item would grow with the square
of the corpus, and so would their mappings. So a large corpus is kept at two levels:

- every close link, once, between the distinct texts (`TextLinks`: per kind group, each
  distinct text, the items that print it and its close texts), which grows with the texts,
  not with the square of their holders; the graph holds it as `kg:DistinctText` nodes
  (see `kg.mapping.rdf`);
- the document pairs matched item by item: each document's strongest partners, by the
  number of item links (identical or close texts) they share (`kg.mapping.link_counts`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from kg.mapping.calibration import Calibration
from kg.mapping.close_texts import CloseTextCache, Known, close_text_pairs, new_blocks
from kg.mapping.matching import kind_group
from kg.mapping.material import Material


@dataclass
class GroupLinks:
    """One kind group: its distinct texts, the item rows printing each, and the close pairs (i < j)."""

    texts: list[str]
    rows: list[list[int]]
    pairs: np.ndarray


@dataclass
class TextLinks:
    """Per kind group, its close links; and what the close-text cache held before this build
    (`earlier`), which the kept link counts were made from (`kg.mapping.link_counts`)."""

    groups: dict[str, GroupLinks]
    earlier: dict[str, Known | None] = field(default_factory=dict)

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
        if cache and not _same(known[group], names, pairs):  # tens of megabytes: written when changed
            cache.put(group, names, pairs)
        found[group] = GroupLinks(names, [held[name] for name in names], pairs)
    return TextLinks(found, known)


def _same(known: Known | None, texts: list[str], pairs: np.ndarray) -> bool:
    return known is not None and known[0] == texts and np.array_equal(known[1], pairs)


def _distinct_texts(material: Material) -> dict[str, dict[str, list[int]]]:
    """Per kind group: each distinct text and the rows of the items that print it."""
    group_of = {kind: kind_group(kind) for kind in {item.kind for item in material.items}}
    found: dict[str, dict[str, list[int]]] = {group: {} for group in group_of.values()}
    for row, item in enumerate(material.items):
        held = found[group_of[item.kind]]
        if item.text in held:
            held[item.text].append(row)
        else:
            held[item.text] = [row]
    return {group: texts for group, texts in found.items() if texts}
