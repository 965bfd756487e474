"""The mapping table a certification file needs: xlsx (openpyxl) or CSV, Chinese headings.

One sheet per document: its tasks, activities, indicators, knowledge and skills in the
document's order, each with the course lines that cover it; a gaps sheet lists what no
line covers, and a course sheet every course line with what it covers. The workbook is
written to a temporary file beside the target and moved into place, so a failed write
leaves nothing half-written.
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from kg.atomic import write_atomically
from kg.course.report import CourseCoverage, DocumentCoverage
from kg.workbooks import cells, sheet_title

KIND_NAMES = {
    "task": "工作任務",
    "activity": "工作活動",
    "indicator": "行為指標",
    "knowledge": "知識",
    "skill": "技能",
}
ITEM_HEADINGS = [
    "代碼",
    "類別",
    "內容",
    "所屬",
    "是否涵蓋",
    "涵蓋的課程行",
    "課程內容",
    "分數",
    "對應關係",
    "行為指標涵蓋",
]
GAP_HEADINGS = ["文件", "代碼", "類別", "內容"]
LINE_HEADINGS = ["課程行", "課程內容", "文件", "代碼", "類別", "職能內容", "分數", "對應關係"]
RELATION_NAMES = {"exact": "完全對應", "close": "相近", "related": "相關"}


def item_rows(document: DocumentCoverage) -> list[list[object]]:
    rows: list[list[object]] = []
    for item in document.items:
        share = f"{item.indicators_covered}/{item.indicators}" if item.kind in ("task", "activity") else ""
        rows.append(
            [
                item.code,
                KIND_NAMES[item.kind],
                item.text,
                item.parent or "",
                "是" if item.covered else "否",
                "、".join(str(c["line"]) for c in item.covered_by),
                "\n".join(c["text"] for c in item.covered_by),
                max((c["score"] for c in item.covered_by), default=""),
                "、".join(dict.fromkeys(RELATION_NAMES[c["relation"]] for c in item.covered_by)),
                share,
            ]
        )
    return rows


def gap_rows(coverage: CourseCoverage) -> list[list[object]]:
    return [[d.document, i.code, KIND_NAMES[i.kind], i.text] for d in coverage.documents for i in d.gaps()]


def line_rows(coverage: CourseCoverage) -> list[list[object]]:
    rows: list[list[object]] = []
    per_line = coverage.line_matches()
    for line in coverage.lines:
        matches = per_line[line.line]
        if not matches:
            rows.append([line.line, line.text, "", "", "", "（非課程內容，未對應）", "", ""])
        for m in matches:
            rows.append(
                [
                    line.line,
                    line.text,
                    m.document,
                    m.code,
                    KIND_NAMES[m.kind],
                    m.text,
                    round(m.score, 4),
                    RELATION_NAMES[m.relation],
                ]
            )
    return rows


def write_xlsx(coverage: CourseCoverage, path: Path) -> None:
    """The workbook: a sheet per document, 缺口 (gaps) and 課程 (course lines)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    gap_fill = PatternFill("solid", fgColor="F8D7DA")
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for document in coverage.documents:
        sheet = book.create_sheet(sheet_title(document.document, used))
        sheet.append(cells([f"{document.document} {document.title}"]))
        sheet.append([document.summary()["text"]])
        sheet.append(ITEM_HEADINGS)
        for row in item_rows(document):
            sheet.append(cells(row))
            if row[4] == "否":
                for cell in sheet[sheet.max_row]:
                    cell.fill = gap_fill
        for cell in sheet[3]:
            cell.font = Font(bold=True)
        for column, width in zip("ABCDEFGHIJ", (10, 12, 50, 8, 8, 12, 40, 8, 10, 10), strict=True):
            sheet.column_dimensions[column].width = width
        for row in sheet.iter_rows(min_row=4):
            row[2].alignment = row[6].alignment = Alignment(wrap_text=True, vertical="top")
    for title, headings, rows in (
        ("缺口", GAP_HEADINGS, gap_rows(coverage)),
        ("課程", LINE_HEADINGS, line_rows(coverage)),
    ):
        sheet = book.create_sheet(sheet_title(title, used))
        sheet.append(headings)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(cells(row))
    write_atomically(path, lambda handle: book.save(handle))


def csv_text(coverage: CourseCoverage) -> str:
    """Every document's item rows in one CSV, the document in the first column."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["文件", *ITEM_HEADINGS])
    for document in coverage.documents:
        for row in item_rows(document):
            writer.writerow([document.document, *row])
    return out.getvalue()


def write_csv(coverage: CourseCoverage, path: Path) -> None:
    data = csv_text(coverage).encode("utf-8-sig")  # the BOM makes Excel read UTF-8
    write_atomically(path, lambda handle: handle.write(data))


def xlsx_bytes(coverage: CourseCoverage) -> bytes:
    """The workbook as bytes (the web app's download)."""
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "coverage.xlsx"
        write_xlsx(coverage, target)
        return target.read_bytes()
