"""The mapping between two items, and the thresholds that name its SKOS relation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, cast, get_args

from kg.errors import KgError
from kg.search.items import SearchItem

SKOS = "http://www.w3.org/2004/02/skos/core#"
# Strongest first. A score at or above a relation's threshold earns that relation.
Relation = Literal["exact", "close", "related"]
RELATIONS: tuple[Relation, ...] = get_args(Relation)
PREDICATES = {name: f"{SKOS}{name}Match" for name in RELATIONS}
# What a pair's overlap holds unless asked for more: exact and close. Related pairs were right
# about two times in three (cross-validated precision on eval/overlap_pairs.tsv, README
# "Mapping quality"), under the 0.8 a reader can lean on, so they come only on request
# (`min_relation="related"`), marked weak.
DEFAULT_PAIR_RELATION: Relation = "close"
WEAK_RELATIONS: frozenset[str] = frozenset({"related"})


@dataclass(frozen=True)
class Thresholds:
    """Lowest score for each relation (exact >= close >= related), calibrated per embedder."""

    exact: float
    close: float
    related: float

    def __post_init__(self) -> None:
        if not (1 >= self.exact >= self.close >= self.related >= 0):
            raise KgError(
                f"mapping thresholds must satisfy 1 >= exact >= close >= related >= 0, "
                f"not exact={self.exact}, close={self.close}, related={self.related}"
            )

    def relation(self, score: float) -> Relation | None:
        """The strongest relation the score reaches, or None below `related`."""
        for name in RELATIONS:
            if score >= getattr(self, name):
                return name
        return None

    def to_dict(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in RELATIONS}


def at_least(relation: str, weakest: str) -> bool:
    """Whether `relation` is as strong as `weakest` (exact > close > related)."""
    check_relation(weakest)
    return RELATIONS.index(relation) <= RELATIONS.index(weakest)


def check_relation(name: str) -> None:
    if name not in RELATIONS:
        raise KgError(f"unknown mapping relation {name!r}; choose one of: {', '.join(RELATIONS)}")


def as_relation(name: str) -> Relation:
    """A relation named in text (an option, a query string), or a clear error listing the relations."""
    check_relation(name)
    return cast(Relation, name)


@dataclass(frozen=True)
class Mapping:
    """Item `a` of one document corresponds to item `b` of another."""

    a: SearchItem
    b: SearchItem
    score: float
    relation: Relation
    cardinality: str = "1:1"  # "1:n" etc. when a document repeats an item word for word

    @property
    def predicate(self) -> str:
        return PREDICATES[self.relation]

    @property
    def weak(self) -> bool:
        """Whether the relation is too often wrong to lean on (`WEAK_RELATIONS`)."""
        return self.relation in WEAK_RELATIONS

    def to_dict(self) -> dict[str, Any]:
        """The JSON of `kg overlap --json`."""
        return {
            "a": _item(self.a),
            "b": _item(self.b),
            "score": round(self.score, 4),
            "relation": self.relation,
            "weak": self.weak,
        }


def _item(item: SearchItem) -> dict[str, Any]:
    return {"code": item.code, "kind": item.kind, "text": item.text}
