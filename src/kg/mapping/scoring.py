"""How alike two items are: one score in [0, 1] from meaning and from wording.

Meaning is the cosine of the items' embeddings (the search index's vectors). It
ranks well but separates poorly on its own: multilingual-e5 puts most short
Chinese phrases of one field between 0.85 and 0.95. Wording is the share of
character bigrams two texts have in common (Dice, and containment of the shorter
text in the longer), computed on Simplified, punctuation-free text: it tells
"溝通技巧" and "溝通技巧：與各級人員進行有效的溝通" apart from "文書技能".

    score = (1 - weight) * cosine + weight * (dice + containment) / 2

`weight` and the relation thresholds are calibrated together on labelled pairs
(see `kg.mapping.evaluate`).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import opencc
from scipy import sparse

_NOT_WORD = re.compile(r"[\W_]+")
_GRAMS: dict[str, int] = {}  # every character bigram seen, numbered
_GRAMS_LOCK = threading.Lock()  # two threads must never number two grams alike


@cache
def _to_simplified() -> opencc.OpenCC:
    return opencc.OpenCC("t2s.json")


@cache
def normalised(text: str) -> str:
    """Simplified characters, no punctuation or spaces: what wording is compared on."""
    return _NOT_WORD.sub("", _to_simplified().convert(text)).lower()


@cache
def gram_ids(text: str) -> np.ndarray:
    """The numbers of the text's distinct character bigrams (a one-character text is its own gram)."""
    text = normalised(text)
    grams = {text[i : i + 2] for i in range(len(text) - 1)} if len(text) > 1 else {text} - {""}
    with _GRAMS_LOCK:
        ids = sorted(_GRAMS.setdefault(g, len(_GRAMS)) for g in grams)
    return np.array(ids, dtype=np.int64)


@dataclass(frozen=True)
class Scorer:
    """Scores every item of one list against every item of another."""

    weight: float  # share of the score that wording carries

    def cosine(self, vectors_a: np.ndarray, vectors_b: np.ndarray) -> np.ndarray:
        return np.clip(vectors_a @ vectors_b.T, -1.0, 1.0)

    def wording(self, texts_a: Sequence[str], texts_b: Sequence[str]) -> np.ndarray:
        """(dice + containment) / 2 of the texts' character bigrams, for every pair."""
        ids_a = [gram_ids(t) for t in texts_a]
        ids_b = [gram_ids(t) for t in texts_b]
        columns = np.concatenate([*ids_a, *ids_b, np.zeros(0, dtype=np.int64)])
        grams, local = np.unique(columns, return_inverse=True)
        split = sum(len(i) for i in ids_a)
        incidence_a = _incidence(ids_a, local[:split], len(grams))
        incidence_b = _incidence(ids_b, local[split:], len(grams))
        return overlap_of_grams(incidence_a @ incidence_b.T, _sizes(ids_a)[:, None], _sizes(ids_b)[None, :])

    def scores(
        self,
        vectors_a: np.ndarray,
        vectors_b: np.ndarray,
        texts_a: Sequence[str],
        texts_b: Sequence[str],
    ) -> np.ndarray:
        """The combined score of every (a, b) pair, as a len(a) x len(b) matrix."""
        cosine = self.cosine(vectors_a, vectors_b)
        if not self.weight:
            return cosine
        return self.combine(cosine, self.wording(texts_a, texts_b))

    def combine(self, cosine: np.ndarray, wording: np.ndarray) -> np.ndarray:
        """The score from its two parts."""
        return (1 - self.weight) * cosine + self.weight * wording


def overlap_of_grams(shared: np.ndarray, size_a: np.ndarray, size_b: np.ndarray) -> np.ndarray:
    """Wording from bigram counts: (dice + containment) / 2, given the bigrams two texts share
    and how many each has (arrays that broadcast together)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        dice = np.nan_to_num(2 * shared / (size_a + size_b))
        containment = np.nan_to_num(shared / np.minimum(size_a, size_b))
    return (dice + containment) / 2


def gram_matrix(texts: Sequence[str]) -> tuple[sparse.csr_matrix, np.ndarray]:
    """The texts' distinct bigrams (as `gram_ids` has them) as a sparse 0/1 matrix (a row per
    text, a column per bigram among these texts), and how many each text has: `m @ m.T` counts
    the bigrams shared. Made in one pass over every text's characters (a corpus's 90,000 texts:
    a second text by text)."""
    normal = _normalised_all(texts)
    lengths = np.array([len(t) for t in normal], dtype=np.int64)
    codes = np.frombuffer("".join(normal).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    row = np.repeat(np.arange(len(normal), dtype=np.int64), lengths)
    ends = np.cumsum(lengths)
    # a bigram starts at every character but a text's last; a one-character text is its own gram
    last = np.zeros(len(codes), dtype=bool)
    last[ends[lengths > 0] - 1] = True
    follows = np.append(codes[1:], 0)
    single = np.repeat(lengths == 1, lengths)
    grams = np.where(single, codes * _PAST_UNICODE + _PAST_UNICODE - 1, codes * _PAST_UNICODE + follows)
    keep = ~last | single
    row, grams = row[keep], grams[keep]
    columns, local = np.unique(grams, return_inverse=True)
    width = max(len(columns), 1)
    cells = _distinct(row * width + local)  # each text's grams, by text
    rows_of, columns_of = cells // width, cells % width
    sizes = np.bincount(rows_of, minlength=len(normal)).astype(np.float32)
    pointers = np.concatenate([[0], np.cumsum(sizes, dtype=np.int64)])
    data = np.ones(len(cells), dtype=np.float32)
    return sparse.csr_matrix((data, columns_of, pointers), shape=(len(normal), width)), sizes


_PAST_UNICODE = 1 << 21  # above every code point: two characters make one number


def _distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted: by a sort and a mask (np.unique hashes, several times slower)."""
    values = np.sort(values)
    return values[np.append(True, values[1:] != values[:-1])] if len(values) else values


def _normalised_all(texts: Sequence[str]) -> list[str]:
    """`normalised` of every text, converted by OpenCC in one call (a call per text costs more
    than the conversion). A newline cannot be part of an OpenCC phrase, and `normalised` drops
    it, so joining on it converts each text as alone."""
    joined = "\n".join(text.replace("\n", " ") for text in texts)
    converted = _to_simplified().convert(joined).split("\n") if texts else []
    if len(converted) != len(texts):  # never seen; text by text then
        return [normalised(text) for text in texts]
    return [_NOT_WORD.sub("", text).lower() for text in converted]


def _sizes(ids: list[np.ndarray]) -> np.ndarray:
    return np.array([len(i) for i in ids], dtype=np.float32)


def _incidence(ids: list[np.ndarray], columns: np.ndarray, width: int) -> np.ndarray:
    """Rows of 0/1: which of the `width` local grams each text has."""
    matrix = np.zeros((len(ids), max(width, 1)), dtype=np.float32)
    rows = np.repeat(np.arange(len(ids)), [len(i) for i in ids])
    matrix[rows, columns] = 1.0
    return matrix
