"""`kg search` and `kg eval` as users run them."""

from __future__ import annotations

import json

import pytest

from conftest import ROOT
from test_cli import assert_clean_failure, kg


@pytest.fixture(scope="module")
def build_dir(built):
    return built.build_dir


def test_search_prints_documents_with_their_evidence(build_dir):
    result = kg("search", "哪些單元涵蓋客訴處理", "--top", "2", build_dir=build_dir)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    # 單元 asks for units: the answer says so and lists units only (--literal searches the words)
    assert lines[0] == "understood: document kind unit (--literal to search the words only)"
    assert lines[1].startswith(" 1. TTM3R0299v2  提昇優質客戶服務  (unit)  score ")
    assert any("N3" in line and "客訴與爭議管理" in line for line in lines)
    assert sum(line[:3].strip().endswith(".") for line in lines) == 2


def test_search_prints_the_chinese_words_an_english_question_was_searched_with(build_dir):
    table = kg("search", "complaint", "--top", "1", build_dir=build_dir)
    assert table.returncode == 0, table.stderr
    assert table.stdout.splitlines()[0].startswith("also searched in Chinese as: 客訴、投訴、客戶投訴、")
    as_json = json.loads(kg("search", "complaint", "--json", build_dir=build_dir).stdout)
    assert as_json["gloss"][:3] == ["客訴", "投訴", "客戶投訴"]
    assert json.loads(kg("search", "客訴", "--json", build_dir=build_dir).stdout)["gloss"] == []


def test_search_literal_reads_no_kinds(build_dir):
    result = kg("search", "哪些單元涵蓋客訴處理", "--top", "2", "--literal", build_dir=build_dir)
    lines = result.stdout.splitlines()
    assert lines[0].startswith(" 1. BAS1499-003  客戶服務主管  (standard)  score ")
    assert any("T4.2" in line and "實施有關客戶投訴的店內政策" in line for line in lines)


def test_search_says_when_nothing_matches_well(build_dir):
    result = kg("search", "how to bake bread", "--by", "item", build_dir=build_dir)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    if lines[0].startswith("also searched in Chinese as: "):  # English words the build could gloss
        lines = lines[1:]
    assert lines[0] == "no document covers this question well; the closest items, all weak:"
    assert 1 <= len(lines) - 1 <= 3
    assert all(" weak  " in line for line in lines[1:])


def test_search_json_by_document(build_dir):
    result = kg("search", "which units cover complaint handling", "--json", build_dir=build_dir)
    payload = json.loads(result.stdout)
    assert payload["query"] == "which units cover complaint handling"
    assert payload["understood"] == {"document_kinds": ["unit"]}
    assert (payload["calibrated"], payload["no_good_match"]) == (True, False)
    assert payload["results"][0]["document"] == "TTM3R0299v2"
    assert all(r["kind"] == "unit" for r in payload["results"])
    assert {"code", "kind", "text", "score", "iri"} == set(payload["results"][0]["evidence"][0])


def test_search_json_by_item_with_filters(build_dir):
    result = kg(
        "search",
        "客訴處理",
        "--by",
        "item",
        "--kind",
        "indicator",
        "--document-kind",
        "standard",
        "--top",
        "3",
        "--mode",
        "dense",
        "--json",
        build_dir=build_dir,
    )
    payload = json.loads(result.stdout)
    assert len(payload["results"]) == 3
    assert all(r["kind"] == "indicator" and r["document"].startswith("BAS") for r in payload["results"])


def test_search_with_no_matches_says_so(build_dir):
    result = kg("search", "zeppelin", "--mode", "lexical", build_dir=build_dir)
    assert result.returncode == 0
    assert "no matches for 'zeppelin'" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["   "], "the search query is empty"),
        (["客" * 10_000], "too long: 10000 characters"),
        (["客訴\x1b處理"], "control character (U+001B) at position 3"),
        (["客訴", "--mode", "fuzzy"], "unknown mode 'fuzzy'"),
        (["客訴", "--kind", "indicators"], "unknown item kind 'indicators'"),
        (["客訴", "--level", "9"], "level 9 is out of range"),
        (["客訴", "--embedder", "st:/nowhere/model"], "'/nowhere/model' is not on this machine"),
    ],
)
def test_bad_searches_fail_cleanly(build_dir, args, message):
    assert_clean_failure(kg("search", *args, build_dir=build_dir), message)


def test_search_before_any_build_fails_cleanly(tmp_path):
    assert_clean_failure(kg("search", "客訴", build_dir=tmp_path / "none"), "run `kg build` first")


def test_eval_prints_recall_and_mrr_per_mode(build_dir):
    # one part only: the whole set embeds 169 questions, slow on a busy 2-core machine
    result = kg("eval", "--split", "test", build_dir=build_dir)
    assert result.returncode == 0, result.stderr
    assert "| mode | level | recall@1 | recall@3 | recall@5 | recall@10 | MRR | nDCG@10 |" in result.stdout
    for mode in ("hybrid", "dense", "lexical"):
        assert f"| {mode} | item |" in result.stdout and f"| {mode} | document |" in result.stdout


def test_eval_json(build_dir):
    result = kg("eval", "--mode", "lexical", "--json", "--split", "test", build_dir=build_dir)
    payload = json.loads(result.stdout)
    assert payload["questions"] >= 30
    assert set(payload["scores"]) == {"lexical"}
    assert 0 < payload["scores"]["lexical"]["item"]["mrr"] <= 1
    assert set(payload["lexical"]) == {"test"}
    test = payload["lexical"]["test"]
    assert set(test["groups"]) == {"zh keyword", "zh sentence", "en keyword", "en sentence"}
    assert {"recall@10", "mrr", "ndcg@10"} <= set(test["groups"]["en sentence"])
    assert test["no_answer"]["questions"] >= 10
    assert 0 <= test["no_answer"]["recall"] <= 1
    bands = payload["score_bands"]["test"]  # what a score means, on the test part's candidates
    assert [band["from"] for band in bands] == [0.0, 0.05, 0.1, 0.2, 0.3, 0.5]
    assert sum(band["candidates"] for band in bands) > 1000
    # calibrated: items scored under 0.05 are rarely relevant, those over 0.3 often
    assert bands[0]["relevant"] < 0.1 < 0.3 < bands[-2]["relevant"] and bands[-1]["relevant"] > 0.5


def test_eval_of_one_split_prints_both_tables(build_dir):
    result = kg("eval", "--mode", "hybrid", "--split", "test", build_dir=build_dir)
    assert result.returncode == 0, result.stderr
    assert "| test | 19 | en keyword |" in result.stdout
    assert "| dev |" not in result.stdout
    assert "no-answer recall" in result.stdout
    assert "| test | 0.50 to 1 |" in result.stdout  # what a score means
    assert_clean_failure(kg("eval", "--split", "train", build_dir=build_dir), "unknown split 'train'")


def test_eval_of_one_language(build_dir):
    result = kg("eval", "--lang", "en", "--mode", "dense", build_dir=build_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("76 questions from eval/questions.json")
    assert_clean_failure(kg("eval", "--lang", "fr", build_dir=build_dir), "no questions in language 'fr'")


def test_eval_with_a_bad_question_file_fails_cleanly(build_dir, tmp_path):
    bad = tmp_path / "q.json"
    bad.write_text(
        '{"questions": [{"id": "x", "question": "客訴", "documents": ["NOPE"], "items": ["NOPE/P1"]}]}'
    )
    assert_clean_failure(kg("eval", "--questions", str(bad), build_dir=build_dir), "question x: NOPE/P1")
    assert_clean_failure(
        kg("eval", "--questions", str(tmp_path / "none.json"), build_dir=build_dir), "no such"
    )


def test_sparql_similarity_from_the_command_line(build_dir):
    result = kg(
        "sparql",
        "--file",
        str(ROOT / "ontology/queries/complaint-handling-by-similarity.rq"),
        "--format",
        "csv",
        build_dir=build_dir,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1].startswith("BAS1499-003,T4,P4.2.2,")
