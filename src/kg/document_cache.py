"""What one source file became (its model, asserted and inferred quads, summary), kept between builds.

A SQLite table keyed by the file's content hash, its file name, and a fingerprint
of everything else its result depends on (`kg.pipeline.fingerprint`: the code that parses,
converts, validates and reasons, the ontology and shapes files, the reasoner, the base IRI
and strictness). An unchanged file under an unchanged
fingerprint is not parsed, converted, validated or reasoned over again: `kg build` after
adding, changing or removing one document redoes that document only (embeddings have
their own cache: kg.search.cache). Only results without problems are kept, so a file
with problems is checked, and reported, every time. After a build, results of files it
did not read are dropped. `kg build --clean` starts without it.

The folder a file is in is not part of the key: the corpus moved, or named another way
(`data/raw` against `./data/raw`), is not processed again. A kept result names the file
as it was given then; `get` gives it the path as given now (`moved`).

A document's quads (most of its bytes: about 300 KB, against a few KB for the rest) are
kept in a column of their own and read only when asked for (`quads`): a build whose graph
part for the document is linked from the live build (`kg.store.parts`) never reads them.
The model is kept as the JSON text documents.json holds, and beside it what the build made
of the model (`derived`, pickled, under the fingerprint of the code that made it): a build
of 3,000 unchanged files then neither decodes a model nor derives from it again.
"""

from __future__ import annotations

import hashlib
import json
import pickle
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kg.errors import KgError
from kg.sqlite_cache import keep_only, open_cache, write_quietly


class DocumentCache:
    """(content hash, file name, fingerprint) -> a document's pickled result, its quads (this
    build folder's own), and what was derived from its model (with the deriving code's key)."""

    def __init__(self, path: Path, fingerprint: str) -> None:
        self.db = open_cache(
            path,
            "CREATE TABLE IF NOT EXISTS results_kept (sha256 TEXT NOT NULL, name TEXT NOT NULL, "
            "fingerprint TEXT NOT NULL, result BLOB NOT NULL, quads BLOB NOT NULL, "
            "derived_by TEXT NOT NULL, derived BLOB NOT NULL, PRIMARY KEY (sha256, name, fingerprint))",
            "document cache",
        )
        with self.db:  # the tables of earlier versions: keyed by the path, quads inside, models as dicts
            for table in ("results", "documents", "kept"):
                self.db.execute(f"DROP TABLE IF EXISTS {table}")
        self.fingerprint = fingerprint

    def get(self, data: bytes, source: str, derived_by: str = "") -> dict[str, Any] | None:
        """The kept result of the file with bytes `data` and `source`'s file name, without its
        quads, naming the file as `source`; under "derived", what was derived from its model
        (pickled) if the code keyed `derived_by` derived it, else None."""
        select = f"SELECT result, derived_by, derived FROM {_TABLE} WHERE {_KEY}"
        row = self.db.execute(select, self._key(data, source)).fetchone()
        if row is None:
            return None
        result = moved(pickle.loads(row[0]), source)
        result["derived"] = bytes(row[2]) if derived_by and row[1] == derived_by else None
        return result

    def quads(self, sha256: str, source: str) -> bytes:
        """The kept quads of a file (by its bytes' SHA-256), which `get` found a result for."""
        row = self.db.execute(
            f"SELECT quads FROM {_TABLE} WHERE {_KEY}", (sha256, _name(source), self.fingerprint)
        ).fetchone()
        if row is None:
            raise KgError(f"the document cache no longer holds {source}: run `kg build` again")
        return bytes(row[0])

    def put(
        self, data: bytes, source: str, result: dict[str, Any], quads: bytes, derived: Derived = ("", b"")
    ) -> None:
        """Keep a file's result and quads, and (`derived`) what the code keyed so derived from it."""
        row = (*self._key(data, source), pickle.dumps(result), quads, *derived)
        write_quietly(self.db, f"INSERT OR REPLACE INTO {_TABLE} VALUES (?, ?, ?, ?, ?, ?, ?)", [row])

    def put_derived(self, data: bytes, source: str, derived: Derived) -> None:
        """Keep what the code keyed `derived[0]` derived from a kept file's model."""
        statement = f"UPDATE {_TABLE} SET derived_by = ?, derived = ? WHERE {_KEY}"
        write_quietly(self.db, statement, [(*derived, *self._key(data, source))])

    def _key(self, data: bytes, source: str) -> tuple[str, str, str]:
        return hashlib.sha256(data).hexdigest(), _name(source), self.fingerprint

    def keep_only(self, keys: Iterable[tuple[str, str]]) -> None:
        """Drop every result but these (sha256, source) under the current fingerprint: after a
        build, the cache holds that build's files, not every version of every file ever built."""
        named = ((sha256, _name(source)) for sha256, source in keys)
        keep_only(self.db, _TABLE, ("sha256", "name"), self.fingerprint, named)

    def close(self) -> None:
        self.db.close()


_TABLE = "results_kept"
_KEY = "sha256 = ? AND name = ? AND fingerprint = ?"
Derived = tuple[str, bytes]  # (the key of the code that derived it, what it derived, pickled)


def _name(source: str) -> str:
    return Path(source).name


def moved(result: dict[str, Any], source: str) -> dict[str, Any]:
    """A kept result naming its file as `source`: in the model (JSON), the summary and the
    warnings (which begin with the path, `path:line: ...`)."""
    before = result["source"]
    if before == source:
        return result
    result["source"] = source
    summary = result.get("summary")
    if isinstance(summary, dict) and summary.get("source") == before:
        summary["source"] = source
    if result.get("model_json"):  # the model as documents.json holds it: decoded for a moved file only
        model = json.loads(result["model_json"])
        if model.get("source") == before:
            model["source"] = source
            result["model_json"] = json.dumps(model, ensure_ascii=False)
    result["warnings"] = [
        source + warning[len(before) :] if warning.startswith(f"{before}:") else warning
        for warning in result.get("warnings") or []
    ]
    return result
