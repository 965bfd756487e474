"""The BM25 index made with arrays (kg.search.bm25) is bm25s's own, value for value."""

from __future__ import annotations

import random

import bm25s
import numpy as np
import pytest

from kg.search.bm25 import index_texts
from kg.search.lexical import LexicalIndex, get_tokenizer

SETTINGS = [{}, {"csc_backend": "scipy"}, {"k1": 1.0, "b": 0.3}, {"method": "robertson"}, {"method": "atire"}]


def _by_bm25s(texts: list[str], tokens: dict[str, list[str]], **settings) -> bm25s.BM25:
    rows = [tokens[text] for text in texts]
    vocabulary = {token: i for i, token in enumerate(sorted({t for row in rows for t in row}))}
    retriever = bm25s.BM25(**settings)
    retriever.index(([[vocabulary[t] for t in row] for row in rows], vocabulary), show_progress=False)
    return retriever


def _corpus(seed: int) -> tuple[list[str], dict[str, list[str]]]:
    """Rows repeating a few texts (as items repeat a unit's), short and long, some a lone empty token."""
    rng = random.Random(seed)
    words = [f"w{n}" for n in range(rng.randint(1, 50))]
    distinct = [f"text {n}" for n in range(rng.randint(1, 30))]
    tokens = {text: [rng.choice(words) for _ in range(rng.randint(0, 12))] or [""] for text in distinct}
    texts = [rng.choice(distinct) for _ in range(rng.randint(1, 150))]
    return texts, {text: tokens[text] for text in dict.fromkeys(texts)}


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize(
    "settings", SETTINGS, ids=lambda s: ",".join(f"{k}={v}" for k, v in s.items()) or "default"
)
def test_the_matrix_is_the_one_bm25s_makes(seed, settings):
    texts, tokens = _corpus(seed)
    expected = _by_bm25s(texts, tokens, **settings)
    made = bm25s.BM25(**settings)
    index_texts(made, texts, tokens)
    for part in ("data", "indices", "indptr"):
        assert made.scores[part].dtype == expected.scores[part].dtype
        assert np.array_equal(made.scores[part], expected.scores[part]), part
    assert made.scores["num_docs"] == expected.scores["num_docs"] == len(texts)
    assert made.vocab_dict == expected.vocab_dict
    assert made.unique_token_ids_set == expected.unique_token_ids_set


def test_a_variant_scoring_absent_terms_is_left_to_bm25s():
    texts, tokens = _corpus(3)
    made = bm25s.BM25(method="bm25+")
    index_texts(made, texts, tokens)
    expected = _by_bm25s(texts, tokens, method="bm25+")
    assert np.array_equal(made.scores["data"], expected.scores["data"])
    assert np.array_equal(made.nonoccurrence_array, expected.nonoccurrence_array)


def test_a_saved_index_loads_and_scores_as_bm25s_own(tmp_path):
    texts = ["處理顧客抱怨", "客訴處理流程", "處理顧客抱怨", "預算編列與控制", "Customer complaints", "。"]
    tokenizer = get_tokenizer()
    LexicalIndex.build(texts, tokenizer).save(tmp_path / "made")
    loaded = LexicalIndex.load(tmp_path / "made")
    tokens = {text: tokenizer.tokens(text) or [""] for text in dict.fromkeys(texts)}
    expected = _by_bm25s(texts, tokens)
    for question in ("客訴處理", "預算", "customer"):
        query = tokenizer.query_tokens(question)
        known = [t for t in query if t in expected.vocab_dict]
        assert np.array_equal(loaded.scores(query), expected.get_scores(known))
    assert loaded.scores(tokenizer.query_tokens("客訴"))[1] > 0


def test_tokens_of_texts_not_indexed_are_left_out():
    texts, tokens = _corpus(5)
    made = bm25s.BM25()
    index_texts(made, texts, tokens | {"a text no row prints": ["never", "indexed"]})
    expected = _by_bm25s(texts, tokens)
    assert made.vocab_dict == expected.vocab_dict and "never" not in made.vocab_dict
    assert np.array_equal(made.scores["data"], expected.scores["data"])
