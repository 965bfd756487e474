"""What changed between two builds' graph.nq: the lines only in the old (removed) and only in
the new (added), found by one streaming merge-walk over the two files.

Both files are sorted the same way, each line once (`kg.store.sorting`: UTF-8 bytes), so
one pass over both, in step, finds every difference while holding only the differences.
The walk gives up (`NoDelta`) as soon as more lines differ than the caller's limit (a full
load is then cheaper) or when a file turns out not to be sorted that way (a build written
before graph.nq was sorted): the caller then loads the store in full.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

_BUFFER = 2**20


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


def diff_sorted(old: Path, new: Path, limit: int) -> Delta:
    """The lines only in `old` and only in `new` (two sorted files, each line once).

    Raises NoDelta when more than `limit` lines differ, or when a file is not sorted."""
    delta = Delta()
    with open(old, "rb", buffering=_BUFFER) as old_file, open(new, "rb", buffering=_BUFFER) as new_file:
        olds, news = _sorted_lines(old_file, old), _sorted_lines(new_file, new)
        a, b = next(olds, None), next(news, None)
        while a is not None and b is not None:
            if a == b:
                delta.new_lines += 1
                a, b = next(olds, None), next(news, None)
                continue
            if a < b:
                delta.removed.append(a)
                a = next(olds, None)
            else:
                delta.added.append(b)
                delta.new_lines += 1
                b = next(news, None)
            if len(delta) > limit:
                raise NoDelta(f"more than {limit} lines differ")
        while a is not None:
            delta.removed.append(a)
            a = next(olds, None)
            if len(delta) > limit:
                raise NoDelta(f"more than {limit} lines differ")
        while b is not None:
            delta.added.append(b)
            delta.new_lines += 1
            b = next(news, None)
            if len(delta) > limit:
                raise NoDelta(f"more than {limit} lines differ")
    return delta


def _sorted_lines(lines: Iterable[bytes], path: Path) -> Iterator[bytes]:
    """The lines of a file, checked to be in increasing order (sorted, each once)."""
    previous = b""
    for number, line in enumerate(lines, 1):
        if not line.endswith(b"\n"):
            line += b"\n"
        if line <= previous:
            raise NoDelta(f"{path} is not sorted (line {number})")
        previous = line
        yield line
