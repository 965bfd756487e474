"""The parsed-document model: one dataclass per kind of item.

The JSON shape is a public contract (`docs/document-model.md`); `to_dict`
emits exactly its field names, in its order. Fields may be added, never renamed.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any


@dataclass(kw_only=True)
class Record:
    """An item whose JSON is its fields, in the order declared (the contract's order)."""

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(kw_only=True)
class CodedText(Record):
    """An item that is a code and a text: indicators and outputs."""

    code: str
    text: str
    notes: list[str] = field(default_factory=list)
    line: int


class Indicator(CodedText):
    """行為指標: a behaviour indicator (P1.1.1 in standards, P1.2 in units)."""


class Output(CodedText):
    """工作產出: a work output of an activity."""


@dataclass
class Activity:
    """A standard's second table level (工作活動, or 工作任務 under 主要職責)."""

    code: str
    title: str
    line: int
    level: int | None = None
    knowledge: list[str] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)
    outputs: list[Output] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "title": self.title,
            "level": self.level,
            "knowledge": self.knowledge,
            "skills": self.skills,
            "notes": self.notes,
            "line": self.line,
            "outputs": [o.to_dict() for o in self.outputs],
            "indicators": [i.to_dict() for i in self.indicators],
        }


@dataclass
class Task:
    """工作任務 (or 主要職責): activities in standards, indicators directly in units."""

    code: str
    title: str
    line: int
    level: int | None = None
    knowledge: list[str] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self, kind: str) -> dict[str, Any]:
        if kind == "unit":
            return {
                "code": self.code,
                "title": self.title,
                "notes": self.notes,
                "line": self.line,
                "indicators": [i.to_dict() for i in self.indicators],
            }
        return {
            "code": self.code,
            "title": self.title,
            "level": self.level,
            "knowledge": self.knowledge,
            "skills": self.skills,
            "notes": self.notes,
            "line": self.line,
            "activities": [a.to_dict() for a in self.activities],
        }


@dataclass(kw_only=True)
class Competence(Record):
    """A knowledge (K) or skill (S) item, defined once in the document-level list."""

    code: str
    text: str
    items: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    line: int


@dataclass(kw_only=True)
class Attitude(Record):
    """職能內涵 (A=attitude 態度): a named attitude with its description."""

    code: str
    name: str
    text: str
    line: int


@dataclass(kw_only=True)
class Note(Record):
    """A numbered note (【註N】 in units, 說明與補充事項 bullets in standards)."""

    code: str
    text: str
    items: list[str] = field(default_factory=list)
    line: int


@dataclass(kw_only=True)
class Assessment(Record):
    """A section of a unit's 評量設計參考 (assessment guidance)."""

    code: str
    title: str
    items: list[str] = field(default_factory=list)
    line: int


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


@dataclass(kw_only=True)
class Concept(Record):
    """A coded classification entry: job category, occupation or industry."""

    name: str | None
    code: str | None


@dataclass
class Document:
    """A competency standard (職能基準) or competency unit (職能單元)."""

    kind: str  # "standard" | "unit"
    code: str
    title: str | None
    level: int | None
    source: str
    line: int
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
    description: str | None = None
    versions: list[Version] = field(default_factory=list)
    qualification: str | None = None
    # unit only
    domain: str | None = None
    assessment: list[Assessment] = field(default_factory=list)
    # problems that did not stop parsing (an unknown section skipped ...); not in the JSON
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The contract's JSON shape for this document's kind."""
        out: dict[str, Any] = {
            "kind": self.kind,
            "code": self.code,
            "title": self.title,
            "level": self.level,
            "source": self.source,
        }
        if self.kind == "standard":
            out |= {
                "category": self.category.to_dict() if self.category else None,
                "occupation": self.occupation.to_dict() if self.occupation else None,
                "industry": self.industry.to_dict() if self.industry else None,
                "description": self.description,
                "versions": [v.to_dict() for v in self.versions],
                "qualification": self.qualification,
            }
        else:
            out["domain"] = self.domain
        out |= {
            "tasks": [t.to_dict(self.kind) for t in self.tasks],
            "knowledge": [k.to_dict() for k in self.knowledge],
            "skills": [s.to_dict() for s in self.skills],
            "attitudes": [a.to_dict() for a in self.attitudes],
            "notes": [n.to_dict() for n in self.notes],
            "history": self.history,
        }
        if self.kind == "unit":
            out["assessment"] = [e.to_dict() for e in self.assessment]
        return out

    def activities(self) -> list[Activity]:
        return [a for t in self.tasks for a in t.activities]

    def indicators(self) -> list[Indicator]:
        found = [i for t in self.tasks for i in t.indicators]
        return found + [i for a in self.activities() for i in a.indicators]

    def outputs(self) -> list[Output]:
        return [o for a in self.activities() for o in a.outputs]
