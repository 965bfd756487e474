"""Benchmark: overlap mapping of a whole corpus, one pair on demand, and the overlap page's matrix.

The corpus is synthetic but made of real material: each document is a seed document
with a random 60-100% of its items kept (texts and their real e5 vectors), under a
new code. Documents drawn from the same seed therefore share many items word for
word, which is the hard case for matching (many candidates, many copies). Up to
`EXHAUSTIVE_DOCUMENTS` documents every pair is compared; above, only pairs that
are item neighbours (see kg.mapping.corpus). For each corpus, the mapping files are
written as a build would and read back as `kg serve` does for its overlap page:
loading them, the matrix, the documents and pairs the page shows, and an item page's mappings.

    python benchmarks/overlap_scale.py --documents 50 150 400

Reports medians and the machine. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import json
import random
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from common import machine

from kg.builder import build
from kg.mapping.calibration import calibration_for
from kg.mapping.corpus import EXHAUSTIVE_DOCUMENTS, CorpusMappings, document_pairs, map_corpus
from kg.mapping.files import BuildMappings, write_mappings
from kg.mapping.matching import match
from kg.mapping.material import Material
from kg.mapping.overlap import item_mappings
from kg.mapping.shares import most_overlapping, pair_shares, strongest_pairs
from kg.search.items import stable_id
from kg.server.overlap_page import MATRIX_DOCUMENTS, STRONGEST_PAIRS
from kg.settings import Settings
from kg.store.layout import DOCUMENTS_FILE, current_build

ROOT = Path(__file__).resolve().parent.parent


def seed_material(folder: Path) -> tuple[Material, list[dict]]:
    settings = Settings.load(build_dir=folder)
    with contextlib.chdir(ROOT):
        build([Path("data/raw")], settings)
    build_path = current_build(folder)
    parsed = json.loads((build_path / DOCUMENTS_FILE).read_text(encoding="utf-8"))
    return Material.load(build_path), parsed


def synthetic(material: Material, parsed: list[dict], documents: int, rng: random.Random) -> Material:
    by_code = {d["code"]: d for d in parsed}
    rows = material.rows_by_document()
    seeds = sorted(rows)
    items, vectors, new_parsed = [], [], []
    for n in range(documents):
        seed = seeds[n % len(seeds)]
        code = f"SYN{n:05d}"
        keep = rng.uniform(0.6, 1.0)
        for row in rows[seed]:
            if rng.random() < keep:
                item = material.items[row]
                iri = item.iri.replace(f"/{seed}/", f"/{code}/")
                items.append(replace(item, id=stable_id(iri), iri=iri, document=code))
                vectors.append(material.vectors[row])
        document = copy.deepcopy(by_code[seed])
        document["code"] = code
        new_parsed.append(document)
    return Material.from_parts(items, np.array(vectors, dtype=np.float32), new_parsed, material.embedder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, nargs="+", default=[50, 150, 400])
    parser.add_argument("--repeats", type=int, default=3, help="runs per size below 200 documents")
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as folder:
        seeds, parsed = seed_material(Path(folder))
    calibration, _ = calibration_for(seeds.embedder)
    results: dict[str, object] = {"machine": machine(), "exhaustive_up_to": EXHAUSTIVE_DOCUMENTS}

    sides = {code: seeds.side(code) for code in seeds.documents}
    pair_times = {}
    for a, b in [("KMM5R0915v2", "BAS1499-003"), ("TTM3R0299v2", "BGM4R0172v2")]:
        timings = []
        for _ in range(20):
            started = time.perf_counter()
            match(sides[a], sides[b], calibration.scorer, calibration.thresholds)
            timings.append(time.perf_counter() - started)
        pair_times[f"{a} x {b} ({len(sides[a].items)} x {len(sides[b].items)} items)"] = round(
            statistics.median(timings) * 1000, 1
        )
    results["one_pair_ms_median"] = pair_times
    print("one pair (ms, median of 20):", pair_times)

    corpus = []
    for documents in args.documents:
        material = synthetic(seeds, parsed, documents, rng)
        pairs = len(document_pairs(material, calibration)[0])
        repeats = args.repeats if documents < 200 else 1
        timings = []
        for _ in range(repeats):
            fresh = Material.from_parts(
                material.items, material.vectors, _parsed(material), material.embedder
            )
            started = time.perf_counter()
            mapped = map_corpus(fresh, calibration)
            timings.append(time.perf_counter() - started)
        row = {
            "documents": documents,
            "items": len(material.items),
            "pairs_compared": pairs,
            "mappings": len(mapped.mappings),
            "seconds_median": round(statistics.median(timings), 2),
            "runs": repeats,
            "ms_per_pair": round(statistics.median(timings) / max(pairs, 1) * 1000, 2),
        } | matrix_page(material, mapped, calibration)
        corpus.append(row)
        print(row)
    results["corpus"] = corpus
    if args.output:
        args.output.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


def matrix_page(material: Material, mapped: CorpusMappings, calibration) -> dict[str, float]:
    """Seconds to load the mapping files and to compute what the overlap page shows."""
    with tempfile.TemporaryDirectory() as folder:
        write_mappings(Path(folder), mapped, material, "https://w3id.org/icap-kg/id/", calibration)
        started = time.perf_counter()
        stored = BuildMappings.load(Path(folder))
        loaded = time.perf_counter()
        shares = pair_shares(stored, min_relation="close")
        computed = time.perf_counter()
        codes = sorted(stored.meta["documents"])
        most_overlapping(shares, codes, MATRIX_DOCUMENTS)
        strongest_pairs(shares, codes, STRONGEST_PAIRS)
        chosen = time.perf_counter()
        items = [(item.document, item.code) for item in material.items[:: max(len(material.items) // 50, 1)]]
        item_mappings(stored, *items[0])
        indexed = time.perf_counter()
        lookups = []
        for document, code in items[1:]:
            begun = time.perf_counter()
            item_mappings(stored, document, code)
            lookups.append(time.perf_counter() - begun)
    return {
        "page_load_mappings_s": round(loaded - started, 2),
        "page_matrix_s": round(computed - loaded, 2),
        "page_choose_documents_s": round(chosen - computed, 3),
        "item_mappings_first_s": round(indexed - chosen, 2),
        "item_mappings_ms_median": round(statistics.median(lookups) * 1000, 2),
    }


def _parsed(material: Material) -> list[dict]:
    return [
        {
            "code": code,
            "kind": d["kind"],
            "title": d["title"],
            "tasks": [{"code": t, "title": title} for t, title in d["tasks"].items()],
        }
        for code, d in material.documents.items()
    ]


if __name__ == "__main__":
    main()
