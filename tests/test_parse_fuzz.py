"""Property: whatever is done to a real document, the parser returns a Document or raises KgError.

The seeds are mutated the ways files get damaged or edited by hand: lines deleted,
duplicated, swapped or cut; random text inserted (control characters, Kangxi radicals,
CJK, tabs); bytes flipped; the whole file re-encoded; garbage rows put in the table;
codes and dates mangled. Any other exception is a bug, and so is taking more than a
few seconds (a per-example alarm). Derandomized, no example database: CI reproducible.
"""

from __future__ import annotations

import re
import signal
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import RAW
from kg.errors import KgError
from kg.parse import Document, parse_bytes

SEEDS = {path.name: path.read_bytes() for path in sorted(RAW.glob("*.txt"))}
SECONDS_PER_EXAMPLE = 10  # a parse takes milliseconds; this only catches a hang
MAX_CHARS = 400_000  # ten times the largest seed

# Characters that break parsers: controls, Kangxi radicals (look like CJK, are not),
# full-width forms, CJK, the cell separator, bullets, note markers, code letters.
_NASTY = st.one_of(
    st.characters(min_codepoint=0, max_codepoint=0x1F),
    st.characters(min_codepoint=0x2F00, max_codepoint=0x2FDF),
    st.characters(min_codepoint=0xFF01, max_codepoint=0xFF5E),
    st.characters(min_codepoint=0x4E00, max_codepoint=0x4E80),
    st.sampled_from(list("\t\t\n■●•-:：、。()（）【】註<>/pTPOKSAN.0123456789一二三十")),
    st.characters(codec="utf-8"),
)
_TEXT = st.text(_NASTY, min_size=1, max_size=40)
_GARBAGE_ROW = st.lists(st.text(st.characters(codec="utf-8"), max_size=12), min_size=1, max_size=9).map(
    "\t".join
)
_CODE = re.compile(r"\b[TPOKSAN]\d+(?:\.\d+)*")
_DATE = re.compile(r"\d{2,4}/\d{1,2}/\d{1,2}")


def _lines(text: str) -> list[str]:
    return text.split("\n")


@st.composite
def _text_mutation(draw: st.DrawFn, text: str) -> str:
    """One line- or character-level change to a document's text."""
    lines = _lines(text)
    kind = draw(
        st.sampled_from(
            [
                "delete",
                "duplicate",
                "swap",
                "insert",
                "insert_row",
                "truncate",
                "codes",
                "dates",
                "cells",
                "numbers",
                "long_line",
            ]
        )
    )
    index = draw(st.integers(0, len(lines) - 1))
    if kind == "delete":
        count = draw(st.integers(1, 5))
        del lines[index : index + count]
    elif kind == "duplicate":
        lines.insert(index, lines[index])
    elif kind == "swap":
        other = draw(st.integers(0, len(lines) - 1))
        lines[index], lines[other] = lines[other], lines[index]
    elif kind == "insert":
        line = lines[index]
        at = draw(st.integers(0, len(line)))
        lines[index] = line[:at] + draw(_TEXT) + line[at:]
    elif kind == "insert_row":
        lines.insert(index, draw(_GARBAGE_ROW))
    elif kind == "truncate":
        return text[: draw(st.integers(0, len(text)))]
    elif kind == "codes":
        replacement = draw(
            st.sampled_from(["T1", "T1.1", "P1.1.1", "O9.9.9", "K1", "S0", "A01", "T99.1", "X", ""])
        )
        lines = _lines(_CODE.sub(replacement, text, count=draw(st.integers(1, 30))))
    elif kind == "dates":
        date = draw(
            st.sampled_from(
                ["2025/13/45", "2025/02/30", "二〇二五年", "0/0/0", "99999/1/1", "114/2/29", "略", ""]
            )
            | st.text(st.characters(codec="utf-8"), max_size=12)
        )
        lines = _lines(_DATE.sub(date.replace("\\", "/"), text))
    elif kind == "numbers":  # the first numbers (codes, levels, notes) run away: int() refuses 4,301 digits
        digits = draw(st.sampled_from(["0", "7", "99", "1" * 5000]))
        lines = _lines(re.sub(r"\d+", digits, text, count=draw(st.integers(1, 30))))
    elif kind == "long_line":
        repeat = min(draw(st.integers(20, 100)), MAX_CHARS // max(1, len(lines[index])))
        lines[index] = lines[index] * repeat
    else:  # cells: split or join a row's cells
        line = lines[index]
        lines[index] = line.replace("\t", "", 1) if draw(st.booleans()) else line.replace(" ", "\t", 1)
    return "\n".join(lines)


@st.composite
def damaged_documents(draw: st.DrawFn) -> bytes:
    """A seed after a few text changes, then perhaps re-encoded and perhaps with bytes flipped."""
    name = draw(st.sampled_from(sorted(SEEDS)))
    text = SEEDS[name].decode("utf-8-sig")
    for _ in range(draw(st.integers(1, 4))):
        text = draw(_text_mutation(text))[:MAX_CHARS]  # mutations compound: keep memory bounded
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "utf-16", "cp950", "big5", "gb18030"]))
    data = text.encode(encoding, errors="replace")
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2]))):  # most damage keeps the bytes decodable
        if data:
            at = draw(st.integers(0, len(data) - 1))
            data = data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]
    return data


class Hang(Exception):
    """The parser took far longer than any document needs."""


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    def alarm(signum: int, frame: object) -> None:
        raise Hang(f"parsing took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.slow  # about 6 s of CPU for 300 examples (2 cores, shared); a hang fails in 10 s
@settings(
    max_examples=300,
    derandomize=True,
    database=None,
    deadline=None,  # the alarm is the time guard; a slow CI machine must not flake
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(damaged_documents())
def test_a_damaged_document_parses_or_raises_a_kg_error(data: bytes) -> None:
    with time_limit(SECONDS_PER_EXAMPLE):
        try:
            document = parse_bytes(data, "damaged.txt")
        except KgError as exc:
            assert str(exc).startswith("damaged.txt"), str(exc)
            return
        assert isinstance(document, Document)
        document.to_dict()
        assert all(w.startswith("damaged.txt:") for w in document.warnings)


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_every_seed_parses_clean_before_mutation(name: str) -> None:
    """The property's starting points are the real seeds, which parse without warnings."""
    assert parse_bytes(SEEDS[name], name).warnings == []
