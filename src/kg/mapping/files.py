"""The mapping files of a build, written once at build time and read by every overlap query.

builds/<id>/mappings/   (names in `kg.store.layout`)
  mappings.sssom.tsv   every mapping of every compared document pair (SSSOM TSV)
  coverage.json        for each unit and standard: the standard's task covering most of the unit
  matched.tsv          for each ordered document pair (row, column): how many of the row
                       document's items match an item of the column document, at least exact,
                       close, related (what the matrix shows, counted once here)
  meta.json            calibration in force, items per document, pairs compared

The matrix, the coverage table and the overlap page read the small files; the SSSOM
table (millions of rows at corpus size) is read only when a query needs single mappings.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from kg.errors import KgError
from kg.mapping.calibration import Calibration
from kg.mapping.corpus import CorpusMappings
from kg.mapping.material import Material
from kg.mapping.model import RELATIONS, Mapping
from kg.mapping.sssom import sssom_rows, write_sssom
from kg.store.layout import COVERAGE_FILE, MAPPINGS_FOLDER, MATCHED_FILE, SSSOM_FILE
from kg.store.layout import MAPPINGS_META_FILE as META_FILE

if TYPE_CHECKING:
    import pandas  # loaded when a table is read: a build writes these files without it


def write_mappings(
    build_path: Path, result: CorpusMappings, material: Material, base_iri: str, calibration: Calibration
) -> None:
    """The mapping files of every pair's mappings at once (a build writes them from parts:
    `kg.mapping.stage`)."""
    rows = sssom_rows(result.mappings, base_iri, material.embedder)
    coverage = coverage_lines([c.to_dict() for c in result.coverage])
    matched = matched_tsv(matched_of(result.mappings))

    def sssom(path: Path) -> int:
        return write_sssom(path, rows, base_iri, material.embedder)

    write_mapping_files(
        build_path, sssom, coverage, matched, material, base_iri, calibration, result.compared
    )


def write_mapping_files(
    build_path: Path,
    sssom: Callable[[Path], int],
    coverage: bytes,
    matched: bytes,
    material: Material,
    base_iri: str,
    calibration: Calibration,
    compared: int,
) -> None:
    """Write the mapping files: the SSSOM table (`sssom` writes it at the path it is given and
    says how many mappings it holds), the unit `coverage` (`coverage_lines`), the `matched`
    lines (`matched_tsv`, of any number of leaders, in any order), and the metadata."""
    folder = build_path / MAPPINGS_FOLDER
    folder.mkdir(exist_ok=True)
    mappings = sssom(folder / SSSOM_FILE)
    (folder / COVERAGE_FILE).write_bytes(b"[" + coverage.removesuffix(b",") + b"\n]\n")
    # by row, then column: a tab sorts before any character of a code
    header = "\t".join(MATCHED_COLUMNS).encode("utf-8")
    (folder / MATCHED_FILE).write_bytes(b"\n".join([header, *sorted(matched.splitlines()), b""]))
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
        "pairs_compared": compared,
        "mappings": mappings,
    }
    (folder / META_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")


MATCHED_COLUMNS = ["row", "column", *RELATIONS]


def matched_of(mappings: Iterable[Mapping]) -> list[list]:
    """`matched_items` of mappings."""
    return matched_items((m.a.document, m.a.iri, m.b.document, m.b.iri, m.relation) for m in mappings)


def matched_tsv(rows: list[list]) -> bytes:
    """`matched_items` rows as lines of matched.tsv (without its header)."""
    return "".join("\t".join(map(str, row)) + "\n" for row in rows).encode("utf-8")


def matched_items(mappings: Iterable[tuple[str, str, str, str, str]]) -> list[list]:
    """For each ordered document pair (row, column) with a mapping: how many distinct items of
    the row document match an item of the column document at least exact, close and related,
    as rows of `MATCHED_COLUMNS` in (row, column) order.

    `mappings` are (document a, item a, document b, item b, relation); each counts both ways.
    """
    rank: dict[str, int] = {relation: n for n, relation in enumerate(RELATIONS)}
    strongest: dict[tuple[str, str, str], int] = {}  # (row, column, item) -> its strongest rank
    for a, item_a, b, item_b, relation in mappings:
        for side in ((a, b, item_a), (b, a, item_b)):  # each mapping counts for either side's item
            strongest[side] = min(strongest.get(side, len(RELATIONS)), rank[relation])
    counts: dict[tuple[str, str], list[int]] = {}
    for (row, column, _), best in strongest.items():
        held = counts.setdefault((row, column), [0] * len(RELATIONS))
        for n in range(best, len(RELATIONS)):  # at least this relation: its rank or a stronger one
            held[n] += 1
    return [[row, column, *numbers] for (row, column), numbers in sorted(counts.items())]


@dataclass
class BuildMappings:
    """A build's mapping files, loaded: unit coverage, metadata and matched-item counts at once,
    the table of every mapping (large) on first use."""

    folder: Path
    coverage: list[dict]
    meta: dict
    _table: pandas.DataFrame | None = field(default=None, repr=False)
    _matched: pandas.DataFrame | None = field(default=None, repr=False)
    _item_rows: dict[str, dict[tuple[str, str], np.ndarray]] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

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
        return cls(folder, coverage, meta)

    @property
    def table(self) -> pandas.DataFrame:
        """Every mapping, one row each: the SSSOM columns, and each side's document and code."""
        with self._lock:
            if self._table is None:
                self._table = _read_table(self.folder / SSSOM_FILE)
            return self._table

    @property
    def matched(self) -> pandas.DataFrame:
        """`matched_items` of the build's mappings, as written at build time (counted from the
        table for a build made before that file was)."""
        import pandas

        with self._lock:
            if self._matched is None and (self.folder / MATCHED_FILE).is_file():
                self._matched = pandas.read_csv(
                    self.folder / MATCHED_FILE,
                    sep="\t",
                    dtype={"row": str, "column": str},
                    keep_default_na=False,
                )
        if self._matched is None:
            table = self.table
            sides = zip(
                table["subject_document"],
                table["subject_id"],
                table["object_document"],
                table["object_id"],
                table["relation"],
                strict=True,
            )
            self._matched = pandas.DataFrame(matched_items(sides), columns=MATCHED_COLUMNS)
        return self._matched

    @property
    def sssom_path(self) -> str:
        return SSSOM_FILE

    def rows_of(self, side: str, document: str, code: str) -> np.ndarray:
        """Positions in `table` of the mappings whose `side` (subject or object) is this item."""
        table = self.table
        with self._lock:
            if side not in self._item_rows:
                self._item_rows[side] = table.groupby([f"{side}_document", f"{side}_code"]).indices
            return self._item_rows[side].get((document, code), np.empty(0, dtype=np.intp))


def _read_table(path: Path) -> pandas.DataFrame:
    import pandas

    table = pandas.read_csv(path, sep="\t", comment="#", dtype=str, keep_default_na=False)
    table["similarity_score"] = table["similarity_score"].astype(float)
    prefix = "icap:"
    for side in ("subject", "object"):
        table[f"{side}_document"] = table[f"{side}_source"].str.removeprefix(prefix)
        table[f"{side}_code"] = table[f"{side}_id"].str.rpartition("/")[2]
    table["relation"] = table["predicate_id"].str.removeprefix("skos:").str.removesuffix("Match")
    return table


def coverage_lines(records: list[dict]) -> bytes:
    """Coverage records as coverage.json holds them, a line each ("\\n" + record + ","): the
    lines of several leaders join into that file's array (`write_mapping_files`). Written by
    json's C encoder (any `indent` makes it use the Python one, seconds for a corpus's coverage)."""
    encode = json.JSONEncoder(ensure_ascii=False).encode
    return "".join(f"\n{encode(record)}," for record in records).encode("utf-8")
