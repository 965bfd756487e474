"""The ODT, DOCX and HTML readers (kg.parse.formats.odt, .docx, .html): each rule on a small
file of its own, every error, and one table rendered to all three formats by LibreOffice
(tests/fixtures/office/, made by make_fixtures.py there) read into the same lines."""

from __future__ import annotations

import io
import shutil
import sys
import zipfile
from pathlib import Path

import pytest

from kg.errors import ParseError
from kg.parse import parse_bytes
from kg.parse.formats import DOCX, HTML, ODT, detect_format, docx, html, odt, shared
from kg.parse.formats.shared import Grid

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "office"

# --- building small files --------------------------------------------------------------------

_ODF = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" office:version="1.3"'
)
_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _zip(members: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def make_odt(body: str, automatic: str = "", styles: str | None = None) -> bytes:
    """An ODT file: `body` inside office:text, `automatic` styles in content.xml, and a
    styles.xml holding `styles` (common styles, master pages)."""
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODF}>'
        f"<office:automatic-styles>{automatic}</office:automatic-styles>"
        f"<office:body><office:text>{body}</office:text></office:body></office:document-content>"
    )
    members: dict[str, str | bytes] = {"mimetype": "application/vnd.oasis.opendocument.text"}
    members["content.xml"] = content
    if styles is not None:
        members["styles.xml"] = (
            f'<?xml version="1.0"?><office:document-styles {_ODF}>{styles}</office:document-styles>'
        )
    return _zip(members)


def make_docx(body: str, styles: str | None = None, numbering: str | None = None) -> bytes:
    members: dict[str, str | bytes] = {
        "[Content_Types].xml": '<Types><Override ContentType="application/vnd.openxmlformats-officedocument.'
        'wordprocessingml.document.main+xml" PartName="/word/document.xml"/></Types>',
        "word/document.xml": f'<?xml version="1.0"?><w:document {_W}><w:body>{body}</w:body></w:document>',
    }
    if styles is not None:
        members["word/styles.xml"] = f"<w:styles {_W}>{styles}</w:styles>"
    if numbering is not None:
        members["word/numbering.xml"] = f"<w:numbering {_W}>{numbering}</w:numbering>"
    return _zip(members)


def odt_lines(body: str, automatic: str = "", styles: str | None = None) -> list[str]:
    return odt.read(make_odt(body, automatic, styles), "t.odt").lines


def docx_lines(body: str, styles: str | None = None, numbering: str | None = None) -> list[str]:
    return docx.read(make_docx(body, styles, numbering), "t.docx").lines


def html_lines(page: str | bytes) -> list[str]:
    return html.read(page.encode() if isinstance(page, str) else page, "t.html").lines


def p(text: str, style: str = "") -> str:
    """An ODT paragraph."""
    return f'<text:p text:style-name="{style}">{text}</text:p>' if style else f"<text:p>{text}</text:p>"


def w(text: str, ppr: str = "") -> str:
    """A DOCX paragraph of one run."""
    return f"<w:p><w:pPr>{ppr}</w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>"


def tc(text: str, tcpr: str = "") -> str:
    return f"<w:tc><w:tcPr>{tcpr}</w:tcPr>{w(text)}</w:tc>"


# --- the shared grid ---------------------------------------------------------------------------


def test_grid_places_spanning_cells_and_pads_rows():
    grid = Grid()
    grid.start_row()
    grid.add("a", rowspan=2)
    grid.add("b", colspan=2)
    grid.start_row()
    grid.add("c")
    grid.start_row()
    grid.add("d")
    assert [b.cells for b in grid.blocks()] == [["a", "b", ""], ["", "c", ""], ["d", "", ""], []]
    assert grid.text() == "a\nb\nc\nd"
    assert Grid().blocks() == []


# --- ODT ---------------------------------------------------------------------------------------


def _odt_cell(text: str, attributes: str = "") -> str:
    return f"<table:table-cell {attributes}>{p(text)}</table:table-cell>"


COLUMNS_2, ROWS_2 = 'table:number-columns-spanned="2"', 'table:number-rows-spanned="2"'
REPEATED_2 = 'table:number-columns-repeated="2"'


def test_odt_table_spans_header_rows_and_the_end_of_a_table():
    covered = "<table:covered-table-cell/>"
    body = (
        "<table:table><table:table-column table:number-columns-repeated='3'/>"
        "<table:table-header-rows><table:table-row>"
        f"{_odt_cell('任務')}{_odt_cell('內涵', COLUMNS_2)}{covered}"
        "</table:table-row></table:table-header-rows>"
        f"<table:table-row>{_odt_cell('T1', ROWS_2)}{_odt_cell('K1')}{_odt_cell('S1')}"
        "</table:table-row><text:soft-page-break/>"
        f"<table:table-row>{covered}{_odt_cell('K2')}<table:table-cell/></table:table-row>"
        f"<table:table-row>{_odt_cell('', REPEATED_2)}{_odt_cell('x')}</table:table-row>"
        f"<table:table-row table:number-rows-repeated='2'>{_odt_cell('r')}</table:table-row>"
        "</table:table>" + p("after")
    )
    assert odt_lines(body) == [
        "任務\t內涵\t",
        "T1\tK1\tS1",
        "\tK2\t",
        "\t\tx",
        "r\t\t",
        "r\t\t",
        "",
        "",
        "after",
    ]


def test_odt_text_elements_whitespace_breaks_notes_and_frames():
    body = p(
        'a<text:s text:c="3"/>b<text:tab/>c\n   d<text:line-break/>'
        '<text:span text:style-name="T1">e <text:a>f</text:a></text:span>'
        "<text:note><text:note-citation>1</text:note-citation><text:note-body>"
        + p("footnote")
        + "</text:note-body></text:note>"
        "<office:annotation><dc:creator>x</dc:creator>" + p("comment") + "</office:annotation>"
        "<draw:frame><draw:text-box>" + p("box") + "</draw:text-box></draw:frame>"
        "<text:soft-page-break/>g<text:s/>\u00a0h"
    )
    body += p("") + p("   ")  # empty paragraphs are skipped
    body += "<text:section>" + p("in a section") + "</text:section>"
    assert odt_lines(body) == ["a   b c d e fg  h", "in a section"]


def test_odt_tracked_changes_keep_inserted_text_and_drop_deleted_text():
    body = (
        "<text:tracked-changes><text:changed-region text:id='c1'><text:deletion>"
        + p("deleted text")
        + "</text:deletion></text:changed-region></text:tracked-changes>"
        + p('kept <text:change-start text:change-id="c2"/>inserted<text:change-end text:change-id="c2"/>')
        + p('<text:change text:change-id="c1"/>after')
    )
    assert odt_lines(body) == ["kept inserted", "after"]


def test_odt_headings_are_paragraphs_and_headers_and_footers_are_not_text():
    styles = (
        "<office:master-styles><style:master-page style:name='Standard'><style:header>"
        + p("page header")
        + "</style:header></style:master-page></office:master-styles>"
    )
    body = '<text:h text:outline-level="1">heading</text:h>' + p("body")
    assert odt_lines(body, styles=styles) == ["heading", "body"]


_ODT_LISTS = (
    '<text:list-style style:name="L1"><text:list-level-style-bullet text:level="1" text:bullet-char="●"/>'
    '<text:list-level-style-bullet text:level="2" text:bullet-char="■"/></text:list-style>'
    '<text:list-style style:name="N1"><text:list-level-style-number text:level="1" style:num-format="1" '
    'text:start-value="3"/></text:list-style>'
)


def _items(*texts: str) -> str:
    return "".join(f"<text:list-item>{p(t)}</text:list-item>" for t in texts)


def test_odt_lists_nest_number_and_keep_printed_markers():
    body = (
        p("lead")
        + '<text:list text:style-name="L1"><text:list-item>'
        + p("parent")
        + f"<text:list>{_items('child', '● printed')}</text:list></text:list-item>"
        + "<text:list-header>"
        + p("header, no marker")
        + "</text:list-header>"
        + _items("second")
        + "</text:list>"
        + f'<text:list text:style-name="N1">{_items("three", "four")}</text:list>'
        + p("between")
        + f'<text:list text:style-name="N1" text:continue-numbering="true">{_items("five")}</text:list>'
        + f'<text:list text:style-name="N1"><text:list-item text:start-value="9">{p("nine")}</text:list-item>'
        + f"{_items('ten')}</text:list>"
        + f'<text:list text:style-name="N1">{_items("", "after an empty item")}</text:list>'
    )
    assert odt_lines(body, _ODT_LISTS) == [
        "lead",
        " ■ parent",
        "  ■ child",
        "  ● printed",
        " header, no marker",
        " ■ second",
        " 3. three",
        " 4. four",
        "between",
        " 5. five",
        " 9. nine",
        " 10. ten",
        " 4. after an empty item",  # the empty item printed 3.
    ]


def test_odt_lists_and_nested_tables_inside_cells():
    nested = (
        f"<table:table><table:table-row>{_odt_cell('n1')}{_odt_cell('n2')}</table:table-row></table:table>"
    )
    body = (
        "<table:table><table:table-row><table:table-cell>"
        + p("K1 lead")
        + f'<text:list text:style-name="L1">{_items("a", "b")}</text:list>'
        + f"</table:table-cell><table:table-cell>{nested}{p('after')}</table:table-cell>"
        + "</table:table-row></table:table>"
    )
    assert odt_lines(body, _ODT_LISTS) == ["K1 lead ■ a ■ b\tn1 n2 after", ""]


def test_odt_indent_is_the_style_margin_through_both_style_parts():
    common = (
        "<office:styles>"
        '<style:default-style style:family="paragraph"><style:paragraph-properties fo:margin-left="0in"/>'
        "</style:default-style>"
        '<style:style style:name="Indented" style:family="paragraph">'
        '<style:paragraph-properties fo:margin-left="1cm"/></style:style>'
        '<style:style style:name="Deeper" style:family="paragraph" style:parent-style-name="Indented">'
        '<style:paragraph-properties fo:margin-left="2cm"/></style:style>'
        "</office:styles>"
    )
    automatic = (
        '<style:style style:name="P1" style:family="paragraph" style:parent-style-name="Deeper"/>'
        '<style:style style:name="P2" style:family="paragraph" style:parent-style-name="Indented">'
        '<style:text-properties fo:font-weight="bold"/></style:style>'
        '<style:style style:name="Indented" style:family="text"/>'  # another family: no clash
    )
    body = p("top") + p("level one", "P2") + p("level two", "P1") + p("one again", "Indented")
    assert odt_lines(body, automatic, common) == ["top", " level one", "  level two", " one again"]


# --- DOCX --------------------------------------------------------------------------------------


def test_docx_table_spans_header_rows_gridbefore_and_deleted_rows():
    body = (
        "<w:tbl><w:tblPr/><w:tblGrid><w:gridCol/><w:gridCol/><w:gridCol/></w:tblGrid>"
        "<w:tr><w:trPr><w:tblHeader/></w:trPr>"
        + tc("任務")
        + tc("內涵", '<w:gridSpan w:val="2"/>')
        + "</w:tr>"
        + "<w:tr>"
        + tc("T1", '<w:vMerge w:val="restart"/>')
        + tc("K1")
        + tc("S1")
        + "</w:tr>"
        + "<w:tr>"
        + tc("", "<w:vMerge/>")
        + tc("K2")
        + "</w:tr>"
        + "<w:tr><w:trPr><w:del w:id='1' w:author='a'/></w:trPr>"
        + tc("deleted row")
        + "</w:tr>"
        + '<w:tr><w:trPr><w:gridBefore w:val="2"/></w:trPr>'
        + tc("x")
        + "</w:tr>"
        + "<w:sdt><w:sdtContent><w:tr>"
        + tc("in a control")
        + "</w:tr></w:sdtContent></w:sdt>"
        + "<w:tr>"
        + tc("h", '<w:hMerge w:val="restart"/>')
        + tc("continued", "<w:hMerge/>")
        + tc("z")
        + "</w:tr></w:tbl>"
        + w("after")
    )
    assert docx_lines(body) == [
        "任務\t內涵\t",
        "T1\tK1\tS1",
        "\tK2\t",
        "\t\tx",
        "in a control\t\t",
        "h\t\tz",  # a legacy horizontal merge
        "",
        "",
        "after",
    ]


def test_docx_text_runs_spaces_breaks_fields_and_tracked_changes():
    run = "<w:r><w:t>{}</w:t></w:r>"
    body = (
        "<w:p>"
        '<w:r><w:t xml:space="preserve">a  </w:t><w:t> b </w:t><w:tab/><w:t>c</w:t><w:br/><w:t>d</w:t></w:r>'
        + '<w:del w:id="1"><w:r><w:delText>deleted</w:delText></w:r></w:del>'
        + '<w:ins w:id="2"><w:r><w:t xml:space="preserve"> inserted</w:t></w:r></w:ins>'
        + '<w:moveFrom w:id="3"><w:r><w:t>moved away</w:t></w:r></w:moveFrom>'
        + '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r>'
        + '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        + run.format(" 7")
        + '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
        + '<w:hyperlink r:id="x" xmlns:r="urn:r">'
        + run.format("link")
        + "</w:hyperlink>"
        + '<w:r><w:footnoteReference w:id="1"/><w:noBreakHyphen/><w:t>e\u00a0</w:t></w:r>'
        + "<w:r><w:drawing><w:txbxContent>"
        + w("text box")
        + "</w:txbxContent></w:drawing></w:r>"
        + "</w:p>"
        + w("")
        + "<w:sdt><w:sdtPr/><w:sdtContent>"
        + w("in a content control")
        + "</w:sdtContent></w:sdt>"
        + "<w:sectPr/>"
    )
    assert docx_lines(body) == ["a  b c d inserted7link-e", "in a content control"]


_NUMBERING = (
    '<w:abstractNum w:abstractNumId="0">'
    '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="●"/>'
    '<w:pPr><w:ind w:left="720" w:hanging="360"/></w:pPr></w:lvl>'
    '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="■"/>'
    '<w:pPr><w:ind w:left="1440" w:hanging="360"/></w:pPr></w:lvl></w:abstractNum>'
    '<w:abstractNum w:abstractNumId="1">'
    '<w:lvl w:ilvl="0"><w:start w:val="3"/><w:numFmt w:val="decimal"/>'
    '<w:pPr><w:ind w:left="720"/></w:pPr></w:lvl>'
    '<w:lvl w:ilvl="1"><w:numFmt w:val="lowerLetter"/><w:pPr><w:ind w:left="1440"/></w:pPr></w:lvl>'
    "</w:abstractNum>"
    '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>'
    '<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>'
    '<w:num w:numId="3"><w:abstractNumId w:val="1"/></w:num>'
    '<w:num w:numId="4"><w:abstractNumId w:val="1"/>'
    '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>'
)


def _item(text: str, num_id: int, level: int = 0, more: str = "") -> str:
    return w(text, f'<w:numPr><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>{more}')


def test_docx_lists_nest_number_and_keep_printed_markers():
    body = (
        w("lead")
        + _item("parent", 1)
        + _item("child", 1, 1)
        + _item("● printed", 1, 1)
        + _item("three", 2)
        + _item("sub", 2, 1)
        + _item("four", 2)
        + _item("sub again", 2, 1)
        + _item("five, the same list definition", 3)
        + _item("one, started again", 4)
        + _item("", 4)
        + _item("", 4, more="<w:rPr><w:del w:id='9' w:author='a'/></w:rPr>")
        + _item("three after an empty item", 4)
        + w("not a list", '<w:numPr><w:ilvl w:val="0"/><w:numId w:val="0"/></w:numPr>')
    )
    assert docx_lines(body, numbering=_NUMBERING) == [
        "lead",
        " ■ parent",
        "  ■ child",
        "  ● printed",
        " 3. three",
        "  1. sub",
        " 4. four",
        "  1. sub again",
        " 5. five, the same list definition",
        " 1. one, started again",
        " 3. three after an empty item",  # the empty one printed 2.; a deleted one nothing
        "not a list",
    ]


def test_docx_indent_from_paragraph_style_and_numbering_in_cells_too():
    styles = (
        '<w:docDefaults><w:pPrDefault><w:pPr><w:ind w:left="0"/></w:pPr></w:pPrDefault></w:docDefaults>'
        '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"/>'
        '<w:style w:type="paragraph" w:styleId="Quote"><w:basedOn w:val="Normal"/>'
        '<w:pPr><w:ind w:start="720"/></w:pPr></w:style>'
        '<w:style w:type="paragraph" w:styleId="Deeper"><w:basedOn w:val="Quote"/>'
        '<w:pPr><w:ind w:left="1440"/></w:pPr></w:style>'
        '<w:style w:type="paragraph" w:styleId="ListBullet"><w:basedOn w:val="Normal"/>'
        '<w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:style>'
        '<w:style w:type="character" w:styleId="Deeper"/>'
    )
    body = (
        w("top")
        + w("quoted", '<w:pStyle w:val="Quote"/>')
        + w("deeper", '<w:pStyle w:val="Deeper"/>')
        + w("direct", '<w:pStyle w:val="Deeper"/><w:ind w:left="720"/>')
        + w("styled bullet", '<w:pStyle w:val="ListBullet"/>')
        + "<w:tbl><w:tr><w:tc>"
        + w("K1 lead")
        + _item("a", 1)
        + _item("b", 1)
        + "<w:tbl><w:tr>"
        + tc("n1")
        + tc("n2")
        + "</w:tr></w:tbl></w:tc></w:tr></w:tbl>"
    )
    assert docx_lines(body, styles, _NUMBERING) == [
        "top",
        " quoted",
        "  deeper",
        " direct",
        " ■ styled bullet",
        "",
        "K1 lead ■ a ■ b n1 n2\t",
        "",
    ]


def test_docx_in_strict_ooxml():
    strict = make_docx(w("strict")).replace(
        b"http://schemas.openxmlformats.org/wordprocessingml/2006/main",
        b"http://purl.oclc.org/ooxml/wordprocessingml/main",
    )
    assert docx.read(strict, "t.docx").lines == ["strict"]


# --- HTML --------------------------------------------------------------------------------------


def test_html_table_spans_and_header_rows():
    page = (
        "<table><thead><tr><th>任務<th colspan=2>內涵</thead>"
        "<tbody><tr><td rowspan=2>T1<td>K1<td>S1<tr><td>K2<td>S2"
        "<tr><td colspan=2 rowspan=0>all<td>x<tr><td>y</table><p>after"
    )
    assert html_lines(page) == [
        "任務\t內涵\t",
        "T1\tK1\tS1",
        "\tK2\tS2",
        "all\t\tx",
        "\t\ty",
        "",
        "",
        "after",
    ]


def test_html_tolerance_entities_scripts_and_line_breaks():
    page = (
        "<html><head><title>no</title><style>td { color: red }</style>"
        "<script>document.write('<td>no</td>')</script></head><body>"
        "<p>one<p>two &amp; &lt;b&gt; &#x4E00;&nbsp;&nbsp;三 <b>bold</b><i>italic</i>"
        "<div>block<br>line<br/>break</div><!-- a comment -->"
        "<table><caption>cap</caption><tr><td><p>a<p>b</td><td>c<br>d<td><span>e</span></table>"
        "<pre>pre one\npre two</pre></body></html>"
    )
    assert html_lines(page) == [
        "one",
        "two &amp; &lt;b&gt; 一 三 bolditalic",
        "block line break",
        "cap",
        "",
        "a b\tc d\te",
        "",
        "",
        "pre one pre two",
    ]


def test_html_lists_nesting_numbers_indents_and_printed_markers():
    page = (
        "<p>lead<ul><li>parent<ul><li> <b>child</b><li>● printed</ul><li>second</ul>"
        "<ol start=3><li>three<li value=7>seven<li><p>eight</ol>"
        "<li>stray item"
        "<blockquote>quoted</blockquote>"
        "<div style='margin-left: 2em'>two em<div style='padding-left:12pt'>further</div></div>"
        "<p style='margin: 0 0 0 24pt; margin-top: 3em'>shorthand</p>"
        "<ol><li></li><li>first counted item</li></ol>"
        "<table><tr><td><ul><li>a<li>b</ul><ol><li>one<li>two</ol></td></tr></table>"
        "<table><tr><td><ul><li>in a layout table</ul><table><tr><td>n1<td>n2</table>after</td></tr></table>"
    )
    assert html_lines(page) == [
        "lead",
        " ■ parent",
        "    ■ child",  # 36pt: as far in as "further" (2em + 12pt), the deepest
        "    ● printed",
        " ■ second",
        " 3. three",
        " 7. seven",
        " 8. eight",
        "■ stray item",
        "   quoted",  # a blockquote: 30pt
        "  two em",  # 24pt
        "    further",
        "  shorthand",
        " 2. first counted item",  # an empty item prints its number
        "",
        "■ a ■ b 1. one 2. two\t",  # a data table's cell: its lists on one line
        "",
        "",
        " ■ in a layout table",  # a layout table's cell: as if outside any table
        "",
        "n1\tn2",
        "",
        "",
        "after",
    ]


_PAGE = (
    "<h1>職能單元</h1><p>lead</p>"
    "<table><tr><th>代碼<th>名稱<tr><td>T1<td rowspan=2>任務<tr><td>T2</table>"
    "<p>note one</p><ul><li>item</ul><p>note two"
)


def _wrapped(body: str, *cells: str) -> str:
    """`body` in a layout table: in one cell, then in the `cells` after it (a row each)."""
    rows = "".join(f"<tr><td>{cell}</td></tr>" for cell in cells)
    return f"<table border=0><tr><td style='width: 100%'>{body}</td></tr>{rows}</table>"


def test_html_layout_table_is_read_as_if_its_content_stood_outside_it():
    expected = html_lines(f"<html><body>{_PAGE}</body></html>")
    assert expected == [
        "職能單元",
        "lead",
        "",
        "代碼\t名稱",
        "T1\t任務",
        "T2\t",
        "",
        "",
        "note one",
        " ■ item",
        "note two",
    ]
    assert html_lines(f"<html><body>{_wrapped(_PAGE)}</body></html>") == expected
    # two levels: a layout table in a layout table's cell, with more in the cells around it
    table = "<table><tr><th>代碼<th>名稱<tr><td>T1<td rowspan=2>任務<tr><td>T2</table>"
    inner = _wrapped("<h1>職能單元</h1>", f"<p>lead</p>{table}")
    twice = _wrapped(inner, "<p>note one</p><ul><li>item</ul>", "note two")
    assert html_lines(f"<body><table><tr><td>{twice}</table>") == expected


def test_html_layout_table_cells_in_document_order_around_a_split_data_table():
    """A data table's header row in one cell, its body in the next, notes in a third: each
    table keeps its own rows and end; nothing is merged across the layout table's cells."""
    header = "<table><tr><th>任務<th>內涵</table>"
    body = "<table><tr><td>T1<td>K1<tr><td>T2<td>K2</table>"
    page = f"<table><tr><td>{header}<td>{body}<tr><td colspan=2><p>註1：notes<p>註2：more</table><p>after"
    assert html_lines(page) == [
        "任務\t內涵",
        "",
        "T1\tK1",
        "T2\tK2",
        "",
        "",
        "註1：notes",
        "註2：more",
        "after",
    ]
    # a table that holds only text stays a data table, however the page lays it out
    assert html_lines("<table><tr><td><p>a<p>b<td>c</table>") == ["a b\tc", ""]


def test_html_icap_unit_page_in_a_layout_table_parses_as_the_page_without_it():
    page = (Path(__file__).resolve().parent / "fixtures" / "formats" / "KMM5R0915v2.html").read_text("utf-8")
    start, end = page.index("<body>") + len("<body>"), page.index("</body>")
    wrapped = f"{page[:start]}<table><tr><td>{page[start:end]}</td></tr></table>{page[end:]}"
    assert wrapped != page
    document = parse_bytes(page.encode(), "KMM5R0915v2.html").to_dict()
    assert document["tasks"]
    assert parse_bytes(wrapped.encode(), "KMM5R0915v2.html").to_dict() == document


def test_html_encodings_big5_by_meta_by_fallback_and_bom():
    text = "職能基準"
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset=big5"><p>{text}'.encode("cp950")
    assert html_lines(meta) == [text]
    assert html_lines(f"<p>{text}".encode("cp950")) == [text]  # no declaration: UTF-8, else Big5
    assert html_lines(b"\xef\xbb\xbf" + f'<meta charset="big5"><p>{text}'.encode()) == [text]  # the BOM wins
    wrong = f'<meta charset="utf-8"><p>{text}'.encode("cp950")  # a wrong declaration
    assert html_lines(wrong) == [text]
    assert html_lines(f'<meta charset="no-such"><p>{text}'.encode()) == [text]


def test_html_without_tables_or_text_is_read_as_it_is():
    assert html_lines("<html><body><p>only a paragraph</p></body></html>") == ["only a paragraph"]
    assert html_lines("<html><body><img src=x><table></table></body></html>") == []


# --- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("reader", "make", "label"), [(odt, make_odt, "ODT"), (docx, make_docx, "DOCX")])
def test_damaged_packages_are_parse_errors(reader, make, label):
    good = make("")
    main = "content.xml" if label == "ODT" else "word/document.xml"
    cases = {
        "truncated": good[: len(good) // 2],
        "not a zip": b"PK\x03\x04 nothing more",
        "no main part": _zip({"mimetype": "x", "other.xml": "<a/>"}),
        "malformed": _zip({main: "<a><b></a>"}),
    }
    for name, data in cases.items():
        with pytest.raises(ParseError, match=f"is a damaged or truncated {label} file") as raised:
            reader.read(data, f"{name}.x")
        assert raised.value.path == f"{name}.x"
    with pytest.raises(ParseError, match="it has no " + main):
        reader.read(cases["no main part"], "x")


def test_xml_nested_too_deeply_to_walk_is_a_parse_error():
    deep = 100_000
    with pytest.raises(ParseError, match=r"ODT file \(its XML nests deeper than any document's"):
        odt.read(make_odt(p("<text:span>" * deep + "x" + "</text:span>" * deep)), "deep.odt")
    runs = "<w:hyperlink>" * deep + "<w:r><w:t>x</w:t></w:r>" + "</w:hyperlink>" * deep
    with pytest.raises(ParseError, match=r"DOCX file \(its XML nests deeper than any document's"):
        docx.read(make_docx(f"<w:p>{runs}</w:p>"), "deep.docx")


def test_a_table_larger_than_any_document_is_refused(monkeypatch):
    """Repeats and spans multiply cells: a small file must not become a table of billions."""
    monkeypatch.setattr(shared, "MAX_CELLS", 100)
    rows = "<table:table-row table:number-rows-repeated='20'>"
    rows += "<table:table-cell table:number-columns-repeated='10'/>"
    files = [
        (odt, make_odt(f"<table:table>{rows}</table:table-row></table:table>")),
        (docx, make_docx("<w:tbl><w:tr>" + tc("x", '<w:gridSpan w:val="200"/>') + "</w:tr></w:tbl>")),
        (html, b"<table><tr><td colspan=50>x<tr><td rowspan=3 colspan=60>y</table>"),
    ]
    for reader, data in files:
        with pytest.raises(ParseError, match="has a table of more than 1,000,000 cells"):
            reader.read(data, "bomb")


def test_a_zip_directory_naming_an_unknown_zip_version_is_damaged():
    data = bytearray(make_odt(p("x")))
    central = data.index(b"PK\x01\x02")
    data[central + 6 : central + 8] = (158).to_bytes(2, "little")  # version needed to extract: 15.8
    with pytest.raises(ParseError, match="damaged or truncated zip archive"):
        detect_format(bytes(data), "v.odt")
    with pytest.raises(ParseError, match="damaged or truncated ODT file"):
        odt.read(bytes(data), "v.odt")


@pytest.mark.parametrize(("reader", "main"), [(odt, "content.xml"), (docx, "word/document.xml")])
def test_xml_with_a_doctype_is_refused(reader, main):
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        "<a>&lol2;</a>"
    )
    with pytest.raises(ParseError, match=f"{main} holds an XML DOCTYPE, which a document never has"):
        reader.read(_zip({main: bomb}), "bomb.x")
    with pytest.raises(ParseError, match="DOCTYPE"):
        reader.read(_zip({main: bomb.encode("utf-16")}), "bomb16.x")


def test_a_member_larger_than_any_document_is_refused(monkeypatch):
    data = make_odt(p("x" * 5000))
    assert odt.read(data, "t.odt").lines == ["x" * 5000]
    monkeypatch.setattr(shared, "MAX_MEMBER", 1000)
    with pytest.raises(ParseError, match=r"content\.xml is larger than 0 MB uncompressed"):
        odt.read(data, "big.odt")


def test_a_member_lying_about_its_size_is_not_trusted():
    """A zip's directory saying a member is small does not let a larger one through."""
    data = bytearray(
        _zip({"word/document.xml": f"<w:document {_W}><w:body>{w('y' * 5000)}</w:body></w:document>"})
    )
    data[22:26] = (10).to_bytes(4, "little")  # the local header's uncompressed size
    central = data.index(b"PK\x01\x02")
    data[central + 24 : central + 28] = (10).to_bytes(4, "little")  # the directory's
    with pytest.raises(ParseError, match="is a damaged or truncated DOCX file"):
        docx.read(bytes(data), "lying.docx")


# --- one document in three formats -------------------------------------------------------------

SAMPLE_LINES = [
    "客戶服務主管職能基準",
    "職能基準代碼 BAS1499-003 &amp; 說明",
    " ■ 第一項",
    "  ■ 子項甲",
    "  ● 子項乙",
    " ■ 第二項",
    " 1. 步驟一",
    " 2. 步驟二",
    "",
    "工作任務\t工作活動\t職能內涵\t",
    "T1 運作 客戶服務中心\tT1.1 監督規劃\tK1 知識\tS1 技能 S2 技能",
    "\tT1.2 監控\t■ 分析資訊 ■ 評估\t",
    "T2 發展\tT2.1 應用\tK2 &lt;核心&gt;\t",
    "T3 管理\t1. 計算 2. 分析\t\t",
    "",
    "",
    "附註",
    "",
    "版次\t日期",
    "V1\t2025/12/15",
    "",
]


@pytest.mark.parametrize(("suffix", "expected"), [("html", HTML), ("odt", ODT), ("docx", DOCX)])
def test_the_sample_reads_the_same_in_every_format(suffix, expected):
    data = (FIXTURES / f"sample.{suffix}").read_bytes()
    input_format = detect_format(data, f"sample.{suffix}")
    assert input_format is expected
    layout = input_format.read(data, f"sample.{suffix}")
    assert layout.lines == SAMPLE_LINES
    assert layout.format == suffix
    assert layout.pages == []


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_freshly_converted_files_read_as_the_html_does(tmp_path):
    sys.path.insert(0, str(FIXTURES))
    try:
        import make_fixtures
    finally:
        sys.path.remove(str(FIXTURES))
    expected = html.read((FIXTURES / "sample.html").read_bytes(), "sample.html").lines
    for path in make_fixtures.convert(FIXTURES / "sample.html", tmp_path):
        reader = odt if path.suffix == ".odt" else docx
        assert reader.read(path.read_bytes(), path.name).lines == expected, path.name
