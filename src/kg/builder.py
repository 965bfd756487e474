"""The pipeline: raw files -> parsed documents -> RDF (asserted + inferred) -> search index
(vectors + BM25) -> overlap mappings between documents -> validated store.

Documents stream through `kg.pipeline` (parse, convert, validate, reason, on every
core) and their N-Triples are appended to files, so memory stays that of a few
documents whatever the corpus size. Every file is checked and every problem
reported; if there is any, nothing is published.
The graph is written in parts (`kg.store.parts`: one per document, per document's pairs ...),
each sorted; a part made from the same inputs as the live build's is linked from it, and the
store is updated from the parts that changed. A finished build is swapped in atomically (see
`kg.store.layout`), under the build folder's lock; the same files give the same bytes,
except the manifest's timings and build id.
"""

from __future__ import annotations

import itertools
import json
import pickle
import time
from collections.abc import Callable, Iterable
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from kg import __version__
from kg.background import Children
from kg.catalogue import Catalogue, Entry, entry
from kg.collector import collecting
from kg.document_cache import DocumentCache
from kg.errors import BuildError
from kg.graph.nquads import nquads
from kg.graph.ontology import load_ontology
from kg.graph.pages import document_page_lines
from kg.graph.reasoning import check_reasoner
from kg.graph.shared_texts import shared_text_lines
from kg.graph.vocabulary import Iris
from kg.mapping.calibration import calibration_for
from kg.mapping.close_texts import CloseTextCache
from kg.mapping.link_counts import LinkCountCache
from kg.mapping.material import DocumentFacts, Material, document_facts
from kg.mapping.pair_cache import PairCache, matching_fingerprint
from kg.mapping.stage import map_in_parts
from kg.parse import discover, display_path
from kg.parse.model import Document
from kg.pipeline import Derivation, DocumentResult, Progress, default_workers, fingerprint, process_all, quiet
from kg.search.cache import EmbeddingCache
from kg.search.embedders import DEFAULT_EMBEDDER, Embedder, get_embedder
from kg.search.index import NO_INDEX, IndexReport, PreparedIndex, prepare_search_index, write_search_index
from kg.search.items import SearchItem, Vocabulary, class_names, class_vocabulary, document_items
from kg.search.token_cache import TokenCache, tokenizer_fingerprint
from kg.settings import DEFAULT_SOURCES, Settings
from kg.sqlite_cache import fingerprint_files
from kg.store.layout import (
    CATALOGUE_FILE,
    DOCUMENTS_FILE,
    GRAPHS,
    MANIFEST_FILE,
    build_lock,
    clear_caches,
    discard,
    document_cache,
    embedding_cache,
    ensure_writable,
    layout_cache,
    live_build,
    new_build_folder,
    pair_cache,
    publish,
    remove_leftovers,
    token_cache,
)
from kg.store.parts import PartsWriter, input_key, part_name
from kg.store.writer import write_store


@dataclass
class BuildReport:
    """What a build produced; also written to the build's manifest.json."""

    path: Path
    documents: list[dict] = field(default_factory=list)
    triples: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    search: dict[str, object] = field(default_factory=dict)
    mappings: dict[str, object] = field(default_factory=dict)
    store: dict[str, object] = field(default_factory=dict)  # how the store was made (kg.store.writer)
    graph: dict[str, int] = field(default_factory=dict)  # its parts, those linked from the live build, lines
    read_from_cache: int = 0  # source files whose layout came from the parse cache
    reused: int = 0  # source files unchanged since an earlier build: not processed again


def build(
    paths: Iterable[str | Path] | None = None,
    settings: Settings | None = None,
    progress: Progress = quiet,
    strict: bool = False,
    clean: bool = False,
) -> BuildReport:
    """Parse, convert, validate, reason over and store the given files and folders (default data/raw).

    `strict` makes a source file's warnings (a skipped row, a truncated document) problems.
    A file unchanged since an earlier build (same bytes, path, code, ontology, options) is
    not processed again, nor is a text embedded twice; `clean` forgets all that first.
    """
    settings = settings or Settings.load()
    started = time.perf_counter()
    files = discover(paths or [DEFAULT_SOURCES])
    check_reasoner(settings.reasoner)  # an unknown reasoner or embedder fails before any work
    embedder_name = settings.embedder or DEFAULT_EMBEDDER
    embedder = None if embedder_name == NO_INDEX else get_embedder(embedder_name)
    ensure_writable(settings.build_dir)
    # one build at a time, the cyclic garbage collector paused (kg.collector says why)
    with build_lock(settings.build_dir), collecting(False):
        remove_leftovers(settings.build_dir)
        if clean:
            clear_caches(settings.build_dir)
        build_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        folder = new_build_folder(settings.build_dir, build_id)
        try:
            report = _build_into(folder, files, settings, embedder, progress, strict, clean)
            report.seconds["total"] = round(time.perf_counter() - started, 3)
            _write_manifest(folder, report, Iris(settings.base_iri), settings, build_id)
        except BaseException:
            discard(folder)
            raise
        report.path = publish(settings.build_dir, folder, build_id)
        _forget_other_files(settings, strict, report)
    return report


def _forget_other_files(settings: Settings, strict: bool, report: BuildReport) -> None:
    """Keep in the document cache only the files of the build just made."""
    cache = DocumentCache(
        document_cache(settings.build_dir), fingerprint(settings.base_iri, settings.reasoner, strict)
    )
    try:
        cache.keep_only((d["sha256"], d["source"]) for d in report.documents)
    finally:
        cache.close()


def _build_into(
    folder: Path,
    files: list[Path],
    settings: Settings,
    embedder: Embedder | None,
    progress: Progress,
    strict: bool = False,
    clean: bool = False,
) -> BuildReport:
    report = BuildReport(path=folder)
    items: list[SearchItem] = []
    facts: list[DocumentFacts] = []  # what the mapping stage reads of each document
    names: list[tuple[str, dict[str, list[str]]]] = []  # (document, its occupation/industry names)
    filed: list[Entry] = []  # the documents as the browse page files them
    parsed: list[str] = []  # the documents' models as documents.json holds them (JSON)
    encoded: list[str] = []  # each document's lines of items.jsonl
    problems: list[str] = []
    seconds: dict[str, float] = {}
    iris = Iris(settings.base_iri)
    shared_written: set[bytes] = set()
    previous = None if clean else live_build(settings.build_dir)  # its parts are linked when unchanged
    parts = PartsWriter(folder, previous)
    made_by = fingerprint(settings.base_iri, settings.reasoner, strict)  # what a document's quads depend on
    results_kept = closing(DocumentCache(document_cache(settings.build_dir), made_by))  # their quads
    started = time.perf_counter()
    with results_kept as cache:
        # made_by fingerprints the ontology file and the code that writes it: linked while unchanged
        parts.put("ontology", input_key(made_by, "ontology"), lambda: [_ontology_quads(iris)])
        results = process_all(
            files,
            settings.base_iri,
            settings.reasoner,
            settings.workers,
            progress,
            strict,
            layout_cache(settings.build_dir),
            document_cache(settings.build_dir),
            Derivation(partial(_derive, iris), _derived_by(iris)),
        )
        for result in results:
            report.read_from_cache += result.from_cache
            report.reused += result.reused
            problems.extend(result.problems)
            for step, value in result.seconds.items():
                seconds[step] = seconds.get(step, 0.0) + value
            if problems or not result.model_json or result.code is None or result.derived is None:
                continue  # keep checking the rest, so every problem is reported at once
            report.warnings.extend(result.warnings)
            summary = result.summary or {}
            # the graph names the file by its name and hash only: the path as given is not in it
            key = input_key(made_by, summary.get("sha256", ""), Path(summary.get("source", "")).name)
            parts.put(part_name("documents", result.code), key, _quads(result, cache))
            shared_written.update(result.shared_quads.splitlines(keepends=True))
            derived: _Derived = pickle.loads(result.derived)  # made with the model (`_derive`)
            parsed.append(result.model_json)
            filed.append(derived.entry)
            items.extend(SearchItem(*fields) for fields in derived.items)
            encoded.append(derived.encoded)
            names.append((result.code, derived.names))
            facts.append(derived.facts)
            report.documents.append(result.summary or {})
    if problems:
        raise BuildError(problems)
    seconds["documents"] = time.perf_counter() - started  # wall time of the steps above, and the rest
    started = time.perf_counter()
    parts.write("concepts", [b"".join(sorted(shared_written))])
    codes = [d["code"] for d in report.documents]
    parts.put("corpus", _corpus_key(made_by, items, codes), lambda: [_corpus_quads(items, codes, iris)])
    seconds["corpus"] = time.perf_counter() - started
    with Children() as children:  # files written in threads while the build goes on (kg.background)
        if embedder is not None:
            vocabulary = class_vocabulary(names)
            prepared, made = _index_search(items, embedder, report.documents, settings, progress, vocabulary)
            # its files are written in a thread while the overlaps are mapped
            work = partial(_write_files, folder, parsed, filed, prepared, encoded)
            children.start("writing the search index", work)
            report.search = {
                "embedder": embedder.name,
                "items": made.items,
                "embedded": made.stats.embedded,
                "cached": made.stats.cached,
            }
            seconds.update({f"search_{step}": value for step, value in made.seconds.items()})
            started = time.perf_counter()
            material = Material.of_facts(items, made.vectors, facts, embedder.name)  # the vectors in memory
            seconds["mapping_material"] = time.perf_counter() - started
            in_thread = partial(children.start, "writing the mapping files")
            report.mappings = _map_overlaps(
                folder, iris, report, settings, progress, parts, previous, seconds, material, in_thread
            )
            seconds["mapping"] = time.perf_counter() - started
        else:
            _write_files(folder, parsed, filed)
        progress("storing", 0, 1)
        graph = parts.close()
        started = time.perf_counter()
        stored = write_store(folder, graph, settings.build_dir, clean)
        counts, report.store = stored.counts, stored.how
        report.graph = {"parts": len(graph.parts), "linked": parts.linked, "lines": graph.lines}
        seconds["store_compare"] = stored.compare_seconds  # of "store": comparing the changed parts
        report.triples = {name: counts.get(str(iris.graph(name)), 0) for name in GRAPHS}
        seconds["store"] = time.perf_counter() - started
        progress("storing", 1, 1)
        started = time.perf_counter()
        children.wait()
        seconds["files_wait"] = time.perf_counter() - started  # what the build waited for its threads
    # per-document steps are summed over documents (CPU seconds when run in parallel)
    report.seconds = {k: round(v, 3) for k, v in seconds.items()}
    return report


@dataclass
class _Derived:
    """What a build needs of each document's model besides its quads, made by the process that
    processed or read the document (`process_all`'s `derivation`), and kept with it: on every
    core, and once."""

    entry: Entry
    items: list[tuple]  # each of its `SearchItem`s' fields, in order
    encoded: str  # their lines of the search index's items.jsonl (`SearchItem.json_line`)
    names: dict[str, list[str]]  # `class_names`
    facts: DocumentFacts


def _derived_by(iris: Iris) -> str:
    """What `_derive` depends on besides the model: the package's code (any module of it may be
    on its path) and the base IRI. Kept derivations are made again after any change of code."""
    package = Path(__file__).parent
    return fingerprint_files(sorted(package.rglob("*.py")), salt=f"derived\0{iris.base}")


def _derive(iris: Iris, model: dict) -> _Derived:
    document = Document.from_dict(model)
    items = list(document_items(document, iris))
    fields = [tuple(vars(item).values()) for item in items]
    encoded = "".join(item.json_line() + "\n" for item in items)
    return _Derived(entry(model), fields, encoded, class_names(document), document_facts(document))


def _write_files(
    folder: Path,
    parsed: list[str],
    filed: list[Entry],
    index: PreparedIndex | None = None,
    encoded: list[str] | None = None,
) -> None:
    """What a build writes of its documents (documents.json, catalogue.json) and its search
    index (`encoded`: its items.jsonl lines, by document), in a thread while the build goes on
    (`kg.background`)."""
    with _JsonArray(folder / DOCUMENTS_FILE) as documents_out:
        for model in parsed:
            documents_out.append_encoded(model)
    Catalogue(filed).write(folder / CATALOGUE_FILE)
    if index is not None:
        write_search_index(folder, index, encoded or ())


def _corpus_key(made_by: str, items: list[SearchItem], codes: list[str]) -> str:
    """What the corpus part is made from: every item's kind, document, IRI and text, the
    documents' codes, and (`made_by`) the code that makes it and the base IRI."""
    listed = "\n".join(f"{i.kind}\t{i.document}\t{i.iri}\t{i.text}" for i in items)
    return input_key(made_by, "corpus", listed, "\t".join(codes))


def _corpus_quads(items: list[SearchItem], codes: list[str], iris: Iris) -> bytes:
    """The shared texts and the documents' pages: made from every document at once."""
    graph = str(iris.graph("inferred"))
    shared = shared_text_lines(((i.kind, i.document, i.iri, i.text) for i in items), iris, graph)
    return "".join(itertools.chain(shared, document_page_lines(codes, iris, graph))).encode("utf-8")


def _ontology_quads(iris: Iris) -> bytes:
    return nquads(load_ontology(), str(iris.graph("ontology")))


def _quads(result: DocumentResult, kept: DocumentCache) -> Callable[[], list[bytes]]:
    """A document's quads: made just now, or (a file not processed again) read from the cache."""
    if not result.reused:
        return lambda: [result.quads]
    sha256 = (result.summary or {}).get("sha256", "")
    return lambda: [kept.quads(sha256, display_path(result.path))]


def _index_search(
    items: list[SearchItem],
    embedder: Embedder,
    documents: list[dict],
    settings: Settings,
    progress: Progress,
    vocabulary: Vocabulary,
) -> tuple[PreparedIndex, IndexReport]:
    """Embed (reusing the build folder's embedding cache, or the shared one the settings name)
    and tokenise every searchable item: the search index, ready to be written."""
    sources = {d["source"]: d["sha256"] for d in documents}
    cache = EmbeddingCache(embedding_cache(settings.build_dir, settings.embedding_cache))
    tokens = TokenCache(token_cache(settings.build_dir), tokenizer_fingerprint())
    try:
        return prepare_search_index(items, embedder, sources, cache, progress, vocabulary, tokens)
    finally:
        cache.close()
        tokens.close()


def _map_overlaps(
    folder: Path,
    iris: Iris,
    report: BuildReport,
    settings: Settings,
    progress: Progress,
    parts: PartsWriter,
    previous: Path | None,
    seconds: dict[str, float],
    material: Material,
    write: Callable[[Callable[[], None]], object],
) -> dict[str, object]:
    """Match the items of every document pair (but pairs matched by an earlier build with the same
    two documents); the mappings go to files and the `mappings` graph's parts, both taken from
    the `previous` build where a document's pairs did not change (`kg.mapping.stage`)."""
    calibration, warning = calibration_for(material.embedder)
    if warning:
        report.warnings.append(warning)
    matching = matching_fingerprint(calibration.to_dict())
    cache = PairCache(pair_cache(settings.build_dir), matching)
    texts = CloseTextCache.of(settings.build_dir, calibration, material.embedder)
    counts = LinkCountCache.of(settings.build_dir, texts.fingerprint)
    try:
        workers = settings.workers or default_workers()
        result = map_in_parts(
            folder,
            material,
            calibration,
            iris,
            parts,
            previous,
            matching,
            progress,
            workers,
            cache,
            texts,
            counts,
            write,
        )
    finally:
        cache.close()
        texts.close()
    seconds.update({f"mapping_{step}": value for step, value in result.seconds.items()})
    return {
        "pairs_compared": result.compared,
        "pairs_matched": result.matched,
        "pairs_kept": result.compared - result.matched,  # both documents unchanged: mappings kept
        "mappings": result.mappings,
        "close_text_links": result.links.close_links() if result.links else None,
        "incorporated": [f"{unit} -> {standard} {task}" for standard, task, unit, _ in result.incorporated],
    }


def _write_manifest(folder: Path, report: BuildReport, iris: Iris, settings: Settings, build_id: str) -> None:
    manifest = {
        "kg_version": __version__,
        "built_at": build_id,
        "base_iri": iris.base,
        "reasoner": settings.reasoner,
        "graphs": {name: str(iris.graph(name)) for name in GRAPHS},
        "triples": report.triples,
        "search": report.search,
        "mappings": report.mappings,
        "store": report.store,
        "graph": report.graph,
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

    def append_encoded(self, text: str) -> None:
        """Append an element already encoded as JSON."""
        self.file.write(("," if self.count else "") + "\n" + text)
        self.count += 1

    def __exit__(self, *exc: object) -> None:
        self.file.write("\n]\n")
        self.file.close()


__all__ = ["BuildReport", "build"]
