"""PDF: the tables ruled on each page, and the lines of text outside them, read with PDFium.

PDFium (pypdfium2) gives each character with its box and each drawn path; the borders a
word processor draws around cells (stroked lines, or filled rectangles a point or two
thin) are the rulings `kg.parse.formats.pdf_grid` finds the tables in. Every table row is
a `Block` on its page, every line of text outside the tables a paragraph indented by its
left edge; running headers and footers (a bare page number, or a line repeated at the
same height on other pages) are left out. Encrypted, damaged and scanned (text-less)
files are refused in one line each.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from typing import Any

from kg.errors import KgError, ParseError
from kg.parse.formats.pdf_page import PageLayout, keeps_wrapped_spaces, page_layout, snapped_indents
from kg.parse.formats.pdf_pdfium import PageContent, page_content
from kg.parse.layout import Block, Layout

MARGIN = 0.08  # running headers and footers sit in this share of the page at its top or bottom
SAME_HEIGHT = 2.0  # a header on two pages within this many points is at the same height

# PDFium is not thread-safe: one document at a time in a process.
_PDFIUM = threading.Lock()

_PAGE_NUMBER = re.compile(
    r"""^(?:
        [-–—]?\s*\d{1,4}\s*[-–—]?                               # 1, - 1 -
      | 第\s*\d{1,4}\s*頁(?:\s*[,，、/|]?\s*共\s*\d{1,4}\s*頁)?   # 第 1 頁，共 5 頁
      | 共\s*\d{1,4}\s*頁\s*[,，、/|]?\s*第\s*\d{1,4}\s*頁
      | \d{1,4}\s*/\s*\d{1,4}                                   # 1 / 5
      | (?:page|p\.)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?         # Page 1 of 5
    )$""",
    re.IGNORECASE | re.VERBOSE,
)


def _pdfium() -> tuple[Any, Any]:
    try:
        import pypdfium2  # type: ignore[import-untyped]
        import pypdfium2.raw  # type: ignore[import-untyped]
    except ImportError:
        raise KgError("reading PDF files needs pypdfium2: pip install pypdfium2") from None
    return pypdfium2, pypdfium2.raw


def read(data: bytes, source: str) -> Layout:
    """A PDF's tables and paragraphs, page by page."""
    with _PDFIUM:
        pages = _read_pages(data, source)
    return layout_of(pages, source)


def layout_of(pages: list[PageContent], source: str) -> Layout:
    """The layout of pages read (whichever library took their characters and rulings): a
    ParseError if they have no text, or text that maps to no characters."""
    for number, page in enumerate(pages, 1):
        if page.unmapped >= 5 and page.unmapped * 4 > len(page.chars):
            raise ParseError(
                source,
                "has text whose fonts do not say which characters they draw, so it cannot be read: "
                "get it as another digital PDF, ODT or DOCX",
                page=number,
            )
    if not any(not c.text.isspace() for page in pages for c in page.chars):
        raise ParseError(
            source,
            "has no text layer: a scanned PDF? run OCR first, or better, get it as a digital PDF, "
            "ODT or DOCX (README: Adding iCAP documents)",
        )
    layouts = [page_layout(page.chars, page.rulings) for page in pages]
    dropped = _furniture(layouts, [page.height for page in pages])
    indents = snapped_indents(
        line.x0
        for layout, gone in zip(layouts, dropped, strict=True)
        for i, line in enumerate(layout.lines)
        if i not in gone
    )
    inside_words = keeps_wrapped_spaces(layouts)
    blocks: list[Block] = []
    for number, (layout, gone) in enumerate(zip(layouts, dropped, strict=True), 1):
        blocks.extend(layout.blocks(number, indents, gone, inside_words))
    return Layout.from_blocks(blocks, "pdf")


# --- running headers and footers ---------------------------------------------------------------


def _furniture(layouts: list[PageLayout], heights: list[float]) -> list[set[int]]:
    """Per page, the lines (by index) that are running headers or footers: in the top or bottom
    MARGIN of the page, a bare page number, or the same text (digits aside) as a line at the
    same height on another page."""
    dropped: list[set[int]] = [set() for _ in layouts]
    seen: dict[str, list[tuple[int, int, float]]] = {}
    for page, (layout, height) in enumerate(zip(layouts, heights, strict=True)):
        for index, line in enumerate(layout.lines):
            if line.top > height * MARGIN and line.bottom < height * (1 - MARGIN):
                continue
            text = unicodedata.normalize("NFKC", line.text).strip()
            if _PAGE_NUMBER.match(text):
                dropped[page].add(index)
            seen.setdefault(re.sub(r"\d+", "#", re.sub(r"\s+", "", text)), []).append((page, index, line.top))
    for places in seen.values():
        for page, index, top in places:
            if any(p != page and abs(t - top) <= SAME_HEIGHT for p, _, t in places):
                dropped[page].add(index)
    return dropped


# --- PDFium: characters and rulings ------------------------------------------------------------


def _read_pages(data: bytes, source: str) -> list[PageContent]:
    """Every page's characters and rulings; a ParseError for a file PDFium cannot open or read."""
    pdfium, raw = _pdfium()
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        if getattr(error, "err_code", None) in (raw.FPDF_ERR_PASSWORD, raw.FPDF_ERR_SECURITY):
            raise ParseError(source, "is an encrypted PDF: save a copy without a password first") from None
        raise ParseError(source, f"is a damaged or truncated PDF ({_reason(error)})") from None
    try:
        # PDFium rebuilds a broken cross-reference table from what it finds: a file cut short
        # would read as its first pages only.
        ends = data.rstrip(b"\x00\t\r\n ")[-1024:]
        if not raw.FPDF_DocumentHasValidCrossReferenceTable(document.raw) and b"%%EOF" not in ends:
            raise ParseError(source, "is a damaged or truncated PDF (it ends before its end-of-file marker)")
        if len(document) == 0:
            raise ParseError(source, "is a damaged or truncated PDF (it has no pages)")
        pages = []
        for number in range(1, len(document) + 1):
            try:
                page = document[number - 1]
                try:
                    pages.append(page_content(page, raw))
                finally:
                    page.close()
            except pdfium.PdfiumError as error:
                raise ParseError(source, f"is a damaged PDF ({_reason(error)})", page=number) from None
        return pages
    finally:
        document.close()


def _reason(error: Exception) -> str:
    """PDFium's words for what failed ("data format error"), without its wrapping."""
    match = re.search(r"PDFium: ([^)]+)", str(error))
    reason = match.group(1).strip() if match else str(error)
    return reason[:1].lower() + reason[1:]
