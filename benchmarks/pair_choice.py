"""Benchmark: the pair choice of a large build (which document pairs are matched), step by step.

On a finished build beyond the exhaustive cut-off (a 3,000-document one of
`benchmarks/corpus.py`, built by `kg build`; `benchmarks/mapping_scale.py` runs this on each
of its builds after the incremental ones), with the build
folder's close-text cache, median of --repeats runs of each:
- the close links between distinct texts (`text_links`, every text known to the cache);
- the link counts of every document pair counted afresh (`link_counts` without a kept count)
  and updated from kept counts (`kg.mapping.link_counts`: the live build's counts, copied to
  a temporary file; a build where one document changed updates the terms of its few texts,
  here none changed, so this is the fixed cost: reading, copying and writing the counts);
- each document's strongest partners;
- the `texts/` and `close-texts/` parts' keys (`kg.mapping.graph_parts.text_parts`).
It checks that the updated counts equal those counted afresh.

    python benchmarks/pair_choice.py --build-dir /tmp/kg-scale/build-3000

Reports the machine. Not a test: nothing here asserts a time. The build folder's caches are
read, not written (the close texts of an unchanged build are not written back).
"""

from __future__ import annotations

import argparse
import gc
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from common import machine

from kg.graph.vocabulary import Iris
from kg.mapping.calibration import calibration_for
from kg.mapping.close_texts import CloseTextCache
from kg.mapping.graph_parts import text_parts
from kg.mapping.link_counts import LinkCountCache, link_counts, strongest_partners
from kg.mapping.material import Material
from kg.mapping.text_links import text_links
from kg.settings import Settings
from kg.store.layout import current_build, link_count_cache


def median_seconds(work: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return round(statistics.median(times), 3)


def run(build_dir: Path, repeats: int) -> dict[str, object]:
    was = gc.isenabled()
    gc.disable()  # as in a build (kg.collector)
    try:
        return _run(build_dir, repeats)
    finally:
        if was:
            gc.enable()


def _run(build_dir: Path, repeats: int) -> dict[str, object]:
    material = Material.load(current_build(build_dir))
    calibration, _ = calibration_for(material.embedder)
    texts = CloseTextCache.of(build_dir, calibration, material.embedder)
    links = text_links(material, calibration, cache=texts)
    kept = link_count_cache(build_dir)
    if not kept.is_file():
        sys.exit(f"{kept} is missing: build {build_dir} again with this version of kg first")
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / kept.name
        shutil.copy(kept, copy)
        counts = LinkCountCache(copy, LinkCountCache.of(build_dir, texts.fingerprint).fingerprint)
        afresh, updated = link_counts(links, material), link_counts(links, material, counts)
        if updated.codes != afresh.codes or not np.array_equal(updated.matrix, afresh.matrix):
            sys.exit("the updated link counts differ from those counted afresh")
        iris = Iris(Settings.load(build_dir=build_dir).base_iri)

        def keys() -> list[object]:
            return list(text_parts(links, material.items, iris, ""))

        seconds = {
            "text_links": median_seconds(lambda: text_links(material, calibration, cache=texts), repeats),
            "link_counts_afresh": median_seconds(lambda: link_counts(links, material), repeats),
            "link_counts_updated": median_seconds(lambda: link_counts(links, material, counts), repeats),
            "strongest_partners": median_seconds(lambda: strongest_partners(afresh), repeats),
            "texts_parts_keys": median_seconds(
                lambda: list(text_parts(links, material.items, iris, "")), repeats
            ),
        }
    return {
        "machine": machine(),
        "build": str(build_dir),
        "documents": len(material.documents),
        "distinct_texts": sum(len(group.texts) for group in links.groups.values()),
        "close_links": links.close_links(),
        "repeats": repeats,
        "median_seconds": seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--build-dir", type=Path, required=True)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--output", type=Path, help="also write the results as JSON here")
    args = parser.parse_args()
    result = run(args.build_dir, args.repeats)
    text = json.dumps(result, indent=1, ensure_ascii=False)
    print(text)
    if args.output:
        args.output.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
