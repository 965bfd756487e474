"""SSSOM TSV (https://mapping-commons.github.io/sssom/): the standard table of ontology mappings.

A YAML header of `#`-prefixed lines (CURIE map and mapping-set metadata), then one
row per mapping. Item IRIs are written as CURIEs under the prefix `icap`, bound to
the build's base IRI, so the file reads the same whatever the base.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import BinaryIO

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


def write_sssom(
    path: Path, rows: Iterable[str], base_iri: str, embedder: str, when: date | None = None
) -> int:
    """Write SSSOM TSV (atomically) from its `rows` (`sssom_rows`); returns how many.

    `mapping_date` (optional in SSSOM) is written only when `when` is given.
    """
    count = 0
    with _staged(path) as out:
        out.write(sssom_header(base_iri, embedder, when).encode("utf-8"))
        for row in rows:
            out.write(row.encode("utf-8"))
            count += 1
    return count


def join_sssom_files(path: Path, files: Iterable[Path], base_iri: str, embedder: str) -> None:
    """Write SSSOM TSV (atomically) from files of its rows, copied by the kernel as they are
    (a corpus's table is hundreds of megabytes)."""
    with _staged(path) as out:
        out.write(sssom_header(base_iri, embedder).encode("utf-8"))
        out.flush()
        for part in files:
            with open(part, "rb") as rows:
                _copy(rows.fileno(), out.fileno(), os.fstat(rows.fileno()).st_size)


@contextmanager
def _staged(path: Path) -> Iterator[BinaryIO]:
    """A file written beside `path` and moved onto it when complete (removed if not)."""
    staged = path.with_name(path.name + ".tmp")
    try:
        with open(staged, "wb") as out:
            yield out
        os.replace(staged, path)
    finally:
        staged.unlink(missing_ok=True)


def _copy(source: int, target: int, size: int) -> None:
    """`size` bytes from one open file to the end of another, in the kernel where it can."""
    while size > 0:
        try:
            copied = os.copy_file_range(source, target, size)
        except (AttributeError, OSError):  # not Linux, or a file system that cannot
            copied = os.write(target, os.read(source, min(size, 2**20)))
        if copied == 0:
            return  # the file shrank: what it holds now is copied
        size -= copied


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
