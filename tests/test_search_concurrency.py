"""Searches asked at once answer as searches asked alone: one searcher shared by many threads,
one open build (the web app's), and the real server under several clients."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import same_at_once
from kg.errors import KgError
from kg.knowledge_graph import KnowledgeGraph
from kg.search import embedders
from kg.search.engine import MODES, Filters, Searcher
from kg.settings import Settings

QUESTIONS = ["客訴處理", "新人訓練", "客服KPI", "how to deal with angry customers", "預算", "inventory"]
CASES = [(question, mode, by) for question in QUESTIONS for mode in MODES for by in ("document", "item")]


def test_threads_sharing_one_searcher_get_the_answers_of_searching_alone(built: Settings):
    searcher = Searcher.open(built)

    def ask(case: tuple[str, str, str]) -> dict:
        question, mode, by = case
        return searcher.search(question, mode=mode, by=by, top=5).to_dict()

    alone = same_at_once(ask, CASES, rounds=3)
    assert all(answer["results"] for answer in alone)


def test_threads_searching_the_live_build_at_once_share_one_searcher(built: Settings, monkeypatch):
    graph = KnowledgeGraph(built)  # none loaded yet: the threads race to load it
    loaded = []
    load = Searcher.__init__

    def counted(self: Searcher, *args: object, **kwargs: object) -> None:
        loaded.append(self)
        load(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Searcher, "__init__", counted)

    def ask(question: str) -> dict:
        return graph.find(question, by="item", top=5).to_dict()

    same_at_once(ask, QUESTIONS, at_once_first=True)
    assert len(loaded) == 1


def test_threads_asking_for_the_embedder_at_once_load_one_model(monkeypatch):
    monkeypatch.setattr(embedders, "_loaded", {})
    with ThreadPoolExecutor(8) as pool:
        loaded = list(pool.map(lambda _: embedders.get_embedder("e5-small"), range(16)))
    assert len({id(embedder) for embedder in loaded}) == 1


def test_threads_sharing_one_searcher_get_its_filters_and_errors_right(built: Settings):
    searcher = Searcher.open(built)
    indicators = Filters(item_kinds=("indicator",), documents=("BAS1499-003",))

    def ask(number: int) -> object:
        if number % 3 == 2:
            try:
                searcher.search("客訴", filters=Filters(item_kinds=("nothing",)))
            except KgError as exc:  # the error each thread must see
                return str(exc)
        return searcher.search(QUESTIONS[number % 3], by="item", filters=indicators).to_dict()

    alone = same_at_once(ask, range(12), rounds=1)
    assert "unknown item kind 'nothing'" in str(alone[2])
    assert all(hit["kind"] == "indicator" for hit in alone[0]["results"])


def test_the_open_graph_answers_many_threads_as_it_answers_one(built: Settings):
    """Searches, nearest items, stored mappings and pair overlaps, all at once on one open graph
    (the web app's)."""
    graph = KnowledgeGraph(built)
    asks = [
        *(("search", question) for question in QUESTIONS),
        *(("closest", code) for code in ("P4.2.2", "T2", "K7", "S42")),
        *(("mappings", code) for code in ("P4.2.2", "T2.1", "K7")),
        ("overlap", "KMM5R0915v2"),
        ("overlap", "TTM3R0299v2"),
        ("coverage", ""),
        ("matrix", ""),
    ]

    def ask(what: tuple[str, str]) -> object:
        kind, value = what
        if kind == "search":
            return graph.find(value, top=3).to_dict()
        if kind == "closest":
            return [(item.iri, score) for item, score in graph.closest("BAS1499-003", value)]
        if kind == "mappings":
            return graph.item_mappings("BAS1499-003", value).to_dict(orient="records")
        if kind == "overlap":
            return graph.overlap(value, "BAS1499-003").to_dict()
        if kind == "coverage":
            return graph.coverage(incorporated_only=True).to_dict(orient="records")
        return graph.matrix().to_dict()

    alone = same_at_once(ask, asks, rounds=3, at_once_first=True)  # loading the index and mappings races too
    answers = dict(zip(asks, alone, strict=True))
    assert answers[("closest", "P4.2.2")] and answers[("mappings", "T2.1")]


@pytest.mark.slow
def test_the_server_answers_searches_asked_at_once_as_when_asked_alone(live_server: str):
    def ask(case: tuple[str, str, str]) -> dict:
        question, mode, by = case
        query = urllib.parse.urlencode({"q": question, "mode": mode, "by": by, "top": 5})
        with urllib.request.urlopen(f"{live_server}/api/search?{query}", timeout=60) as answer:
            return json.loads(answer.read())

    same_at_once(ask, CASES, threads=16)


class CountingEmbedder:
    """Delegates to an embedder and records the questions it embeds."""

    def __init__(self, inner: object) -> None:
        self.inner = inner
        self.questions: list[str] = []

    def embed_queries(self, texts: list[str]):  # type: ignore[no-untyped-def]
        self.questions.extend(texts)
        return self.inner.embed_queries(texts)  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)


def test_a_question_asked_again_is_not_embedded_again(built: Settings):
    searcher = Searcher.open(built)
    counting = CountingEmbedder(searcher.embedder)
    searcher.embedder = counting  # type: ignore[assignment]
    first = searcher.search("新人訓練", by="item").to_dict()
    assert same_at_once(lambda _: searcher.search("新人訓練", by="item").to_dict(), range(8)) == [first] * 8
    searcher.search("新人訓練", mode="dense")
    assert counting.questions == ["新人訓練"]
    # English: "new", the one word the thesaurus does not list, is embedded to find its terms
    # (kg.search.term_gloss), then the question once, with its Chinese gloss; and never again
    searcher.search("how to train new staff")
    searcher.search("how to train new staff", mode="lexical", by="item")
    assert counting.questions[1:2] == ["new"]
    assert len(counting.questions) == 3 and counting.questions[2].startswith("how to train new staff （")
    assert not searcher.query_vector("新人訓練").flags.writeable  # shared by later searches


def test_similarity_queries_at_once_on_the_rdflib_store_answer_as_alone(built: Settings):
    """rdflib keeps extension functions in one global registry: queries that bring them take turns."""
    graph = KnowledgeGraph(built.with_(store="rdflib"))
    query = (
        'SELECT ?i ?s WHERE {{ ?i a kg:BehaviourIndicator . BIND(kgf:similarity(?i, "{q}") AS ?s) }} '
        "ORDER BY DESC(?s) ?i LIMIT 3"
    )

    def ask(question: str) -> list:
        return graph.run_query(query.format(q=question)).records()

    answers = same_at_once(ask, QUESTIONS[:4], threads=4, rounds=1)
    assert all(len(rows) == 3 for rows in answers)
