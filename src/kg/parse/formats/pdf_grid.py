"""Ruling lines -> the tables they draw: a grid of rows and columns, and its cells with their spans.

A table is a set of crossing horizontal and vertical rulings; its column boundaries are
where its vertical rulings stand, its row boundaries where its horizontal ones do. Two
neighbouring places of the grid with no ruling between them are one cell, spanning both:
its text goes in its first row and column, and "" where it reaches (as every reader of
`kg.parse.formats` gives a spanning cell). Independent of the PDF library.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

SNAP = 2.0  # rulings this close (points) are one; LibreOffice draws a border and a fill 0.25 pt apart
COVERED = 0.5  # a ruling along at least this share of a cell's side separates it from its neighbour
THIN = 4.0  # an empty grid row or column narrower than this is a double border's gap, not a row


class Ruling(NamedTuple):
    """A drawn straight line: horizontal (at = y) or vertical (at = x), from start to end."""

    vertical: bool
    at: float
    start: float
    end: float


@dataclass
class Table:
    """A ruled grid: its column and row boundaries, and each cell as (row, column, last row, last column)."""

    xs: list[float]
    ys: list[float]
    cells: list[tuple[int, int, int, int]]
    _cell_at: dict[tuple[int, int], int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for index, (r0, c0, r1, c1) in enumerate(self.cells):
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    self._cell_at[r, c] = index

    @property
    def top(self) -> float:
        return self.ys[0]

    def cell_of(self, x: float, y: float) -> int | None:
        """The cell a point falls in, or None outside the table."""
        if not (self.xs[0] <= x <= self.xs[-1] and self.ys[0] <= y <= self.ys[-1]):
            return None
        column = min(max(bisect.bisect_right(self.xs, x) - 1, 0), len(self.xs) - 2)
        row = min(max(bisect.bisect_right(self.ys, y) - 1, 0), len(self.ys) - 2)
        return self._cell_at[row, column]

    def rows(self, texts: Sequence[list[str]]) -> list[list[list[str]]]:
        """The grid's rows of cells (each its lines of text), no lines under a spanning cell;
        empty rows and columns as thin as a double border's gap are left out."""
        grid: list[list[list[str]]] = [[[] for _ in self.xs[1:]] for _ in self.ys[1:]]
        starts_row: set[int] = set()
        starts_column: set[int] = set()
        for (r0, c0, _, _), text in zip(self.cells, texts, strict=True):
            grid[r0][c0] = text
            if text or self.ys[r0 + 1] - self.ys[r0] >= THIN:
                starts_row.add(r0)
            if text or self.xs[c0 + 1] - self.xs[c0] >= THIN:
                starts_column.add(c0)
        columns = sorted(starts_column)
        return [[grid[r][c] for c in columns] for r in sorted(starts_row)]


def _merged(rulings: Iterable[Ruling]) -> list[Ruling]:
    """Collinear rulings (within SNAP) that touch or overlap, as one."""
    merged: list[Ruling] = []
    for ruling in sorted(rulings, key=lambda r: (r.vertical, r.at, r.start)):
        for index in range(len(merged) - 1, -1, -1):
            last = merged[index]
            if last.vertical != ruling.vertical or ruling.at - last.at > SNAP:
                merged.append(ruling)
                break
            if ruling.start <= last.end + SNAP:
                merged[index] = Ruling(last.vertical, last.at, last.start, max(last.end, ruling.end))
                break
        else:
            merged.append(ruling)
    return merged


def _crosses(h: Ruling, v: Ruling) -> bool:
    return h.start - SNAP <= v.at <= h.end + SNAP and v.start - SNAP <= h.at <= v.end + SNAP


def _positions(values: Iterable[float]) -> list[float]:
    """Distinct positions: values within SNAP of the previous one are the same."""
    positions: list[float] = []
    for value in sorted(values):
        if not positions or value - positions[-1] > SNAP:
            positions.append(value)
    return positions


def _coverage(rulings: list[Ruling], at: float, start: float, end: float) -> float:
    """The share of [start, end] that rulings at `at` (within SNAP) cover."""
    covered = 0.0
    for ruling in rulings:
        if abs(ruling.at - at) <= SNAP:
            covered += max(0.0, min(end, ruling.end) - max(start, ruling.start))
    return covered / (end - start) if end > start else 1.0


def find_tables(rulings: Iterable[Ruling]) -> list[Table]:
    """The tables the rulings draw: each set of crossing horizontal and vertical rulings that
    makes a grid of more than one cell (a lone box is a frame, not a table)."""
    lines = _merged(rulings)
    horizontal = [r for r in lines if not r.vertical]
    vertical = [r for r in lines if r.vertical]
    parent = list(range(len(lines)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    offset = len(horizontal)
    for i, h in enumerate(horizontal):
        for j, v in enumerate(vertical):
            if _crosses(h, v):
                parent[root(i)] = root(offset + j)
    groups: dict[int, list[Ruling]] = {}
    for i, ruling in enumerate(horizontal + vertical):
        groups.setdefault(root(i), []).append(ruling)
    tables = [table for group in groups.values() if (table := _grid(group)) is not None]
    return sorted(tables, key=lambda t: (t.top, t.xs[0]))


def _grid(group: list[Ruling]) -> Table | None:
    horizontal = [r for r in group if not r.vertical]
    vertical = [r for r in group if r.vertical]
    if not horizontal or not vertical:
        return None
    # The table's outer edges count even where a side is not drawn (a table open at its sides).
    xs = _positions(
        [r.at for r in vertical] + [min(r.start for r in horizontal), max(r.end for r in horizontal)]
    )
    ys = _positions(
        [r.at for r in horizontal] + [min(r.start for r in vertical), max(r.end for r in vertical)]
    )
    if len(xs) < 2 or len(ys) < 2 or (len(xs) == 2 and len(ys) == 2):
        return None
    rows, columns = len(ys) - 1, len(xs) - 1
    parent = list(range(rows * columns))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for r in range(rows):
        for c in range(columns):
            here = r * columns + c
            if c + 1 < columns and _coverage(vertical, xs[c + 1], ys[r], ys[r + 1]) < COVERED:
                parent[root(here)] = root(here + 1)
            if r + 1 < rows and _coverage(horizontal, ys[r + 1], xs[c], xs[c + 1]) < COVERED:
                parent[root(here)] = root(here + columns)
    places: dict[int, list[tuple[int, int]]] = {}
    for i in range(rows * columns):
        places.setdefault(root(i), []).append(divmod(i, columns))
    cells = []
    for merged in places.values():
        r0, c0 = min(r for r, _ in merged), min(c for _, c in merged)
        r1, c1 = max(r for r, _ in merged), max(c for _, c in merged)
        if len(merged) == (r1 - r0 + 1) * (c1 - c0 + 1):
            cells.append((r0, c0, r1, c1))
        else:  # not a rectangle (an L: a ruling missing): each place a cell of its own
            cells.extend((r, c, r, c) for r, c in merged)
    return Table(xs, ys, sorted(cells))
