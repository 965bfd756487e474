"""What the standard and unit parsers share: the source's lines, warnings and errors."""

from __future__ import annotations

import re

from kg.errors import ParseError
from kg.parse.model import Document

_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")

# What every document of a kind has (every seed has them, and the iCAP templates ask for
# them): a document that ends without one was most likely cut short. Each entry is the
# model field that must not be empty, and how a user knows the section. `table_end` is
# the `--` row that closes a unit's table (`UnitParser.table_closed`).
EXPECTED_SECTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "standard": (
        ("tasks", "工作任務 (the task table)"),
        ("attitudes", "態度 (attitudes)"),
        ("notes", "說明與補充事項 (notes)"),
    ),
    "unit": (
        ("tasks", "工作任務與行為指標 (tasks)"),
        ("knowledge", "知識 (knowledge)"),
        ("skills", "技能 (skills)"),
        ("assessment", "評量設計參考 (assessment)"),
        ("notes", "說明與補充事項 (notes)"),
        ("table_end", "the row that closes the table (--)"),
    ),
}


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

    def has(self, document: Document, section: str) -> bool:
        """Does the document hold this expected section (see EXPECTED_SECTIONS)?"""
        return bool(getattr(document, section, None))

    def check_complete(self, document: Document) -> None:
        """Warn when the document ends without a section every document of its kind has."""
        missing = [label for name, label in EXPECTED_SECTIONS[self.kind] if not self.has(document, name)]
        if not missing:
            return
        last = max((n for n, line in enumerate(self.lines, 1) if line.strip()), default=1)
        listed = missing[0] if len(missing) == 1 else ", ".join(missing[:-1]) + " and " + missing[-1]
        self.warnings.append(f"{self.source}:{last}: the document ends without {listed}: truncated?")
