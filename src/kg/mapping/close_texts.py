"""Pairs of distinct texts (of one kind group) that score at least `close`: what decides which
document pairs a large corpus compares (`kg.mapping.corpus`).

Scored in matrix products, a block of new texts against every text before it: cosines by
BLAS, the wording part from a sparse bigram matrix (in a field's short Chinese phrases
nearly every cosine is high, so wording decides and is computed for every pair). A pair
that passes is checked once more with its cosine taken row by row, which gives the same
float whatever block it was scored in, so a build that scores a text in another block
decides alike.

The pairs are kept between builds (`CloseTextCache`): a build scores only the texts that
the last one did not have, against all, and keeps the last one's pairs between texts still
present. Adding a document to thousands scores its few hundred texts, not every text against
every other; the pairs are the same as scoring all afresh.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np

from kg.mapping.calibration import Calibration
from kg.mapping.scoring import Scorer, gram_matrix, overlap_of_grams
from kg.sqlite_cache import fingerprint_files, open_cache, write_quietly
from kg.store.layout import close_text_cache

BLOCK = 256  # rows scored at once: a few dense (rows x texts) arrays at a time
_SLACK = 1e-4  # BLAS rounding: a pair within this of the line is decided row by row

Known = tuple[list[str], np.ndarray]  # an earlier build's texts and their close pairs (indices)


def close_text_pairs(
    texts: list[str],
    vectors: np.ndarray,
    scorer: Scorer,
    close: float,
    known: Known | None = None,
    progress: Callable[[int], None] | None = None,
) -> np.ndarray:
    """The pairs (i, j), i < j, of `texts` whose score reaches `close`, as an (n, 2) array.

    With `known` (what an earlier call returned, with the same scorer and vectors for the
    same texts), its pairs between texts still here are kept and only the other texts are
    scored, against all. `progress` is told each block done.
    """
    seen = {text: row for row, text in enumerate(texts)}
    kept = np.empty((0, 2), dtype=np.int64)
    old = np.zeros(len(texts), dtype=bool)
    if known is not None:
        earlier, pairs = known
        now = np.array([seen.get(text, -1) for text in earlier], dtype=np.int64)
        old[now[now >= 0]] = True
        if len(pairs):
            first, second = now[pairs[:, 0]], now[pairs[:, 1]]  # by column: 8 times faster on millions
            both = (first >= 0) & (second >= 0)
            if not both.all():
                first, second = first[both], second[both]
            kept = np.stack([np.minimum(first, second), np.maximum(first, second)], axis=1)
    # old texts first, new after: each new text is scored against every text before it
    order = np.concatenate([np.flatnonzero(old), np.flatnonzero(~old)])
    found = _score_new(texts, vectors, order, int(old.sum()), scorer, close, progress)
    return _in_order(kept, found, len(texts))


def _in_order(kept: np.ndarray, found: list[np.ndarray], size: int) -> np.ndarray:
    """The pairs kept (i < j) and found, in (i, j) order. A pair kept links two old texts and a
    pair found at least one new text, each scored once, so no pair comes twice; the kept pairs
    are usually still in order (the texts keep theirs), and then only the few found are sorted
    in."""
    kept_keys = kept[:, 0] * size + kept[:, 1]
    if len(kept_keys) > 1 and not bool(np.all(kept_keys[1:] > kept_keys[:-1])):
        order = np.argsort(kept_keys, kind="stable")  # a text moved: sort them (millions of pairs)
        kept, kept_keys = kept[order], kept_keys[order]
    if not found:
        return kept
    new = np.concatenate(found)
    new = np.stack([new.min(axis=1), new.max(axis=1)], axis=1)
    new_keys = new[:, 0] * size + new[:, 1]
    order = np.argsort(new_keys, kind="stable")
    return np.insert(kept, np.searchsorted(kept_keys, new_keys[order]), new[order], axis=0)


def new_blocks(texts: list[str], known: Known | None) -> int:
    """How many blocks `close_text_pairs` will score (for a progress bar): its texts that
    `known` has not, whatever `known` holds that is gone."""
    earlier = set(known[0]) if known else set()
    return -(-sum(text not in earlier for text in texts) // BLOCK)


def _score_new(
    texts: list[str],
    vectors: np.ndarray,
    order: np.ndarray,
    first_new: int,
    scorer: Scorer,
    close: float,
    progress: Callable[[int], None] | None,
) -> list[np.ndarray]:
    if first_new >= len(order):
        return []  # every text known: no bigram matrix of them all to make (seconds at corpus size)
    ordered = vectors[order]
    grams, sizes = gram_matrix([texts[i] for i in order])
    by_column = grams.T.tocsr()
    found = []
    for start in range(first_new, len(order), BLOCK):
        end = min(start + BLOCK, len(order))
        score = scorer.cosine(ordered[start:end], ordered[:end])
        if scorer.weight:
            shared = (grams[start:end] @ by_column[:, :end]).toarray()
            wording = overlap_of_grams(shared, sizes[start:end, None], sizes[None, :end])
            score = scorer.combine(score, wording)
        # each pair once: a new text against the texts before it
        score[np.arange(start, end)[:, None] <= np.arange(end)[None, :]] = -1.0
        rows, columns = np.nonzero(score.astype(np.float64) >= close - _SLACK)
        rows += start
        # near the line, BLAS's rounding depends on the block: decide on row-by-row cosines
        cosine = np.clip(np.einsum("ij,ij->i", ordered[rows], ordered[columns]), -1.0, 1.0)
        if scorer.weight:
            cosine = scorer.combine(cosine, wording[rows - start, columns])
        # in float32 and then float64, as `match` scores, so both draw the line alike
        keep = cosine.astype(np.float64) >= close
        found.append(np.stack([order[rows[keep]], order[columns[keep]]], axis=1))
        if progress:
            progress(1)
    return found


def scoring_fingerprint(calibration: dict[str, float], embedder: str) -> str:
    """What the close text pairs depend on besides the texts: this code, the calibration, the embedder."""
    folder = Path(__file__).parent
    salt = repr((embedder, sorted(calibration.items())))
    return fingerprint_files([folder / "close_texts.py", folder / "scoring.py"], salt=salt)


class CloseTextCache:
    """Per kind group: the texts of the last build and their close pairs, under a fingerprint
    of the scoring (code, calibration, embedder)."""

    def __init__(self, path: Path, fingerprint: str) -> None:
        self.db = open_cache(
            path,
            "CREATE TABLE IF NOT EXISTS close_texts (grp TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, "
            "texts BLOB NOT NULL, pairs BLOB NOT NULL)",
            "close-text cache",
        )
        self.path, self.fingerprint = path, fingerprint
        self.writing: list[threading.Thread] = []  # `put`s under way

    @classmethod
    def of(cls, build_dir: Path, calibration: Calibration, embedder: str) -> CloseTextCache:
        """The build folder's cache, under the fingerprint of this calibration and embedder."""
        return cls(close_text_cache(build_dir), scoring_fingerprint(calibration.to_dict(), embedder))

    def get(self, group: str) -> Known | None:
        self._wait()
        row = self.db.execute(
            "SELECT texts, pairs FROM close_texts WHERE grp = ? AND fingerprint = ?",
            (group, self.fingerprint),
        ).fetchone()
        if row is None:
            return None
        texts = json.loads(row[0].decode("utf-8"))
        return texts, np.frombuffer(row[1], dtype=np.int64).reshape(-1, 2)

    def put(self, group: str, texts: list[str], pairs: np.ndarray) -> None:
        """Keep a group's texts and close pairs (neither changed after), written in a thread of
        its own: tens of MB at 3,000 documents, half a second mostly outside the interpreter
        lock, while the build goes on. `get` and `close` wait for it."""
        thread = threading.Thread(target=self._write, args=(group, texts, pairs), daemon=True)
        thread.start()
        self.writing.append(thread)

    def _write(self, group: str, texts: list[str], pairs: np.ndarray) -> None:
        blob = json.dumps(texts, ensure_ascii=False).encode("utf-8")
        row = (group, self.fingerprint, blob, np.ascontiguousarray(pairs, dtype=np.int64).tobytes())
        try:
            db = sqlite3.connect(self.path, timeout=60)  # a connection is used by its own thread only
        except sqlite3.Error:
            return  # a cache that cannot be written only costs time
        try:
            write_quietly(db, "INSERT OR REPLACE INTO close_texts VALUES (?, ?, ?, ?)", [row])
        finally:
            db.close()

    def _wait(self) -> None:
        writing, self.writing = self.writing, []
        for thread in writing:
            thread.join()

    def close(self) -> None:
        self._wait()
        self.db.close()
