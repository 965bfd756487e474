"""DOCX (Word's Office Open XML) read into the shared table model.

`word/document.xml`'s body is read in order: paragraphs (`w:p`), tables (`w:tbl`) and the
content of content controls (`w:sdt`). A table's cells go on its grid: `w:gridSpan` spans
columns, a `w:vMerge` continuation is the "" below the cell that restarts it, and
`w:gridBefore` leaves columns empty. A paragraph's indent is `w:ind` (left or start) from
its own properties, else its numbering level, else its style; plus its list level. Text is
`w:t` (and inserted text); deleted text, field codes, drawings and notes are left out.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from xml.etree.ElementTree import Element

from kg.parse.formats.shared import (
    LIST_STEP,
    Grid,
    ListNumbers,
    Paragraph,
    cell_text,
    document_blocks,
    open_package,
    plain,
    read_xml,
    whole_number,
)
from kg.parse.layout import Layout, list_item

_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
# Not the document's running text: deleted or moved-away runs, field codes, drawings and
# text boxes (floating), note and comment references, properties.
_SKIPPED = {
    "del", "moveFrom", "delText", "instrText", "delInstrText", "drawing", "pict", "object",
    "AlternateContent", "footnoteReference", "endnoteReference", "commentReference",
    "pPr", "rPr", "sdtPr", "sdtEndPr", "tcPr", "trPr", "tblPr", "tblGrid", "fldChar",
}  # fmt: skip


def _local(element: Element) -> str:
    return element.tag.rpartition("}")[2]


@dataclass
class _Level:
    numbered: bool
    start: int
    indent: float | None


class _Definitions:
    """Paragraph styles (their indent and list) and numbering levels (bullet or number, start,
    indent) from styles.xml and numbering.xml; `w` is the document's namespace."""

    def __init__(self, w: str, styles: Element | None, numbering: Element | None) -> None:
        self.w = w
        self.based_on: dict[str, str] = {}
        self.indent: dict[str, float] = {}
        self.list_of: dict[str, tuple[str, int | None]] = {}  # style -> numId, ilvl
        self.default_style: str | None = None
        self.levels: dict[tuple[str, int], _Level] = {}  # (numId, ilvl)
        self.counted_as: dict[str, str] = {}  # numId -> the list it counts in
        if styles is not None:
            self._styles(styles)
        if numbering is not None:
            self._numbering(numbering)

    def _styles(self, root: Element) -> None:
        w = self.w
        for style in root.iter(f"{w}style"):
            if style.get(f"{w}type") != "paragraph":
                continue
            name = style.get(f"{w}styleId", "")
            if style.get(f"{w}default") in ("1", "true", "on"):
                self.default_style = name
            if (based := style.find(f"{w}basedOn")) is not None:
                self.based_on[name] = based.get(f"{w}val", "")
            properties = style.find(f"{w}pPr")
            indent = self.ind(properties)
            if indent is not None:
                self.indent[name] = indent
            if properties is not None and (listed := self.num_pr(properties)) is not None:
                self.list_of[name] = listed

    def _numbering(self, root: Element) -> None:
        w = self.w
        abstract: dict[str, dict[int, _Level]] = {}
        for definition in root.iter(f"{w}abstractNum"):
            levels = abstract.setdefault(definition.get(f"{w}abstractNumId", ""), {})
            for lvl in definition.iter(f"{w}lvl"):
                fmt = self.val(lvl, "numFmt") or "decimal"  # the default format is decimal
                start = whole_number(self.val(lvl, "start"), 1)
                indent = self.ind(lvl.find(f"{w}pPr"))
                levels[whole_number(lvl.get(f"{w}ilvl"), 0)] = _Level(
                    fmt not in ("bullet", "none"), start, indent
                )
        for num in root.iter(f"{w}num"):
            num_id, abstract_id = num.get(f"{w}numId", ""), self.val(num, "abstractNumId") or ""
            for ilvl, level in abstract.get(abstract_id, {}).items():
                self.levels[(num_id, ilvl)] = _Level(level.numbered, level.start, level.indent)
            for override in num.iter(f"{w}lvlOverride"):
                restart = self.val(override, "startOverride")
                key = (num_id, whole_number(override.get(f"{w}ilvl"), 0))
                if restart is not None and key in self.levels:
                    self.levels[key].start = whole_number(restart, 1)
            # Lists sharing a definition continue one count, unless one starts its own.
            restarts = num.find(f"{w}lvlOverride") is not None
            self.counted_as[num_id] = f"num {num_id}" if restarts else f"abstract {abstract_id}"

    def val(self, element: Element | None, child: str) -> str | None:
        """The `w:val` of an element's child (`numFmt` ...), None when there is none."""
        found = None if element is None else element.find(f"{self.w}{child}")
        return None if found is None else found.get(f"{self.w}val")

    def ind(self, properties: Element | None) -> float | None:
        """`w:ind`'s left (or start) indent in points; twentieths of a point in the XML."""
        found = None if properties is None else properties.find(f"{self.w}ind")
        if found is None:
            return None
        value = found.get(f"{self.w}left") or found.get(f"{self.w}start")
        return None if value is None else whole_number(value, 0) / 20

    def num_pr(self, properties: Element) -> tuple[str, int | None] | None:
        found = properties.find(f"{self.w}numPr")
        if found is None:
            return None
        ilvl = self.val(found, "ilvl")
        return self.val(found, "numId") or "", None if ilvl is None else whole_number(ilvl, 0)

    def chain(self, style: str | None) -> Iterator[str]:
        seen: set[str] = set()
        style = style or self.default_style
        while style and style not in seen:
            seen.add(style)
            yield style
            style = self.based_on.get(style)


def read(data: bytes, source: str) -> Layout:
    """A DOCX file's tables and paragraphs, in body order."""
    with open_package(data, source, "DOCX") as archive:
        document = read_xml(archive, "word/document.xml", source, "DOCX")
        assert document is not None
        w = document.tag.partition("}")[0] + "}"  # transitional or strict OOXML
        styles = read_xml(archive, "word/styles.xml", source, "DOCX", required=False)
        numbering = read_xml(archive, "word/numbering.xml", source, "DOCX", required=False)
    reader = _Reader(_Definitions(w, styles, numbering))
    body = document.find(f"{w}body")
    blocks = document_blocks(reader.content(body if body is not None else document), source, "DOCX")
    return Layout.from_blocks(blocks, "docx")


class _Reader:
    """Walks the body: paragraphs with their list markers and indents, tables on their grids."""

    def __init__(self, definitions: _Definitions) -> None:
        self.d = definitions
        self.w = definitions.w
        self.numbers = ListNumbers()

    def content(self, element: Element) -> Iterator[Paragraph | Grid]:
        """Paragraphs and tables in order, through content controls and custom XML."""
        for child in element:
            name = _local(child)
            if name == "p":
                yield self.paragraph(child)
            elif name == "tbl":
                yield self.table(child)
            elif name not in _SKIPPED:
                yield from self.content(child)

    def paragraph(self, p: Element) -> Paragraph:
        """A paragraph's text (a list item's marked) and its indent in points."""
        text = plain(self.runs(p))
        properties = p.find(f"{self.w}pPr")
        style = self.d.val(properties, "pStyle")
        num_id, ilvl = self.list_level(properties, style)
        key = self.d.counted_as.get(num_id, num_id)
        level = self.d.levels.get((num_id, ilvl))
        indent = self.d.ind(properties)
        if indent is None and level is not None:
            indent = level.indent
        if indent is None:
            indent = next((self.d.indent[s] for s in self.d.chain(style) if s in self.d.indent), 0.0)
        if level is None:
            return Paragraph(text, indent)
        # An empty item prints its number and is counted, unless deleted (its mark is).
        deleted = properties is not None and properties.find(f"{self.w}rPr/{self.w}del") is not None
        number = None if deleted and not text.strip() else self.numbers.number(key, ilvl, level.start)
        marked = list_item(text, number if level.numbered else None) if text.strip() else text
        return Paragraph(marked, indent + ilvl * LIST_STEP)

    def list_level(self, properties: Element | None, style: str | None) -> tuple[str, int]:
        """The paragraph's list (numId, "0" or "" for none) and level: its own, else its style's."""
        own = None if properties is None else self.d.num_pr(properties)
        styled = next((self.d.list_of[s] for s in self.d.chain(style) if s in self.d.list_of), None)
        num_id = own[0] if own and own[0] else styled[0] if styled else ""
        ilvl = own[1] if own and own[1] is not None else styled[1] if styled and styled[1] is not None else 0
        return num_id, ilvl

    def runs(self, element: Element) -> str:
        """Text of runs: `w:t` (trimmed unless xml:space="preserve"), tabs a space, breaks "\\n";
        inserted runs, hyperlinks, fields' results and content controls looked into."""
        parts: list[str] = []
        for child in element:
            name = _local(child)
            if name == "t":
                text = child.text or ""
                parts.append(text if child.get(_XML_SPACE) == "preserve" else text.strip(" \t\r\n"))
            elif name in ("tab", "ptab"):
                parts.append(" ")
            elif name in ("br", "cr"):
                parts.append("\n")
            elif name == "noBreakHyphen":
                parts.append("-")
            elif name not in _SKIPPED:
                parts.append(self.runs(child))
        return "".join(parts)

    def table(self, tbl: Element) -> Grid:
        """A table's rows on its grid; a row deleted as a tracked change is left out."""
        w = self.w
        grid = Grid()
        for tr in _descendants(tbl, "tr", stop={"tbl"}):
            properties = tr.find(f"{w}trPr")
            if properties is not None and properties.find(f"{w}del") is not None:
                continue
            grid.start_row()
            for _ in range(whole_number(self.d.val(properties, "gridBefore"), 0)):
                grid.add("")  # columns the row leaves empty
            for tc in _descendants(tr, "tc", stop={"tbl"}):
                cell = tc.find(f"{w}tcPr")
                span = whole_number(self.d.val(cell, "gridSpan"), 1)
                merges = [] if cell is None else [m for m in cell if _local(m) in ("vMerge", "hMerge")]
                continued = any(m.get(f"{w}val", "continue") == "continue" for m in merges)
                grid.add("" if continued else cell_text(self.content(tc)), colspan=span)
        return grid


def _descendants(element: Element, name: str, stop: set[str]) -> Iterator[Element]:
    """The `name` elements under an element, through content controls, not into `stop`."""
    for child in element:
        local = _local(child)
        if local == name:
            yield child
        elif local not in stop and local not in _SKIPPED:
            yield from _descendants(child, name, stop)
