"""Marking a question's words in evidence text, as the search page shows it.

The words are the lexical search's own query tokens (jieba, with the thesaurus's
synonyms: 客訴 also marks 投訴). Tokens are Simplified Chinese, the text Traditional,
so the text is converted character by character (positions stay put) before matching.
"""

from __future__ import annotations

import re
from functools import lru_cache

from markupsafe import Markup, escape

from kg.search.lexical import get_tokenizer

_ASCII_WORD = re.compile(r"[a-z0-9]{2,}")


@lru_cache(maxsize=256)
def query_terms(query: str) -> tuple[str, ...]:
    """The words to mark for a question, longest first; single CJK characters are left out."""
    tokens = get_tokenizer().query_tokens(query)
    kept = {
        t for t in tokens if (t.isascii() and _ASCII_WORD.fullmatch(t)) or (not t.isascii() and len(t) > 1)
    }
    return tuple(sorted(kept, key=lambda t: (-len(t), t)))


def _comparable(text: str) -> str:
    """Simplified, lower-cased text of exactly the same length as `text`."""
    convert = get_tokenizer().to_simplified
    out = []
    for char in text:
        simple = convert(char).lower()
        out.append(simple if len(simple) == 1 else char)
    return "".join(out)


def highlight(text: str, terms: tuple[str, ...]) -> Markup:
    """The text, HTML-escaped, with every occurrence of the terms inside <mark>."""
    if not terms:
        return escape(text)
    comparable = _comparable(text)
    marked = [False] * len(text)
    for term in terms:
        start = comparable.find(term)
        while start >= 0:
            end = start + len(term)
            if not term.isascii() or _word_bounded(comparable, start, end):
                marked[start:end] = [True] * len(term)
            start = comparable.find(term, start + 1)
    pieces: list[str] = []
    position = 0
    while position < len(text):
        end = position
        while end < len(text) and marked[end] == marked[position]:
            end += 1
        chunk = str(escape(text[position:end]))
        pieces.append(f"<mark>{chunk}</mark>" if marked[position] else chunk)
        position = end
    return Markup("".join(pieces))


def _word_bounded(text: str, start: int, end: int) -> bool:
    """An English word at the start of a word (so 'cost' marks 'costs' but not 'accost')."""
    return start == 0 or not text[start - 1].isalnum() or not text[start - 1].isascii()
