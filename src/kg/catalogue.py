"""Browsing a build's documents by facet, as ESCO and O*NET OnLine browse theirs.

Each document is filed under its kind, 領域類別 (a unit's domain), 職類別 (a standard's job
category), 職業別 and 行業別 (every occupation and industry its cells list) and 級別 (level).
Choosing values narrows the list: values of one facet add up (OR), facets narrow each other
(AND). Each facet's counts are those of the documents the *other* facets' choices leave, so
a count says how many documents choosing that value (too) would show.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kg.atomic import write_atomically
from kg.errors import KgError


@dataclass(frozen=True)
class Facet:
    name: str  # the query parameter
    zh: str
    en: str


FACETS = (
    Facet("kind", "類別", "Kind"),
    Facet("domain", "領域類別", "Domain"),
    Facet("category", "職類別", "Job category"),
    Facet("occupation", "職業別", "Occupation"),
    Facet("industry", "行業別", "Industry"),
    Facet("level", "級別", "Level"),
)
# The facets whose values are concepts of the graph, minted as `Iris.concept(facet, concept_key(...))`.
CONCEPT_FACETS = ("domain", "category", "occupation", "industry")
SORTS = {"code": "代碼 Code", "title": "名稱 Title", "level": "級別 Level", "tasks": "工作任務 Tasks"}
PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


@dataclass(frozen=True)
class Entry:
    """One document as the list shows it, and the facet values it is filed under."""

    code: str
    kind: str
    title: str
    level: int | None
    tasks: int
    values: dict[str, tuple[str, ...]]

    def row(self) -> dict[str, Any]:
        """The entry as a flat record (the API's JSON, the CSV's row)."""
        return {
            "code": self.code,
            "kind": self.kind,
            "title": self.title,
            "level": self.level,
            "tasks": self.tasks,
            **{f.name: list(self.values[f.name]) for f in FACETS if f.name not in ("kind", "level")},
        }

    @classmethod
    def from_dict(cls, record: Mapping[str, Any]) -> Entry:
        """An entry as `asdict` wrote it (the build's catalogue.json)."""
        values = {name: tuple(record["values"].get(name, ())) for name in (f.name for f in FACETS)}
        return cls(record["code"], record["kind"], record["title"], record["level"], record["tasks"], values)


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int
    chosen: bool


@dataclass
class Page:
    """One page of the documents the choices leave, and every facet's values with counts."""

    entries: list[Entry]
    total: int  # documents the choices leave
    page: int
    pages: int
    size: int
    sort: str
    chosen: dict[str, list[str]]
    counts: dict[str, list[FacetValue]] = field(default_factory=dict)


def _concept(concept: Mapping[str, Any] | None) -> str | None:
    if not concept or not (concept.get("name") or concept.get("code")):
        return None
    name, code = (concept.get("name") or "").strip(), (concept.get("code") or "").strip()
    return f"{name} ({code})" if name and code else name or code


def entry(document: Mapping[str, Any]) -> Entry:
    """A parsed document (its documents.json entry) as a catalogue entry."""

    def concepts(many: str, one: str) -> tuple[str, ...]:
        listed = [_concept(c) for c in document.get(many) or [document.get(one)]]
        return tuple(dict.fromkeys(v for v in listed if v))

    level = document.get("level")
    values = {
        "kind": (document["kind"],),
        "domain": tuple(v for v in [(document.get("domain") or "").strip()] if v),
        "category": tuple(v for v in [_concept(document.get("category"))] if v),
        "occupation": concepts("occupations", "occupation"),
        "industry": concepts("industries", "industry"),
        "level": (str(level),) if level is not None else (),
    }
    title = document.get("title") or ""
    return Entry(document["code"], document["kind"], title, level, len(document.get("tasks") or []), values)


class Catalogue:
    """Every document of a build, filed by facet."""

    def __init__(self, entries: Sequence[Entry]) -> None:
        self.entries = sorted(entries, key=lambda e: e.code)
        self._by_code = {e.code: e for e in self.entries}

    @classmethod
    def of(cls, documents: Iterable[Mapping[str, Any]]) -> Catalogue:
        return cls([entry(d) for d in documents])

    @classmethod
    def read(cls, path: Path) -> Catalogue:
        """The catalogue a build filed (`write`): a server's first page reads it, not every
        parsed document."""
        try:
            return cls([Entry.from_dict(record) for record in json.loads(path.read_text(encoding="utf-8"))])
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise KgError(f"the catalogue cannot be read from {path} ({exc}): run `kg build` again") from None

    def write(self, path: Path) -> None:
        """The catalogue as a file of the build, written whole or not at all."""
        records = [asdict(e) for e in self.entries]
        data = json.dumps(records, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        write_atomically(path, lambda stream: stream.write(data))

    def codes(self, chosen: Mapping[str, Sequence[str]]) -> list[str]:
        """The codes of every document filed under the `chosen` values (a search's filter)."""
        return [e.code for e in self.every(chosen)]

    def every(self, chosen: Mapping[str, Sequence[str]] | None = None, sort: str = "code") -> list[Entry]:
        """Every document filed under the `chosen` values, sorted, unpaged (a download of the list)."""
        order = _sort_key(sort)
        return sorted(self._matching(self._passes(_checked(chosen or {})).values()), key=order)

    def value_counts(
        self, codes: Iterable[str], facets: Sequence[str], chosen: Mapping[str, Sequence[str]] | None = None
    ) -> dict[str, list[FacetValue]]:
        """How many of these documents each value of each named facet files, most first; the
        `chosen` values are marked, and kept when none of the documents has them (a search's facets)."""
        counts: dict[str, Counter[str]] = {name: Counter() for name in facets}
        for code in codes:
            if code in self._by_code:
                for name in facets:
                    counts[name].update(self._by_code[code].values[name])
        picked = _checked(chosen or {})
        return {name: _facet_values(name, c, picked.get(name, [])) for name, c in counts.items()}

    def values(self, facet: str) -> list[str]:
        """Every value a facet files some document under, in its order."""
        return sorted(
            {v for e in self.entries for v in e.values[facet]}, key=lambda v: _value_order(facet, (v, 0))
        )

    def _passes(self, picked: dict[str, list[str]]) -> dict[str, list[bool]]:
        """Per chosen facet, whether each entry is filed under one of its chosen values."""
        return {
            name: [any(v in e.values[name] for v in values) for e in self.entries]
            for name, values in picked.items()
        }

    def _matching(self, passes: Iterable[list[bool]]) -> list[Entry]:
        """The entries every one of these facets' choices passes."""
        chosen = list(passes)
        return [e for n, e in enumerate(self.entries) if all(p[n] for p in chosen)]

    def browse(
        self,
        chosen: Mapping[str, Sequence[str]] | None = None,
        sort: str = "code",
        page: int = 1,
        size: int = PAGE_SIZE,
    ) -> Page:
        """The documents filed under the `chosen` values (by facet name), sorted, one page of them."""
        picked = _checked(chosen or {})
        order = _sort_key(sort)
        if not 1 <= size <= MAX_PAGE_SIZE:
            raise KgError(f"size (documents a page) must be 1 to {MAX_PAGE_SIZE}, not {size}")
        if page < 1:
            raise KgError(f"page must be 1 or more, not {page}")
        passes = self._passes(picked)
        left = self._matching(passes.values())
        counts = {}
        for facet in FACETS:  # each facet counted over what the other facets' choices leave
            others = self._matching(p for name, p in passes.items() if name != facet.name)
            counted = Counter(v for e in others for v in e.values[facet.name])
            counts[facet.name] = _facet_values(facet.name, counted, picked.get(facet.name, []))
        pages = max(1, -(-len(left) // size))
        if page > pages:
            raise KgError(f"page {page} is past the last page ({pages})")
        left.sort(key=order)
        shown = left[(page - 1) * size : page * size]
        return Page(shown, len(left), page, pages, size, sort, picked, counts)


def concept_key(facet: str, value: str) -> str:
    """What the concept IRI of a facet's value is minted from: a domain's text; else the code in
    the value's trailing parentheses ("name (code)"), or the value itself (a name or a code alone)."""
    coded = re.fullmatch(r".*\(([^()]+)\)", value) if facet != "domain" else None
    return coded.group(1) if coded else value


def toggled(chosen: Mapping[str, Sequence[str]], facet: str, value: str) -> dict[str, list[str]]:
    """The choices with one facet's value chosen, or no longer chosen when it was (a facet link)."""
    out = {name: list(values) for name, values in chosen.items()}
    values = out.setdefault(facet, [])
    out[facet] = [v for v in values if v != value] if value in values else [*values, value]
    return out


def _checked(chosen: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """The chosen values by facet, each once, facets without values left out; a KgError for an
    unknown facet."""
    picked = {name: list(dict.fromkeys(values)) for name, values in chosen.items() if values}
    known = {f.name for f in FACETS}
    for name in picked:
        if name not in known:
            raise KgError(f"unknown facet {name!r}; the facets are: {', '.join(sorted(known))}")
    return picked


def _facet_values(facet: str, counted: Counter[str], chosen: Sequence[str]) -> list[FacetValue]:
    """A facet's values in their order with their counts, the chosen ones marked; a chosen value
    no document has stays, counted 0, so it can be taken back."""
    for value in chosen:
        counted.setdefault(value, 0)
    ordered = sorted(counted.items(), key=lambda vc: _value_order(facet, vc))
    return [FacetValue(v, c, v in chosen) for v, c in ordered]


def _value_order(facet: str, value_count: tuple[str, int]) -> tuple:
    value, count = value_count
    if facet in ("level", "kind"):
        return (0, value)  # levels 1 to 6, kinds by name: their own order
    return (-count, value)  # most documents first


def _sort_key(sort: str) -> Callable[[Entry], Any]:
    """How entries sort by `sort` (one of SORTS); a KgError for another."""
    if sort not in SORTS:
        raise KgError(f"unknown sort {sort!r}; sort by one of: {', '.join(SORTS)}")
    if sort == "title":
        return lambda e: (e.title, e.code)
    if sort == "level":
        return lambda e: (e.level is None, e.level or 0, e.code)
    if sort == "tasks":
        return lambda e: (-e.tasks, e.code)
    return lambda e: e.code
