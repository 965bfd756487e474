"""A persistent cache of passage embeddings (and of query ones), keyed by model fingerprint and text.

Rebuilding after adding one document embeds only that document's new texts; the
rest come from here. The cache is one SQLite file beside the builds
(`data/build/cache/embeddings.sqlite`); deleting it only costs time.
"""

from __future__ import annotations

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

    def get(self, model: str, keys: Sequence[bytes], dimension: int) -> dict[bytes, bytes]:
        """The kept vectors of these keys, as float32 bytes (a vector of another size is not kept)."""
        select = "SELECT text_sha256, vector FROM vectors WHERE model = ?"
        size = 4 * dimension
        return {
            key: blob
            for key, blob in rows_for_keys(self.db, select, [model], "text_sha256", keys)
            if len(blob) == size
        }

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
    keys = [key_of[text] for text in texts]
    distinct = {key: text for text, key in key_of.items()}
    model = f"{embedder.fingerprint} (queries)" if as_queries else embedder.fingerprint
    embed = embedder.embed_queries if as_queries else embedder.embed_passages
    known = cache.get(model, list(distinct), embedder.dimension) if cache else {}
    missing = [k for k in distinct if k not in known]
    stats = EmbeddingStats(texts=len(distinct), embedded=len(missing), cached=len(known))
    for start in range(0, len(missing), BATCH):
        if progress:
            progress("embedding", start, len(missing))
        batch = missing[start : start + BATCH]
        vectors = embed([distinct[k] for k in batch])
        known.update(zip(batch, (np.asarray(v, dtype=np.float32).tobytes() for v in vectors), strict=True))
        if cache:  # written batch by batch, so an interrupted build keeps what it paid for
            cache.put(model, list(zip(batch, vectors, strict=True)))
    if progress:
        progress("embedding", len(missing), len(missing))
    if not keys:
        return np.zeros((0, embedder.dimension), dtype=np.float32), stats
    # each distinct text's vector once, from its bytes joined, then a row per text by one fancy index
    position = {key: n for n, key in enumerate(distinct)}
    joined = b"".join([known[key] for key in distinct])
    unique = np.frombuffer(joined, dtype=np.float32).reshape(len(distinct), embedder.dimension)
    return unique[np.fromiter((position[key] for key in keys), dtype=np.int64, count=len(keys))], stats
