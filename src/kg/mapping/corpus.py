"""Every document pair of a build: which pairs to compare, their mappings and unit coverage.

Up to `EXHAUSTIVE_DOCUMENTS` documents, every pair is compared. Beyond that, a pair
is compared when some item of one scores at least `close` against an item of the
other (same kind group): never pruned, so a unit and every standard that embeds it,
and documents sharing a knowledge or skill text, are always compared; found exactly,
not by sampling (see `close_pairs`). Texts that more than `COMMON_TEXT_DOCUMENTS`
documents print (溝通協調能力 and the like) do not on their own make a pair: every pair
of those documents would be compared for one generic line, the square of the corpus
(the graph holds one `kg:SharedText` node per shared knowledge text instead, see
`kg.graph.shared_texts`).
Documents that share nothing close are never scored item by item, which keeps a
corpus of thousands tractable. A pair that shares only related items (the weakest
evidence, about one in three wrong) is then not compared: finding those would mean
scoring nearly every pair of a large corpus, since a field's short phrases are all
somewhat alike.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from kg.mapping.calibration import Calibration
from kg.mapping.close_texts import CloseTextCache, close_text_pairs, new_blocks
from kg.mapping.incorporation import Coverage, unit_coverage
from kg.mapping.matching import MappingRow, Side, as_mappings, kind_group, match_rows
from kg.mapping.material import Material
from kg.mapping.model import Mapping
from kg.mapping.pair_cache import PairCache, side_fingerprint

EXHAUSTIVE_DOCUMENTS = 150
COMMON_TEXT_DOCUMENTS = 50  # a unit is embedded in a handful of standards, a generic skill in hundreds


@dataclass
class CorpusMappings:
    mappings: list[Mapping] = field(default_factory=list)
    coverage: list[Coverage] = field(default_factory=list)
    compared: int = 0  # document pairs compared item by item
    matched: int = 0  # of them, matched in this build (the others' mappings were kept from an earlier one)


def oriented(first: str, second: str, kinds: dict[str, str]) -> tuple[str, str]:
    """The order a pair is matched in: a unit before a standard, else by code.

    Matching always runs in this order, so a pair's mappings are the same whichever
    way round it is asked for.
    """
    rank = {"unit": 0, "standard": 1}
    return min((first, second), (second, first), key=lambda p: (rank.get(kinds[p[0]], 2), p))


def document_pairs(
    material: Material,
    calibration: Calibration,
    progress: Callable[[str, int, int], None] | None = None,
    texts: CloseTextCache | None = None,
) -> list[tuple[str, str]]:
    """The (oriented) document pairs worth comparing (`texts`: close text pairs kept from the last build)."""
    kinds = {code: d["kind"] for code, d in material.documents.items()}
    codes = sorted(material.documents)
    if len(codes) <= EXHAUSTIVE_DOCUMENTS:
        candidates = set(itertools.combinations(codes, 2))
    else:
        candidates = close_pairs(material, calibration, progress, texts)
    return sorted(oriented(x, y, kinds) for x, y in candidates)


def close_pairs(
    material: Material,
    calibration: Calibration,
    progress: Callable[[str, int, int], None] | None = None,
    texts: CloseTextCache | None = None,
) -> set[tuple[str, str]]:
    """Every document pair with two items (same kind group) scoring at least `close`,
    neither of them a common text (printed by more than `COMMON_TEXT_DOCUMENTS` documents).

    Items are taken once per distinct text (a text shared by many documents is one row);
    see `kg.mapping.close_texts` for how the text pairs are found and kept between builds.
    """
    groups = _distinct_texts(material)
    known = {group: texts.get(group) if texts else None for group in groups}
    blocks = sum(new_blocks(list(held), known[group]) for group, held in groups.items())
    done = [0]

    def block_done(n: int) -> None:
        done[0] += n
        if progress:
            progress("pairs", done[0], blocks)

    scorer, close = calibration.scorer, calibration.thresholds.close
    pairs: set[tuple[str, str]] = set()
    for group, held in groups.items():
        names = list(held)
        vectors = np.stack([held[name][0] for name in names])
        found = close_text_pairs(names, vectors, scorer, close, known[group], block_done)
        if texts:
            texts.put(group, names, found)
        holders = [
            sorted(held[name][1]) if len(held[name][1]) <= COMMON_TEXT_DOCUMENTS else [] for name in names
        ]
        for documents in holders:  # a text printed by two documents or more
            pairs.update(itertools.combinations(documents, 2))
        for first, second in found:
            for x in holders[first]:
                for y in holders[second]:
                    if x != y:
                        pairs.add((min(x, y), max(x, y)))
    return pairs


def _distinct_texts(material: Material) -> dict[str, dict[str, tuple[np.ndarray, set[str]]]]:
    """Per kind group: each distinct text, one of its vectors and the documents that hold it."""
    found: dict[str, dict[str, tuple[np.ndarray, set[str]]]] = {}
    for row, item in enumerate(material.items):
        texts = found.setdefault(kind_group(item.kind), {})
        if item.text not in texts:
            texts[item.text] = (material.vectors[row], set())
        texts[item.text][1].add(item.document)
    return found


def map_corpus(
    material: Material,
    calibration: Calibration,
    progress: Callable[[str, int, int], None] | None = None,
    workers: int = 1,
    cache: PairCache | None = None,
    texts: CloseTextCache | None = None,
) -> CorpusMappings:
    """Match every compared document pair, and measure how much of each unit a standard's task covers.

    Pairs are matched on `workers` processes; pairs the `cache` holds (both documents
    unchanged) are not matched again, and the cache is left holding this corpus's pairs.
    `texts` keeps the close text pairs that decide which pairs are compared.
    """
    pairs = document_pairs(material, calibration, progress, texts)
    rows = material.rows_by_document()
    sides = {code: material.side(code, rows.get(code, [])) for code in material.documents}
    keys = {code: side_fingerprint(side) for code, side in sides.items()} if cache else {}
    known = cache.get((keys[x], keys[y]) for x, y in pairs) if cache else {}
    todo = [pair for pair in pairs if (keys.get(pair[0]), keys.get(pair[1])) not in known]
    found = dict(_match_pairs(sides, todo, calibration, workers, progress))
    if cache:
        cache.put(((keys[x], keys[y]), found[x, y]) for x, y in todo)
        cache.keep_only((keys[x], keys[y]) for x, y in pairs)
    result = CorpusMappings(compared=len(pairs), matched=len(todo))
    for x, y in pairs:
        held = found[x, y] if (x, y) in found else known[keys[x], keys[y]]
        mappings = as_mappings(held, sides[x], sides[y])
        result.mappings.extend(mappings)
        if material.documents[x]["kind"] == "unit" and material.documents[y]["kind"] == "standard":
            tasks = material.documents[y]["tasks"]
            result.coverage.append(unit_coverage(sides[x], sides[y], mappings, tasks))
    return result


def _match_pairs(
    sides: dict[str, Side],
    pairs: list[tuple[str, str]],
    calibration: Calibration,
    workers: int,
    progress: Callable[[str, int, int], None] | None,
) -> Iterator[tuple[tuple[str, str], list[MappingRow]]]:
    """Each pair's mappings (by rows), in the pairs' order; on several processes for many pairs."""
    if progress:
        progress("mapping", 0, len(pairs))
    if workers <= 1 or len(pairs) < PARALLEL_PAIRS:
        _start_matcher(sides, calibration)
        matched: Iterator[list[MappingRow]] = map(_match_one, pairs)
        yield from _reported(pairs, matched, progress)
        return
    with ProcessPoolExecutor(workers, initializer=_start_matcher, initargs=(sides, calibration)) as pool:
        chunk = max(1, min(64, len(pairs) // (workers * 16)))
        yield from _reported(pairs, pool.map(_match_one, pairs, chunksize=chunk), progress)


def _reported(
    pairs: list[tuple[str, str]],
    matched: Iterator[list[MappingRow]],
    progress: Callable[[str, int, int], None] | None,
) -> Iterator[tuple[tuple[str, str], list[MappingRow]]]:
    for done, (pair, rows) in enumerate(zip(pairs, matched, strict=True), 1):
        if progress and (done % 100 == 0 or done == len(pairs)):
            progress("mapping", done, len(pairs))
        yield pair, rows


PARALLEL_PAIRS = 200  # below this many pairs, starting processes costs more than it saves
_matcher: tuple[dict[str, Side], Calibration] | None = None  # a matching process's sides


def _start_matcher(sides: dict[str, Side], calibration: Calibration) -> None:
    global _matcher
    _matcher = (sides, calibration)


def _match_one(pair: tuple[str, str]) -> list[MappingRow]:
    assert _matcher is not None, "_start_matcher runs first"
    sides, calibration = _matcher
    return match_rows(sides[pair[0]], sides[pair[1]], calibration.scorer, calibration.thresholds)
