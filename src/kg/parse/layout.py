"""The shared table model: what every input format is read into before the parsers run.

A format reader (text, PDF, ODT, DOCX, HTML: `kg.parse.formats`) turns a file into
`Block`s: the rows of its tables, each a list of cell texts, and the paragraphs outside
them, each with its page (PDF) and left indent. `Layout.from_blocks` writes them as the
lines the parsers read, the same tab-separated lines a text source has, so that every
rule of the parsers (repeated header rows, rows continued across a page, wrapped text,
misplaced codes, 【註N】 markers) is written once for every format. The page of each line
is kept beside it, and parsed items get the page their line is on.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from kg.parse.text import BULLETS, CJK_CHAR

# PDF text extraction yields Kangxi radicals (U+2F00–U+2FDF, ⾦) where the font mapped a
# unified ideograph (金) to them; their compatibility decomposition is that ideograph.
_KANGXI = re.compile("[\u2f00-\u2fdf]")


def _unified(match: re.Match[str]) -> str:
    return unicodedata.normalize("NFKC", match.group(0))


def normalise_code_points(text: str) -> str:
    """Kangxi radicals (⾦) as the unified ideographs they stand for (金); nothing else changes."""
    return _KANGXI.sub(_unified, text)


# A list item's own printed marker: a bullet, 1. / 1) / (1), or 一、.
_MARKED = re.compile(
    rf"^\s*(?:[{BULLETS}\-–—*]|\(?\d{{1,2}}\s*[.．)）、]|[（(]\d{{1,2}}[)）]|[一二三四五六七八九十]{{1,3}}、)"
)


def list_item(text: str, number: int | None = None) -> str:
    """The text of a list item (HTML `<li>`, an ODT or DOCX list paragraph) as printed:
    its marker is kept when the text prints one, else `N. ` (a numbered list) or `■ `."""
    if _MARKED.match(text):
        return text
    return f"{number}. {text}" if number is not None else f"■ {text}"


# What starts a new item on a new line: a list marker, a code (T1.1, P1.1.1, K01 …), 【註N】.
_STARTS_ITEM = re.compile(rf"{_MARKED.pattern}|^\s*(?:[TOPKSAE]\d+(?:\.\d+)*|【\s*註)")
_CJK = re.compile(CJK_CHAR)


def join_wrapped(lines: list[str]) -> str:
    """The printed lines of one cell or paragraph, wrapped by the page (PDF), as the text was.

    A line that starts an item (a bullet, a list number, a code, 【註N】) stays a line of
    its own ("\n"); any other line continues the one before: with nothing between them
    when either side is a CJK character (Chinese wraps anywhere), with one space between
    Latin words, or where the line ended in a space that the wrap kept.
    """
    text = ""
    for line in lines:
        if not line.strip():
            continue
        if not text:
            text = line.lstrip()
        elif _STARTS_ITEM.match(line):
            text = text.rstrip() + "\n" + line.lstrip()
        elif text[-1].isspace():
            text = text.rstrip() + " " + line.lstrip()
        else:
            line = line.lstrip()
            glue = "" if _CJK.match(text[-1]) or _CJK.match(line[0]) else " "
            text += glue + line
    return text.rstrip()


@dataclass
class Block:
    """One row of a table (its cells, left to right), or one paragraph outside any table.

    Cell texts are plain text, not markup; a line break inside a cell is "\\n". A cell
    covered by a spanning cell above or to its left is "" (the spanning cell's text sits
    in its first row and column, as in a text source). A block without cells ends a table
    (a blank line, as between the tables of a text source).
    """

    cells: list[str]
    page: int | None = None  # 1-based, in a paginated format (PDF)
    table: bool = True  # False: a paragraph (its one cell is its text)
    indent: float = 0.0  # a paragraph's left indent, in any unit consistent within a document


@dataclass
class Layout:
    """A document as the parsers read it: its lines, and the page each line is on."""

    lines: list[str]
    pages: list[int | None] = field(default_factory=list)  # per line; empty: an unpaginated format
    format: str = "text"

    def __post_init__(self) -> None:
        self.lines = [normalise_code_points(line) for line in self.lines]

    @classmethod
    def from_text(cls, text: str) -> Layout:
        """A text source: its lines as they are (their numbers are the file's)."""
        return cls(text.split("\n"))

    @classmethod
    def from_blocks(cls, blocks: Iterable[Block], format: str) -> Layout:
        """The lines of the blocks: a row's cells joined by tabs, a paragraph indented by its
        nesting, and a blank line where a page or a table ends (where a text source has one)."""
        blocks = list(blocks)
        levels = _indent_levels(b.indent for b in blocks if not b.table)
        lines: list[str] = []
        pages: list[int | None] = []
        previous: Block | None = None

        def emit(line: str, page: int | None) -> None:
            lines.append(line)
            pages.append(page)

        for block in blocks:
            if previous is not None and (previous.page != block.page or previous.table != block.table):
                emit("", block.page)  # a page break, or a table's end: a row continued after it
            if not block.cells:
                emit("", block.page)
            elif block.table:
                cells = [_cell_line(cell) for cell in block.cells]
                emit("\t".join(cells) if len(cells) > 1 else cells[0] + "\t", block.page)
            else:
                text = _cell_line("\n".join(block.cells))
                if text:
                    emit(" " * levels[round(block.indent, 1)] + text, block.page)
            previous = block
        paginated = any(page is not None for page in pages)
        return cls(lines, pages if paginated else [], format)

    def page_of(self, line: int) -> int | None:
        """The page of a 1-based line; None in an unpaginated format."""
        if not self.pages or not 1 <= line <= len(self.pages):
            return None
        return self.pages[line - 1]


# Word documents print bullets in a symbol font (Wingdings, Symbol), whose characters a PDF
# or DOCX gives as private-use code points (U+F09F, U+F06E ...): they are bullets.
_SYMBOL_FONT = re.compile("[\uf020-\uf0ff]")


def _cell_line(text: str) -> str:
    """A cell's text on one line: its lines joined by a space (the parsers drop the space
    between two CJK characters), escaped so that the parsers' markup stripping keeps it."""
    joined = " ".join(part.strip() for part in text.replace("\t", " ").split("\n") if part.strip())
    return html.escape(_SYMBOL_FONT.sub("●", joined), quote=False)


def _indent_levels(indents: Iterable[float]) -> dict[float, int]:
    """Each distinct indent's nesting level (0 for the leftmost): the spaces a text line has."""
    distinct = sorted({round(indent, 1) for indent in indents})
    return {indent: level for level, indent in enumerate(distinct)}
