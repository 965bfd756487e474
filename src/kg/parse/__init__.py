"""Raw iCAP document -> parsed model (`Document`).

`parse_file` reads one file; `parse_paths` expands files and folders. The format (text,
PDF, ODT, DOCX, HTML: `kg.parse.formats`), the kind (standard, unit or a registered one:
`kg.parse.kinds`) and the code come from the content, never from the file name. Every
format is read into the shared table model (`kg.parse.layout`) that the parsers read.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from kg.errors import ParseError, StrictError
from kg.parse.cache import LayoutCache, read_layout
from kg.parse.files import SOURCE_SUFFIXES, discover, display_path, read_bytes
from kg.parse.kinds import detect_kind, document_kind, document_kinds
from kg.parse.layout import Layout
from kg.parse.model import Document
from kg.parse.pages import on_pages
from kg.parse.standard import STANDARD
from kg.parse.unit import UNIT

__all__ = [
    "SOURCE_SUFFIXES",
    "STANDARD",
    "UNIT",
    "Document",
    "LayoutCache",
    "detect_kind",
    "discover",
    "display_path",
    "parse_bytes",
    "parse_file",
    "parse_layout",
    "parse_paths",
    "parse_text",
    "read_bytes",
    "read_file",
]


def parse_layout(layout: Layout, source: str) -> Document:
    """Parse a document read into the shared table model; `source` names it in the model and errors.

    In a paginated format every item gets the page its line is on, and errors and
    warnings name the page (`kg.parse.pages`).
    """
    with on_pages(layout, source) as pages:
        name = detect_kind("\n".join(layout.lines))
        if name is None:
            labels = [kind.code_label for kind in document_kinds()]
            listed = ", ".join(labels[:-1]) + " or " + labels[-1] if len(labels) > 1 else "".join(labels)
            raise ParseError(source, f"not a document of a known kind (no {listed} row)")
        kind = document_kind(name)
        parser = kind.parser(layout.lines, source, kind, tables_bounded=layout.format != "text")
        document = parser.parse()
        parser.check_complete(document)
        document.warnings = pages.warnings(parser.warnings)
        pages.place(document)
    return document


def parse_text(text: str, source: str) -> Document:
    """Parse a document's decoded text; `source` names it in the model and in errors."""
    return parse_layout(Layout.from_text(text), source)


def parse_bytes(data: bytes, source: str, cache: LayoutCache | None = None) -> Document:
    """Read (in whichever format the content is) and parse a source file's bytes.

    With a cache, a file read before (the same bytes) is not read again.
    """
    return parse_layout(read_layout(data, source, cache), source)


def read_file(path: str | Path) -> Layout:
    """A source file read into the shared table model, as the parsers see it (`kg parse --rows`)."""
    path = Path(path)
    source = display_path(path)
    return read_layout(read_bytes(path, source), source)


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
