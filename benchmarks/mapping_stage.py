"""Benchmark: where an incremental build's mapping stage spends its time, on a finished build.

An incremental build that changed one document matches a handful of pairs again, yet its
mapping stage takes minutes at 3,000 documents: every output is made again from the caches.
This runs the stage's parts one by one on the live build of a build folder, with that
folder's pair and close-text caches (as the next `kg build` would find them, no pair left to
match), and times each without a profiler (cProfile inflates the per-line Python of the
writers two to three times):

- material: the build's items, vectors and task scopes read back (`Material.load`);
- pair choice: the close links and each document's strongest partners (`document_pairs`);
- map_corpus: pair choice again, the pair cache read, the mappings and unit coverage made;
- files: the SSSOM table, coverage.json, matched.tsv and meta.json (`write_mappings`);
- graph lines: the mappings graph as N-Quads text (`mapping_nquads`), alone;
- into the sorter: the same lines written into `SortedLines` (sorted runs spilled);
- sorter close: those runs merged into one file (what the build's sort stage adds per line).

    python benchmarks/mapping_stage.py --build-dir /path/to/build-folder

The outputs go to a temporary folder beside the build folder and are removed; the caches are
read, and left holding the same pairs. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from common import machine

from kg.graph.vocabulary import Iris
from kg.mapping.calibration import calibration_for
from kg.mapping.close_texts import CloseTextCache
from kg.mapping.corpus import document_pairs, map_corpus
from kg.mapping.files import write_mappings
from kg.mapping.material import Material
from kg.mapping.pair_cache import PairCache, matching_fingerprint
from kg.mapping.rdf import mapping_nquads
from kg.pipeline import default_workers
from kg.store.layout import current_build, pair_cache, read_manifest
from kg.store.sorting import SortedLines

T = TypeVar("T")


def timed(seconds: dict[str, float], name: str, run: Callable[[], T]) -> T:
    started = time.perf_counter()
    result = run()
    seconds[name] = round(time.perf_counter() - started, 1)
    print(f"{name}: {seconds[name]} s", flush=True)
    return result


def measure(build_dir: Path) -> dict[str, object]:
    build = current_build(build_dir)
    seconds: dict[str, float] = {}
    material = timed(seconds, "material", lambda: Material.load(build))
    calibration, _ = calibration_for(material.embedder)
    pairs = PairCache(pair_cache(build_dir), matching_fingerprint(calibration.to_dict()))
    texts = CloseTextCache.of(build_dir, calibration, material.embedder)
    try:
        timed(seconds, "pair choice", lambda: document_pairs(material, calibration, texts=texts))
        result = timed(
            seconds,
            "map_corpus",
            lambda: map_corpus(material, calibration, None, default_workers(), pairs, texts),
        )
    finally:
        pairs.close()
        texts.close()
    iris = Iris(str(read_manifest(build)["base_iri"]))  # the build's own, whatever the settings say
    scratch = Path(tempfile.mkdtemp(prefix="mapping-stage-", dir=build_dir))
    try:
        timed(seconds, "files", lambda: write_mappings(scratch, result, material, iris.base, calibration))

        def lines() -> int:
            chunks = mapping_nquads(result.mappings, result.coverage, iris, result.links, material.items)
            return sum(len(chunk) for chunk in chunks)

        size = timed(seconds, "graph lines", lines)
        sorter = SortedLines(scratch / "mappings.nq")

        def into_sorter() -> None:
            for chunk in mapping_nquads(result.mappings, result.coverage, iris, result.links, material.items):
                sorter.write(chunk)

        timed(seconds, "into the sorter", into_sorter)
        written = timed(seconds, "sorter close", sorter.close)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return {
        "machine": machine(),
        "build": build.name,
        "documents": len(material.documents),
        "pairs_compared": result.compared,
        "pairs_matched": result.matched,
        "mappings": len(result.mappings),
        "mapping_graph_lines": written,
        "mapping_graph_bytes": size,
        "seconds": seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--build-dir", type=Path, required=True, help="a build folder with a finished build")
    parser.add_argument("--output", type=Path, help="also write the results as JSON here")
    args = parser.parse_args()
    results = measure(args.build_dir)
    print(json.dumps(results, ensure_ascii=False, indent=1))
    if args.output:
        args.output.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
