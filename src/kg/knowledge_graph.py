"""One open build: what the CLI, the server, `kg.sparql`'s workers and notebooks all work through.

    graph = kg.open("data/build")
    graph.sparql("SELECT ?code WHERE { ?d a kg:CompetencyUnit ; kg:code ?code }")
    graph.find("客訴處理", by="item", top=5).to_dataframe()
    graph.overlap("KMM5R0915v2", "BAS1499-003").to_dataframe()
    graph.matrix(), graph.coverage(), graph.documents()

A `KnowledgeGraph` follows the live build of its build folder: each part (the parsed
documents, the graph store, the search index and model, the mapping files) is loaded
once, on first use, and loaded again only after `kg build` publishes a new build. Any
number of threads may use one at once (the web app does): loading is locked, and what
is loaded is only read.

With `settings.sparql_endpoint` set, SPARQL queries go to that server (a build published
with `kg publish`) instead of the local store; everything else (documents, search,
overlap, kgf:similarity) still reads the local build, and needs one.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import threading
import weakref
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from kg.catalogue import Catalogue
from kg.errors import KgError, document_code
from kg.graph.vocabulary import Iris
from kg.mapping import overlap as mapping
from kg.mapping import shares
from kg.mapping.files import BuildMappings
from kg.mapping.material import Material
from kg.mapping.model import DEFAULT_PAIR_RELATION, Relation
from kg.parse.model import Document, ItemRef
from kg.query.fulltext import with_contains_values
from kg.query.named import resolve
from kg.query.nearest_values import with_nearest_values
from kg.query.sparql import check_request, execute
from kg.query.workers import API_HINTS, Hints, QueryPool, answer_queries
from kg.search.contains import CONTAINS, Contains
from kg.search.engine import EVIDENCE, By, Filters, Mode, Searcher
from kg.search.items import SearchItem, stable_id
from kg.search.lexical import get_tokenizer
from kg.search.nearest import NEAREST, Nearest
from kg.search.results import SearchResults
from kg.search.similarity import SIMILARITY, Similarity
from kg.settings import Settings
from kg.store import GraphStore, QueryResult, open_store, store_descriptor
from kg.store.base import SparqlFunction
from kg.store.layout import (
    CATALOGUE_FILE,
    DOCUMENTS_FILE,
    GRAPHS,
    MAPPINGS_FOLDER,
    MAPPINGS_META_FILE,
    current_build,
    read_manifest,
    score_calibration,
)

if TYPE_CHECKING:
    import pandas

    from kg.course.matching import CourseMatcher
    from kg.course.report import CourseCoverage
    from kg.export.dump import Release

T = TypeVar("T")


def _built_at(manifest: dict[str, Any]) -> str:
    """When a build was made, as ISO 8601 (UTC): its id is that time, compact."""
    built = datetime.strptime(manifest["built_at"], "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC)
    return built.isoformat(timespec="seconds")


class NotFound(KgError):
    """A document, item or IRI that the live build does not have."""


class _Build:
    """One finished build's parts, each loaded on first use; replaced when the live build moves."""

    def __init__(self, path: Path, settings: Settings) -> None:
        self.path = path
        self.settings = settings
        self.manifest = read_manifest(path)
        self.iris = Iris(self.manifest["base_iri"])
        self.similarity = Similarity(self.searcher)
        self.contains = Contains(lambda: self.searcher().index, get_tokenizer)
        self.nearest = Nearest(self.searcher)
        self._parts: dict[str, Any] = {}
        self._loading: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def part(self, name: str, load: Callable[[], T]) -> T:
        """A part (the searcher, the material ...), loaded once however many threads ask at once.

        Each part has its own lock, so loading the model never holds up reading the mapping files.
        """
        with self._lock:
            if name in self._parts:
                return cast(T, self._parts[name])  # stored by `load` for this name (below)
            loading = self._loading.setdefault(name, threading.Lock())
        with loading:
            if name not in self._parts:
                self._parts[name] = load()
            return cast(T, self._parts[name])  # what `load` gave for this name

    @property
    def documents(self) -> dict[str, dict[str, Any]]:
        def load() -> dict[str, dict[str, Any]]:
            parsed = json.loads((self.path / DOCUMENTS_FILE).read_text(encoding="utf-8"))
            return {d["code"]: d for d in parsed}

        return self.part("documents", load)

    def searcher(self) -> Searcher:
        calibration = score_calibration(self.settings.build_dir)
        return self.part("searcher", lambda: Searcher(self.path, self.settings.embedder, calibration))

    def store(self) -> GraphStore:
        return self.part("store", lambda: open_store(store_descriptor(self.settings.store, self.path)))

    def material(self) -> Material:
        return self.part("material", lambda: Material.load(self.path))

    def mappings(self) -> BuildMappings:
        # the small files only: the table of every mapping is read when a caller first needs it
        return self.part("mappings", lambda: BuildMappings.load(self.path))


class KnowledgeGraph:
    """The live build of one build folder, opened: SPARQL, search, overlap and the documents.

    Use `kg.open(build_dir)` to get one. Results are the library's: `SearchResults`,
    `Overlap`, DataFrames and `QueryResult`s.
    """

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings.load()
        self._build: _Build | None = None
        self._lock = threading.Lock()
        self._pool: QueryPool | None = None
        self._pool_lock = threading.Lock()  # starting workers takes a second: never under `_lock`
        self._remote: tuple[tuple[tuple[str, str], ...], GraphStore] | None = None  # (graphs, store)
        _open_graphs.add(self)

    def __repr__(self) -> str:
        return f"<KnowledgeGraph {self.settings.build_dir}>"

    def _live(self) -> _Build:
        """The live build's parts; a new set (loaded lazily again) once CURRENT has moved."""
        path = current_build(self.settings.build_dir)
        with self._lock:
            if self._build is None or self._build.path != path:
                self._build = _Build(path, self.settings)
            return self._build

    # The build and its documents

    @property
    def path(self) -> Path:
        """The live build's folder (builds/<id>)."""
        return self._live().path

    @property
    def manifest(self) -> dict[str, Any]:
        """The live build's manifest: sources, counts, graphs, base IRI, settings, timings."""
        return self._live().manifest

    @property
    def iris(self) -> Iris:
        """How the build's IRIs are made (its base IRI)."""
        return self._live().iris

    @property
    def graphs(self) -> dict[str, str]:
        """The build's named graphs' IRIs, by name (ontology, asserted, inferred, mappings).

        Querying a SPARQL server without a local build: those of the settings' base IRI.
        """
        try:
            return dict(self._live().manifest["graphs"])
        except KgError:
            if not self.settings.sparql_endpoint:
                raise
            iris = Iris(self.settings.base_iri)
            return {name: str(iris.graph(name)) for name in GRAPHS}

    @property
    def parsed(self) -> dict[str, dict[str, Any]]:
        """The parsed documents (their JSON, see docs/document-model.md), by code."""
        return self._live().documents

    def catalogue(self) -> Catalogue:
        """The build's documents filed by facet (kind, 領域類別, 職類別, 職業別, 行業別, 級別), for
        browsing: `graph.catalogue().browse({"level": ["5"]}, sort="title")`."""
        live = self._live()

        def load() -> Catalogue:
            filed = live.path / CATALOGUE_FILE
            # a build made before the catalogue was filed at build time files its documents now
            return Catalogue.read(filed) if filed.exists() else Catalogue.of(live.documents.values())

        return live.part("catalogue", load)

    def code(self, code: str) -> str:
        """The build's code of a document named in any letter case (kmm5r0915v2: KMM5R0915v2);
        NotFound, naming the codes likely meant, for one the build does not have."""
        return document_code(code, self._live().documents, error=NotFound)

    def document(self, code: str) -> dict[str, Any]:
        """One parsed document (its JSON, see docs/document-model.md); NotFound for an unknown code."""
        return self._live().documents[self.code(code)]

    def items(self, code: str) -> dict[str, ItemRef]:
        """Every coded item of a document, by code, in the document's order (`Document.iter_items`)."""
        code = self.code(code)
        document = self.document(code)
        return self._live().part(
            f"items:{code}", lambda: {ref.code: ref for ref in Document.from_dict(document).iter_items()}
        )

    def item(self, code: str, item_code: str) -> ItemRef:
        """One item of a document; NotFound when the build has no such document or item."""
        items = self.items(code)
        if item_code not in items:
            raise NotFound(f"document {code} has no item {item_code!r}")
        return items[item_code]

    def documents(self) -> pandas.DataFrame:
        """The build's documents: code, kind (standard or unit), title, source file, triples."""
        import pandas

        rows = self._live().manifest["documents"]
        return pandas.DataFrame(rows, columns=["code", "kind", "title", "source", "triples"])

    def titles(self) -> dict[str, str | None]:
        """Each document's title, by code."""
        return {code: d.get("title") for code, d in self._live().documents.items()}

    # SPARQL

    def run_query(self, sparql: str, *, graph: str = "all", max_results: int | None = None) -> QueryResult:
        """Run a read-only SPARQL query in this process, with no time limit.

        `graph` is "all" (the union), "asserted", "inferred", "ontology" or "mappings".
        `kgf:similarity`, `kgf:contains` and `kgf:nearest` are available (sharing `find`'s index)
        on the local store; a SPARQL server (`settings.sparql_endpoint`) refuses them, and waits at most
        `query_timeout` seconds for the server at each step. More than
        `max_results` rows or triples raise `ResultTooLarge` (None: no limit).
        """
        check_request(sparql, graph)  # a query that must not run is refused before the build is opened
        return self._execute(sparql, graph, max_results)

    def _execute(self, sparql: str, graph: str, max_results: int | None) -> QueryResult:
        """Run a query that `check_request` has passed, on the live build's store (or the SPARQL
        server of `settings.sparql_endpoint`, which refuses kgf:similarity by name)."""
        if self.settings.sparql_endpoint:
            return execute(self.remote_store(), sparql, graph, None, max_results)
        build = self._live()
        # the store starts from the items the indexes give, instead of calling a function per row
        sparql = with_contains_values(sparql, build.contains.items)
        sparql = with_nearest_values(sparql, build.nearest.items)
        functions: dict[str, SparqlFunction] = {
            SIMILARITY: build.similarity,
            CONTAINS: build.contains,
            NEAREST: build.nearest,
        }
        return execute(build.store(), sparql, graph, functions, max_results)

    def remote_store(self) -> GraphStore:
        """The SPARQL server of `settings.sparql_endpoint` as a store, reading this build's graph IRIs
        (opened again when they change: a new build with another base IRI)."""
        if not self.settings.sparql_endpoint:
            raise KgError("no SPARQL endpoint is set (--endpoint URL, or KG_SPARQL_ENDPOINT)")
        graphs = self.graphs
        key = tuple(sorted(graphs.items()))
        with self._lock:
            if self._remote is None or self._remote[0] != key:
                descriptor = f"sparql:{self.settings.sparql_endpoint}"
                store = open_store(descriptor, graphs=graphs, timeout=self.settings.query_timeout)
                self._remote = (key, store)
            return self._remote[1]

    def query(
        self,
        sparql: str,
        *,
        graph: str = "all",
        timeout: float | None = None,
        max_results: int | None = None,
        hints: Hints = API_HINTS,
    ) -> QueryResult:
        """Run a read-only SPARQL query in a worker process, stopped after `timeout` seconds.

        timeout: seconds the query may run (default: the settings' query_timeout, 20).
        max_results: most rows or triples (default: the settings' max_results, 10,000).
        hints: how the caller's users raise the limits, for the messages.
        A query that must not run (an update, SERVICE, too long) is refused before it
        takes a worker. The worker is started on the first query and kept.
        """
        settings = self.settings.with_(query_timeout=timeout, max_results=max_results)
        check_request(sparql, graph)
        pool = self.query_pool()
        return pool.run(sparql, graph, settings.max_results, settings.query_timeout, hints)

    def sparql(
        self, sparql: str, *, graph: str = "all", timeout: float | None = None, max_results: int | None = None
    ) -> pandas.DataFrame:
        """`query`'s answer as a DataFrame: SELECT rows, an ASK's boolean, or triples.

        `sparql` may also be the name of a shipped query (`kg.named_queries()`): "shared-knowledge".
        """
        return self.query(
            resolve(sparql), graph=graph, timeout=timeout, max_results=max_results
        ).to_dataframe()

    def query_pool(self, size: int = 1, wait: float | None = None, warm: bool = False) -> QueryPool:
        """The worker processes that run `query`: started (with these options) on first use."""
        with self._pool_lock:
            if self._pool is None or self._pool.closed:
                pool = QueryPool(self.settings, _query_worker, size=size, wait=wait, warm=warm)
                pool.start()
                self._pool = pool
            return self._pool

    def close(self) -> None:
        """Stop the query workers, if any were started (they stop at exit anyway)."""
        with self._pool_lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()

    def warm_up(self) -> None:
        """Load the search index and model now (and jieba), so the first search answers at once."""
        self.searcher.tokenizer  # noqa: B018

    # Search

    @property
    def similarity(self) -> Similarity:
        """`kgf:similarity` of this build (callable with rdflib terms), sharing `find`'s searcher."""
        return self._live().similarity

    @property
    def searcher(self) -> Searcher:
        """The build's search index with the model that built it (loaded on first use)."""
        return self._live().searcher()

    def find(
        self,
        query: str,
        *,
        mode: Mode = "hybrid",
        by: By = "document",
        top: int = 10,
        filters: Filters | None = None,
        evidence: int = EVIDENCE,
        understand: bool = True,
        ignore: tuple[str, ...] = (),
    ) -> SearchResults:
        """Semantic search: the documents (with their evidence) or items that answer `query`.

        query: a question or keywords, in Chinese or English.
        mode: "hybrid" (dense and BM25 fused, the default), "dense" or "lexical".
        by: "document" (each with its best `evidence` items) or "item".
        top: how many documents or items.
        filters: `kg.Filters(item_kinds=..., document_kinds=..., documents=..., levels=...)`;
            they win over what the question is read to ask for.
        understand: read kinds, levels, document codes, occupations and industries in the question
            (kg.search.understand).
        ignore: parts of that reading to drop ("document_kinds", "item_kinds", "levels", "documents",
            "occupations", "industries").
        """
        return self.searcher.search(
            query,
            mode=mode,
            by=by,
            top=top,
            filters=filters,
            evidence=evidence,
            understand=understand,
            ignore=ignore,
        )

    def closest(self, code: str, item_code: str, *, top: int = 8) -> list[tuple[SearchItem, float]]:
        """The items of other documents nearest in meaning to one item (cosine of their vectors)."""
        index = self.searcher.index
        code = self.code(code)
        vector = index.dense.vector(stable_id(str(self.iris.item(code, item_code))))
        if vector is None:
            return []
        others = index.ids[index.column("document") != code]
        ids, scores = index.dense.search(vector, top, others)
        return list(zip(index.rows(ids), (float(s) for s in scores), strict=True))

    # Overlap

    @property
    def material(self) -> Material:
        """The build's items with their vectors, as overlap mapping reads them (loaded on first use)."""
        return self._live().material()

    @property
    def stored_mappings(self) -> BuildMappings:
        """The build's mapping files (SSSOM table, unit coverage, metadata), loaded on first use."""
        return self._live().mappings()

    def overlap(
        self, a: str, b: str, *, min_relation: Relation = DEFAULT_PAIR_RELATION, kinds: tuple[str, ...] = ()
    ) -> mapping.Overlap:
        """The corresponding items of documents `a` and `b` (SKOS exact and close), best first.

        min_relation: the weakest relation kept: "exact", "close" (the default, as the pair
            page and `kg overlap` show) or "related" (on request; related pairs are marked
            `weak`: right about two times in three).
        kinds: only pairs of these item kinds (task, indicator ...); all when empty.
        """
        mapping.check_overlap_options(min_relation, kinds)
        material = self.material  # first: a build without vectors says so, whatever the codes
        a, b = self.code(a), self.code(b)  # NotFound for a code the build does not have
        return mapping.overlap(material, a, b, min_relation=min_relation, kinds=kinds)

    def matrix(self, *, min_relation: Relation = "close") -> pandas.DataFrame:
        """Document x document: the share of the row document's items that match (at least
        `min_relation`) an item of the column document. Computed once per build."""
        return self._table(
            "matrix", min_relation, lambda: mapping.matrix(self.stored_mappings, min_relation=min_relation)
        )

    def pair_shares(self, *, min_relation: Relation = "close") -> pandas.DataFrame:
        """The matrix's cells above 0 off its diagonal, one row per ordered document pair: row,
        column, share. Far smaller than the matrix for a large build (see `kg.mapping.shares`)."""
        return self._table(
            "shares",
            min_relation,
            lambda: shares.pair_shares(self.stored_mappings, min_relation=min_relation),
        )

    def coverage(self, *, incorporated_only: bool = False) -> pandas.DataFrame:
        """For each unit and standard: the standard's task covering most of the unit, and how much.

        incorporated_only: only the units a standard incorporates (most of the unit inside one task).
        """
        return self._table(
            "coverage",
            incorporated_only,
            lambda: mapping.coverage(self.stored_mappings, incorporated_only=incorporated_only),
        )

    def _table(self, name: str, option: object, compute: Callable[[], pandas.DataFrame]) -> pandas.DataFrame:
        return self._live().part(f"{name}:{option}", compute)

    def item_mappings(self, document: str, code: str) -> pandas.DataFrame:
        """One item's stored mappings to items of other documents, strongest first: their document,
        code, kind, text, relation and score (no rows: the item has no counterpart)."""
        stored = self.stored_mappings
        document = self.code(document)
        self.item(document, code)  # NotFound for an item the document does not have
        return mapping.item_mappings(stored, document, code)

    def mappings(self) -> pandas.DataFrame:
        """Every stored mapping of the build, one row each (SSSOM columns, document, code, relation)."""
        return self.stored_mappings.table

    def export(self, codes: Sequence[str] = (), fmt: str = "case") -> bytes:
        """Documents of the build (all when no `codes`, which may be in any letter case) in an
        exchange format (`kg.export.FORMATS`): case, ctdl-asn, jsonld, turtle, csv or xlsx.

        CASE and CTDL-ASN carry the items' exact and close mappings to other documents when the
        build has mappings (read from its mapping table: the first export of a large build
        loads it)."""
        from kg.export import export, export_format

        export_format(fmt)  # an unknown format fails before anything is read
        live = self._live()
        chosen = list(dict.fromkeys(self.code(code) for code in codes)) or list(live.documents)
        documents = [Document.from_dict(live.documents[code]) for code in chosen]
        stored = (
            self.stored_mappings if (live.path / MAPPINGS_FOLDER / MAPPINGS_META_FILE).is_file() else None
        )
        return export(fmt, documents, live.iris, _built_at(live.manifest), live.path, stored)

    def dump(self, folder: str | Path) -> Release:
        """A release of the whole build in `folder` (new or empty): graph.nq.gz, mappings.sssom.tsv,
        documents.json and void.ttl, a VoID/DCAT description with counts (`kg export --dump`)."""
        from kg.export.dump import write_dump

        live = self._live()
        return write_dump(live.path, Path(folder), live.manifest, _built_at(live.manifest))

    def export_sssom(self, path: str | Path) -> int:
        """Write the build's mappings as SSSOM TSV to `path`; returns the number of mappings."""
        return mapping.export_sssom(self.path, self.stored_mappings, path)

    def overlap_quality(self, pairs: str | Path = "eval/overlap_pairs.tsv") -> pandas.DataFrame:
        """Precision and recall of the overlap mapping on labelled pairs, per relation level:
        the matcher with the calibration in force, and cross-validated by document pair."""
        import pandas

        from kg.mapping.evaluate import evaluation_report, load_pairs

        report = evaluation_report(self.material, load_pairs(pairs))
        rows = [{"measured": key} | score for key in ("matcher", "cross_validated") for score in report[key]]
        return pandas.DataFrame(rows)

    # Course coverage

    def course_matcher(self) -> CourseMatcher:
        """Course lines against the build's items, with the overlap calibration (loaded on first use)."""
        build = self._live()

        def load() -> CourseMatcher:
            from kg.course.matching import CourseMatcher
            from kg.mapping.calibration import calibration_for

            material = build.material()
            calibration, _ = calibration_for(material.embedder)
            return CourseMatcher(material, build.searcher().embedder.embed_passages, calibration)

        return build.part("course_matcher", load)

    def cover(
        self,
        course: str | Path | bytes,
        against: tuple[str, ...] | list[str] = (),
        *,
        name: str | None = None,
    ) -> CourseCoverage:
        """Which tasks, activities, indicators, knowledge and skills of the `against` documents a
        course outline teaches, and the gaps. Without `against`: the documents the course serves
        best are ranked, and the best one covered.

        course: a course file's path (text, Markdown, DOCX, ODT, PDF), or its content as bytes.
        name: how messages and the result name the course (default: the path, or "course").
        """
        from kg.course.outline import read_outline
        from kg.course.report import course_coverage
        from kg.parse.files import read_bytes

        if isinstance(course, bytes):
            data, source = course, name or "course"
        else:
            source = name or str(course)
            data = read_bytes(Path(course), source)  # regular files only, each refusal one line
        lines = read_outline(data, source)
        matcher = self.course_matcher()
        ranking = None
        codes = list(dict.fromkeys(against))
        if codes:
            codes = list(dict.fromkeys(self.code(code) for code in codes))
            matcher.check(codes)
        else:
            ranking = matcher.rank_documents(lines)
            codes = [ranking[0]["document"]]
        matches = matcher.match(lines, codes)
        documents = [
            (
                code,
                self.titles().get(code) or "",
                self.document(code)["kind"],
                list(self.items(code).values()),
            )
            for code in codes
        ]
        return course_coverage(source, lines, matches, documents, ranking)


def _query_worker(connection: Connection, settings: Settings, warm: bool) -> None:
    """A query worker process: opens the build itself and answers queries in-process."""
    graph = KnowledgeGraph(settings)
    if warm:
        with contextlib.suppress(KgError):  # no build or no index yet: a query will say so
            graph.warm_up()
    answer_queries(connection, graph._execute)  # `query` checked each query before sending it


_open_graphs: weakref.WeakSet[KnowledgeGraph] = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    for graph in list(_open_graphs):
        graph.close()
