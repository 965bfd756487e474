"""The public Python API: what the CLI, notebooks and scripts call.

    import kg
    settings = kg.Settings.load(build_dir="data/build")
    kg.build(["data/raw"], settings)
    kg.sparql("SELECT ?code WHERE { ?d a kg:CompetencyStandard ; skos:notation ?code }", settings)
    kg.find("客訴處理", settings).to_dataframe()
    kg.overlap("KMM5R0915v2", "BAS1499-003", settings).to_dataframe()
    kg.overlap_matrix(settings)          # share of each document's items matched in another
    kg.coverage_table(settings)          # which standard task covers most of each unit
    kg.item_mappings("KMM5R0915v2", "P4.2", settings)  # one item's counterparts elsewhere

Every function takes an optional `Settings` (defaults, then KG_* environment variables)
and raises `kg.KgError` with a clear message on bad input.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from kg.builder import BuildReport
from kg.builder import build as _build
from kg.errors import KgError
from kg.mapping.overlap import (
    Overlap,
    coverage_table,
    export_sssom,
    item_mappings,
    mappings_table,
    overlap,
    overlap_matrix,
)
from kg.query.named import NamedQuery, named_queries, named_query, resolve
from kg.query.sparql import run_query
from kg.search.engine import Filters
from kg.search.engine import search as _search
from kg.search.results import SearchResults
from kg.settings import Settings
from kg.store import QueryResult
from kg.store.layout import current_build, read_manifest

if TYPE_CHECKING:
    import pandas
    from matplotlib.figure import Figure


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
    settings = settings or Settings.load()
    import pandas

    rows = read_manifest(current_build(settings.build_dir))["documents"]
    return pandas.DataFrame(rows, columns=["code", "kind", "title", "source", "triples"])


def overlap_quality(
    pairs: str | Path = "eval/overlap_pairs.tsv", settings: Settings | None = None
) -> pandas.DataFrame:
    """Precision and recall of the overlap mapping on labelled pairs, per relation level:
    the matcher with the calibration in force, and cross-validated by document pair."""
    import pandas

    from kg.mapping.evaluate import evaluation_report, load_pairs
    from kg.mapping.overlap import load_material

    report = evaluation_report(load_material(settings), load_pairs(pairs))
    rows = [{"measured": key} | score for key in ("matcher", "cross_validated") for score in report[key]]
    return pandas.DataFrame(rows)


def overlap_heatmap(matrix: pandas.DataFrame, settings: Settings | None = None) -> Figure:
    """The overlap matrix as a heatmap, labelled with titles when a CJK font is installed."""
    from kg.mapping.plots import overlap_heatmap as heatmap

    return heatmap(matrix, _titles(settings))


def coverage_chart(coverage: pandas.DataFrame) -> Figure:
    """Unit coverage (from `coverage_table`) as bars; green where the unit is incorporated."""
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
    table = documents(settings)
    return dict(zip(table.code, table.title, strict=True))


def find(query: str, settings: Settings | None = None, **options: object) -> SearchResults:
    """Semantic search (what `kg search` does): documents with evidence, or items with by="item".

    Options: mode ("hybrid", "dense", "lexical"), by ("document", "item"), top, evidence,
    filters (`kg.Filters(item_kinds=("indicator",), document_kinds=("unit",), levels=(4,))`).
    `.to_dict()` gives the CLI's JSON, `.to_dataframe()` a table.
    """
    return _search(query, settings, **options)


def sparql(
    query: str,
    settings: Settings | None = None,
    graph: str = "all",
    timeout: float | None = None,
    max_results: int | None = None,
) -> pandas.DataFrame:
    """Run a read-only SPARQL query over the live build; SELECT rows as a DataFrame.

    A `name` of a shipped query (see `named_queries`) works too: `kg.sparql("shared-knowledge")`.
    Like `kg sparql`, the query runs in a worker process (started on the first call, about
    a second, then kept), stopped after `timeout` seconds; more than `max_results` rows are
    refused (defaults: the settings' query_timeout, 20 s, and max_results, 10,000). SERVICE
    is refused. `kg.run_query` runs a query in this process, without a time limit.
    """
    from kg.query.workers import API_HINTS, run_limited

    query = resolve(query)
    settings = (settings or Settings.load()).with_(query_timeout=timeout, max_results=max_results)
    return run_limited(query, settings, graph, hints=API_HINTS).to_dataframe()


__all__ = [
    "BuildReport",
    "Filters",
    "KgError",
    "NamedQuery",
    "Overlap",
    "QueryResult",
    "SearchResults",
    "Settings",
    "build",
    "coverage_chart",
    "coverage_table",
    "documents",
    "export_sssom",
    "find",
    "has_build",
    "item_mappings",
    "mappings_table",
    "named_queries",
    "named_query",
    "overlap",
    "overlap_heatmap",
    "overlap_matrix",
    "overlap_network",
    "overlap_quality",
    "run_query",
    "save_figure",
    "sparql",
]
