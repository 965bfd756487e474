"""Incremental builds: a file unchanged since an earlier build is not processed again, and the
result is the same as a clean build's (graph, mappings, search answers), whatever was added,
changed or removed; a document pair whose two documents are unchanged is not matched again.
`kg build --clean` forgets what earlier builds kept.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
from pathlib import Path

import pytest

import kg
from kg.builder import build
from kg.mapping.files import BuildMappings
from kg.settings import Settings
from kg.store.layout import (
    CACHE_FILES,
    CACHE_FOLDER,
    COVERAGE_FILE,
    EXPORT_FILE,
    MAPPINGS_FOLDER,
    PAIR_CACHE_FILE,
    current_build,
    document_cache,
)

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"
QUESTIONS = ("客戶服務", "處理客戶投訴", "預算")


def _same_build(incremental: Settings, clean: Settings) -> None:
    a, b = current_build(incremental.build_dir), current_build(clean.build_dir)
    assert (a / EXPORT_FILE).read_bytes() == (b / EXPORT_FILE).read_bytes()  # every triple of every graph
    assert (a / MAPPINGS_FOLDER / COVERAGE_FILE).read_text() == (
        b / MAPPINGS_FOLDER / COVERAGE_FILE
    ).read_text()
    table_a, table_b = BuildMappings.load(a).table, BuildMappings.load(b).table
    assert table_a.drop(columns="similarity_score").equals(table_b.drop(columns="similarity_score"))
    assert (table_a["similarity_score"] - table_b["similarity_score"]).abs().max() < 1e-3
    for question in QUESTIONS:
        for by in ("document", "item"):
            found_a = kg.open(settings=incremental).find(question, by=by).to_dataframe()
            found_b = kg.open(settings=clean).find(question, by=by).to_dataframe()
            assert list(found_a.iloc[:, 0]) == list(found_b.iloc[:, 0]), (question, by)


def _build(sources: Path, build_dir: Path, clean: bool = False):
    with contextlib.chdir(sources.parent):  # sources are recorded relative to the working folder
        return build([Path(sources.name)], Settings.load(build_dir=build_dir), clean=clean)


@pytest.mark.slow
def test_an_incremental_build_equals_a_clean_one_after_adding_changing_and_removing(tmp_path):
    sources = tmp_path / "raw"
    sources.mkdir()
    for name in ("BAS1499-003.txt", "BAS2421-003v4.txt", "BGM4R0172v2.txt", "TTM3R0299v2.txt"):
        shutil.copy(RAW / name, sources / name)
    first = _build(sources, tmp_path / "incremental")
    assert first.reused == 0 and document_cache(tmp_path / "incremental").is_file()
    assert first.mappings["pairs_matched"] == first.mappings["pairs_compared"] == 6

    shutil.copy(RAW / "KMM5R0915v2.txt", sources / "KMM5R0915v2.txt")  # added
    changed = sources / "TTM3R0299v2.txt"
    text = changed.read_text(encoding="utf-8")
    assert "優質客戶服務的原則" in text
    changed.write_text(text.replace("優質客戶服務的原則", "優質客戶服務的原則與實務"), encoding="utf-8")
    (sources / "BGM4R0172v2.txt").unlink()  # removed

    again = _build(sources, tmp_path / "incremental")
    assert again.reused == 2  # BAS1499-003 and BAS2421-003v4: the changed and the added file are processed
    assert {d["code"] for d in again.documents} == {
        "BAS1499-003",
        "BAS2421-003v4",
        "KMM5R0915v2",
        "TTM3R0299v2",
    }
    # the removed file's and the changed file's old results are gone from the document cache
    kept = sqlite3.connect(document_cache(tmp_path / "incremental")).execute("SELECT source FROM documents")
    assert sorted(Path(source).name for (source,) in kept) == sorted(p.name for p in sources.iterdir())
    # of the 6 pairs, the one between the two unchanged documents keeps its mappings
    assert (again.mappings["pairs_compared"], again.mappings["pairs_matched"]) == (6, 5)
    clean = _build(sources, tmp_path / "clean")
    _same_build(
        Settings.load(build_dir=tmp_path / "incremental"), Settings.load(build_dir=tmp_path / "clean")
    )
    assert "優質客戶服務的原則與實務" in (current_build(tmp_path / "incremental") / EXPORT_FILE).read_text(
        "utf-8"
    )
    assert clean.reused == 0

    # every cache a build keeps is one that --clean forgets
    kept = {path.name for path in (tmp_path / "incremental" / CACHE_FOLDER).glob("*.sqlite")}
    assert PAIR_CACHE_FILE in kept and kept <= set(CACHE_FILES)
    forced = _build(sources, tmp_path / "incremental", clean=True)
    assert forced.reused == 0 and forced.search["cached"] == 0  # --clean: nothing kept is used
    assert forced.mappings["pairs_matched"] == 6
    _same_build(
        Settings.load(build_dir=tmp_path / "incremental"), Settings.load(build_dir=tmp_path / "clean")
    )
