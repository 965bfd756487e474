"""Every document pair of a build: which pairs to compare, their mappings and unit coverage.

Up to `EXHAUSTIVE_DOCUMENTS` documents, every pair is compared. Beyond that, a pair
is compared when some item of one is among the `NEIGHBOURS` nearest items (same
kind group, by embedding) of an item of the other: documents that share nothing
close are never scored item by item, which keeps a corpus of thousands tractable.
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


def document_pairs(material: Material) -> list[tuple[str, str]]:
    """The (oriented) document pairs worth comparing."""
    kinds = {code: d["kind"] for code, d in material.documents.items()}
    codes = sorted(material.documents)
    if len(codes) <= EXHAUSTIVE_DOCUMENTS:
        candidates = set(itertools.combinations(codes, 2))
    else:
        candidates = _neighbouring_pairs(material)
    return sorted(oriented(x, y, kinds) for x, y in candidates)


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
    pairs = document_pairs(material)
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
