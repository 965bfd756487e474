"""The build's SQLite caches (layouts, documents, embeddings): opened one way, and keyed
by a fingerprint of the code whose output they keep.

A cache is a single table in its own file under the build folder; many processes may read
and write it (timeout), and a cache that cannot be opened is a clear error naming it.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from kg.errors import KgError

_CHUNK = 500  # keys per query: under SQLite's variable limit
_SCAN_KEYS = 5_000  # from this many keys, the rows are read once rather than asked for


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


def text_key(text: str) -> bytes:
    """A text's key in a cache keyed by text (its SHA-256)."""
    return hashlib.sha256(text.encode("utf-8")).digest()


def rows_for_keys(
    db: sqlite3.Connection, select: str, fixed: Sequence[Any], key_columns: str, keys: Sequence[Any]
) -> Iterator[Any]:
    """The rows of `select` (a query whose WHERE clause takes the `fixed` parameters) whose key,
    their first column or first columns (`key_columns`: "key", or "a, b" with keys as tuples),
    is among `keys`. Many keys (a build asking for most of its cache) are found by reading the
    rows once, twice as fast as asking for them a chunk at a time; a few keys (a question's,
    one document's pairs) are asked for."""
    width = key_columns.count(",") + 1
    if len(keys) >= _SCAN_KEYS:
        wanted = set(keys)
        rows = db.execute(select, fixed)
        yield from (row for row in rows if (row[0] if width == 1 else row[:width]) in wanted)
        return
    if width > 1:  # a look-up of the key's index each: SQLite scans the table for (a, b) IN (...)
        each = " AND ".join(f"{column.strip()} = ?" for column in key_columns.split(","))
        for key in keys:
            yield from db.execute(f"{select} AND {each}", [*fixed, *key])
        return
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        asked = ",".join("?" * len(chunk))
        yield from db.execute(f"{select} AND {key_columns} IN ({asked})", [*fixed, *chunk])


def write_quietly(db: sqlite3.Connection, statement: str, rows: Iterable[Sequence[Any]]) -> None:
    """Run `statement` for each row in one transaction; a cache that cannot be written (full
    disk, locked) only costs time, so SQLite errors are ignored."""
    try:
        with db:
            db.executemany(statement, rows)
    except sqlite3.Error:
        pass


def fingerprint_files(paths: Iterable[Path], salt: str = "") -> str:
    """A short hash of `salt` and the files' names and bytes: changed code or data, new key."""
    digest = hashlib.sha256(salt.encode())
    for path in paths:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def keep_only(
    db: sqlite3.Connection,
    table: str,
    columns: tuple[str, str],
    fingerprint: str,
    keys: Iterable[tuple[str, str]],
) -> None:
    """Drop every row of `table` but those whose two key `columns` are among `keys`, under
    `fingerprint`: after a build, a cache holds that build's entries, not every one ever made.
    The keys are read and the few rows a change left behind deleted by key (three times faster
    at 76,000 rows than deleting through a table of the keys kept). A cache that cannot be
    written only costs space, so SQLite errors are ignored."""
    first, second = columns
    wanted = set(keys)
    try:
        held = db.execute(f"SELECT {first}, {second} FROM {table} WHERE fingerprint = ?", (fingerprint,))
        stale = [row for row in held if row not in wanted]
        with db:
            db.execute(f"DELETE FROM {table} WHERE fingerprint != ?", (fingerprint,))
            db.executemany(
                f"DELETE FROM {table} WHERE {first} = ? AND {second} = ? AND fingerprint = ?",
                [(a, b, fingerprint) for a, b in stale],
            )
    except sqlite3.Error:
        pass
