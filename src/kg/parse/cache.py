"""A persistent cache of read files: the shared table model of a PDF, ODT, DOCX or HTML file,
by its content hash and the version of the code that read it.

Reading a PDF's tables is the slow part of a build (tens of milliseconds a page); a
rebuild reads an unchanged file from here in a millisecond, whatever its name or
folder. The cache is one SQLite file beside the embedding cache
(`data/build/cache/layouts.sqlite`); deleting it only costs time. Text files are not
cached: reading them is as fast as hashing them.
"""

from __future__ import annotations

import functools
import hashlib
import json
import sqlite3
from pathlib import Path

from kg.parse.formats import TEXT, InputFormat, detect_format
from kg.parse.layout import Layout
from kg.sqlite_cache import fingerprint_files, open_cache


@functools.cache
def reader_fingerprint() -> str:
    """A hash of the code that turns files into layouts: a changed reader reads every file anew."""
    package = Path(__file__).parent
    return fingerprint_files(sorted([package / "layout.py", *(package / "formats").glob("*.py")]))


class LayoutCache:
    """SQLite table (content hash, reader fingerprint) -> layout JSON."""

    def __init__(self, path: Path) -> None:
        self.db = open_cache(
            path,
            "CREATE TABLE IF NOT EXISTS layouts (sha256 TEXT NOT NULL, reader TEXT NOT NULL, "
            "layout TEXT NOT NULL, PRIMARY KEY (sha256, reader))",
            "parse cache",
        )
        self.path = path
        self.hits = 0
        self.misses = 0

    def read(self, input_format: InputFormat, data: bytes, source: str) -> Layout:
        """The file's layout: from the cache when this content was read before, else read now."""
        key = (hashlib.sha256(data).hexdigest(), reader_fingerprint())
        row = self.db.execute("SELECT layout FROM layouts WHERE sha256 = ? AND reader = ?", key).fetchone()
        if row is not None:
            self.hits += 1
            return _from_json(row[0])
        self.misses += 1
        layout = input_format.read(data, source)
        self._store(key, layout)
        return layout

    def _store(self, key: tuple[str, str], layout: Layout) -> None:
        payload = json.dumps({"lines": layout.lines, "pages": layout.pages, "format": layout.format})
        try:
            with self.db:
                self.db.execute("INSERT OR REPLACE INTO layouts VALUES (?, ?, ?)", (*key, payload))
        except sqlite3.Error:
            pass  # a cache that cannot be written (full disk, locked) only costs time

    def close(self) -> None:
        self.db.close()


def _from_json(payload: str) -> Layout:
    data = json.loads(payload)
    return Layout(data["lines"], data["pages"], data["format"])


def read_layout(data: bytes, source: str, cache: LayoutCache | None = None) -> Layout:
    """A file's layout, in the format its content says, through the cache when there is one
    (text files are read directly: reading them is as fast as hashing them)."""
    input_format = detect_format(data, source)
    if cache is None or input_format is TEXT:
        return input_format.read(data, source)
    return cache.read(input_format, data, source)
