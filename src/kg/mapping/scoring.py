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
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from kg.search.lexical import get_tokenizer

_NOT_WORD = re.compile(r"[\W_]+")


@cache
def normalised(text: str) -> str:
    """Simplified characters, no punctuation or spaces: what wording is compared on."""
    return _NOT_WORD.sub("", get_tokenizer().to_simplified(text)).lower()


def bigrams(text: str) -> frozenset[str]:
    text = normalised(text)
    if len(text) < 2:
        return frozenset([text]) if text else frozenset()
    return frozenset(text[i : i + 2] for i in range(len(text) - 1))


@dataclass(frozen=True)
class Scorer:
    """Scores every item of one list against every item of another."""

    weight: float  # share of the score that wording carries

    def cosine(self, vectors_a: np.ndarray, vectors_b: np.ndarray) -> np.ndarray:
        return np.clip(vectors_a @ vectors_b.T, -1.0, 1.0)

    def wording(self, texts_a: Sequence[str], texts_b: Sequence[str]) -> np.ndarray:
        """(dice + containment) / 2 of the texts' character bigrams, for every pair."""
        grams_a = [bigrams(t) for t in texts_a]
        grams_b = [bigrams(t) for t in texts_b]
        vocabulary = {g: n for n, g in enumerate(sorted(set().union(*grams_a, *grams_b)))}
        incidence_a = _incidence(grams_a, vocabulary)
        incidence_b = _incidence(grams_b, vocabulary)
        shared = incidence_a @ incidence_b.T
        size_a = incidence_a.sum(axis=1)[:, None]
        size_b = incidence_b.sum(axis=1)[None, :]
        with np.errstate(divide="ignore", invalid="ignore"):
            dice = np.nan_to_num(2 * shared / (size_a + size_b))
            containment = np.nan_to_num(shared / np.minimum(size_a, size_b))
        return (dice + containment) / 2

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
        return (1 - self.weight) * cosine + self.weight * self.wording(texts_a, texts_b)


def _incidence(grams: list[frozenset[str]], vocabulary: dict[str, int]) -> np.ndarray:
    matrix = np.zeros((len(grams), max(len(vocabulary), 1)), dtype=np.float32)
    for row, items in enumerate(grams):
        matrix[row, [vocabulary[g] for g in items]] = 1.0
    return matrix
