"""The search tokens kept between builds (kg.search.token_cache)."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest

from kg.search.lexical import LexicalIndex, get_tokenizer
from kg.search.token_cache import TokenCache, tokenizer_fingerprint
from kg.sqlite_cache import keep_only, rows_for_keys, text_key, write_quietly

TEXTS = ["處理顧客抱怨", "客訴處理流程", "處理顧客抱怨", "預算編列與控制", "Customer complaints"]


def test_each_distinct_text_is_tokenised_once_and_kept_under_the_tokenizers_fingerprint(tmp_path):
    tokenizer = get_tokenizer()
    asked: list[str] = []

    def tokenize(text: str) -> list[str]:
        asked.append(text)
        return tokenizer.tokens(text)

    cache = TokenCache(tmp_path / "tokens.sqlite", tokenizer_fingerprint())
    first = cache.tokens(TEXTS, tokenize)
    assert first == {text: tokenizer.tokens(text) for text in TEXTS}
    assert asked == list(dict.fromkeys(TEXTS)) and cache.tokenized == 4
    cache.close()

    again = TokenCache(tmp_path / "tokens.sqlite", tokenizer_fingerprint())  # the next build
    assert again.tokens([*TEXTS, "新的文字"], tokenize) == first | {"新的文字": tokenizer.tokens("新的文字")}
    assert again.tokenized == 1 and asked[-1] == "新的文字"
    other = TokenCache(tmp_path / "tokens.sqlite", "another tokenizer")
    other.tokens(TEXTS, tokenize)
    assert other.tokenized == 4  # tokens of another tokenizer are not taken


def test_an_index_built_with_kept_tokens_scores_as_one_built_without(tmp_path):
    tokenizer = get_tokenizer()
    plain = LexicalIndex.build(TEXTS, tokenizer)
    cache = TokenCache(tmp_path / "tokens.sqlite", tokenizer_fingerprint())
    LexicalIndex.build(TEXTS, tokenizer, cache=cache)
    kept = LexicalIndex.build(TEXTS, tokenizer, cache=cache)  # every token from the cache
    assert cache.tokenized == 0
    query = tokenizer.query_tokens("客訴處理")
    assert np.array_equal(plain.scores(query), kept.scores(query))
    assert plain.chinese_terms() == kept.chinese_terms()


def test_the_tokenizer_is_not_loaded_when_every_text_is_kept(tmp_path, monkeypatch):
    cache = TokenCache(tmp_path / "tokens.sqlite", tokenizer_fingerprint())
    warm = LexicalIndex.build(TEXTS, cache=cache)  # the process-wide tokenizer, loaded here

    def refuse() -> None:
        raise AssertionError("jieba loaded although every text's tokens are kept")

    monkeypatch.setattr("kg.search.lexical.get_tokenizer", refuse)
    kept = LexicalIndex.build(TEXTS, cache=cache)
    query = get_tokenizer().query_tokens("客訴處理")
    assert np.array_equal(warm.scores(query), kept.scores(query))
    with pytest.raises(AssertionError, match="jieba loaded"):
        LexicalIndex.build([*TEXTS, "一段新的文字"], cache=cache)


@pytest.mark.parametrize("asked", [617, 6001])  # chunks of keys (more than one query holds); one read
def test_cache_lookups_find_just_the_keys_asked_and_failed_writes_cost_only_time(tmp_path, asked):
    db = sqlite3.connect(tmp_path / "cache.sqlite")
    db.execute("CREATE TABLE kept (fingerprint TEXT, key BLOB, value TEXT)")
    texts = [f"text {n}" for n in range(2 * asked)]
    write_quietly(db, "INSERT INTO kept VALUES (?, ?, ?)", [("f", text_key(t), t) for t in texts])
    write_quietly(db, "INSERT INTO kept VALUES (?, ?, ?)", [("other", text_key(t), "x") for t in texts])
    keys = [text_key(t) for t in texts[::2]] + [text_key("not kept")]
    rows = list(rows_for_keys(db, "SELECT key, value FROM kept WHERE fingerprint = ?", ["f"], "key", keys))
    assert sorted(value for _, value in rows) == sorted(texts[::2])
    write_quietly(db, "INSERT INTO missing_table VALUES (?)", [(1,)])  # an SQLite error: ignored
    assert db.execute("SELECT COUNT(*) FROM kept").fetchone() == (4 * asked,)


def test_keep_only_leaves_just_the_keys_kept_under_the_fingerprint(tmp_path):
    db = sqlite3.connect(tmp_path / "cache.sqlite")
    db.execute("CREATE TABLE pairs (a TEXT, b TEXT, fingerprint TEXT, value TEXT)")
    rows = [("x", "y", "f", "1"), ("x", "z", "f", "2"), ("y", "z", "f", "3"), ("x", "y", "old", "4")]
    write_quietly(db, "INSERT INTO pairs VALUES (?, ?, ?, ?)", rows)
    keep_only(db, "pairs", ("a", "b"), "f", [("x", "y"), ("y", "z"), ("q", "r")])
    assert sorted(db.execute("SELECT * FROM pairs")) == [("x", "y", "f", "1"), ("y", "z", "f", "3")]
    keep_only(db, "pairs", ("a", "b"), "f", [("x", "y"), ("y", "z")])  # nothing left to drop
    assert db.execute("SELECT COUNT(*) FROM pairs").fetchone() == (2,)


@pytest.mark.parametrize("asked", [617, 6001])  # a look-up each; one read
def test_cache_lookups_by_two_key_columns_find_just_the_pairs_asked(tmp_path, asked):
    db = sqlite3.connect(tmp_path / "cache.sqlite")
    db.execute("CREATE TABLE pairs (a TEXT, b TEXT, fingerprint TEXT, value TEXT)")
    pairs = [(f"a{n}", f"b{n % 7}") for n in range(2 * asked)]
    write_quietly(db, "INSERT INTO pairs VALUES (?, ?, ?, ?)", [(a, b, "f", a + b) for a, b in pairs])
    write_quietly(db, "INSERT INTO pairs VALUES (?, ?, ?, ?)", [(a, b, "old", "x") for a, b in pairs])
    keys = [*pairs[::2], ("a1", "b0"), ("nobody", "b1")]  # a1 is kept with b1 only
    select = "SELECT a, b, value FROM pairs WHERE fingerprint = ?"
    rows = list(rows_for_keys(db, select, ["f"], "a, b", keys))
    assert sorted(rows) == sorted((a, b, a + b) for a, b in pairs[::2])
