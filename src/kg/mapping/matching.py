"""One-to-one matching of two documents' items, kind with kind.

Items are compared only within a kind group: indicator with indicator, knowledge
with knowledge, and so on; tasks and activities form one group because a unit's
task sits at the activity level of a standard that embeds the unit. Within a
group, the best-scoring pairs are taken first and each item is used once.

Two rules bring in what the evidence says beyond plain scores:
- context: a first pass finds which task pairs already share several matches;
  the second pass then prefers candidates inside those tasks (by `CONTEXT_BONUS`,
  for ordering only; reported scores are untouched), so "分析技能" maps to the
  skill listed under the task that the rest of the unit maps to, not to a
  look-alike elsewhere;
- copies: items that one document prints twice, word for word or nearly (they
  match each other exactly), are matched as one; the partner then maps to every
  copy (cardinality 1:n), since nothing tells them apart.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from kg.mapping.model import Mapping, Relation, Thresholds
from kg.mapping.scoring import Scorer
from kg.search.items import SearchItem

KIND_GROUPS = {"activity": "task"}
CONTEXT_BONUS = 0.05
CONTEXT_MATCHES = 3  # first-pass matches that make a task pair a context
ANY = "*"


def kind_group(kind: str) -> str:
    return KIND_GROUPS.get(kind, kind)


@dataclass
class Side:
    """One document's items, their vectors and the tasks each item belongs to."""

    document: str
    items: Sequence[SearchItem]
    vectors: np.ndarray
    scopes: Sequence[frozenset[str]]  # task codes; empty for document-wide items
    clusters: dict[tuple, np.ndarray] = field(default_factory=dict)  # by group and scoring

    def groups(self) -> dict[str, list[int]]:
        rows: dict[str, list[int]] = defaultdict(list)
        for row, item in enumerate(self.items):
            rows[kind_group(item.kind)].append(row)
        return rows


def match(a: Side, b: Side, scorer: Scorer, thresholds: Thresholds) -> list[Mapping]:
    """The corresponding items of two documents, best first."""
    return as_mappings(match_rows(a, b, scorer, thresholds), a, b)


# A mapping by the rows of its items in their sides: kept and passed between processes
# without the items (see `as_mappings`).
MappingRow = tuple[int, int, float, Relation, str]  # row in a, row in b, score, relation, cardinality


def as_mappings(rows: Iterable[MappingRow], a: Side, b: Side) -> list[Mapping]:
    return [Mapping(a.items[ra], b.items[rb], score, relation, c) for ra, rb, score, relation, c in rows]


def match_rows(a: Side, b: Side, scorer: Scorer, thresholds: Thresholds) -> list[MappingRow]:
    """`match`, by rows."""
    groups_a, groups_b = a.groups(), b.groups()
    blocks = [
        _Block(a, b, g, groups_a[g], groups_b[g], scorer, thresholds)
        for g in sorted(groups_a.keys() & groups_b.keys())
    ]
    first = [pair for block in blocks for pair in block.assign(None)]
    votes = Counter(
        pair
        for ra, rb, score in first
        if score >= thresholds.close
        for pair in _task_pairs(a, b, ra, rb)
        if ANY not in pair
    )
    contexts = {pair for pair, n in votes.items() if n >= CONTEXT_MATCHES}
    # an item outside any task (a unit's knowledge) takes the context of the task on the other side
    contexts |= {(ANY, tb) for _, tb in contexts} | {(ta, ANY) for ta, _ in contexts}

    def context(ra: int, rb: int) -> float:
        return CONTEXT_BONUS if any(p in contexts for p in _task_pairs(a, b, ra, rb)) else 0.0

    found = [pair for block in blocks for pair in block.expand(block.assign(context))]
    return _mapping_rows(found, thresholds)


Pair = tuple[int, int, float]  # row in a, row in b, score


class _Block:
    """One kind group of two documents: scores, copy clusters and candidate pairs."""

    def __init__(
        self,
        a: Side,
        b: Side,
        group: str,
        rows_a: list[int],
        rows_b: list[int],
        scorer: Scorer,
        thresholds: Thresholds,
    ) -> None:
        self.rows_a, self.rows_b = rows_a, rows_b
        self.related = thresholds.related
        # float64: a float32 score compares to a threshold in float32, and one a hair below it
        # in float64 (as `Thresholds.relation` sees it) would pass the cut and earn no relation
        self.scores = scorer.scores(
            a.vectors[rows_a], b.vectors[rows_b], _texts(a, rows_a), _texts(b, rows_b)
        ).astype(np.float64)
        self.copies_a = _clusters(a, group, rows_a, scorer, thresholds.exact)
        self.copies_b = _clusters(b, group, rows_b, scorer, thresholds.exact)
        best: dict[tuple[int, int], tuple[float, int, int]] = {}
        for i, j in zip(*np.nonzero(self.scores >= thresholds.related), strict=True):
            key = (self.copies_a[i], self.copies_b[j])
            score = float(self.scores[i, j])
            if key not in best or score > best[key][0]:
                best[key] = (score, int(i), int(j))
        # one candidate per pair of copy clusters, carried by its best member pair
        self.candidates = [(rows_a[i], rows_b[j], score) for score, i, j in best.values()]
        self.cluster_of = {
            (rows_a[i], rows_b[j]): (self.copies_a[i], self.copies_b[j]) for _, i, j in best.values()
        }

    def assign(self, context: Callable[[int, int], float] | None) -> list[Pair]:
        """Greedy one-to-one over copy clusters: best (score + context bonus) first."""
        bonus = context or (lambda ra, rb: 0.0)
        ranked = sorted(self.candidates, key=lambda c: (-round(c[2] + bonus(c[0], c[1]), 4), c[0], c[1]))
        used_a: set[int] = set()
        used_b: set[int] = set()
        chosen = []
        for ra, rb, score in ranked:
            cluster_a, cluster_b = self.cluster_of[ra, rb]
            if cluster_a not in used_a and cluster_b not in used_b:
                used_a.add(cluster_a)
                used_b.add(cluster_b)
                chosen.append((ra, rb, score))
        return chosen

    def expand(self, chosen: list[Pair]) -> list[Pair]:
        """Every member pair of the chosen clusters that reaches the `related` threshold."""
        out = []
        for ra, rb, _ in chosen:
            cluster_a, cluster_b = self.cluster_of[ra, rb]
            for i in np.flatnonzero(self.copies_a == cluster_a):
                for j in np.flatnonzero(self.copies_b == cluster_b):
                    if self.scores[i, j] >= self.related:
                        out.append((self.rows_a[i], self.rows_b[j], float(self.scores[i, j])))
        return out


def _texts(side: Side, rows: list[int]) -> list[str]:
    return [side.items[r].text for r in rows]


def _clusters(side: Side, group: str, rows: list[int], scorer: Scorer, exact: float) -> np.ndarray:
    """A cluster number per row: rows that match each other exactly share one (union-find).

    Kept on the side, since a document meets every other one with the same clusters.
    """
    key = (group, scorer.weight, exact)
    if key not in side.clusters:
        side.clusters[key] = _union_find(side, rows, scorer, exact)
    return side.clusters[key]


def _union_find(side: Side, rows: list[int], scorer: Scorer, exact: float) -> np.ndarray:
    parent = list(range(len(rows)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    vectors, texts = side.vectors[rows], _texts(side, rows)
    same = scorer.scores(vectors, vectors, texts, texts) >= exact
    for i, j in zip(*np.nonzero(np.triu(same, k=1)), strict=True):
        parent[root(int(i))] = root(int(j))
    return np.array([root(i) for i in range(len(rows))])


def _task_pairs(a: Side, b: Side, ra: int, rb: int) -> Iterable[tuple[str, str]]:
    return ((ta, tb) for ta in a.scopes[ra] or (ANY,) for tb in b.scopes[rb] or (ANY,))


def _mapping_rows(found: list[Pair], thresholds: Thresholds) -> list[MappingRow]:
    per_a = Counter(ra for ra, _, _ in found)
    per_b = Counter(rb for _, rb, _ in found)
    mappings: list[MappingRow] = []
    # Best first; scores equal to four decimals (identical texts score 1 give or take float rounding,
    # which differs between CPUs) keep document order.
    found = sorted(found, key=lambda pair: (-round(pair[2], 4), pair[0], pair[1]))
    for ra, rb, score in found:
        relation = thresholds.relation(score)
        assert relation is not None  # candidates were cut at the `related` threshold
        cardinality = f"{'n' if per_b[rb] > 1 else '1'}:{'n' if per_a[ra] > 1 else '1'}"
        mappings.append((ra, rb, min(score, 1.0), relation, cardinality))
    return mappings
