"""A small SPARQL lexer: enough to tell keywords and brackets from strings, IRIs, names and comments.

The checks made before a query reaches the store (`kg.query.guard`) and the messages
of the errors a store raises (`kg.store.errors`) read tokens, not text, so the word
SERVICE or a brace inside a string literal, an IRI, a prefixed name or a comment is
never taken for the real thing. It follows the SPARQL 1.1 terminals
closely enough for that; it never fails: what it does not recognise becomes an
"other" token, and an unterminated string ends at the end of its line (short
strings) or of the text (long strings), so the parser still gets to complain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# Token kinds, in the order they are tried at each position.
_PATTERNS = (
    ("space", r"\s+"),
    ("comment", r"#[^\r\n]*"),
    ("string", r"'''(?:[^'\\]|\\[\s\S]|'(?!''))*(?:'''|\Z)"),
    ("string", r'"""(?:[^"\\]|\\[\s\S]|"(?!""))*(?:"""|\Z)'),
    ("string", r"'(?:[^'\\\r\n]|\\.)*'?"),
    ("string", r'"(?:[^"\\\r\n]|\\.)*"?'),
    ("iri", r"<[^<>\"{}|^`\\\x00-\x20]*>"),
    ("var", r"[?$]\w+"),
    ("langtag", r"@[A-Za-z]+(?:-[A-Za-z0-9]+)*"),
    ("number", r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"),
    # A prefixed name or blank node label: prefix (maybe empty), colon, local part (not ending in '.').
    ("pname", r"(?:[^\W\d](?:[\w.\-\u00b7]*[\w\-\u00b7])?)?:(?:[\w\-:%\u00b7]|\\[^\s]|\.(?=[\w\-:%\\]))*"),
    ("word", r"[^\W\d]\w*"),
    ("open", r"[{(\[]"),
    ("close", r"[})\]]"),
    ("other", r"[\s\S]"),
)
_TOKEN = re.compile("|".join(f"(?P<{kind}{i}>{pattern})" for i, (kind, pattern) in enumerate(_PATTERNS)))
_KINDS = {f"{kind}{i}": kind for i, (kind, _) in enumerate(_PATTERNS)}
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # comment string iri var langtag number pname word open close other
    text: str
    offset: int  # where it starts in the text


@lru_cache(maxsize=64)
def tokens(text: str) -> tuple[Token, ...]:
    """The tokens of a query, without whitespace. Remembered for the last few texts: the
    checks and rewrites before a query runs each read them (`kg.query.guard`, `kg.query.terms`)."""
    return tuple(
        Token(kind, match.group(), match.start())
        for match in _TOKEN.finditer(text)
        if (kind := _KINDS[match.lastgroup or ""]) != "space"
    )


def position(text: str, offset: int) -> tuple[int, int]:
    """Line and column (both from 1) of an offset."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def unescape_codepoints(text: str) -> str:
    """The text with \\uXXXX and \\UXXXXXXXX escapes replaced, as SPARQL 1.1 allows anywhere in a query."""

    def replace(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF else match.group()

    return _CODEPOINT.sub(replace, text)
