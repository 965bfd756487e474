"""The public Python API: what the CLI, notebooks and scripts call.

    import kg
    graph = kg.open("data/build")        # the live build of a build folder (a KnowledgeGraph)
    graph.sparql("SELECT ?code WHERE { ?d a kg:CompetencyStandard ; skos:notation ?code }")
    graph.find("客訴處理", by="item").to_dataframe()
    graph.overlap("KMM5R0915v2", "BAS1499-003").to_dataframe()
    graph.matrix()                       # share of each document's items matched in another
    graph.coverage()                     # which standard task covers most of each unit
    graph.item_mappings("KMM5R0915v2", "P4.2")  # one item's counterparts elsewhere
    kg.build(["data/raw"], settings)     # parse, reason, validate, store, index, map

`kg.find`, `kg.sparql`, `kg.overlap`, `kg.documents` and the rest do the same on the build
folder of the settings (defaults, then KG_* environment variables), through one open graph
per settings. Everything raises `kg.KgError` with a clear message on bad input.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from kg.builder import BuildReport
from kg.builder import build as _build
from kg.errors import KgError
from kg.knowledge_graph import KnowledgeGraph, NotFound
from kg.mapping.model import DEFAULT_PAIR_RELATION, Relation
from kg.mapping.overlap import Overlap
from kg.query.named import NamedQuery, named_queries, named_query
from kg.search.engine import EVIDENCE, By, Filters, Mode
from kg.search.results import SearchResults
from kg.settings import Settings
from kg.store import QueryResult
from kg.store.layout import current_build

if TYPE_CHECKING:
    import pandas
    from matplotlib.figure import Figure

    from kg.course.report import CourseCoverage

P = ParamSpec("P")
R = TypeVar("R")


def open(build_dir: str | Path | None = None, settings: Settings | None = None) -> KnowledgeGraph:
    """Open a build folder (default: the settings', data/build): `kg.open("data/build").find(...)`.

    The graph follows the folder's live build: after `kg build` it answers from the new one.
    Opening the same folder (with the same settings) again gives the same graph, so what it
    has loaded (the model, the index, the mappings) is loaded once per process.
    """
    settings = settings or Settings.load()
    if build_dir is not None:
        settings = settings.with_(build_dir=Path(build_dir))
    return _graph(settings)


@functools.lru_cache(maxsize=8)
def _graph_of(settings: Settings) -> KnowledgeGraph:
    return KnowledgeGraph(settings)


def _graph(settings: Settings | None) -> KnowledgeGraph:
    """The open graph the module-level functions share, one per settings (so one model load)."""
    settings = settings or Settings.load()
    return _graph_of(settings.with_(build_dir=settings.build_dir.resolve()))


def build(
    paths: Iterable[str | Path] | None = None, settings: Settings | None = None, strict: bool = False
) -> BuildReport:
    """Parse, convert, reason over, validate, store and index documents (default: data/raw).

    `strict` makes a source file's warnings (a skipped stray row, a truncated document) errors.
    """
    return _build(paths, settings, strict=strict)


def has_build(settings: Settings | None = None) -> bool:
    """Whether the build folder holds a finished build (notebooks build one when not)."""
    settings = settings or Settings.load()
    try:
        current_build(settings.build_dir)
    except KgError:
        return False
    return True


def documents(settings: Settings | None = None) -> pandas.DataFrame:
    """The live build's documents: code, kind (standard or unit), title, source file, triples."""
    return _graph(settings).documents()


def overlap_quality(
    pairs: str | Path = "eval/overlap_pairs.tsv", settings: Settings | None = None
) -> pandas.DataFrame:
    """Precision and recall of the overlap mapping on labelled pairs, per relation level:
    the matcher with the calibration in force, and cross-validated by document pair."""
    return _graph(settings).overlap_quality(pairs)


def overlap_heatmap(matrix: pandas.DataFrame, settings: Settings | None = None) -> Figure:
    """The overlap matrix as a heatmap, labelled with titles when a CJK font is installed."""
    from kg.mapping.plots import overlap_heatmap as heatmap

    return heatmap(matrix, _titles(settings))


def coverage_chart(coverage: pandas.DataFrame) -> Figure:
    """Unit coverage (from `graph.coverage()`) as bars; green where the unit is incorporated."""
    from kg.mapping.plots import coverage_chart as chart

    return chart(coverage)


def overlap_network(
    matrix: pandas.DataFrame, settings: Settings | None = None, min_share: float = 0.05
) -> Figure:
    """Documents as a network, linked where they share at least `min_share` of their items."""
    from kg.mapping.plots import overlap_network as network

    table = documents(settings)
    return network(matrix, dict(zip(table.code, table.kind, strict=True)), _titles(settings), min_share)


def save_figure(figure: Figure, path: str | Path) -> Path:
    """Save a figure as PNG (making the folder)."""
    from kg.mapping.plots import save_figure as save

    return save(figure, path)


def _titles(settings: Settings | None) -> dict[str, str | None]:
    return _graph(settings).titles()


def find(
    query: str,
    settings: Settings | None = None,
    *,
    mode: Mode = "hybrid",
    by: By = "document",
    top: int = 10,
    filters: Filters | None = None,
    evidence: int = EVIDENCE,
) -> SearchResults:
    """Semantic search (what `kg search` does): the documents (with evidence) or items that answer `query`.

    query: a question or keywords, in Chinese or English.
    settings: which build folder and embedder (default: `Settings.load()`).
    mode: "hybrid" (dense and BM25 fused, the default), "dense" or "lexical".
    by: "document" (each with its best `evidence` items) or "item".
    top: how many documents or items.
    filters: `kg.Filters(item_kinds=("indicator",), document_kinds=("unit",), levels=(4,))`.
    `.to_dict()` gives the CLI's JSON, `.to_dataframe()` a table.
    """
    return _graph(settings).find(query, mode=mode, by=by, top=top, filters=filters, evidence=evidence)


def sparql(
    query: str,
    settings: Settings | None = None,
    graph: str = "all",
    timeout: float | None = None,
    max_results: int | None = None,
) -> pandas.DataFrame:
    """Run a read-only SPARQL query over the live build; SELECT rows as a DataFrame.

    query: the SPARQL text, or the name of a shipped query (see `named_queries`).
    graph: "all" (the union, the default), "asserted", "inferred", "ontology" or "mappings".
    timeout: seconds before the query's worker process is stopped (default: the settings', 20).
    max_results: more rows are refused (default: the settings', 10,000).
    Like `kg sparql`, the query runs in a worker process (started on the first call, about a
    second, then kept). SERVICE is refused. `kg.run_query` runs a query in this process,
    without a time limit.
    """
    return _graph(settings).sparql(query, graph=graph, timeout=timeout, max_results=max_results)


def run_query(
    query: str, settings: Settings | None = None, graph: str = "all", max_results: int | None = None
) -> QueryResult:
    """Run a read-only SPARQL query in this process, with no time limit; the raw `QueryResult`.

    graph: "all" (the union, the default), "asserted", "inferred", "ontology" or "mappings".
    max_results: more rows or triples raise `ResultTooLarge` (None, the default: no limit).
    """
    return _graph(settings).run_query(query, graph=graph, max_results=max_results)


def overlap(
    a: str,
    b: str,
    settings: Settings | None = None,
    *,
    min_relation: Relation = DEFAULT_PAIR_RELATION,
    kinds: tuple[str, ...] = (),
) -> Overlap:
    """The corresponding items of documents `a` and `b` (SKOS exact and close), best first.

    min_relation: the weakest relation kept: "exact", "close" (the default, as the pair page
        and `kg overlap` show) or "related" (on request; related pairs are marked `weak`).
    kinds: only pairs of these item kinds (task, indicator ...); all when empty.
    """
    return _graph(settings).overlap(a, b, min_relation=min_relation, kinds=kinds)


def item_mappings(document: str, code: str, settings: Settings | None = None) -> pandas.DataFrame:
    """One item's stored mappings to items of other documents, strongest first: their document,
    code, kind, text, relation and score (no rows: the item has no counterpart)."""
    return _graph(settings).item_mappings(document, code)


def export_documents(codes: Sequence[str] = (), fmt: str = "case", settings: Settings | None = None) -> bytes:
    """Documents (all when no codes) as case, ctdl-asn, jsonld, turtle, csv or xlsx: `kg export`."""
    return _graph(settings).export(codes, fmt)


def export_sssom(path: str | Path, settings: Settings | None = None) -> int:
    """Write the build's mappings as SSSOM TSV to `path`; returns the number of mappings."""
    return _graph(settings).export_sssom(path)


def cover(
    course: str | Path | bytes,
    against: Iterable[str] = (),
    settings: Settings | None = None,
    *,
    name: str | None = None,
) -> CourseCoverage:
    """What a course outline teaches of standards or units, and the gaps (what `kg cover` does).

    course: the outline's path (text, Markdown, DOCX, ODT, PDF) or its content as bytes.
    against: document codes; none: the documents the course serves best are ranked
    (`.ranking`) and the best one covered.
    The result's `.lines_table()` and `.items_table()` are DataFrames (one row per line and
    item it covers; one row per item of each document with its covering lines); `.to_dict()`
    is `kg cover --json`'s JSON, `.documents[i].summary()` the one-line summary and counts.
    """
    return _graph(settings).cover(course, list(against), name=name)


def course_chart(coverage: CourseCoverage, document: str | None = None) -> Figure:
    """Per task of a covered document (default: the first): the share of its indicators a course
    covers, as bars; red where no line reaches the task (a gap)."""
    from kg.course.plots import coverage_bars

    return coverage_bars(coverage, document)


def _deprecated(replacement: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Mark a function kept for one release as an alias of `replacement`."""

    def mark(function: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(function)
        def alias(*args: P.args, **kwargs: P.kwargs) -> R:
            warnings.warn(
                f"kg.{function.__name__} is deprecated and goes in the next release: use {replacement}",
                DeprecationWarning,
                stacklevel=2,
            )
            return function(*args, **kwargs)

        return alias

    return mark


@_deprecated("kg.open(build_dir).matrix(min_relation=...)")
def overlap_matrix(settings: Settings | None = None, min_relation: Relation = "close") -> pandas.DataFrame:
    """Deprecated alias of `KnowledgeGraph.matrix`."""
    return _graph(settings).matrix(min_relation=min_relation)


@_deprecated("kg.open(build_dir).coverage(incorporated_only=...)")
def coverage_table(settings: Settings | None = None, incorporated_only: bool = False) -> pandas.DataFrame:
    """Deprecated alias of `KnowledgeGraph.coverage`."""
    return _graph(settings).coverage(incorporated_only=incorporated_only)


@_deprecated("kg.open(build_dir).mappings()")
def mappings_table(settings: Settings | None = None) -> pandas.DataFrame:
    """Deprecated alias of `KnowledgeGraph.mappings`."""
    return _graph(settings).mappings()


__all__ = [
    "BuildReport",
    "Filters",
    "KgError",
    "KnowledgeGraph",
    "NamedQuery",
    "NotFound",
    "Overlap",
    "QueryResult",
    "SearchResults",
    "Settings",
    "build",
    "course_chart",
    "cover",
    "coverage_chart",
    "coverage_table",
    "documents",
    "export_documents",
    "export_sssom",
    "find",
    "has_build",
    "item_mappings",
    "mappings_table",
    "named_queries",
    "named_query",
    "open",
    "overlap",
    "overlap_heatmap",
    "overlap_matrix",
    "overlap_network",
    "overlap_quality",
    "run_query",
    "save_figure",
    "sparql",
]
