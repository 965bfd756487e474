"""The PDF reader (`kg.parse.formats.pdf`): ruled tables into rows (spanning cells, wrapped
text, rows broken across pages), paragraphs with their indents, running headers and footers
left out, and every bad file refused in one line.

`tests/fixtures/pdf/form.pdf` (and its encrypted and scanned copies) are made by
`tests/fixtures/pdf/make.py` with LibreOffice; the smaller cases are PDFs written here by hand
(`tiny_pdf`), each drawing one thing: borders as thin rectangles, a table in a form XObject,
a rotated page, fake bold, headers and footers.
"""

from __future__ import annotations

import builtins
import os
import re
import shutil
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from kg.errors import KgError, ParseError
from kg.parse.formats import detect_format
from kg.parse.formats.pdf import read
from kg.parse.formats.pdf_grid import Ruling, find_tables
from kg.parse.formats.pdf_page import Char, cell_text, line_text, snapped_indents, text_lines
from kg.parse.layout import Layout

HERE = Path(__file__).parent / "fixtures" / "pdf"
sys.path.insert(0, str(HERE))
from make import IVR, LONG, QUALIFICATION, make_form  # noqa: E402

FORM = HERE / "form.pdf"


@pytest.fixture(scope="module")
def form() -> Layout:
    return read(FORM.read_bytes(), "form.pdf")


def rows_of(layout: Layout) -> list[list[str]]:
    return [line.split("\t") for line in layout.lines if "\t" in line]


def line_starting(layout: Layout, start: str) -> int:
    """The index of the first line that starts with `start`."""
    return next(i for i, line in enumerate(layout.lines) if line.startswith(start))


# --- the form: tables ------------------------------------------------------------------------


def test_a_table_with_spanning_cells_has_one_cell_per_grid_column(form: Layout) -> None:
    start = line_starting(form, "職能基準代碼")
    assert form.lines[start : start + 5] == [
        "職能基準代碼\tTST0001-001v1\t\t\t",  # spans four columns: its text in the first
        "所屬類別\t職類別\t企業經營管理 / 行政支援\t職類別代碼\tBAS",  # spans two rows
        "\t職業別\t組織及政策管理專業人員\t職業別代碼\t2421",
        "工作描述\t依據組織所提供之產品及服務內涵，分析客戶需求，優化並協助制訂客戶服務標準作業流程，"
        "並定期檢視客戶服務品質與成效，提出改善建議。\t\t\t",
        "",  # the table's end
    ]


def test_wrapped_cell_text_is_joined_as_written(form: Layout) -> None:
    rows = {row[0]: row for row in rows_of(form)}
    assert rows["K01"][1] == "customer relationship management"  # Latin words keep their space
    assert rows["K03"][1] == "interactive voice response"  # LibreOffice broke "respo|nse" inside the word
    assert rows["工作描述"][1].count(" ") == 0  # Chinese wrapped over two lines: nothing between


def test_rows_carry_their_page(form: Layout) -> None:
    assert form.format == "pdf"
    assert form.page_of(line_starting(form, "職能基準代碼") + 1) == 1
    assert form.page_of(line_starting(form, "K17\t") + 1) == 1
    assert form.page_of(line_starting(form, "K18\t") + 1) == 2
    assert form.page_of(line_starting(form, "K26\t") + 1) == 3
    assert form.page_of(line_starting(form, "以上為本基準的全部內容。") + 1) == 3


def test_the_repeated_header_row_is_read_on_every_page(form: Layout) -> None:
    header = [i for i, line in enumerate(form.lines) if line == "代碼\t名稱\t說明"]
    assert [form.page_of(i + 1) for i in header] == [1, 2, 3]


def test_a_row_broken_across_pages_continues_in_a_row_of_its_own(form: Layout) -> None:
    start = line_starting(form, "K25\t")
    first = form.lines[start].split("\t")
    assert first[:2] == ["K25", "長的一列"] and LONG.startswith(first[2]) and first[2] != LONG
    header = form.lines.index("代碼\t名稱\t說明", start)
    continued = form.lines[header + 1].split("\t")
    assert continued[:2] == ["", ""] and first[2] + continued[2] == LONG
    assert form.page_of(start + 1) == 2 and form.page_of(header + 2) == 3
    assert form.lines[header + 2].startswith("K26\t")


# --- the form: paragraphs and page furniture ---------------------------------------------------


def test_paragraphs_are_lines_nested_by_their_indent(form: Layout) -> None:
    start = form.lines.index("說明與補充事項")
    lines = form.lines[start : line_starting(form, "知識清單") + 1]
    bullet, sub = " ● ", "  ■ "
    assert lines[1].startswith(bullet) and lines[-2].startswith(bullet)
    assert sum(line.startswith(sub) for line in lines) == 2
    # a wrapped paragraph's continuation is a line of its own, at its paragraph's indent
    assert lines[1][3:] + lines[2].strip() == QUALIFICATION
    assert lines[2] == " " + lines[2].strip()
    ivr = lines.index(sub + IVR.split(" f")[0] + " f")  # LibreOffice wrapped "f|or" inside the word
    assert lines[ivr + 1] == "  " + IVR.split(" f")[1]
    assert lines[-1] == "知識清單"


def test_running_headers_and_page_numbers_are_left_out(form: Layout) -> None:
    assert not any(re.search(r"第\s*\d+\s*頁", line) for line in form.lines)
    assert [line for line in form.lines if "TST0001-001v1" in line] == ["職能基準代碼\tTST0001-001v1\t\t\t"]
    assert form.lines[0].strip() == "測試職能基準"  # the title, at the top of page 1, stays


# --- bad files ---------------------------------------------------------------------------------


def refused(data: bytes) -> ParseError:
    with pytest.raises(ParseError) as caught:
        read(data, "bad.pdf")
    assert str(caught.value).startswith("bad.pdf: ") and "\n" not in str(caught.value)
    return caught.value


def test_an_encrypted_pdf_is_refused() -> None:
    error = refused((HERE / "encrypted.pdf").read_bytes())
    assert error.reason == "is an encrypted PDF: save a copy without a password first"


@pytest.mark.parametrize("share", [0.05, 0.3, 0.6, 0.9, 0.999])
def test_a_truncated_pdf_is_refused(share: float) -> None:
    data = FORM.read_bytes()
    assert "is a damaged or truncated PDF (" in refused(data[: int(len(data) * share)]).reason


def test_a_pdf_cut_in_its_trailer_is_refused_though_pdfium_would_read_it() -> None:
    data = tiny_pdf([text(20, 300, f"Page {n}") for n in (1, 2, 3)])
    assert read(data + b"\0" * 2000, "t.pdf").lines == ["Page 1", "", "Page 2", "", "Page 3"]
    error = refused(data[:-10])
    assert error.reason == "is a damaged or truncated PDF (it ends before its end-of-file marker)"


def test_random_bytes_after_the_signature_are_refused() -> None:
    data = b"%PDF-1.7\n" + random_bytes(20_000)
    assert detect_format(data, "bad.pdf").name == "pdf"
    assert "is a damaged or truncated PDF (" in refused(data).reason


def test_a_scanned_pdf_without_a_text_layer_is_refused() -> None:
    error = refused((HERE / "scan.pdf").read_bytes())
    assert error.reason.startswith("has no text layer: a scanned PDF? run OCR first")


def test_a_pdf_whose_fonts_do_not_map_to_characters_is_refused_naming_the_page() -> None:
    font = (
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding"
        b" << /Type /Encoding /Differences [65 /g1 /g2 /g3 /g4] >> >>"
    )
    error = refused(tiny_pdf(["", text(20, 300, "ABCD" * 10)], font=font))
    assert error.page == 2 and "cannot be read" in error.reason


def test_a_pdf_without_pages_is_refused() -> None:
    assert refused(tiny_pdf([])).reason == "is a damaged or truncated PDF (data format error)"


def test_a_pdf_whose_cross_reference_table_is_off_still_reads() -> None:
    data = tiny_pdf([text(20, 300, "Still here")])
    broken = re.sub(rb"startxref\n\d+", b"startxref\n9", data)  # PDFium rebuilds the table
    assert read(broken, "t.pdf").lines == ["Still here"]


def test_a_text_pdf_without_tables_reads_as_paragraphs() -> None:
    layout = read(tiny_pdf([text(20, 300, "Dear reader,") + text(40, 280, "no table here.")]), "t.pdf")
    assert layout.lines == ["Dear reader,", " no table here."]


def test_without_pypdfium2_the_reader_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_pdfium(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.startswith("pypdfium2"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pdfium)
    with pytest.raises(KgError, match="pip install pypdfium2"):
        read(FORM.read_bytes(), "form.pdf")


def test_threads_reading_at_once_read_what_one_reads(form: Layout) -> None:
    data = FORM.read_bytes()
    with ThreadPoolExecutor(4) as pool:
        layouts = list(pool.map(lambda _: read(data, "form.pdf"), range(8)))
    assert all(layout.lines == form.lines and layout.pages == form.pages for layout in layouts)


# --- PDFs written by hand: one drawing each ----------------------------------------------------


def tiny_pdf(
    pages: Sequence[str],
    *,
    rotate: int = 0,
    size: tuple[int, int] = (300, 400),
    forms: dict[str, tuple[str, tuple[float, ...]]] | None = None,
    font: bytes | None = None,
) -> bytes:
    """A PDF of `pages` (content streams) with Helvetica as /F1; `forms`: XObject name ->
    (content stream, matrix)."""
    helvetica = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"", font or helvetica]

    def stream(content: str, head: bytes = b"") -> bytes:
        data = content.encode("latin-1")
        return b"<< " + head + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"

    names = []
    for name, (content, matrix) in (forms or {}).items():
        head = b"/Type /XObject /Subtype /Form /BBox [-2000 -2000 2000 2000] /Matrix [%s] " % (
            " ".join(map(str, matrix)).encode()
        )
        objects.append(stream(content, head + b"/Resources << /Font << /F1 3 0 R >> >>"))
        names.append(b"/%s %d 0 R" % (name.encode(), len(objects)))
    kids = []
    for content in pages:
        objects.append(stream(content))
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Rotate %d /Contents %d 0 R "
            b"/Resources << /Font << /F1 3 0 R >> /XObject << %s >> >> >>"
            % (size[0], size[1], rotate, len(objects), b" ".join(names))
        )
        kids.append(b"%d 0 R" % len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), len(kids))
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def text(x: float, y: float, words: str, size: float = 10) -> str:
    """`words` at (x, y), PDF user space (y up)."""
    return f"BT /F1 {size} Tf {x} {y} Td ({words}) Tj ET "


def grid_lines(xs: Sequence[float], ys: Sequence[float]) -> str:
    """A full grid of stroked lines."""
    out = "0 0 0 RG 0.5 w "
    out += "".join(f"{xs[0]} {y} m {xs[-1]} {y} l S " for y in ys)
    return out + "".join(f"{x} {ys[0]} m {x} {ys[-1]} l S " for x in xs)


def random_bytes(count: int) -> bytes:
    return os.urandom(count)


def test_borders_drawn_as_thin_rectangles_make_a_table_and_shading_does_not() -> None:
    # Word draws a cell border as a filled rectangle half a point thick; a grey cell background
    # is a filled rectangle too, and a white line shows nothing.
    xs, ys = (20, 120, 220), (300, 280, 260)
    borders = "0 0 0 rg " + "".join(f"{xs[0]} {y - 0.25} 200 0.5 re f " for y in ys)
    borders += "".join(f"{x - 0.25} {ys[-1]} 0.5 40 re f " for x in xs)
    shading = "0.85 g 20 280 200 20 re f 0.85 g 40 200 150 30 re f "
    white = "1 1 1 RG 1 w 70 260 m 70 300 l S "
    content = (
        shading + borders + white + text(25, 285, "Code") + text(125, 285, "Name") + text(25, 265, "K01")
    )
    layout = read(tiny_pdf([content + text(25, 120, "after the table")]), "t.pdf")
    assert layout.lines == ["Code\tName", "K01\t", "", "", "after the table"]


def test_a_table_drawn_in_a_form_xobject_is_placed_by_its_matrices() -> None:
    table = (
        grid_lines((20, 120, 220), (300, 280, 260)) + text(25, 285, "Top left") + text(125, 265, "Down right")
    )
    page = "q 1 0 0 1 0 -150 cm /Fm1 Do Q " + text(20, 380, "Above")
    layout = read(tiny_pdf([page], forms={"Fm1": (table, (1, 0, 0, 1, 0, 50))}), "t.pdf")
    assert layout.lines == ["Above", "", "Top left\t", "\tDown right", ""]


def test_a_rotated_page_is_read_as_it_is_shown() -> None:
    # /Rotate 90: text drawn turned a quarter anticlockwise reads upright on screen.
    lines = "0 0 0 RG 1 w " + "".join(f"{x} 20 m {x} 220 l S " for x in (100, 120, 140))
    lines += "".join(f"100 {y} m 140 {y} l S " for y in (20, 120, 220))

    def turned(x: float, y: float, words: str) -> str:
        return f"BT /F1 10 Tf 0 1 -1 0 {x} {y} Tm ({words}) Tj ET "

    content = lines + turned(115, 25, "First") + turned(115, 125, "Second") + turned(135, 25, "Third")
    layout = read(tiny_pdf([content], rotate=90), "t.pdf")
    assert layout.lines == ["First\tSecond", "Third\t", ""]


def test_spaces_come_from_the_text_or_from_gaps_as_wide_as_one() -> None:
    # Words placed apart (no space characters), a font scaled by its matrix (1 pt font at 10x),
    # and letters drawn twice a hair apart (fake bold) once.
    placed = "BT /F1 1 Tf 10 0 0 10 20 300 Tm (Hello) Tj 2.6 0 Td (World) Tj ET "
    bold = text(20, 280, "Bold") + text(20.3, 280, "Bold")
    layout = read(tiny_pdf([placed + bold + text(20, 260, "Kept  as  written")]), "t.pdf")
    assert layout.lines == ["Hello World", "Bold", "Kept as written"]


def test_a_watermark_across_the_page_is_not_text() -> None:
    table = grid_lines((20, 120, 220), (300, 280, 260)) + text(25, 285, "Code") + text(25, 265, "K01")
    watermark = "BT /F1 30 Tf 0.7 0.7 -0.7 0.7 40 200 Tm (DRAFT COPY) Tj ET "
    assert read(tiny_pdf([table + watermark]), "t.pdf").lines == ["Code\t", "K01\t", ""]


def test_a_lone_box_is_a_frame_not_a_table() -> None:
    frame = "0 0 0 RG 1 w 15 240 200 70 re S "
    layout = read(tiny_pdf([frame + text(20, 290, "Framed note") + text(20, 250, "second line")]), "t.pdf")
    assert layout.lines == ["Framed note", "second line"]


def test_a_table_open_at_its_sides_has_its_outer_columns() -> None:
    rules = "0 0 0 RG 1 w " + "".join(f"20 {y} m 220 {y} l S " for y in (300, 280, 260))
    rules += "120 260 m 120 300 l S "  # the one inner vertical: no border at the left or right
    content = (
        rules + text(25, 285, "Left") + text(125, 285, "Right") + text(25, 265, "A") + text(125, 265, "B")
    )
    assert read(tiny_pdf([content]), "t.pdf").lines == ["Left\tRight", "A\tB", ""]


def test_headers_and_footers_on_every_page_are_left_out_and_the_body_stays() -> None:
    pages = []
    numbers = ["- 1 -", "Page 2 of 3", "3 / 3"]
    for number in range(1, 4):
        page = text(20, 390, f"Annual report 2024, part {number}", 8)  # a running header, its digits vary
        page += text(20, 300, "The same body line")  # repeated in the body: kept
        page += text(150, 10, numbers[number - 1], 8)  # a page number
        if number == 1:
            page += text(20, 375, "A title at the top")  # unique, in the top margin: kept
        pages.append(page)
    layout = read(tiny_pdf(pages), "t.pdf")
    body = [line for line in layout.lines if line]
    assert body == ["A title at the top", "The same body line", "The same body line", "The same body line"]
    assert [layout.page_of(i + 1) for i, line in enumerate(layout.lines) if line.startswith("The")] == [
        1,
        2,
        3,
    ]


@pytest.mark.parametrize(
    "footer", ["1", "- 1 -", "第 1 頁", "第 1 頁，共 1 頁", "1 / 1", "Page 1 of 1", "p. 1"]
)
def test_a_bare_page_number_is_left_out_even_on_a_single_page(footer: str) -> None:
    from kg.parse.formats.pdf import _PAGE_NUMBER

    assert _PAGE_NUMBER.match(footer)
    if footer.isascii():
        layout = read(tiny_pdf([text(20, 300, "Body") + text(150, 10, footer, 8)]), "t.pdf")
        assert layout.lines == ["Body"]


# --- the geometry, without a PDF ---------------------------------------------------------------


def h(y: float, x0: float, x1: float) -> Ruling:
    return Ruling(False, y, x0, x1)


def v(x: float, y0: float, y1: float) -> Ruling:
    return Ruling(True, x, y0, y1)


def test_cells_without_a_ruling_between_them_are_one_spanning_cell() -> None:
    # 3 x 3 grid; (0,0)-(1,0) joined (no ruling between rows 0 and 1 in column 0), (2,1)-(2,2) joined
    rulings = [h(0, 0, 30), h(10, 10, 30), h(20, 0, 30), h(30, 0, 30)]
    rulings += [v(0, 0, 30), v(10, 0, 30), v(20, 0, 20), v(30, 0, 30)]
    (table,) = find_tables(rulings)
    assert table.xs == [0, 10, 20, 30] and table.ys == [0, 10, 20, 30]
    assert (0, 0, 1, 0) in table.cells and (2, 1, 2, 2) in table.cells and len(table.cells) == 7
    texts = [[f"{r0}{c0}"] for r0, c0, _, _ in table.cells]
    assert table.rows(texts) == [
        [["00"], ["01"], ["02"]],
        [[], ["11"], ["12"]],
        [["20"], ["21"], []],
    ]


def test_double_borders_and_nearly_touching_lines_are_one_ruling() -> None:
    rulings = [h(0, 0, 20), h(0.8, 0, 20), h(10, 0, 9.5), h(10, 10.5, 20), h(20, 0, 20)]  # double, gapped
    rulings += [v(0, 0, 20), v(10, 0, 20), v(20, 0, 20), v(21.5, 0, 20)]
    (table,) = find_tables(rulings)
    assert table.xs == [0, 10, 20] and table.ys == [0, 10, 20] and len(table.cells) == 4


def test_an_empty_gap_between_the_lines_of_a_wide_double_border_is_not_a_row() -> None:
    rulings = [h(0, 0, 20), h(10, 0, 20), h(13, 0, 20), h(23, 0, 20)]  # rows 0-10, 10-13 (gap), 13-23
    rulings += [v(0, 0, 23), v(10, 0, 23), v(20, 0, 23)]
    (table,) = find_tables(rulings)
    texts = [["x"] if r0 != 1 else [] for r0, _, _, _ in table.cells]
    assert len(table.rows(texts)) == 2


def test_an_l_shaped_merge_is_cut_into_cells_of_one_place() -> None:
    # (0,0), (1,0) and (1,1) joined: no ruling below (0,0), none right of (1,0)
    rulings = [h(0, 0, 20), h(10, 10, 20), h(20, 0, 20), v(0, 0, 20), v(10, 0, 10), v(20, 0, 20)]
    (table,) = find_tables(rulings)
    assert table.cells == [(0, 0, 0, 0), (0, 1, 0, 1), (1, 0, 1, 0), (1, 1, 1, 1)]


def chars(words: str, x: float = 0, top: float = 0, size: float = 10, advance: float = 5) -> list[Char]:
    out = []
    for ch in words:
        out.append(Char(ch, x, top, x + advance, top + size, size))
        x += advance
    return out


def test_line_text_spaces_latin_words_and_not_chinese() -> None:
    assert line_text(chars("ab") + chars("cd", x=12.5)) == "ab cd"  # a 2.5 pt gap at 10 pt: a space
    assert line_text(chars("ab") + chars("cd", x=11)) == "abcd"  # 1 pt: kerning
    assert line_text(chars("客服", advance=10) + chars("中心", x=20.5, advance=10)) == "客服中心"
    assert line_text(chars("a  b")) == "a b"  # the text's own spaces, once
    assert line_text(chars("ab ")) == "ab "  # the space a wrap falls on is kept for join_wrapped


def test_lines_group_characters_by_height_and_read_left_to_right() -> None:
    two = list(reversed(chars("上一行", top=0, advance=10))) + chars("下一行", top=14, advance=10)
    assert ["".join(c.text for c in line) for line in text_lines(two)] == ["上一行", "下一行"]
    superscript = [*chars("x", top=0), Char("2", 5, -2, 8, 4, 6)]
    assert len(text_lines(superscript)) == 1


def test_cell_text_joins_wrapped_lines_as_written() -> None:
    assert cell_text(["運作客戶", "服務中心"]) == "運作客戶服務中心"
    assert cell_text(["interactive voice", "response"]) == "interactive voice response"
    assert cell_text(["P1.1.1 評估", "P1.1.2 融入"]) == "P1.1.1 評估\nP1.1.2 融入"
    assert cell_text(["respo", "nse"], inside_words=True) == "response"
    assert cell_text(["IVR", "system"], inside_words=False) == "IVR system"


def test_indents_within_a_point_are_one() -> None:
    assert snapped_indents([56.7, 56.74, 57.2, 70.9]) == {56.7: 56.7, 56.74: 56.7, 57.2: 56.7, 70.9: 70.9}


# --- the generator ------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="needs LibreOffice")
def test_make_draws_the_form_the_tests_read(tmp_path: Path, form: Layout) -> None:
    made = read(make_form(tmp_path).read_bytes(), "form.pdf")
    assert rows_of(made)[:4] == rows_of(form)[:4]
    assert [row[0] for row in rows_of(made) if row[0].startswith("K")] == [f"K{n:02d}" for n in range(1, 31)]
