"""The pipeline: raw files -> parsed documents -> RDF (asserted + inferred) -> validated store.

`build()` checks everything first and writes nothing when any file has a problem;
a finished build is swapped in atomically (see `kg.store.layout`).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from kg import __version__
from kg.errors import BuildError, KgError, ParseError
from kg.graph.convert import document_graph
from kg.graph.ontology import load_ontology, load_shapes
from kg.graph.reasoning import get_reasoner
from kg.graph.validate import validate_graph
from kg.graph.vocabulary import Iris
from kg.parse import discover, parse_file
from kg.parse.model import Document
from kg.settings import Settings
from kg.store.layout import (
    DOCUMENTS_FILE,
    EXPORT_FILE,
    MANIFEST_FILE,
    discard,
    ensure_writable,
    new_build_folder,
    publish,
)
from kg.store.oxigraph import STORE_FOLDER, load_ntriples
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
class _Prepared:
    document: Document
    asserted: Graph
    source_sha256: str


def build(
    paths: Iterable[str | Path] | None = None,
    settings: Settings | None = None,
    progress: Progress = _quiet,
) -> BuildReport:
    """Parse, convert, validate, reason and store the given files and folders (default data/raw)."""
    settings = settings or Settings.load()
    timings: dict[str, float] = {}
    started = time.perf_counter()
    files = discover(paths or [Path("data/raw")])
    if not files:
        shown = ", ".join(str(p) for p in (paths or ["data/raw"]))
        raise KgError(f"no source files (.txt) found in {shown}")
    iris = Iris(settings.base_iri)
    prepared, problems, warnings = prepare(files, iris, progress)
    timings["parse_convert_validate"] = time.perf_counter() - started
    if problems:
        raise BuildError(problems)

    step = time.perf_counter()
    ontology = load_ontology()
    reasoner = get_reasoner(settings.reasoner, ontology)
    inferred = Graph()
    for index, item in enumerate(prepared, 1):
        progress("reasoning", index, len(prepared))
        for triple in reasoner.infer(item.asserted):
            inferred.add(triple)
    timings["reason"] = time.perf_counter() - step

    step = time.perf_counter()
    asserted = Graph()
    for item in prepared:
        asserted += item.asserted
    report = _write(
        settings, iris, prepared, {"ontology": ontology, "asserted": asserted, "inferred": inferred}, progress
    )
    timings["store"] = time.perf_counter() - step
    timings["total"] = time.perf_counter() - started
    report.seconds = {k: round(v, 3) for k, v in timings.items()}
    report.warnings = warnings
    _finish_manifest(report, settings)
    return report


def prepare(
    files: list[Path], iris: Iris, progress: Progress = _quiet
) -> tuple[list[_Prepared], list[str], list[str]]:
    """Parse, convert and SHACL-validate each file: (documents, problems, warnings)."""
    prepared: list[_Prepared] = []
    problems: list[str] = []
    warnings: list[str] = []
    seen: dict[str, str] = {}
    for index, path in enumerate(files, 1):
        progress("parsing", index, len(files))
        try:
            document = parse_file(path)
        except ParseError as exc:
            problems.append(str(exc))
            continue
        warnings.extend(document.warnings)
        if document.code in seen:
            other = seen[document.code]
            problems.append(f"{document.source}:{document.line}: document {document.code} is also in {other}")
            continue
        seen[document.code] = document.source
        data = path.read_bytes()
        prepared.append(
            _Prepared(document, document_graph(document, iris, data), hashlib.sha256(data).hexdigest())
        )
    shapes = load_shapes()
    for index, item in enumerate(prepared, 1):
        progress("validating", index, len(prepared))
        problems.extend(str(v) for v in validate_graph(item.asserted, shapes))
    return prepared, problems, warnings


def _write(
    settings: Settings, iris: Iris, prepared: list[_Prepared], graphs: dict[str, Graph], progress: Progress
) -> BuildReport:
    build_dir = settings.build_dir
    ensure_writable(build_dir)
    build_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    folder = new_build_folder(build_dir, build_id)
    try:
        progress("storing", 0, len(graphs))
        store = ox.Store(str(folder / STORE_FOLDER))
        graph_names = {name: str(iris.graph(name)) for name in graphs}
        for index, (name, graph) in enumerate(graphs.items(), 1):
            load_ntriples(store, ntriples(graph), graph_names[name])
            progress("storing", index, len(graphs))
        store.flush()
        store.optimize()
        store.dump(str(folder / EXPORT_FILE), format=ox.RdfFormat.N_QUADS)
        del store
        documents = [item.document.to_dict() for item in prepared]
        (folder / DOCUMENTS_FILE).write_text(
            json.dumps(documents, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        report = BuildReport(
            path=build_dir,
            documents=[
                {
                    "code": item.document.code,
                    "kind": item.document.kind,
                    "title": item.document.title,
                    "source": item.document.source,
                    "sha256": item.source_sha256,
                    "triples": len(item.asserted),
                }
                for item in prepared
            ],
            triples={name: len(graph) for name, graph in graphs.items()},
        )
        manifest = {
            "kg_version": __version__,
            "built_at": build_id,
            "base_iri": iris.base,
            "reasoner": settings.reasoner,
            "graphs": graph_names,
            "triples": report.triples,
            "documents": report.documents,
        }
        (folder / MANIFEST_FILE).write_text(
            json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
        )
    except BaseException:
        discard(folder)
        raise
    report.path = publish(build_dir, folder, build_id)
    return report


def _finish_manifest(report: BuildReport, settings: Settings) -> None:
    path = report.path / MANIFEST_FILE
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["seconds"] = report.seconds
    manifest["warnings"] = report.warnings
    staged = path.with_suffix(".tmp")
    staged.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    staged.replace(path)


__all__ = ["BuildReport", "build", "prepare"]
