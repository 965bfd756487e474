"""Lexical search: OpenCC + jieba tokens scored by BM25 (bm25s).

jieba's dictionary is Simplified Chinese and segments Traditional text badly, so
text is converted to Simplified (OpenCC t2s) for tokenising only; what users see
stays Traditional. A user dictionary of this domain's terms (data/terms.txt) keeps
words such as 客訴 or 關鍵績效指標 whole; question words and function words
(data/stopwords.txt) are dropped. A query is expanded with the thesaurus
(`kg.search.thesaurus`), so 客訴 also finds 投訴 and "complaint" finds Chinese text.
"""

from __future__ import annotations

import json
import logging
import re
import tempfile
from collections.abc import Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Protocol

import numpy as np

from kg.errors import KgError
from kg.search.bm25 import index_texts
from kg.search.thesaurus import Thesaurus
from kg.search.token_cache import TokenCache

_WORD = re.compile(r"[\w\u3400-\u9fff]")  # a token must hold a letter, digit or CJK character
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")  # a Chinese character
_TERM_FREQUENCY = 200_000  # high enough that jieba keeps a domain term whole
BM25_K1, BM25_B = 1.5, 0.75  # term saturation and length normalisation (bm25s' defaults; README)


def _data_lines(name: str) -> list[str]:
    text = (resources.files("kg.search") / "data" / name).read_text(encoding="utf-8")
    return [line.split("#", 1)[0].strip() for line in text.splitlines() if line.split("#", 1)[0].strip()]


class Tokenizer:
    """Traditional or Simplified Chinese and English text -> BM25 tokens."""

    def __init__(self) -> None:
        import jieba
        import opencc

        self.to_simplified = opencc.OpenCC("t2s.json").convert
        jieba.setLogLevel(logging.WARNING)
        self.jieba = jieba.Tokenizer()
        # jieba caches its prefix dictionary in a temporary folder; loading it then takes ~0.3 s
        self.jieba.tmp_dir = tempfile.gettempdir()
        self.thesaurus = Thesaurus(_data_lines("synonyms.txt"), self.to_simplified)
        terms = [self.to_simplified(t) for t in _data_lines("terms.txt")]
        for term in terms + self.thesaurus.chinese_words():
            self.jieba.add_word(term, freq=_TERM_FREQUENCY)
        self.stopwords = {self.to_simplified(w.lower()) for w in _data_lines("stopwords.txt")}

    def tokens(self, text: str) -> list[str]:
        """Search-mode jieba tokens (a long word and its parts), lower-cased, stop words dropped."""
        simplified = self.to_simplified(text).lower()
        return [
            token
            for token in (t.strip() for t in self.jieba.cut_for_search(simplified))
            if token and _WORD.search(token) and token not in self.stopwords
        ]

    def boundaries(self, text: str) -> set[int] | None:
        """Offsets in `text` where its words (jieba's default cut) start or end, or None when
        the Simplified form has another length (the offsets would not line up)."""
        simplified = self.to_simplified(text)
        if len(simplified) != len(text):
            return None
        return {0, len(text)} | {end for _, _, end in self.jieba.tokenize(simplified)}

    def query_tokens(self, text: str) -> list[str]:
        """A query's tokens, then the thesaurus members of every group the query mentions."""
        return list(dict.fromkeys(self.tokens(text) + self.thesaurus.expansion_tokens(text)))


@cache
def get_tokenizer() -> Tokenizer:
    """The process-wide tokenizer (loading jieba's dictionary takes a moment)."""
    return Tokenizer()


class _Retriever(Protocol):
    """What LexicalIndex uses of a bm25s.BM25 (bm25s ships no types)."""

    vocab_dict: dict[str, int]

    def save(self, save_dir: str) -> None: ...
    def get_scores(self, query_tokens_single: list[str]) -> np.ndarray: ...


class LexicalIndex:
    """BM25 over item texts; row i is item i of the search index."""

    def __init__(self, retriever: _Retriever, size: int) -> None:
        self.retriever = retriever
        self.size = size

    @classmethod
    def build(
        cls,
        texts: Sequence[str],
        tokenizer: Tokenizer | None = None,
        k1: float = BM25_K1,
        b: float = BM25_B,
        cache: TokenCache | None = None,
    ) -> LexicalIndex:
        """BM25 over `texts`, each distinct text tokenised once (or read from the `cache`) by
        `tokenizer`, by default the process-wide one, loaded only when a text must be tokenised."""
        import bm25s

        # each distinct text once: a unit printed inside standards repeats most of its texts
        def tokenize(text: str) -> list[str]:
            return (tokenizer or get_tokenizer()).tokens(text)

        if cache is not None:
            found = cache.tokens(texts, tokenize)
        else:
            found = {text: tokenize(text) for text in dict.fromkeys(texts)}
        tokens = {text: words or [""] for text, words in found.items()}  # bm25s needs a token per row
        retriever = bm25s.BM25(k1=k1, b=b)
        if texts:
            # bm25s numbers tokens in set order, which changes with every process (hash
            # randomisation); `index_texts` numbers them in sorted order: the same texts give the same files
            index_texts(retriever, texts, tokens)
        return cls(retriever, len(texts))

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        if self.size:
            self.retriever.save(str(folder))
        (folder / "size.json").write_text(json.dumps({"rows": self.size}), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        import bm25s

        try:
            size = json.loads((folder / "size.json").read_text(encoding="utf-8"))["rows"]
            retriever = bm25s.BM25.load(str(folder)) if size else bm25s.BM25()
        except (OSError, ValueError, KeyError) as exc:
            raise KgError(f"the lexical index in {folder} is damaged ({exc}): run `kg build` again") from None
        return cls(retriever, size)

    def scores(self, tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every row for the query tokens (0 where nothing matches)."""
        if not self.size or not tokens:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self.retriever.get_scores(list(tokens)), dtype=np.float32)

    def chinese_terms(self) -> list[str]:
        """The vocabulary's Chinese tokens of two characters or more (Simplified), sorted."""
        vocabulary = self.retriever.vocab_dict if self.size else {}
        return sorted(t for t in vocabulary if len(t) >= 2 and CJK.search(t))

    def holds(self, token: str) -> np.ndarray:
        """Which rows hold `token` (a boolean per row): BM25 scores a row above 0 only then."""
        if not self.size or token not in self.retriever.vocab_dict:
            return np.zeros(self.size, dtype=bool)
        return self.scores([token]) > 0
