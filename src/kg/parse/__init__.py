"""Raw iCAP document -> parsed model (`Document`).

`parse_file` reads one file; `parse_paths` expands files and folders. The kind
(standard or unit) and code come from the content, never from the file name.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

from kg.errors import KgError, ParseError
from kg.parse.model import Document
from kg.parse.standard import StandardParser
from kg.parse.text import normalise_label, read_source
from kg.parse.unit import UnitParser

__all__ = ["Document", "detect_kind", "discover", "display_path", "parse_file", "parse_paths", "parse_text"]

SOURCE_SUFFIXES = (".txt", ".text", ".tsv")


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
        document.warnings = parser.warnings
        return document
    raise ParseError(source, "not a document of a known kind (no 職能基準代碼 or 職能單元代碼 row)")


def display_path(path: Path) -> str:
    """The path as users know it: relative to the working folder when inside it."""
    try:
        relative = os.path.relpath(path.resolve(), Path.cwd().resolve())
    except ValueError:
        return path.as_posix()
    return Path(relative).as_posix() if not relative.startswith("..") else path.as_posix()


def parse_file(path: str | Path) -> Document:
    """Read, decode and parse one source file."""
    path = Path(path)
    source = display_path(path)
    return parse_text(read_source(path, source), source)


def discover(paths: Iterable[str | Path]) -> list[Path]:
    """Files named directly, plus the source files (.txt ...) inside named folders, sorted.

    Raises KgError when there is none: a build or a check of nothing is a mistake.
    """
    paths = list(paths)
    found: list[Path] = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            found.extend(
                sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SOURCE_SUFFIXES)
            )
        elif path.exists():
            found.append(path)
        else:
            raise ParseError(display_path(path), "no such file or folder")
    if not found:
        raise KgError(f"no source files (.txt) found in {', '.join(str(p) for p in paths)}")
    return list(dict.fromkeys(found))


def parse_paths(paths: Iterable[str | Path]) -> list[Document]:
    """Parse every file named, and every source file inside every folder named."""
    return [parse_file(path) for path in discover(paths)]
