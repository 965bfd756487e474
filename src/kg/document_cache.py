"""What one source file became (its model, asserted and inferred quads, summary), kept between builds.

A SQLite table keyed by the file's content hash, its path as reported, and a fingerprint
of everything else its result depends on (`kg.pipeline.fingerprint`: the code that parses,
converts, validates and reasons, the ontology and shapes files, the reasoner, the base IRI
and strictness). An unchanged file under an unchanged
fingerprint is not parsed, converted, validated or reasoned over again: `kg build` after
adding, changing or removing one document redoes that document only (embeddings have
their own cache: kg.search.cache). Only results without problems are kept, so a file
with problems is checked, and reported, every time. After a build, results of files it
did not read are dropped. `kg build --clean` starts without it.
"""

from __future__ import annotations

import hashlib
import pickle
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kg.sqlite_cache import keep_only, open_cache


class DocumentCache:
    """(content hash, source, fingerprint) -> a document's pickled result (this build folder's own)."""

    def __init__(self, path: Path, fingerprint: str) -> None:
        self.db = open_cache(
            path,
            "CREATE TABLE IF NOT EXISTS documents (sha256 TEXT NOT NULL, source TEXT NOT NULL, "
            "fingerprint TEXT NOT NULL, result BLOB NOT NULL, PRIMARY KEY (sha256, source, fingerprint))",
            "document cache",
        )
        self.fingerprint = fingerprint

    def get(self, data: bytes, source: str) -> dict[str, Any] | None:
        row = self.db.execute(
            "SELECT result FROM documents WHERE sha256 = ? AND source = ? AND fingerprint = ?",
            (hashlib.sha256(data).hexdigest(), source, self.fingerprint),
        ).fetchone()
        if row is None:
            return None
        found: dict[str, Any] = pickle.loads(row[0])
        return found

    def put(self, data: bytes, source: str, result: dict[str, Any]) -> None:
        key = (hashlib.sha256(data).hexdigest(), source, self.fingerprint)
        try:
            with self.db:
                self.db.execute(
                    "INSERT OR REPLACE INTO documents VALUES (?, ?, ?, ?)", (*key, pickle.dumps(result))
                )
        except sqlite3.Error:
            pass  # a cache that cannot be written (full disk, locked) only costs time

    def keep_only(self, keys: Iterable[tuple[str, str]]) -> None:
        """Drop every result but these (sha256, source) under the current fingerprint: after a
        build, the cache holds that build's files, not every version of every file ever built."""
        keep_only(self.db, "documents", ("sha256", "source"), self.fingerprint, keys)

    def close(self) -> None:
        self.db.close()
