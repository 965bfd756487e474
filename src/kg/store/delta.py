"""What changed between two builds' graphs: the lines only in the old (removed) and only in
the new (added), found part by part (`kg.store.parts`) by one streaming merge-walk over the
old and new file of each part whose bytes changed.

Both files are sorted the same way, each line once (`kg.store.sorting`: UTF-8 bytes), so
one pass over both, in step, finds every difference while holding only the differences.
Runs of lines the two files share (nearly all of them when one document changed) are
skipped whole, by comparing bytes (in C) rather than line by line; the lines around each
difference are compared one by one, and checked to be in order. The walk gives up
(`NoDelta`) as soon as more lines differ than the caller's limit (a full load is then
cheaper) or when a file turns out not to be sorted that way: the caller then loads the
store in full.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from kg.store.parts import GraphParts

BLOCK = 2**20  # bytes read at a time from each file
IN_MEMORY = 2**25  # a changed part of up to this many bytes (each file) is compared as two sets of lines
_FIRST_STRIDE = 256  # bytes compared first when looking for a shared run


class NoDelta(Exception):
    """The two files cannot be compared by a merge-walk, or differ in more lines than allowed."""


@dataclass
class Delta:
    """The lines (N-Quads, each ending with a newline) to remove from the old graph and to add."""

    removed: list[bytes] = field(default_factory=list)
    added: list[bytes] = field(default_factory=list)
    new_lines: int = 0  # lines in the new file

    def __len__(self) -> int:
        return len(self.removed) + len(self.added)


def diff_parts(old: GraphParts, new: GraphParts, limit: int) -> Delta:
    """The lines only in the `old` graph and only in the `new` one, compared part by part.

    A part with the same bytes in both is skipped; a line that moved from one part to another
    (a text whose owner changed) is neither removed nor added. A part of up to `IN_MEMORY`
    bytes is compared as two sets of its lines, in C (half the merge-walk's time for the
    parts a unit removed from 3,000 documents changes); a larger one by `diff_sorted`, which
    holds only the differences. Raises NoDelta as `diff_sorted`.
    """
    delta = Delta()
    for name in sorted(old.parts.keys() | new.parts.keys()):
        before, after = old.parts.get(name), new.parts.get(name)
        if before is not None and after is not None and before.sha256 == after.sha256:
            continue
        paths = old.path(name) if before else None, new.path(name) if after else None
        if all(path is None or path.stat().st_size <= IN_MEMORY for path in paths):
            _diff_in_memory(*paths, limit, delta)
        else:
            diff_sorted(*paths, limit, into=delta)
    delta.new_lines = new.lines
    moved = set(delta.removed).intersection(delta.added)
    if moved:
        delta.removed = [line for line in delta.removed if line not in moved]
        delta.added = [line for line in delta.added if line not in moved]
    return delta


def diff_sorted(
    old: Path | None, new: Path | None, limit: int, block: int = BLOCK, into: Delta | None = None
) -> Delta:
    """The lines only in `old` and only in `new` (two sorted files, each line once), added to
    `into` when given. None stands for an empty file. Raises NoDelta when more than `limit`
    lines differ (in `into` as a whole), or when a file is not sorted."""
    delta = into if into is not None else Delta()
    with _open(old) as old_file, _open(new) as new_file:
        a, b = _Lines(old_file, old, block), _Lines(new_file, new, block)
        while a.ready() and b.ready():
            shared = a.skip_shared(b)
            if shared:
                delta.new_lines += shared
                continue
            line_a, line_b = a.peek(), b.peek()
            if line_a == line_b:  # a shared line cut by the end of a block
                a.take()
                b.take()
                delta.new_lines += 1
                continue
            if line_a < line_b:
                delta.removed.append(a.take())
            else:
                delta.added.append(b.take())
                delta.new_lines += 1
            if len(delta) > limit:
                raise NoDelta(f"more than {limit} lines differ")
        while a.ready():
            delta.removed.append(a.take())
            if len(delta) > limit:
                raise NoDelta(f"more than {limit} lines differ")
        while b.ready():
            delta.added.append(b.take())
            delta.new_lines += 1
            if len(delta) > limit:
                raise NoDelta(f"more than {limit} lines differ")
    return delta


def _diff_in_memory(old: Path | None, new: Path | None, limit: int, delta: Delta) -> None:
    """`diff_sorted` for two small files, read whole: their lines as sets (in any order)."""
    before, after = _line_set(old), _line_set(new)
    delta.removed.extend(sorted(before - after))
    delta.added.extend(sorted(after - before))
    delta.new_lines += len(after)
    if len(delta) > limit:
        raise NoDelta(f"more than {limit} lines differ")


def _line_set(path: Path | None) -> set[bytes]:
    """A file's lines, each with its newline (a last one without is given one, as `_Lines` does)."""
    data = path.read_bytes() if path is not None else b""
    return set((data if data.endswith(b"\n") or not data else data + b"\n").splitlines(keepends=True))


def _open(path: Path | None) -> BinaryIO:
    return open(path, "rb") if path is not None else io.BytesIO()


class _Lines:
    """A sorted file, read a block at a time: `data[pos:]` holds whole lines not yet used."""

    def __init__(self, file: BinaryIO, path: Path | None, block: int) -> None:
        self.file, self.path, self.block = file, path, block
        self.data = b""
        self.pos = 0
        self.pending = b""  # the start of a line cut by the end of the last block
        self.previous = b""  # the last line used: the next must come after it
        self.number = 0  # lines used

    def ready(self) -> bool:
        """Whether a line is left (reading the next block when this one is used up)."""
        while self.pos >= len(self.data):
            chunk = self.file.read(self.block)
            if not chunk:
                if not self.pending:
                    return False
                chunk, self.pending = self.pending + b"\n", b""  # a last line without newline
                self.data, self.pos = chunk, 0
                return True
            chunk = self.pending + chunk
            cut = chunk.rfind(b"\n") + 1
            self.data, self.pending, self.pos = chunk[:cut], chunk[cut:], 0
        return True

    def peek(self) -> bytes:
        return self.data[self.pos : self.data.index(b"\n", self.pos) + 1]

    def take(self) -> bytes:
        line = self.peek()
        self.number += 1
        if line <= self.previous and self.number > 1:
            raise NoDelta(f"{self.path} is not sorted (line {self.number})")
        self.previous = line
        self.pos += len(line)
        return line

    def skip_shared(self, other: _Lines) -> int:
        """Skip the whole lines both files have next, in both; returns how many (0: none)."""
        mine, theirs = self.data, other.data  # slices of bytes compare by memcmp (memoryviews do not)
        start, other_start = self.pos, other.pos
        most = min(len(self.data) - start, len(other.data) - other_start)
        same, stride = 0, _FIRST_STRIDE  # bytes known equal; then gallop, then halve
        while stride and same < most:
            step = min(stride, most - same)
            if (
                mine[start + same : start + same + step]
                == theirs[other_start + same : other_start + same + step]
            ):
                same += step
                stride *= 2
            else:
                stride = step // 2
        end = self.data.rfind(b"\n", start, start + same) + 1
        if end <= start:
            return 0
        lines = self.data.count(b"\n", start, end)
        first = self.data[start : self.data.index(b"\n", start) + 1]
        last = self.data[self.data.rfind(b"\n", start, end - 1) + 1 : end]
        for reader in (self, other):  # within the run, the order is the other file's
            if reader.number and first <= reader.previous:
                raise NoDelta(f"{reader.path} is not sorted (line {reader.number + 1})")
        for reader in (self, other):
            reader.pos += end - start
            reader.number += lines
            reader.previous = last
        return lines
