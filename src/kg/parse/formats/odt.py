"""ODT (OpenDocument text, LibreOffice's format) read into the shared table model.

`content.xml`'s body is read in order: paragraphs and headings (`text:p`, `text:h`), lists,
tables and sections. A table row is a row of the grid as written: `table:covered-table-cell`
marks the positions a spanning cell covers, and is "". A paragraph's indent is its style's
`fo:margin-left` (resolved through the automatic and common styles, styles.xml too) plus
its list depth. Tracked changes (deleted text lives in `text:tracked-changes`), notes,
annotations, drawings, headers and footers (in styles.xml) are not the document's text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TypeGuard
from xml.etree.ElementTree import Element

from kg.parse.formats.shared import (
    LIST_STEP,
    Grid,
    ListNumbers,
    Paragraph,
    cell_text,
    count,
    document_blocks,
    open_package,
    plain,
    points,
    read_xml,
    whole_number,
)
from kg.parse.layout import Layout, list_item

_NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "fo": "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
    "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
}


def _q(name: str) -> str:
    """`text:p` as ElementTree spells it: `{urn:...:text:1.0}p`."""
    prefix, local = name.split(":")
    return f"{{{_NS[prefix]}}}{local}"


_P, _H, _LIST, _ITEM, _HEADER = (_q(f"text:{n}") for n in ("p", "h", "list", "list-item", "list-header"))
_TABLE, _ROW, _CELL, _COVERED = (
    _q(f"table:{n}") for n in ("table", "table-row", "table-cell", "covered-table-cell")
)
_STYLE_NAME = _q("text:style-name")
# Not the document's running text: declarations, change records, notes, frames, forms.
_SKIPPED = {
    _q(name)
    for name in (
        "text:tracked-changes", "text:sequence-decls", "text:variable-decls", "text:user-field-decls",
        "text:note", "office:annotation", "office:forms", "table:table-columns", "table:table-column",
        "table:table-header-columns", "table:table-column-group", "text:table-of-content-source",
        "text:soft-page-break", "text:bookmark", "text:bookmark-start", "text:bookmark-end",
        "text:change", "text:change-start", "text:change-end", "text:ruby-text", "office:annotation-end",
        "draw:frame",
    )
}  # fmt: skip
_SPACE_RUN = re.compile(r"[ \t\r\n]+")


class _Styles:
    """Paragraph styles' left margins and list styles' level kinds (bullet or number, start),
    from styles.xml's common styles and content.xml's automatic ones."""

    def __init__(self, *roots: Element | None) -> None:
        self.parent: dict[str, str] = {}
        self.margin: dict[str, float] = {}
        self.list_style: dict[str, str] = {}
        self.levels: dict[tuple[str, int], tuple[bool, int]] = {}  # (list style, level) -> numbered, start
        self.default_margin = 0.0
        for root in roots:  # the common styles first: content.xml's automatic styles win a clash
            if root is not None:
                self._load(root)

    def _load(self, root: Element) -> None:
        for style in root.iter(_q("style:style")):
            if style.get(_q("style:family")) != "paragraph":
                continue
            name = style.get(_q("style:name"), "")
            if parent := style.get(_q("style:parent-style-name")):
                self.parent[name] = parent
            if listed := style.get(_q("style:list-style-name")):
                self.list_style[name] = listed
            margin = _margin_of(style)
            if margin is not None:
                self.margin[name] = margin
        for default in root.iter(_q("style:default-style")):
            if default.get(_q("style:family")) == "paragraph":
                self.default_margin = _margin_of(default) or 0.0
        for list_style in root.iter(_q("text:list-style")):
            name = list_style.get(_q("style:name"), "")
            for level in list_style:
                numbered = level.tag == _q("text:list-level-style-number")
                start = whole_number(level.get(_q("text:start-value")), 1)
                self.levels[(name, whole_number(level.get(_q("text:level")), 1))] = (numbered, start)

    def _chain(self, name: str | None) -> Iterator[str]:
        seen: set[str] = set()
        while name and name not in seen:
            seen.add(name)
            yield name
            name = self.parent.get(name)

    def indent(self, name: str | None) -> float:
        return next((self.margin[n] for n in self._chain(name) if n in self.margin), self.default_margin)

    def list_of(self, name: str | None) -> str | None:
        return next((self.list_style[n] for n in self._chain(name) if n in self.list_style), None)


def _margin_of(style: Element) -> float | None:
    properties = style.find(_q("style:paragraph-properties"))
    return None if properties is None else points(properties.get(_q("fo:margin-left")))


def read(data: bytes, source: str) -> Layout:
    """An ODT file's tables and paragraphs, in body order."""
    with open_package(data, source, "ODT") as archive:
        content = read_xml(archive, "content.xml", source, "ODT")
        styles = read_xml(archive, "styles.xml", source, "ODT", required=False)
    assert content is not None
    body = content.find(f"{_q('office:body')}/{_q('office:text')}")
    common = None if styles is None else styles.find(_q("office:styles"))  # not its headers' styles
    reader = _Reader(_Styles(common, content.find(_q("office:automatic-styles"))))
    blocks = document_blocks(reader.content(body if body is not None else Element("none")), source, "ODT")
    return Layout.from_blocks(blocks, "odt")


class _Reader:
    """Walks the body: paragraphs with their list depth and markers, tables on their grids."""

    def __init__(self, styles: _Styles) -> None:
        self.styles = styles
        self.numbers = ListNumbers()

    def content(self, element: Element, depth: int = 0) -> Iterator[Paragraph | Grid]:
        """The paragraphs (lists' items marked) and tables inside an element, in order."""
        for child in element:
            yield from self.parts(child, depth)

    def parts(self, child: Element, depth: int) -> Iterator[Paragraph | Grid]:
        if child.tag in (_P, _H):
            indent = self.styles.indent(child.get(_STYLE_NAME)) + depth * LIST_STEP
            yield Paragraph(plain(_inline(child)), indent, depth)
        elif child.tag == _LIST:
            yield from self.list(child, depth + 1, None, "")
        elif child.tag == _TABLE:
            yield self.table(child)
        elif child.tag not in _SKIPPED:
            yield from self.content(child, depth)  # sections, index bodies, change spans

    def list(
        self, element: Element, level: int, inherited: str | None, key: str
    ) -> Iterator[Paragraph | Grid]:
        """A list's paragraphs: each item's first paragraph gets its marker (■, or its number)."""
        style = element.get(_STYLE_NAME) or inherited
        if level == 1:
            key = style or ""
            continued = element.get(_q("text:continue-numbering")) == "true"
            if not continued and not element.get(_q("text:continue-list")):
                self.numbers.restart(key)
        for item in element:
            if item.tag not in (_ITEM, _HEADER):
                continue
            marker = self.marker(item, style, level, key) if item.tag == _ITEM else None  # a header has none
            for child in item:
                nested = child.tag == _LIST
                for part in self.list(child, level + 1, style, key) if nested else self.parts(child, level):
                    if marker is not None and _text_at(part, level):
                        part.text, marker = list_item(part.text, marker[0]), None
                    yield part

    def marker(self, item: Element, style: str | None, level: int, key: str) -> tuple[int | None]:
        """A list item's number (None for a bullet), counted even when the item is empty (it
        prints its number)."""
        first = next((child for child in item if child.tag in (_P, _H)), None)
        list_style = style or self.styles.list_of(None if first is None else first.get(_STYLE_NAME)) or ""
        numbered, start = self.styles.levels.get((list_style, level), (False, 1))
        value = item.get(_q("text:start-value"))
        number = self.numbers.number(key, level, start, whole_number(value, start) if value else None)
        return (number if numbered else None,)

    def table(self, element: Element) -> Grid:
        """A table's rows, covered cells as "" (header rows and row groups are rows too)."""
        grid = Grid()
        for row in _rows(element):
            cells: list[str] = []
            for cell in row:
                if cell.tag not in (_CELL, _COVERED):
                    continue
                text = cell_text(self.content(cell)) if cell.tag == _CELL else ""
                cells.extend([text] * count(cell.get(_q("table:number-columns-repeated"))))
            for _ in range(count(row.get(_q("table:number-rows-repeated")))):
                grid.start_row()
                for text in cells:
                    grid.add(text)
        return grid


def _text_at(part: Paragraph | Grid, depth: int) -> TypeGuard[Paragraph]:
    """A paragraph with text at a list depth (not in a list nested deeper): where a marker goes."""
    return isinstance(part, Paragraph) and part.depth == depth and bool(part.text.strip())


def _inline(element: Element) -> str:
    """A paragraph's text: its white space collapsed (ODF's rule), `text:s` spaces, tabs a
    space, line breaks "\\n"; notes, annotations and frames left out."""
    parts = [_SPACE_RUN.sub(" ", element.text or "")]
    for child in element:
        if child.tag == _q("text:s"):
            parts.append(" " * count(child.get(_q("text:c"))))
        elif child.tag == _q("text:tab"):
            parts.append(" ")
        elif child.tag == _q("text:line-break"):
            parts.append("\n")
        elif child.tag not in _SKIPPED:
            parts.append(_inline(child))
        parts.append(_SPACE_RUN.sub(" ", child.tail or ""))
    return "".join(parts)


def _rows(element: Element) -> Iterator[Element]:
    """A table's rows, through header rows, row groups and soft page breaks between them."""
    for child in element:
        if child.tag == _ROW:
            yield child
        elif child.tag != _TABLE and child.tag not in _SKIPPED:
            yield from _rows(child)
