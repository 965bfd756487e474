"""The parts of search, each on small inputs of its own: items, tokens, embedders, cache, questions."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from kg.errors import KgError
from kg.graph.vocabulary import Iris
from kg.search.cache import EmbeddingCache, embed_passages
from kg.search.embedders import get_embedder, prompts_for
from kg.search.evaluate import load_questions
from kg.search.items import SearchItem, document_items, stable_id
from kg.search.lexical import BM25_B, BM25_K1, LexicalIndex, get_tokenizer

# --- items ----------------------------------------------------------------------------------------

STANDARD = {
    "kind": "standard",
    "code": "ABC1234-001",
    "title": "測試人員",
    "level": 3,
    "tasks": [
        {
            "code": "T1",
            "title": "任務一",
            "level": 4,
            "activities": [
                {
                    "code": "T1.1",
                    "title": "活動一",
                    "level": None,
                    "outputs": [{"code": "O1.1.1", "text": "報告"}],
                    "indicators": [{"code": "P1.1.1", "text": "能寫報告"}],
                },
                {"code": "T1.2", "title": "活動二", "level": 5, "outputs": [], "indicators": []},
            ],
        }
    ],
    "knowledge": [{"code": "K1", "text": "法規，包括：", "items": ["個資法", "消保法"]}],
    "skills": [{"code": "S1", "text": "", "items": []}],
    "attitudes": [{"code": "A01", "name": "團隊意識", "text": "支持團隊"}],
    "notes": [{"code": "N1", "text": "說明", "items": []}],
}


def test_items_cover_every_text_bearing_kind_and_skip_empty_texts():
    items = {i.code: i for i in document_items(STANDARD, Iris())}
    assert [(c, i.kind) for c, i in items.items()] == [
        ("T1", "task"),
        ("T1.1", "activity"),
        ("O1.1.1", "output"),
        ("P1.1.1", "indicator"),
        ("T1.2", "activity"),
        ("K1", "knowledge"),
        ("A01", "attitude"),
        ("N1", "note"),
    ]  # S1 has no text


def test_item_levels_are_inherited_from_activity_task_or_document():
    items = {i.code: i for i in document_items(STANDARD, Iris())}
    assert items["T1"].level == 4
    assert items["T1.1"].level == 4  # the activity prints none: its task's
    assert items["P1.1.1"].level == 4
    assert items["T1.2"].level == 5
    assert items["K1"].level == 3  # document-level lists: the document's


def test_item_texts_join_list_entries_and_name_attitudes():
    items = {i.code: i for i in document_items(STANDARD, Iris())}
    assert items["K1"].text == "法規，包括： 個資法；消保法"
    assert items["A01"].text == "團隊意識：支持團隊"
    assert items["P1.1.1"].task == "T1"
    assert items["K1"].task is None


def test_item_iris_and_ids_follow_the_base():
    item = next(i for i in document_items(STANDARD, Iris("https://example.org/icap/")) if i.code == "P1.1.1")
    assert item.iri == "https://example.org/icap/ABC1234-001/P1.1.1"
    assert item.id == stable_id(item.iri)
    assert 0 <= item.id < 2**63


# --- tokens ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tokenizer():
    return get_tokenizer()


def test_traditional_text_is_tokenised_as_simplified_words(tokenizer):
    assert tokenizer.tokens("實施有關客戶投訴的店內政策")[:4] == ["实施", "客户", "投诉", "客户投诉"]


def test_domain_terms_stay_whole(tokenizer):
    assert "关键绩效指标" in tokenizer.tokens("訂定關鍵績效指標")
    assert "客诉" in tokenizer.tokens("客訴處理")


def test_stop_words_and_punctuation_are_dropped(tokenizer):
    assert tokenizer.tokens("哪些單元涵蓋客訴？") == ["客诉"]
    assert tokenizer.tokens("Which units cover THE complaints?") == ["complaints"]


def test_queries_are_expanded_with_the_thesaurus(tokenizer):
    tokens = tokenizer.query_tokens("客訴處理")
    assert {"客诉", "处理", "投诉", "抱怨"} <= set(tokens)
    assert len(tokens) == len(set(tokens))


def test_english_words_and_plurals_reach_chinese_synonyms(tokenizer):
    assert "投诉" in tokenizer.query_tokens("handling complaints")
    assert "绩效指标" in tokenizer.query_tokens("客服KPI")  # KPI beside CJK is still a word
    assert "投诉" not in tokenizer.query_tokens("complaintive")  # not a whole word


def test_no_thesaurus_word_is_a_stop_word(tokenizer):
    """A stop word in a group would gloss every question that uses it ("which standards ...")."""
    clashes = [m for g in tokenizer.thesaurus.groups for m in g.simplified if m in tokenizer.stopwords]
    assert clashes == []


def test_bm25_length_normalisation_is_a_parameter_kept_with_the_index(tokenizer, tmp_path):
    # One mention of 預算 in a short and in a long item: with length normalisation (b) the
    # short item scores higher, without it both score alike; the parameters are saved and loaded.
    texts = ["編列預算", "編列預算並且與各部門主管溝通協調年度營運計畫、人力配置及設備採購的優先順序"]
    normalised = LexicalIndex.build(texts, tokenizer).scores(["预算"])
    assert normalised[0] > normalised[1] > 0
    plain = LexicalIndex.build(texts, tokenizer, b=0.0).scores(["预算"])
    assert plain[0] == pytest.approx(plain[1])
    LexicalIndex.build(texts, tokenizer, k1=1.0, b=0.3).save(tmp_path)
    loaded = LexicalIndex.load(tmp_path).retriever
    assert (loaded.k1, loaded.b) == (1.0, 0.3)
    default = LexicalIndex.build(texts, tokenizer).retriever
    assert (default.k1, default.b) == (BM25_K1, BM25_B)


def test_english_words_get_their_chinese_gloss(tokenizer):
    gloss = tokenizer.thesaurus.chinese_gloss("handling complaints")
    assert gloss[:3] == ["客訴", "投訴", "客戶投訴"]  # Traditional, as the thesaurus prints them
    assert tokenizer.thesaurus.chinese_gloss("zeppelin") == []


# --- embedders ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "configured", "expected"),
    [
        ("intfloat/multilingual-e5-large", {}, ("query: ", "passage: ")),
        ("/models/e5-small-v2/", {}, ("query: ", "passage: ")),
        ("BAAI/bge-small-en-v1.5", {}, ("Represent this sentence for searching relevant passages: ", "")),
        ("BAAI/bge-large-zh-v1.5", {}, ("为这个句子生成表示以用于检索相关文章：", "")),
        ("BAAI/bge-m3", {}, ("", "")),
        ("any/model", {"query": "Q: ", "document": "D: "}, ("Q: ", "D: ")),
        ("intfloat/e5-base", {"query": "", "document": ""}, ("query: ", "passage: ")),
        ("sentence-transformers/all-MiniLM-L6-v2", {}, ("", "")),
    ],
)
def test_query_and_passage_prompts_follow_the_model_family(spec, configured, expected):
    assert prompts_for(spec, configured) == expected


def test_the_default_embedder_gives_normalised_384_dimension_vectors():
    embedder = get_embedder("e5-small")
    vectors = embedder.embed_passages(["處理客戶投訴", "handle customer complaints"])
    assert vectors.shape == (2, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-4)
    query = embedder.embed_queries(["客訴"])[0]
    assert float(vectors[0] @ query) > float(embedder.embed_passages(["編列年度預算"])[0] @ query)


@pytest.mark.parametrize("name", ["e5-large", "st:", "openai:text-embedding-3"])
def test_unknown_embedders_are_named(name):
    with pytest.raises(KgError, match="unknown embedder"):
        get_embedder(name)


def test_a_sentence_transformers_model_not_on_this_machine_is_named(tmp_path):
    pytest.importorskip("sentence_transformers")
    with pytest.raises(KgError, match="is not on this machine"):
        get_embedder(f"st:{tmp_path / 'no-such-model'}")


def test_without_sentence_transformers_the_extra_is_named(monkeypatch):
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)
    with pytest.raises(KgError, match=r"pip install 'kg\[st\]'"):
        get_embedder("st:/models/whatever")


# --- the embedding cache --------------------------------------------------------------------------


class CountingEmbedder:
    """A tiny deterministic embedder that counts what it is asked to embed."""

    name = "counting"
    dimension = 4
    fingerprint = "counting v1"

    def __init__(self) -> None:
        self.embedded: list[str] = []

    def embed_passages(self, texts):
        self.embedded.extend(texts)
        vectors = np.array([[len(t), t.count("a"), 1, ord(t[0])] for t in texts], dtype=np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    embed_queries = embed_passages


def test_the_cache_embeds_each_distinct_text_once_across_runs(tmp_path):
    embedder = CountingEmbedder()
    cache = EmbeddingCache(tmp_path / "cache" / "e.sqlite")
    first, stats = embed_passages(embedder, ["a", "b", "a"], cache)
    assert (stats.texts, stats.embedded, stats.cached) == (2, 2, 0)
    assert embedder.embedded == ["a", "b"]
    second, stats = embed_passages(embedder, ["b", "c", "a"], cache)
    assert (stats.embedded, stats.cached) == (1, 2)
    assert embedder.embedded == ["a", "b", "c"]
    assert np.array_equal(second[0], first[1]) and np.array_equal(second[2], first[0])
    cache.close()


def test_the_embedding_cache_reads_the_last_builds_vectors_at_once_the_rest_from_its_table(
    tmp_path,
):
    embedder = CountingEmbedder()
    path = tmp_path / "cache" / "e.sqlite"
    cache = EmbeddingCache(path)
    first, _ = embed_passages(embedder, ["a", "bb", "a", "ccc"], cache)
    cache.written()
    (kept,) = path.parent.glob("e.sqlite.*.npy")  # the array beside the table
    cache.close()

    reopened = EmbeddingCache(path)
    asked = []
    real_get = reopened.get
    reopened.get = lambda model, keys, dimension: asked.extend(keys) or real_get(model, keys, dimension)
    again, stats = embed_passages(embedder, ["ccc", "a", "dddd", "bb"], reopened)
    assert (stats.embedded, stats.cached) == (1, 3) and embedder.embedded == ["a", "bb", "ccc", "dddd"]
    assert len(asked) == 1  # only "dddd" was looked for in the table (and not found)
    assert np.array_equal(again[[0, 1, 3]], first[[3, 0, 1]])
    reopened.written()
    reopened.close()

    kept.write_bytes(b"damaged")  # a damaged array: the table has every vector
    damaged = EmbeddingCache(path)
    third, stats = embed_passages(embedder, ["bb", "a", "ccc", "dddd"], damaged)
    assert (stats.embedded, stats.cached) == (0, 4)
    assert np.array_equal(third, again[[3, 1, 0, 2]])
    damaged.written()
    damaged.close()
    assert np.load(kept)["key"].shape == (4,)  # written again, whole
    unchanged = EmbeddingCache(path)
    unchanged.get = lambda *arguments: pytest.fail("the table was read")  # type: ignore[method-assign]
    fourth, stats = embed_passages(embedder, ["bb", "a", "ccc", "dddd"], unchanged)
    assert (stats.embedded, stats.cached) == (0, 4) and np.array_equal(fourth, third)
    unchanged.written()
    assert not unchanged.writing and not list(path.parent.glob("*.tmp.npy"))
    unchanged.close()


def test_the_cache_keeps_query_embeddings_apart_from_passage_ones(tmp_path):
    embedder = get_embedder("e5-small")  # its query and passage vectors of one text differ
    cache = EmbeddingCache(tmp_path / "e.sqlite")
    passages, _ = embed_passages(embedder, ["獎勵"], cache)
    queries, stats = embed_passages(embedder, ["獎勵"], cache, as_queries=True)
    assert stats.embedded == 1  # not the passage vector the cache already held
    assert np.allclose(queries[0], embedder.embed_queries(["獎勵"])[0], atol=1e-6)
    assert not np.allclose(queries[0], passages[0], atol=1e-3)
    _, again = embed_passages(embedder, ["獎勵"], cache, as_queries=True)
    assert (again.embedded, again.cached) == (0, 1)
    cache.close()


def test_the_cache_keeps_models_apart(tmp_path):
    cache = EmbeddingCache(tmp_path / "e.sqlite")
    embed_passages(CountingEmbedder(), ["a"], cache)
    other = CountingEmbedder()
    other.fingerprint = "counting v2"
    _, stats = embed_passages(other, ["a"], cache)
    assert stats.embedded == 1


def test_an_unusable_cache_location_is_named(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(KgError, match="cannot open the embedding cache"):
        EmbeddingCache(blocker / "cache" / "e.sqlite")


# --- question sets --------------------------------------------------------------------------------


def write(tmp_path: Path, payload: object) -> Path:
    path = tmp_path / "questions.json"
    path.write_text(payload if isinstance(payload, str) else json.dumps(payload), encoding="utf-8")
    return path


GOOD = {"id": "q1", "question": "客訴", "documents": ["A"], "items": ["A/P1"]}


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ('{"questions": [', r"questions.json:1: not valid JSON"),
        ({"questions": []}, 'non-empty "questions" list'),
        ({"questions": [{**GOOD, "question": ""}]}, "question q1: missing or empty question"),
        ({"questions": [GOOD, GOOD]}, "question q1: the id is used twice"),
        ({"questions": [{**GOOD, "items": ["P1"]}]}, "items must be written DOCUMENT/CODE, not 'P1'"),
    ],
)
def test_bad_question_sets_are_named(tmp_path, payload, message):
    with pytest.raises(KgError, match=message):
        load_questions(write(tmp_path, payload))


def test_a_missing_question_set_is_named(tmp_path):
    with pytest.raises(KgError, match="no such question file"):
        load_questions(tmp_path / "nope.json")


def test_a_good_question_set_loads(tmp_path):
    (question,) = load_questions(write(tmp_path, {"questions": [GOOD]}))
    assert (question.id, question.items) == ("q1", ("A/P1",))


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"document_title": None, "level": None, "task": None},
        {"text": 'a "quoted" text\\ with\nlines\tand 中文 \u2028 and \x01', "document_title": '標題 "x"'},
    ],
)
def test_an_items_json_line_is_what_json_writes_of_its_fields(changes):
    item = SearchItem(
        id=2**62 + 1,
        iri="https://w3id.org/icap-kg/id/A/T1",
        document="A",
        document_kind="standard",
        document_title="職能基準",
        code="T1",
        kind="task",
        text="處理客訴",
        level=3,
        task="T1",
    )
    item = dataclasses.replace(item, **changes)
    line = item.json_line()
    assert line == json.JSONEncoder(ensure_ascii=False).encode(item.to_dict())
    assert SearchItem(**json.loads(line)) == item


def test_a_builds_items_file_holds_each_documents_items_in_order(built):
    """items.jsonl is written from lines the document workers made (the builder's `_derive`):
    they are every document's items, as `document_items` makes them, in the documents' order."""
    from kg.graph.vocabulary import Iris
    from kg.parse.model import Document
    from kg.search.items import document_items
    from kg.store.layout import DOCUMENTS_FILE, ITEMS_FILE, SEARCH_FOLDER, current_build

    build = current_build(built.build_dir)
    documents = json.loads((build / DOCUMENTS_FILE).read_text(encoding="utf-8"))
    iris = Iris(built.base_iri)
    expected = [item.to_dict() for d in documents for item in document_items(Document.from_dict(d), iris)]
    lines = (build / SEARCH_FOLDER / ITEMS_FILE).read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == expected and len(expected) > 400


def test_the_index_writes_the_items_lines_it_is_given_and_refuses_lines_not_one_per_item(tmp_path):
    from kg.search.index import prepare_search_index, write_search_index
    from kg.store.layout import ITEMS_FILE, SEARCH_FOLDER

    items = [
        SearchItem(
            stable_id(f"https://x/A/K{n}"),
            f"https://x/A/K{n}",
            "A",
            "unit",
            None,
            f"K{n}",
            "knowledge",
            t,
            3,
            None,
        )
        for n, t in enumerate(["客訴處理", "排班"], 1)
    ]
    prepared, _ = prepare_search_index(items, CountingEmbedder(), {})
    encoded = ["".join(item.json_line() + "\n" for item in items)]  # as a build makes them, by document
    write_search_index(tmp_path / "given", prepared, encoded)
    write_search_index(tmp_path / "made", prepared)
    given = (tmp_path / "given" / SEARCH_FOLDER / ITEMS_FILE).read_bytes()
    assert given == (tmp_path / "made" / SEARCH_FOLDER / ITEMS_FILE).read_bytes() and given.count(b"\n") == 2
    with pytest.raises(ValueError, match="not one per item"):
        write_search_index(tmp_path / "short", prepared, [items[0].json_line() + "\n"])
