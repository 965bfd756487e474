"""Splitting a text into the items it lists: by printed codes, or by 一、二、 / 1. 2. numbering."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.parse.text import BULLETS

# A printed code stands alone: not glued to Latin letters or digits before it, and not
# followed by more letters/digits (B2B, OHS and 2.0 are not codes).
_CODE_TEMPLATE = r"(?<![A-Za-z0-9.]){body}(?![A-Za-z0-9]|\.\d)"

TASK_CODE = re.compile(_CODE_TEMPLATE.format(body=r"(T\d+)"))
ACTIVITY_CODE = re.compile(_CODE_TEMPLATE.format(body=r"(T\d+\.\d+)"))
# Any code of the task table's structure: a PDF may print one in a neighbouring column.
STRUCTURE_CODE = re.compile(_CODE_TEMPLATE.format(body=r"(T\d+(?:\.\d+)?|[OP]\d+\.\d+\.\d+)"))
KNOWLEDGE_CODE = re.compile(_CODE_TEMPLATE.format(body=r"(K\d+)"))
SKILL_CODE = re.compile(_CODE_TEMPLATE.format(body=r"(S\d+)"))


@dataclass
class Segment:
    """A run of text; `code` is the printed or derived code that opens it, if any."""

    code: str | None
    text: str
    start: int  # offset where `text` begins in the text that was split
    number: int | None = None


def split_by_codes(text: str, pattern: re.Pattern[str]) -> list[Segment]:
    """Split text at every code matching pattern; the first segment has no code."""
    segments = [Segment(None, "", 0)]
    position = 0
    for match in pattern.finditer(text):
        segments[-1].text = text[position : match.start()]
        segments.append(Segment(match.group(1), "", match.end()))
        position = match.end()
    segments[-1].text = text[position:]
    return segments


_CHINESE_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def chinese_numeral(text: str) -> int | None:
    """一 -> 1, 十一 -> 11, 二十三 -> 23 (up to 99); None if text is not such a numeral."""
    if not text or any(c not in _CHINESE_DIGITS and c != "十" for c in text):
        return None
    if "十" not in text:
        return _CHINESE_DIGITS[text] if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    if len(tens) > 1 or len(ones) > 1 or "十" in ones:
        return None
    value = (_CHINESE_DIGITS[tens] if tens else 1) * 10
    return value + (_CHINESE_DIGITS[ones] if ones else 0)


# Enumerators start a text or follow white space (left by HTML tags) or a full stop.
_BOUNDARY = r"(?:(?<=^)|(?<=[\s。；;]))"
_CHINESE_ENUMERATOR = re.compile(_BOUNDARY + r"([一二三四五六七八九十]{1,3})\s*、")
_ARABIC_ENUMERATOR = re.compile(_BOUNDARY + r"(\d{1,2})\s*[.．](?!\d)\s*")
_BULLET = re.compile(rf"[{BULLETS}]\s*")


def split_enumerated(text: str, kind: str, first: int = 1) -> list[Segment]:
    """Split text at numbering that counts up from `first` (一、二、, 1. 2., or bullets ■ ●).

    Only numbers that continue the sequence count, so a stray "二、" or "3." inside a
    sentence stays text. The first segment holds any text before the first number.
    """
    pattern = {"chinese": _CHINESE_ENUMERATOR, "arabic": _ARABIC_ENUMERATOR, "bullet": _BULLET}[kind]
    segments = [Segment(None, "", 0)]
    expected = first
    position = 0
    for match in pattern.finditer(text):
        number: int | None  # None: a Chinese run that is not a numeral
        if kind == "bullet":
            number = expected  # bullets count in the order they come
        else:
            raw = match.group(1)
            number = chinese_numeral(raw) if kind == "chinese" else int(raw)
        if number != expected:
            continue
        segments[-1].text = text[position : match.start()]
        segments.append(Segment(None, "", match.end(), number))
        position = match.end()
        expected += 1
    segments[-1].text = text[position:]
    return segments


def split_list(text: str, kinds: tuple[str, ...]) -> list[Segment]:
    """Split at the first kind of numbering (in `kinds` order) that the text uses at all."""
    for kind in kinds:
        segments = split_enumerated(text, kind)
        if len(segments) > 1:
            return segments
    return [Segment(None, text, 0)]
