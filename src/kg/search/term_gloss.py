"""English words glossed with the index's own Chinese terms, found by the embedding model.

The thesaurus (kg.search.thesaurus) glosses the English words it lists; any other English
word of a question ("reward", "turnover") reaches the Chinese items only through the small
model's weak match of English with Chinese. So the build also embeds every Chinese term of
the BM25 vocabulary (two characters or more) as a question would be embedded, and an English
word the thesaurus does not list is glossed with its `TERMS_PER_WORD` nearest terms, when
their cosine reaches the embedder's `MIN_COSINE`: "reward" gives 獎勵 and 獎勵金. Word is
compared with word, both embedded as questions: terms embedded as passages matched words
far worse (README, "Search quality"). An embedder without a `MIN_COSINE`, or an index built
before terms were kept, glosses with the thesaurus alone.

    builds/<id>/search/terms.json   the terms (Simplified, as BM25 tokens), row i is vector i
    builds/<id>/search/terms.npy    their vectors (float32)
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path

import numpy as np

from kg.errors import KgError

TERMS_FILE = "terms.json"
TERM_VECTORS_FILE = "terms.npy"
TERMS_PER_WORD = 2  # nearest terms that may gloss one word (dev: 1, 2 or 3; README)
# The least cosine of a word and a term that glosses it, per embedder (dev: 0.85 to 0.88; README).
MIN_COSINE = {"e5-small": 0.86}


class TermGloss:
    """The index's Chinese terms and their vectors; `nearest` glosses words' vectors."""

    def __init__(self, terms: list[str], vectors: np.ndarray, min_cosine: float, min_z: float = 0.0) -> None:
        self.terms = terms
        self.vectors = vectors
        self.min_cosine = min_cosine
        self.min_z = min_z  # and standing this many standard deviations over the word's mean cosine

    def nearest(self, words: np.ndarray) -> list[str]:
        """For each row of `words` (word vectors), its nearest terms at `min_cosine` or more."""
        if not len(self.terms) or not len(words):
            return []
        cosines = np.atleast_2d(words) @ self.vectors.T
        found: list[str] = []
        for row in cosines:
            best = np.argsort(-row, kind="stable")[:TERMS_PER_WORD]
            least = max(self.min_cosine, row.mean() + self.min_z * row.std())
            found += [self.terms[i] for i in best if row[i] >= least]
        return list(dict.fromkeys(found))


def write_terms(folder: Path, terms: list[str], vectors: np.ndarray) -> None:
    """Write the terms (sorted, distinct) and their vectors (embedded as questions) into `folder`."""
    np.save(folder / TERM_VECTORS_FILE, vectors.astype(np.float32))
    (folder / TERMS_FILE).write_text(json.dumps(terms, ensure_ascii=False), encoding="utf-8")


def read_terms(folder: Path, embedder: str) -> TermGloss | None:
    """The index's terms, or None when the embedder has no `MIN_COSINE` or the index has no terms."""
    if embedder not in MIN_COSINE or not (folder / TERMS_FILE).is_file():
        return None
    try:
        terms = json.loads((folder / TERMS_FILE).read_text(encoding="utf-8"))
        vectors = np.load(folder / TERM_VECTORS_FILE)
    except (OSError, ValueError) as exc:
        raise KgError(f"the search terms in {folder} are damaged ({exc}): run `kg build` again") from None
    if not isinstance(terms, list) or vectors.shape[0] != len(terms):
        raise KgError(f"the search terms in {folder} are incomplete: run `kg build` again")
    return TermGloss([str(t) for t in terms], vectors, MIN_COSINE[embedder])


@cache
def to_traditional(text: str) -> str:
    """A Simplified term as Traditional text, for the gloss embedded beside the question."""
    return _converter()(text)


@cache
def _converter() -> Callable[[str], str]:
    import opencc

    return opencc.OpenCC("s2t.json").convert
