"""Benchmark: every named query on an existing build, on oxigraph beside rdflib's in-memory store.

    python benchmarks/named_queries.py --build-dir BUILD_DIR \
        --output benchmarks/results/named_queries.json

Times each named query as users run it (`KnowledgeGraph.run_query`), the median of `--repeats`
runs (they stop once they add up to `--timeout` seconds, and a run past it is stopped), on each
store of the same build, and prints rdflib's median over oxigraph's. `mapping_scale.py` does the
same on the build it makes; this one reads a build already made (`kg build` on
`benchmarks/corpus.py`'s corpus), so the queries can be timed again without building.
`complaint-handling-by-similarity (every indicator)` is that query without its kgf:nearest
line, as it was before: kgf:similarity called for every indicator of a standard. Those two
are also timed with a question asked for the first time in each run (`--fresh-questions`,
from eval/questions.json, on oxigraph): its vector embedded and its nearest items looked
up, where the repeats above reuse both. Reports the machine. Not a test: nothing here
asserts a time.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from common import machine
from mapping_scale import EVERY_INDICATOR, ROOT, SIMILARITY_QUERY, named_queries, scoring_every_item_variant

from kg.knowledge_graph import KnowledgeGraph
from kg.settings import Settings
from kg.store.layout import current_build


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--build-dir", type=Path, required=True, help="a build folder (kg build --build-dir)")
    parser.add_argument("--stores", nargs="+", default=["oxigraph", "rdflib"], choices=["oxigraph", "rdflib"])
    parser.add_argument("--repeats", type=int, default=5, help="runs per query (the median is reported)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds of runs per query and store")
    parser.add_argument("--fresh-questions", type=int, default=5, help="new questions per form (0: none)")
    parser.add_argument("--output", type=Path, help="also write the results as JSON here")
    args = parser.parse_args()
    build = current_build(Settings.load(build_dir=args.build_dir).build_dir)
    manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    started = time.perf_counter()
    table = named_queries(args.build_dir, args.stores, args.repeats, args.timeout)
    fresh = fresh_questions(args.build_dir, args.fresh_questions)
    results = {
        "machine": machine(),
        "documents": len(manifest.get("documents", [])),
        "triples": manifest.get("triples"),
        "stores": args.stores,
        "named_query_seconds_median": table,
        "fresh_question_seconds_median": fresh,
        "seconds": round(time.perf_counter() - started, 1),
    }
    print(f"{'named query':44s} " + " ".join(f"{store:>10s}" for store in args.stores) + "   ratio")
    for name, row in table.items():
        cells = " ".join(
            f"{row.get(store):10.4f}" if row.get(store) is not None else f"{'stopped':>10s}"  # type: ignore[union-attr]
            for store in args.stores
        )
        print(f"{name:44s} {cells}   {row.get('rdflib_over_oxigraph', '')}")  # type: ignore[union-attr]
    for name, seconds in fresh.items():
        print(f"{name + ', a new question':58s} {seconds:10.4f}")
    if args.output:
        args.output.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", "utf-8")


def fresh_questions(build_dir: Path, count: int) -> dict[str, float]:
    """Median seconds of complaint-handling-by-similarity and its every-indicator form, each run
    with a question not asked before (the forms take turns, each with its own questions)."""
    if count <= 0:
        return {}
    asked = json.loads((ROOT / "eval" / "questions.json").read_text(encoding="utf-8"))["questions"]
    questions = [q["question"] for q in asked if q["question"] != "客訴處理"][: 2 * count]
    named = (ROOT / "ontology" / "queries" / f"{SIMILARITY_QUERY}.rq").read_text(encoding="utf-8")
    forms = {SIMILARITY_QUERY: named, EVERY_INDICATOR: scoring_every_item_variant()[EVERY_INDICATOR]}
    graph = KnowledgeGraph(Settings.load(build_dir=build_dir).with_(store="oxigraph"))
    graph.run_query(named)  # opens the store and loads the index and the model, untimed
    runs: dict[str, list[float]] = {name: [] for name in forms}
    for turn, question in enumerate(questions):
        name, text = list(forms.items())[turn % 2]
        sparql = text.replace('"客訴處理"', json.dumps(question, ensure_ascii=False))
        start = time.perf_counter()
        graph.run_query(sparql)
        runs[name].append(time.perf_counter() - start)
    return {name: round(statistics.median(seconds), 4) for name, seconds in runs.items()}


if __name__ == "__main__":
    main()
