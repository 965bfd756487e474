"""The pipeline: raw files -> parsed documents -> RDF (asserted + inferred) -> validated store.

Documents stream through `kg.pipeline` (parse, convert, validate, reason, on every
core) and their N-Triples are appended to files, so memory stays that of a few
documents whatever the corpus size. Every file is checked and every problem
reported; if there is any, nothing is published.
A finished build is swapped in atomically (see `kg.store.layout`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from kg import __version__
from kg.errors import BuildError
from kg.graph.ontology import load_ontology
from kg.graph.reasoning import check_reasoner
from kg.graph.vocabulary import Iris
from kg.parse import discover
from kg.pipeline import Progress, process_all, quiet
from kg.settings import DEFAULT_SOURCES, Settings
from kg.store.layout import (
    DOCUMENTS_FILE,
    EXPORT_FILE,
    GRAPHS,
    MANIFEST_FILE,
    discard,
    ensure_writable,
    new_build_folder,
    publish,
)
from kg.store.oxigraph import create_store
from kg.store.terms import nquads


@dataclass
class BuildReport:
    """What a build produced; also written to the build's manifest.json."""

    path: Path
    documents: list[dict] = field(default_factory=list)
    triples: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def build(
    paths: Iterable[str | Path] | None = None,
    settings: Settings | None = None,
    progress: Progress = quiet,
) -> BuildReport:
    """Parse, convert, validate, reason over and store the given files and folders (default data/raw)."""
    settings = settings or Settings.load()
    started = time.perf_counter()
    files = discover(paths or [DEFAULT_SOURCES])
    check_reasoner(settings.reasoner)  # an unknown reasoner fails before any work
    ensure_writable(settings.build_dir)
    build_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    folder = new_build_folder(settings.build_dir, build_id)
    try:
        report = _build_into(folder, files, settings, progress)
        report.seconds["total"] = round(time.perf_counter() - started, 3)
        _write_manifest(folder, report, Iris(settings.base_iri), settings, build_id)
    except BaseException:
        discard(folder)
        raise
    report.path = publish(settings.build_dir, folder, build_id)
    return report


def _build_into(folder: Path, files: list[Path], settings: Settings, progress: Progress) -> BuildReport:
    report = BuildReport(path=folder)
    problems: list[str] = []
    seconds: dict[str, float] = {}
    iris = Iris(settings.base_iri)
    export = folder / EXPORT_FILE
    shared_written: set[bytes] = set()
    with open(export, "wb") as quads_out, _JsonArray(folder / DOCUMENTS_FILE) as documents_out:
        quads_out.write(nquads(load_ontology(), str(iris.graph("ontology"))))
        results = process_all(files, settings.base_iri, settings.reasoner, settings.workers, progress)
        for result in results:
            problems.extend(result.problems)
            for step, value in result.seconds.items():
                seconds[step] = seconds.get(step, 0.0) + value
            if problems or result.model is None:
                continue  # keep checking the rest, so every problem is reported at once
            report.warnings.extend(result.warnings)
            quads_out.write(result.quads)
            for line in result.shared_quads.splitlines(keepends=True):
                if line not in shared_written:  # write a shared concept's quads once
                    shared_written.add(line)
                    quads_out.write(line)
            documents_out.append(result.model)
            report.documents.append(result.summary or {})
    if problems:
        raise BuildError(problems)
    progress("storing", 0, 1)
    started = time.perf_counter()
    counts = create_store(folder, export)
    report.triples = {name: counts.get(str(iris.graph(name)), 0) for name in GRAPHS}
    seconds["store"] = time.perf_counter() - started
    progress("storing", 1, 1)
    # per-document steps are summed over documents (CPU seconds when run in parallel)
    report.seconds = {k: round(v, 3) for k, v in seconds.items()}
    return report


def _write_manifest(folder: Path, report: BuildReport, iris: Iris, settings: Settings, build_id: str) -> None:
    manifest = {
        "kg_version": __version__,
        "built_at": build_id,
        "base_iri": iris.base,
        "reasoner": settings.reasoner,
        "graphs": {name: str(iris.graph(name)) for name in GRAPHS},
        "triples": report.triples,
        "seconds": report.seconds,
        "warnings": report.warnings,
        "documents": report.documents,
    }
    (folder / MANIFEST_FILE).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")


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


__all__ = ["BuildReport", "build"]
