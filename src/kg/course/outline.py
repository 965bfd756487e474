"""A course outline read into course lines: each heading, bullet or paragraph is one line.

The file is read by the parsers' own readers (`kg.parse.cache.read_layout`: text and
Markdown, DOCX, ODT, PDF, HTML), so a course outline is read exactly as a source
document is. A line's list marker, Markdown heading marks and emphasis are dropped;
its number is the layout's (a text file's line number).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from kg.errors import KgError, ParseError
from kg.parse.cache import read_layout
from kg.parse.text import BULLETS

MAX_LINES = 2000  # course lines in one outline; a longer file is not a course outline
MAX_BYTES = 5 * 2**20  # the file's size: 5 MiB

# Markdown heading marks, quote marks, list markers (bullets, 1. 1) (1) 一、 第N週/堂/課 are kept).
_MARKER = re.compile(
    rf"^\s*(?:#{{1,6}}\s+|>\s*|[{BULLETS}\-–—*+]\s+|\(?\d{{1,3}}\s*[.．)）、]\s*|[（(]\d{{1,3}}[)）]\s*"
    r"|[一二三四五六七八九十]{1,3}、\s*)"
)
_EMPHASIS = re.compile(r"\*\*|__|`")
_WORD = re.compile(r"[\w\u3400-\u9fff]", re.UNICODE)
_RULE = re.compile(r"^\s*(?:[-*_=~]\s*){3,}$")  # a Markdown rule or a table's |---| line


@dataclass(frozen=True)
class CourseLine:
    """One heading, bullet or paragraph of a course outline."""

    line: int  # 1-based, in the file's layout (a text file's line number)
    text: str


def clean_line(text: str) -> str:
    """The line's text without its list marker, heading marks, table bars or emphasis."""
    text = text.replace("\t", " ").strip()
    if text.startswith("|") and text.endswith("|"):
        text = " ".join(cell.strip() for cell in text.strip("|").split("|") if cell.strip())
    previous = None
    while previous != text:  # "## 1. " has two markers
        previous, text = text, _MARKER.sub("", text, count=1)
    return " ".join(_EMPHASIS.sub("", text).split())


def outline_lines(text_lines: list[str], source: str, max_lines: int = MAX_LINES) -> list[CourseLine]:
    """The course lines of a layout's lines: blank lines, rules and lines without a word dropped."""
    lines = []
    for number, raw in enumerate(text_lines, start=1):
        if _RULE.match(raw):
            continue
        text = clean_line(raw)
        if text and _WORD.search(text):
            lines.append(CourseLine(number, text))
    if not lines:
        raise KgError(f"{source}: has no readable course lines (no heading, bullet or paragraph with words)")
    if len(lines) > max_lines:
        raise KgError(
            f"{source}: has {len(lines)} course lines, more than the {max_lines} one outline may have"
        )
    return lines


def read_outline(
    data: bytes, source: str, max_lines: int = MAX_LINES, max_bytes: int = MAX_BYTES
) -> list[CourseLine]:
    """A course file's lines, in order; a KgError naming the file for one that is no outline."""
    if not data.strip():
        raise ParseError(source, "is empty")
    if len(data) > max_bytes:
        raise KgError(
            f"{source}: is {len(data):,} bytes, more than the {max_bytes:,} a course outline may have"
        )
    layout = read_layout(data, source)
    lines = layout.lines
    if layout.format != "text":  # the office and web readers escape &, < and > for the parsers
        lines = [html.unescape(line) for line in lines]
    return outline_lines(lines, source, max_lines)
