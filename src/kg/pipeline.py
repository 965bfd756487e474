"""One document through the pipeline: parse -> RDF -> SHACL -> OWL RL, on one or more cores.

Each document is independent (see `kg.graph.reasoning`), so documents are processed
in worker processes and come back, in file order, as N-Triples bytes and a summary.
"""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import os
import pickle
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import RDF, Graph, Literal
from rdflib.term import Node

from kg.collector import collecting
from kg.document_cache import DocumentCache
from kg.errors import KgError
from kg.graph.convert import document_graph
from kg.graph.nquads import nquads
from kg.graph.ontology import ONTOLOGY_FILE, SHAPES_FILE, load_ontology, load_shapes, ontology_dir
from kg.graph.reasoning import Reasoner, get_reasoner
from kg.graph.statistics import document_statistics
from kg.graph.validate import validate_graph
from kg.graph.vocabulary import KG, Iris
from kg.parse import LayoutCache, display_path, parse_bytes, read_bytes
from kg.sqlite_cache import fingerprint_files

Progress = Callable[[str, int, int], None]

# Below this many files, starting worker processes costs more than it saves.
PARALLEL_FROM = 16


def quiet(step: str, done: int, total: int) -> None:
    return None


@dataclass
class DocumentResult:
    """What one source file yields: its problems, or its model and quads (N-Quads bytes)."""

    path: Path
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    code: str | None = None
    source: str | None = None
    line: int = 0
    model_json: str = ""  # the model as documents.json holds it, encoded where it was processed:
    # a build of thousands of documents then only writes the text ("" with problems)
    derived: bytes | None = None  # what `process_all`'s `derivation` made of the model, pickled
    summary: dict | None = None
    quads: bytes = b""  # the document's own asserted and inferred quads (none when reused: in the cache)
    shared_quads: bytes = b""  # quads about concepts other documents share (occupations ...)
    from_cache: bool = False  # its layout came from the parse cache (a PDF ... read before)
    reused: bool = False  # the whole result came from the document cache (kg.document_cache)
    seconds: dict[str, float] = field(default_factory=dict)


@dataclass
class _Context:
    iris: Iris
    reasoner_name: str | None  # None: check only (parse, convert, validate)
    strict: bool = False  # warnings about a source file are problems
    layouts: LayoutCache | None = None  # files read before (kg.parse.cache)
    documents: DocumentCache | None = None  # whole results of files processed before
    derivation: Derivation | None = None  # what the caller makes of each model
    made: Reasoner | None = None

    def reasoner(self) -> Reasoner:
        """The reasoner, made when a document first needs it: closing the ontology takes each
        worker seconds, which a build of files all unchanged since the last one need not spend."""
        if self.made is None:
            assert self.reasoner_name is not None
            self.made = get_reasoner(self.reasoner_name, load_ontology())
        return self.made


@dataclass(frozen=True)
class Derivation:
    """What a caller makes of each document's model (`make`, picklable), made by the process
    that processed or read the document; `key` fingerprints the code it runs, so that what it
    made is kept with the document (kg.document_cache) until that code changes."""

    make: Callable[[dict], Any]
    key: str


_context: _Context | None = None


def _initialise(
    base_iri: str,
    reasoner: str | None,
    strict: bool = False,
    layout_cache: Path | None = None,
    document_cache: Path | None = None,
    derivation: Derivation | None = None,
) -> None:
    global _context
    if _context is not None:
        for opened in (_context.layouts, _context.documents):
            if opened is not None:
                opened.close()
    documents = None
    if document_cache is not None and reasoner is not None:  # a check-only run keeps no model
        documents = DocumentCache(document_cache, fingerprint(base_iri, reasoner, strict))
    _context = _Context(
        Iris(base_iri),
        reasoner,
        strict,
        LayoutCache(layout_cache) if layout_cache is not None else None,
        documents,
        derivation,
    )


_KEPT = ("warnings", "code", "source", "line", "model_json", "summary", "shared_quads")  # and the quads apart


def fingerprint(base_iri: str, reasoner: str | None, strict: bool) -> str:
    """What a document's result depends on beside its bytes and path: the code that parses,
    converts, validates and reasons (kg.parse, kg.graph, this module), the ontology and
    shapes, the reasoner, the base IRI and strictness. Any change makes every file new."""
    package = Path(__file__).parent
    files = [
        Path(__file__),
        *(p for name in ("parse", "graph") for p in sorted((package / name).rglob("*.py"))),
    ]
    files += [ontology_dir() / ONTOLOGY_FILE, ontology_dir() / SHAPES_FILE]
    return fingerprint_files(files, f"{base_iri}\0{reasoner}\0{strict}")


def process_file(path: Path) -> DocumentResult:
    """Parse, convert, validate and (when the context has a reasoner) reason over one file."""
    assert _context is not None, "call _initialise first"
    result = DocumentResult(path)
    started = time.perf_counter()
    source = display_path(path)
    try:
        data = read_bytes(path, source)  # read once: what is parsed is what is hashed
        key = _context.derivation.key if _context.derivation else ""
        if _context.documents is not None and (kept := _context.documents.get(data, source, key)) is not None:
            for name in _KEPT:
                setattr(result, name, kept[name])
            result.reused = True
            result.derived = kept["derived"]
            if result.derived is None and _context.derivation is not None:  # made by other code
                result.derived = _derived(json.loads(result.model_json))
                _context.documents.put_derived(data, source, (key, result.derived))
            return result
        hits = _context.layouts.hits if _context.layouts else 0
        document = parse_bytes(data, source, _context.layouts)
        result.from_cache = bool(_context.layouts and _context.layouts.hits > hits)
    except KgError as exc:
        result.problems.append(str(exc))
        return result
    if _context.strict:
        result.problems.extend(document.warnings)
        document.warnings = []
    asserted = document_graph(document, _context.iris, data)
    result.problems.extend(_ill_typed(asserted, source))
    result.problems.extend(str(v) for v in validate_graph(asserted, load_shapes(), document.source))
    result.seconds["parse_convert_validate"] = time.perf_counter() - started
    result.code, result.source, result.line = document.code, document.source, document.line
    result.warnings = document.warnings
    if result.problems or _context.reasoner_name is None:
        return result
    started = time.perf_counter()
    inferred = _context.reasoner().infer(asserted)
    result.seconds["reason"] = time.perf_counter() - started
    model = document.to_dict()
    result.model_json = _JSON.encode(model)  # as documents.json holds it
    result.summary = {
        "code": document.code,
        "kind": document.kind,
        "title": document.title,
        "source": document.source,
        "sha256": hashlib.sha256(data).hexdigest(),
        "triples": len(asserted),
    }
    shared = _shared_subjects(asserted)
    # the document's counts are derived, so they join the inferred graph
    inferred = set(inferred) | set(
        document_statistics(_context.iris.document(document.code), asserted, inferred)
    )
    for graph, triples in (("asserted", asserted), ("inferred", inferred)):
        iri = str(_context.iris.graph(graph))
        result.quads += nquads((t for t in triples if t[0] not in shared), iri)
        result.shared_quads += nquads((t for t in triples if t[0] in shared), iri)
    if _context.derivation is not None:
        result.derived = _derived(model)
    if _context.documents is not None and not result.problems:
        kept = {name: getattr(result, name) for name in _KEPT}
        derived = (_context.derivation.key, result.derived or b"") if _context.derivation else ("", b"")
        _context.documents.put(data, source, kept, result.quads, derived)
    return result


def _derived(model: dict) -> bytes:
    """What the context's derivation makes of a model, pickled (to be kept, and sent)."""
    assert _context is not None and _context.derivation is not None
    return pickle.dumps(_context.derivation.make(model), protocol=pickle.HIGHEST_PROTOCOL)


_JSON = json.JSONEncoder(ensure_ascii=False)  # the contract's JSON, non-ASCII kept


def _ill_typed(graph: Graph, source: str) -> list[str]:
    """Literals whose text is no value of their datatype ("2025-13-45"^^xsd:date): never stored.

    The parser checks what it reads; this is the net under it, so that a build never
    stores a value later queries fail on.
    """
    return [
        f"{source}: {o.n3()} is not a valid {o.datatype.n3() if o.datatype else 'literal'}"[:300]
        for o in sorted({o for o in graph.objects() if isinstance(o, Literal) and o.ill_typed})
    ]


_SHARED_CLASSES = (KG.JobCategory, KG.Occupation, KG.Industry, KG.Domain)


def _shared_subjects(asserted: Graph) -> set[Node]:
    """Nodes several documents describe alike: their classification concepts."""
    return {node for cls in _SHARED_CLASSES for node in asserted.subjects(RDF.type, cls)}


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def process_all(
    files: list[Path],
    base_iri: str,
    reasoner: str | None,
    workers: int = 0,
    progress: Progress = quiet,
    strict: bool = False,
    layout_cache: Path | None = None,
    document_cache: Path | None = None,
    derivation: Derivation | None = None,
) -> Iterator[DocumentResult]:
    """Process every file, in order; a document code seen in an earlier file is a problem.

    `reasoner=None` only checks (parse, convert, validate). `workers=0` uses every core.
    `strict` makes a source file's warnings problems. `layout_cache` keeps what PDF, ODT,
    DOCX and HTML files were read into, so that an unchanged one is not read again;
    `document_cache` keeps whole results, so that an unchanged file is not processed again.
    `derivation` is made of each model by the process that made or read it, and kept with
    it, its answer (pickled) put in the result's `derived`: what a caller needs of every
    document is then made on every core, and once.
    """
    arguments = (base_iri, reasoner, strict, layout_cache, document_cache, derivation)
    workers = workers or default_workers()
    if workers == 1 or len(files) < PARALLEL_FROM:
        _initialise(*arguments)
        results: Iterator[DocumentResult] = map(_process_collecting, files)
        yield from _flag_duplicates(results, files, progress)
        return
    try:
        with ProcessPoolExecutor(workers, initializer=_start_worker, initargs=arguments) as pool:
            chunk = max(1, min(32, len(files) // (workers * 8)))
            yield from _flag_duplicates(pool.map(process_file, files, chunksize=chunk), files, progress)
    except BrokenProcessPool:
        # a worker that could not start (a reasoner refusing the ontology ...) only breaks the
        # pool; starting here raises what stopped it, with its own message
        _initialise(*arguments)
        raise


def _process_collecting(path: Path) -> DocumentResult:
    """`process_file` in this process with the collector on, as in a worker (kg.collector)."""
    with collecting(True):
        return process_file(path)


def _start_worker(*arguments: Any) -> None:
    """`_initialise` in a worker process. What stops it is raised again, with its own message,
    by `process_all`; the worker's copy would only add concurrent.futures' traceback to stderr."""
    gc.enable()  # forked from a build that paused it (kg.builder): rdflib's graphs hold cycles
    try:
        _initialise(*arguments)
    except BaseException:
        logging.getLogger("concurrent.futures").disabled = True
        raise


def _flag_duplicates(
    results: Iterator[DocumentResult], files: list[Path], progress: Progress
) -> Iterator[DocumentResult]:
    seen: dict[str, str] = {}
    for index, result in enumerate(results, 1):
        progress("processing", index, len(files))
        if result.code is not None:
            if result.code in seen:
                result.problems.append(
                    f"{result.source}:{result.line}: document {result.code} is also in {seen[result.code]}"
                )
                result.model_json, result.derived, result.summary = "", None, None
            else:
                seen[result.code] = result.source or ""
        yield result
