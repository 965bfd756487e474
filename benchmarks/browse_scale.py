"""Browsing by facet at corpus size: how long a `/documents` page takes (kg.catalogue).

A synthetic corpus (benchmarks/corpus.py: standards with the real 職類別, 職業別 and 行業別
of 905 real ones) is parsed, and the catalogue built from its documents' JSON as a build's
documents.json gives it; then pages are asked for as a user would click: everything, one
kind, a 職類別, that and a level, a 職業別, sorted by title, a late page. Each is timed over
`--repeats` runs (median), beside the once-per-server cost of the first page: reading the
catalogue the build filed (catalogue.json), against filing documents.json anew (what a build
made before the catalogue was filed at build time costs). The page's HTML (a template over 50
rows) adds about a millisecond.

    python benchmarks/browse_scale.py --documents 3000 --output benchmarks/results/browse_scale.json
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from common import machine, median_seconds
from corpus import write_corpus

from kg.catalogue import Catalogue
from kg.parse import parse_paths


def run(documents: int, repeats: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as folder:
        sources = write_corpus(Path(folder) / "raw", documents)
        parsed = [d.to_dict() for d in parse_paths([sources])]
        documents_json = Path(folder) / "documents.json"
        documents_json.write_text(json.dumps(parsed, ensure_ascii=False), encoding="utf-8")
        started = time.perf_counter()
        catalogue = Catalogue.of(json.loads(documents_json.read_text(encoding="utf-8")))
        load = time.perf_counter() - started
        filed = Path(folder) / "catalogue.json"
        catalogue.write(filed)
        read = median_seconds(lambda: Catalogue.read(filed), 5)
        filed_bytes = filed.stat().st_size
    everything = catalogue.browse()
    category = everything.counts["category"][0].value
    occupation = everything.counts["occupation"][0].value
    asks = {
        "everything": {},
        "units": {"kind": ["unit"]},
        "a job category": {"category": [category]},
        "a job category at level 4 or 5": {"category": [category], "level": ["4", "5"]},
        "an occupation": {"occupation": [occupation]},
    }
    pages = {name: median_seconds(lambda c=c: catalogue.browse(c), repeats) for name, c in asks.items()}
    pages["everything by title"] = median_seconds(lambda: catalogue.browse(sort="title"), repeats)
    pages["page 40 by level"] = median_seconds(lambda: catalogue.browse(sort="level", page=40), repeats)
    return {
        "documents": len(catalogue.entries),
        "facet_values": {name: len(values) for name, values in everything.counts.items()},
        "read_and_file_documents_json_seconds": round(load, 3),
        "read_filed_catalogue_seconds": round(read, 3),
        "filed_catalogue_bytes": filed_bytes,
        "page_median_ms": {name: round(seconds * 1000, 1) for name, seconds in pages.items()},
        "repeats": repeats,
        "machine": machine(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--documents", type=int, default=3000)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    result = run(args.documents, args.repeats)
    text = json.dumps(result, ensure_ascii=False, indent=1)
    if args.output:
        args.output.write_text(text + "\n", encoding="utf-8")
    sys.stdout.write(text + "\n")


if __name__ == "__main__":
    main()
