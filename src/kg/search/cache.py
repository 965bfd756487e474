"""A persistent cache of passage embeddings (and of query ones), keyed by model fingerprint and text.

Rebuilding after adding one document embeds only that document's new texts; the
rest come from here. The cache is one SQLite file beside the builds
(`data/build/cache/embeddings.sqlite`); deleting it only costs time.

Beside it, per model, the vectors the last build asked for are kept as one array
(`<cache>.<model hash>.npy`, written when they changed): a build reads them at once rather
than row by row (91,000 vectors at 3,000 documents: 0.6 s from SQLite), and asks SQLite
only for the others. It holds copies of the table's vectors, so it only saves time.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kg.search.embedders import Embedder
from kg.sqlite_cache import open_cache, rows_for_keys, text_key

BATCH = 64


@dataclass
class EmbeddingStats:
    texts: int = 0  # distinct texts asked for
    embedded: int = 0  # of which newly embedded
    cached: int = 0  # of which read from the cache


def _row_type(dimension: int) -> np.dtype:
    """A row of the last build's array: a text's key (SHA-256) and its vector."""
    return np.dtype([("key", "V32"), ("vector", "<f4", (dimension,))])


class EmbeddingCache:
    """SQLite table (model, text hash) -> float32 vector."""

    def __init__(self, path: Path) -> None:
        self.db = open_cache(
            path,
            "CREATE TABLE IF NOT EXISTS vectors (model TEXT NOT NULL, text_sha256 BLOB NOT NULL, "
            "vector BLOB NOT NULL, PRIMARY KEY (model, text_sha256))",
            "embedding cache",
        )
        self.path = path
        self.last_keys: dict[str, list[bytes]] = {}  # per model, the keys of the array `vectors` read
        self.writing: list[threading.Thread] = []  # `keep_last`'s writers

    def get(self, model: str, keys: Sequence[bytes], dimension: int) -> dict[bytes, bytes]:
        """The kept vectors of these keys, as float32 bytes (a vector of another size is not kept)."""
        select = "SELECT text_sha256, vector FROM vectors WHERE model = ?"
        size = 4 * dimension
        return {
            key: blob
            for key, blob in rows_for_keys(self.db, select, [model], "text_sha256", keys)
            if len(blob) == size
        }

    def vectors(self, model: str, keys: Sequence[bytes], dimension: int) -> tuple[np.ndarray, np.ndarray]:
        """The kept vectors of these keys, a row each (zeros where none is kept; read-only when
        they are the last build's, as they were), and which are kept: from the last build's
        array first, then from the table."""
        keys = list(keys)
        last = self._last(model, dimension)
        if last is not None:
            self.last_keys[model] = last[0]
            if last[0] == keys:  # nothing changed: the array as it is, mapped, not copied
                return last[1], np.ones(len(keys), dtype=bool)
            row_of = {key: row for row, key in enumerate(last[0])}
            rows = np.fromiter((row_of.get(key, -1) for key in keys), dtype=np.int64, count=len(keys))
            kept = rows >= 0
            found = last[1][np.maximum(rows, 0)]  # read from the mapped file into memory
            found[~kept] = 0.0
        else:
            found = np.zeros((len(keys), dimension), dtype=np.float32)
            kept = np.zeros(len(keys), dtype=bool)
        others = [key for key, held in zip(keys, kept.tolist(), strict=True) if not held]
        if others:
            position = {key: n for n, key in enumerate(keys)}
            for key, blob in self.get(model, others, dimension).items():
                found[position[key]] = np.frombuffer(blob, dtype=np.float32)
                kept[position[key]] = True
        return found, kept

    def keep_last(self, model: str, keys: Sequence[bytes], vectors: np.ndarray) -> None:
        """Keep these keys' vectors (not changed after) as the array the next build reads first,
        unless `vectors` read them from it: written by a thread of its own (a hundred MB at
        3,000 documents) that the process waits for before it exits."""
        if self.last_keys.get(model) == list(keys):
            return
        self.last_keys[model] = list(keys)
        writer = threading.Thread(target=self._write_last, args=(model, list(keys), vectors))
        writer.start()
        self.writing.append(writer)

    def written(self) -> None:
        """Wait for the arrays `keep_last` is writing (`close` does not: a build goes on)."""
        writing, self.writing = self.writing, []
        for writer in writing:
            writer.join()

    def _write_last(self, model: str, keys: list[bytes], vectors: np.ndarray) -> None:
        path = self._last_path(model)
        staged = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp.npy")
        try:
            rows = np.empty(len(keys), dtype=_row_type(vectors.shape[1]))
            rows["key"] = np.frombuffer(b"".join(keys), dtype="V32")
            rows["vector"] = vectors
            np.save(staged, rows)
            os.replace(staged, path)  # whole, or not at all
        except (OSError, ValueError):
            staged.unlink(missing_ok=True)  # a cache that cannot be written only costs time

    def _last(self, model: str, dimension: int) -> tuple[list[bytes], np.ndarray] | None:
        """The last build's keys and vectors for `model`: one file of (key, vector) rows, mapped."""
        try:
            rows = np.load(self._last_path(model), mmap_mode="r")
        except (OSError, ValueError, EOFError):
            return None  # none yet, or damaged: the table has every vector
        if rows.dtype != _row_type(dimension) or rows.ndim != 1 or not len(rows):
            return None
        packed = rows["key"].tobytes()
        return [packed[n : n + 32] for n in range(0, len(packed), 32)], rows["vector"]

    def _last_path(self, model: str) -> Path:
        return self.path.with_name(f"{self.path.name}.{hashlib.sha256(model.encode()).hexdigest()[:12]}.npy")

    def put(self, model: str, entries: Sequence[tuple[bytes, np.ndarray]]) -> None:
        with self.db:
            self.db.executemany(
                "INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)",
                [(model, key, np.asarray(v, dtype=np.float32).tobytes()) for key, v in entries],
            )

    def close(self) -> None:
        self.db.close()


def embed_passages(
    embedder: Embedder,
    texts: Sequence[str],
    cache: EmbeddingCache | None,
    progress: Callable[[str, int, int], None] | None = None,
    as_queries: bool = False,
) -> tuple[np.ndarray, EmbeddingStats]:
    """Vectors for `texts` (one row each), embedding only texts the cache does not hold.

    as_queries: embed them as questions are (kept apart in the cache), not as passages.
    """
    key_of = {text: text_key(text) for text in dict.fromkeys(texts)}  # each distinct text hashed once
    distinct, keys = list(key_of), list(key_of.values())
    model = f"{embedder.fingerprint} (queries)" if as_queries else embedder.fingerprint
    embed = embedder.embed_queries if as_queries else embedder.embed_passages
    if cache:
        unique, kept = cache.vectors(model, keys, embedder.dimension)
    else:
        unique, kept = np.zeros((len(keys), embedder.dimension), np.float32), np.zeros(len(keys), bool)
    missing = np.flatnonzero(~kept).tolist()
    stats = EmbeddingStats(texts=len(keys), embedded=len(missing), cached=len(keys) - len(missing))
    for start in range(0, len(missing), BATCH):
        if progress:
            progress("embedding", start, len(missing))
        batch = missing[start : start + BATCH]
        vectors = embed([distinct[n] for n in batch])
        unique[batch] = np.asarray(vectors, dtype=np.float32)
        if cache:  # written batch by batch, so an interrupted build keeps what it paid for
            cache.put(model, list(zip([keys[n] for n in batch], vectors, strict=True)))
    if progress:
        progress("embedding", len(missing), len(missing))
    if cache and keys:
        cache.keep_last(model, keys, unique)
    # each distinct text's vector once, then a row per text by one fancy index
    position = {text: n for n, text in enumerate(distinct)}
    return unique[np.fromiter((position[text] for text in texts), dtype=np.int64, count=len(texts))], stats
