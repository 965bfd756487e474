"""The build's SQLite caches (layouts, documents, embeddings): opened one way, and keyed
by a fingerprint of the code whose output they keep.

A cache is a single table in its own file under the build folder; many processes may read
and write it (timeout), and a cache that cannot be opened is a clear error naming it.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from kg.errors import KgError


def open_cache(path: Path, schema: str, name: str) -> sqlite3.Connection:
    """Open (creating) the SQLite file `path` with the table `schema` (a CREATE TABLE IF NOT EXISTS)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path, timeout=60)
        db.execute(schema)
        db.commit()
    except (sqlite3.Error, OSError) as exc:
        raise KgError(f"cannot open the {name} {path}: {exc}") from None
    return db


def fingerprint_files(paths: Iterable[Path], salt: str = "") -> str:
    """A short hash of `salt` and the files' names and bytes: changed code or data, new key."""
    digest = hashlib.sha256(salt.encode())
    for path in paths:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]
