"""The mapping files of a build, written once at build time and read by every overlap query.

builds/<id>/mappings/   (names in `kg.store.layout`)
  mappings.sssom.tsv   every mapping of every compared document pair (SSSOM TSV)
  coverage.json        for each unit and standard: the standard's task covering most of the unit
  meta.json            calibration in force, items per document, pairs compared
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas

from kg.errors import KgError
from kg.mapping.calibration import Calibration
from kg.mapping.corpus import CorpusMappings
from kg.mapping.material import Material
from kg.mapping.sssom import write_sssom
from kg.store.layout import COVERAGE_FILE, MAPPINGS_FOLDER, SSSOM_FILE
from kg.store.layout import MAPPINGS_META_FILE as META_FILE


def write_mappings(
    build_path: Path, result: CorpusMappings, material: Material, base_iri: str, calibration: Calibration
) -> None:
    folder = build_path / MAPPINGS_FOLDER
    folder.mkdir(exist_ok=True)
    write_sssom(folder / SSSOM_FILE, result.mappings, base_iri, material.embedder)
    coverage = [c.to_dict() for c in result.coverage]
    (folder / COVERAGE_FILE).write_text(json.dumps(coverage, ensure_ascii=False, indent=1), encoding="utf-8")
    items: dict[str, int] = {code: 0 for code in material.documents}
    for item in material.items:
        items[item.document] += 1
    meta = {
        "embedder": material.embedder,
        "calibration": calibration.to_dict(),
        "base_iri": base_iri,
        "documents": {
            code: {"kind": d["kind"], "title": d["title"], "items": items[code]}
            for code, d in sorted(material.documents.items())
        },
        "pairs_compared": result.compared,
        "mappings": len(result.mappings),
    }
    (folder / META_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")


@dataclass
class BuildMappings:
    """A build's mapping files, loaded: the table of mappings, unit coverage and metadata."""

    table: pandas.DataFrame
    coverage: list[dict]
    meta: dict
    _item_rows: dict[str, dict[tuple[str, str], np.ndarray]] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, build_path: Path) -> BuildMappings:
        folder = build_path / MAPPINGS_FOLDER
        if not (folder / META_FILE).is_file():
            raise KgError(
                f"the build in {build_path} has no overlap mappings: run `kg build` with an embedder "
                "(not --embedder none)"
            )
        meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
        coverage = json.loads((folder / COVERAGE_FILE).read_text(encoding="utf-8"))
        table = pandas.read_csv(folder / SSSOM_FILE, sep="\t", comment="#", dtype=str, keep_default_na=False)
        table["similarity_score"] = table["similarity_score"].astype(float)
        prefix = "icap:"
        for side in ("subject", "object"):
            table[f"{side}_document"] = table[f"{side}_source"].str.removeprefix(prefix)
            table[f"{side}_code"] = table[f"{side}_id"].str.rpartition("/")[2]
        table["relation"] = table["predicate_id"].str.removeprefix("skos:").str.removesuffix("Match")
        return cls(table, coverage, meta)

    @property
    def sssom_path(self) -> str:
        return SSSOM_FILE

    def rows_of(self, side: str, document: str, code: str) -> np.ndarray:
        """Positions in `table` of the mappings whose `side` (subject or object) is this item."""
        if side not in self._item_rows:
            self._item_rows[side] = self.table.groupby([f"{side}_document", f"{side}_code"]).indices
        return self._item_rows[side].get((document, code), np.empty(0, dtype=np.intp))
