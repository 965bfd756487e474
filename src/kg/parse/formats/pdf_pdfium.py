"""PDFium (pypdfium2): a page's characters (with their boxes and sizes) and its ruling lines.

Everything is given as the page is shown: points from its top left corner, after its
/Rotate. The rulings are the straight horizontal and vertical lines drawn: stroked path
segments, and filled rectangles no more than THIN_RECT thick (how many word processors
draw cell borders); wider filled rectangles are cell shading, and white or transparent
lines show nothing. Paths inside form XObjects are placed by their form's matrix.
"""

from __future__ import annotations

import ctypes
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from kg.parse.formats.pdf_grid import Ruling
from kg.parse.formats.pdf_page import Char

THIN_RECT = 3.0  # a filled rectangle at most this thick (points) is a drawn line (a border up to 3 pt)


@dataclass
class PageContent:
    """What the reader takes from a page."""

    chars: list[Char]
    rulings: list[Ruling]
    height: float
    unmapped: int  # characters whose font gives no Unicode text for them


class _View:
    """PDF user space -> the page as shown: points from its top left, after its /Rotate (an
    affine map x' = a x + c y + e, y' = b x + d y + f)."""

    def __init__(self, page: Any) -> None:
        left, bottom, right, top = page.get_cropbox()
        rotation = page.get_rotation() % 360
        self.map = {
            90: (0.0, 1.0, 1.0, 0.0, -bottom, -left),
            180: (-1.0, 0.0, 0.0, 1.0, right, -bottom),
            270: (0.0, -1.0, -1.0, 0.0, top, right),
        }.get(rotation, (1.0, 0.0, 0.0, -1.0, -left, top))
        turned = rotation in (90, 270)
        self.width = (top - bottom) if turned else (right - left)
        self.height = (right - left) if turned else (top - bottom)

    def point(self, x: float, y: float) -> tuple[float, float]:
        a, b, c, d, e, f = self.map
        return a * x + c * y + e, b * x + d * y + f


def page_content(page: Any, raw: Any) -> PageContent:
    """A page's characters and rulings (`page` a pypdfium2 PdfPage, `raw` pypdfium2.raw)."""
    view = _View(page)
    textpage = page.get_textpage()
    try:
        chars, unmapped = _chars(textpage.raw, raw, view)
    finally:
        textpage.close()
    rulings = list(_rulings(raw, page.raw, view))
    return PageContent(chars, rulings, view.height, unmapped)


def _chars(textpage: Any, raw: Any, view: _View) -> tuple[list[Char], int]:
    """The printed characters (not the spaces and line breaks PDFium infers), and how many
    have no Unicode value."""
    chars: list[Char] = []
    unmapped = 0
    rect, matrix = raw.FS_RECTF(), raw.FS_MATRIX()
    x, y = ctypes.c_double(), ctypes.c_double()
    a, b, c, d, e, f = view.map
    count = raw.FPDFText_CountChars(textpage)
    index = 0
    while index < count:
        i, index = index, index + 1
        code = raw.FPDFText_GetUnicode(textpage, i)
        if code in (0x20, 0x0D, 0x0A) and raw.FPDFText_IsGenerated(textpage, i) == 1:
            continue  # a space or line break PDFium infers
        if 0xD800 <= code < 0xDC00 and index < count:  # a UTF-16 pair (where wchar_t is 16 bits)
            low = raw.FPDFText_GetUnicode(textpage, index)
            if 0xDC00 <= low < 0xE000:
                code, index = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00), index + 1
        if code in (0, 0xFFFD) or raw.FPDFText_HasUnicodeMapError(textpage, i) == 1:
            unmapped += 1
            continue
        text = chr(code)
        if unicodedata.category(text) in ("Cc", "Cf") and not text.isspace():
            continue
        if not (
            raw.FPDFText_GetLooseCharBox(textpage, i, rect)
            and raw.FPDFText_GetCharOrigin(textpage, i, x, y)
            and raw.FPDFText_GetMatrix(textpage, i, matrix)
        ):
            continue
        if min(abs(matrix.a), abs(matrix.b)) > 0.1 * max(abs(matrix.a), abs(matrix.b)):
            continue  # text on a slant: a watermark across the page, not the page's text
        # The font size as printed (the text and page matrices scale it), and the line's baseline:
        # a font's own box can be much taller than its letters.
        size = raw.FPDFText_GetFontSize(textpage, i) * abs(matrix.a * matrix.d - matrix.b * matrix.c) ** 0.5
        left = a * rect.left + c * rect.bottom + e
        right = a * rect.right + c * rect.top + e
        baseline = b * x.value + d * y.value + f
        if left > right:
            left, right = right, left
        if not (0 <= (left + right) / 2 <= view.width and 0 <= baseline <= view.height):
            continue  # outside the page as shown (its crop box): not printed
        top, bottom = baseline - 0.8 * size, baseline + 0.2 * size
        chars.append(Char(" " if text.isspace() else text, left, top, right, bottom, size))
    return chars, unmapped


_Matrix = tuple[float, float, float, float, float, float]
_IDENTITY: _Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _times(m: _Matrix, n: _Matrix) -> _Matrix:
    """m then n: a point mapped by m, then by n."""
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return (a * p + b * r, a * q + b * s, c * p + d * r, c * q + d * s, e * p + f * r + t, e * q + f * s + u)


def _objects(raw: Any, page: Any) -> Iterator[tuple[Any, _Matrix]]:
    """The page's path objects, with the matrix from their form (if in one) to the page."""
    matrix = raw.FS_MATRIX()
    stack: list[tuple[Any, int, _Matrix]] = [(page, 0, _IDENTITY)]  # holder, forms it is in, matrix
    while stack:
        holder, depth, outer = stack.pop()
        is_form = depth > 0
        count = raw.FPDFFormObj_CountObjects(holder) if is_form else raw.FPDFPage_CountObjects(holder)
        for i in range(count):
            obj = raw.FPDFFormObj_GetObject(holder, i) if is_form else raw.FPDFPage_GetObject(holder, i)
            kind = raw.FPDFPageObj_GetType(obj)
            if kind == raw.FPDF_PAGEOBJ_PATH:
                yield obj, outer
            elif kind == raw.FPDF_PAGEOBJ_FORM and depth < 16 and raw.FPDFPageObj_GetMatrix(obj, matrix):
                own = (matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f)
                stack.append((obj, depth + 1, _times(own, outer)))


def _visible(raw: Any, obj: Any, getter: Any) -> bool:
    """Whether a stroke or fill colour shows on white paper (not white, not transparent)."""
    r, g, b, a = ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint()
    if not getter(obj, r, g, b, a):
        return True
    return a.value > 0 and min(r.value, g.value, b.value) < 0xF0


def _rulings(raw: Any, page: Any, view: _View) -> Iterator[Ruling]:
    """The straight horizontal and vertical lines drawn on the page: stroked path segments and
    thin filled rectangles."""
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    x, y = ctypes.c_float(), ctypes.c_float()
    matrix = raw.FS_MATRIX()
    for obj, outer in _objects(raw, page):
        if not raw.FPDFPath_GetDrawMode(obj, fill, stroke) or not raw.FPDFPageObj_GetMatrix(obj, matrix):
            continue
        stroked = bool(stroke.value) and _visible(raw, obj, raw.FPDFPageObj_GetStrokeColor)
        filled = fill.value != raw.FPDF_FILLMODE_NONE and _visible(raw, obj, raw.FPDFPageObj_GetFillColor)
        if not stroked and not filled:
            continue
        a, b, c, d, e, f = _times((matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f), outer)
        subpaths: list[list[tuple[float, float]]] = []
        straight: list[list[bool]] = []  # per subpath: whether the segment to each point is straight
        for i in range(raw.FPDFPath_CountSegments(obj)):
            segment = raw.FPDFPath_GetPathSegment(obj, i)
            if not raw.FPDFPathSegment_GetPoint(segment, x, y):
                continue
            kind = raw.FPDFPathSegment_GetType(segment)
            point = view.point(a * x.value + c * y.value + e, b * x.value + d * y.value + f)
            if kind == raw.FPDF_SEGMENT_MOVETO or not subpaths:
                subpaths.append([point])
                straight.append([False])
            else:
                subpaths[-1].append(point)
                straight[-1].append(kind == raw.FPDF_SEGMENT_LINETO)
            if raw.FPDFPathSegment_GetClose(segment) and subpaths[-1][0] != subpaths[-1][-1]:
                subpaths[-1].append(subpaths[-1][0])
                straight[-1].append(True)
        for points, lines in zip(subpaths, straight, strict=True):
            if stroked:
                yield from _segments(points, lines)
            elif filled:
                yield from _thin_rectangle(points)


def _segments(points: list[tuple[float, float]], straight: list[bool]) -> Iterator[Ruling]:
    """The horizontal and vertical straight segments of a stroked subpath."""
    for (x0, y0), (x1, y1), line in zip(points, points[1:], straight[1:], strict=False):
        if not line:
            continue
        if abs(y1 - y0) <= 0.5 and abs(x1 - x0) > 0.5:
            yield Ruling(False, (y0 + y1) / 2, min(x0, x1), max(x0, x1))
        elif abs(x1 - x0) <= 0.5 and abs(y1 - y0) > 0.5:
            yield Ruling(True, (x0 + x1) / 2, min(y0, y1), max(y0, y1))


def _thin_rectangle(points: list[tuple[float, float]]) -> Iterator[Ruling]:
    """A filled axis-aligned rectangle at most THIN_RECT thick, as the line it draws."""
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    left, right, top, bottom = min(xs), max(xs), min(ys), max(ys)
    corners = all(
        min(abs(px - left), abs(px - right)) <= 0.1 and min(abs(py - top), abs(py - bottom)) <= 0.1
        for px, py in points
    )
    if len(points) < 4 or not corners:
        return
    width, height = right - left, bottom - top
    if height <= THIN_RECT and height < width:
        yield Ruling(False, (top + bottom) / 2, left, right)
    elif width <= THIN_RECT and width < height:
        yield Ruling(True, (left + right) / 2, top, bottom)
