"""What the Excel workbooks kg writes share (course coverage, exports)."""

from __future__ import annotations


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
