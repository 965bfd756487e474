"""Sorting N-Quads lines in bounded memory, so that each graph part is the same file every build.

Documents stream through the build and their quads arrive in chunks; sorting the
whole file at the end would hold it all in memory. `SortedLines` keeps at most about
`memory` bytes of lines, spills each full buffer as a sorted run beside the output,
and merges the runs (heapq.merge) into the output at `close`. Duplicate lines are
written once. Lines compare as UTF-8 bytes (code-point order), like `LC_ALL=C sort`.
"""

from __future__ import annotations

import heapq
import shutil
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import BinaryIO

# What one buffered line costs beyond its bytes (the bytes object and the list slot).
_LINE_OVERHEAD = 41
DEFAULT_MEMORY = 64 * 2**20


class SortedLines:
    """Collects newline-terminated lines and writes them to `path` sorted, each line once."""

    def __init__(self, path: Path, memory: int = DEFAULT_MEMORY) -> None:
        self.path = path
        self.memory = memory
        self.runs_folder = path.with_name(path.name + ".runs")
        self.runs: list[Path] = []
        self.buffer: list[bytes] = []
        self.size = 0
        self.lines = 0  # distinct lines written, known after close

    def write(self, data: bytes) -> None:
        """Add lines (a chunk of N-Quads: whole lines, each ending with a newline)."""
        if not data:
            return
        lines = data.splitlines(keepends=True)
        if not lines[-1].endswith(b"\n"):
            lines[-1] += b"\n"
        self.buffer.extend(lines)
        self.size += len(data) + _LINE_OVERHEAD * len(lines)
        if self.size >= self.memory:
            self._spill()

    def _spill(self) -> None:
        self.runs_folder.mkdir(exist_ok=True)
        run = self.runs_folder / f"{len(self.runs):05d}.nq"
        self.buffer.sort()
        with open(run, "wb") as out:
            out.writelines(_unique(self.buffer))
        self.runs.append(run)
        self.buffer, self.size = [], 0

    def close(self) -> int:
        """Write the sorted lines to `path`; returns how many distinct lines it holds."""
        with open(self.path, "wb") as out:
            if not self.runs:
                self.buffer.sort()
                self.lines = _write(out, _unique(self.buffer))
            else:
                if self.buffer:
                    self._spill()
                with ExitStack() as files:
                    runs = [files.enter_context(open(run, "rb", buffering=2**20)) for run in self.runs]
                    self.lines = _write(out, _unique(heapq.merge(*runs)))
                shutil.rmtree(self.runs_folder, ignore_errors=True)
        self.buffer, self.size, self.runs = [], 0, []
        return self.lines


def _unique(lines: Iterable[bytes]) -> Iterator[bytes]:
    """Sorted lines without repeats."""
    previous = None
    for line in lines:
        if line != previous:
            yield line
            previous = line


def _write(out: BinaryIO, lines: Iterable[bytes]) -> int:
    count = 0
    batch: list[bytes] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= 65536:
            out.writelines(batch)
            count += len(batch)
            batch = []
    out.writelines(batch)
    return count + len(batch)
