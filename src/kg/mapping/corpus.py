"""Every document pair of a build: which pairs to compare, their mappings and unit coverage.

Up to `EXHAUSTIVE_DOCUMENTS` documents, every pair is compared item by item. Beyond that,
each document is compared with its strongest partners: the documents with which it shares
the most item links, identical or close texts (`kg.mapping.link_counts`), so a unit and
every standard that embeds it (dozens of identical texts) always are. Every close link
of the corpus is kept besides, once per pair of distinct texts, whether or not its two
documents are compared (`CorpusMappings.links`, `kg:DistinctText` in the graph): a pair
that shares a single close item is not lost, only not matched item by item. A pair that
shares only related items (the weakest evidence, about one in three wrong) has no link.
"""

from __future__ import annotations

import gc
import itertools
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

from kg.mapping.calibration import Calibration
from kg.mapping.close_texts import CloseTextCache
from kg.mapping.incorporation import Coverage, unit_coverage
from kg.mapping.link_counts import LinkCountCache, link_counts, strongest_partners
from kg.mapping.matching import MappingRow, Side, as_mappings, match_rows
from kg.mapping.material import Material
from kg.mapping.model import Mapping
from kg.mapping.pair_cache import PairCache, side_fingerprint
from kg.mapping.text_links import TextLinks, text_links

EXHAUSTIVE_DOCUMENTS = 150


@dataclass
class CorpusMappings:
    mappings: list[Mapping] = field(default_factory=list)
    coverage: list[Coverage] = field(default_factory=list)
    compared: int = 0  # document pairs compared item by item
    matched: int = 0  # of them, matched in this build (the others' mappings were kept from an earlier one)
    links: TextLinks | None = None  # beyond the cut-off: every close link of the corpus


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
    counts: LinkCountCache | None = None,
) -> tuple[list[tuple[str, str]], TextLinks | None]:
    """The (oriented) document pairs to compare, and beyond the cut-off the corpus's close
    links (`texts`: close text pairs kept from the last build; `counts`: its link counts)."""
    kinds = {code: d["kind"] for code, d in material.documents.items()}
    codes = sorted(material.documents)
    links = None
    if len(codes) <= EXHAUSTIVE_DOCUMENTS:
        candidates = set(itertools.combinations(codes, 2))
    else:
        links = text_links(material, calibration, progress, texts)
        candidates = strongest_partners(link_counts(links, material, counts))
        links.earlier = {}  # read by the counts only: tens of megabytes
    return sorted(oriented(x, y, kinds) for x, y in candidates), links


@dataclass
class CorpusPlan:
    """What a corpus compares: the (oriented) pairs, beyond the cut-off its close links, and each
    document's side as matching reads it, with its fingerprint (`side_fingerprint`)."""

    pairs: list[tuple[str, str]]
    links: TextLinks | None
    sides: dict[str, Side]
    keys: dict[str, str]

    def led(self) -> dict[str, list[tuple[str, str]]]:
        """The pairs by the document leading them (the first of each), in order."""
        found: dict[str, list[tuple[str, str]]] = {}
        for pair in self.pairs:
            found.setdefault(pair[0], []).append(pair)
        return found

    def mappings(self, pair: tuple[str, str], rows: list[MappingRow]) -> list[Mapping]:
        return as_mappings(rows, self.sides[pair[0]], self.sides[pair[1]])

    def coverage(self, material: Material, pair: tuple[str, str], mappings: list[Mapping]) -> Coverage | None:
        """How much of the unit the standard's tasks cover, for a unit-standard pair."""
        x, y = pair
        if material.documents[x]["kind"] != "unit" or material.documents[y]["kind"] != "standard":
            return None
        return unit_coverage(self.sides[x], self.sides[y], mappings, material.documents[y]["tasks"])


def plan_corpus(
    material: Material,
    calibration: Calibration,
    progress: Callable[[str, int, int], None] | None = None,
    texts: CloseTextCache | None = None,
    counts: LinkCountCache | None = None,
) -> CorpusPlan:
    """The pairs to compare (`document_pairs`) and the sides matching reads."""
    pairs, links = document_pairs(material, calibration, progress, texts, counts)
    rows = material.rows_by_document()
    sides = {code: material.side(code, rows.get(code, [])) for code in material.documents}
    return CorpusPlan(pairs, links, sides, {code: side_fingerprint(side) for code, side in sides.items()})


def pair_rows(
    plan: CorpusPlan,
    pairs: list[tuple[str, str]],
    calibration: Calibration,
    progress: Callable[[str, int, int], None] | None = None,
    workers: int = 1,
    cache: PairCache | None = None,
) -> tuple[dict[tuple[str, str], list[MappingRow]], int]:
    """The mapping rows of each of `pairs`, and how many pairs were matched: a pair the `cache`
    holds (both documents unchanged) is not matched again; the others are, on `workers`
    processes, and put in the cache."""
    keys = plan.keys
    known = cache.get((keys[x], keys[y]) for x, y in pairs) if cache else {}
    todo = [pair for pair in pairs if (keys[pair[0]], keys[pair[1]]) not in known]
    found = dict(_match_pairs(plan.sides, todo, calibration, workers, progress))
    if cache:
        cache.put(((keys[x], keys[y]), found[x, y]) for x, y in todo)
    rows = {(x, y): found[x, y] if (x, y) in found else known[keys[x], keys[y]] for x, y in pairs}
    return rows, len(todo)


def map_corpus(
    material: Material,
    calibration: Calibration,
    progress: Callable[[str, int, int], None] | None = None,
    workers: int = 1,
    cache: PairCache | None = None,
    texts: CloseTextCache | None = None,
    counts: LinkCountCache | None = None,
) -> CorpusMappings:
    """Match every compared document pair, and measure how much of each unit a standard's task covers.

    Pairs are matched on `workers` processes; pairs the `cache` holds (both documents
    unchanged) are not matched again, and the cache is left holding this corpus's pairs.
    `texts` keeps the close text pairs that decide which pairs are compared, `counts` the
    item links they make per document pair. (A build
    works leader by leader instead, keeping what did not change: `kg.mapping.stage`.)
    """
    plan = plan_corpus(material, calibration, progress, texts, counts)
    rows, matched = pair_rows(plan, plan.pairs, calibration, progress, workers, cache)
    if cache:
        cache.keep_only((plan.keys[x], plan.keys[y]) for x, y in plan.pairs)
    result = CorpusMappings(compared=len(plan.pairs), matched=matched, links=plan.links)
    for pair in plan.pairs:
        mappings = plan.mappings(pair, rows[pair])
        result.mappings.extend(mappings)
        coverage = plan.coverage(material, pair, mappings)
        if coverage is not None:
            result.coverage.append(coverage)
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
        _set_matcher((sides, calibration))  # here: the collector stays as the build set it (kg.collector)
        try:
            matched: Iterator[list[MappingRow]] = map(_match_one, pairs)
            yield from _reported(pairs, matched, progress)
        finally:
            _set_matcher(None)  # every document's side is not kept past the build (hundreds of MB)
        return
    with ProcessPoolExecutor(workers, initializer=_start_worker, initargs=(sides, calibration)) as pool:
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


def _start_worker(sides: dict[str, Side], calibration: Calibration) -> None:
    gc.enable()  # forked from a build that paused it (kg.builder)
    _set_matcher((sides, calibration))


def _set_matcher(matcher: tuple[dict[str, Side], Calibration] | None) -> None:
    global _matcher
    _matcher = matcher


def _match_one(pair: tuple[str, str]) -> list[MappingRow]:
    assert _matcher is not None, "_set_matcher runs first"
    sides, calibration = _matcher
    return match_rows(sides[pair[0]], sides[pair[1]], calibration.scorer, calibration.thresholds)
