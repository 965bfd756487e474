"""Input formats: each reads a file's bytes into the shared table model (`kg.parse.layout`).

The format is found from the content, never from the file name: PDF by its `%PDF-`
signature, ODT by the zip's `mimetype` entry, DOCX by the zip's `[Content_Types].xml`,
HTML by its markup, and text otherwise. `detect_format` is the one place that picks the
reader; a new format is a module with `read(data, source) -> Layout` and one
`register_format(...)`. Readers are imported when first used, so that their libraries
(pypdfium2 ...) load only for the files that need them.
"""

from __future__ import annotations

import importlib
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from kg.errors import ParseError
from kg.parse.formats.shared import ZIP_ERRORS, read_start
from kg.parse.layout import Layout

Reader = Callable[[bytes, str], Layout]


@dataclass(frozen=True)
class InputFormat:
    """A kind of file the parsers can read, and the module that reads it."""

    name: str  # "pdf"
    suffixes: tuple[str, ...]  # what files in a folder are looked at (the content decides the format)
    module: str  # the module whose `read(data, source)` returns the file's Layout

    def read(self, data: bytes, source: str) -> Layout:
        reader: Reader = importlib.import_module(self.module).read
        return reader(data, source)


_FORMATS: dict[str, InputFormat] = {}


def register_format(input_format: InputFormat) -> InputFormat:
    _FORMATS[input_format.name] = input_format
    return input_format


def source_suffixes() -> tuple[str, ...]:
    """The file name endings looked at inside a folder (.txt, .pdf ...)."""
    return tuple(suffix for f in _FORMATS.values() for suffix in f.suffixes)


TEXT = register_format(InputFormat("text", (".txt", ".text", ".tsv"), "kg.parse.formats.text"))
PDF = register_format(InputFormat("pdf", (".pdf",), "kg.parse.formats.pdf"))
ODT = register_format(InputFormat("odt", (".odt",), "kg.parse.formats.odt"))
DOCX = register_format(InputFormat("docx", (".docx",), "kg.parse.formats.docx"))
HTML = register_format(InputFormat("html", (".html", ".htm"), "kg.parse.formats.html"))

_ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
_DOCX_MAIN = b"wordprocessingml.document.main"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc, .xls, or an encrypted DOCX
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
# Markup first (after a BOM, white space, comments or an XML declaration): an HTML page.
_HTML_START = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*"
    rb"<(?:!doctype\s+html|html|head|body|meta|title|table|div|p|h[1-6])\b",
    re.IGNORECASE | re.DOTALL,
)


def detect_format(data: bytes, source: str) -> InputFormat:
    """The format of a file's bytes; a ParseError for a file no reader takes."""
    if b"%PDF-" in data[:1024]:
        return PDF
    if data.startswith(_ZIP):
        return _zip_format(data, source)
    if data.startswith(_OLE2):
        raise ParseError(
            source,
            "is a legacy Word (.doc) or password-protected Office file: save it as DOCX, ODT or PDF",
        )
    if _HTML_START.match(data[:4096]):
        return HTML
    return TEXT


def _zip_format(data: bytes, source: str) -> InputFormat:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            # A member's first megabyte tells the format, however large the member is.
            start = {
                n: read_start(archive, n, 2**20) for n in ("mimetype", "[Content_Types].xml") if n in names
            }
            if start.get("mimetype", b"").strip() == _ODT_MIMETYPE:
                return ODT
            if _DOCX_MAIN in start.get("[Content_Types].xml", b""):
                return DOCX
    except ZIP_ERRORS:
        raise ParseError(source, "is a damaged or truncated zip archive (an ODT or DOCX file?)") from None
    raise ParseError(
        source, "is a zip archive but no ODT or DOCX document (it has no ODF mimetype or Word content types)"
    )
