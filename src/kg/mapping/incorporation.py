"""Units that a standard embeds as one of its tasks.

A unit is incorporated into a standard's task when most of the unit's indicators
(at least `MIN_COVERAGE`) match, closely or exactly, indicators inside that one
task. Knowledge and skills matched inside the task's lists are reported beside it
as supporting evidence.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

from kg.mapping.matching import Side
from kg.mapping.model import Mapping, at_least

MIN_COVERAGE = 0.5
EVIDENCE_RELATION = "close"  # exact or close; related is too loose to call a unit embedded


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

    @property
    def coverage(self) -> float:
        return self.matched / self.indicators if self.indicators else 0.0

    @property
    def incorporated(self) -> bool:
        return self.task is not None and self.coverage >= MIN_COVERAGE

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"coverage": round(self.coverage, 4), "incorporated": self.incorporated}


def unit_coverage(
    unit: Side, standard: Side, mappings: list[Mapping], task_titles: dict[str, str | None]
) -> Coverage:
    """The task of `standard` that covers most of `unit`'s indicators (mappings go unit -> standard)."""
    unit_code, standard_code = unit.document, standard.document
    evidence = [m for m in mappings if at_least(m.relation, EVIDENCE_RELATION)]
    scope = {item.iri: s for item, s in zip(standard.items, standard.scopes, strict=True)}
    indicators = [i for i in unit.items if i.kind == "indicator"]
    per_task = Counter(task for task, _ in set(_hits(evidence, scope, "indicator")))
    task, matched = min(per_task.items(), key=lambda kv: (-kv[1], kv[0])) if per_task else (None, 0)

    def inside(kind: str) -> str:
        total = sum(1 for i in unit.items if i.kind == kind)
        return f"{len({a for t, a in _hits(evidence, scope, kind) if t == task})}/{total}"

    return Coverage(
        unit_code,
        standard_code,
        task,
        task_titles.get(task) if task else None,
        len(indicators),
        matched,
        inside("knowledge"),
        inside("skill"),
    )


def _hits(mappings: list[Mapping], scope: dict[str, frozenset[str]], kind: str) -> list[tuple[str, str]]:
    """(task of the standard's item, unit item IRI) for every mapping of this kind."""
    return [(t, m.a.iri) for m in mappings if m.a.kind == kind for t in scope.get(m.b.iri, ())]
