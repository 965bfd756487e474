"""The mapping stage of a build, kept in parts by the document that leads each pair.

A compared pair (x, y) is led by x (`kg.mapping.corpus.oriented`: the unit of a unit and a
standard, else the smaller code). All a build writes of a pair depends on the pair alone:
its mappings (the pair cache's rule), their SSSOM rows, its matched-item counts and unit
coverage, its lines in the `mappings` graph. So the stage goes leader by leader: a leader
whose pairs and their two sides are what they were in the live build (the same key) takes
its parts from it (hard links), and only the others' pairs are read from the pair cache or
matched, turned into mappings and written. What is made from every pair at once (the pairs'
ranks, the SSSOM file, matched.tsv, coverage.json) is then put together from the parts and
their summaries, without making any mapping again.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kg.graph.vocabulary import Iris
from kg.mapping.calibration import Calibration
from kg.mapping.close_texts import CloseTextCache
from kg.mapping.corpus import CorpusPlan, pair_rows, plan_corpus
from kg.mapping.files import coverage_lines, matched_of, matched_tsv, write_mapping_files
from kg.mapping.graph_parts import code_fingerprint, pair_part_key, pair_part_lines, text_parts
from kg.mapping.link_counts import LinkCountCache
from kg.mapping.material import Material
from kg.mapping.model import RELATIONS, Mapping
from kg.mapping.pair_cache import PairCache
from kg.mapping.rdf import encoded, incorporations, overlap_lines
from kg.mapping.sssom import join_sssom_files, sssom_rows
from kg.mapping.text_links import TextLinks
from kg.store.layout import (
    MAPPING_MATCHED_FOLDER,
    MAPPING_PARTS_FOLDER,
    MAPPING_SUMMARIES_FOLDER,
    MAPPINGS_FOLDER,
)
from kg.store.parts import GraphParts, PartsWriter, part_name, safe_name


class SssomParts(GraphParts):
    """Each leading document's SSSOM rows, in the order the SSSOM file holds them."""

    FOLDER, SUFFIX, SORTED = f"{MAPPINGS_FOLDER}/{MAPPING_PARTS_FOLDER}", ".tsv", False


class MatchedParts(GraphParts):
    """Each leading document's lines of matched.tsv (`matched_items`), in no order: the file
    sorts them all."""

    FOLDER, SUFFIX, SORTED = f"{MAPPINGS_FOLDER}/{MAPPING_MATCHED_FOLDER}", ".tsv", False


class SummaryParts(GraphParts):
    """What the rest of the stage needs of each leading document's pairs (`_summary`): a line of
    JSON, then its unit coverage records a line each, as coverage.json holds them (copied, not
    parsed and encoded again: 12 MB at 3,000 documents)."""

    FOLDER, SUFFIX, SORTED = f"{MAPPINGS_FOLDER}/{MAPPING_SUMMARIES_FOLDER}", ".json", False


@dataclass
class StageReport:
    compared: int = 0  # document pairs compared item by item
    matched: int = 0  # of them, matched in this build (the others kept from the cache or the live build)
    linked: int = 0  # leading documents whose parts were linked from the live build
    mappings: int = 0
    incorporated: list[tuple[str, str, str, float]] = field(default_factory=list)  # `incorporations`
    links: TextLinks | None = None
    seconds: dict[str, float] = field(default_factory=dict)  # plan, pairs, parts, files


def map_in_parts(
    folder: Path,
    material: Material,
    calibration: Calibration,
    iris: Iris,
    graph: PartsWriter,
    previous: Path | None,
    matching: str,
    progress: Callable[[str, int, int], None] | None = None,
    workers: int = 1,
    cache: PairCache | None = None,
    texts: CloseTextCache | None = None,
    link_counts: LinkCountCache | None = None,
    write: Callable[[Callable[[], None]], object] | None = None,
) -> StageReport:
    """Map the build in `folder` (its `material`) into the mapping files and the `mappings` graph's
    parts (`graph`), taking what did not change from the `previous` build; `matching`
    fingerprints the matching (code and calibration). `write` runs the work that writes the
    mapping files (a build runs it in a thread, `kg.background`); by default it is done
    at once."""
    clock = _Clock()
    plan = plan_corpus(material, calibration, progress, texts, link_counts)
    clock.lap("plan")
    code = code_fingerprint(f"{iris.base}\0{matching}\0{material.embedder}")
    rows_out = PartsWriter(folder, previous, SssomParts)
    summaries_out = PartsWriter(folder, previous, SummaryParts)
    matched_out = PartsWriter(folder, previous, MatchedParts)
    led = plan.led()
    tasks = _TaskTitles(material)
    keys = {leader: pair_part_key(code, ps, plan.keys, tasks.read_by(ps)) for leader, ps in led.items()}
    kept = {
        leader
        for leader, key in keys.items()
        if rows_out.known(safe_name(leader), key)
        and summaries_out.known(safe_name(leader), key)
        and matched_out.known(safe_name(leader), key)
        and graph.known(part_name("pairs", leader), key)
    }
    todo = [pair for leader, pairs in led.items() if leader not in kept for pair in pairs]
    rows, matched = pair_rows(plan, todo, calibration, progress, workers, cache)
    if cache:
        cache.keep_only((plan.keys[x], plan.keys[y]) for x, y in plan.pairs)
    clock.lap("pairs")
    for leader, pairs in led.items():
        name, key = safe_name(leader), keys[leader]
        if leader in kept:
            rows_out.reuse(name, key)
            summaries_out.reuse(name, key)
            matched_out.reuse(name, key)
            graph.reuse(part_name("pairs", leader), key)
            continue
        mappings = {pair: plan.mappings(pair, rows.pop(pair)) for pair in pairs}
        every = [m for held in mappings.values() for m in held]
        text = encoded(sssom_rows(every, iris.base, material.embedder))
        rows_out.write(name, text, key)
        summaries_out.write(name, [_summary(plan, material, mappings)], key)
        counted = matched_of(m for held in mappings.values() for m in held)
        matched_out.write(name, [matched_tsv(counted)], key)
        graph.write(part_name("pairs", leader), pair_part_lines(mappings, iris), key)
    made, summarised, matched_parts = rows_out.close(), summaries_out.close(), matched_out.close()
    summaries, coverage = [], []
    for leader in led:
        first, _, records = summarised.path(safe_name(leader)).read_bytes().partition(b"\n")
        summaries.append(json.loads(first))
        coverage.append(records)
    report = StageReport(len(plan.pairs), matched, len(kept), made.lines, links=plan.links)
    report.incorporated = [tuple(found) for summary in summaries for found in summary["incorporated"]]
    counts = [
        ((leader, other), dict(zip(RELATIONS, numbers, strict=True)))
        for leader, summary in zip(led, summaries, strict=True)
        for other, *numbers in summary["counts"]
    ]
    files = [made.path(safe_name(leader)) for leader in led]
    matched_files = [matched_parts.path(safe_name(leader)) for leader in led]

    def sssom(path: Path) -> int:
        join_sssom_files(path, files, iris.base, material.embedder)
        return made.lines

    def write_files() -> None:
        joined = b"".join(coverage)
        compared = len(plan.pairs)
        lines = b"".join(path.read_bytes() for path in matched_files)
        write_mapping_files(folder, sssom, joined, lines, material, iris.base, calibration, compared)

    (write or _at_once)(write_files)
    clock.lap("files")
    graph.write("overlap", encoded(overlap_lines(counts, report.incorporated, iris)))
    if plan.links is not None:
        for part, key, make in text_parts(plan.links, material.items, iris, code):
            graph.put(part, key, make)
    clock.lap("parts")
    report.seconds = clock.laps
    return report


def _at_once(work: Callable[[], None]) -> None:
    work()


class _Clock:
    """Seconds between laps, by name."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = now - self.last
        self.last = now


def _summary(plan: CorpusPlan, material: Material, mappings: dict[tuple[str, str], list[Mapping]]) -> bytes:
    """What the rest of the stage needs of a leader's pairs: per pair with mappings, their count
    by relation; the units incorporated
    (`incorporations`); then the unit coverage records (`coverage_lines`)."""
    counts = []
    coverage = []
    for (_, other), held in mappings.items():
        if held:
            counted = Counter(m.relation for m in held)
            counts.append([other, *(counted[relation] for relation in RELATIONS)])
    for pair, held in mappings.items():
        found = plan.coverage(material, pair, held)
        if found is not None:
            coverage.append(found.to_dict())
    summary = {"counts": counts, "incorporated": list(incorporations(coverage))}
    return (json.dumps(summary, ensure_ascii=False) + "\n").encode("utf-8") + coverage_lines(coverage)


class _TaskTitles:
    """The task titles a leader's unit coverage reads (a unit's standards'), as one string;
    each standard's encoded once (thousands of units read the same few hundred)."""

    def __init__(self, material: Material) -> None:
        self.documents = material.documents
        self.encoded: dict[str, str] = {}

    def read_by(self, pairs: list[tuple[str, str]]) -> str:
        if self.documents[pairs[0][0]]["kind"] != "unit":
            return ""
        return "\n".join(f"{y}\t{self._of(y)}" for _, y in pairs if self.documents[y]["kind"] == "standard")

    def _of(self, standard: str) -> str:
        if standard not in self.encoded:
            tasks = self.documents[standard]["tasks"]
            self.encoded[standard] = json.dumps(tasks, ensure_ascii=False, sort_keys=True)
        return self.encoded[standard]
