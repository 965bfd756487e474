"""Sections printed as lines rather than table cells: attitudes, K/S lists, 說明與補充事項 bullets."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.errors import ParseError
from kg.parse.model import Attitude, Competence, Note
from kg.parse.text import (
    clean_item_text,
    join_text,
    note_marker_at_start,
    split_bullets,
    strip_tags,
    take_note_refs,
    tidy,
)

_LINE_BULLET = re.compile(r"^([-–—•●■▪・*◆]|\d{1,2}\s*[.、)）]|[一二三四五六七八九十]{1,3}、)\s*")
_ATTITUDE_CODE = re.compile(r"A\d+")
_ATTITUDE = re.compile(r"^(A\d+)\s*(.*)$")  # `A01 團隊意識：…` or `A01團隊意識：…`
_QUALIFICATION = re.compile(r"學歷|能力條件|建議擔任")
_HISTORY_HEADING = re.compile(r"^\S{0,4}(更新|修訂)(紀|記)錄")
_COLON = "：:"


def split_name(text: str) -> tuple[str, str]:
    """`團隊意識：積極參與…` -> (團隊意識, 積極參與…); text without a colon is all name."""
    match = re.search(f"[{_COLON}]", text)
    if not match:
        return text, ""
    return text[: match.start()].strip(), text[match.end() :].strip()


def parse_competence_lines(lines: list[tuple[int, str]], prefix: str, source: str) -> list[Competence]:
    """Lines like `K01 產品和服務知識` (a K or S list printed after the table).

    Lines without a code continue the last item; their bullets become its items.
    """
    pattern = re.compile(rf"^({prefix}\d+)(?![\d.])\s*[:：、.]?\s*(.*)$")
    found: list[list] = []  # [code, raw text, line]
    for line, raw in lines:
        text = tidy(strip_tags(" ".join(raw.split("\t"))))
        match = pattern.match(_LINE_BULLET.sub("", text))
        if match:
            found.append([match.group(1), match.group(2), line])
        elif found:
            found[-1][1] += " " + _LINE_BULLET.sub("■ ", text)
        else:
            raise ParseError(
                source, f"line without a {prefix} code in the {prefix} list: {text[:30]!r}", line
            )
    items = []
    for code, raw, line in found:
        body, notes = take_note_refs(raw)
        lead, bullets = split_bullets(body)
        items.append(Competence(code=code, text=clean_item_text(lead), items=bullets, notes=notes, line=line))
    return items


def parse_attitude_lines(lines: list[tuple[int, str]], source: str) -> list[Attitude]:
    """Lines like `A01 團隊意識：…` (optionally bulleted); other lines continue the last one."""
    attitudes: list[Attitude] = []
    for line, raw in lines:
        cells = [tidy(strip_tags(c)) for c in raw.split("\t") if c.strip()]
        text = _LINE_BULLET.sub("", " ".join(cells))
        match = _ATTITUDE.match(text)
        if match and len(cells) >= 3 and _ATTITUDE_CODE.fullmatch(cells[0]):  # a table: code, name, text
            attitudes.append(Attitude(code=cells[0], name=cells[1], text=" ".join(cells[2:]), line=line))
        elif match:
            name, description = split_name(match.group(2))
            attitudes.append(Attitude(code=match.group(1), name=name, text=description, line=line))
        elif attitudes:
            attitudes[-1].text = join_text(attitudes[-1].text, text)
        else:
            raise ParseError(source, f"attitude line without an A code: {text[:30]!r}", line)
    return attitudes


@dataclass
class _Bullet:
    text: str
    line: int
    children: list[_Bullet] = field(default_factory=list)


@dataclass
class NoteSection:
    """What a standard's 說明與補充事項 holds."""

    notes: list[Note] = field(default_factory=list)
    qualification: str | None = None
    history: list[str] = field(default_factory=list)


def _bullet_tree(lines: list[tuple[int, str]]) -> list[_Bullet]:
    tops: list[_Bullet] = []
    top_indent: int | None = None
    last: _Bullet | None = None
    for line, raw in lines:
        indent = len(raw) - len(raw.lstrip())
        text = tidy(strip_tags(raw))
        marker = _LINE_BULLET.match(text)
        if marker is None and last is not None:
            last.text = join_text(last.text, text)
            continue
        bullet = _Bullet(_LINE_BULLET.sub("", text), line)
        if top_indent is None:
            top_indent = indent
        if indent > top_indent and tops:
            tops[-1].children.append(bullet)
        else:
            tops.append(bullet)
        last = bullet
    return tops


def parse_note_bullets(lines: list[tuple[int, str]]) -> NoteSection:
    """Bullets become notes N1, N2 …, except the qualification line and the update record.

    A bullet ending in a colon that has sub-bullets (and no 【註N】 marker of its own)
    is a heading: its sub-bullets are the notes (or the qualification, or the history).
    """
    section = NoteSection()
    for bullet in _bullet_tree(lines):
        children = [child.text for child in bullet.children]
        _, after_colon = split_name(bullet.text)
        if _QUALIFICATION.search(bullet.text) and section.qualification is None:
            section.qualification = after_colon or " ".join(children) or None
        elif _HISTORY_HEADING.match(bullet.text):
            section.history.extend(children or ([after_colon] if after_colon else []))
        elif (
            children and bullet.text.endswith(tuple(_COLON)) and note_marker_at_start(bullet.text)[0] is None
        ):
            for child in bullet.children:
                _add_note(section.notes, child.text, child.line, [])
        else:
            _add_note(section.notes, bullet.text, bullet.line, children)
    return section


def _add_note(notes: list[Note], text: str, line: int, items: list[str]) -> None:
    code, rest = note_marker_at_start(text)
    if code is None:
        used = {n.code for n in notes}
        number = len(notes) + 1
        while f"N{number}" in used:
            number += 1
        code = f"N{number}"
    notes.append(Note(code=code, text=tidy(rest), items=items, line=line))
