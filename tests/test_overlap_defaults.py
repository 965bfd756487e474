"""Overlap views show exact and close pairs by default; related ones on request, marked weak;
the closest task of a unit is named only when it holds a meaningful share of the unit."""

from __future__ import annotations

import json

import kg as library
from kg.mapping.display import MEANINGFUL_SHARE, shows_closest_task
from kg.mapping.incorporation import Coverage
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
    assert "KMM5R0915v2 is incorporated in BAS1499-003 task T2" in text


def coverage(matched: int, indicators: int = 20, task: str | None = "T1") -> Coverage:
    return Coverage("U", "S", task, None, indicators, matched, "0/0", "0/0")


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
