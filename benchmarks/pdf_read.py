"""Benchmark: the PDF reader's pages per second, on PDFium (pypdfium2, what `kg.parse.formats.pdf`
uses) against pdfplumber (pdfminer), and what each library costs alone.

    python benchmarks/pdf_read.py --repeat 5 --output benchmarks/results/pdf_read.json

On the fixture PDFs (the seeds and variants of tests/fixtures/formats/, and
tests/fixtures/pdf/form.pdf), each measurement the median of --repeat runs over every file:

- `reader`: `kg.parse.formats.pdf.read`, file bytes to Layout (PDFium);
- `reader_on_pdfplumber`: the same tables, lines and furniture rules (pdf_grid, pdf_page) fed
  from pdfplumber's characters and edges instead; and whether its layouts equal the reader's;
- `raw_pdfium`: PDFium alone: open, text page, every character's box, size and origin, every
  path object's segments;
- `raw_pdfplumber`: pdfplumber alone (laparams=None): open, `page.chars` and `page.edges`;
- `pdfplumber_find_tables`: pdfplumber's own `find_tables` (lines strategy) and `page.chars`;
- `reader_every_core`: the reader on a process per core, every file --copies times.

The target is 15 pages per second on 2 cores (the corpus: about 2,700 standards of about 10
pages). Reports medians and the machine as JSON. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import ctypes
import importlib.util
import io
import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from common import machine

from kg.parse.formats import pdf
from kg.parse.formats.pdf_grid import Ruling
from kg.parse.formats.pdf_page import Char
from kg.parse.formats.pdf_pdfium import PageContent
from kg.parse.layout import Layout

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted(
    [
        *(ROOT / "tests" / "fixtures" / "formats").glob("*.pdf"),
        *(ROOT / "tests" / "fixtures" / "formats" / "variants").glob("*.pdf"),
        ROOT / "tests" / "fixtures" / "pdf" / "form.pdf",
    ]
)


def read_with_pdfplumber(data: bytes) -> Layout:
    """The reader's rules on pdfplumber's characters and edges (lines, and rectangles' edges
    where a rectangle is stroked or thin: what the reader takes from PDFium)."""
    import pdfplumber

    contents = []
    with pdfplumber.open(io.BytesIO(data), laparams=None) as document:
        for page in document.pages:
            chars = []
            for c in page.chars:
                baseline = float(page.height) - c["matrix"][5]  # as the reader: from the baseline
                text = " " if c["text"].isspace() else c["text"]
                chars.append(
                    Char(
                        text,
                        c["x0"],
                        baseline - 0.8 * c["size"],
                        c["x1"],
                        baseline + 0.2 * c["size"],
                        c["size"],
                    )
                )
            rulings = [
                Ruling(True, line["x0"], line["top"], line["bottom"])
                if line["x0"] == line["x1"]
                else Ruling(False, line["top"], line["x0"], line["x1"])
                for line in page.lines
                if line["x0"] == line["x1"] or line["top"] == line["bottom"]
            ]
            for rect in page.rects:
                x0, top, x1, bottom = rect["x0"], rect["top"], rect["x1"], rect["bottom"]
                if rect["stroke"]:
                    rulings += [Ruling(False, top, x0, x1), Ruling(False, bottom, x0, x1)]
                    rulings += [Ruling(True, x0, top, bottom), Ruling(True, x1, top, bottom)]
                elif bottom - top <= 3 < x1 - x0:
                    rulings.append(Ruling(False, (top + bottom) / 2, x0, x1))
                elif x1 - x0 <= 3 < bottom - top:
                    rulings.append(Ruling(True, (x0 + x1) / 2, top, bottom))
            contents.append(PageContent(chars, rulings, float(page.height), 0))
    return pdf.layout_of(contents, "f")


def raw_pdfium(data: bytes) -> int:
    """PDFium's share of the reader's work: characters (box, size, origin) and path segments."""
    import pypdfium2
    import pypdfium2.raw as raw

    document = pypdfium2.PdfDocument(data)
    rect, matrix = raw.FS_RECTF(), raw.FS_MATRIX()
    x, y = ctypes.c_double(), ctypes.c_double()
    fx, fy = ctypes.c_float(), ctypes.c_float()
    for page in document:
        textpage = page.get_textpage()
        for i in range(textpage.count_chars()):
            raw.FPDFText_GetUnicode(textpage.raw, i)
            raw.FPDFText_GetLooseCharBox(textpage.raw, i, rect)
            raw.FPDFText_GetCharOrigin(textpage.raw, i, x, y)
            raw.FPDFText_GetMatrix(textpage.raw, i, matrix)
            raw.FPDFText_GetFontSize(textpage.raw, i)
        for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_PATH]):
            for s in range(raw.FPDFPath_CountSegments(obj.raw)):
                raw.FPDFPathSegment_GetPoint(raw.FPDFPath_GetPathSegment(obj.raw, s), fx, fy)
        textpage.close()
        page.close()
    pages = len(document)
    document.close()
    return pages


def raw_pdfplumber(data: bytes) -> int:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data), laparams=None) as document:
        for page in document.pages:
            _ = page.chars, page.edges
        return len(document.pages)


def pdfplumber_find_tables(data: bytes) -> int:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data), laparams=None) as document:
        for page in document.pages:
            for table in page.find_tables({"vertical_strategy": "lines", "horizontal_strategy": "lines"}):
                _ = table.rows
            _ = page.chars
        return len(document.pages)


def pages_of(data: bytes) -> int:
    import pypdfium2

    document = pypdfium2.PdfDocument(data)
    count = len(document)
    document.close()
    return count


def _version(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def seconds(work: Callable[[bytes], Any], files: list[bytes]) -> float:
    started = time.perf_counter()
    for data in files:
        work(data)
    return time.perf_counter() - started


def read_one(path: Path) -> int:
    return len(pdf.read(path.read_bytes(), path.name).lines)


def every_core(paths: list[Path], copies: int) -> float:
    cores = os.cpu_count() or 1
    with ProcessPoolExecutor(cores) as pool:
        list(pool.map(read_one, paths[:cores]))  # start and import in every worker first
        started = time.perf_counter()
        list(pool.map(read_one, paths * copies))
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement (the median is reported)")
    parser.add_argument("--copies", type=int, default=4, help="reads of each file per run on every core")
    parser.add_argument("--output", type=Path, help="also write the report here (JSON)")
    arguments = parser.parse_args()
    files = [path.read_bytes() for path in FILES]
    pages = sum(pages_of(data) for data in files)
    report: dict[str, Any] = {
        "machine": {**machine(), "processor": platform.processor(), "cpu_count": os.cpu_count()},
        "libraries": {name: _version(name) for name in ("pypdfium2", "pdfplumber", "pdfminer.six")},
        "files": len(files),
        "pages": pages,
        "repeat": arguments.repeat,
        "pages_per_second": {},
    }
    import pypdfium2

    report["libraries"]["pdfium"] = str(pypdfium2.version.PDFIUM_INFO)
    measured: dict[str, Callable[[bytes], Any]] = {
        "reader": lambda data: pdf.read(data, "f"),
        "raw_pdfium": raw_pdfium,
    }
    if importlib.util.find_spec("pdfplumber") is None:  # not a dependency of kg: for comparison only
        report["pdfplumber"] = "not installed: its measurements are left out"
    else:
        same = sum(read_with_pdfplumber(data).lines == pdf.read(data, "f").lines for data in files)
        report["reader_on_pdfplumber_same_layout_files"] = same
        measured["reader_on_pdfplumber"] = read_with_pdfplumber
        measured["raw_pdfplumber"] = raw_pdfplumber
        measured["pdfplumber_find_tables"] = pdfplumber_find_tables
    for work in measured.values():  # warm up: imports, font caches
        work(files[0])
    for name, work in measured.items():
        median = statistics.median(seconds(work, files) for _ in range(arguments.repeat))
        report["pages_per_second"][name] = round(pages / median, 1)
        print(name, report["pages_per_second"][name], flush=True)
    cores = os.cpu_count() or 1
    median = statistics.median(every_core(FILES, arguments.copies) for _ in range(arguments.repeat))
    report["pages_per_second"][f"reader_{cores}_processes"] = round(pages * arguments.copies / median, 1)
    report["corpus_27000_pages_minutes"] = round(27000 / (pages * arguments.copies / median) / 60, 1)
    text = json.dumps(report, ensure_ascii=False, indent=2)
    print(text)
    if arguments.output:
        arguments.output.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
