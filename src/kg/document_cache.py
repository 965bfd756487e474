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

A document's quads (most of its bytes: about 300 KB, against a few KB for the rest) are
kept in a column of their own and read only when asked for (`quads`): a build whose graph
part for the document is linked from the live build (`kg.store.parts`) never reads them.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kg.errors import KgError
from kg.sqlite_cache import keep_only, open_cache, write_quietly


class DocumentCache:
    """(content hash, source, fingerprint) -> a document's pickled result, and its quads (this
    build folder's own)."""

    def __init__(self, path: Path, fingerprint: str) -> None:
        self.db = open_cache(
            path,
            "CREATE TABLE IF NOT EXISTS results (sha256 TEXT NOT NULL, source TEXT NOT NULL, "
            "fingerprint TEXT NOT NULL, result BLOB NOT NULL, quads BLOB NOT NULL, "
            "PRIMARY KEY (sha256, source, fingerprint))",
            "document cache",
        )
        with self.db:  # the table of earlier versions, which kept the quads inside the result
            self.db.execute("DROP TABLE IF EXISTS documents")
        self.fingerprint = fingerprint

    def get(self, data: bytes, source: str) -> dict[str, Any] | None:
        """The kept result of the file with bytes `data` reported as `source`, without its quads."""
        row = self.db.execute(
            "SELECT result FROM results WHERE sha256 = ? AND source = ? AND fingerprint = ?",
            (hashlib.sha256(data).hexdigest(), source, self.fingerprint),
        ).fetchone()
        if row is None:
            return None
        found: dict[str, Any] = pickle.loads(row[0])
        return found

    def quads(self, sha256: str, source: str) -> bytes:
        """The kept quads of a file (by its bytes' SHA-256), which `get` found a result for."""
        row = self.db.execute(
            "SELECT quads FROM results WHERE sha256 = ? AND source = ? AND fingerprint = ?",
            (sha256, source, self.fingerprint),
        ).fetchone()
        if row is None:
            raise KgError(f"the document cache no longer holds {source}: run `kg build` again")
        return bytes(row[0])

    def put(self, data: bytes, source: str, result: dict[str, Any], quads: bytes) -> None:
        key = (hashlib.sha256(data).hexdigest(), source, self.fingerprint)
        row = (*key, pickle.dumps(result), quads)
        write_quietly(self.db, "INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?)", [row])

    def keep_only(self, keys: Iterable[tuple[str, str]]) -> None:
        """Drop every result but these (sha256, source) under the current fingerprint: after a
        build, the cache holds that build's files, not every version of every file ever built."""
        keep_only(self.db, "results", ("sha256", "source"), self.fingerprint, keys)

    def close(self) -> None:
        self.db.close()
