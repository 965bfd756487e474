"""Benchmark: reading iCAP files in every format — documents per second per format, pages per
second for PDF, on one process and on every core, and what a rebuild costs once the parse
cache holds them.

The files are the seeds rendered into PDF, ODT, DOCX and HTML (tests/fixtures/formats/),
each read and parsed (`kg.parse.parse_bytes`) several times; a run is all five of one
format. The whole corpus (about 2,700 standards of about 10 pages each) would take
27,000 / (PDF pages per second on every core) seconds the first time.

    python benchmarks/read_formats.py --repeat 5 --output benchmarks/results/read_formats.json

Reports medians and the machine. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from common import machine

from kg.parse import LayoutCache, parse_bytes, read_file

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "formats"
FORMATS = ("txt", "pdf", "odt", "docx", "html")
SEEDS = ("BAS1499-003", "BAS2421-003v4", "BGM4R0172v2", "KMM5R0915v2", "TTM3R0299v2")


def files_of(extension: str) -> list[Path]:
    if extension == "txt":
        return [ROOT / "data" / "raw" / f"{code}.txt" for code in SEEDS]
    return [FIXTURES / f"{code}.{extension}" for code in SEEDS]


def read_one(path: Path) -> int:
    document = parse_bytes(path.read_bytes(), path.name)
    return len(document.tasks)


def timed(function, *args) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    function(*args)
    return time.perf_counter() - started


def run(files: list[Path], processes: int, copies: int) -> float:
    """Seconds to read and parse `copies` copies of every file on `processes` processes."""
    work = files * copies
    if processes == 1:
        return timed(lambda: [read_one(f) for f in work])
    with ProcessPoolExecutor(processes) as pool:
        list(pool.map(read_one, files[:processes]))  # start and import in every worker first
        return timed(lambda: list(pool.map(read_one, work)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement (the median is reported)")
    parser.add_argument("--copies", type=int, default=4, help="reads of each file per run on every core")
    parser.add_argument("--output", type=Path, help="also write the report here (JSON)")
    arguments = parser.parse_args()
    cores = os.cpu_count() or 1
    report: dict[str, object] = {"machine": machine(), "formats": {}}
    pdf_pages = sum(max(p for p in read_file(f).pages if p) for f in files_of("pdf"))
    for extension in FORMATS:
        files = files_of(extension)
        single = statistics.median(run(files, 1, 1) for _ in range(arguments.repeat))
        every = statistics.median(run(files, cores, arguments.copies) for _ in range(arguments.repeat))
        with tempfile.TemporaryDirectory() as folder:
            cache = LayoutCache(Path(folder) / "layouts.sqlite")
            for f in files:
                parse_bytes(f.read_bytes(), f.name, cache)
            cached = statistics.median(
                timed(lambda: [parse_bytes(f.read_bytes(), f.name, cache) for f in files])  # noqa: B023
                for _ in range(arguments.repeat)
            )
            cache.close()
        entry: dict[str, float | int] = {
            "documents": len(files),
            "documents_per_second_one_process": round(len(files) / single, 1),
            f"documents_per_second_{cores}_processes": round(len(files) * arguments.copies / every, 1),
            "documents_per_second_from_parse_cache": round(len(files) / cached, 1),
        }
        if extension == "pdf":
            entry["pages"] = pdf_pages
            entry["pages_per_second_one_process"] = round(pdf_pages / single, 1)
            pages_per_second = pdf_pages * arguments.copies / every
            entry[f"pages_per_second_{cores}_processes"] = round(pages_per_second, 1)
            entry["corpus_27000_pages_minutes"] = round(27000 / pages_per_second / 60, 1)
        report["formats"][extension] = entry  # type: ignore[index]
        print(extension, json.dumps(entry), flush=True)
    text = json.dumps(report, ensure_ascii=False, indent=2)
    print(text)
    if arguments.output:
        arguments.output.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
