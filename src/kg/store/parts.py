"""A build's graph in parts: sorted N-Quads files, each made from inputs one change seldom touches.

    graph/
      parts.json              PARTS_FILE: {"parts": {name: {"key", "sha256", "lines"}}}
      ontology.nq             the ontology graph
      concepts.nq             classification concepts several documents describe (occupations ...)
      corpus.nq               what is made from every document (shared texts, document pages)
      documents/<code>.nq     one document's own asserted and inferred quads
      pairs/<code>.nq         the mappings of the document pairs a document leads
      texts/<code>.nq         the distinct texts a document owns, and the items printing them
      close-texts/<digits>.nq the close links between distinct texts, by their lower node's digest
      overlap.nq              the document pairs' ranks and the unit incorporations

Every line of the graph is in exactly one part, each part is sorted (UTF-8 bytes) and holds
each line once, so the parts together are the graph, and `sorted_lines` merges them into
the one sorted file earlier builds wrote as graph.nq. A part's `key` fingerprints what its
lines were made from: a new build whose part has the key of the live build's same part
hard-links that file instead of making it again, so a build after one document changed
writes the few parts that document touches. Its `sha256` (of the bytes) lets the store
update (`kg.store.delta.diff_parts`) skip every part whose bytes did not change.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from kg.errors import KgError
from kg.store.layout import GRAPH_FOLDER, PARTS_FILE
from kg.store.sorting import SortedLines

MERGED = 200  # part files merged at once (a process may open about a thousand files)


@dataclass(frozen=True)
class Part:
    key: str  # a fingerprint of its inputs ("" when it is made anew every build)
    sha256: str  # of its bytes
    lines: int


def part_name(folder: str, code: str) -> str:
    """The part of one document in `folder` ("documents", "pairs", "texts")."""
    return f"{folder}/{safe_name(code)}"


def safe_name(code: str) -> str:
    """A document code as one file name (quoted: any code is one)."""
    return quote(code, safe="")


def input_key(*parts: str | bytes) -> str:
    """A part's key: a digest of the strings and bytes it is made from."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


class GraphParts:
    """The parts of a finished (or a being-written) build's graph."""

    FOLDER, SUFFIX, SORTED = GRAPH_FOLDER, ".nq", True  # where, and whether each part's lines are sorted

    def __init__(self, build_path: Path, parts: dict[str, Part] | None = None) -> None:
        self.folder = build_path / self.FOLDER
        if parts is None:
            parts = _read_index(self.folder / PARTS_FILE)
        self.parts = parts

    @classmethod
    def exists(cls, build_path: Path) -> bool:
        return (build_path / cls.FOLDER / PARTS_FILE).is_file()

    def path(self, name: str) -> Path:
        return self.folder / f"{name}{self.SUFFIX}"

    def files(self) -> list[Path]:
        """Every part's file, in name order."""
        return [self.path(name) for name in sorted(self.parts)]

    @property
    def lines(self) -> int:
        return sum(part.lines for part in self.parts.values())

    def sorted_lines(self, scratch: Path | None = None) -> Iterator[bytes]:
        """Every line of the graph once, sorted: the parts merged (they share no line), at most
        `MERGED` files open at once (a corpus has thousands of parts: merged runs of them go to
        a temporary folder in `scratch`, by default the system's)."""
        files = self.files()
        if len(files) <= MERGED:
            yield from _merged(files)
            return
        with tempfile.TemporaryDirectory(dir=scratch) as folder:
            runs: list[Path] = []
            for start in range(0, len(files), MERGED):
                run = Path(folder) / f"{len(runs):05d}.nq"
                with open(run, "wb") as out:
                    out.writelines(_merged(files[start : start + MERGED]))
                runs.append(run)
            yield from _merged(runs)

    def write_nquads(self, output: Path) -> int:
        """The whole graph as one sorted N-Quads file; returns its lines."""
        count = 0
        with open(output, "wb") as out:
            for line in self.sorted_lines(output.parent):
                out.write(line)
                count += 1
        return count


class PartsWriter:
    """Writes the parts of a new build's graph (or of another file kept in parts: `kind`),
    linking those the live build already has."""

    def __init__(
        self, build_path: Path, previous: Path | None = None, kind: type[GraphParts] = GraphParts
    ) -> None:
        self.kind, self.build_path = kind, build_path
        self.folder = build_path / kind.FOLDER
        self.folder.mkdir(parents=True, exist_ok=True)
        self.parts: dict[str, Part] = {}
        self.previous = _readable(kind, previous)
        self.linked = 0  # parts taken from the previous build
        self.folders: set[str] = set()  # made already (a build has thousands of parts)
        # file names as text: pathlib's joins took most of a part's linking (18,000 a build)
        self._here = f"{self.folder}{os.sep}"
        self._there = f"{self.previous.folder}{os.sep}" if self.previous is not None else ""

    def known(self, name: str, key: str) -> Part | None:
        """The previous build's part `name` when it was made from the same inputs (`key`) and
        its file is there."""
        old = self._same(name, key)
        return old if old is not None and self.previous.path(name).is_file() else None  # type: ignore[union-attr]

    def reuse(self, name: str, key: str) -> bool:
        """Take the previous build's part `name` when it was made from the same inputs (`key`)."""
        old = self._same(name, key)  # its file's absence shows when it is linked: no stat first
        if old is None:
            return False
        file = f"{name}{self.kind.SUFFIX}"
        source, target = f"{self._there}{file}", self._target_file(name, file)
        try:
            os.link(source, target)
        except FileNotFoundError:  # the previous build's file is gone: made anew
            return False
        except OSError:  # another file system, or links not allowed: a copy does too
            shutil.copyfile(source, target)
        self._add(name, old)
        self.linked += 1
        return True

    def _same(self, name: str, key: str) -> Part | None:
        """The previous build's part `name` when its key is `key` (an empty key matches nothing)."""
        old = self.previous.parts.get(name) if self.previous is not None and key else None
        return old if old is not None and old.key == key else None

    def put(self, name: str, key: str, make: Callable[[], Iterable[bytes]]) -> None:
        """Part `name`: the previous build's when made from the same inputs, else written from `make()`."""
        if not self.reuse(name, key):
            self.write(name, make(), key)

    def write(self, name: str, chunks: Iterable[bytes], key: str = "") -> Part:
        """Write part `name` from chunks of lines: sorted, each once, for a kind kept sorted
        (the graph's N-Quads); else as they come."""
        target = self._target(name)
        if self.kind.SORTED:
            lines = SortedLines(target)
            for chunk in chunks:
                lines.write(chunk)
            count = lines.close()
        else:
            count = 0
            with open(target, "wb") as out:
                for chunk in chunks:
                    out.write(chunk)
                    count += chunk.count(b"\n")
        return self._add(name, Part(key, _sha256(target), count))

    def close(self) -> GraphParts:
        """Write the index of the parts; returns them."""
        # a part a line, by json's C encoder (`indent` or `asdict` took a second for 9,000 parts)
        encode = json.JSONEncoder().encode
        parts = sorted(self.parts.items())
        listed = ",\n".join(f"{encode(name)}: {encode(vars(part))}" for name, part in parts)
        (self.folder / PARTS_FILE).write_text(f'{{"parts": {{\n{listed}\n}}}}\n', encoding="utf-8")
        return self.kind(self.build_path, dict(self.parts))

    def _target(self, name: str) -> Path:
        return Path(self._target_file(name, f"{name}{self.kind.SUFFIX}"))

    def _target_file(self, name: str, file: str) -> str:
        """Where part `name` (its file name `file`, in the kind's folder) is written, its folder made."""
        if name in self.parts:
            raise ValueError(f"the graph part {name} is written twice")
        folder = file.rpartition("/")[0]
        if folder not in self.folders:
            Path(self._here, folder).mkdir(parents=True, exist_ok=True)
            self.folders.add(folder)
        return f"{self._here}{file}"

    def _add(self, name: str, part: Part) -> Part:
        self.parts[name] = part
        return part


def _merged(paths: list[Path]) -> Iterator[bytes]:
    with ExitStack() as files:
        opened = [files.enter_context(open(path, "rb", buffering=2**16)) for path in paths]
        yield from heapq.merge(*opened)


def _readable(kind: type[GraphParts], build_path: Path | None) -> GraphParts | None:
    """A build's parts of this kind, or None when it has none or they cannot be read (then
    nothing is linked from it: a new build makes every part)."""
    if build_path is None or not kind.exists(build_path):
        return None
    try:
        return kind(build_path)
    except KgError:
        return None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while block := file.read(2**20):
            digest.update(block)
    return digest.hexdigest()


def _read_index(path: Path) -> dict[str, Part]:
    try:
        index = json.loads(path.read_text(encoding="utf-8"))
        return {name: Part(f["key"], f["sha256"], f["lines"]) for name, f in index["parts"].items()}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise KgError(f"the graph's parts cannot be read from {path} ({exc}): run `kg build` again") from None
