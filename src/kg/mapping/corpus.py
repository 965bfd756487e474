"""Every document pair of a build: which pairs to compare, their mappings and unit coverage.

Up to `EXHAUSTIVE_DOCUMENTS` documents, every pair is compared item by item. Beyond that,
each document is compared with its strongest partners: the documents with which it shares
the most item links, identical or close texts (`kg.mapping.text_links`), so a unit and
every standard that embeds it (dozens of identical texts) always are. Every close link
of the corpus is kept besides, once per pair of distinct texts, whether or not its two
documents are compared (`CorpusMappings.links`, `kg:DistinctText` in the graph): a pair
that shares a single close item is not lost, only not matched item by item. A pair that
shares only related items (the weakest evidence, about one in three wrong) has no link.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

from kg.mapping.calibration import Calibration
from kg.mapping.close_texts import CloseTextCache
from kg.mapping.incorporation import Coverage, unit_coverage
from kg.mapping.matching import MappingRow, Side, as_mappings, match_rows
from kg.mapping.material import Material
from kg.mapping.model import Mapping
from kg.mapping.pair_cache import PairCache, side_fingerprint
from kg.mapping.text_links import TextLinks, link_counts, strongest_partners, text_links

EXHAUSTIVE_DOCUMENTS = 150


@dataclass
class CorpusMappings:
    mappings: list[Mapping] = field(default_factory=list)
    coverage: list[Coverage] = field(default_factory=list)
    compared: int = 0  # document pairs compared item by item
    matched: int = 0  # of them, matched in this build (the others' mappings were kept from an earlier one)
    links: TextLinks | None = None  # beyond the cut-off: every close link of the corpus
    by_pair: dict[tuple[str, str], list[Mapping]] = field(default_factory=dict)  # compared pairs, in order
    keys: dict[str, str] = field(default_factory=dict)  # each document's side fingerprint (with a cache)


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
) -> tuple[list[tuple[str, str]], TextLinks | None]:
    """The (oriented) document pairs to compare, and beyond the cut-off the corpus's close
    links (`texts`: close text pairs kept from the last build)."""
    kinds = {code: d["kind"] for code, d in material.documents.items()}
    codes = sorted(material.documents)
    links = None
    if len(codes) <= EXHAUSTIVE_DOCUMENTS:
        candidates = set(itertools.combinations(codes, 2))
    else:
        links = text_links(material, calibration, progress, texts)
        candidates = strongest_partners(link_counts(links, material))
    return sorted(oriented(x, y, kinds) for x, y in candidates), links


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
    pairs, links = document_pairs(material, calibration, progress, texts)
    rows = material.rows_by_document()
    sides = {code: material.side(code, rows.get(code, [])) for code in material.documents}
    keys = {code: side_fingerprint(side) for code, side in sides.items()}
    known = cache.get((keys[x], keys[y]) for x, y in pairs) if cache else {}
    todo = [pair for pair in pairs if (keys.get(pair[0]), keys.get(pair[1])) not in known]
    found = dict(_match_pairs(sides, todo, calibration, workers, progress))
    if cache:
        cache.put(((keys[x], keys[y]), found[x, y]) for x, y in todo)
        cache.keep_only((keys[x], keys[y]) for x, y in pairs)
    result = CorpusMappings(compared=len(pairs), matched=len(todo), links=links, keys=keys)
    for x, y in pairs:
        held = found[x, y] if (x, y) in found else known[keys[x], keys[y]]
        mappings = result.by_pair[x, y] = as_mappings(held, sides[x], sides[y])
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
