"""Documents as one table, a row per coded item: CSV (UTF-8 with a BOM, which Excel needs to
read Chinese) and XLSX (a sheet per document), headings in Chinese with English beside them."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from kg.export.outline import Framework
from kg.workbooks import cells, sheet_title

HEADINGS = [
    "文件代碼 Document",
    "文件名稱 Title",
    "項目代碼 Code",
    "項目種類 Kind",
    "內容 Text",
    "級別 Level",
    "上層項目 Parent",
    "所需知識技能 Needs",
    "對應項目 Corresponds to",
    "IRI",
]


def rows(framework: Framework) -> Iterator[list[object]]:
    """One row per item, in the document's order."""
    document = framework.document
    aligned: dict[str, list[str]] = {}
    for alignment in framework.alignments:
        aligned.setdefault(alignment.item, []).append(
            f"{alignment.other_document} {alignment.other_code} ({alignment.relation})"
        )
    for node in framework.nodes:
        yield [
            document.code,
            document.title or "",
            node.code,
            " ".join(node.kind_labels),
            node.text,
            node.level if node.level is not None else "",
            node.parent or "",
            ", ".join(node.needs),
            "; ".join(aligned.get(node.iri, [])),
            node.iri,
        ]


def csv_bytes(frameworks: list[Framework]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADINGS)
    for framework in frameworks:
        writer.writerows(rows(framework))
    return out.getvalue().encode("utf-8-sig")


def xlsx_bytes(frameworks: list[Framework]) -> bytes:
    """A workbook with a sheet per document (its code as the sheet's name)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for framework in frameworks:
        sheet = book.create_sheet(sheet_title(framework.document.code, used))
        sheet.append(HEADINGS)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows(framework):
            sheet.append(cells(row))
        for column, width in zip("ABCDEFGHIJ", (14, 24, 10, 14, 60, 6, 10, 18, 30, 40), strict=True):
            sheet.column_dimensions[column].width = width
        for row in sheet.iter_rows(min_row=2):
            row[4].alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = "A2"
    if not book.sheetnames:
        book.create_sheet("empty").append(HEADINGS)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
