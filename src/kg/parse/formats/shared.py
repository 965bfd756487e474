"""What the ODT, DOCX and HTML readers share: a table's grid (where spanning cells go), list
numbering, lengths in points, and reading a zip package's XML without trusting it.

Written once so that the three formats give the same rows for the same table: a cell that
spans rows or columns has its text in its first row and column and "" where it reaches
(as a text source has), and every row has one cell per grid column.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from xml.etree import ElementTree

from kg.errors import ParseError
from kg.parse.layout import Block

# A member of a document's zip larger than this, uncompressed, is refused: a document's XML
# is a few megabytes, and a "zip bomb" would otherwise fill memory.
MAX_MEMBER = 50 * 1024 * 1024
# Points one list level indents by: only the ranking of indents matters (Layout.from_blocks).
LIST_STEP = 18.0
# A span or repeat count beyond this is damage, not a table (HTML caps colspan at 1000 too).
MAX_SPAN = 1000
# A table with more cells than this (spans and repeats counted) is damage or a "table bomb".
MAX_CELLS = 1_000_000

_UNITS = {"pt": 1.0, "in": 72.0, "cm": 72 / 2.54, "mm": 72 / 25.4, "pc": 12.0, "px": 0.75, "em": 12.0}
_UNITS["rem"] = _UNITS["em"]
_LENGTH = re.compile(r"^\s*([+-]?(?:\d+\.?\d*|\.\d+))\s*([a-z]*)\s*$", re.IGNORECASE)


class TooLarge(Exception):
    """A table larger than any document's (MAX_CELLS): each reader turns it into a ParseError."""

    message = f"has a table of more than {MAX_CELLS:,} cells, more than any document's"


class Grid:
    """A table's cells placed on its grid, row by row, left to right (as HTML places them):
    a cell skips the columns that a cell above still covers, and covers its own span."""

    def __init__(self) -> None:
        self.rows: list[list[str]] = []
        self.cells = 0
        self._below: dict[int, int] = {}  # column -> rows below the current one it is covered in
        self._covered: set[int] = set()  # the current row's columns covered from above

    def start_row(self) -> None:
        self._covered = set(self._below)
        self._below = {column: rows - 1 for column, rows in self._below.items() if rows > 1}
        self.rows.append([])

    def add(self, text: str, rowspan: int = 1, colspan: int = 1) -> None:
        """A cell in the next free column of the current row (a row is started if none is)."""
        if not self.rows:
            self.start_row()
        row = self.rows[-1]
        while len(row) in self._covered:
            row.append("")
        start = len(row)
        colspan = max(1, min(colspan, MAX_SPAN))
        self.cells += colspan
        if self.cells > MAX_CELLS:
            raise TooLarge
        row.extend([text] + [""] * (colspan - 1))
        if rowspan > 1:
            for column in range(start, start + colspan):
                self._below[column] = min(rowspan, MAX_SPAN) - 1

    def blocks(self) -> list[Block]:
        """The rows, each as wide as the widest, and the empty block that ends a table."""
        if not self.rows:
            return []
        width = max(len(row) for row in self.rows)
        if width * len(self.rows) > MAX_CELLS:
            raise TooLarge
        rows = [Block(row + [""] * (width - len(row))) for row in self.rows]
        return [*rows, Block([])]

    def text(self) -> str:
        """A nested table's text, to go into the cell that holds it: its cells, one a line."""
        return join_lines(cell for row in self.rows for cell in row)


@dataclass
class Paragraph:
    """A paragraph as a reader finds it: its text, left indent (points) and list depth."""

    text: str
    indent: float = 0.0
    depth: int = 0  # list nesting: 0 outside lists


def document_blocks(parts: Iterable[Paragraph | Grid], source: str, label: str) -> list[Block]:
    """The blocks of a document's paragraphs (empty ones left out) and tables, in order; a
    ParseError for XML nested too deeply for the readers, which walk it recursively."""
    blocks: list[Block] = []
    try:
        for part in parts:
            if isinstance(part, Grid):
                blocks.extend(part.blocks())
            elif part.text.strip():
                blocks.append(Block([part.text], table=False, indent=part.indent))
    except RecursionError:
        raise damaged(source, label, "its XML nests deeper than any document's") from None
    except TooLarge:
        raise ParseError(source, TooLarge.message) from None
    return blocks


def cell_text(parts: Iterable[Paragraph | Grid]) -> str:
    """A cell's text: its paragraphs' lines, and the text of the tables inside it."""
    return join_lines(part.text() if isinstance(part, Grid) else part.text for part in parts)


def join_lines(parts: Iterable[str]) -> str:
    """Texts as the lines of one cell or paragraph ("\\n" between), empty ones left out."""
    return "\n".join(part for part in parts if part.strip())


def plain(text: str) -> str:
    """A text as the parsers want it: no-break spaces as spaces, lines without edge blanks."""
    return "\n".join(line.strip() for line in text.replace("\xa0", " ").split("\n"))


def points(length: str | None) -> float | None:
    """A length (`0.5in`, `1.27cm`, `12pt`, `2em`, `16px`; a bare number is pixels) in points;
    None for none, a percentage, `auto` or anything unreadable."""
    match = _LENGTH.match(length or "")
    if not match:
        return None
    unit = match.group(2).lower() or "px"
    return float(match.group(1)) * _UNITS[unit] if unit in _UNITS else None


def whole_number(value: str | None, default: int) -> int:
    """An attribute's whole number (a span, a start value), or the default when it is none."""
    try:
        return int((value or "").strip())
    except ValueError:
        return default


def count(value: str | None) -> int:
    """A repeat count or span attribute: 1 when it is none, at most MAX_SPAN."""
    return max(1, min(whole_number(value, 1), MAX_SPAN))


class ListNumbers:
    """The numbers of numbered list items: counted per list and level, a level starting
    again after an item of a higher level (as word processors and browsers number them)."""

    def __init__(self) -> None:
        self._next: dict[tuple[str, int], int] = {}

    def number(self, key: str, level: int, start: int = 1, value: int | None = None) -> int:
        number = value if value is not None else self._next.get((key, level), start)
        self._next[(key, level)] = number + 1
        for deeper in [k for k in self._next if k[0] == key and k[1] > level]:
            del self._next[deeper]
        return number

    def restart(self, key: str) -> None:
        for counted in [k for k in self._next if k[0] == key]:
            del self._next[counted]


# --- zip packages (ODT, DOCX) ------------------------------------------------------------

# What reading a damaged zip raises: a bad name (ValueError), an unknown zip version
# (NotImplementedError), bad compressed data (zlib.error), encryption (RuntimeError) ...
ZIP_ERRORS: tuple[type[Exception], ...] = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError)
ZIP_ERRORS += (KeyError, ValueError, NotImplementedError, zlib.error, RuntimeError)


def read_start(archive: zipfile.ZipFile, name: str, size: int) -> bytes:
    """A member's first `size` bytes, however large the zip's directory or the member says it is."""
    with archive.open(name) as member:
        return member.read(size)


def damaged(source: str, label: str, why: str) -> ParseError:
    return ParseError(source, f"is a damaged or truncated {label} file ({why})")


def open_package(data: bytes, source: str, label: str) -> zipfile.ZipFile:
    """The document's zip archive; a ParseError when it is none (truncated, damaged)."""
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        OSError,
        EOFError,
        ValueError,
        NotImplementedError,
    ) as exc:
        raise damaged(source, label, f"not a readable zip archive: {exc}") from None


def read_xml(
    archive: zipfile.ZipFile, name: str, source: str, label: str, required: bool = True
) -> ElementTree.Element | None:
    """A member's parsed XML (None when an optional member is missing). Refused: a member
    too large to be a document's, and XML with a DOCTYPE (entity definitions could expand
    to gigabytes; no ODT or DOCX has one)."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        if required:
            raise damaged(source, label, f"it has no {name}") from None
        return None
    too_large = ParseError(
        source, f"{name} is larger than {MAX_MEMBER // 2**20} MB uncompressed: no document is, refused"
    )
    if info.file_size > MAX_MEMBER:
        raise too_large
    try:
        with archive.open(info) as member:
            data = member.read(MAX_MEMBER + 1)
    except (
        zipfile.BadZipFile,
        OSError,
        EOFError,
        ValueError,
        zlib.error,
        RuntimeError,
        NotImplementedError,
    ) as exc:
        raise damaged(source, label, f"{name} cannot be unpacked: {exc}") from None
    if len(data) > MAX_MEMBER:
        raise too_large
    if b"<!DOCTYPE" in data or "<!DOCTYPE".encode("utf-16-le") in data:
        raise ParseError(source, f"{name} holds an XML DOCTYPE, which a document never has")
    try:
        return ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise damaged(source, label, f"{name} is not well-formed XML: {exc}") from None
