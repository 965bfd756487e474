"""Writing a new build's store: the one place that picks a full load or an update of the live
build's store by the difference between the two builds' graphs.

A full load (`kg.store.oxigraph.create_store`) reads every quad; at 1,000 documents it is
the longest step of a build that changed one document. When the live build has a store and
its graph in parts (`kg.store.parts`), the new store is instead a checkpoint of the live one
(hard links, cheap) with the lines only in the old graph removed and those only in the new
one added, found in the parts whose bytes changed (`kg.store.delta`). Either way the store
holds exactly the quads of the new graph's parts.

A full load is taken with `--clean`, without a usable live build, when more than
`DELTA_SHARE` of the new graph's lines differ (removed + added: then applying them one by
one costs about as much as loading everything), or when anything in the update fails; the
partly written store is then removed first. The live build is only read.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import KgError
from kg.store.delta import NoDelta, diff_parts
from kg.store.layout import STORE_FOLDER, live_build, read_manifest
from kg.store.oxigraph import StoreMismatch, create_store, update_store
from kg.store.parts import GraphParts

# Above this share of the new graph's lines (removed + added), a full load is taken.
# Measured (benchmarks/store_delta.py, 1.7 million lines): updating 20% of the lines took
# 0.48 times a full load, 50% took 1.18 times; so about 40% is even, and 30% leaves a margin.
DELTA_SHARE = 0.3


@dataclass
class StoreMade:
    """A new store: each named graph's triple count (by IRI), how it was made (for the manifest:
    {"mode": "delta", "removed": m, "added": n, "from": build id} or {"mode": "full", "reason": ...}),
    and the seconds spent comparing the two graphs."""

    counts: dict[str, int]
    how: dict[str, object] = field(default_factory=dict)
    compare_seconds: float = 0.0


def write_store(folder: Path, parts: GraphParts, build_dir: Path, clean: bool) -> StoreMade:
    """Make the store of the build being written in `folder` from its graph's `parts`, by delta
    from the live build of `build_dir` when that pays and `clean` is not set."""
    started = time.perf_counter()
    compared, lines = 0.0, parts.lines
    previous = None if clean else live_build(build_dir)
    live, reason = _live_parts(previous, clean)
    if previous is not None and live is not None:
        try:
            delta = diff_parts(live, parts, limit=int(DELTA_SHARE * lines))
        except NoDelta as exc:
            reason = str(exc)
            compared = time.perf_counter() - started
        else:
            compared = time.perf_counter() - started
            try:
                counts = update_store(previous, folder, delta.removed, delta.added, _counts(previous))
            except StoreMismatch as exc:
                reason = f"{exc}: the live build's store is not its graph"
            except OSError as exc:
                reason = f"the live build's store could not be updated ({exc})"
            else:
                if sum(counts.values()) == delta.new_lines == lines:
                    how = {"mode": "delta", "removed": len(delta.removed), "added": len(delta.added)}
                    return StoreMade(counts, how | {"from": previous.name}, compared)
                reason = f"the updated store holds {sum(counts.values())} quads, the graph {lines} lines"
            shutil.rmtree(folder / STORE_FOLDER, ignore_errors=True)
    return StoreMade(create_store(folder, parts.files()), {"mode": "full", "reason": reason}, compared)


def _counts(build_path: Path) -> dict[str, int]:
    """A finished build's triples by graph IRI (its manifest's)."""
    manifest = read_manifest(build_path)
    return {manifest["graphs"][name]: count for name, count in manifest["triples"].items() if count}


def _live_parts(previous: Path | None, clean: bool) -> tuple[GraphParts | None, str]:
    """The live build's graph parts, read once, when its store can be the start of the new one;
    else None and why not."""
    if clean:
        return None, "--clean"
    if previous is None:
        return None, "no earlier build"
    if not (previous / STORE_FOLDER).exists():
        return None, f"the live build {previous.name} has no store"
    if not GraphParts.exists(previous):
        return None, f"the live build {previous.name} has no graph in parts"
    try:
        return GraphParts(previous), ""
    except KgError as exc:
        return None, str(exc)
