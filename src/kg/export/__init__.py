"""Documents out of a build, in the formats other systems read (`kg export`).

    case       1EdTech CASE 1.0: a CFPackage per document (`kg.export.case`)
    ctdl-asn   CTDL-ASN JSON-LD: frameworks and competencies (`kg.export.ctdl`)
    jsonld     the documents' triples as JSON-LD; turtle: as Turtle (`kg.export.rdf`)
    csv, xlsx  a row per coded item, Chinese headings with English (`kg.export.tables`)

`export` is the one place that picks the writer by name; each reads a `Framework`
(`kg.export.outline`): a document's coded items as a tree, and their exact and close
mappings to other documents' items.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.errors import KgError
from kg.export import case, ctdl, rdf, tables
from kg.export.outline import Alignment, Framework, alignments, framework
from kg.graph.vocabulary import Iris
from kg.parse.model import Document
from kg.workbooks import XLSX_MEDIA_TYPE

if TYPE_CHECKING:  # pandas, which it needs, takes a second to import: not for every command
    from kg.mapping.files import BuildMappings


@dataclass(frozen=True)
class ExportFormat:
    name: str
    media_type: str
    suffix: str
    description: str


FORMATS = {
    f.name: f
    for f in (
        ExportFormat("case", "application/json", ".json", "1EdTech CASE 1.0 CFPackage JSON"),
        ExportFormat("ctdl-asn", "application/ld+json", ".jsonld", "CTDL-ASN JSON-LD"),
        ExportFormat("jsonld", "application/ld+json", ".jsonld", "the documents' RDF as JSON-LD"),
        ExportFormat("turtle", "text/turtle", ".ttl", "the documents' RDF as Turtle"),
        ExportFormat("csv", "text/csv", ".csv", "a row per item (UTF-8 with BOM)"),
        ExportFormat(
            "xlsx",
            XLSX_MEDIA_TYPE,
            ".xlsx",
            "a sheet per document",
        ),
    )
}


def export_format(name: str) -> ExportFormat:
    """The format of this name, or a clear error listing them."""
    if name not in FORMATS:
        raise KgError(f"unknown export format {name!r}; choose one of: {', '.join(FORMATS)}")
    return FORMATS[name]


def export(
    fmt: str,
    documents: list[Document],
    iris: Iris,
    built_at: str,
    build_path: Path,
    stored: BuildMappings | None,
) -> bytes:
    """The `documents` of the build in `build_path` (built at `built_at`, ISO 8601) in format
    `fmt`, with their items' exact and close mappings from `stored` (None: a build without)."""
    chosen = export_format(fmt)
    codes = [d.code for d in documents]
    if chosen.name in rdf.FORMATS:
        return rdf.rdf_bytes(build_path, codes, chosen.name)
    aligned: dict[str, list[Alignment]] = {code: [] for code in codes}
    for alignment in alignments(stored, codes, iris):
        aligned[alignment.document].append(alignment)
    frameworks = [framework(d, iris, aligned[d.code]) for d in documents]
    if chosen.name == "csv":
        return tables.csv_bytes(frameworks)
    if chosen.name == "xlsx":
        return tables.xlsx_bytes(frameworks)
    body: Any
    if chosen.name == "case":
        packages = [case.package(f, built_at, iris.base) for f in frameworks]
        body = packages[0] if len(packages) == 1 else packages
    else:
        body = ctdl.graph(frameworks)
    return (json.dumps(body, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


__all__ = ["FORMATS", "Alignment", "ExportFormat", "Framework", "export", "export_format"]
