"""What the parsers share: the source's lines, its kind, warnings and errors."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from kg.errors import ParseError
from kg.parse.model import Document

if TYPE_CHECKING:
    from kg.parse.kinds import DocumentKind

_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


class DocumentParser:
    """Base of the parsers: `parse()` turns the lines of one source of `kind` into a Document."""

    def __init__(
        self, lines: list[str], source: str, kind: DocumentKind, tables_bounded: bool = False
    ) -> None:
        self.lines = lines
        self.source = source
        self.kind = kind
        # The reader saw where each table ends (every format but text, whose tables end
        # with a `--` row or simply stop): a table cannot have been cut short unseen.
        self.tables_bounded = tables_bounded
        self.warnings: list[str] = []

    def error(self, message: str, line: int | None = None) -> ParseError:
        return ParseError(self.source, message, line)

    def checked_code(self, code: str | None, line: int | None) -> str:
        """The document's code, or a clear error when it is missing or malformed."""
        name = self.kind.name
        if not code:
            raise self.error(f"no {self.kind.code_label} ({name} code) value found")
        if not _CODE.fullmatch(code):
            raise self.error(f"the {name} code '{code}' is not a well-formed code", line)
        return code

    def parse(self) -> Document:
        raise NotImplementedError

    def has(self, document: Document, section: str) -> bool:
        """Does the document hold this expected section (`DocumentKind.expected_sections`)?"""
        return bool(getattr(document, section, None))

    def check_complete(self, document: Document) -> None:
        """Warn when the document ends without a section every document of its kind has."""
        expected = self.kind.expected_sections
        missing = [label for name, label in expected if not self.has(document, name)]
        if not missing:
            return
        last = max((n for n, line in enumerate(self.lines, 1) if line.strip()), default=1)
        listed = missing[0] if len(missing) == 1 else ", ".join(missing[:-1]) + " and " + missing[-1]
        self.warnings.append(f"{self.source}:{last}: the document ends without {listed}: truncated?")
