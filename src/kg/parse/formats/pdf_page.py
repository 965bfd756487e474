"""A PDF page's characters -> its lines of text, the text of each table cell, and the page's
blocks (table rows and paragraphs) in reading order. Independent of the PDF library.

Characters are grouped into printed lines by height and read left to right, with a space
where the text has one or where a gap as wide as one separates two words (Latin text); a
cell's lines are joined as its text was before the cell wrapped it (`join_wrapped`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from kg.parse.formats.pdf_grid import Ruling, find_tables
from kg.parse.layout import Block, join_wrapped

SPACE = 0.2  # a gap wider than this share of the font size between two characters is a space
_LETTER = re.compile(r"[A-Za-z]$")


class Char(NamedTuple):
    """A printed character: from x0 to x1 its advance, from top to bottom the body of its line
    (0.8 of its size above its baseline, 0.2 below), in points from the page's top left."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float


def text_lines(chars: Iterable[Char]) -> list[list[Char]]:
    """Characters grouped into printed lines (a character's middle within half the line's
    height of the line's first), top to bottom, each left to right."""
    lines: list[list[Char]] = []
    middle = height = 0.0
    for char in sorted(chars, key=lambda c: (c.top + c.bottom, c.x0)):
        here = (char.top + char.bottom) / 2
        if lines and abs(here - middle) <= max(height, char.bottom - char.top) / 2:
            lines[-1].append(char)
        else:
            lines.append([char])
            middle, height = here, char.bottom - char.top
    for line in lines:
        line.sort(key=lambda c: c.x0)
    return lines


def line_text(line: Sequence[Char]) -> str:
    """A line's characters as text: a space where the text has one or the gap is wider than
    SPACE of the font size (Latin words), none otherwise (Chinese); a character drawn twice
    over itself (fake bold) once."""
    text: list[str] = []
    previous: Char | None = None
    for char in line:
        if char.text.isspace():
            if text and text[-1] != " ":
                text.append(" ")
            continue
        if previous is not None:
            if char.text == previous.text and char.x0 - previous.x0 < 0.2 * char.size:
                continue
            gap = char.x0 - previous.x1
            if gap > SPACE * min(char.size, previous.size) and text[-1] != " ":
                text.append(" ")
        text.append(char.text)
        previous = char
    return "".join(text).lstrip()  # a space that ends the line is kept: the wrap took it (join_wrapped)


def cell_lines(chars: Iterable[Char]) -> list[str]:
    """A cell's printed lines, top to bottom."""
    return [text for line in text_lines(chars) if (text := line_text(line))]


def keeps_wrapped_spaces(layouts: Iterable[PageLayout]) -> bool:
    """Whether the PDF keeps the space a line wraps at (a cell's line other than its last ends
    in one), as LibreOffice does: then a wrap between two letters is inside a word."""
    return any(
        line.endswith(" ")
        for layout in layouts
        for _, rows in layout.tables
        for row in rows
        for cell in row
        for line in cell[:-1]
    )


def cell_text(lines: list[str], inside_words: bool = False) -> str:
    """A cell's text: its printed lines joined as the text was before the cell wrapped it
    (`join_wrapped`: "\\n" before a line that starts an item, a space between Latin words);
    with `inside_words`, a line that ends in a letter and one that starts in a lower-case
    letter are one word ("respo", "nse")."""
    words: list[str] = []
    for line in lines:
        if inside_words and words and _LETTER.search(words[-1]) and line[:1].isascii() and line[:1].islower():
            words[-1] += line
        else:
            words.append(line)
    return join_wrapped(words)


# --- a page -> blocks in reading order ---------------------------------------------------------


@dataclass
class Line:
    """A line of text outside the tables, where it is printed."""

    text: str
    x0: float
    top: float
    bottom: float


@dataclass
class PageLayout:
    """A page's tables (rows of cell texts) and text lines, each at the top it is printed at."""

    tables: list[tuple[float, list[list[list[str]]]]]  # rows of cells, each its printed lines
    lines: list[Line]

    def blocks(
        self, page: int, indents: dict[float, float], dropped: set[int], inside_words: bool
    ) -> list[Block]:
        """The page's blocks top to bottom: a table's rows then its end, a line's paragraph;
        `indents` maps a line's left to its indent, and `dropped` lines (by index) are left out."""
        items: list[tuple[float, int, list[Block]]] = []
        for top, rows in self.tables:
            table = [Block([cell_text(cell, inside_words) for cell in row], page=page) for row in rows]
            items.append((top, 0, [*table, Block([], page=page)]))
        for index, line in enumerate(self.lines):
            if index not in dropped:
                block = Block([line.text], page=page, table=False, indent=indents[line.x0])
                items.append((line.top, 1, [block]))
        items.sort(key=lambda item: (item[0], item[1]))
        return [block for _, _, blocks in items for block in blocks]


def page_layout(chars: Sequence[Char], rulings: Iterable[Ruling]) -> PageLayout:
    """A page's tables and the lines of text outside them."""
    tables = find_tables(rulings)
    in_cell: list[list[list[Char]]] = [[[] for _ in table.cells] for table in tables]
    outside: list[Char] = []
    for char in chars:
        x, y = (char.x0 + char.x1) / 2, (char.top + char.bottom) / 2
        for t, table in enumerate(tables):
            cell = table.cell_of(x, y)
            if cell is not None:
                in_cell[t][cell].append(char)
                break
        else:
            outside.append(char)
    ruled = [
        (table.top, rows)
        for table, cells in zip(tables, in_cell, strict=True)
        if (rows := table.rows([cell_lines(c) for c in cells]))
    ]
    lines = []
    for line in text_lines(outside):
        text = line_text(line)
        if text:
            left = next(c.x0 for c in line if not c.text.isspace())
            lines.append(Line(text.rstrip(), left, min(c.top for c in line), max(c.bottom for c in line)))
    return PageLayout(ruled, lines)


def snapped_indents(lefts: Iterable[float]) -> dict[float, float]:
    """Each line's left (points) -> its indent: lefts within a point of each other are one
    indent (the leftmost), rounded to 0.1 pt."""
    indents: dict[float, float] = {}
    start = previous = None
    for left in sorted(set(lefts)):
        if start is None or previous is None or left - previous > 1.0:
            start = left
        indents[left] = round(start, 1)
        previous = left
    return indents
