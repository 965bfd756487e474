"""Plain-text views of overlaps for the terminal (the JSON and CSV views come from the library)."""

from __future__ import annotations

from collections import Counter

import pandas

from kg.mapping.incorporation import Coverage
from kg.mapping.model import DEFAULT_PAIR_RELATION, WEAK_RELATIONS
from kg.mapping.overlap import Overlap

__all__ = ["DEFAULT_PAIR_RELATION", "MEANINGFUL_SHARE", "WEAK_RELATIONS", "shows_closest_task"]

TEXT_WIDTH = 34
# What a pair view shows unless asked for more, and which relations it marks weak, are
# kg.mapping.model's DEFAULT_PAIR_RELATION and WEAK_RELATIONS (the library's overlap uses them too).
# The closest task of a unit in a standard is named only when it covers at least this share
# of the unit's items (`Coverage.coverage`: close or better, at activity level): a unit a
# reader would place in a task has a good part of what it asks inside it, while a few
# shared generic phrases (a skill, a knowledge item, one indicator) cover under a tenth
# of it; a quarter is half of `MIN_COVERAGE`, the share that makes a unit incorporated.
MEANINGFUL_SHARE = 0.25


def shows_closest_task(coverage: Coverage | None) -> bool:
    """Whether a pair view names the closest task: it covers at least `MEANINGFUL_SHARE` of the unit."""
    return coverage is not None and coverage.task is not None and coverage.coverage >= MEANINGFUL_SHARE


def format_overlap(overlap: Overlap, titles: dict[str, str | None]) -> str:
    counts = Counter(m.relation for m in overlap.pairs)
    summary = ", ".join(f"{counts[r]} {r}" for r in ("exact", "close", "related") if counts[r])
    lines = [
        f"{overlap.a} {titles.get(overlap.a) or ''} <-> {overlap.b} {titles.get(overlap.b) or ''}: "
        f"{len(overlap.pairs)} pairs" + (f" ({summary})" if summary else "")
    ]
    c = overlap.incorporation
    if c is not None and shows_closest_task(c):
        said = "is incorporated in" if c.incorporated else "is closest to"
        lines.append(
            f"{c.unit} {said} {c.standard} task {c.task} {c.task_title or ''}: "
            f"{c.covered}/{c.items} items ({c.coverage:.0%}), indicators {c.matched}/{c.indicators}, "
            f"knowledge {c.knowledge}, skills {c.skills}"
        )
    lines.append("")
    for m in overlap.pairs:
        a, b = f"{m.a.code:<8} {_short(m.a.text)}", f"{m.b.code:<8} {_short(m.b.text)}"
        relation = f"{m.relation} (weak)" if m.weak else m.relation
        lines.append(f"{m.score:.3f}  {relation:<7}  {a}  |  {b}")
    return "\n".join(lines)


def format_matrix(matrix: pandas.DataFrame) -> str:
    """Percentages, rows: the document whose items are counted."""
    shown = (matrix * 100).round().astype(int).astype(str) + "%"
    return shown.to_string()


def format_coverage(table: pandas.DataFrame) -> str:
    if table.empty:
        return "no unit and standard pairs in this build"
    shown = table.assign(coverage=(table["coverage"] * 100).round().astype(int).astype(str) + "%")
    shown["task"] = shown["task"].fillna("-")
    return shown.drop(columns=["task_title"]).to_string(index=False)


def format_evaluation(report: dict) -> str:
    labels = ", ".join(f"{n} {label}" for label, n in report["labels"].items())
    lines = [f"{report['pairs']} labelled pairs ({labels}), embedder {report['embedder']}", ""]
    sections = [
        ("matcher, calibration in force", "matcher"),
        ("cross-validated by document pair", "cross_validated"),
    ]
    if "fitted" in report:
        sections.append(("matcher, refitted calibration", "fitted_matcher"))
    for title, key in sections:
        lines.append(f"{title}:")
        lines.append(f"  {'level':<8} {'precision':>9} {'recall':>7} {'F1':>6} {'pairs':>6}")
        for s in report[key]:
            level = s["level"] + "+"
            lines.append(
                f"  {level:<8} {s['precision']:>9.3f} {s['recall']:>7.3f} {s['f1']:>6.3f} {s['support']:>6}"
            )
    lines.append("")
    lines.append("calibration in force: " + _calibration(report["calibration"]))
    if "fitted" in report:
        lines.append("refitted calibration: " + _calibration(report["fitted"]))
    return "\n".join(lines)


def _calibration(values: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:g}" for k, v in values.items())


def _short(text: str) -> str:
    return text if len(text) <= TEXT_WIDTH else text[: TEXT_WIDTH - 1] + "…"
