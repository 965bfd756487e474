"""`kg overlap` end to end: a real process over a real build of the seeds."""

from __future__ import annotations

import csv
import io
import json

import pytest

from conftest import SEED_CODES, incorporated_items
from test_cli import assert_clean_failure, kg


def test_overlap_lists_pairs_best_first_and_names_the_incorporating_task(built):
    result = kg("overlap", "KMM5R0915v2", "BAS1499-003", build_dir=built.build_dir)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("KMM5R0915v2 發展客戶服務的行銷策略 <-> BAS1499-003 客戶服務主管:")
    incorporated_items(lines[1])
    assert "1.000  exact    K1 " in result.stdout


def test_overlap_json_has_the_documented_shape(built):
    result = kg("overlap", "KMM5R0915v2", "BAS1499-003", "--json", build_dir=built.build_dir)
    data = json.loads(result.stdout)
    assert (data["a"], data["b"]) == ("KMM5R0915v2", "BAS1499-003")
    first = data["pairs"][0]
    assert set(first) == {"a", "b", "score", "relation", "weak"}
    assert set(first["a"]) == set(first["b"]) == {"code", "kind", "text"}
    assert [p["score"] for p in data["pairs"]] == sorted((p["score"] for p in data["pairs"]), reverse=True)
    assert data["incorporation"]["task"] == "T2" and data["incorporation"]["incorporated"] is True


def test_overlap_filters_by_relation_and_kind(built):
    result = kg(
        "overlap",
        "BAS1499-003",
        "KMM5R0915v2",
        "--json",
        "--min-relation",
        "exact",
        "--kind",
        "knowledge",
        build_dir=built.build_dir,
    )
    pairs = json.loads(result.stdout)["pairs"]
    assert [(p["a"]["code"], p["b"]["code"]) for p in pairs] == [(f"K{n + 6}", f"K{n}") for n in range(1, 9)]


def test_the_matrix_prints_as_a_table_and_as_csv(built):
    table = kg("overlap", "--matrix", build_dir=built.build_dir)
    assert table.returncode == 0, table.stderr
    assert all(code in table.stdout for code in SEED_CODES) and "100%" in table.stdout
    rows = list(csv.reader(io.StringIO(kg("overlap", "--matrix", "--csv", build_dir=built.build_dir).stdout)))
    assert rows[0] == ["document", *SEED_CODES]
    values = {row[0]: dict(zip(SEED_CODES, map(float, row[1:]), strict=True)) for row in rows[1:]}
    assert values["KMM5R0915v2"]["KMM5R0915v2"] == 1.0
    assert values["KMM5R0915v2"]["BAS1499-003"] > 0.8 > values["BAS1499-003"]["KMM5R0915v2"]


def test_the_coverage_table_shows_the_incorporated_unit_first(built):
    result = kg("overlap", "--coverage", build_dir=built.build_dir)
    first = result.stdout.splitlines()[1].split()
    assert first[:3] == ["KMM5R0915v2", "BAS1499-003", "T2"] and first[-1] == "True"


def test_sssom_export_writes_the_file(built, tmp_path):
    target = tmp_path / "out.sssom.tsv"
    result = kg("overlap", "--sssom", str(target), build_dir=built.build_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("wrote ") and target.read_text(encoding="utf-8").startswith("#curie_map:")


def test_evaluate_reports_precision_and_recall(built):
    result = kg("overlap", "--evaluate", "--json", build_dir=built.build_dir)
    report = json.loads(result.stdout)
    assert report["pairs"] == 607  # 600, then 7 pairs for the cases of issue 14 (eval/GUIDELINE.md)
    assert {s["level"] for s in report["matcher"]} == {"exact", "close", "related"}
    text = kg("overlap", "--evaluate", build_dir=built.build_dir).stdout
    assert "precision" in text and "cross-validated" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["overlap", "KMM5R0915v2"], "give two document codes"),
        (["overlap", "KMM5R0915v2", "NOPE"], "no document 'NOPE'"),
        (["overlap", "--matrix", "--coverage"], "choose one of --matrix, --coverage"),
        (["overlap", "KMM5R0915v2", "BAS1499-003", "--matrix"], "--matrix takes no document codes"),
        (["overlap", "--matrix", "--csv", "--json"], "choose --csv or --json"),
        (["overlap", "--calibrate"], "--calibrate goes with --evaluate"),
        (["overlap", "KMM5R0915v2", "BAS1499-003", "--min-relation", "same"], "unknown mapping relation"),
        (["overlap", "--evaluate", "--pairs", "missing.tsv"], "no such file of labelled pairs"),
    ],
)
def test_bad_requests_fail_cleanly(built, args, message):
    assert_clean_failure(kg(*args, build_dir=built.build_dir), message)


def test_overlap_without_a_build_says_to_build(tmp_path):
    assert_clean_failure(kg("overlap", "--matrix", build_dir=tmp_path / "none"), "no build found")
