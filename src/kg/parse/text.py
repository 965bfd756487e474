"""Reading source files and cleaning the text extracted from iCAP's PDF and HTML pages."""

from __future__ import annotations

import datetime
import html
import re
import unicodedata
from dataclasses import dataclass

from kg.errors import ParseError

# Encodings tried in order. CP950 is Microsoft's Big5, which Taiwanese files often use;
# it decodes plain Big5 too.
_FALLBACK_ENCODINGS = ("cp950", "big5hkscs")


def decode_source(data: bytes, display: str) -> str:
    """Decode a source file's bytes (UTF-8 with or without BOM, UTF-16 with BOM, Big5/CP950).

    Raises ParseError for empty, binary or undecodable files.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise ParseError(display, "has a UTF-16 byte-order mark but is not UTF-16") from None
    elif b"\x00" in data:
        raise ParseError(display, "is a binary file, not a text document")
    else:
        text = _decode_8bit(data, display)
    # A form feed is pdftotext's page separator; pages are already marked by repeated headers.
    text = text.lstrip("\ufeff").replace("\f", "")
    if not text.strip():
        raise ParseError(display, "is empty")
    control = re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text)
    if control:
        line = text.count("\n", 0, control.start()) + 1
        raise ParseError(display, "has control characters: is it a binary file?", line)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _decode_8bit(data: bytes, display: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    for encoding in _FALLBACK_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    line = data.count(b"\n", 0, utf8_error.start) + 1
    raise ParseError(display, "cannot be decoded as UTF-8 or Big5/CP950", line)


# --- cleaning -------------------------------------------------------------------------

_CJK = (
    "\u2e80-\u2fff"  # radicals
    "\u3000-\u303f"  # CJK symbols and punctuation
    "\u3040-\u30ff"  # kana
    "\u3100-\u312f"  # bopomofo
    "\u3400-\u4dbf"  # extension A
    "\u4e00-\u9fff"  # unified ideographs
    "\uf900-\ufaff"  # compatibility ideographs
    "\ufe30-\ufe4f"  # compatibility forms
    "\uff00-\uffef"  # full-width forms
    "\U00020000-\U0003134f"  # extensions B-G
)
CJK_CHAR = f"[{_CJK}]"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<={CJK_CHAR})\s+(?={CJK_CHAR})")
_INLINE_TAGS = {"u", "b", "i", "em", "strong", "span", "a", "font", "sup", "sub", "small", "mark"}
_TAG = re.compile(r"<\s*(/?)\s*([a-zA-Z][a-zA-Z0-9]*)\b[^<>]*>")
# A note number has a few digits (N1 … N99): a longer one is text, not a marker.
_NOTE_MARK = re.compile(r"【\s*註\s*(\d{1,4})\s*】")
BULLETS = "■●•▪◆◇○◎□・►▶"
_BULLET_SPLIT = re.compile(rf"\s*[{BULLETS}]\s*")
# A stray list number (`1. `) or a separator after a code (`K1：`) at the start of a text.
_LEADING_ENUMERATOR = re.compile(r"^(?:\d{1,2}\s*[.．、]\s+|[:：、.．]\s*)")


def strip_tags(text: str) -> str:
    """Drop HTML tags: block tags become a space, inline ones (<u>, <b> ...) vanish."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(2).lower()
        if name == "li" and not match.group(1):
            return " ■ "  # a list item is a bullet
        return "" if name in _INLINE_TAGS else " "

    return html.unescape(_TAG.sub(replace, text)).replace("\xa0", " ")


def tidy(text: str) -> str:
    """Collapse white space and remove PDF line-wrap spaces between two CJK characters."""
    text = re.sub(r"\s+", " ", text).strip()
    return _SPACE_BETWEEN_CJK.sub("", text)


def take_note_refs(text: str) -> tuple[str, list[str]]:
    """Remove 【註N】 markers from text, returning the text and the note codes (N1 ...)."""
    refs = [f"N{int(n)}" for n in _NOTE_MARK.findall(text)]
    return _NOTE_MARK.sub("", text), list(dict.fromkeys(refs))


def note_marker_at_start(text: str) -> tuple[str | None, str]:
    """If text starts with 【註N】, return ("NN", rest); else (None, text)."""
    match = _NOTE_MARK.match(text.lstrip())
    if not match:
        return None, text
    return f"N{int(match.group(1))}", text.lstrip()[match.end() :]


def split_bullets(text: str) -> tuple[str, list[str]]:
    """Split `lead ■ a ■ b` into the lead text and its bullet items (all cleaned)."""
    parts = _BULLET_SPLIT.split(text)
    lead = tidy(parts[0])
    items = [tidy(p) for p in parts[1:]]
    return lead, [i for i in items if i]


def clean_item_text(text: str) -> str:
    """Final cleaning of an item's text: white space, wrap spaces, a stray list number or separator."""
    return _LEADING_ENUMERATOR.sub("", tidy(text))


def join_text(first: str, second: str) -> str:
    """Join two fragments of one text split by a page or cell break."""
    return tidy(f"{first} {second}")


def parse_level(value: str, source: str, line: int) -> int:
    """A printed level as a whole number (４, 3級 and Level 3 too); else a parse error at `line`."""
    text = tidy(strip_tags(unicodedata.normalize("NFKC", value)))
    match = re.fullmatch(r"(?:level|lv\.?)?\s*(\d+)\s*級?", text, re.I)
    if not match:
        raise ParseError(source, f"level '{text[:30]}' is not a whole number", line)
    if len(match.group(1)) > 3:  # levels run 1 to 6 (SHACL checks); this is no level at all
        raise ParseError(source, f"level '{text[:30]}…' is far too large", line)
    return int(match.group(1))


# A cell that says there is no value: "omitted", "none", a dash.
_NO_VALUE = {"略", "無", "-", "—", "–", "N/A", "n/a", "NA"}


def iso_date(text: str, source: str, line: int) -> str | None:
    """2025/12/15, 2025-12-15, 2025.12.15 or 2025年12月15日 as 2025-12-15; a Republic of China
    year (114/12/15) is converted (+1911). A cell saying there is none (略, 無, -) is None;
    anything else that is not a real calendar date is a parse error at `line`."""
    printed = tidy(strip_tags(unicodedata.normalize("NFKC", text)))
    if not printed or printed in _NO_VALUE:
        return None
    match = re.fullmatch(r"(\d{2,4})\s*[/.\-年]\s*(\d{1,2})\s*[/.\-月]\s*(\d{1,2})\s*日?", printed)
    if not match:
        raise ParseError(source, f"date '{printed[:30]}' is not a date such as 2025/12/15", line)
    year, month, day = (int(g) for g in match.groups())
    if year < 1911:
        year += 1911
    try:
        return datetime.date(year, month, day).isoformat()
    except ValueError:
        raise ParseError(source, f"date '{printed}' is not a real calendar date", line) from None


def normalise_label(text: str) -> str:
    """A table label without white space or HTML, full-width forms as ASCII, for matching
    (所屬 類別 -> 所屬類別, 職能內涵（K＝knowledge） -> 職能內涵(K=knowledge))."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", strip_tags(text)))


# --- text that remembers where it came from ---------------------------------------------


@dataclass
class Fragment:
    text: str
    line: int


class LinedText:
    """Fragments joined with spaces, mapping any offset back to its source line."""

    def __init__(self, fragments: list[Fragment]) -> None:
        self.text = ""
        self._starts: list[tuple[int, int]] = []
        for fragment in fragments:
            if self.text:
                self.text += " "
            self._starts.append((len(self.text), fragment.line))
            self.text += fragment.text

    def line_at(self, offset: int) -> int:
        line = self._starts[0][1] if self._starts else 0
        for start, fragment_line in self._starts:
            if start > offset:
                break
            line = fragment_line
        return line

    def first_line_of(self, start: int, end: int) -> int:
        """The line of the first non-space character in text[start:end]."""
        segment = self.text[start:end]
        offset = start + (len(segment) - len(segment.lstrip()))
        return self.line_at(offset)
