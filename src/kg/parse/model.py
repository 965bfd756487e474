"""The parsed-document model: one dataclass per kind of item.

The JSON shape is a public contract (`docs/document-model.md`); `to_dict`
emits exactly its field names, in its order (each document kind lists them), and
`from_dict` reads them back. Fields may be added, never renamed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from typing import Any, Self

from kg.parse.kinds import document_kind


def _json(value: Any) -> Any:
    """A field's JSON: records and lists of them as dicts, lists copied, the rest as is."""
    if isinstance(value, list):
        return [_json(v) for v in value]
    return value.to_dict() if hasattr(value, "to_dict") else value


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    """A record class's field names, kept (`fields` is slow for the millions of records of a corpus)."""
    if cls not in _FIELD_NAMES:
        _FIELD_NAMES[cls] = tuple(f.name for f in fields(cls))
    return _FIELD_NAMES[cls]


def _line(data: dict[str, Any]) -> int:
    return data.get("line", 0)  # 0: unknown (a hand-made entry without its line)


def _with_page(data: dict[str, Any], page: int | None) -> dict[str, Any]:
    """The JSON with `"page"` after `"line"`, for an item read from a paginated format (PDF)."""
    if page is None:
        return data
    placed: dict[str, Any] = {}
    for key, value in data.items():
        placed[key] = value
        if key == "line":
            placed["page"] = page
    return placed


def joined(text: str | None, entries: Iterable[str]) -> str:
    """An item's text followed by its list entries (K2 '…包括下列幾個方面：' + its bullets)."""
    parts = [p for p in [text or "", "；".join(e for e in entries if e)] if p]
    return " ".join(parts)


@dataclass(kw_only=True)
class Record:
    """An item whose JSON is its fields, in the order declared (the contract's order)."""

    def to_dict(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "page"}
        return _with_page(data, getattr(self, "page", None))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """The record from its JSON; fields the JSON lacks take their defaults."""
        names = _field_names(cls)
        values = {name: _json(data[name]) for name in names if name in data}
        if "line" in names:
            values["line"] = _line(data)
        return cls(**values)


@dataclass(kw_only=True)
class CodedText(Record):
    """An item that is a code and a text: indicators and outputs."""

    code: str
    text: str
    notes: list[str] = field(default_factory=list)
    line: int
    page: int | None = None  # 1-based, for an item read from a PDF

    def item_text(self) -> str:
        return self.text or ""


class Indicator(CodedText):
    """行為指標: a behaviour indicator (P1.1.1 in standards, P1.2 in units)."""


class Output(CodedText):
    """工作產出: a work output of an activity."""


def _row_fields(data: dict[str, Any]) -> dict[str, Any]:
    """The fields a task and an activity share (the rows of a standard's table), from their JSON."""
    return {
        "code": data["code"],
        "title": data.get("title") or "",
        "line": _line(data),
        "page": data.get("page"),
        "level": data.get("level"),
        "knowledge": list(data.get("knowledge") or []),
        "skills": list(data.get("skills") or []),
        "indicators": [Indicator.from_dict(i) for i in data.get("indicators") or []],
        "notes": list(data.get("notes") or []),
    }


@dataclass
class Activity:
    """A standard's second table level (工作活動, or 工作任務 under 主要職責)."""

    code: str
    title: str
    line: int
    page: int | None = None  # 1-based, for an item read from a PDF
    level: int | None = None
    knowledge: list[str] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)
    outputs: list[Output] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return _with_page(
            {
                "code": self.code,
                "title": self.title,
                "level": self.level,
                "knowledge": self.knowledge,
                "skills": self.skills,
                "notes": self.notes,
                "line": self.line,
                "outputs": [o.to_dict() for o in self.outputs],
                "indicators": [i.to_dict() for i in self.indicators],
            },
            self.page,
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Activity:
        return cls(**_row_fields(data), outputs=[Output.from_dict(o) for o in data.get("outputs") or []])

    def item_text(self) -> str:
        return self.title or ""


@dataclass
class Task:
    """工作任務 (or 主要職責): activities in standards, indicators directly in units."""

    code: str
    title: str
    line: int
    page: int | None = None  # 1-based, for an item read from a PDF
    level: int | None = None
    knowledge: list[str] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self, kind: str) -> dict[str, Any]:
        """The JSON of a task of this document kind (a unit's tasks hold indicators only)."""
        data = {name: _json(getattr(self, name)) for name in document_kind(kind).task_fields}
        return _with_page(data, self.page)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Task:
        return cls(
            **_row_fields(data), activities=[Activity.from_dict(a) for a in data.get("activities") or []]
        )

    def item_text(self) -> str:
        return self.title or ""


@dataclass(kw_only=True)
class Competence(Record):
    """A knowledge (K) or skill (S) item, defined once in the document-level list."""

    code: str
    text: str
    items: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    line: int
    page: int | None = None  # 1-based, for an item read from a PDF

    def item_text(self) -> str:
        return joined(self.text, self.items)


@dataclass(kw_only=True)
class Attitude(Record):
    """職能內涵 (A=attitude 態度): a named attitude with its description."""

    code: str
    name: str
    text: str
    line: int
    page: int | None = None  # 1-based, for an item read from a PDF

    def item_text(self) -> str:
        return f"{self.name}：{self.text}" if self.text else self.name


@dataclass(kw_only=True)
class Note(Record):
    """A numbered note (【註N】 in units, 說明與補充事項 bullets in standards)."""

    code: str
    text: str
    items: list[str] = field(default_factory=list)
    line: int
    page: int | None = None  # 1-based, for an item read from a PDF

    def item_text(self) -> str:
        return joined(self.text, self.items)


@dataclass(kw_only=True)
class Assessment(Record):
    """A section of a unit's 評量設計參考 (assessment guidance)."""

    code: str
    title: str
    items: list[str] = field(default_factory=list)
    line: int
    page: int | None = None  # 1-based, for an item read from a PDF

    def item_text(self) -> str:
        return self.title or ""


@dataclass(kw_only=True)
class Version(Record):
    """A row of a standard's version table."""

    version: str
    code: str
    title: str | None
    status: str | None
    remark: str | None
    date: str | None
    line: int
    page: int | None = None  # 1-based, for an item read from a PDF


@dataclass(kw_only=True)
class Concept(Record):
    """A coded classification entry: job category, occupation or industry."""

    name: str | None
    code: str | None


ItemRecord = Task | Activity | CodedText | Competence | Attitude | Note | Assessment
Parents = tuple["ItemRef", ...]


@dataclass(frozen=True)
class ItemRef:
    """One coded item of a document, as search and pages see it: its text, level and place."""

    code: str
    kind: str  # an item kind's name (kg.parse.kinds)
    text: str  # as searched and shown: a task's title, a knowledge item's text and list entries ...
    level: int | None  # its own, else its activity's or task's, else the document's
    parents: Parents  # the task and activity it sits under, outermost first
    record: ItemRecord = field(compare=False, repr=False)  # the model's own object
    document: Document = field(compare=False, repr=False)

    @property
    def task(self) -> str | None:
        """The code of the task it is or sits under; None for the document-level lists."""
        if self.parents:
            return self.parents[0].code
        return self.code if isinstance(self.record, Task) else None

    def to_dict(self) -> dict[str, Any]:
        """The item's JSON, as in its documents.json entry."""
        if isinstance(self.record, Task):
            return self.record.to_dict(self.document.kind)
        return self.record.to_dict()


@dataclass
class Document:
    """A competency document: a standard (職能基準), a unit (職能單元) or a registered kind."""

    kind: str  # a document kind's name (kg.parse.kinds): "standard", "unit" ...
    code: str
    title: str | None
    level: int | None
    source: str
    line: int
    page: int | None = None  # 1-based, for an item read from a PDF
    tasks: list[Task] = field(default_factory=list)
    knowledge: list[Competence] = field(default_factory=list)
    skills: list[Competence] = field(default_factory=list)
    attitudes: list[Attitude] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    history: list[str] = field(default_factory=list)
    # standard only
    category: Concept | None = None
    occupation: Concept | None = None
    industry: Concept | None = None
    # every occupation and industry, when a cell lists several codes (the first is `occupation`)
    occupations: list[Concept] = field(default_factory=list)
    industries: list[Concept] = field(default_factory=list)
    description: str | None = None
    versions: list[Version] = field(default_factory=list)
    qualification: str | None = None
    # unit only
    domain: str | None = None
    assessment: list[Assessment] = field(default_factory=list)
    # problems that did not stop parsing (an unknown section skipped ...); not in the JSON
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The contract's JSON shape for this document's kind (`DocumentKind.fields`)."""
        return {name: self._json_of(name) for name in document_kind(self.kind).fields}

    def _json_of(self, name: str) -> Any:
        if name == "tasks":  # a task's JSON depends on the document's kind
            return [t.to_dict(self.kind) for t in self.tasks]
        return _json(getattr(self, name))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Document:
        """The model of a documents.json entry; what the JSON lacks takes its default.

        The JSON holds no document line (the model's is the code row's): 0, unknown.
        """

        def concept(name: str) -> Concept | None:
            return Concept.from_dict(data[name]) if data.get(name) is not None else None

        return cls(
            kind=data["kind"],
            code=data["code"],
            title=data.get("title"),
            level=data.get("level"),
            source=data.get("source") or "",
            line=_line(data),
            tasks=[Task.from_dict(t) for t in data.get("tasks") or []],
            knowledge=[Competence.from_dict(k) for k in data.get("knowledge") or []],
            skills=[Competence.from_dict(s) for s in data.get("skills") or []],
            attitudes=[Attitude.from_dict(a) for a in data.get("attitudes") or []],
            notes=[Note.from_dict(n) for n in data.get("notes") or []],
            history=list(data.get("history") or []),
            category=concept("category"),
            occupation=concept("occupation"),
            industry=concept("industry"),
            occupations=[Concept.from_dict(c) for c in data.get("occupations") or []],
            industries=[Concept.from_dict(c) for c in data.get("industries") or []],
            description=data.get("description"),
            versions=[Version.from_dict(v) for v in data.get("versions") or []],
            qualification=data.get("qualification"),
            domain=data.get("domain"),
            assessment=[Assessment.from_dict(e) for e in data.get("assessment") or []],
        )

    def iter_items(self) -> Iterator[ItemRef]:
        """Every coded item in the JSON's order: each task with its indicators, then its activities
        each with its outputs and indicators; then knowledge, skills, attitudes, notes, assessment."""

        def ref(
            record: ItemRecord, kind: str, level: int | None, parents: tuple[ItemRef, ...] = ()
        ) -> ItemRef:
            return ItemRef(record.code, kind, record.item_text(), level, parents, record, self)

        for task in self.tasks:
            t = ref(task, "task", task.level or self.level)
            yield t
            for indicator in task.indicators:
                yield ref(indicator, "indicator", t.level, (t,))
            for activity in task.activities:
                a = ref(activity, "activity", activity.level or t.level, (t,))
                yield a
                for output in activity.outputs:
                    yield ref(output, "output", a.level, (t, a))
                for indicator in activity.indicators:
                    yield ref(indicator, "indicator", a.level, (t, a))
        lists: tuple[tuple[str, list[Any]], ...] = (
            ("knowledge", self.knowledge),
            ("skill", self.skills),
            ("attitude", self.attitudes),
            ("note", self.notes),
            ("assessment", self.assessment),
        )
        for kind, records in lists:
            for record in records:
                yield ref(record, kind, self.level)

    def activities(self) -> list[Activity]:
        return [a for t in self.tasks for a in t.activities]

    def indicators(self) -> list[Indicator]:
        found = [i for t in self.tasks for i in t.indicators]
        return found + [i for a in self.activities() for i in a.indicators]

    def outputs(self) -> list[Output]:
        return [o for a in self.activities() for o in a.outputs]
