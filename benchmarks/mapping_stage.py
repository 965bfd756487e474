"""Benchmark: what a build's mapping stage (`kg.mapping.stage.map_in_parts`) costs, on a finished build.

The mapping stage works leader by leader (the first document of each compared pair): a leader
whose pairs and their sides are what they were in the previous build has its SSSOM rows part
(`mappings/pairs/<code>.tsv`) and its graph part (`graph/pairs/<code>.nq`) hard-linked from
it; only the other leaders' pairs are read from the pair cache or matched, and written. Then
the `overlap` graph part, the `texts/` graph parts (linked when their key matches; made only
beyond `EXHAUSTIVE_DOCUMENTS` = 150 documents, when the pairs are chosen by close links) and
the mapping files (the SSSOM table put together from the parts, coverage.json, matched.tsv,
meta.json) are written. This runs it on the live build of a build folder, with that folder's
pair and close-text caches (as the next `kg build` would find them: no pair left to match),
and times each step without a profiler (cProfile inflates the writers' per-line Python):

- material: the build's items, vectors and task scopes read back (`Material.load`);
- pair choice: the close links and each document's strongest partners (`document_pairs`);
  each stage below chooses the pairs again (`plan_corpus`), so this is part of its time;
- stage, every part made: `map_in_parts` into a scratch build with no previous build, so every
  leader's pairs are read from the pair cache and every part is written: what a first build
  after an upgrade, or a `--clean` build, spends in the stage (less any matching);
- stage, parts linked: `map_in_parts` into a second scratch build with the first as the
  previous build, so every leader's parts are linked: what an incremental build in which no
  pair and no side changed spends in the stage;
- stage, one leader changed: the same into a third scratch build after the SSSOM part of one
  leader (the one with the most rows) was taken out of the first scratch build's index
  (`mappings/pairs/parts.json`), so that leader's pairs are read from the pair cache and its
  parts written again, and every other leader's linked. A changed document changes the key
  of every leader with a pair it is in, so this is a lower bound for a real change.

Each stage's counts are recorded beside its seconds: mappings (SSSOM rows), pairs compared
and matched, leaders and leaders linked, graph parts and those linked (and how many are
`texts/` parts), graph lines and bytes (the `mappings` graph's parts), SSSOM bytes. Results
from before the stage was kept in parts (benchmarks/results/mapping_stage_3000.json) timed
`map_corpus`, the files (`write_mappings`) and the graph lines apart, and are not comparable
step by step.

    python benchmarks/mapping_stage.py --build-dir /path/to/build-folder [--output results.json]

The scratch builds go to a temporary folder in the build folder (on its file system, so parts
can be hard-linked), are given the loaded material (no `search/` or `documents.json` is read
from them), and are removed. The caches are read: each stage's `PairCache.keep_only` keeps
the pairs of the same corpus, so the build folder's pair cache is left as it was. The results
are printed, and written as JSON only to `--output`. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TypeVar

from common import machine

from kg.graph.vocabulary import Iris
from kg.mapping.calibration import calibration_for
from kg.mapping.close_texts import CloseTextCache
from kg.mapping.corpus import document_pairs
from kg.mapping.material import Material
from kg.mapping.pair_cache import PairCache, matching_fingerprint
from kg.mapping.stage import SssomParts, StageReport, map_in_parts
from kg.pipeline import default_workers
from kg.store.layout import MAPPINGS_FOLDER, PARTS_FILE, SSSOM_FILE, current_build, pair_cache, read_manifest
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
    counts: dict[str, dict[str, object]] = {}
    material = timed(seconds, "material", lambda: Material.load(build))
    calibration, _ = calibration_for(material.embedder)
    matching = matching_fingerprint(calibration.to_dict())
    iris = Iris(str(read_manifest(build)["base_iri"]))  # the build's own, whatever the settings say
    cache = PairCache(pair_cache(build_dir), matching)
    texts = CloseTextCache.of(build_dir, calibration, material.embedder)
    map_stage = partial(  # as the builder calls it, but for the folders
        map_in_parts,
        material=material,
        calibration=calibration,
        iris=iris,
        matching=matching,
        workers=default_workers(),
        cache=cache,
        texts=texts,
    )
    scratch = Path(tempfile.mkdtemp(prefix="mapping-stage-", dir=build_dir))
    try:
        timed(seconds, "pair choice", lambda: document_pairs(material, calibration, texts=texts))

        def stage(name: str, folder: Path, previous: Path | None) -> None:
            def run() -> tuple[StageReport, GraphParts, int]:
                graph = PartsWriter(folder, previous)
                report = map_stage(folder, graph=graph, previous=previous)
                return report, graph.close(), graph.linked

            report, graph, linked = timed(seconds, name, run)
            counts[name] = _counts(folder, report, graph, linked)

        made, linked, one = scratch / "made", scratch / "linked", scratch / "one"
        stage("stage, every part made", made, None)
        stage("stage, parts linked", linked, made)
        leader = _drop_largest_leader(made)
        if leader is not None:
            stage("stage, one leader changed", one, made)
            counts["stage, one leader changed"]["leader"] = leader
    finally:
        cache.close()
        texts.close()
        shutil.rmtree(scratch, ignore_errors=True)
    first = counts["stage, every part made"]
    return {
        "machine": machine(),
        "build": build.name,
        "documents": len(material.documents),
        "pairs_compared": first["pairs_compared"],
        "pairs_matched": first["pairs_matched"],
        "mappings": first["mappings"],
        "counts": counts,
        "seconds": seconds,
    }


def _counts(folder: Path, report: StageReport, graph: GraphParts, linked: int) -> dict[str, object]:
    """What one run of the stage made: its report's counts, and the `mappings` graph's parts
    it wrote (the graph writer holds only the stage's parts here)."""
    sssom = SssomParts(folder)
    return {
        "mappings": report.mappings,
        "pairs_compared": report.compared,
        "pairs_matched": report.matched,
        "leaders": len(sssom.parts),
        "leaders_linked": report.linked,
        "graph_parts": len(graph.parts),
        "graph_parts_linked": linked,
        "text_parts": sum(name.startswith("texts/") for name in graph.parts),
        "close_text_parts": sum(name.startswith("close-texts/") for name in graph.parts),
        "graph_lines": graph.lines,
        "graph_bytes": sum(path.stat().st_size for path in graph.files()),
        "sssom_bytes": (folder / MAPPINGS_FOLDER / SSSOM_FILE).stat().st_size,
    }


def _drop_largest_leader(build_path: Path) -> str | None:
    """Take the leader with the most SSSOM rows out of the SSSOM parts' index of `build_path`,
    so that a build with it as the previous one makes that leader's parts again; its name."""
    index_path = build_path / SssomParts.FOLDER / PARTS_FILE
    index = json.loads(index_path.read_text(encoding="utf-8"))
    if not index["parts"]:
        return None
    leader = max(index["parts"], key=lambda name: (index["parts"][name]["lines"], name))
    del index["parts"][leader]
    index_path.write_text(json.dumps(index, indent=0), encoding="utf-8")
    return leader


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
