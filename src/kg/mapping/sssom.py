"""SSSOM TSV (https://mapping-commons.github.io/sssom/): the standard table of ontology mappings.

A YAML header of `#`-prefixed lines (CURIE map and mapping-set metadata), then one
row per mapping. Item IRIs are written as CURIEs under the prefix `icap`, bound to
the build's base IRI, so the file reads the same whatever the base.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path

from kg import __version__
from kg.mapping.model import Mapping
from kg.search.items import SearchItem

PREFIX = "icap"
CURIE_MAP = {
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "semapv": "https://w3id.org/semapv/vocab/",
}
JUSTIFICATION = "semapv:SemanticSimilarityThresholdMatching"
LICENSE = "https://opensource.org/licenses/MIT"  # the project's licence; the source texts are iCAP's
COLUMNS = (
    "subject_id",
    "subject_label",
    "subject_category",
    "subject_source",
    "predicate_id",
    "object_id",
    "object_label",
    "object_category",
    "object_source",
    "mapping_justification",
    "similarity_score",
    "similarity_measure",
    "mapping_cardinality",
)


def sssom_header(base_iri: str, embedder: str, when: date | None = None) -> str:
    """The YAML metadata lines (`#`-prefixed) and the column names of an SSSOM table."""
    header = [
        "curie_map:",
        *(f"  {p}: {iri}" for p, iri in ({PREFIX: base_iri} | CURIE_MAP).items()),
        f"mapping_set_id: {base_iri}mappings",
        f"mapping_set_description: Corresponding items of iCAP competency documents ({embedder})",
        f"license: {LICENSE}",
        f"mapping_tool: kg {__version__}",
    ]
    if when is not None:  # builds leave it out, so the same files give the same bytes any day
        header.append(f"mapping_date: {when.isoformat()}")
    return "".join(f"#{line}\n" for line in header) + "\t".join(COLUMNS) + "\n"


def sssom_text(mappings: Iterable[Mapping], base_iri: str, embedder: str) -> str:
    """Mappings as one SSSOM TSV text (a pair's download)."""
    return sssom_header(base_iri, embedder) + "".join(sssom_rows(mappings, base_iri, embedder))


def write_sssom_parts(
    path: Path, parts: Iterable[Iterable[str] | Path], base_iri: str, embedder: str, when: date | None = None
) -> int:
    """Write SSSOM TSV (atomically) from its rows in parts: `sssom_rows`, or files of them
    (copied as they are); returns the number of rows.

    `mapping_date` (optional in SSSOM) is written only when `when` is given.
    """
    rows = 0
    staged = path.with_name(path.name + ".tmp")
    with open(staged, "w", encoding="utf-8", newline="") as out:
        out.write(sssom_header(base_iri, embedder, when))
        for part in parts:
            if isinstance(part, Path):
                out.flush()
                with open(part, "rb") as rows_file:
                    while block := rows_file.read(2**20):
                        out.buffer.write(block)
                        rows += block.count(b"\n")
                continue
            for row in part:
                out.write(row)
                rows += 1
    os.replace(staged, path)
    return rows


def sssom_rows(mappings: Iterable[Mapping], base_iri: str, embedder: str) -> Iterator[str]:
    """The SSSOM TSV rows (each ending with a newline) of the mappings."""

    def curie(iri: str) -> str:
        return f"{PREFIX}:{iri[len(base_iri) :]}" if iri.startswith(base_iri) else iri

    measure = _cell(f"cosine of {embedder} embeddings and shared character bigrams")
    sides: dict[str, str] = {}  # item IRI -> its four cells: an item is in many mappings

    def side(item: SearchItem) -> str:
        if item.iri not in sides:
            cells = (curie(item.iri), item.text, item.kind, curie(item.iri.rsplit("/", 1)[0]))
            sides[item.iri] = "\t".join(_cell(v) for v in cells)
        return sides[item.iri]

    for m in mappings:
        yield (
            f"{side(m.a)}\tskos:{m.relation}Match\t{side(m.b)}\t{JUSTIFICATION}\t"
            f"{m.score:.4f}\t{measure}\t{m.cardinality}\n"
        )


def _cell(value: str) -> str:
    return " ".join(value.split())  # no tabs or newlines inside a cell
