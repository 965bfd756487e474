"""Running SPARQL against the live build, for the CLI and for notebooks."""

from __future__ import annotations

import re
from pathlib import Path

from kg.errors import KgError
from kg.query.errors import QueryError, UpdateRefused
from kg.settings import Settings
from kg.store import GRAPH_NAMES, QueryResult, open_store
from kg.store.layout import current_build

_UPDATE = re.compile(
    r"^\s*(?:(?:PREFIX\s+[\w-]*:\s*<[^>]*>|BASE\s+<[^>]*>)\s*)*(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b",
    re.I,
)
_COMMENT = re.compile(r"(?m)^\s*#.*$")


def read_query_file(path: str | Path) -> str:
    """A query from a .rq file, with a clear error when it cannot be read."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise KgError(f"{path}: no such query file") from None
    except UnicodeDecodeError:
        raise KgError(f"{path}: not a UTF-8 text file") from None
    except OSError as exc:
        raise KgError(f"{path}: cannot be read ({exc.strerror})") from None
    if not text.strip():
        raise KgError(f"{path}: the query file is empty")
    return text


def update_keyword(sparql: str) -> str | None:
    """The keyword (INSERT, DELETE, LOAD ...) when the text is a SPARQL update, else None."""
    match = _UPDATE.match(_COMMENT.sub("", sparql))
    return match.group(1).upper() if match else None


def run_query(
    sparql: str, settings: Settings | None = None, graph: str = "all", max_results: int | None = None
) -> QueryResult:
    """Run a read-only SPARQL query over the live build.

    `graph` picks the union of everything ("all", the default), or only the
    "asserted", "inferred", "ontology" or "mappings" triples. Common prefixes (kg:, kgf:, skos:,
    dcterms:, ceasn:, prov: ...) are predeclared, and `kgf:similarity(?item, "text")`
    scores items against a question (see `kg.search.similarity`). More than
    `max_results` rows or triples raise `ResultTooLarge` (None: no limit).
    """
    settings = settings or Settings.load()
    if not sparql.strip():
        raise QueryError("the query is empty")
    if graph not in GRAPH_NAMES:
        raise QueryError(f"unknown graph {graph!r}; choose one of: {', '.join(GRAPH_NAMES)}")
    keyword = update_keyword(sparql)
    if keyword:
        raise UpdateRefused(keyword)
    from kg.search.similarity import sparql_functions

    build_path = current_build(settings.build_dir)
    store = open_store(settings.store, build_path)
    try:
        return store.query(sparql, graph, sparql_functions(build_path, settings.embedder), max_results)
    finally:
        store.close()
