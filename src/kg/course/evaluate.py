"""Precision and recall of course coverage on labelled course outlines (eval/courses/).

`outlines.tsv` names each outline's document and split ("tune": the matcher's settings were
chosen on it; "test": held out, never used to tune); `labels.tsv` gives, for every line of
every outline, the activities (a unit's tasks) and indicators it covers. Pairs (line, code)
are compared at two levels: the activity level (an activity counts as predicted when the
line covers it or one of its indicators, as in the report) and the indicator level.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.course.report import CourseCoverage
from kg.errors import KgError
from kg.text_files import read_text

LEVELS = ("activity", "indicator")


@dataclass(frozen=True)
class LabelledOutline:
    path: Path
    document: str
    split: str
    labels: dict[int, set[str]]  # line -> codes it covers


def _rows(path: Path) -> list[tuple[int, list[str]]]:
    """(line number, cells) of each row of a tab-separated file, comments and blank lines left out."""
    rows = []
    for number, text in enumerate(read_text(path).split("\n"), start=1):
        if text.strip() and not text.startswith("#"):
            cells = text.split("\t")
            if len(cells) < 3:
                raise KgError(f"{path}:{number}: expected tab-separated columns, got {text[:60]!r}")
            rows.append((number, cells))
    return rows


def load_outlines(folder: Path) -> list[LabelledOutline]:
    """The labelled outlines of a folder holding outlines.tsv and labels.tsv."""
    labels: dict[str, dict[int, set[str]]] = {}
    for number, cells in _rows(folder / "labels.tsv"):
        if not cells[1].strip().isdigit():
            raise KgError(
                f"{folder / 'labels.tsv'}:{number}: the line must be a number, not {cells[1][:20]!r}"
            )
        codes = set() if cells[2].strip() == "-" else set(cells[2].split())
        labels.setdefault(cells[0], {})[int(cells[1])] = codes
    outlines = []
    for _, (name, document, split, *_) in _rows(folder / "outlines.tsv"):
        if split not in ("tune", "test"):
            raise KgError(f"{folder / 'outlines.tsv'}: split of {name} is {split!r}, not tune or test")
        outlines.append(LabelledOutline(folder / name, document, split, labels.get(name, {})))
    return outlines


def predicted(coverage: CourseCoverage) -> dict[str, set[tuple[int, str]]]:
    """(line, code) pairs the coverage claims, per level."""
    document = coverage.documents[0]
    level = document.activity_level
    parents = {i.code: i.parent for i in document.items}
    pairs: dict[str, set[tuple[int, str]]] = {"activity": set(), "indicator": set()}
    for m in coverage.matches:
        if m.kind == "indicator":
            pairs["indicator"].add((m.line, m.code))
            parent = parents.get(m.code)
            if parent is not None:
                pairs["activity"].add((m.line, parent))
        elif m.kind == level:
            pairs["activity"].add((m.line, m.code))
    return pairs


def expected(outline: LabelledOutline, coverage: CourseCoverage) -> dict[str, set[tuple[int, str]]]:
    kinds = {i.code: i.kind for i in coverage.documents[0].items}
    level = coverage.documents[0].activity_level
    pairs: dict[str, set[tuple[int, str]]] = {"activity": set(), "indicator": set()}
    for line, codes in outline.labels.items():
        for code in codes:
            kind = kinds.get(code)
            if kind is None:
                raise KgError(f"{outline.path.name}:{line}: {outline.document} has no item {code}")
            pairs["activity" if kind == level else "indicator"].add((line, code))
    return pairs


def _score(found: set, wanted: set) -> dict[str, Any]:
    hits = len(found & wanted)
    return {
        "predicted": len(found),
        "labelled": len(wanted),
        "correct": hits,
        "precision": hits / len(found) if found else 1.0,
        "recall": hits / len(wanted) if wanted else 1.0,
    }


def evaluate(
    outlines: list[LabelledOutline], cover: Callable[[LabelledOutline], CourseCoverage]
) -> list[dict[str, Any]]:
    """Per outline, split and level: precision and recall; then the totals of each split."""
    rows = []
    totals: dict[tuple[str, str], tuple[set, set]] = {}
    for outline in outlines:
        coverage = cover(outline)
        unlabelled = {line.line for line in coverage.lines} - set(outline.labels)
        if unlabelled:
            raise KgError(f"{outline.path.name}: lines {sorted(unlabelled)} have no label in labels.tsv")
        found, wanted = predicted(coverage), expected(outline, coverage)
        empty = {line for line, codes in outline.labels.items() if not codes}
        matched = {m.line for m in coverage.matches}
        for level in LEVELS:
            rows.append(
                {"outline": outline.path.name, "split": outline.split, "level": level}
                | _score(found[level], wanted[level])
            )
            f, w = totals.setdefault((outline.split, level), (set(), set()))
            f |= {(outline.path.name, *p) for p in found[level]}
            w |= {(outline.path.name, *p) for p in wanted[level]}
        rows.append(
            {
                "outline": outline.path.name,
                "split": outline.split,
                "level": "non-content lines matching nothing",
                "predicted": len(empty),
                "labelled": len(empty),
                "correct": len(empty - matched),
                "precision": None,
                "recall": len(empty - matched) / len(empty) if empty else 1.0,
            }
        )
    for (split, level), (f, w) in sorted(totals.items()):
        rows.append({"outline": "all", "split": split, "level": level} | _score(f, w))
    return rows


def format_evaluation(rows: list[dict[str, Any]]) -> str:
    lines = [
        f"{'outline':24} {'split':5} {'level':36} {'precision':>9} {'recall':>7}  correct/predicted/labelled"
    ]
    for r in rows:
        p = "" if r["precision"] is None else f"{r['precision']:.3f}"
        lines.append(
            f"{r['outline']:24} {r['split']:5} {r['level']:36} {p:>9} {r['recall']:7.3f}  "
            f"{r['correct']}/{r['predicted']}/{r['labelled']}"
        )
    return "\n".join(lines)
