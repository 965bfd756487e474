"""Benchmark: the store of an incremental build, updated from the live build's (kg.store.writer)
against loaded in full, on a synthetic corpus.

1. `benchmarks/corpus.py` writes a corpus (kept in --work: a second run reuses corpus and build);
   `kg build` builds it in a child process (the build with embeddings and overlap, unless
   --embedder none); then, as in mapping_scale, one unit is changed, removed and put back,
   each an incremental build whose stages (the manifest's seconds), graph (parts, parts
   linked from the live build, lines) and store are reported.
2. The store stage alone, on the live build's graph parts (`kg.store.parts`) before and after
   the change (median of --repeats runs): the full load from every part (`create_store`), the
   part-by-part merge-walk (`diff_parts`: only the parts whose bytes changed), the update
   (`update_store`: checkpoint, removals and additions each checked against the store),
   and `PartsWriter` sorting the new graph's lines into its parts (each part's lines fed in
   shuffled chunks, as a document's quads arrive): every part (a build that links none)
   and only the parts the changed build could not link from the live one (their key
   changed or is made anew every build).
3. The fallback rule: the update with a growing share of the lines removed and as many added
   (lines of the graph, their subject renamed), against the full load: where it stops paying.

    python benchmarks/store_delta.py --documents 1000 --work /tmp/kg-store-delta

Until builds wrote the graph in parts, step 2 walked two whole sorted graph.nq files
(`diff_sorted`), loaded the store from that one file and timed one `SortedLines` of the whole
graph; benchmarks/results/store_delta.json holds such a run until this is run again. Its keys
are kept: "compare_seconds" now times `diff_parts`, "full_load_seconds" the load of every
part's file, "sort_seconds" the writing of every part; "parts", "changed_parts" (the parts
whose bytes differ: those walked), "made_parts", "made_lines" and "made_sort_seconds" are new.

Reports the machine. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import time
from pathlib import Path

import pyoxigraph as ox
from common import machine, median_seconds
from corpus import write_corpus

from kg.store.delta import diff_parts
from kg.store.layout import GRAPH_FOLDER, STORE_FOLDER, current_build
from kg.store.oxigraph import create_store, stored_counts, update_store
from kg.store.parts import GraphParts, PartsWriter
from kg.store.writer import DELTA_SHARE

CHUNK_LINES = 5000  # lines per chunk fed to the sort (a part's lines come in chunks this size at most)
CHANGED = "changed"  # the folder in --work/kept holding the changed build's graph parts


def child_build(sources: Path, build_dir: Path, embedder: str | None) -> dict[str, object]:
    """`kg build` in a child process; the manifest's seconds, graph parts, store and triples."""
    import subprocess

    command = [sys.executable, "-m", "kg", "build", str(sources), "--build-dir", str(build_dir)]
    started = time.perf_counter()
    options = ["--embedder", embedder] if embedder else []
    done = subprocess.run([*command, *options], capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"the build of {sources} failed:\n{done.stderr[-3000:]}")
    manifest = json.loads((current_build(build_dir) / "manifest.json").read_text(encoding="utf-8"))
    return {
        "wall": round(time.perf_counter() - started, 1),
        "seconds": manifest["seconds"],
        "graph": manifest["graph"],
        "store": manifest["store"],
        "triples": manifest["triples"],
    }


def keep_live(build_dir: Path, into: Path) -> Path:
    """A copy of the live build's store (a checkpoint) and graph parts, to compare with later."""
    shutil.rmtree(into, ignore_errors=True)
    into.mkdir(parents=True)
    live = current_build(build_dir)
    store = ox.Store.read_only(str(live / STORE_FOLDER))
    store.backup(str(into / STORE_FOLDER))
    del store
    shutil.copytree(live / GRAPH_FOLDER, into / GRAPH_FOLDER)
    return into


def incremental(sources: Path, build_dir: Path, embedder: str | None, kept: Path) -> dict[str, object]:
    """Change one unit's first indicator, remove the unit, put it back: one build each."""
    unit = next(path for path in sorted(sources.glob("*.txt")) if "R" in path.stem.split("v")[0][3:])
    original = unit.read_text(encoding="utf-8")
    line = next(n for n, text in enumerate(original.splitlines()) if text.startswith("工作任務與行為指標"))
    lines = original.splitlines(keepends=True)
    lines[line] = lines[line].replace("1. ", "1. 修訂後的", 1)
    steps: dict[str, object] = {"document": unit.stem}
    try:
        unit.write_text("".join(lines), encoding="utf-8")
        steps["changed_one"] = child_build(sources, build_dir, embedder)
        shutil.copytree(current_build(build_dir) / GRAPH_FOLDER, kept / CHANGED / GRAPH_FOLDER)
        unit.unlink()
        steps["removed_one"] = child_build(sources, build_dir, embedder)
    finally:
        unit.write_text(original, encoding="utf-8")
    steps["put_back"] = child_build(sources, build_dir, embedder)
    return steps


def store_stage(kept: Path, repeats: int) -> dict[str, object]:
    """The store stage alone, before (kept) and after the change (kept/changed)."""
    old, new = GraphParts(kept), GraphParts(kept / CHANGED)
    scratch = kept / "scratch"

    def fresh() -> Path:
        shutil.rmtree(scratch, ignore_errors=True)
        scratch.mkdir()
        return scratch

    lines = new.lines
    delta = diff_parts(old, new, limit=lines)
    full = median_seconds(lambda: create_store(fresh(), new.files()), repeats, 3)
    walk = median_seconds(lambda: diff_parts(old, new, limit=lines), repeats, 3)
    counts = stored_counts(kept)
    update = median_seconds(
        lambda: update_store(kept, fresh(), delta.removed, delta.added, counts), repeats, 3
    )
    changed = [
        name
        for name in sorted(old.parts.keys() | new.parts.keys())
        if name not in old.parts or name not in new.parts or old.parts[name].sha256 != new.parts[name].sha256
    ]
    # what PartsWriter.reuse links: a part whose key (what it is made from) the live build's has
    made = [name for name, part in new.parts.items() if not part.key or part.key != _key(old, name)]
    shuffled: dict[str, list[bytes]] = {}  # each part's lines, shuffled
    rng = random.Random(3)
    for name in sorted(new.parts):
        shuffled[name] = new.path(name).read_bytes().splitlines(keepends=True)
        rng.shuffle(shuffled[name])

    def sort(names: list[str]) -> None:
        writer = PartsWriter(fresh())
        for name in names:
            part = shuffled[name]
            chunks = (b"".join(part[at : at + CHUNK_LINES]) for at in range(0, len(part), CHUNK_LINES))
            writer.write(name, chunks)
        writer.close()

    sorting = median_seconds(lambda: sort(sorted(new.parts)), repeats, 3)
    sorting_made = median_seconds(lambda: sort(made), repeats, 3)
    shutil.rmtree(scratch, ignore_errors=True)
    return {
        "lines": lines,
        "parts": len(new.parts),
        "changed_parts": len(changed),
        "removed": len(delta.removed),
        "added": len(delta.added),
        "full_load_seconds": full,
        "compare_seconds": walk,
        "update_seconds": update,
        "delta_seconds": round(walk + update, 3),
        "full_over_delta": round(full / (walk + update), 1),
        "sort_seconds": sorting,
        "made_parts": len(made),
        "made_lines": sum(new.parts[name].lines for name in made),
        "made_sort_seconds": sorting_made,
    }


def _key(parts: GraphParts, name: str) -> str | None:
    part = parts.parts.get(name)
    return part.key if part else None


def share_sweep(kept: Path, full_seconds: float, shares: list[float]) -> list[dict[str, object]]:
    """The update with `share` of the graph's lines changed (half removed, half added)."""
    every = list(GraphParts(kept).sorted_lines())  # the graph's lines in the order graph.nq held them
    lines, total = [line for line in every if line.startswith(b"<")], len(every)
    del every
    rng = random.Random(5)
    rows = []
    counts = stored_counts(kept)
    for share in shares:
        picked = rng.sample(lines, min(len(lines), int(share * total / 2)))
        added = [line.replace(b">", b"-changed>", 1) for line in picked]
        target = kept / "sweep"
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir()
        started = time.perf_counter()
        update_store(kept, target, picked, added, counts)
        seconds = time.perf_counter() - started
        shutil.rmtree(target, ignore_errors=True)
        rows.append(
            {
                "share": share,
                "lines_changed": 2 * len(picked),
                "update_seconds": round(seconds, 2),
                "update_over_full_load": round(seconds / full_seconds, 2),
            }
        )
        print(json.dumps(rows[-1]), flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--work", type=Path, required=True, help="folder for the corpus and its build (kept)")
    parser.add_argument("--embedder", help="the builds' embedder (default: kg build's; none: graph only)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per store-stage timing (median)")
    parser.add_argument("--shares", type=float, nargs="*", default=[0.05, 0.2, 0.5])
    parser.add_argument("--output", type=Path, help="also write the results as JSON here")
    args = parser.parse_args()
    sources = args.work / f"raw-{args.documents}"
    if not sources.is_dir():
        write_corpus(sources, args.documents)
    build_dir = args.work / f"build-{args.documents}"
    result: dict[str, object] = {
        "machine": machine(),
        "documents": args.documents,
        "delta_share": DELTA_SHARE,
    }
    result["first"] = child_build(sources, build_dir, args.embedder)  # full, or nothing changed
    print(json.dumps(result, ensure_ascii=False), flush=True)
    kept = keep_live(build_dir, args.work / "kept")
    result["incremental"] = incremental(sources, build_dir, args.embedder, kept)
    print(json.dumps(result["incremental"], ensure_ascii=False), flush=True)
    stage = store_stage(kept, args.repeats)
    result["store_stage"] = stage
    print(json.dumps(stage), flush=True)
    result["share_sweep"] = share_sweep(kept, float(stage["full_load_seconds"]), args.shares)  # type: ignore[arg-type]
    if args.output:
        args.output.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
