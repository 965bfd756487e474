"""The mappings of document pairs, kept between builds: an unchanged pair is not matched again.

A SQLite table (`kg.sqlite_cache`) keyed by the fingerprints of the pair's two sides (a
hash of all that matching reads of a document: its items, their vectors and task scopes)
and of the matching itself (the mapping code and the calibration in force). A pair's
mappings depend on nothing else, so a build that takes them from here makes the same
mappings as one that matches every pair afresh; adding one document to a large build
matches only the pairs that document is in. After a build, entries it did not use are
dropped (`keep_only`), so the cache holds one build's pairs, not every build's.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from kg.mapping.matching import MappingRow, Side
from kg.sqlite_cache import fingerprint_files, keep_only, open_cache, rows_for_keys

_CODE = ("matching.py", "scoring.py", "model.py", "pair_cache.py")


def matching_fingerprint(calibration: dict[str, float]) -> str:
    """What every pair's mappings depend on besides the pair: the code that matches, the calibration."""
    folder = Path(__file__).parent
    return fingerprint_files([folder / name for name in _CODE], salt=repr(sorted(calibration.items())))


def side_fingerprint(side: Side) -> str:
    """A hash of what matching reads of one document."""
    digest = hashlib.sha256(side.document.encode())
    read = [
        [item.iri, item.code, item.kind, item.text, item.task, sorted(scope)]
        for item, scope in zip(side.items, side.scopes, strict=True)
    ]
    digest.update(json.dumps(read, ensure_ascii=False).encode())  # the C encoder: unambiguous, fast
    digest.update(side.vectors.tobytes())
    return digest.hexdigest()[:32]


class PairCache:
    """(side fingerprint, side fingerprint, matching fingerprint) -> the pair's mappings, by rows."""

    def __init__(self, path: Path, fingerprint: str) -> None:
        self.db = open_cache(
            path,
            "CREATE TABLE IF NOT EXISTS pairs (a TEXT NOT NULL, b TEXT NOT NULL, fingerprint TEXT NOT NULL, "
            "mappings BLOB NOT NULL, PRIMARY KEY (a, b, fingerprint))",
            "pair cache",
        )
        self.fingerprint = fingerprint

    def get(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], list[MappingRow]]:
        """The mappings of the pairs the cache holds, of these."""
        select = "SELECT a, b, mappings FROM pairs WHERE fingerprint = ?"
        held = rows_for_keys(self.db, select, [self.fingerprint], "a, b", list(set(keys)))
        return {(a, b): pickle.loads(blob) for a, b, blob in held}

    def put(self, entries: Iterable[tuple[tuple[str, str], list[MappingRow]]]) -> None:
        rows = ((a, b, self.fingerprint, pickle.dumps(m)) for (a, b), m in entries)
        try:
            with self.db:
                self.db.executemany("INSERT OR REPLACE INTO pairs VALUES (?, ?, ?, ?)", rows)
        except sqlite3.Error:
            pass  # a cache that cannot be written (full disk, locked) only costs time

    def keep_only(self, keys: Iterable[tuple[str, str]]) -> None:
        """Drop every entry but these pairs' under the current fingerprint."""
        keep_only(self.db, "pairs", ("a", "b"), self.fingerprint, keys)

    def close(self) -> None:
        self.db.close()
