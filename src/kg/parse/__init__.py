"""Raw iCAP document -> parsed model (`Document`).

`parse_file` reads one file; `parse_paths` expands files and folders. The kind
(standard or unit) and code come from the content, never from the file name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from kg.errors import ParseError, StrictError
from kg.parse.files import SOURCE_SUFFIXES, discover, display_path, read_bytes
from kg.parse.model import Document
from kg.parse.standard import StandardParser
from kg.parse.text import decode_source, normalise_label
from kg.parse.unit import UnitParser

__all__ = [
    "SOURCE_SUFFIXES",
    "Document",
    "detect_kind",
    "discover",
    "display_path",
    "parse_bytes",
    "parse_file",
    "parse_paths",
    "parse_text",
    "read_bytes",
]


def detect_kind(text: str) -> str | None:
    """'standard' or 'unit' from the document's own code label; None if neither."""
    for line in text.split("\n"):
        label = normalise_label(line.split("\t")[0])
        if re.match(r"^職能基準代碼", label):
            return "standard"
        if re.match(r"^職能單元代碼", label):
            return "unit"
    return None


def parse_text(text: str, source: str) -> Document:
    """Parse a document's decoded text; `source` names it in the model and in errors."""
    kind = detect_kind(text)
    lines = text.split("\n")
    if kind in ("standard", "unit"):
        parser = StandardParser(lines, source) if kind == "standard" else UnitParser(lines, source)
        document = parser.parse()
        parser.check_complete(document)
        document.warnings = parser.warnings
        return document
    raise ParseError(source, "not a document of a known kind (no 職能基準代碼 or 職能單元代碼 row)")


def parse_bytes(data: bytes, source: str) -> Document:
    """Decode and parse a source file's bytes; `source` names it in the model and in errors."""
    return parse_text(decode_source(data, source), source)


def parse_file(path: str | Path) -> Document:
    """Read (a regular file only), decode and parse one source file."""
    path = Path(path)
    source = display_path(path)
    return parse_bytes(read_bytes(path, source), source)


def parse_paths(paths: Iterable[str | Path], strict: bool = False) -> list[Document]:
    """Parse every file named, and every source file inside every folder named.

    `strict` makes every warning an error: a StrictError listing them all.
    """
    documents = [parse_file(path) for path in discover(paths)]
    if strict:
        warnings = [warning for document in documents for warning in document.warnings]
        if warnings:
            raise StrictError(warnings)
    return documents
