"""Search over the real build of the seeds, with the real bundled model (e5-small)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import kg
from conftest import ROOT, SEED_CODES
from kg.errors import KgError
from kg.search.engine import Filters, Searcher, clean_query, document_score
from kg.search.evaluate import evaluate, load_questions
from kg.search.index import SEARCH_FOLDER, SearchIndex
from kg.settings import Settings
from kg.store.layout import current_build


@pytest.fixture(scope="session")
def searcher(built: Settings) -> Searcher:
    return Searcher.open(built)


def codes(results) -> list[str]:
    return [f"{h.item.document}/{h.item.code}" for h in results.results]


# --- the query that must work -------------------------------------------------------------------


def test_complaint_handling_finds_the_complaint_indicators_although_the_text_says_tousu(searcher):
    """客訴 (colloquial) is never printed in BAS1499-003; its items say 投訴."""
    result = searcher.search("客訴處理")
    first = result.results[0]
    assert first.document == "BAS1499-003"
    assert {"T4.2", "P6.2.3"} <= {e.item.code for e in first.evidence}
    assert all("客訴" not in e.item.text for e in first.evidence)


@pytest.mark.parametrize("mode", ["hybrid", "dense", "lexical"])
def test_complaint_handling_items_in_every_mode(searcher, mode):
    found = codes(searcher.search("客訴處理", mode=mode, by="item", top=20))
    assert {"BAS1499-003/T4.2", "BAS1499-003/P6.2.3"} <= set(found)


def test_a_simplified_chinese_question_finds_the_same(searcher):
    traditional = searcher.search("客訴處理", by="item", top=5).results
    simplified = searcher.search("客诉处理", by="item", top=5).results
    assert {h.item.code for h in simplified} & {h.item.code for h in traditional} >= {"P4.2.2", "T4.2"}


def test_an_english_question_finds_chinese_items(searcher):
    # "which units ..." now asks for units (tests/test_search_understand.py); the topic alone
    # still finds the standard that words it as 投訴.
    result = searcher.search("complaint handling")
    assert result.results[0].document == "BAS1499-003"
    assert {"T4.2", "P4.2.2"} & {e.item.code for e in result.results[0].evidence}


# --- result shapes --------------------------------------------------------------------------------


def test_documents_are_grouped_best_first_with_scored_evidence(searcher):
    result = searcher.search("行銷資料庫", top=3)
    assert len(result.results) == 3
    scores = [d.score for d in result.results]
    assert scores == sorted(scores, reverse=True)
    for document in result.results:
        assert document.document in SEED_CODES
        assert 1 <= len(document.evidence) <= 5
        assert all(e.item.document == document.document for e in document.evidence)
        assert [e.score for e in document.evidence] == sorted(
            (e.score for e in document.evidence), reverse=True
        )
        assert document.score == pytest.approx(document_score([e.score for e in document.evidence]))


def test_document_json_matches_the_documented_shape(searcher):
    payload = searcher.search("客訴處理", top=2).to_dict()
    assert payload["query"] == "客訴處理"
    document = payload["results"][0]
    assert set(document) == {"document", "title", "kind", "score", "evidence"}
    assert (document["document"], document["title"], document["kind"]) == (
        "BAS1499-003",
        "客戶服務主管",
        "standard",
    )
    assert set(document["evidence"][0]) == {"code", "kind", "text", "score", "iri"}
    assert document["evidence"][0]["iri"].startswith("https://w3id.org/icap-kg/id/BAS1499-003/")
    json.dumps(payload)  # plain JSON types only


def test_item_json_matches_the_documented_shape(searcher):
    payload = searcher.search("客訴處理", by="item", top=4).to_dict()
    assert len(payload["results"]) == 4
    assert all(set(r) == {"document", "code", "kind", "text", "score", "iri"} for r in payload["results"])


def test_top_bounds_the_list(searcher):
    assert len(searcher.search("客戶服務", by="item", top=7).results) == 7
    assert len(searcher.search("客戶服務", top=2).results) == 2


def test_hybrid_scores_are_scaled_to_one(searcher):
    items = searcher.search("complaint handling", by="item", top=50).results
    assert all(0 < h.score <= 1 for h in items)


def test_an_item_scores_the_same_whatever_the_mode(searcher):
    # Scores are calibrated chances of relevance of (question, item), not the ranking's own
    # cosines or BM25 values, so one item shows one score in every mode.
    scores = {
        mode: {
            h.item.code: h.score for h in searcher.search("客訴處理", mode=mode, by="item", top=20).results
        }
        for mode in ("hybrid", "dense", "lexical")
    }
    shared = set(scores["hybrid"]) & set(scores["dense"]) & set(scores["lexical"])
    assert "P4.2.2" in shared
    for code in shared:
        assert scores["dense"][code] == pytest.approx(scores["hybrid"][code], abs=1e-9)
        assert scores["lexical"][code] == pytest.approx(scores["hybrid"][code], abs=1e-9)


@pytest.mark.parametrize("question", ["客訴處理", "how do I train new customer service agents"])
def test_dense_ranking_and_scores_use_one_question_vector(searcher, question):
    # The dense ranking, the calibrated score's cosine and kgf:similarity all read
    # `query_vector` (an English question's with its Chinese gloss), so a variant that
    # changes the vector changes all three alike (benchmarks/search_variants.py relies on it).
    ranked = searcher.rank(question, "dense", None, 10)
    vector = searcher.query_vector(question)
    stored = np.array([searcher.index.dense.vector(searcher.index.items[row].id) for row, _ in ranked])
    assert [score for _, score in ranked] == pytest.approx((stored @ vector).tolist(), abs=1e-5)
    best = searcher.index.dense.vectors() @ vector
    assert ranked[0][1] == pytest.approx(float(best.max()), abs=1e-5)


def test_a_searcher_with_another_question_vector_ranks_and_scores_by_it(built):
    class Pointed(Searcher):
        """Asks with the stored vector of one item, whatever the words."""

        def query_vector(self, query: str) -> np.ndarray:
            return self.index.dense.vector(self.index.items[target].id)

    pointed = Pointed(current_build(built.build_dir))
    target = next(row for row, item in enumerate(pointed.index.items) if item.text == "建立績效管理方案")
    first, cosine = pointed.rank("客訴處理", "dense", None, 5)[0]
    assert pointed.index.items[first].text == "建立績效管理方案"  # or a copy of it in another document
    assert cosine == pytest.approx(1.0, abs=1e-4)
    assert pointed.signals("客訴處理", np.array([target])).cosine[0] == pytest.approx(1.0, abs=1e-4)


def test_lexical_mode_finds_nothing_for_words_no_item_holds(searcher):
    assert searcher.search("xylophone zeppelin", mode="lexical").results == []


# --- filters ---------------------------------------------------------------------------------------


def test_item_kind_filter(searcher):
    items = searcher.search("客訴處理", by="item", top=15, filters=Filters(item_kinds=("indicator",))).results
    assert len(items) == 15
    assert {h.item.kind for h in items} == {"indicator"}


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("客服人員應有的態度", "attitude"),
        ("what attitudes does a customer service planner need", "attitude"),
        ("行銷人員需要哪些技能", "skill"),
    ],
)
def test_a_question_naming_an_item_kind_gets_that_kind_first(searcher, question, kind):
    """As the answer says ("item kind attitude first"), even when other items share more words."""
    found = searcher.search(question, top=1)
    assert found.understood.item_kinds == (kind,)
    assert found.results[0].evidence[0].item.kind == kind
    items = searcher.search(question, by="item", top=3).results
    assert {hit.item.kind for hit in items} == {kind}


def test_document_kind_filter(searcher):
    result = searcher.search("客訴處理", filters=Filters(document_kinds=("unit",)))
    assert {d.kind for d in result.results} == {"unit"}
    assert result.results[0].document == "TTM3R0299v2"  # its notes speak of 客訴


def test_document_filter(searcher):
    items = searcher.search("客訴處理", by="item", filters=Filters(documents=("TTM3R0299v2",))).results
    assert items and {h.item.document for h in items} == {"TTM3R0299v2"}


def test_level_filter_uses_inherited_levels(searcher):
    items = searcher.search("行銷策略", by="item", top=30, filters=Filters(levels=(5,))).results
    assert items and {h.item.level for h in items} == {5}
    # BAS1499-003's T2 is level 5; its indicators inherit it
    assert any(h.item.code.startswith("P2.") and h.item.document == "BAS1499-003" for h in items)


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        (Filters(item_kinds=("indicators",)), "unknown item kind 'indicators'"),
        (Filters(document_kinds=("occupation",)), "unknown document kind 'occupation'"),
        (Filters(documents=("BAS0000-000",)), "no document 'BAS0000-000'"),
        (Filters(levels=(7,)), "level 7 is out of range"),
    ],
)
def test_bad_filters_are_named(searcher, filters, message):
    with pytest.raises(KgError, match=message):
        searcher.search("客訴", filters=filters)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"mode": "semantic"}, "unknown mode 'semantic'"),
        ({"by": "task"}, "unknown grouping"),
        ({"top": 0}, "top .how many results. must be 1 or more"),
    ],
)
def test_bad_options_are_named(searcher, options, message):
    with pytest.raises(KgError, match=message):
        searcher.search("客訴", **options)


# --- bad queries ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "the search query is empty"),
        (" \t\n ", "the search query is empty"),
        ("客" * 10_000, "too long: 10000 characters"),
        ("客訴\x07處理", r"control character \(U\+0007\) at position 3"),
        ("\x00", r"control character \(U\+0000\) at position 1"),
    ],
)
def test_bad_queries_get_a_clear_message(searcher, query, message):
    with pytest.raises(KgError, match=message):
        searcher.search(query)


def test_whitespace_inside_a_query_is_tidied():
    assert clean_query("  客訴\t處理\n ") == "客訴 處理"


def test_a_search_before_any_build_says_to_build(tmp_path):
    with pytest.raises(KgError, match="run `kg build` first"):
        kg.find("客訴", Settings.load(build_dir=tmp_path))


# --- the index and its model ----------------------------------------------------------------------


def test_the_index_records_its_model_and_sources(built):
    index = SearchIndex(current_build(built.build_dir))
    meta = index.meta
    assert (meta["embedder"], meta["dimension"]) == ("e5-small", 384)
    assert meta["items"] == len(index.items) == index.dense.size == index.lexical.size
    assert sorted(meta["sources"]) == sorted(f"data/raw/{code}.txt" for code in SEED_CODES)
    assert all(len(sha) == 64 for sha in meta["sources"].values())


def test_item_ids_are_stable_hashes_of_their_iris(built):
    index = SearchIndex(current_build(built.build_dir))
    from kg.search.items import stable_id

    assert all(item.id == stable_id(item.iri) for item in index.items)
    item = next(i for i in index.items if i.code == "P6.2.3")
    assert index.dense.vector(item.id) is not None


@pytest.fixture
def build_copy(built: Settings, tmp_path: Path) -> Path:
    """A copy of the session's build folder, to damage or alter."""
    copy = tmp_path / "build"
    shutil.copytree(current_build(built.build_dir), copy)
    return copy


def edit_meta(build_path: Path, **changes: object) -> None:
    meta_file = build_path / SEARCH_FOLDER / "meta.json"
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    meta_file.write_text(json.dumps(meta | changes), encoding="utf-8")


def test_searching_with_another_model_says_to_rebuild(build_copy):
    edit_meta(build_copy, embedder="st:BAAI/bge-m3")
    with pytest.raises(KgError, match=r"built with the embedder 'st:BAAI/bge-m3', not 'e5-small'.*kg build"):
        Searcher(build_copy, "e5-small")


def test_a_changed_model_under_the_same_name_is_caught(build_copy):
    probe = json.loads((build_copy / SEARCH_FOLDER / "meta.json").read_text(encoding="utf-8"))["probe"]
    edit_meta(build_copy, probe=[-x for x in probe])  # what another model's vector would look like
    with pytest.raises(KgError, match=r"has changed since the search index was built.*kg build"):
        Searcher(build_copy)


@pytest.mark.parametrize("missing", ["dense.faiss", "items.jsonl", "lexical/size.json"])
def test_a_damaged_index_says_to_rebuild(build_copy, missing):
    (build_copy / SEARCH_FOLDER / missing).unlink()
    with pytest.raises(KgError, match="run `kg build` again"):
        Searcher(build_copy)


def test_an_index_from_another_kg_version_says_to_rebuild(build_copy):
    edit_meta(build_copy, format=999)
    with pytest.raises(KgError, match="another kg version"):
        Searcher(build_copy)


# --- measured quality -----------------------------------------------------------------------------

# Floors a little under the figures measured with e5-small (see README, "Search quality"):
# a change that makes search worse fails here. The set grew from 47 to 169 questions (145
# answerable, more plain sentences and English), so the figures are lower than the old
# set's; on the old 47 questions hybrid item MRR is 0.726 now against 0.798 before.
FLOORS = {
    "hybrid": {"recall@10": 0.47, "mrr": 0.67},
    "dense": {"recall@10": 0.42, "mrr": 0.66},
    "lexical": {"recall@10": 0.39, "mrr": 0.52},
}


@pytest.fixture(scope="session")
def quality(searcher):
    questions = load_questions(ROOT / "eval" / "questions.json")
    return questions, evaluate(searcher, questions)


def test_the_labelled_set_is_large_and_bilingual(quality):
    questions, _ = quality
    assert len(questions) >= 150
    assert {q.lang for q in questions} == {"zh", "en"}
    assert sum(q.lang == "en" for q in questions) >= 50
    assert {q.style for q in questions} == {"keyword", "sentence"}
    assert sum(bool(q.asks) for q in questions) >= 20
    assert sum(q.no_answer for q in questions) >= 20
    assert {q.split for q in questions} == {"dev", "test"}


@pytest.mark.parametrize("mode", sorted(FLOORS))
def test_item_retrieval_stays_above_its_floor(quality, mode):
    _, scores = quality
    measured = scores[mode]["item"].to_dict()
    for metric, floor in FLOORS[mode].items():
        assert measured[metric] >= floor, f"{mode} {metric} fell to {measured[metric]}"


def test_hybrid_beats_each_ranking_alone(quality):
    _, scores = quality
    hybrid = scores["hybrid"]["item"]
    for alone in ("dense", "lexical"):
        assert hybrid.mrr > scores[alone]["item"].mrr
        assert hybrid.recall[10] > scores[alone]["item"].recall[10]


def test_the_chinese_gloss_of_english_questions_helps_dense_search(quality, searcher, monkeypatch):
    questions, _ = quality
    english = [q for q in questions if q.lang == "en"]
    with_gloss = evaluate(searcher, english, modes=("dense",))["dense"]["item"].mrr
    monkeypatch.setattr(searcher.tokenizer.thesaurus, "chinese_gloss", lambda text: [])
    without = evaluate(searcher, english, modes=("dense",))["dense"]["item"].mrr
    assert with_gloss > without + 0.1


def test_documents_that_answer_come_first(quality):
    _, scores = quality
    assert scores["hybrid"]["document"].mrr >= 0.85
