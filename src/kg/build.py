"""The pipeline: raw files -> parsed documents -> RDF (asserted + inferred) -> validated store.

Documents stream through one at a time (parse, convert, validate, reason, write
N-Triples), so memory stays that of one document whatever the corpus size. Every
file is checked and every problem reported; if there is any, nothing is published.
A finished build is swapped in atomically (see `kg.store.layout`).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from kg import __version__
from kg.errors import BuildError, KgError, ParseError
from kg.graph.convert import document_graph
from kg.graph.ontology import load_ontology, load_shapes
from kg.graph.reasoning import Reasoner, get_reasoner
from kg.graph.validate import validate_graph
from kg.graph.vocabulary import Iris
from kg.parse import discover, parse_file
from kg.parse.model import Document
from kg.settings import DEFAULT_SOURCES, Settings
from kg.store.layout import (
    DOCUMENTS_FILE,
    EXPORT_FILE,
    MANIFEST_FILE,
    discard,
    ensure_writable,
    new_build_folder,
    publish,
)
from kg.store.oxigraph import STORE_FOLDER
from kg.store.terms import ntriples

Progress = Callable[[str, int, int], None]


def _quiet(step: str, done: int, total: int) -> None:
    return None


@dataclass
class BuildReport:
    """What a build produced; also written to the build's manifest.json."""

    path: Path
    documents: list[dict] = field(default_factory=list)
    triples: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


@dataclass
class Checked:
    """One source file after parsing, conversion and SHACL validation."""

    path: Path
    document: Document | None = None
    asserted: Graph | None = None
    sha256: str = ""
    problems: list[str] = field(default_factory=list)


def check_files(files: list[Path], iris: Iris, progress: Progress = _quiet) -> Iterator[Checked]:
    """Parse, convert and validate each file in turn; a document code seen twice is a problem."""
    shapes = load_shapes()
    seen: dict[str, str] = {}
    for index, path in enumerate(files, 1):
        progress("checking", index, len(files))
        checked = Checked(path)
        try:
            document = parse_file(path)
        except ParseError as exc:
            checked.problems.append(str(exc))
            yield checked
            continue
        if document.code in seen:
            other = seen[document.code]
            checked.problems.append(
                f"{document.source}:{document.line}: document {document.code} is also in {other}"
            )
            yield checked
            continue
        seen[document.code] = document.source
        data = path.read_bytes()
        checked.document = document
        checked.sha256 = hashlib.sha256(data).hexdigest()
        checked.asserted = document_graph(document, iris, data)
        checked.problems.extend(str(v) for v in validate_graph(checked.asserted, shapes))
        yield checked


def build(
    paths: Iterable[str | Path] | None = None,
    settings: Settings | None = None,
    progress: Progress = _quiet,
) -> BuildReport:
    """Parse, convert, validate, reason over and store the given files and folders (default data/raw)."""
    settings = settings or Settings.load()
    started = time.perf_counter()
    sources = list(paths or [DEFAULT_SOURCES])
    files = discover(sources)
    if not files:
        raise KgError(f"no source files (.txt) found in {', '.join(str(p) for p in sources)}")
    iris = Iris(settings.base_iri)
    ontology = load_ontology()
    reasoner = get_reasoner(settings.reasoner, ontology)
    ensure_writable(settings.build_dir)
    build_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    folder = new_build_folder(settings.build_dir, build_id)
    try:
        report = _build_into(folder, files, iris, reasoner, ontology, progress)
        report.seconds["total"] = round(time.perf_counter() - started, 3)
        _write_manifest(folder, report, iris, settings, build_id)
    except BaseException:
        discard(folder)
        raise
    report.path = publish(settings.build_dir, folder, build_id)
    return report


def _build_into(
    folder: Path, files: list[Path], iris: Iris, reasoner: Reasoner, ontology: Graph, progress: Progress
) -> BuildReport:
    report = BuildReport(path=folder)
    problems: list[str] = []
    timer = _Timer()
    parts = {name: folder / f"{name}.nt" for name in ("asserted", "inferred")}
    with (
        open(parts["asserted"], "wb") as asserted_out,
        open(parts["inferred"], "wb") as inferred_out,
        _JsonArray(folder / DOCUMENTS_FILE) as documents_out,
    ):
        checks = check_files(files, iris, progress)
        while True:
            with timer("parse_convert_validate"):
                checked = next(checks, None)
            if checked is None:
                break
            problems.extend(checked.problems)
            if checked.problems or problems or checked.document is None or checked.asserted is None:
                continue  # keep checking the rest, so every problem is reported at once
            document = checked.document
            report.warnings.extend(document.warnings)
            with timer("reason"):
                inferred = reasoner.infer(checked.asserted)
            with timer("write"):
                asserted_out.write(ntriples(checked.asserted))
                inferred_out.write(ntriples(inferred))
                documents_out.append(document.to_dict())
            report.documents.append(
                {
                    "code": document.code,
                    "kind": document.kind,
                    "title": document.title,
                    "source": document.source,
                    "sha256": checked.sha256,
                    "triples": len(checked.asserted),
                }
            )
    if problems:
        raise BuildError(problems)
    with timer("store"):
        progress("storing", 0, 1)
        graphs: dict[str, bytes | Path] = {"ontology": ntriples(ontology), **parts}
        report.triples = _store(folder, graphs, iris)
        for part in parts.values():
            part.unlink()
        progress("storing", 1, 1)
    report.seconds = timer.totals()
    return report


def _store(folder: Path, graphs: dict[str, bytes | Path], iris: Iris) -> dict[str, int]:
    """Load the named graphs into a new store; returns each graph's (distinct) triple count."""
    store = ox.Store(str(folder / STORE_FOLDER))
    for name, data in graphs.items():
        target = ox.NamedNode(str(iris.graph(name)))
        if isinstance(data, Path):
            store.bulk_load(path=str(data), format=ox.RdfFormat.N_TRIPLES, to_graph=target)
        else:
            store.bulk_load(input=data, format=ox.RdfFormat.N_TRIPLES, to_graph=target)
    store.flush()
    store.optimize()
    store.dump(str(folder / EXPORT_FILE), format=ox.RdfFormat.N_QUADS)
    counts = {}
    for name in graphs:
        query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{iris.graph(name)}> {{ ?s ?p ?o }} }}"
        counts[name] = int(next(iter(store.query(query)))["n"].value)
    del store
    return counts


def _write_manifest(folder: Path, report: BuildReport, iris: Iris, settings: Settings, build_id: str) -> None:
    manifest = {
        "kg_version": __version__,
        "built_at": build_id,
        "base_iri": iris.base,
        "reasoner": settings.reasoner,
        "graphs": {name: str(iris.graph(name)) for name in ("ontology", "asserted", "inferred")},
        "triples": report.triples,
        "seconds": report.seconds,
        "warnings": report.warnings,
        "documents": report.documents,
    }
    (folder / MANIFEST_FILE).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")


class _Timer:
    """Accumulates wall time per named step."""

    def __init__(self) -> None:
        self._totals: dict[str, float] = {}

    def __call__(self, name: str) -> _Timer:
        self._name = name
        return self

    def __enter__(self) -> None:
        self._start = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        self._totals[self._name] = self._totals.get(self._name, 0.0) + time.perf_counter() - self._start

    def totals(self) -> dict[str, float]:
        return {k: round(v, 3) for k, v in self._totals.items()}


class _JsonArray:
    """Writes a JSON array one element at a time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0

    def __enter__(self) -> _JsonArray:
        self.file = open(self.path, "w", encoding="utf-8")
        self.file.write("[")
        return self

    def append(self, value: object) -> None:
        self.file.write(("," if self.count else "") + "\n" + json.dumps(value, ensure_ascii=False))
        self.count += 1

    def __exit__(self, *exc: object) -> None:
        self.file.write("\n]\n")
        self.file.close()


__all__ = ["BuildReport", "Checked", "build", "check_files"]
