"""Reading what a question asks for: a kind of document or item, a level, a document, an occupation.

"哪些單元涵蓋客訴處理" asks for units, "what knowledge does budgeting require" for knowledge
items, "5級以上的行銷能力" for level 5 and up, "BGM4R0172v2 interviewing" for one document,
"行政支援服務業的客訴" for the documents of one industry (行業別) or occupation (職業別).
`understand` finds these words with general rules (no question is special-cased) and
returns an `Understood`: document kinds, levels and document codes become filters, item
kinds, occupations and industries a boost (an asked-for kind is ranked higher, others
still show, since a skill can answer a knowledge question; units carry no occupation or
industry, so filtering on one would hide every unit).

Occupation and industry names are never a hand list: they are the names the build's
documents give (`kg.search.items.class_vocabulary`), matched by the longest name first, a
name only where it is a whole word of the question (Latin letters: no letter or digit
beside it; Chinese: its ends fall on the word boundaries of the question's segmentation).
Options given explicitly always win over what was read, and each reading can be switched
off by name (`ignore`), as the web page's chips do.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

PARTS = (
    "document_kinds",
    "item_kinds",
    "levels",
    "documents",
    "occupations",
    "industries",
)  # what can be read, and ignored
CLASS_PARTS = ("occupations", "industries")  # read from the build's own names (a vocabulary)
MIN_NAME_LENGTH = 2  # a one-character name would match inside any question
MAX_LEVEL = 6

# Document kinds: Chinese words always; English ones only where they name what is asked for
# ("which units", "units about ..."), since "service standards" is a topic, not a kind.
_EN_ASKING = r"(?:which|what|all|the|list|competency|any)\s+(?:competency\s+)?"
_EN_ABOUT = r"\s+(?:about|on|for|that|which|covering|cover|covers|with|in)\b"
_DOCUMENT_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("unit", re.compile(rf"(?:職能)?單元|\b{_EN_ASKING}units?\b|\bunits?{_EN_ABOUT}", re.I)),
    (
        "standard",
        re.compile(
            rf"職能基準|基準|\b{_EN_ASKING}(?:standards?|occupations?)\b|\b(?:standards?|occupations?){_EN_ABOUT}",
            re.I,
        ),
    ),
)
_ITEM_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("knowledge", re.compile(r"知識|\bknowledge\b", re.I)),
    ("skill", re.compile(r"技能|\bskills?\b", re.I)),
    ("attitude", re.compile(r"態度|\battitudes?\b", re.I)),
    ("indicator", re.compile(r"行為指標|\b(?:behaviou?r(?:al)?\s+)?indicators?\b", re.I)),
    ("task", re.compile(r"工作任務|任務|\btasks?\b", re.I)),
    ("output", re.compile(r"工作產出|\b(?:work\s+)?outputs?\b", re.I)),
)
_DIGIT = r"([1-6一二三四五六])"
_CHINESE_DIGITS = {c: n for n, c in enumerate("一二三四五六", 1)}
_LEVEL_AND_UP = re.compile(
    rf"{_DIGIT}\s*級(?:以上|及以上|或以上)|\blevels?\s*{_DIGIT}\s*(?:\+|and\s+(?:up|above|higher)|or\s+(?:higher|above|more))",
    re.I,
)
_LEVEL = re.compile(rf"{_DIGIT}\s*級|\blevel\s*{_DIGIT}\b|第{_DIGIT}級", re.I)


@dataclass(frozen=True)
class Understood:
    """What a question was read to ask for; empty tuples mean nothing was read."""

    document_kinds: tuple[str, ...] = ()
    item_kinds: tuple[str, ...] = ()
    levels: tuple[int, ...] = ()
    documents: tuple[str, ...] = ()
    occupations: tuple[str, ...] = ()  # names of occupations (職業別), as the build writes them
    industries: tuple[str, ...] = ()  # names of industries (行業別)
    words: tuple[str, ...] = ()  # the words that were read, as written in the question

    def __bool__(self) -> bool:
        return any(getattr(self, part) for part in PARTS)

    def without(self, parts: Iterable[str]) -> Understood:
        """The same reading with some parts dropped (explicit options, or chips the user removed)."""
        return replace(self, **{part: () for part in parts})

    def to_dict(self) -> dict[str, Any]:
        """Only what was read: {"document_kinds": ["unit"], "levels": [5, 6]} ..."""
        return {part: list(getattr(self, part)) for part in PARTS if getattr(self, part)}

    def describe(self) -> str:
        """One line for a terminal: `understood: units; level 5-6`."""
        said = []
        if self.document_kinds:
            said.append("document kind " + ", ".join(self.document_kinds))
        if self.item_kinds:
            said.append("item kind " + ", ".join(self.item_kinds) + " first")
        if self.levels:
            low, high = min(self.levels), max(self.levels)
            said.append(f"level {low}" if low == high else f"level {low}-{high}")
        if self.documents:
            said.append("document " + ", ".join(self.documents))
        if self.occupations:
            said.append("occupation " + ", ".join(self.occupations) + " first")
        if self.industries:
            said.append("industry " + ", ".join(self.industries) + " first")
        return "; ".join(said)


def _level(text: str) -> int:
    return _CHINESE_DIGITS.get(text) or int(text)


def _kinds_named(
    question: str, kinds: tuple[tuple[str, re.Pattern[str]], ...], words: list[str]
) -> list[str]:
    """The kinds whose words the question holds; the words found go to `words`."""
    named = []
    for kind, pattern in kinds:
        found = pattern.search(question)
        if found:
            named.append(kind)
            words.append(found.group(0).strip())
    return named


def names_in(
    question: str,
    vocabulary: Mapping[str, Iterable[str]],
    boundaries: Callable[[str], set[int] | None] | None = None,
) -> dict[str, list[tuple[str, str]]]:
    """{part: [(name, words as written)]} of the vocabulary's names the question holds.

    Longer names are taken first and a shorter one never inside a span already taken
    (行政支援服務業, not also 支援服務業 within it). A name must be a whole word: Latin
    letters or digits at its ends must not touch another letter or digit, and Chinese ends
    must fall on `boundaries(question)` (the offsets where the question's words start or
    end; None or no function: Chinese ends are not checked).
    """
    cuts = boundaries(question) if boundaries is not None else None
    named = sorted(
        {(n, part) for part, names in vocabulary.items() for n in names if len(n) >= MIN_NAME_LENGTH},
        key=lambda entry: (-len(entry[0]), entry),
    )
    taken = [False] * len(question)
    found: dict[str, list[tuple[str, str]]] = {}
    for name, part in named:
        for match in re.finditer(re.escape(name), question, re.I):
            start, end = match.span()
            if any(taken[start:end]) or not _whole_word(question, start, end, cuts):
                continue
            taken[start:end] = [True] * (end - start)
            if all(n != name for n, _ in found.get(part, [])):
                found.setdefault(part, []).append((name, match.group(0)))
    return found


def _whole_word(text: str, start: int, end: int, cuts: set[int] | None) -> bool:
    """Whether text[start:end] is not part of a longer word (see `names_in`)."""
    if start > 0 and _latin(text[start]) and _latin(text[start - 1]):
        return False
    if end < len(text) and _latin(text[end - 1]) and _latin(text[end]):
        return False
    if cuts is not None:
        if _CJK.match(text[start]) and start not in cuts:
            return False
        if _CJK.match(text[end - 1]) and end not in cuts:
            return False
    return True


def _latin(char: str) -> bool:
    return char.isascii() and char.isalnum()


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def understand(
    question: str,
    documents: Iterable[str] = (),
    vocabulary: Mapping[str, Iterable[str]] | None = None,
    boundaries: Callable[[str], set[int] | None] | None = None,
) -> Understood:
    """What `question` asks for.

    documents: the codes a question may name.
    vocabulary: {"occupations": names, "industries": names} the question may name (the build's).
    boundaries: where the question's words start and end, to keep a Chinese name whole (`names_in`).
    """
    words: list[str] = []
    document_kinds = _kinds_named(question, _DOCUMENT_KINDS, words)
    item_kinds = _kinds_named(question, _ITEM_KINDS, words)
    levels: tuple[int, ...] = ()
    found = _LEVEL_AND_UP.search(question)
    if found:
        low = _level(next(g for g in found.groups() if g))
        levels = tuple(range(low, MAX_LEVEL + 1))
        words.append(found.group(0).strip())
    elif found := _LEVEL.search(question):
        levels = (_level(next(g for g in found.groups() if g)),)
        words.append(found.group(0).strip())
    named = []
    for code in documents:
        found = re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", question, re.I)
        if found:
            named.append(code)
            words.append(found.group(0))
    # Two document kinds at once ("units and standards") ask for both: no filter at all.
    kinds = tuple(document_kinds) if len(document_kinds) == 1 else ()
    classes = names_in(question, vocabulary or {}, boundaries)
    for part in CLASS_PARTS:
        words.extend(written for _, written in classes.get(part, []))
    return Understood(
        kinds,
        tuple(item_kinds),
        levels,
        tuple(named),
        tuple(name for name, _ in classes.get("occupations", [])),
        tuple(name for name, _ in classes.get("industries", [])),
        tuple(words),
    )
