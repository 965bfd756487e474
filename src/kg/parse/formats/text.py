"""Text sources: tab-separated rows, as extracted from iCAP's PDFs and web pages by hand."""

from __future__ import annotations

from kg.parse.layout import Layout
from kg.parse.text import decode_source


def read(data: bytes, source: str) -> Layout:
    return Layout.from_text(decode_source(data, source))
