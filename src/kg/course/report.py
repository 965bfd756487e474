"""What a course covers of each document: every item with its covering lines, the gaps, a summary.

An activity counts as covered when a line covers it or one of its indicators; a task when a
line covers it or anything under it. A unit has no activities: its tasks, which hold the
indicators, stand at the activity level (`activity_level`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.course.matching import COVER_KINDS, LineMatch
from kg.course.outline import CourseLine
from kg.parse.model import ItemRef

if TYPE_CHECKING:
    import pandas


@dataclass
class ItemCoverage:
    """One task, activity, indicator, knowledge or skill item and the lines that cover it."""

    code: str
    kind: str
    text: str
    parent: str | None  # the activity (or a unit's task) an indicator sits under; an activity's task
    covered_by: list[dict[str, Any]] = field(default_factory=list)
    indicators: int = 0  # a task's or activity's indicators
    indicators_covered: int = 0
    covered: bool = False  # directly, or (a task or activity) through an item under it

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "code": self.code,
            "kind": self.kind,
            "text": self.text,
            "parent": self.parent,
            "covered": self.covered,
            "covered_by": self.covered_by,
        }
        if self.kind in ("task", "activity"):
            data["indicators"] = self.indicators
            data["indicators_covered"] = self.indicators_covered
            data["indicator_share"] = self.indicators_covered / self.indicators if self.indicators else None
        return data


@dataclass
class DocumentCoverage:
    """One document's items, each with its covering course lines."""

    document: str
    title: str
    kind: str
    items: list[ItemCoverage]

    @property
    def activity_level(self) -> str:
        """ "activity" in a standard; "task" in a unit (whose tasks hold the indicators)."""
        return "activity" if any(i.kind == "activity" for i in self.items) else "task"

    def of_kind(self, kind: str) -> list[ItemCoverage]:
        return [i for i in self.items if i.kind == kind]

    def gaps(self) -> list[ItemCoverage]:
        """Every item no line covers (a task or activity: nothing under it either)."""
        return [i for i in self.items if not i.covered]

    def summary(self) -> dict[str, Any]:
        counts: dict[str, Any] = {}
        for kind in COVER_KINDS:
            items = self.of_kind(kind)
            counts[kind] = {"total": len(items), "covered": sum(i.covered for i in items)}
        uncovered_tasks = [f"{i.code} {i.text}" for i in self.of_kind("task") if not i.covered]
        level = self.activity_level
        nouns = {"activity": "activities", "task": "tasks"}
        text = (
            f"covers {counts[level]['covered']} of {counts[level]['total']} {nouns[level]}, "
            f"{counts['indicator']['covered']} of {counts['indicator']['total']} indicators, "
            f"{counts['knowledge']['covered']} of {counts['knowledge']['total']} knowledge and "
            f"{counts['skill']['covered']} of {counts['skill']['total']} skill items"
        )
        if uncovered_tasks:
            text += "; no coverage of " + ", ".join(uncovered_tasks)
        return {"counts": counts, "activity_level": level, "uncovered_tasks": uncovered_tasks, "text": text}

    def to_dict(self) -> dict[str, Any]:
        return {
            "document": self.document,
            "title": self.title,
            "kind": self.kind,
            "items": [i.to_dict() for i in self.items],
            "summary": self.summary(),
        }


def document_coverage(
    document: str, title: str, kind: str, refs: list[ItemRef], matches: list[LineMatch], texts: dict[int, str]
) -> DocumentCoverage:
    """The coverage of one document from its items (in document order) and the course's matches."""
    by_code: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for m in sorted(matches, key=lambda m: (-round(m.score, 4), m.line)):
        if m.document == document:
            by_code[m.code].append(
                {"line": m.line, "text": texts[m.line], "score": round(m.score, 4), "relation": m.relation}
            )
    items = [
        ItemCoverage(
            ref.code,
            ref.kind,
            ref.text,
            ref.parents[-1].code if ref.parents else None,
            by_code.get(ref.code, []),
        )
        for ref in refs
        if ref.kind in COVER_KINDS
    ]
    for item in items:
        item.covered = bool(item.covered_by)
    index = {i.code: i for i in items if i.kind in ("task", "activity")}
    for item in items:  # indicators first raise their activity (or unit task), then activities their task
        if item.kind == "indicator" and item.parent in index:
            parent = index[item.parent]
            parent.indicators += 1
            parent.indicators_covered += item.covered
            parent.covered |= item.covered
    for item in items:
        if item.kind == "activity" and item.parent in index:
            task = index[item.parent]
            task.indicators += item.indicators
            task.indicators_covered += item.indicators_covered
            task.covered |= item.covered
    return DocumentCoverage(document, title, kind, items)


@dataclass
class CourseCoverage:
    """A course outline against one or more documents."""

    course: str
    lines: list[CourseLine]
    matches: list[LineMatch]
    documents: list[DocumentCoverage]
    ranking: list[dict[str, Any]] | None = None  # when the documents were chosen for the course

    def line_matches(self) -> dict[int, list[LineMatch]]:
        found: dict[int, list[LineMatch]] = {line.line: [] for line in self.lines}
        for m in self.matches:
            found[m.line].append(m)
        return found

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"course": self.course}
        if self.ranking is not None:
            data["ranking"] = self.ranking
        data["documents"] = [d.to_dict() for d in self.documents]
        per_line = self.line_matches()
        data["lines"] = [
            {
                "line": line.line,
                "text": line.text,
                "content": bool(per_line[line.line]),
                "matches": [
                    {k: v for k, v in m.to_dict().items() if k != "line"} | {"score": round(m.score, 4)}
                    for m in per_line[line.line]
                ],
            }
            for line in self.lines
        ]
        return data

    def to_xlsx(self, path: str | Path) -> Path:
        """Write the mapping table a certification file needs (a sheet per document, gaps, lines)."""
        from kg.course.tables import write_xlsx

        write_xlsx(self, Path(path))
        return Path(path)

    def to_csv(self, path: str | Path) -> Path:
        """Write every document's item rows as CSV (UTF-8 with a BOM, which Excel reads)."""
        from kg.course.tables import write_csv

        write_csv(self, Path(path))
        return Path(path)

    def lines_table(self) -> pandas.DataFrame:
        """One row per (course line, item it covers); a line covering nothing has one empty row."""
        import pandas

        rows = []
        per_line = self.line_matches()
        for line in self.lines:
            covering: list[LineMatch | None] = list(per_line[line.line]) or [None]
            for m in covering:
                rows.append(
                    {
                        "line": line.line,
                        "text": line.text,
                        "document": m.document if m else None,
                        "code": m.code if m else None,
                        "kind": m.kind if m else None,
                        "item": m.text if m else None,
                        "score": round(m.score, 4) if m else None,
                        "relation": m.relation if m else None,
                    }
                )
        return pandas.DataFrame(rows)

    def items_table(self) -> pandas.DataFrame:
        """One row per item of each document: covered or not, by which lines, indicator shares."""
        import pandas

        rows = []
        for d in self.documents:
            for i in d.items:
                rows.append(
                    {
                        "document": d.document,
                        "code": i.code,
                        "kind": i.kind,
                        "text": i.text,
                        "parent": i.parent,
                        "covered": i.covered,
                        "lines": ", ".join(str(c["line"]) for c in i.covered_by),
                        "best_score": max((c["score"] for c in i.covered_by), default=None),
                        "indicators": i.indicators if i.kind in ("task", "activity") else None,
                        "indicators_covered": i.indicators_covered
                        if i.kind in ("task", "activity")
                        else None,
                    }
                )
        return pandas.DataFrame(rows)


def course_coverage(
    course: str,
    lines: list[CourseLine],
    matches: list[LineMatch],
    documents: list[tuple[str, str, str, list[ItemRef]]],
    ranking: list[dict[str, Any]] | None = None,
) -> CourseCoverage:
    """The coverage of a course's matches over each (code, title, kind, items) document."""
    texts = {line.line: line.text for line in lines}
    covered = [
        document_coverage(code, title, kind, refs, matches, texts) for code, title, kind, refs in documents
    ]
    return CourseCoverage(course, lines, matches, covered, ranking)
