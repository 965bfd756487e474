"""The task table of a 職能基準: rows of task, activity, output, indicator, level, K and S cells.

Items are created where their codes appear (P4.3.1 is an indicator of T4.3 whatever
column it was printed in); text without a code continues an item cut by a page or
cell break; K and S codes are defined once, at the document level, and referenced
by the task or activity that prints them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.errors import ParseError
from kg.parse.model import Activity, Competence, Document, Indicator, Output, Task
from kg.parse.segments import (
    ACTIVITY_CODE,
    KNOWLEDGE_CODE,
    SKILL_CODE,
    STRUCTURE_CODE,
    TASK_CODE,
    split_by_codes,
)
from kg.parse.text import (
    clean_item_text,
    normalise_label,
    parse_level,
    split_bullets,
    strip_tags,
    take_note_refs,
    tidy,
)

# Column roles, found from the header row's words so that column order does not matter.
TASK, ACTIVITY, OUTPUT, INDICATOR, LEVEL, KNOWLEDGE, SKILL = (
    "task",
    "activity",
    "output",
    "indicator",
    "level",
    "knowledge",
    "skill",
)
_CODED_COLUMNS = {
    TASK: STRUCTURE_CODE,
    ACTIVITY: STRUCTURE_CODE,
    OUTPUT: STRUCTURE_CODE,
    INDICATOR: STRUCTURE_CODE,
    KNOWLEDGE: KNOWLEDGE_CODE,
    SKILL: SKILL_CODE,
}
_ROLE_ORDER = {TASK: 0, ACTIVITY: 1}


@dataclass
class Row:
    line: int
    cells: list[str]


@dataclass
class _Piece:
    """An item being assembled from the table; its raw text grows with continuations."""

    kind: str
    code: str
    raw: str
    line: int
    obj: object = None
    extra_raws: list[str] = field(default_factory=list)
    sequence: int = 0  # creation order, to find the most recent of several candidates


def is_table_header(cells: list[str]) -> bool:
    labels = [normalise_label(c) for c in cells]
    return any("行為指標" in c for c in labels) and any("工作任務" in c or "主要職責" in c for c in labels)


def column_roles(cells: list[str]) -> dict[int, str]:
    """Map column index -> role. 主要職責/工作任務 and 工作任務/工作活動 both mean task/activity."""
    labels = [normalise_label(c) for c in cells]
    has_duty = any("主要職責" in c for c in labels)
    roles: dict[int, str] = {}
    for index, label in enumerate(labels):
        if "主要職責" in label:
            roles[index] = TASK
        elif "工作任務" in label:
            roles[index] = ACTIVITY if has_duty else TASK
        elif "工作活動" in label:
            roles[index] = ACTIVITY
        elif "工作產出" in label:
            roles[index] = OUTPUT
        elif "行為指標" in label:
            roles[index] = INDICATOR
        elif "級別" in label:
            roles[index] = LEVEL
        elif "K=" in label or label.endswith("知識)"):
            roles[index] = KNOWLEDGE
        elif "S=" in label or label.endswith("技能)"):
            roles[index] = SKILL
    return roles


def read_task_table(rows: list[Row], document: Document, source: str, warnings: list[str]) -> None:
    """Fill the document's tasks, knowledge and skills from the task table's rows (header first)."""
    header = rows[0]
    roles = column_roles(header.cells)
    for needed in (TASK, ACTIVITY, INDICATOR):
        if needed not in roles.values():
            raise ParseError(source, f"the task table has no {needed} column", header.line)
    for index, cell in enumerate(header.cells):
        if index not in roles and cell.strip():
            warnings.append(
                f"{source}:{header.line}: column {tidy(cell)!r} is not a known column; its cells are skipped"
            )
    body = _body_rows(rows)
    per_activity = values_per_activity([row for row, _ in body], roles, rows[0].cells)
    table = TaskTable(source, document, per_activity)
    width = len(header.cells)
    for row, after_break in body:
        if after_break or _opens_an_item(row, roles):
            table.add_row(row, roles, width)
        else:
            text = tidy(strip_tags(" ".join(row.cells)))
            warnings.append(
                f"{source}:{row.line}: a row that is neither a new item nor a continuation after a "
                f"page break is skipped: {text[:40]!r}"
            )
    table.finish()


def _body_rows(rows: list[Row]) -> list[tuple[Row, bool]]:
    """The rows with text, each with whether it is the first after a (repeated) header row.

    Text without a code continues an item only there, where a page break cut a cell:
    that is where every continuation in the published documents is.
    """
    body: list[tuple[Row, bool]] = []
    after_header = False
    for row in rows:
        if is_table_header(row.cells):
            after_header = True
        elif any(c.strip() for c in row.cells):
            body.append((row, after_header))
            after_header = False
    return body


def _opens_an_item(row: Row, roles: dict[int, str]) -> bool:
    """Does any cell of the row print a code (a new item, or a K/S reference)?"""
    return any(
        len(split_by_codes(strip_tags(_cell(row, index)), _CODED_COLUMNS[role])) > 1
        for index, role in roles.items()
        if role in _CODED_COLUMNS
    )


def values_per_activity(rows: list[Row], roles: dict[int, str], header: list[str]) -> bool:
    """Does this layout print level/K/S against each activity, or once per task?

    Evidence: a task with two or more activity rows that each carry a level or a new
    K/S code. (Where a spanning cell's text lands, on the task's first row or lower
    down, it lands on one row only.) Without such a task the header decides:
    主要職責 tables are per activity.
    """
    by_role = {role: index for index, role in roles.items()}
    rows_with_values = 0
    for row in rows:
        cells = {role: strip_tags(_cell(row, by_role.get(role))).strip() for role in by_role}
        if TASK_CODE.match(cells.get(TASK, "")):
            rows_with_values = 0
        if ACTIVITY_CODE.match(cells.get(ACTIVITY, "")) and (
            cells.get(LEVEL)
            or KNOWLEDGE_CODE.match(cells.get(KNOWLEDGE, ""))
            or SKILL_CODE.match(cells.get(SKILL, ""))
        ):
            rows_with_values += 1
            if rows_with_values > 1:
                return True
    return any("主要職責" in normalise_label(cell) for cell in header)


_STRUCTURE_ROLES = (TASK, ACTIVITY, OUTPUT, INDICATOR)


def _kind_of(code: str) -> str:
    """The kind a structure code names: T1 task, T1.1 activity, O1.1.1 output, P1.1.1 indicator."""
    if code.startswith("T"):
        return ACTIVITY if "." in code else TASK
    return OUTPUT if code.startswith("O") else INDICATOR


def _cell(row: Row, index: int | None) -> str:
    if index is None or index >= len(row.cells):
        return ""
    return row.cells[index]


class TaskTable:
    """Walks the table rows, creating items and joining continuations to their items."""

    def __init__(self, source: str, document: Document, per_activity: bool) -> None:
        self.source = source
        self.document = document
        self.per_activity = per_activity
        self.tasks: dict[str, Task] = {}
        self.activities: dict[str, Activity] = {}
        self.pieces: list[_Piece] = []
        self.last: dict[str, _Piece] = {}  # by kind
        self.last_in_column: dict[int, _Piece] = {}
        self.latest: _Piece | None = None  # the item most recently printed
        self.sequence = 0
        self.competences: dict[str, dict[str, _Piece]] = {KNOWLEDGE: {}, SKILL: {}}
        self.task: Task | None = None
        self.activity: Activity | None = None

    def error(self, message: str, line: int) -> ParseError:
        return ParseError(self.source, message, line)

    def owner(self) -> Task | Activity | None:
        if self.per_activity and self.activity is not None:
            return self.activity
        return self.task

    def add_row(self, row: Row, roles: dict[int, str], width: int) -> None:
        extra = [c for c in row.cells[width:] if c.strip()]
        if extra:
            raise self.error(f"row has {len(row.cells)} cells but the table has {width} columns", row.line)
        # The task cell, then the activity cell: the other cells of the row belong to them.
        ordered = sorted(roles.items(), key=lambda item: _ROLE_ORDER.get(item[1], 2))
        for index, role in ordered:
            text = strip_tags(_cell(row, index))
            if not text.strip():
                continue
            if role == LEVEL:
                self._level(text, row.line)
            else:
                self._coded_cell(index, role, text, row.line)

    def _level(self, text: str, line: int) -> None:
        owner = self.owner()
        if owner is None:
            raise self.error("a level before any task", line)
        if owner.level is None:
            owner.level = parse_level(text, self.source, line)

    def _coded_cell(self, column: int, role: str, text: str, line: int) -> None:
        segments = split_by_codes(text, _CODED_COLUMNS[role])
        lead = segments[0].text
        if lead.strip():
            self._continue(column, role, lead, line)
        for segment in segments[1:]:
            self._new_item(role, segment.code or "", segment.text, line)
            if self.latest is not None:
                self.last_in_column[column] = self.latest

    def _continue(self, column: int, role: str, text: str, line: int) -> None:
        """Uncoded text continues an item across a page or cell break.

        It continues the most recent of: the last item of the column's kind, and the
        last item printed in this column (which differ when the PDF misplaced a column).
        """
        candidates = [p for p in (self.last.get(role), self.last_in_column.get(column)) if p is not None]
        piece = max(candidates, key=lambda p: p.sequence) if candidates else None
        if piece is None:
            raise self.error(f"text in the {role} column belongs to no item: {tidy(text)[:30]!r}", line)
        if piece.extra_raws:
            piece.extra_raws[-1] += " " + text
        else:
            piece.raw += " " + text

    def _new_item(self, role: str, code: str, text: str, line: int) -> None:
        kind = _kind_of(code) if role in _STRUCTURE_ROLES else role
        if kind == TASK:
            if code in self.tasks:
                raise self.error(f"task {code} appears twice", line)
            task = Task(code=code, title="", line=line)
            self.tasks[code] = task
            self.document.tasks.append(task)
            self.task, self.activity = task, None
            self._track(_Piece(TASK, code, text, line, task))
        elif kind == ACTIVITY:
            if code in self.activities:
                raise self.error(f"activity {code} appears twice", line)
            task = self._task_of(code, line)
            activity = Activity(code=code, title="", line=line)
            task.activities.append(activity)
            self.activities[code] = activity
            self.task, self.activity = task, activity
            self._track(_Piece(ACTIVITY, code, text, line, activity))
        elif kind in (OUTPUT, INDICATOR):
            self._track(_Piece(kind, code, text, line))
        else:
            self._competence(kind, code, text, line)

    def _competence(self, kind: str, code: str, text: str, line: int) -> None:
        owner = self.owner()
        if owner is None:
            raise self.error(f"{code} appears before any task", line)
        references = owner.knowledge if kind == KNOWLEDGE else owner.skills
        if code not in references:
            references.append(code)
        known = self.competences[kind]
        if code in known:
            piece = known[code]
            piece.extra_raws.append(text)
            self.sequence += 1
            piece.sequence = self.sequence
            self.last[kind] = piece
            self.latest = piece
        else:
            piece = _Piece(kind, code, text, line)
            known[code] = piece
            self._track(piece)

    def _track(self, piece: _Piece) -> None:
        self.sequence += 1
        piece.sequence = self.sequence
        self.pieces.append(piece)
        self.last[piece.kind] = piece
        self.latest = piece

    def _task_of(self, activity_code: str, line: int) -> Task:
        task_code = activity_code.split(".")[0]
        if task_code not in self.tasks:
            raise self.error(f"{activity_code} belongs to task {task_code}, which is not in the table", line)
        return self.tasks[task_code]

    def finish(self) -> None:
        """Clean every item's text and place outputs and indicators where their codes say."""
        for piece in self.pieces:
            text, notes = take_note_refs(piece.raw)
            if piece.kind in (TASK, ACTIVITY):
                piece.obj.title = clean_item_text(text)  # type: ignore[attr-defined]
                piece.obj.notes = notes  # type: ignore[attr-defined]
            elif piece.kind in (OUTPUT, INDICATOR):
                self._place(piece, clean_item_text(text), notes)
            else:
                self._define(piece)

    def _place(self, piece: _Piece, text: str, notes: list[str]) -> None:
        activity_code = "T" + ".".join(piece.code[1:].split(".")[:2])
        activity = self.activities.get(activity_code)
        if activity is None:
            raise self.error(
                f"{piece.code} belongs to activity {activity_code}, which is not in the table",
                piece.line,
            )
        placed = activity.outputs if piece.kind == OUTPUT else activity.indicators
        if any(item.code == piece.code for item in placed):
            raise self.error(f"{piece.kind} {piece.code} appears twice", piece.line)
        if piece.kind == OUTPUT:
            activity.outputs.append(Output(code=piece.code, text=text, notes=notes, line=piece.line))
        else:
            activity.indicators.append(Indicator(code=piece.code, text=text, notes=notes, line=piece.line))

    def _define(self, piece: _Piece) -> None:
        versions = [piece.raw, *piece.extra_raws]
        cleaned = [(split_bullets(take_note_refs(v)[0]), take_note_refs(v)[1]) for v in versions]
        defined = [(lead, items, notes) for (lead, items), notes in cleaned if lead or items]
        if not defined:
            return  # a bare reference to a code defined nowhere: SHACL reports it
        # A page break can cut one printing short; prefer the fullest printing.
        lead, items, notes = max(defined, key=lambda d: len(d[0]) + sum(map(len, d[1])))
        competence = Competence(
            code=piece.code, text=clean_item_text(lead), items=items, notes=notes, line=piece.line
        )
        target = self.document.knowledge if piece.kind == KNOWLEDGE else self.document.skills
        target.append(competence)
