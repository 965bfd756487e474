"""How many item links each document pair shares, and each document's strongest partners.

Two items are linked when they print one text, or two close texts (`kg.mapping.text_links`),
neither text printed by more than `COMMON_TEXT_DOCUMENTS` documents. With H the items each
text has in each document (texts by documents, such rows zeroed) and L the links between
texts (I + C + C', C the close pairs), the counts are H'LH: a sum, over every linked pair of
texts (t, u), of h_t' h_u.

Counting them afresh reads every text and every close link: seconds at 3,000 documents, for a
build in which one document changed. So the counts are kept between builds
(`LinkCountCache`) and updated: only the terms of texts whose holders changed (printed by a
document added, removed or changed) differ, so those terms are taken away as the last build
had them and added as they are now. The sums are integers, so an updated count is the count
made afresh, exactly (a test holds one to the other).
"""

from __future__ import annotations

import contextlib
import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from kg.mapping.close_texts import Known
from kg.mapping.text_links import GroupLinks, TextLinks
from kg.sqlite_cache import fingerprint_files
from kg.store.layout import link_count_cache

if TYPE_CHECKING:
    import scipy.sparse as sp

    from kg.mapping.material import Material

COMMON_TEXT_DOCUMENTS = 50  # a unit is embedded in a handful of standards, a generic skill in hundreds
PARTNERS = 20  # each document's partners matched item by item (and every partner tied with the last)


@dataclass
class LinkCounts:
    """Per document pair, the item links it shares: `matrix[i, j]` for `codes[i]` and
    `codes[j]` (symmetric; the diagonal holds links within a document). Dense: most pairs of a
    large corpus share some link (72 MB at 3,000 documents)."""

    codes: list[str]
    matrix: np.ndarray

    def pairs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The pairs sharing links as arrays, by the first code, then the second: (low, high, links)."""
        low, high = np.nonzero(np.triu(self.matrix, k=1))
        return low.astype(np.int64), high.astype(np.int64), self.matrix[low, high]

    def as_dict(self) -> dict[tuple[str, str], int]:
        low, high, links = self.pairs()
        pairs = zip(low.tolist(), high.tolist(), links.tolist(), strict=True)
        return {(self.codes[x], self.codes[y]): n for x, y, n in pairs}

    @classmethod
    def from_dict(cls, counts: dict[tuple[str, str], int]) -> LinkCounts:
        codes = sorted({code for pair in counts for code in pair})
        number = {code: n for n, code in enumerate(codes)}
        matrix = np.zeros((len(codes), len(codes)), dtype=np.int64)
        for (x, y), n in counts.items():
            matrix[number[x], number[y]] = matrix[number[y], number[x]] = n
        return cls(codes, matrix)


@dataclass
class Holders:
    """One kind group's distinct texts and how many items print each in each document (a sparse
    texts-by-documents matrix, documents numbered as in the counts' codes): what the counts of
    the next build are updated from."""

    texts: list[str]
    matrix: sp.csr_matrix


@dataclass
class KeptCounts:
    """What a build leaves for the next one to update: its counts and each group's holders."""

    counts: LinkCounts
    holders: dict[str, Holders]


def link_counts(
    links: TextLinks,
    material: Material,
    cache: LinkCountCache | None = None,
    common: int = COMMON_TEXT_DOCUMENTS,
) -> LinkCounts:
    """Per document pair, how many item links it shares (see above): updated from the counts
    the `cache` kept when they were made from the close links the close-text cache held
    before this build (`links.earlier`), else counted afresh; the cache is left holding these."""
    codes = sorted(material.documents)
    number = {code: n for n, code in enumerate(codes)}
    of_row = np.array([number[item.document] for item in material.items], dtype=np.int64)
    holders = {
        name: Holders(group.texts, _held(group, of_row, len(codes))) for name, group in links.groups.items()
    }
    kept = cache.get() if cache else None
    if kept is not None and _updatable(kept, links):
        counts = _updated(kept, links, holders, codes, common)
    else:
        counts = LinkCounts(codes, np.zeros((len(codes), len(codes)), dtype=np.int64))
        for name, group in links.groups.items():
            counts.matrix += _terms(holders[name].matrix, group.pairs, None, common).toarray()
    if cache:
        cache.put(KeptCounts(counts, holders))
    return counts


def strongest_partners(counts: LinkCounts, partners: int = PARTNERS) -> set[tuple[str, str]]:
    """The pairs among each document's `partners` strongest (most links), and every pair tied
    with its last: a tie is not broken by anything arbitrary such as a code's order."""
    size = len(counts.codes)
    if not size:
        return set()
    both = counts.matrix.copy()  # a row per document, its links with each other
    np.fill_diagonal(both, 0)
    # each document's last partner kept: its k-th most links (0 when fewer partners: all are kept)
    k = min(partners, size)
    floor = np.partition(both, size - k, axis=1)[:, size - k]
    keep = both >= floor[:, None]
    keep |= keep.T  # among either document's strongest
    keep &= both > 0
    low, high = np.nonzero(np.triu(keep, k=1))
    return {(counts.codes[x], counts.codes[y]) for x, y in zip(low.tolist(), high.tolist(), strict=True)}


def _held(group: GroupLinks, of_row: np.ndarray, documents: int) -> sp.csr_matrix:
    """How many items print each of the group's texts in each document."""
    import scipy.sparse as sp

    texts = len(group.rows)
    sizes = np.array([len(rows) for rows in group.rows], dtype=np.int64)
    listed = [np.asarray(rows, dtype=np.int64) for rows in group.rows]
    held_by = of_row[np.concatenate(listed)] if listed else np.empty(0, dtype=np.int64)
    ones = np.ones(len(held_by), dtype=np.int64)
    held = sp.csr_matrix((ones, (np.repeat(np.arange(texts), sizes), held_by)), shape=(texts, documents))
    held.sum_duplicates()
    return held


def _terms(held: sp.csr_matrix, pairs: np.ndarray, only: np.ndarray | None, common: int) -> sp.csr_matrix:
    """The sum of h_t' h_u over the linked texts (t, u) (t = u, or a close pair) of which at
    least one is among `only` (a mask of texts; None: all), with the rows of texts printed by
    more than `common` documents zeroed: H'LH when `only` is None."""
    import scipy.sparse as sp

    texts = held.shape[0]
    masked = _rows_only(held, np.diff(held.indptr) <= common)  # a common text makes no link
    first, second = pairs[:, 0], pairs[:, 1]
    if only is None:
        rows = np.concatenate([np.arange(texts), first, second])
        columns = np.concatenate([np.arange(texts), second, first])
        linked = sp.csr_matrix((np.ones(len(rows), dtype=np.int64), (rows, columns)), shape=(texts, texts))
        return masked.T.tocsr() @ (linked @ masked)
    # the rows of L of the texts in `only` (LA), and of them the columns of the other texts:
    # the terms with t in `only` are HA'(LA H); those with only u in it, their transpose's
    # (HA'(LA,other H))'
    chosen = np.flatnonzero(only)
    from_first, from_second = only[first], only[second]
    rows = np.concatenate([chosen, first[from_first], second[from_second]])
    columns = np.concatenate([chosen, second[from_first], first[from_second]])
    ones = np.ones(len(rows), dtype=np.int64)
    outside = ~only[columns]
    linked = sp.csr_matrix((ones, (rows, columns)), shape=(texts, texts))
    to_others = sp.csr_matrix((ones[outside], (rows[outside], columns[outside])), shape=(texts, texts))
    mine = _rows_only(masked, only)
    return (mine.T @ (linked @ masked) + (mine.T @ (to_others @ masked)).T).tocsr()


def _rows_only(matrix: sp.csr_matrix, rows: np.ndarray) -> sp.csr_matrix:
    """`matrix` with the rows not in `rows` (a mask) zeroed."""
    kept = matrix.copy()
    kept.data *= np.repeat(rows, np.diff(kept.indptr))
    kept.eliminate_zeros()
    return kept


def _updatable(kept: KeptCounts, links: TextLinks) -> bool:
    """Whether the kept counts were made from the close links the close-text cache held before
    this build, for the same groups: then those are the links the counts' terms came from."""
    if set(kept.holders) - set(links.groups):
        return False  # a group gone: its old close links were not read
    for name in links.groups:
        earlier: Known | None = links.earlier.get(name)
        before = kept.holders.get(name)
        if (earlier[0] if earlier else []) != (before.texts if before else []):
            return False
    return True


def _updated(
    kept: KeptCounts, links: TextLinks, holders: dict[str, Holders], codes: list[str], common: int
) -> LinkCounts:
    """The kept counts, with the terms of every text whose holders changed taken away as they
    were and added as they are, in the numbering of every document of either build."""
    import scipy.sparse as sp

    both = sorted(set(codes) | set(kept.counts.codes))
    number = {code: n for n, code in enumerate(both)}
    old = np.array([number[code] for code in kept.counts.codes], dtype=np.int64)
    new = np.array([number[code] for code in codes], dtype=np.int64)
    same = both == kept.counts.codes
    total = kept.counts.matrix.astype(np.int64) if same else _placed(kept.counts.matrix, old, len(both))
    for name, group in links.groups.items():
        earlier = links.earlier.get(name)
        before = kept.holders.get(name)
        old_pairs = earlier[1] if earlier else np.empty((0, 2), dtype=np.int64)
        texts = {text: n for n, text in enumerate(group.texts)}
        # each old text's row now, or after the present texts when gone
        at = np.array([texts.get(text, -1) for text in (before.texts if before else [])], dtype=np.int64)
        gone = at < 0
        at[gone] = len(group.texts) + np.arange(int(gone.sum()))
        size = len(group.texts) + int(gone.sum())
        now = _rows_to(holders[name].matrix, np.arange(len(group.texts)), new, size, len(both))
        then = (
            _rows_to(before.matrix, at, old, size, len(both))
            if before
            else sp.csr_matrix((size, len(both)), dtype=np.int64)
        )
        difference = (now - then).tocsr()
        difference.eliminate_zeros()
        changed = np.diff(difference.indptr) > 0
        if not changed.any():
            continue
        old_pairs = at[old_pairs] if len(old_pairs) else old_pairs
        added = _terms(now, group.pairs, changed, common)
        taken = _terms(then, old_pairs, changed, common)
        delta = (added - taken).tocoo()
        total[delta.row, delta.col] += delta.data
    matrix = total if same and both == codes else total[np.ix_(new, new)]
    return LinkCounts(codes, np.ascontiguousarray(matrix))


def _placed(matrix: np.ndarray, at: np.ndarray, size: int) -> np.ndarray:
    placed = np.zeros((size, size), dtype=np.int64)
    placed[np.ix_(at, at)] = matrix
    return placed


def _rows_to(
    matrix: sp.csr_matrix, rows: np.ndarray, columns: np.ndarray, size: int, width: int
) -> sp.csr_matrix:
    """`matrix` with its row r moved to `rows[r]` and its column c to `columns[c]`, in a
    `size` by `width` matrix."""
    import scipy.sparse as sp

    coo = matrix.tocoo()
    return sp.csr_matrix((coo.data, (rows[coo.row], columns[coo.col])), shape=(size, width))


def counting_fingerprint(scoring: str) -> str:
    """What kept counts depend on besides the texts: this code and the close links' scoring."""
    folder = Path(__file__).parent
    return fingerprint_files([folder / "link_counts.py", folder / "text_links.py"], salt=scoring)


class LinkCountCache:
    """The last build's link counts and holders, under a fingerprint of the counting and the
    close links' scoring: one file (NumPy's .npz, uncompressed), read and replaced whole by each
    build, so nothing is held open. A file that cannot be read or written only costs time: the
    counts are made afresh."""

    def __init__(self, path: Path, fingerprint: str) -> None:
        self.path = path
        self.fingerprint = fingerprint

    @classmethod
    def of(cls, build_dir: Path, scoring: str) -> LinkCountCache:
        """The build folder's cache, under the fingerprint of the counting and the close links'
        `scoring` (`kg.mapping.close_texts.scoring_fingerprint`)."""
        return cls(link_count_cache(build_dir), counting_fingerprint(scoring))

    def get(self) -> KeptCounts | None:
        import scipy.sparse as sp

        try:
            with np.load(self.path) as held:
                if _text(held["fingerprint"]) != self.fingerprint:
                    return None
                codes, groups = json.loads(_text(held["codes"])), json.loads(_text(held["groups"]))
                size = len(codes)
                counts = LinkCounts(codes, held["matrix"].reshape(size, size))
                holders = {}
                for n, name in enumerate(groups):
                    texts = json.loads(_text(held[f"texts{n}"]))
                    arrays = (held[f"data{n}"], held[f"indices{n}"], held[f"indptr{n}"])
                    holders[name] = Holders(texts, sp.csr_matrix(arrays, shape=(len(texts), size)))
        except (OSError, ValueError, KeyError, zipfile.BadZipFile):
            return None  # none yet, or damaged
        return KeptCounts(counts, holders)

    def put(self, kept: KeptCounts) -> None:
        matrix = kept.counts.matrix
        most = int(matrix.max()) if matrix.size else 0
        small = next(t for t in (np.int16, np.int32, np.int64) if most <= np.iinfo(t).max)
        arrays: dict[str, Any] = {
            "fingerprint": _bytes(self.fingerprint),
            "codes": _bytes(json.dumps(kept.counts.codes, ensure_ascii=False)),
            "groups": _bytes(json.dumps(list(kept.holders), ensure_ascii=False)),
            "matrix": matrix.astype(small),
        }
        for n, held in enumerate(kept.holders.values()):
            arrays[f"texts{n}"] = _bytes(json.dumps(held.texts, ensure_ascii=False))
            arrays |= {f"data{n}": held.matrix.data, f"indices{n}": held.matrix.indices}
            arrays[f"indptr{n}"] = held.matrix.indptr
        staged = self.path.with_name(self.path.name + ".tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(staged, "wb") as out:
                np.savez(out, **arrays)
            os.replace(staged, self.path)
        except OSError:  # a cache that cannot be written (full disk) only costs time
            with contextlib.suppress(OSError):
                staged.unlink()


def _bytes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def _text(array: np.ndarray) -> str:
    return array.tobytes().decode("utf-8")
