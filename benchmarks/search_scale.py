"""Benchmark: embedding throughput, index build, query latency and memory of search.

Two sizes: the seeds as `kg build` indexes them, and a synthetic corpus of 100,000
items whose texts are new combinations of the seeds' clauses (so every text is
distinct and really embedded). Queries are the labelled questions of
eval/questions.json, each run several times; latency excludes the model load.
Cold start (import, model, jieba dictionary, index, first query) and the index's
memory are measured in a fresh process (`--cold BUILD_FOLDER`).

    python benchmarks/search_scale.py --items 100000

Reports medians (and p95 for queries) and the machine. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import machine

from kg.builder import build
from kg.graph.vocabulary import Iris
from kg.search.embedders import get_embedder
from kg.search.engine import MODES, Searcher
from kg.search.evaluate import load_questions
from kg.search.index import SEARCH_FOLDER, prepare_search_index, write_search_index
from kg.search.items import SearchItem, stable_id
from kg.search.lexical import get_tokenizer
from kg.settings import Settings
from kg.store.layout import current_build

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "eval" / "questions.json"
KINDS = ("indicator", "knowledge", "skill", "output", "activity", "task", "note", "attitude")


def rss_mib() -> float:
    """This process's resident memory."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    return 0.0


def folder_mib(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def cold_start(build_path: Path) -> dict[str, float]:
    """In this (fresh) process: seconds to load the model, then the index, then answer once; index memory."""
    started = time.perf_counter()
    embedder = get_embedder("e5-small")
    model = time.perf_counter() - started
    get_tokenizer()
    _ = (importlib.import_module("faiss"), importlib.import_module("bm25s"))  # so the growth is the index

    before = rss_mib()
    searcher = Searcher(build_path)
    searcher.search("客訴處理")
    return {
        "model_load_seconds": round(model, 3),
        "ready_seconds": round(time.perf_counter() - started, 3),
        "index_rss_mib": round(rss_mib() - before, 1),
        "index_on_disk_mib": round(folder_mib(build_path / SEARCH_FOLDER), 1),
        "dimension": embedder.dimension,
    }


def cold_runs(build_path: Path, repeats: int) -> dict[str, float]:
    """Medians of `cold_start` over fresh processes."""
    runs = [
        json.loads(subprocess.check_output([sys.executable, __file__, "--cold", str(build_path)], text=True))
        for _ in range(repeats)
    ]
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def embedding_throughput(texts: list[str], repeats: int) -> float:
    """Passages per second, embedding batches of 64 as `kg build` does."""
    embedder = get_embedder("e5-small")
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        for offset in range(0, len(texts), 64):
            embedder.embed_passages(texts[offset : offset + 64])
        runs.append(len(texts) / (time.perf_counter() - start))
    return round(statistics.median(runs), 1)


def query_latency(searcher: Searcher, questions: list[str], repeats: int) -> dict[str, dict[str, float]]:
    """p50/p95 milliseconds per mode and grouping (model already loaded)."""
    result = {}
    for mode in MODES:
        for by in ("item", "document"):
            searcher.search(questions[0], mode=mode, by=by)  # warm up
            runs = []
            for _ in range(repeats):
                for question in questions:
                    start = time.perf_counter()
                    searcher.search(question, mode=mode, by=by)
                    runs.append((time.perf_counter() - start) * 1000)
            result[f"{mode}/{by}"] = {
                "p50_ms": round(statistics.median(runs), 2),
                "p95_ms": round(percentile(runs, 0.95), 2),
            }
    return result


def run_seeds(work: Path, questions: list[str], repeats: int) -> dict[str, object]:
    settings = Settings.load(build_dir=work / "seeds")
    start = time.perf_counter()
    with contextlib.chdir(ROOT):
        report = build([Path("data/raw")], settings)
    result: dict[str, object] = {
        "items": report.search["items"],
        "build_seconds": round(time.perf_counter() - start, 2),
        "embed_seconds": report.seconds["search_embed"],
        "index_seconds": report.seconds["search_index"],
    }
    build_path = current_build(settings.build_dir)
    result["cold"] = cold_runs(build_path, repeats)
    result["query"] = query_latency(Searcher(build_path), questions, repeats)
    return result


def synthetic_items(seeds: list[SearchItem], count: int, seed: int = 7) -> list[SearchItem]:
    """`count` items whose texts join two to four clauses of seed texts, each text distinct."""
    pieces = (c.strip() for item in seeds for c in re.split(r"[，、；：。]", item.text))
    clauses = sorted({c for c in pieces if len(c) > 1})
    rng = random.Random(seed)
    iris = Iris()
    items, seen = [], set()
    while len(items) < count:
        text = "，".join(rng.sample(clauses, rng.randint(2, 4)))
        if text in seen:
            continue
        seen.add(text)
        number = len(items)
        document = f"SYN{number // 100:05d}"
        iri = str(iris.item(document, f"P{number % 100}"))
        items.append(
            SearchItem(
                id=stable_id(iri),
                iri=iri,
                document=document,
                document_kind="standard" if number % 3 else "unit",
                document_title=f"合成文件 {document}",
                code=f"P{number % 100}",
                kind=KINDS[number % len(KINDS)],
                text=text,
                level=1 + number % 6,
                task=None,
            )
        )
    return items


def run_scale(work: Path, seeds: list[SearchItem], count: int, questions: list[str], repeats: int):
    items = synthetic_items(seeds, count)
    folder = work / "scale"
    folder.mkdir()
    start = time.perf_counter()
    prepared, made = prepare_search_index(items, get_embedder("e5-small"), {})
    writing = time.perf_counter()
    write_search_index(folder, prepared)
    written = time.perf_counter() - writing
    result: dict[str, object] = {
        "items": made.items,
        "build_seconds": round(time.perf_counter() - start, 1),
        "embed_seconds": made.seconds["embed"],
        "index_seconds": round(made.seconds["index"] + written, 3),  # BM25, then the files
        "embedding_texts_per_second": round(made.items / made.seconds["embed"], 1),
    }
    result["cold"] = cold_runs(folder, repeats)
    result["query"] = query_latency(Searcher(folder), questions, repeats)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--items", type=int, default=100_000, help="size of the synthetic scale run")
    parser.add_argument("--repeats", type=int, default=3, help="runs of the question set per timing")
    parser.add_argument("--output", type=Path, help="also write the results as JSON here")
    parser.add_argument("--cold", type=Path, help=argparse.SUPPRESS)  # one cold start, in a child process
    args = parser.parse_args()
    if args.cold:
        print(json.dumps(cold_start(args.cold)))
        return
    questions = [q.question for q in load_questions(QUESTIONS)]
    results: dict[str, object] = {"machine": machine(), "questions": len(questions)}
    with tempfile.TemporaryDirectory(prefix="kg-search-bench-") as tmp:
        work = Path(tmp)
        results["seeds"] = run_seeds(work, questions, args.repeats)
        seed_searcher = Searcher(current_build(work / "seeds"))
        seed_texts = [i.text for i in seed_searcher.index.items]
        results["embedding_texts_per_second"] = embedding_throughput(seed_texts, args.repeats)
        print(json.dumps(results, indent=1, ensure_ascii=False), flush=True)
        results["scale"] = run_scale(work, seed_searcher.index.items, args.items, questions, args.repeats)
        print(json.dumps(results["scale"], indent=1), flush=True)
    if args.output:
        args.output.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
