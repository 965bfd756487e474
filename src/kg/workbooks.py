"""What the Excel workbooks kg writes share (course coverage, exports)."""

from __future__ import annotations

import re
from collections.abc import Iterable

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# What a worksheet cell cannot hold (openpyxl refuses it): C0 control characters but tab,
# newline and carriage return.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def sheet_title(text: str, used: set[str]) -> str:
    """An Excel sheet name: at most 31 characters, none of []:*?/\\, unique in the workbook
    (`used` holds the names taken, and gets this one)."""
    title = "".join("_" if c in "[]:*?/\\" else c for c in text)[:31] or "sheet"
    base, n = title, 2
    while title in used:
        title = f"{base[:28]}-{n}"
        n += 1
    used.add(title)
    return title


def cell_text(text: str) -> str:
    """Text a worksheet cell can hold: control characters (PDF extraction leaves some) dropped."""
    return _ILLEGAL.sub("", text)


def cells(row: Iterable[object]) -> list[object]:
    """A row a worksheet can hold: its texts through `cell_text`, other values as they are."""
    return [cell_text(value) if isinstance(value, str) else value for value in row]
