"""What the standard and unit parsers share: the source's lines, warnings and errors."""

from __future__ import annotations

import re

from kg.errors import ParseError
from kg.parse.model import Document

_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


class DocumentParser:
    """Base of the parsers: `parse()` turns the lines of one source into a Document."""

    kind = "document"
    code_label = ""

    def __init__(self, lines: list[str], source: str) -> None:
        self.lines = lines
        self.source = source
        self.warnings: list[str] = []

    def error(self, message: str, line: int | None = None) -> ParseError:
        return ParseError(self.source, message, line)

    def checked_code(self, code: str | None, line: int | None) -> str:
        """The document's code, or a clear error when it is missing or malformed."""
        if not code:
            raise self.error(f"no {self.code_label} ({self.kind} code) value found")
        if not _CODE.fullmatch(code):
            raise self.error(f"the {self.kind} code '{code}' is not a well-formed code", line)
        return code

    def parse(self) -> Document:
        raise NotImplementedError
