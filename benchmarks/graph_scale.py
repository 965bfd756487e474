"""Benchmark: build time, store choice and query latency at corpus scale.

iCAP publishes about 2,700 standards. This makes a synthetic corpus of that kind by
re-coding the five seeds (same text, new document codes), builds it with `kg build`,
then times the named queries on the oxigraph store and, at a smaller size, on
rdflib's in-memory store; and times the two reasoners per document.

    python benchmarks/graph_scale.py --documents 2700 --rdflib-documents 200

Reports medians and the machine. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from multiprocessing import Process, Queue
from pathlib import Path
from queue import Empty

from common import machine

from kg.builder import build
from kg.graph.convert import document_graph
from kg.graph.ontology import load_ontology
from kg.graph.reasoning import get_reasoner
from kg.graph.vocabulary import Iris
from kg.knowledge_graph import KnowledgeGraph
from kg.parse import parse_file
from kg.query.sparql import read_query_file
from kg.settings import Settings
from kg.store import open_store, store_descriptor
from kg.store.layout import current_build

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"
# shared-knowledge is left out: in a corpus of copies every text is shared by every copy.
QUERIES = [
    "documents-with-counts",
    "indicators-per-task",
    "items-mentioning-budget",
    "tasks-level-5-and-up",
    "competencies-per-framework",
]


def synthetic_corpus(folder: Path, documents: int) -> Path:
    """`documents` files: the seeds again and again, each copy with its own document code."""
    seeds = [(path.read_text(encoding="utf-8"), parse_file(path).code) for path in sorted(RAW.glob("*.txt"))]
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(documents):
        text, code = seeds[index % len(seeds)]
        copy = index // len(seeds)
        new_code = code if copy == 0 else f"{code}-{copy:04d}"
        (folder / f"{new_code}.txt").write_text(text.replace(code, new_code), encoding="utf-8")
    return folder


def _query_child(
    settings: Settings, names: list[str], repeats: int, budget: float, out: Queue, texts: dict[str, str]
) -> None:
    """Open the build once, then time each query as users run it (`KnowledgeGraph.run_query`:
    kgf:contains rewritten, extension functions available), sending each run's seconds."""
    graph = KnowledgeGraph(settings)
    graph.run_query("ASK { ?s ?p ?o }")  # opens the store (rdflib: loads every triple) untimed
    out.put(("loaded", "", 0.0))
    for name in names:
        text = texts.get(name) or read_query_file(ROOT / "ontology" / "queries" / f"{name}.rq")
        runs = 0.0
        for _ in range(repeats):
            start = time.perf_counter()
            graph.run_query(text)
            elapsed = time.perf_counter() - start
            out.put(("run", name, elapsed))
            runs += elapsed
            if runs > budget:
                break
        out.put(("done", name, 0.0))


def time_queries(
    settings: Settings,
    repeats: int,
    timeout: float,
    names: list[str] = QUERIES,
    texts: dict[str, str] | None = None,
) -> dict[str, dict[str, object]]:
    """Median time of each query (a named query, or the text `texts` gives for the name). One
    process opens the build and runs the queries in turn; a run past `timeout` seconds stops it,
    and a new one goes on with the next query."""
    timings: dict[str, dict[str, object]] = {}
    runs: dict[str, list[float]] = {name: [] for name in names}
    remaining = list(names)
    while remaining:
        out: Queue = Queue()
        child = Process(target=_query_child, args=(settings, remaining, repeats, timeout, out, texts or {}))
        child.start()
        try:
            out.get(timeout=1800)  # the store is open
            while remaining:
                kind, name, value = out.get(timeout=timeout)
                if kind == "run":
                    runs[name].append(value)
                else:
                    remaining.remove(name)
        except Empty:
            child.terminate()
            stopped = remaining.pop(0)
            timings[stopped] = {"median": None, "runs": len(runs[stopped]), "stopped_after_seconds": timeout}
        child.join()
    for name in names:
        if name not in timings:
            timings[name] = {"median": round(statistics.median(runs[name]), 4), "runs": len(runs[name])}
    return timings


def time_open(settings: Settings, repeats: int) -> float:
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        open_store(store_descriptor(settings.store, current_build(settings.build_dir))).close()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def time_reasoners(repeats: int) -> dict[str, float]:
    ontology = load_ontology()
    graph = document_graph(parse_file(RAW / "BAS1499-003.txt"), Iris())
    result = {}
    for name in ("rules", "owlrl"):
        reasoner = get_reasoner(name, ontology)
        runs = []
        for _ in range(repeats):
            start = time.perf_counter()
            reasoner.infer(graph)
            runs.append(time.perf_counter() - start)
        result[name] = statistics.median(runs)
    return result


def run_scale(workdir: Path, documents: int, stores: list[str], repeats: int) -> dict[str, object]:
    sources = synthetic_corpus(workdir / f"raw-{documents}", documents)
    # the graph alone: search indexing is measured by benchmarks/search_scale.py
    settings = Settings.load(build_dir=workdir / f"build-{documents}", embedder="none")
    start = time.perf_counter()
    report = build([sources], settings)
    result: dict[str, object] = {
        "documents": documents,
        "build_seconds": round(time.perf_counter() - start, 1),
        "build_steps": report.seconds,
        "triples": report.triples,
        "stores": {},
    }
    for store in stores:
        store_settings = settings.with_(store=store)
        result["stores"][store] = {  # type: ignore[index]
            "open_seconds": round(time_open(store_settings, 3 if store == "oxigraph" else 1), 4),
            "query_seconds": time_queries(store_settings, repeats, timeout=120.0),
        }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--documents", type=int, default=2700, help="corpus size for the oxigraph run")
    parser.add_argument(
        "--rdflib-documents", type=int, default=200, help="corpus size for the store comparison"
    )
    parser.add_argument("--repeats", type=int, default=5, help="runs per timing (the median is reported)")
    parser.add_argument("--output", type=Path, help="also write the results as JSON here")
    args = parser.parse_args()
    results: dict[str, object] = {"machine": machine()}
    results["reasoner_seconds_per_standard"] = {
        k: round(v, 4) for k, v in time_reasoners(args.repeats).items()
    }
    print(json.dumps(results, indent=1), flush=True)
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
        work = Path(tmp)
        results["compare"] = run_scale(work, args.rdflib_documents, ["oxigraph", "rdflib"], args.repeats)
        print(json.dumps(results["compare"], indent=1), flush=True)
        results["scale"] = run_scale(work, args.documents, ["oxigraph"], args.repeats)
        print(json.dumps(results["scale"], indent=1), flush=True)
    if args.output:
        args.output.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
