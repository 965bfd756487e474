"""Parser for 職能單元 (competency units): a two-column table of labelled sections."""

from __future__ import annotations

import itertools
import re

from kg.parse.base import DocumentParser
from kg.parse.kinds import BODY_FIELDS, HEAD_FIELDS, DocumentKind, register_kind
from kg.parse.model import Assessment, Attitude, Competence, Document, Indicator, Note, Task
from kg.parse.sections import split_name
from kg.parse.segments import Segment, split_list
from kg.parse.text import (
    Fragment,
    LinedText,
    clean_item_text,
    normalise_label,
    parse_level,
    split_bullets,
    strip_tags,
    take_note_refs,
    tidy,
)

_SECTIONS = (
    (re.compile(r"^職能單元代碼"), "code"),
    (re.compile(r"^職能單元名稱"), "title"),
    (re.compile(r"^(領域類別|職類別)"), "domain"),
    (re.compile(r"^職能單元級別"), "level"),
    (re.compile(r"^工作任務"), "tasks"),
    (re.compile(r"^(職能內涵)?[(（]?(K=|知識)"), "knowledge"),
    (re.compile(r"^(職能內涵)?[(（]?(S=|技能)"), "skills"),
    (re.compile(r"^(職能內涵)?[(（]?(A=|態度)"), "attitudes"),
    (re.compile(r"^評量"), "assessment"),
    (re.compile(r"^說明與補充事項"), "notes"),
    (re.compile(r"^(更新|修訂)(紀|記)錄"), "history"),
)
# Units number their lists 一、二、 and the items under them 1. 2.; some pages use bullets.
_TOP_LEVEL = ("chinese", "arabic", "bullet")
_SUB_LEVEL = ("arabic", "bullet")
_LONGEST_LABEL = 24
_SEPARATOR = re.compile(r"^[-—–\s]*$")
_NOTE_START = re.compile(r"【\s*註\s*(\d{1,4})\s*】")  # as text._NOTE_MARK


def _label_content_pairs(line: str) -> list[tuple[str, str]]:
    """`label ⇥ content`, or several pairs on one row (`代碼 ⇥ X ⇥ 名稱 ⇥ Y`)."""
    cells = line.split("\t")
    starts = [i for i, cell in enumerate(cells) if _is_label(cell)]
    if len(starts) < 2 or starts[0] != 0:
        return [(cells[0], "\t".join(cells[1:]))]
    bounds = [*starts, len(cells)]
    return [
        (cells[a], " ".join(c for c in cells[a + 1 : b] if c.strip())) for a, b in itertools.pairwise(bounds)
    ]


def _is_label(cell: str) -> bool:
    """A short cell naming a section (content cells can end in 知識 or 技能 too)."""
    return 0 < len(normalise_label(cell)) <= _LONGEST_LABEL and section_of(cell) is not None


def section_of(label: str) -> str | None:
    key = normalise_label(label)
    return next((name for pattern, name in _SECTIONS if pattern.search(key)), None)


class UnitParser(DocumentParser):
    """Turns the lines of one unit into a Document."""

    table_closed = False  # the `--` row that ends every unit's table was read

    def has(self, document: Document, section: str) -> bool:
        if section == "table_end":
            return self.table_closed or self.tables_bounded
        return super().has(document, section)

    def parse(self) -> Document:
        sections = self._sections()
        code_fragments = sections.get("code")
        code_line = code_fragments[0].line if code_fragments else 1
        code = self.checked_code(tidy(code_fragments[0].text) if code_fragments else "", code_line)
        level = sections.get("level")
        document = Document(
            kind=self.kind.name,
            code=code,
            title=self._single(sections, "title"),
            level=parse_level(level[0].text, self.source, level[0].line) if level else None,
            source=self.source,
            line=code_line,
            domain=self._single(sections, "domain"),
        )
        document.tasks = self._tasks(sections.get("tasks", []))
        document.knowledge = self._competences(sections.get("knowledge", []), "K")
        document.skills = self._competences(sections.get("skills", []), "S")
        document.attitudes = self._attitudes(sections.get("attitudes", []))
        document.assessment = self._assessment(sections.get("assessment", []))
        document.notes = self._notes(sections.get("notes", []))
        document.history = [tidy(f.text) for f in sections.get("history", []) if tidy(f.text)]
        return document

    def _sections(self) -> dict[str, list[Fragment]]:
        """Group the content of each labelled row; unlabelled rows continue the last section."""
        sections: dict[str, list[Fragment]] = {}
        current: str | None = None
        after_break = False  # a blank line is where the published pages break
        for number, line in enumerate(self.lines, 1):
            if not line.strip() or _SEPARATOR.match(line.replace("\t", " ")):
                after_break = after_break or not line.strip()
                self.table_closed = self.table_closed or ("-" in line and "\t" in line)
                continue
            follows_break, after_break = after_break, False
            if "\t" not in line:  # a line outside the table: a heading or its text
                name = section_of(line)
                if name == "history":
                    current = name
                elif current == "history":
                    sections.setdefault(current, []).append(Fragment(strip_tags(line), number))
                elif current is not None:
                    raise self.error(f"text outside the table's sections: {tidy(line)[:30]!r}", number)
                continue
            for label, content in _label_content_pairs(line):
                if label:
                    current = section_of(label)
                    if current is None:
                        self.warnings.append(
                            f"{self.source}:{number}: unknown section {tidy(label)!r} skipped"
                        )
                        continue
                    if current in sections and current != "history":
                        raise self.error(f"section {tidy(label)!r} appears twice", number)
                elif current is None:
                    continue  # continuation of a skipped section
                elif not follows_break and current != "history":
                    self.warnings.append(
                        f"{self.source}:{number}: a row without a label that is not a continuation after "
                        f"a page break is skipped: {tidy(strip_tags(content))[:40]!r}"
                    )
                    continue
                sections.setdefault(current, []).append(Fragment(strip_tags(content), number))
        return sections

    @staticmethod
    def _single(sections: dict[str, list[Fragment]], name: str) -> str | None:
        fragments = sections.get(name)
        return tidy(" ".join(f.text for f in fragments)) or None if fragments else None

    def _enumerated(self, fragments: list[Fragment], section: str) -> tuple[LinedText, list[Segment]]:
        """A section's top-level list: numbered 一、二、 (or, failing that, 1. 2. or bullets)."""
        text = LinedText(fragments)
        segments = split_list(text.text, _TOP_LEVEL)
        if segments[0].text.strip():
            line = text.first_line_of(0, len(segments[0].text))
            raise self.error(f"text in {section} before its first 一、 cannot be placed", line)
        return text, segments[1:]

    def _tasks(self, fragments: list[Fragment]) -> list[Task]:
        if not fragments:
            return []
        text, segments = self._enumerated(fragments, "工作任務與行為指標")
        tasks = []
        for segment in segments:
            parts = split_list(segment.text, _SUB_LEVEL)
            title, notes = take_note_refs(parts[0].text)
            task = Task(
                code=f"T{segment.number}",
                title=clean_item_text(title),
                line=text.first_line_of(segment.start, segment.start + len(segment.text)),
                notes=notes,
            )
            for part in parts[1:]:
                body, refs = take_note_refs(part.text)
                start = segment.start + part.start
                task.indicators.append(
                    Indicator(
                        code=f"P{segment.number}.{part.number}",
                        text=clean_item_text(body),
                        line=text.first_line_of(start, start + len(part.text)),
                        notes=refs,
                    )
                )
            tasks.append(task)
        return tasks

    def _competences(self, fragments: list[Fragment], prefix: str) -> list[Competence]:
        if not fragments:
            return []
        text, segments = self._enumerated(fragments, f"the {prefix} list")
        result = []
        for segment in segments:
            body, notes = take_note_refs(segment.text)
            lead, items = split_bullets(body)
            line = text.first_line_of(segment.start, segment.start + len(segment.text))
            result.append(
                Competence(
                    code=f"{prefix}{segment.number}",
                    text=clean_item_text(lead),
                    items=items,
                    notes=notes,
                    line=line,
                )
            )
        return result

    def _attitudes(self, fragments: list[Fragment]) -> list[Attitude]:
        if not fragments:
            return []
        text, segments = self._enumerated(fragments, "the attitude list")
        result = []
        for segment in segments:
            name, description = split_name(clean_item_text(take_note_refs(segment.text)[0]))
            line = text.first_line_of(segment.start, segment.start + len(segment.text))
            result.append(Attitude(code=f"A{segment.number}", name=name, text=description, line=line))
        return result

    def _assessment(self, fragments: list[Fragment]) -> list[Assessment]:
        if not fragments:
            return []
        text, segments = self._enumerated(fragments, "評量設計參考")
        result = []
        for segment in segments:
            parts = split_list(segment.text, _SUB_LEVEL)
            title = clean_item_text(parts[0].text).rstrip("：:")
            items = [clean_item_text(p.text) for p in parts[1:]]
            line = text.first_line_of(segment.start, segment.start + len(segment.text))
            result.append(Assessment(code=f"E{segment.number}", title=title, items=items, line=line))
        return result

    def _notes(self, fragments: list[Fragment]) -> list[Note]:
        if not fragments:
            return []
        text = LinedText(fragments)
        starts = list(_NOTE_START.finditer(text.text))
        if not starts:
            return self._unmarked_notes(text)
        if text.text[: starts[0].start()].strip():
            line = text.first_line_of(0, starts[0].start())
            raise self.error("text in 說明與補充事項 before its first 【註N】 cannot be placed", line)
        notes = []
        for index, match in enumerate(starts):
            end = starts[index + 1].start() if index + 1 < len(starts) else len(text.text)
            lead, items = split_bullets(text.text[match.end() : end])
            line = text.first_line_of(match.start(), end)
            notes.append(
                Note(code=f"N{int(match.group(1))}", text=clean_item_text(lead), items=items, line=line)
            )
        return notes

    def _unmarked_notes(self, text: LinedText) -> list[Note]:
        """Notes without 【註N】 markers: numbered or bulleted items N1, N2 …, or one note N1."""
        segments = split_list(text.text, _TOP_LEVEL)
        if len(segments) == 1 or segments[0].text.strip():
            segments = [Segment(None, text.text, 0, 1)]
        else:
            segments = segments[1:]
        notes = []
        for segment in segments:
            lead, items = split_bullets(segment.text)
            line = text.first_line_of(segment.start, segment.start + len(segment.text))
            notes.append(Note(code=f"N{segment.number}", text=clean_item_text(lead), items=items, line=line))
        return notes


UNIT = register_kind(
    DocumentKind(
        name="unit",
        zh="職能單元",
        en="Unit",
        code_label="職能單元代碼",
        parser=UnitParser,
        owl_class="CompetencyUnit",
        item_kinds=("task", "indicator", "knowledge", "skill", "attitude", "note", "assessment"),
        expected_sections=(
            ("tasks", "工作任務與行為指標 (tasks)"),
            ("knowledge", "知識 (knowledge)"),
            ("skills", "技能 (skills)"),
            ("assessment", "評量設計參考 (assessment)"),
            ("notes", "說明與補充事項 (notes)"),
            ("table_end", "the row that closes the table (--)"),  # see `UnitParser.has`
        ),
        fields=(*HEAD_FIELDS, "domain", *BODY_FIELDS, "assessment"),
        task_fields=("code", "title", "notes", "line", "indicators"),
    )
)
