"""The public Python API: what the CLI, notebooks and scripts call.

    import kg
    settings = kg.Settings.load(build_dir="data/build")
    kg.build(["data/raw"], settings)
    kg.sparql("SELECT ?code WHERE { ?d a kg:CompetencyStandard ; skos:notation ?code }", settings)
    kg.find("客訴處理", settings).to_dataframe()
    kg.overlap("KMM5R0915v2", "BAS1499-003", settings).to_dataframe()
    kg.overlap_matrix(settings)          # share of each document's items matched in another
    kg.coverage_table(settings)          # which standard task covers most of each unit

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
    mappings_table,
    overlap,
    overlap_matrix,
)
from kg.query.named import NamedQuery, named_queries, named_query
from kg.query.sparql import run_query
from kg.search.engine import Filters
from kg.search.engine import search as _search
from kg.search.results import SearchResults
from kg.settings import Settings
from kg.store import QueryResult
from kg.store.layout import current_build

if TYPE_CHECKING:
    import pandas


def build(paths: Iterable[str | Path] | None = None, settings: Settings | None = None) -> BuildReport:
    """Parse, convert, reason over, validate, store and index documents (default: data/raw)."""
    return _build(paths, settings)


def has_build(settings: Settings | None = None) -> bool:
    """Whether the build folder holds a finished build (notebooks build one when not)."""
    settings = settings or Settings.load()
    try:
        current_build(settings.build_dir)
    except KgError:
        return False
    return True


def find(query: str, settings: Settings | None = None, **options: object) -> SearchResults:
    """Semantic search (what `kg search` does): documents with evidence, or items with by="item".

    Options: mode ("hybrid", "dense", "lexical"), by ("document", "item"), top, evidence,
    filters (`kg.Filters(item_kinds=("indicator",), document_kinds=("unit",), levels=(4,))`).
    `.to_dict()` gives the CLI's JSON, `.to_dataframe()` a table.
    """
    return _search(query, settings, **options)


def sparql(query: str, settings: Settings | None = None, graph: str = "all") -> pandas.DataFrame:
    """Run a read-only SPARQL query over the live build; SELECT rows as a DataFrame.

    A `name` of a shipped query (see `named_queries`) works too: `kg.sparql("shared-knowledge")`.
    """
    if query in named_queries():
        query = named_query(query).text
    return run_query(query, settings, graph).to_dataframe()


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
    "coverage_table",
    "export_sssom",
    "find",
    "has_build",
    "mappings_table",
    "named_queries",
    "named_query",
    "overlap",
    "overlap_matrix",
    "run_query",
    "sparql",
]
