"""The rules of overlap mapping, each on a small fixture of its own (no build needed)."""

from __future__ import annotations

import numpy as np
import pytest

from kg.errors import KgError
from kg.mapping.corpus import oriented
from kg.mapping.evaluate import level_scores, load_pairs
from kg.mapping.incorporation import unit_coverage
from kg.mapping.matching import Side, match
from kg.mapping.model import Thresholds, at_least
from kg.mapping.scoring import Scorer, gram_ids, gram_matrix, normalised
from kg.search.items import SearchItem

THRESHOLDS = Thresholds(exact=0.95, close=0.85, related=0.7)
WORDING_ONLY = Scorer(weight=1.0)  # scores from wording alone, so the fixtures need no model


def item(document: str, code: str, kind: str, text: str, task: str | None = None) -> SearchItem:
    iri = f"https://example.org/{document}/{code}"
    return SearchItem(0, iri, document, "unit", None, code, kind, text, None, task)


def side(document: str, rows: list[tuple[str, str, str, str | None]]) -> Side:
    items = [item(document, code, kind, text, task) for code, kind, text, task in rows]
    scopes = [frozenset([i.task]) if i.task else frozenset() for i in items]
    return Side(document, items, np.zeros((len(items), 4), dtype=np.float32), scopes)


def pairs(mappings) -> set[tuple[str, str, str]]:
    return {(m.a.code, m.b.code, m.relation) for m in mappings}


def test_thresholds_must_be_ordered():
    with pytest.raises(KgError, match="exact >= close >= related"):
        Thresholds(exact=0.8, close=0.9, related=0.5)
    assert THRESHOLDS.relation(0.96) == "exact"
    assert THRESHOLDS.relation(0.9) == "close"
    assert THRESHOLDS.relation(0.7) == "related"
    assert THRESHOLDS.relation(0.69) is None
    assert at_least("exact", "close") and not at_least("related", "close")


def test_wording_is_compared_on_simplified_text_without_punctuation():
    assert normalised("溝通技巧： 與各級人員。") == normalised("沟通技巧与各级人员")
    scores = WORDING_ONLY.wording(
        ["溝通技巧", "溝通技巧"], ["溝通技巧：與各級人員進行有效的溝通", "文書技能"]
    )
    assert scores[0, 0] > 0.5  # contained in the longer text
    assert scores[1, 1] == 0.0


def test_identical_items_match_exactly_one_to_one():
    a = side("A", [("P1", "indicator", "建立緊急應變計畫", "T1"), ("P2", "indicator", "分析銷售數據", "T1")])
    b = side("B", [("P9", "indicator", "分析銷售數據", "T3"), ("P8", "indicator", "建立緊急應變計畫", "T3")])
    assert pairs(match(a, b, WORDING_ONLY, THRESHOLDS)) == {("P1", "P8", "exact"), ("P2", "P9", "exact")}


def test_items_match_only_within_their_kind_group():
    a = side("A", [("K1", "knowledge", "銷售和行銷原則", None), ("T1", "task", "分析銷售成果", "T1")])
    b = side("B", [("S1", "skill", "銷售和行銷原則", None), ("T2.4", "activity", "分析銷售成果", "T2")])
    # a knowledge item never matches a skill; a unit's task does match a standard's activity
    assert pairs(match(a, b, WORDING_ONLY, THRESHOLDS)) == {("T1", "T2.4", "exact")}


def test_each_item_is_used_once_and_the_best_pair_wins():
    a = side("A", [("S1", "skill", "簡報技巧", None), ("S2", "skill", "簡報技巧與表達", None)])
    b = side("B", [("S7", "skill", "簡報技巧", None)])
    found = match(a, b, WORDING_ONLY, THRESHOLDS)
    assert pairs(found) == {("S1", "S7", "exact")}
    assert found[0].cardinality == "1:1"


def test_an_item_printed_twice_maps_to_both_copies():
    a = side("A", [("S1", "skill", "解決問題的能力", None)])
    b = side("B", [("S14", "skill", "解決問題的能力", "T2"), ("S53", "skill", "解決問題的能力", "T8")])
    found = match(a, b, WORDING_ONLY, THRESHOLDS)
    assert pairs(found) == {("S1", "S14", "exact"), ("S1", "S53", "exact")}
    assert {m.cardinality for m in found} == {"1:n"}


def test_context_prefers_the_task_the_rest_of_the_unit_maps_to():
    unit = side(
        "U",
        [
            ("P1", "indicator", "建立行銷資料庫", "T1"),
            ("P2", "indicator", "測試行銷資料庫", "T1"),
            ("P3", "indicator", "維護行銷資料庫", "T1"),
            ("S1", "skill", "分析技能", None),
        ],
    )
    standard = side(
        "S",
        [
            ("P2.1", "indicator", "建立行銷資料庫", "T2"),
            ("P2.2", "indicator", "測試行銷資料庫", "T2"),
            ("P2.3", "indicator", "維護行銷資料庫", "T2"),
            ("S3", "skill", "分析技能：數據", "T3"),  # scores a little higher on its own
            ("S5", "skill", "分析技能：分析數據", "T2"),
        ],
    )
    found = match(unit, standard, WORDING_ONLY, Thresholds(0.95, 0.5, 0.3))
    skills = {(m.a.code, m.b.code) for m in found if m.a.kind == "skill"}
    assert skills == {("S1", "S5")}  # 0.83 in the unit's task beats 0.875 outside it


def test_a_unit_is_incorporated_in_the_task_holding_most_of_its_indicators():
    unit = side(
        "U",
        [(f"P{n}", "indicator", text, "T1") for n, text in enumerate(["甲乙丙丁", "戊己庚辛", "壬癸子丑"])],
    )
    standard = side(
        "S",
        [
            ("P2.1", "indicator", "甲乙丙丁", "T2"),
            ("P2.2", "indicator", "戊己庚辛", "T2"),
            ("P5.1", "indicator", "壬癸子丑", "T5"),
        ],
    )
    found = match(unit, standard, WORDING_ONLY, THRESHOLDS)
    coverage = unit_coverage(unit, standard, found, {"T2": "任務二", "T5": "任務五"})
    assert (coverage.task, coverage.task_title, coverage.matched, coverage.indicators) == (
        "T2",
        "任務二",
        2,
        3,
    )
    assert coverage.incorporated
    lone = unit_coverage(unit, standard, found[:1], {})
    assert not lone.incorporated  # one indicator of three is not most of the unit


def test_pairs_are_matched_unit_first_then_by_code():
    kinds = {"BAS1": "standard", "KMM1": "unit", "AAA": "standard"}
    assert oriented("BAS1", "KMM1", kinds) == ("KMM1", "BAS1")
    assert oriented("KMM1", "BAS1", kinds) == ("KMM1", "BAS1")
    assert oriented("BAS1", "AAA", kinds) == ("AAA", "BAS1")


def test_precision_and_recall_per_level():
    gold = ["exact", "close", "related", "none"]
    predicted = ["exact", "related", "none", "close"]
    scores = {s.level: s for s in level_scores(gold, predicted)}
    assert (scores["exact"].precision, scores["exact"].recall) == (1.0, 1.0)
    assert (scores["close"].precision, scores["close"].recall) == (0.5, 0.5)  # "close" guessed for "none"
    assert scores["related"].precision == pytest.approx(2 / 3) and scores["related"].recall == pytest.approx(
        2 / 3
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("doc_a\tcode_a\tdoc_b\tcode_b\n", r"missing column\(s\) relation"),
        ("doc_a\tcode_a\tdoc_b\tcode_b\trelation\nA\tP1\tB\tP2\tsame\n", "line 2: relation 'same'"),
        ("doc_a\tcode_a\tdoc_b\tcode_b\trelation\n", "no labelled pairs"),
    ],
)
def test_bad_label_files_say_what_and_where(tmp_path, content, message):
    path = tmp_path / "pairs.tsv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(KgError, match=message):
        load_pairs(path)
    with pytest.raises(KgError, match="no such file"):
        load_pairs(tmp_path / "missing.tsv")


@pytest.mark.parametrize(
    "texts",
    [
        ["溝通技巧", "溝通技巧：與各級人員進行有效的溝通", "文書技能", "資料資料資料", "臺灣 台灣"],
        ["", "。", "a", "AB ab", "x\ny", "Ω", "客"],  # empty, punctuation only, one character, newlines
        [],
    ],
)
def test_the_bigram_matrix_of_many_texts_holds_each_texts_own_bigrams(texts):
    grams, sizes = gram_matrix(texts)
    assert sizes.tolist() == [len(gram_ids(text)) for text in texts]
    own = [set(gram_ids(text).tolist()) for text in texts]
    shared = (grams @ grams.T).toarray()
    for a, b in np.ndindex(len(texts), len(texts)):
        assert shared[a, b] == len(own[a] & own[b]), (texts[a], texts[b])
