"""Benchmark: where an incremental build's mapping stage spends its time, on a finished build.

An incremental build that changed one document matches a handful of pairs again, yet its
mapping stage takes minutes at 3,000 documents: every file is made again from the caches
(the mappings graph's parts are linked from the live build when made from the same inputs).
This runs the stage's parts one by one on the live build of a build folder, with that
folder's pair and close-text caches (as the next `kg build` would find them, no pair left to
match), and times each without a profiler (cProfile inflates the per-line Python of the
writers two to three times):

- material: the build's items, vectors and task scopes read back (`Material.load`);
- pair choice: the close links and each document's strongest partners (`document_pairs`);
- map_corpus: pair choice again, the pair cache read, the mappings and unit coverage made;
- files: the SSSOM table, coverage.json, matched.tsv and meta.json (`write_mappings`);
- parts made: the mappings graph's parts (`mapping_parts`) written by `PartsWriter` into a
  scratch build with no previous build, so every part is made (its lines made and sorted):
  what a first or `--clean` build spends on the mappings graph;
- parts linked: the same into a second scratch build with the first as the previous build,
  so every part with a key is hard-linked and only the keys are worked out (the parts made
  anew every build, `overlap`, are written again): what a build in which no document pair
  and no close text changed spends on the mappings graph.

The mappings graph used to be timed as one stream of lines (`mapping_nquads`) and one sort
of them ("graph lines", "into the sorter", "sorter close" in results before the graph was
written in parts); "mapping_graph_lines" and "mapping_graph_bytes" now count the made parts.

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
from kg.mapping.graph_parts import mapping_parts
from kg.mapping.material import Material
from kg.mapping.pair_cache import PairCache, matching_fingerprint
from kg.pipeline import default_workers
from kg.store.layout import current_build, pair_cache, read_manifest
from kg.store.parts import GraphParts, PartsWriter

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
    matching = matching_fingerprint(calibration.to_dict())
    pairs = PairCache(pair_cache(build_dir), matching)
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

        def write_parts(folder: Path, previous: Path | None) -> tuple[GraphParts, int]:
            writer = PartsWriter(folder, previous)
            for name, key, make in mapping_parts(result, material.items, iris, matching):
                writer.put(name, key, make)
            return writer.close(), writer.linked

        made, _ = timed(seconds, "parts made", lambda: write_parts(scratch / "made", None))
        size = sum(path.stat().st_size for path in made.files())
        _, linked = timed(seconds, "parts linked", lambda: write_parts(scratch / "linked", scratch / "made"))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return {
        "machine": machine(),
        "build": build.name,
        "documents": len(material.documents),
        "pairs_compared": result.compared,
        "pairs_matched": result.matched,
        "mappings": len(result.mappings),
        "mapping_graph_lines": made.lines,
        "mapping_graph_bytes": size,
        "mapping_graph_parts": len(made.parts),
        "mapping_graph_parts_linked": linked,
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
