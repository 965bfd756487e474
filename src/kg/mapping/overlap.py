"""What users ask of a build's mappings: one pair's overlap, the matrix, unit coverage, as DataFrames.

Each function works on what is already loaded (the build's `Material`, its `BuildMappings`);
`kg.KnowledgeGraph` loads them once and calls these. A pair's overlap is matched afresh
from the build's vectors (exact, whichever pair is asked, in the order `corpus.oriented`
fixes), so it equals what the build stored for compared pairs. The matrix and the coverage
table come from the build's mapping files.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas

from kg.errors import KgError, document_code
from kg.mapping.calibration import calibration_for
from kg.mapping.corpus import oriented
from kg.mapping.files import MAPPINGS_FOLDER, SSSOM_FILE, BuildMappings
from kg.mapping.incorporation import Coverage, unit_coverage
from kg.mapping.matching import match
from kg.mapping.material import Material
from kg.mapping.model import DEFAULT_PAIR_RELATION, RELATIONS, Mapping, Relation, at_least, check_relation
from kg.mapping.shares import pair_shares, square
from kg.search.items import searchable_kinds


@dataclass
class Overlap:
    """The corresponding items of documents `a` and `b`, best first."""

    a: str
    b: str
    pairs: list[Mapping]
    incorporation: Coverage | None  # when one is a unit and the other a standard

    def to_dict(self) -> dict[str, Any]:
        """The JSON of `kg overlap --json`."""
        out: dict[str, Any] = {"a": self.a, "b": self.b, "pairs": [m.to_dict() for m in self.pairs]}
        if self.incorporation is not None:
            out["incorporation"] = self.incorporation.to_dict()
        return out

    def to_dataframe(self) -> pandas.DataFrame:
        rows = [
            {
                "a_code": m.a.code,
                "a_kind": m.a.kind,
                "a_text": m.a.text,
                "b_code": m.b.code,
                "b_kind": m.b.kind,
                "b_text": m.b.text,
                "score": round(m.score, 4),
                "relation": m.relation,
                "weak": m.weak,
                "cardinality": m.cardinality,
            }
            for m in self.pairs
        ]
        return pandas.DataFrame(rows, columns=list(rows[0]) if rows else None)


def overlap(
    material: Material,
    a: str,
    b: str,
    *,
    min_relation: Relation = DEFAULT_PAIR_RELATION,
    kinds: tuple[str, ...] = (),
) -> Overlap:
    """Match the items of documents `a` and `b`; keep pairs at least `min_relation` (exact and
    close unless asked; related pairs are weak), of `kinds` if given."""
    check_overlap_options(min_relation, kinds)
    sides = {code: material.side(code) for code in (a, b)}
    if a == b:
        raise KgError(f"give two different documents, not {a!r} twice")
    kinds_of = {code: material.documents[code]["kind"] for code in (a, b)}
    first, second = oriented(a, b, kinds_of)
    calibration, _ = calibration_for(material.embedder)
    found = match(sides[first], sides[second], calibration.scorer, calibration.thresholds)
    coverage = None
    if kinds_of[first] == "unit" and kinds_of[second] == "standard":
        coverage = unit_coverage(sides[first], sides[second], found, material.documents[second]["tasks"])
    if first != a:
        found = [_swapped(m) for m in found]
    found = [m for m in found if at_least(m.relation, min_relation) and (not kinds or m.a.kind in kinds)]
    return Overlap(a, b, found, coverage)


def check_overlap_options(min_relation: str, kinds: tuple[str, ...]) -> None:
    """Fail with a clear message on an unknown relation or item kind."""
    check_relation(min_relation)
    for kind in kinds:
        if kind not in searchable_kinds():
            raise KgError(f"unknown item kind {kind!r}; choose from: {', '.join(searchable_kinds())}")


def matrix(stored: BuildMappings, *, min_relation: Relation = "close") -> pandas.DataFrame:
    """Document x document: the share of the row document's items that match (at least
    `min_relation`) an item of the column document. Read from the counts the build made
    (`BuildMappings.matched`), not from the table of every mapping."""
    return square(pair_shares(stored, min_relation=min_relation), sorted(stored.meta["documents"]))


def matrix_json(matrix: pandas.DataFrame) -> dict[str, dict[str, float]]:
    """The matrix as `{row: {column: share}}`, shares to 4 places: `kg overlap --matrix --json`."""
    return {
        str(row): {str(column): round(float(share), 4) for column, share in values.items()}
        for row, values in matrix.to_dict(orient="index").items()
    }


def coverage_json(table: pandas.DataFrame) -> list[dict[str, Any]]:
    """The coverage table as a list of records: `kg overlap --coverage --json`."""
    records: list[dict[str, Any]] = json.loads(table.to_json(orient="records", force_ascii=False))
    return records


def coverage(stored: BuildMappings, *, incorporated_only: bool = False) -> pandas.DataFrame:
    """For each unit and standard: the standard's task covering most of the unit, and how much."""
    frame = pandas.DataFrame(stored.coverage, columns=_COVERAGE_COLUMNS)
    if incorporated_only:
        frame = frame[frame["incorporated"]]
    return frame.sort_values(["coverage", "unit", "standard"], ascending=[False, True, True]).reset_index(
        drop=True
    )


def item_mappings(stored: BuildMappings, document: str, code: str) -> pandas.DataFrame:
    """The stored mappings of one item to items of other documents, strongest first: their
    document, code, kind, text, relation and score (no rows: the item has no counterpart)."""
    document = document_code(document, stored.meta["documents"])
    sides = []
    for mine, other in (("subject", "object"), ("object", "subject")):
        found = stored.table.iloc[stored.rows_of(mine, document, code)]
        sides.append(
            pandas.DataFrame(
                {
                    "document": found[f"{other}_document"],
                    "code": found[f"{other}_code"],
                    "kind": found[f"{other}_category"],
                    "text": found[f"{other}_label"],
                    "relation": found["relation"],
                    "score": found["similarity_score"].round(4),
                }
            )
        )
    found = pandas.concat(sides, ignore_index=True)
    strength = found["relation"].map(RELATIONS.index)
    order = found.assign(strength=strength).sort_values(
        ["strength", "score", "document", "code"], ascending=[True, False, True, True]
    )
    return order.drop(columns="strength").reset_index(drop=True)


def export_sssom(build_path: Path, stored: BuildMappings, path: str | Path) -> int:
    """Write the build's mappings as SSSOM TSV to `path` (whole, or not at all); returns their number."""
    target = Path(path)
    if target.is_dir():
        raise KgError(f"{target} is a folder: give a file name for the SSSOM table")
    staged = target.with_name(target.name + ".tmp")
    try:
        shutil.copyfile(build_path / MAPPINGS_FOLDER / SSSOM_FILE, staged)
        staged.replace(target)
    except OSError as exc:
        staged.unlink(missing_ok=True)
        raise KgError(f"cannot write {target}: {exc.strerror}") from None
    return len(stored.table)


_COVERAGE_COLUMNS = [
    "unit",
    "standard",
    "task",
    "task_title",
    "items",
    "covered",
    "coverage",
    "indicators",
    "matched",
    "knowledge",
    "skills",
    "incorporated",
]


def _swapped(m: Mapping) -> Mapping:
    return replace(m, a=m.b, b=m.a, cardinality=m.cardinality[::-1])
