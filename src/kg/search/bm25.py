"""A bm25s index made with arrays, one distinct text at a time rather than one row at a time.

bm25s's `index` walks the corpus row by row in Python: about 4.5 s for the 178,000 items
of a 3,000-document corpus, every build. Items repeat their texts (a unit is printed in
every standard that embeds it), and a row's scores follow from its text alone once the
corpus's document frequencies and mean length are known. So each distinct text's term
counts are taken once and the rest is numpy, through bm25s's own scoring functions: the
matrix is the one `index` makes, value for value (tests compare them), and bm25s saves,
loads and queries it as its own. The scoring functions and the CSC builder used are
bm25s's internals: bm25s is pinned (constraints.txt), and `tests/test_bm25.py` compares the
result with its public `index`, so a version that changes them fails there first.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def index_texts(retriever: Any, texts: Sequence[str], tokens: dict[str, list[str]]) -> None:
    """Index `texts` (row i is texts[i]) into a `bm25s.BM25`, as `retriever.index((ids, vocabulary))`
    would with the tokens numbered in sorted order; `tokens` gives each text's tokens (at least
    one each)."""
    from bm25s import scoring

    distinct = list(dict.fromkeys(texts))
    vocabulary = {token: i for i, token in enumerate(sorted({t for text in distinct for t in tokens[text]}))}
    if retriever.method in retriever.methods_requiring_nonoccurrence:  # scores of absent terms: bm25s's way
        retriever.index(
            ([[vocabulary[t] for t in tokens[text]] for text in texts], vocabulary), show_progress=False
        )
        return
    position = {text: n for n, text in enumerate(distinct)}
    text_of_row = np.fromiter((position[text] for text in texts), dtype=np.int64, count=len(texts))
    lengths = np.array([len(tokens[text]) for text in distinct], dtype=np.int64)
    flat = np.fromiter((vocabulary[t] for text in distinct for t in tokens[text]), dtype=np.int64)
    size = len(vocabulary)
    # each (distinct text, term) once, by text then term, with the term's count in the text
    entries, counts = np.unique(
        np.repeat(np.arange(len(distinct)), lengths) * size + flat, return_counts=True
    )
    text_of, term_of = entries // size, entries % size
    copies = np.bincount(text_of_row, minlength=len(distinct))  # rows printing each text
    frequencies = np.bincount(term_of, weights=copies[text_of], minlength=size).astype(np.int64)
    rows = len(texts)
    mean_length = lengths[text_of_row].mean()  # as bm25s takes it: the mean over rows
    idf = scoring._build_idf_array(
        dict(enumerate(frequencies.tolist())),
        rows,
        scoring._select_idf_scorer(retriever.idf_method),
        retriever.dtype,
    )
    tfc = scoring._select_tfc_scorer(retriever.method)(
        tf_array=counts.astype(retriever.dtype),
        l_d=lengths[text_of],
        l_avg=mean_length,
        k1=retriever.k1,
        b=retriever.b,
        delta=retriever.delta,
    )
    scores = (idf[term_of] * tfc).astype(retriever.dtype)
    # every row takes its text's entries, rows in order
    first = np.searchsorted(text_of, np.arange(len(distinct)))
    per_text = np.bincount(text_of, minlength=len(distinct))
    taken = per_text[text_of_row]
    row_of = np.repeat(np.arange(rows), taken)
    entry = np.repeat(first[text_of_row] - np.cumsum(taken) + taken, taken) + np.arange(len(row_of))
    data, indices, indptr = _csc(retriever, scores[entry], row_of, term_of[entry], (rows, size))
    if "" not in vocabulary:
        vocabulary[""] = max(vocabulary.values()) + 1
    retriever.scores = {
        "data": data,
        "indices": indices,
        "indptr": indptr,
        "num_docs": rows,
    }
    retriever.vocab_dict = vocabulary
    retriever.nonoccurrence_array = None
    retriever.unique_token_ids_set = set(vocabulary.values())


def _csc(
    retriever: Any, data: np.ndarray, rows: np.ndarray, columns: np.ndarray, shape: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The CSC arrays of the matrix, made by the retriever's backend as its `index` makes them."""
    rows, columns = rows.astype(retriever.int_dtype), columns.astype(retriever.int_dtype)
    if retriever.csc_backend == "scipy":
        import scipy.sparse as sp

        matrix = sp.csc_matrix((data, (rows, columns)), shape=shape, dtype=retriever.dtype)
        return matrix.data, matrix.indices, matrix.indptr
    made, indices, indptr = retriever._np_csc(data=data, rows=rows, cols=columns, shape=shape)
    return made.astype(retriever.dtype), indices, indptr


__all__ = ["index_texts"]
