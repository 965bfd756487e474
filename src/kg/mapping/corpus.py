"""Every document pair of a build: which pairs to compare, their mappings and unit coverage.

Up to `EXHAUSTIVE_DOCUMENTS` documents, every pair is compared. Beyond that, a pair
is compared when
- some item of one scores at least `close` against an item of the other (same kind
  group): never pruned, so a unit and every standard that embeds it, and documents
  sharing a knowledge or skill text, are always compared; found exactly, not by
  sampling (see `close_pairs`). Texts that more than `COMMON_TEXT_DOCUMENTS` documents
  print (溝通協調能力 and the like) do not on their own make a pair: every pair of those
  documents would be compared for one generic line, the square of the corpus;
- or some item of one is among the `NEIGHBOURS` nearest items (same kind group, by
  embedding) of an item of the other, which brings in related pairs.
Documents that share nothing close are never scored item by item, which keeps a
corpus of thousands tractable.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from kg.mapping.calibration import Calibration
from kg.mapping.incorporation import Coverage, unit_coverage
from kg.mapping.matching import kind_group, match
from kg.mapping.material import Material
from kg.mapping.model import Mapping

EXHAUSTIVE_DOCUMENTS = 150
NEIGHBOURS = 10
COMMON_TEXT_DOCUMENTS = 50  # a unit is embedded in a handful of standards, a generic skill in hundreds


@dataclass
class CorpusMappings:
    mappings: list[Mapping] = field(default_factory=list)
    coverage: list[Coverage] = field(default_factory=list)
    compared: int = 0  # document pairs compared item by item


def oriented(first: str, second: str, kinds: dict[str, str]) -> tuple[str, str]:
    """The order a pair is matched in: a unit before a standard, else by code.

    Matching always runs in this order, so a pair's mappings are the same whichever
    way round it is asked for.
    """
    rank = {"unit": 0, "standard": 1}
    return min((first, second), (second, first), key=lambda p: (rank.get(kinds[p[0]], 2), p))


def document_pairs(material: Material, calibration: Calibration) -> list[tuple[str, str]]:
    """The (oriented) document pairs worth comparing."""
    kinds = {code: d["kind"] for code, d in material.documents.items()}
    codes = sorted(material.documents)
    if len(codes) <= EXHAUSTIVE_DOCUMENTS:
        candidates = set(itertools.combinations(codes, 2))
    else:
        candidates = _neighbouring_pairs(material) | close_pairs(material, calibration)
    return sorted(oriented(x, y, kinds) for x, y in candidates)


def close_pairs(material: Material, calibration: Calibration) -> set[tuple[str, str]]:
    """Every document pair with two items (same kind group) scoring at least `close`,
    neither of them a common text (printed by more than `COMMON_TEXT_DOCUMENTS` documents).

    Items are taken once per distinct text (a text shared by many documents is one row),
    and only text pairs whose cosine can reach `close` whatever their wording are scored:
    score = (1 - w) cosine + w wording with wording <= 1, so cosine >= (close - w) / (1 - w).
    """
    scorer, close = calibration.scorer, calibration.thresholds.close
    weight = scorer.weight
    floor = (close - weight) / (1 - weight) - _COSINE_SLACK if weight < 1 else -1.0
    pairs: set[tuple[str, str]] = set()
    for every_text in _distinct_texts(material).values():
        texts = {name: held for name, held in every_text.items() if len(held[1]) <= COMMON_TEXT_DOCUMENTS}
        if not texts:
            continue
        names = list(texts)
        holders = [sorted(texts[name][1]) for name in names]
        vectors = np.stack([texts[name][0] for name in names])
        for start in range(0, len(names), _BLOCK):
            block = slice(start, start + _BLOCK)
            cosine = scorer.cosine(vectors[block], vectors)
            for offset, row in enumerate(range(start, min(start + _BLOCK, len(names)))):
                columns = np.flatnonzero(cosine[offset, row:] >= floor) + row  # each text pair once
                if not len(columns):
                    continue
                scores = scorer.scores(
                    vectors[row : row + 1], vectors[columns], [names[row]], [names[c] for c in columns]
                )[0]
                for column in columns[(scores >= close) | (columns == row)]:
                    for x in holders[row]:
                        for y in holders[column]:
                            if x != y:
                                pairs.add((min(x, y), max(x, y)))
    return pairs


_BLOCK = 512  # rows of cosines computed at once
_COSINE_SLACK = 1e-4  # float rounding: the vectors of one text may differ in the last digits


def _distinct_texts(material: Material) -> dict[str, dict[str, tuple[np.ndarray, set[str]]]]:
    """Per kind group: each distinct text, one of its vectors and the documents that hold it."""
    found: dict[str, dict[str, tuple[np.ndarray, set[str]]]] = {}
    for row, item in enumerate(material.items):
        texts = found.setdefault(kind_group(item.kind), {})
        if item.text not in texts:
            texts[item.text] = (material.vectors[row], set())
        texts[item.text][1].add(item.document)
    return found


def _neighbouring_pairs(material: Material) -> set[tuple[str, str]]:
    from kg.search.dense import nearest_neighbours

    documents = np.array([i.document for i in material.items])
    groups = np.array([kind_group(i.kind) for i in material.items])
    pairs: set[tuple[str, str]] = set()
    for group in np.unique(groups):
        rows = np.flatnonzero(groups == group)
        neighbours = nearest_neighbours(material.vectors[rows], min(NEIGHBOURS + 1, len(rows)))
        for row, found in zip(rows, neighbours, strict=True):
            for other in rows[found[found >= 0]]:
                x, y = documents[row], documents[other]
                if x != y:
                    pairs.add((min(x, y), max(x, y)))
    return pairs


def map_corpus(
    material: Material,
    calibration: Calibration,
    progress: Callable[[str, int, int], None] | None = None,
) -> CorpusMappings:
    """Match every compared document pair, and measure how much of each unit a standard's task covers."""
    pairs = document_pairs(material, calibration)
    rows = material.rows_by_document()
    sides = {code: material.side(code, rows.get(code, [])) for code in material.documents}
    result = CorpusMappings(compared=len(pairs))
    for done, (x, y) in enumerate(pairs):
        found = match(sides[x], sides[y], calibration.scorer, calibration.thresholds)
        result.mappings.extend(found)
        if material.documents[x]["kind"] == "unit" and material.documents[y]["kind"] == "standard":
            tasks = material.documents[y]["tasks"]
            result.coverage.append(unit_coverage(sides[x], sides[y], found, tasks))
        if progress and (done % 100 == 0 or done == len(pairs) - 1):
            progress("mapping", done + 1, len(pairs))
    return result
