"""The files people download: every seed rendered into PDF, ODT, DOCX and HTML (by
tests/fixtures/formats/render.py, committed) parses exactly as its text does, `source`,
`line` and `page` aside; bad files are named in one line; a rebuild reads no file twice."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from conftest import RAW, SEED_CODES
from kg.errors import ParseError
from kg.parse import LayoutCache, parse_bytes, parse_file, read_file
from kg.parse.formats import detect_format
from kg.store.parts import GraphParts
from test_cli import assert_clean_failure, kg

FIXTURES = Path(__file__).parent / "fixtures" / "formats"
FORMATS = ("pdf", "odt", "docx", "html")
_WHERE = {"source", "line", "page"}


def without_place(value: Any) -> Any:
    """The JSON without where things were printed: source, line and page."""
    if isinstance(value, dict):
        return {k: without_place(v) for k, v in value.items() if k not in _WHERE}
    if isinstance(value, list):
        return [without_place(v) for v in value]
    return value


def text_parse(code: str) -> dict[str, Any]:
    return without_place(parse_file(RAW / f"{code}.txt").to_dict())


@pytest.mark.parametrize("extension", FORMATS)
@pytest.mark.parametrize("code", SEED_CODES)
def test_every_format_parses_as_the_text_does(code: str, extension: str) -> None:
    document = parse_file(FIXTURES / f"{code}.{extension}")
    assert detect_format((FIXTURES / f"{code}.{extension}").read_bytes(), "f").name == extension
    assert without_place(document.to_dict()) == text_parse(code)
    assert document.warnings == []


def _pages(value: Any) -> list[int]:
    if isinstance(value, dict):
        own = [value["page"]] if "page" in value else []
        return own + [p for v in value.values() for p in _pages(v)]
    if isinstance(value, list):
        return [p for v in value for p in _pages(v)]
    return []


@pytest.mark.parametrize("code", SEED_CODES)
def test_items_read_from_a_pdf_carry_the_page_they_start_on(code: str) -> None:
    path = FIXTURES / f"{code}.pdf"
    data = parse_file(path).to_dict()
    rows = [row for task in data["tasks"] for row in (task, *task.get("activities", []))]
    starts = [row["page"] for row in rows]
    assert starts and starts == sorted(starts)  # the table runs down the pages in order
    # an item in the part of a row that a page break carried over (BAS1499-003's O2.2.2, on the
    # page after its activity's P2.2.1) is on its row's page or after it
    assert all(page >= row["page"] for row in rows for page in _pages(row))
    last_page = max(p for p in read_file(path).pages if p)
    every = _pages(data)
    assert min(every) >= 1 and max(every) <= last_page
    counted = sum(1 for _ in parse_file(path).iter_items())
    assert len(every) >= counted  # every item (and version row) has one


def test_a_long_standard_spans_pages_and_its_items_say_which() -> None:
    data = parse_file(FIXTURES / "BAS1499-003.pdf").to_dict()
    assert len(set(_pages(data["tasks"]))) >= 3


@pytest.mark.parametrize("extension", ["odt", "docx", "html"])
def test_items_read_from_unpaginated_formats_have_no_page(extension: str) -> None:
    assert _pages(parse_file(FIXTURES / f"BAS1499-003.{extension}").to_dict()) == []


def test_kg_parse_prints_the_pdf_parse_with_pages_and_its_rows() -> None:
    result = kg("parse", str(FIXTURES / "BAS2421-003v4.pdf"), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["tasks"][0]["page"] >= 1
    rows = kg("parse", str(FIXTURES / "BAS2421-003v4.pdf"), "--rows")
    assert rows.returncode == 0, rows.stderr
    assert "(pdf)" in rows.stdout.splitlines()[0] and "\tp1\t" in rows.stdout


def test_a_rebuild_reads_no_unchanged_file_again(tmp_path: Path) -> None:
    cache = LayoutCache(tmp_path / "layouts.sqlite")
    files = [FIXTURES / f"{code}.{ext}" for code in SEED_CODES[:2] for ext in FORMATS]
    first = [parse_bytes(f.read_bytes(), f.name, cache).to_dict() for f in files]
    assert (cache.hits, cache.misses) == (0, len(files))
    # renamed and moved: the content decides
    copies = []
    for f in files:
        copy = tmp_path / f"renamed-{f.name}"
        shutil.copy(f, copy)
        copies.append(copy)
    again = [parse_bytes(c.read_bytes(), f.name, cache).to_dict() for c, f in zip(copies, files, strict=True)]
    assert (cache.hits, cache.misses) == (len(files), len(files))
    assert again == first
    cache.close()


@pytest.mark.slow
def test_kg_build_takes_a_folder_of_mixed_formats(tmp_path: Path) -> None:
    folder = tmp_path / "downloads"
    folder.mkdir()
    chosen = dict(zip(SEED_CODES, ["pdf", "odt", "docx", "html", "pdf"], strict=True))
    for code, extension in chosen.items():
        shutil.copy(FIXTURES / f"{code}.{extension}", folder / f"{code}.{extension}")
    build_dir = tmp_path / "build"
    arguments = ("build", str(folder), "--embedder", "none", "--build-dir", str(build_dir))
    result = kg(*arguments, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    current = (build_dir / "CURRENT").read_text().strip()
    built = json.loads((build_dir / "builds" / current / "documents.json").read_text(encoding="utf-8"))
    assert {d["code"]: without_place(d) for d in built} == {code: text_parse(code) for code in SEED_CODES}
    graph = GraphParts(build_dir / "builds" / current)
    assert any(b"sourcePage" in path.read_bytes() for path in graph.files())
    rebuilt = kg(*arguments, cwd=tmp_path)
    assert rebuilt.returncode == 0, rebuilt.stderr
    # unchanged files are not read again: their whole result comes from the document cache
    assert "sources: 5 files unchanged since an earlier build (not processed again)" in rebuilt.stdout
    # an item read from the PDF shows its page on its web page; one from the ODT its line
    from fastapi.testclient import TestClient

    from kg.server import create_app
    from kg.settings import Settings

    pdf_page = next(
        t["page"] for d in built if d["code"] == "BAS1499-003" for t in d["tasks"] if t["code"] == "T2"
    )
    with TestClient(create_app(Settings.load(build_dir=build_dir, embedder="none"))) as client:
        html = client.get("/document/BAS1499-003/T2").text
        assert f'第 {pdf_page} 頁 <span class="en" lang="en">page {pdf_page}</span>' in html
        assert "Source line" in client.get("/document/BAS2421-003v4/T1").text


# --- bad files ----------------------------------------------------------------------------------

BAD = FIXTURES / "bad"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("no-text-layer.pdf", "has no text layer: a scanned PDF? run OCR first"),
        ("encrypted.pdf", "is an encrypted PDF"),
        ("truncated.pdf", "is a damaged or truncated PDF"),
        ("truncated.odt", "is a damaged or truncated"),
        ("truncated.docx", "is a damaged or truncated"),
        ("not-office.docx", "is a zip archive but no ODT or DOCX document"),
        ("no-document.html", "not a document of a known kind"),
        ("other-form.pdf", "not a document of a known kind"),
    ],
)
def test_bad_files_are_named_in_one_line(name: str, message: str) -> None:
    path = BAD / name
    with pytest.raises(ParseError) as caught:
        parse_file(path)
    assert message in str(caught.value) and str(caught.value).startswith(str(path.relative_to(Path.cwd())))
    result = kg("parse", str(path))
    assert_clean_failure(result, message)
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_bad_file_stops_the_build_and_reports_the_others_too(tmp_path: Path) -> None:
    folder = tmp_path / "downloads"
    folder.mkdir()
    shutil.copy(BAD / "no-text-layer.pdf", folder / "no-text-layer.pdf")
    shutil.copy(BAD / "truncated.docx", folder / "truncated.docx")
    shutil.copy(FIXTURES / "BGM4R0172v2.html", folder / "BGM4R0172v2.html")
    result = kg(
        "build", str(folder), "--embedder", "none", "--build-dir", str(tmp_path / "build"), cwd=tmp_path
    )
    assert_clean_failure(
        result, "no-text-layer.pdf: has no text layer", "truncated.docx: is a damaged or truncated"
    )
    assert not (tmp_path / "build" / "CURRENT").exists()


VARIANTS = sorted(p.stem for p in (FIXTURES / "variants").glob("*.json"))


@pytest.mark.parametrize("extension", FORMATS)
@pytest.mark.parametrize("name", VARIANTS)
def test_real_documents_variations_parse_in_every_format(name: str, extension: str) -> None:
    """Several codes in a cell, K01, Kangxi radicals, full/half-width punctuation, a table on a
    new page, an empty column: each rendered by render.py beside the model it must give."""
    expected = json.loads((FIXTURES / "variants" / f"{name}.json").read_text(encoding="utf-8"))
    document = parse_file(FIXTURES / "variants" / f"{name}.{extension}")
    assert without_place(document.to_dict()) == without_place(expected)
    assert document.warnings == []
