"""Parser for 職能基準 (competency standards): header fields, the task table, attitudes, notes."""

from __future__ import annotations

import re
from typing import ClassVar

from kg.parse.base import DocumentParser
from kg.parse.kinds import BODY_FIELDS, HEAD_FIELDS, DocumentKind, register_kind
from kg.parse.model import Concept, Document, Version
from kg.parse.sections import parse_attitude_lines, parse_competence_lines, parse_note_bullets
from kg.parse.table import Row, is_table_header, read_task_table
from kg.parse.text import iso_date, normalise_label, parse_level, strip_tags, tidy

_ATTITUDE_HEADING = re.compile(r"^職能內涵\(?A=")
_LIST_HEADINGS = {"knowledge": re.compile(r"^職能內涵\(?K="), "skills": re.compile(r"^職能內涵\(?S=")}
_NOTES_HEADING = "說明與補充事項"
_HISTORY_HEADING = re.compile(r"^(基準)?(更新|修訂)(紀|記)錄$")


# Several codes in one cell: `2149、2144`, `C22; C25; C29`, or one per line (joined by spaces).
_CODE_SEPARATORS = re.compile(r"[\s、，,;；/／]+")
_NAME_SEPARATORS = (re.compile(r"\s*[;；]\s*"), re.compile(r"\s*、\s*"))


def split_concepts(name: str | None, code: str | None) -> list[Concept]:
    """The entries of a classification cell pair: one per code, named when the names split alike.

    Names are split (at ; or 、) only into as many names as there are codes, since a
    single name may hold a 、 (電影、舞台及有關導演與製作人); otherwise the first code
    takes the whole name and the others none. (Names one per line cannot be told from
    one name wrapped in its cell.)
    """
    codes = [c for c in _CODE_SEPARATORS.split(code or "") if c]
    if len(codes) <= 1:
        return [Concept(name=name, code=code)] if name or code else []
    for separator in _NAME_SEPARATORS:
        names = [n for n in separator.split(name or "") if n]
        if len(names) == len(codes):
            return [Concept(name=n, code=c) for n, c in zip(names, codes, strict=True)]
    return [Concept(name=name, code=codes[0]), *(Concept(name=None, code=c) for c in codes[1:])]


def _heading(label: str) -> str | None:
    """The section a heading line after the table opens (attitudes, notes, K/S lists, history)."""
    if _ATTITUDE_HEADING.match(label):
        return "attitudes"
    if label == _NOTES_HEADING:
        return "notes"
    if _HISTORY_HEADING.match(label):
        return "history"
    return next((name for name, pattern in _LIST_HEADINGS.items() if pattern.match(label)), None)


class StandardParser(DocumentParser):
    """Turns the lines of one standard into a Document."""

    def parse(self) -> Document:
        rows = [Row(n, line.split("\t")) for n, line in enumerate(self.lines, 1)]
        header_index = next((i for i, r in enumerate(rows) if is_table_header(r.cells)), None)
        if header_index is None:
            raise self.error("no task table (a header row with 工作任務 and 行為指標) found")
        document = self._parse_header(rows[:header_index])
        table, after = self._split_table(rows[header_index:])
        read_task_table(table, document, self.source, self.warnings)
        self._parse_after_table(document, after)
        return document

    # --- header fields ----------------------------------------------------------------

    _LABELS: ClassVar[dict[str, str]] = {
        "職能基準代碼": "code",
        "職能基準名稱": "name",
        "職類": "name_category",
        "職業": "name_occupation",
        "職類別": "category",
        "職類別代碼": "category_code",
        "職業別": "occupation",
        "職業別代碼": "occupation_code",
        "行業別": "industry",
        "行業別代碼": "industry_code",
        "工作描述": "description",
        "基準級別": "level",
    }

    def _label(self, cell: str) -> str | None:
        label = re.sub(r"\(.*?\)|（.*?）", "", normalise_label(cell))
        return self._LABELS.get(label)

    def _parse_header(self, rows: list[Row]) -> Document:
        fields: dict[str, tuple[str, int]] = {}
        versions: list[Version] = []
        version_columns: dict[str, int] | None = None
        for row in rows:
            labels = [normalise_label(c) for c in row.cells]
            if "版本" in labels and "狀態" in labels:
                version_columns = {label: i for i, label in enumerate(labels) if label}
                continue
            if version_columns is not None and re.fullmatch(r"[Vv]\d+", labels[0] or ""):
                versions.append(self._version(row, version_columns))
                continue
            version_columns = None
            self._collect_fields(row, fields)
        code, code_line = fields.get("code", (None, None))
        code = self.checked_code(code, code_line)
        title = (
            self._value(fields, "name_occupation")
            or self._value(fields, "name_category")
            or self._value(fields, "name")
        )
        if not title:
            title = self._title_from_heading(rows)
        occupations, industries = self._concepts(fields, "occupation"), self._concepts(fields, "industry")
        return Document(
            kind=self.kind.name,
            code=code,
            title=title,
            level=self._level(fields),
            source=self.source,
            line=code_line or 1,
            category=next(iter(self._concepts(fields, "category")), None),
            occupation=next(iter(occupations), None),  # the first, as before several were kept
            industry=next(iter(industries), None),
            occupations=occupations,
            industries=industries,
            description=self._value(fields, "description"),
            versions=versions,
        )

    def _collect_fields(self, row: Row, fields: dict[str, tuple[str, int]]) -> None:
        for index, cell in enumerate(row.cells):
            key = self._label(cell)
            if key is None or key in fields:
                continue
            value = ""
            for later in row.cells[index + 1 :]:
                if self._label(later) is not None:
                    break
                if later.strip():
                    value = tidy(strip_tags(later))
                    break
            if value:
                fields[key] = (value, row.line)

    @staticmethod
    def _value(fields: dict[str, tuple[str, int]], key: str) -> str | None:
        return fields[key][0] if key in fields else None

    def _concepts(self, fields: dict[str, tuple[str, int]], key: str) -> list[Concept]:
        """Every coded entry of a classification cell: one, or several (`2149、2144`)."""
        return split_concepts(self._value(fields, key), self._value(fields, f"{key}_code"))

    def _level(self, fields: dict[str, tuple[str, int]]) -> int | None:
        if "level" not in fields:
            return None
        value, line = fields["level"]
        return parse_level(value, self.source, line)

    def _title_from_heading(self, rows: list[Row]) -> str | None:
        for row in rows:
            text = tidy(row.cells[0]) if len(row.cells) == 1 else ""
            if text.endswith("職能基準") and len(text) > 4:
                return text[: -len("職能基準")]
        return None

    def _version(self, row: Row, columns: dict[str, int]) -> Version:
        def cell(label: str) -> str | None:
            index = columns.get(label)
            if index is None or index >= len(row.cells):
                return None
            return tidy(strip_tags(row.cells[index])) or None

        date = cell("發展更新日期") or cell("日期")
        return Version(
            version=tidy(row.cells[0]),
            code=cell("職能基準代碼") or "",
            title=cell("職能基準名稱"),
            status=cell("狀態"),
            remark=cell("更新說明"),
            date=iso_date(date, self.source, row.line) if date else None,
            line=row.line,
        )

    # --- the task table ---------------------------------------------------------------

    def _split_table(self, rows: list[Row]) -> tuple[list[Row], list[Row]]:
        """The table runs until a section heading, or a line outside its columns.

        A line outside the columns with a repeated header after it is page furniture
        (a running title or page number): it is skipped, with a warning. So is one in
        the middle of the table with no header after it, which is no row of the table.
        """
        last_header = max(i for i, row in enumerate(rows) if is_table_header(row.cells))
        table: list[Row] = []
        for index, row in enumerate(rows):
            label = normalise_label("".join(row.cells))
            if _heading(label):
                return table, rows[index:]
            if len(row.cells) == 1 and label and not is_table_header(row.cells):
                if index > last_header:
                    return table, rows[index:]
                if self._before_a_header(rows[index + 1 :]):
                    skipped = f"{self.source}:{row.line}: text between table pages skipped: {label[:30]!r}"
                else:
                    skipped = (
                        f"{self.source}:{row.line}: a line that is neither a row of the table nor "
                        f"page furniture before a repeated header is skipped: {label[:30]!r}"
                    )
                self.warnings.append(skipped)
                continue
            table.append(row)
        return table, []

    @staticmethod
    def _before_a_header(rows: list[Row]) -> bool:
        """Do only blank lines and other lines outside the columns come before the next header?"""
        for row in rows:
            if is_table_header(row.cells):
                return True
            if len(row.cells) > 1 and any(c.strip() for c in row.cells):
                return False
        return False

    # --- after the table: attitudes, notes, update record ---------------------------------

    def _parse_after_table(self, document: Document, rows: list[Row]) -> None:
        section = None
        lines: dict[str, list[tuple[int, str]]] = {
            name: [] for name in ("attitudes", "notes", "knowledge", "skills")
        }
        for row in rows:
            raw = "\t".join(row.cells)
            label = normalise_label(raw)
            if not label:
                continue
            heading = _heading(label)
            if heading:
                section = heading
            elif section == "history":
                document.history.append(tidy(strip_tags(raw)))
            elif section is not None:
                lines[section].append((row.line, raw))
            else:
                raise self.error(f"text after the task table is in no known section: {raw[:40]!r}", row.line)
        document.attitudes = parse_attitude_lines(lines["attitudes"], self.source)
        notes = parse_note_bullets(lines["notes"])
        document.notes = notes.notes
        document.qualification = notes.qualification
        document.history.extend(notes.history)
        for name, prefix in (("knowledge", "K"), ("skills", "S")):
            listed = getattr(document, name)
            defined = {item.code for item in listed}
            for item in parse_competence_lines(lines[name], prefix, self.source):
                if item.code not in defined:  # the table's own printing wins
                    listed.append(item)
                    defined.add(item.code)


STANDARD = register_kind(
    DocumentKind(
        name="standard",
        zh="職能基準",
        en="Standard",
        code_label="職能基準代碼",
        parser=StandardParser,
        owl_class="CompetencyStandard",
        item_kinds=("task", "activity", "indicator", "output", "knowledge", "skill", "attitude", "note"),
        expected_sections=(
            ("tasks", "工作任務 (the task table)"),
            ("attitudes", "態度 (attitudes)"),
            ("notes", "說明與補充事項 (notes)"),
        ),
        fields=(
            *HEAD_FIELDS,
            *("category", "occupation", "industry", "occupations", "industries"),
            *("description", "versions", "qualification"),
            *BODY_FIELDS,
        ),
        task_fields=("code", "title", "level", "knowledge", "skills", "notes", "line", "activities"),
    )
)
