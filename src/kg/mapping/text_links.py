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
from kg.mapping.close_texts import CloseTextCache, Known, close_text_pairs, new_blocks
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
        if cache and not _same(known[group], names, pairs):  # tens of megabytes: written when changed
            cache.put(group, names, pairs)
        found[group] = GroupLinks(names, [held[name] for name in names], pairs)
    return TextLinks(found)


@dataclass
class LinkCounts:
    """Per document pair sharing item links, how many: pair k is `codes[low[k]]` and
    `codes[high[k]]` (low < high), sharing `links[k]`. Arrays, not a dict: a corpus of 3,000
    documents has millions of such pairs, and only each document's strongest are kept."""

    codes: list[str]
    low: np.ndarray
    high: np.ndarray
    links: np.ndarray

    def as_dict(self) -> dict[tuple[str, str], int]:
        pairs = zip(self.low.tolist(), self.high.tolist(), self.links.tolist(), strict=True)
        return {(self.codes[x], self.codes[y]): n for x, y, n in pairs}

    @classmethod
    def from_dict(cls, counts: dict[tuple[str, str], int]) -> LinkCounts:
        codes = sorted({code for pair in counts for code in pair})
        number = {code: n for n, code in enumerate(codes)}
        ends = np.array([sorted((number[x], number[y])) for x, y in counts], dtype=np.int64).reshape(-1, 2)
        return cls(codes, ends[:, 0], ends[:, 1], np.array(list(counts.values()), dtype=np.int64))


def link_counts(links: TextLinks, material: Material) -> LinkCounts:
    """Per document pair, how many item links it shares: two items printing one text, or two
    printing close texts, neither text printed by more than `COMMON_TEXT_DOCUMENTS` documents.

    With H the items each text has in each document (texts by documents) and C the close text
    pairs, the counts are H'H (one text) plus H'CH and its transpose (two close texts) above the
    diagonal: H'(I + C + C')H, sparse products that add the tens of millions of item links up
    without listing them, summed over the kind groups in a dense documents-by-documents array
    (72 MB at 3,000 documents; most pairs of a large corpus share some link)."""
    import scipy.sparse as sp

    codes = sorted(material.documents)
    size = len(codes)
    number = {code: n for n, code in enumerate(codes)}
    of_row = np.array([number[item.document] for item in material.items], dtype=np.int64)
    total = np.zeros((size, size), dtype=np.int64)
    for group in links.groups.values():
        texts = len(group.rows)
        sizes = np.array([len(rows) for rows in group.rows], dtype=np.int64)
        documents = of_row[np.concatenate([np.asarray(rows, dtype=np.int64) for rows in group.rows])]
        ones = np.ones(len(documents), dtype=np.int64)
        held = sp.csr_matrix((ones, (np.repeat(np.arange(texts), sizes), documents)), shape=(texts, size))
        held.sum_duplicates()
        holders = np.diff(held.indptr)  # documents printing each text
        held.data *= np.repeat(holders <= COMMON_TEXT_DOCUMENTS, holders)  # a common text makes no link
        held.eliminate_zeros()
        first, second = group.pairs[:, 0], group.pairs[:, 1]
        rows = np.concatenate([np.arange(texts), first, second])
        columns = np.concatenate([np.arange(texts), second, first])
        linked = sp.csr_matrix((np.ones(len(rows), dtype=np.int64), (rows, columns)), shape=(texts, texts))
        total += (held.T.tocsr() @ (linked @ held)).toarray()
    low, high = np.nonzero(np.triu(total, k=1))  # by low, then high: the pairs in order
    return LinkCounts(codes, low.astype(np.int64), high.astype(np.int64), total[low, high])


def strongest_partners(counts: LinkCounts, partners: int = PARTNERS) -> set[tuple[str, str]]:
    """The pairs among each document's `partners` strongest (most links), and every pair tied
    with its last: a tie is not broken by anything arbitrary such as a code's order."""
    low, high, links = counts.low, counts.high, counts.links
    if not len(links):
        return set()
    size = len(counts.codes)
    both = np.zeros((size, size), dtype=links.dtype)  # a row per document, its links with each other
    both[low, high] = links
    both[high, low] = links
    # each document's last partner kept: its k-th most links (0 when fewer partners: all are kept)
    k = min(partners, size)
    floor = -np.partition(-both, k - 1, axis=1)[:, k - 1]
    keep = (links >= floor[low]) | (links >= floor[high])
    kept = zip(low[keep].tolist(), high[keep].tolist(), strict=True)
    return {(counts.codes[x], counts.codes[y]) for x, y in kept}


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
