"""Overlap views show exact and close pairs by default; related ones on request, marked weak;
the closest task of a unit covers the largest share of its items (close or better, at
activity level) and is named only when that share is meaningful."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

import kg as library
from conftest import ROOT, incorporated_items
from kg.mapping.display import MEANINGFUL_SHARE, shows_closest_task
from kg.mapping.incorporation import MIN_COVERAGE, Coverage, unit_coverage
from kg.mapping.matching import Side
from kg.mapping.model import Mapping
from kg.search.items import SearchItem, stable_id
from test_cli import kg

UNIT, STANDARD = "KMM5R0915v2", "BAS1499-003"
STAFF = "BGM4R0172v2"  # 管理客戶服務部門員工: one of its 15 indicators lands in BAS1499-003's T2


def test_the_cli_shows_exact_and_close_unless_asked(built):
    default = json.loads(kg("overlap", STAFF, STANDARD, "--json", build_dir=built.build_dir).stdout)
    assert default["pairs"] and {p["relation"] for p in default["pairs"]} <= {"exact", "close"}
    asked = kg("overlap", STAFF, STANDARD, "--min-relation", "related", build_dir=built.build_dir)
    lines = asked.stdout.splitlines()
    related = [line for line in lines[2:] if line.split()[1:2] == ["related"]]
    assert related and all(line.split()[2] == "(weak)" for line in related)


def test_the_library_gives_exact_and_close_unless_asked_and_marks_related_weak(built):
    graph = library.open(settings=built)
    default = graph.overlap(STAFF, STANDARD)
    assert default.pairs and {m.relation for m in default.pairs} <= {"exact", "close"}
    assert default.to_dict() == library.overlap(STAFF, STANDARD, built).to_dict()
    assert not any(p["weak"] for p in default.to_dict()["pairs"])
    asked = graph.overlap(STAFF, STANDARD, min_relation="related")
    related = [m for m in asked.pairs if m.relation == "related"]
    assert related and all(m.weak for m in related)
    table = asked.to_dataframe()
    assert list(table["weak"]) == [m.relation == "related" for m in asked.pairs]
    assert {(m.a.code, m.b.code) for m in default.pairs} == {
        (m.a.code, m.b.code) for m in asked.pairs if m.relation != "related"
    }


def test_no_closest_task_is_named_under_a_meaningful_share(built):
    text = kg("overlap", STAFF, STANDARD, build_dir=built.build_dir).stdout
    assert "closest to" not in text and "incorporated in" not in text
    text = kg("overlap", UNIT, STANDARD, build_dir=built.build_dir).stdout
    incorporated_items(text)


def test_the_banner_is_shown_where_readers_place_the_unit(built):
    """eval/closest_tasks.tsv: labelled by reading the documents (eval/GUIDELINE.md)."""
    table = library.open(settings=built).coverage().set_index(["unit", "standard"])
    with (ROOT / "eval" / "closest_tasks.tsv").open(encoding="utf-8") as lines:
        labels = list(csv.DictReader(lines, delimiter="\t"))
    assert len(labels) == len(table) == 6
    for label in labels:
        row = table.loc[(label["unit"], label["standard"])]
        shown = bool(row["coverage"] >= MEANINGFUL_SHARE)
        assert shown == (label["banner"] == "yes"), label
        if shown:
            assert row["task"] == label["reader_task"], label
    staff = table.loc[(STAFF, STANDARD)]
    assert staff["task"] == "T7" and staff["covered"] == 3  # its task, a knowledge item and a skill


# --- the closest task, on fixtures of this file -----------------------------------------------------


def item(document: str, code: str, kind: str, task: str | None = None) -> SearchItem:
    iri = f"https://example.org/{document}/{code}"
    return SearchItem(stable_id(iri), iri, document, "unit", None, code, kind, code, None, task)


def side(document: str, items: list[SearchItem], scopes: list[frozenset[str]] | None = None) -> Side:
    scopes = scopes or [frozenset() for _ in items]
    return Side(document, items, np.zeros((len(items), 2), dtype=np.float32), scopes)


UNIT_ITEMS = [
    item("U", "T1", "task"),
    *(item("U", f"P{n}", "indicator") for n in range(1, 5)),
    item("U", "K1", "knowledge"),
    item("U", "S1", "skill"),
    item("U", "N1", "note"),  # explains a term: not counted
]
STANDARD_ITEMS = [
    item("S", "T1.1", "activity", "T1"),
    item("S", "P1.1.1", "indicator", "T1"),
    item("S", "K7", "knowledge"),  # listed under T1's activity
    item("S", "S7", "skill"),  # listed under both tasks
    item("S", "P2.1.1", "indicator", "T2"),
    item("S", "P2.1.2", "indicator", "T2"),
    item("S", "N9", "note"),
]
SCOPES = [frozenset({t}) for t in ("T1", "T1", "T1")] + [frozenset({"T1", "T2"})]
SCOPES += [frozenset({"T2"}), frozenset({"T2"}), frozenset()]
TITLES = {"T1": "first", "T2": "second"}


def closest(*pairs: tuple[str, str, str]) -> Coverage:
    unit, standard = {i.code: i for i in UNIT_ITEMS}, {i.code: i for i in STANDARD_ITEMS}
    found = [Mapping(unit[a], standard[b], 0.9, relation) for a, b, relation in pairs]  # type: ignore[arg-type]
    return unit_coverage(side("U", UNIT_ITEMS), side("S", STANDARD_ITEMS, SCOPES), found, TITLES)


def test_the_closest_task_covers_most_of_the_units_items_not_most_indicators():
    c = closest(
        ("P1", "P2.1.1", "close"), ("T1", "T1.1", "close"), ("K1", "K7", "exact"), ("S1", "S7", "close")
    )
    assert (c.task, c.task_title, c.covered, c.items) == ("T1", "first", 3, 7)  # the note is not counted
    assert (c.matched, c.indicators, c.knowledge, c.skills) == (0, 4, "1/1", "1/1")
    assert c.coverage == pytest.approx(3 / 7) and not c.incorporated and shows_closest_task(c)


def test_related_pairs_and_notes_cover_nothing():
    c = closest(("T1", "T1.1", "related"), ("K1", "K7", "related"), ("N1", "N9", "exact"))
    assert (c.task, c.covered, c.coverage) == (None, 0, 0.0)
    assert not shows_closest_task(c)


def test_a_tie_goes_to_more_indicators_then_the_first_task():
    c = closest(("S1", "S7", "close"), ("P1", "P2.1.1", "close"))  # T1: 1 item; T2: 2 (one indicator)
    assert (c.task, c.covered, c.matched) == ("T2", 2, 1)
    tie = closest(("T1", "T1.1", "close"), ("P1", "P2.1.1", "close"))  # one item each, T2's an indicator
    assert (tie.task, tie.covered, tie.matched) == ("T2", 1, 1)
    first = closest(("S1", "S7", "close"))  # the skill is in both tasks' lists
    assert first.task == "T1"


def test_most_of_the_unit_in_one_task_is_incorporated():
    pairs = [(f"P{n}", "P2.1.1" if n % 2 else "P2.1.2", "exact") for n in range(1, 5)]
    c = closest(*pairs)
    assert (c.task, c.covered, c.items, c.matched) == ("T2", 4, 7, 4)
    assert c.coverage >= MIN_COVERAGE and c.incorporated


def coverage(covered: int, items: int = 20, task: str | None = "T1") -> Coverage:
    return Coverage("U", "S", task, None, 0, 0, "0/0", "0/0", items, covered)


def test_the_meaningful_share_rule():
    at_share = round(MEANINGFUL_SHARE * 20)
    assert shows_closest_task(coverage(at_share))
    assert not shows_closest_task(coverage(at_share - 1))
    assert not shows_closest_task(coverage(0, task=None))
    assert not shows_closest_task(None)


def test_the_pair_page_marks_related_weak_and_hides_a_meaningless_closest_task(client):
    page = client.get("/overlap", params={"a": STAFF, "b": STANDARD})
    assert page.status_code == 200
    assert 'class="relation related"' not in page.text
    assert 'id="no-closest-task"' in page.text and 'id="incorporation"' not in page.text
    asked = client.get("/overlap", params={"a": STAFF, "b": STANDARD, "min-relation": "related"})
    assert 'class="relation related"' in asked.text and "弱 weak" in asked.text
    incorporated = client.get("/overlap", params={"a": UNIT, "b": STANDARD})
    assert 'id="incorporation"' in incorporated.text
