"""HTML pages (iCAP's own, or a document saved as HTML) read into the shared table model.

Parsed with the standard library's tolerant `HTMLParser`: unclosed `<p>`, `<li>`, `<td>`
and `<tr>` are closed where a browser closes them. Inline tags vanish, block tags break
lines, entities are decoded (`&nbsp;` is a space), scripts and styles are left out.
Table cells go on the grid by `rowspan`/`colspan`. A table any of whose cells holds a table
is a layout table (a page laid out in one, as ASP.NET-era sites do): it gives no rows of its
own, and its cells' paragraphs and tables are read, in order, as if they stood outside it. A
paragraph's indent is its list nesting, `blockquote`s, and the `margin-left` and
`padding-left` of inline styles around it.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from kg.errors import ParseError
from kg.parse.formats.shared import (
    LIST_STEP,
    MAX_SPAN,
    Grid,
    TooLarge,
    join_lines,
    plain,
    points,
    whole_number,
)
from kg.parse.layout import Block, Layout, list_item
from kg.parse.text import decode_source

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "wbr"}
_HIDDEN = {"script", "style", "template", "title", "noscript", "svg", "math"}
_LISTS = {"ul", "ol", "menu", "dir"}
_CELLS = {"td", "th", "tr", "tbody", "thead", "tfoot", "caption"}
_BLOCKS = _LISTS | _CELLS | {
    "address", "article", "aside", "blockquote", "body", "center", "dd", "details", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
    "html", "legend", "li", "main", "nav", "p", "pre", "section", "summary", "table",
}  # fmt: skip
_CLOSES_P = _BLOCKS - _CELLS - {"body", "html", "li", "dd", "dt"}  # a block that starts ends a <p>
# An implied end: a start tag closes the open element named, not looking past the boundaries.
_IMPLIED: dict[str, tuple[set[str], set[str]]] = {
    "li": ({"li"}, _LISTS | {"table", "td", "th"}),
    "tr": ({"tr"}, {"table"}),
    "p": ({"p"}, {"table", "td", "th", "li", "button"}),
    **dict.fromkeys(("dt", "dd"), ({"dt", "dd"}, {"dl", "table", "td", "th"})),
    **dict.fromkeys(("td", "th"), ({"td", "th"}, {"table", "tr"})),
    **dict.fromkeys(("thead", "tbody", "tfoot"), ({"thead", "tbody", "tfoot", "tr"}, {"table"})),
}
_INDENTED = 30.0  # a blockquote's or dd's indent (a browser's 40px)
_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]+)", re.IGNORECASE)
_ALIASES = {"big5": "cp950", "x-big5": "cp950", "gb2312": "gbk", "iso-8859-1": "cp1252", "us-ascii": "cp1252"}
_SPACES = re.compile(r"[ \t\n\r\f\xa0]+")
_BOX = re.compile(r"(?<![\w-])(?:margin|padding)(-left)?\s*:\s*([^;]+)", re.IGNORECASE)


def read(data: bytes, source: str) -> Layout:
    """An HTML page's tables and paragraphs, in document order."""
    parser = _Parser()
    try:
        parser.feed(_decode(data, source))
        parser.close()
        blocks = parser.finish()
    except TooLarge:
        raise ParseError(source, TooLarge.message) from None
    return Layout.from_blocks(blocks, "html")


def _decode(data: bytes, source: str) -> str:
    """The page's text: by its byte-order mark, else its `<meta charset>`, else UTF-8 or Big5."""
    match = (
        None if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")) else _CHARSET.search(data[:4096])
    )
    if match:
        name = match.group(1).decode("ascii").lower()
        try:
            encoding = codecs.lookup(_ALIASES.get(name, name)).name
            if not encoding.startswith("utf-16"):  # a page that says UTF-16 but has no mark is 8-bit
                return data.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong declaration: tell by the bytes
    return decode_source(data, source)


class _Flow:
    """Text being gathered into paragraphs, each a block (the page's, or a cell's)."""

    def __init__(self, blocks: list[Block]) -> None:
        self.blocks = blocks  # the paragraphs, and the tables read between them
        self.lines: list[str] = []
        self.words: list[str] = []
        self.indent = 0.0  # the indent where the paragraph's text began
        self.started = False  # the paragraph has text
        self.marker: tuple[int | None] | None = None  # a list item's number (None: a bullet), to come

    def add(self, text: str, indent: float) -> None:
        if not self.started and text.strip():
            self.indent, self.started = indent, True
        self.words.append(text)

    def line_break(self) -> None:
        self.lines.append(_SPACES.sub(" ", "".join(self.words)).strip())
        self.words = []

    def end_paragraph(self) -> None:
        self.line_break()
        text = plain(join_lines(self.lines))
        self.lines, self.started = [], False
        if text:
            if self.marker is not None:
                text, self.marker = list_item(text, self.marker[0]), None
            self.blocks.append(Block([text], table=False, indent=self.indent))


@dataclass
class _Table:
    """A table being read. Whether it is a data table or a layout table is known at its end,
    so its cells are kept both ways: on its grid, and as their blocks in document order."""

    outer: _Flow  # where text outside the cells goes, and the table's blocks at its end
    grid: Grid = field(default_factory=Grid)
    row_open: bool = False
    cell: _Flow | None = None
    spans: tuple[int, int] = (1, 1)
    content: list[Block] = field(default_factory=list)  # its cells' blocks, cell after cell
    layout: bool = False  # a cell of it holds a table

    def end_cell(self, cell: _Flow) -> None:
        paragraphs = (block.cells[0] for block in cell.blocks if not block.table)
        self.grid.add(join_lines(paragraphs), *self.spans)  # a data table's cells hold only paragraphs
        self.content.extend(cell.blocks)

    def blocks(self) -> list[Block]:
        """A data table's rows and end; a layout table's content, as if it stood outside it."""
        return self.content if self.layout else self.grid.blocks()


@dataclass
class _Open:
    tag: str
    indent: float = 0.0
    ordered: bool = False  # a list's: numbered
    next: int = 1  # an ordered list's: its next item's number


class _Parser(HTMLParser):
    """Parser events as blocks: a stack of the open elements (closed where a browser closes
    them), the flow text goes to (the page's, or a cell's), and the tables being read."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.flow = _Flow(self.blocks)
        self.open: list[_Open] = []
        self.tables: list[_Table] = []
        self.hidden = 0
        self.pre = 0

    def finish(self) -> list[Block]:
        while self.open:
            self._close()
        self.flow.end_paragraph()
        return self.blocks

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag in _IMPLIED:
            closes, boundaries = _IMPLIED[tag]
            self._close_to(closes, boundaries)
        if tag in _CLOSES_P:
            self._close_to(*_IMPLIED["p"])
        if tag == "br":
            self.flow.line_break()
        elif tag in _BLOCKS:
            self.flow.end_paragraph()
        if tag in _VOID:
            return
        entry = _Open(tag, _indent(tag, attributes.get("style", "")))
        self.open.append(entry)
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag == "pre":
            self.pre += 1
        elif tag in _LISTS:
            entry.ordered, entry.next = tag == "ol", whole_number(attributes.get("start"), 1)
        elif tag == "li":
            self._item(attributes)
        elif tag == "table":
            self.tables.append(_Table(self.flow))
        elif tag in ("tr", "td", "th") and self.tables:
            self._row_or_cell(tag, attributes)

    def _item(self, attributes: dict[str, str]) -> None:
        owner = next((e for e in reversed(self.open) if e.tag in _LISTS), None)
        number = None
        if owner is not None and owner.ordered:
            number = whole_number(attributes.get("value"), owner.next)
            owner.next = number + 1
        self.flow.marker = (number,)

    def _row_or_cell(self, tag: str, attributes: dict[str, str]) -> None:
        table = self.tables[-1]
        if tag == "tr" or not table.row_open:
            table.grid.start_row()
            table.row_open = True
        if tag in ("td", "th"):
            table.cell = _Flow([])
            rowspan = whole_number(attributes.get("rowspan"), 1) or MAX_SPAN  # 0: to the table's end
            table.spans = (rowspan, whole_number(attributes.get("colspan"), 1))
            self.flow = table.cell

    def handle_endtag(self, tag: str) -> None:
        boundaries = {"table"} if tag not in ("table", "body", "html") else set()
        if tag == "br":  # </br> is read as <br> by browsers
            self.flow.line_break()
        elif tag == "p" and not self._close_to({"p"}, boundaries):
            self.flow.end_paragraph()
        else:
            self._close_to({tag}, boundaries)

    def _close_to(self, tags: set[str], boundaries: set[str]) -> bool:
        """Close the innermost open element named in `tags` (and all inside it), unless a
        boundary (the table or list it would cross) is open inside it."""
        for depth in range(len(self.open) - 1, -1, -1):
            if self.open[depth].tag in tags:
                while len(self.open) > depth:
                    self._close()
                return True
            if self.open[depth].tag in boundaries:
                return False
        return False

    def _close(self) -> None:
        entry = self.open.pop()
        tag = entry.tag
        if tag in _HIDDEN:
            self.hidden -= 1
        elif tag == "pre":
            self.pre -= 1
        if tag in _BLOCKS:
            self.flow.end_paragraph()
        if tag == "li" or tag in _LISTS:
            self.flow.marker = None  # an item without text marks nothing after it
        if not self.tables:
            return
        table = self.tables[-1]
        if tag in ("td", "th") and table.cell is not None:
            table.end_cell(table.cell)
            table.cell = None
            self.flow = table.outer
        elif tag == "tr":
            table.row_open = False
        elif tag == "table":
            self.tables.pop()
            self.flow = table.outer
            if self.tables and self.tables[-1].cell is table.outer:
                self.tables[-1].layout = True  # the table holding this one is a layout table
            table.outer.blocks.extend(table.blocks())

    def handle_data(self, data: str) -> None:
        if self.hidden:
            return
        indent = sum(entry.indent for entry in self.open)
        if self.pre:
            lines = data.split("\n")
            for number, line in enumerate(lines):
                self.flow.add(line, indent)
                if number < len(lines) - 1:
                    self.flow.line_break()
        else:
            self.flow.add(data, indent)


def _indent(tag: str, style: str) -> float:
    """What an element adds to the indent of the text inside it, in points: a list level, a
    blockquote, and its inline style's left margin and padding (`margin-left`, `margin: 0 2em`)."""
    indent = LIST_STEP if tag in _LISTS else _INDENTED if tag in ("blockquote", "dd") else 0.0
    for side, value in _BOX.findall(style):
        values = value.replace("!important", "").split()
        if values:
            left = values[0] if side else values[{1: 0, 2: 1, 3: 1}.get(len(values), 3)]
            indent += points(left) or 0.0
    return indent
