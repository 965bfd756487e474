"""Units that a standard embeds as one of its tasks, and the task closest to any unit.

A standard's task covers a unit's item when the item maps, closely or exactly, to an
item inside the task at activity level: the task's activities (a unit's task sits at a
standard's activity level), the indicators and outputs under them, and the knowledge
and skills their lists name. The closest task is the one covering the largest share
of the unit's items (every item but notes, which explain terms rather than ask
anything); the unit is incorporated in it when that share is at least `MIN_COVERAGE`.
Counting every kind, not only indicators, keeps one shared generic phrase from naming
a task: BGM4R0172v2 (管理客戶服務部門員工) has 1 indicator of 15 in BAS1499-003's T2 行銷策略
but its task, a knowledge item and a skill in T7 管理績效管理系統.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

from kg.mapping.matching import Side
from kg.mapping.model import Mapping, at_least

MIN_COVERAGE = 0.5
EVIDENCE_RELATION = "close"  # exact or close; related is too loose to call a unit embedded
NOT_COUNTED = frozenset({"note"})  # the unit's kinds left out of its share (explanations)


@dataclass(frozen=True)
class Coverage:
    """How much of a unit one task of a standard covers."""

    unit: str
    standard: str
    task: str | None
    task_title: str | None
    indicators: int  # the unit's indicators
    matched: int  # of them, matched inside the task
    knowledge: str  # "matched/total" of the unit's knowledge, inside the task's lists
    skills: str
    items: int = 0  # the unit's counted items (every kind but `NOT_COUNTED`)
    covered: int = 0  # of them, matched close or better inside the task

    @property
    def coverage(self) -> float:
        """The share of the unit's counted items the task covers (close or better)."""
        return self.covered / self.items if self.items else 0.0

    @property
    def incorporated(self) -> bool:
        return self.task is not None and self.coverage >= MIN_COVERAGE

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"coverage": round(self.coverage, 4), "incorporated": self.incorporated}


def unit_coverage(
    unit: Side, standard: Side, mappings: list[Mapping], task_titles: dict[str, str | None]
) -> Coverage:
    """The task of `standard` covering the largest share of `unit`'s items (mappings go unit ->
    standard); ties go to the task with more indicators, then the first code."""
    unit_code, standard_code = unit.document, standard.document
    evidence = [m for m in mappings if at_least(m.relation, EVIDENCE_RELATION)]
    scope = {item.iri: s for item, s in zip(standard.items, standard.scopes, strict=True)}
    indicators = [i for i in unit.items if i.kind == "indicator"]
    counted = {i.iri for i in unit.items if i.kind not in NOT_COUNTED}
    per_task = Counter(task for task, iri in set(_hits(evidence, scope)) if iri in counted)
    per_task_indicators = Counter(task for task, _ in set(_hits(evidence, scope, "indicator")))
    task, covered = (
        min(per_task.items(), key=lambda kv: (-kv[1], -per_task_indicators[kv[0]], kv[0]))
        if per_task
        else (None, 0)
    )

    def inside(kind: str) -> str:
        total = sum(1 for i in unit.items if i.kind == kind)
        return f"{len({a for t, a in _hits(evidence, scope, kind) if t == task})}/{total}"

    return Coverage(
        unit_code,
        standard_code,
        task,
        task_titles.get(task) if task else None,
        len(indicators),
        per_task_indicators[task] if task else 0,
        inside("knowledge"),
        inside("skill"),
        len(counted),
        covered,
    )


def _hits(
    mappings: list[Mapping], scope: dict[str, frozenset[str]], kind: str | None = None
) -> list[tuple[str, str]]:
    """(task of the standard's item, unit item IRI) for every mapping (of this kind, if given)."""
    return [
        (t, m.a.iri) for m in mappings if kind is None or m.a.kind == kind for t in scope.get(m.b.iri, ())
    ]
