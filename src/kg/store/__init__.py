"""Persisted graph stores behind one interface; `open_store` is the one place that picks one.

- ``oxigraph`` (default): pyoxigraph's on-disk RocksDB store, opened read-only, so a
  query starts in milliseconds whatever the graph's size.
- ``rdflib``: rdflib's in-memory Dataset, loaded from the build's N-Quads export;
  slower, kept for comparison (see benchmarks/) and for environments without pyoxigraph.

Every store holds three named graphs: the ontology, the asserted triples and the
inferred triples (see `kg.graph.vocabulary.Iris.graph`). Queries see their union by
default, or one of them when asked.
"""

from __future__ import annotations

from pathlib import Path

from kg.errors import KgError
from kg.store.base import GRAPH_NAMES, GraphStore, QueryResult

__all__ = ["GRAPH_NAMES", "STORES", "GraphStore", "QueryResult", "open_store"]

STORES = ("oxigraph", "rdflib")


def open_store(kind: str, build_path: Path) -> GraphStore:
    """Open the store of one finished build, read-only."""
    if kind == "oxigraph":
        from kg.store.oxigraph import OxigraphStore

        return OxigraphStore(build_path)
    if kind == "rdflib":
        from kg.store.rdflib_memory import RdflibStore

        return RdflibStore(build_path)
    raise KgError(f"unknown store {kind!r}; choose one of: {', '.join(STORES)}")
