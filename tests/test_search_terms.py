"""English words glossed with the index's own Chinese terms (kg.search.term_gloss), on the real build."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from conftest import ROOT
from kg.search.engine import Searcher
from kg.search.evaluate import evaluate, load_questions
from kg.search.term_gloss import TERM_VECTORS_FILE, TERMS_FILE, TermGloss
from kg.settings import Settings
from kg.store.layout import SEARCH_FOLDER, current_build


@pytest.fixture(scope="module")
def searcher(built: Settings) -> Searcher:
    return Searcher.open(built)


def test_a_word_takes_its_two_nearest_terms_that_are_close_enough():
    vectors = np.eye(4, dtype=np.float32)
    gloss = TermGloss(["甲乙", "丙丁", "戊己", "庚辛"], vectors, min_cosine=0.5)
    word = np.array([0.8, 0.6, 0.45, 0.0], dtype=np.float32)  # 甲乙 0.8, 丙丁 0.6, 戊己 under 0.5
    assert gloss.nearest(word[None, :]) == ["甲乙", "丙丁"]
    far = np.array([0.4, 0.3, 0.2, 0.1], dtype=np.float32)
    assert gloss.nearest(np.vstack([far, word, word])) == ["甲乙", "丙丁"]  # none for far; no repeats
    # with min_z, a term must also stand out from the word's cosines with every term
    # (mean 0.4625, deviation 0.29: 0.8 is 1.15 deviations over the mean, 0.6 only 0.47)
    assert TermGloss(gloss.terms, vectors, min_cosine=0.5, min_z=1.0).nearest(word[None, :]) == ["甲乙"]


def test_the_build_keeps_the_chinese_terms_of_its_bm25_vocabulary(built):
    folder = current_build(built.build_dir) / SEARCH_FOLDER
    searcher = Searcher.open(built)
    assert searcher.term_gloss is not None
    terms = searcher.term_gloss.terms
    assert {"奖励", "投诉", "预算"} <= set(terms)  # Simplified, as BM25 tokens are
    assert all(len(t) >= 2 and not t.isascii() for t in terms)
    assert np.load(folder / TERM_VECTORS_FILE).shape == (len(terms), 384)


def test_an_english_word_the_thesaurus_does_not_list_is_glossed_with_the_nearest_term(searcher):
    gloss = searcher.gloss("how do I reward high-performing staff")
    assert gloss[:4] == ["員工", "人員", "同仁", "部屬"]  # the thesaurus's words for "staff" first
    assert "獎勵" in gloss  # "reward" is in no group: the nearest term, as Traditional text
    assert "奖励" in searcher.query_tokens("how do I reward high-performing staff")  # BM25 too


def test_lexical_mode_ranks_by_the_words_and_the_thesaurus_alone(searcher):
    # a word no item holds may come near some term by chance, but BM25 alone never uses terms
    assert searcher.search("zzzqqq", mode="lexical", by="item").results == []
    reward = searcher.search("reward", mode="lexical", by="item").results
    assert reward == []  # "reward" is in no thesaurus group and no item holds it


def test_words_with_no_close_term_and_chinese_questions_get_no_terms(searcher):
    assert searcher.gloss("zeppelin") == []
    assert searcher.gloss("員工獎勵") == []
    assert searcher.query_tokens("員工獎勵") == searcher.tokenizer.query_tokens("員工獎勵")


def test_the_terms_lift_english_questions_on_the_development_part(searcher, monkeypatch):
    questions = load_questions(ROOT / "eval" / "questions.json")
    english = [q for q in questions if q.lang == "en" and q.split == "dev" and not q.no_answer]
    with_terms = evaluate(searcher, english, modes=("hybrid",))["hybrid"]["item"]
    monkeypatch.setattr(searcher, "_terms", lambda query: ())
    without = evaluate(searcher, english, modes=("hybrid",))["hybrid"]["item"]
    assert with_terms.recall[10] > without.recall[10] + 0.04
    assert with_terms.mrr > without.mrr + 0.04


def test_an_index_built_before_terms_were_kept_glosses_with_the_thesaurus_alone(built, tmp_path):
    copy = tmp_path / "build"
    shutil.copytree(current_build(built.build_dir), copy, ignore=shutil.ignore_patterns("oxigraph"))
    for name in (TERMS_FILE, TERM_VECTORS_FILE):
        (copy / SEARCH_FOLDER / name).unlink()
    older = Searcher(copy)
    assert older.term_gloss is None
    question = "how do I reward high-performing staff"
    assert older.gloss(question) == older.tokenizer.thesaurus.chinese_gloss(question)
    assert "獎勵" not in older.gloss(question)
    assert older.search(question, by="item", top=3).results
