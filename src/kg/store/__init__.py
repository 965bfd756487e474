"""Persisted graph stores behind one interface; `open_store` is the one place that picks one.

A store is named by a descriptor, `scheme:where`:

- ``oxigraph:PATH`` (the default store): pyoxigraph's on-disk RocksDB store of the
  finished build in PATH, opened read-only, so a query starts in milliseconds
  whatever the graph's size.
- ``rdflib:PATH``: rdflib's in-memory Dataset, loaded from the build's N-Quads export;
  slower, kept for comparison (see benchmarks/) and for environments without pyoxigraph.
- ``sparql:URL``: a SPARQL 1.1 server's query endpoint holding a build published with
  `kg publish` (`kg.store.remote`); a URL without a path means Oxigraph's ``/query``. It
  needs the build's named graph IRIs (`graphs`, from the local build's manifest or the
  base IRI) and cannot call extension functions (kgf:similarity stays local).

`store_descriptor(settings.store, build_path)` makes the descriptor of a build from
the settings' store name.

Every store holds three named graphs: the ontology, the asserted triples and the
inferred triples (see `kg.graph.vocabulary.Iris.graph`). Queries see their union by
default, or one of them when asked. What else a store can do it declares in its
`capabilities` (`EXTENSION_FUNCTIONS`: it calls Python functions such as kgf:similarity).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from kg.errors import KgError
from kg.store.base import EXTENSION_FUNCTIONS, GRAPH_NAMES, GraphStore, QueryResult
from kg.store.layout import GRAPHS, MANIFEST_FILE

__all__ = [
    "EXTENSION_FUNCTIONS",
    "GRAPH_NAMES",
    "SCHEMES",
    "STORES",
    "GraphStore",
    "QueryResult",
    "open_store",
    "parse_descriptor",
    "store_descriptor",
]

# The stores that open a finished build (the choices of --store and KG_STORE).
STORES = ("oxigraph", "rdflib")
REMOTE = "sparql"
# Every scheme a descriptor may have, with what follows its colon.
SCHEMES = {"oxigraph": "PATH", "rdflib": "PATH", REMOTE: "URL"}


def _forms() -> str:
    return ", ".join(f"{scheme}:{where}" for scheme, where in SCHEMES.items())


def store_descriptor(store: str, build_path: Path) -> str:
    """The descriptor of one finished build in the store named `store` ("oxigraph:/path/to/build")."""
    if store not in STORES:
        raise KgError(f"unknown store {store!r}; choose one of: {', '.join(STORES)}")
    return f"{store}:{build_path}"


def parse_descriptor(descriptor: str) -> tuple[str, str]:
    """(scheme, path or URL) of a descriptor, or a KgError naming what was given and the choices."""
    scheme, colon, where = descriptor.partition(":")
    if scheme not in SCHEMES:
        raise KgError(f"unknown store {descriptor!r}; choose one of: {_forms()}")
    if not colon or not where.strip():
        raise KgError(
            f"the store {descriptor!r} names no {SCHEMES[scheme].lower()}: "
            f"write {scheme}:{SCHEMES[scheme]} (choices: {_forms()})"
        )
    return scheme, where


def open_store(
    descriptor: str, *, graphs: Mapping[str, str] | None = None, timeout: float = 20.0
) -> GraphStore:
    """Open the store a descriptor names, read-only: `oxigraph:PATH` or `rdflib:PATH` (a build's
    folder), or `sparql:URL` (a SPARQL server; `graphs`: the build's named graph IRIs by name,
    default those of the default base IRI; `timeout`: seconds to wait for the server)."""
    scheme, where = parse_descriptor(descriptor)
    if scheme == REMOTE:
        from kg.graph.vocabulary import Iris
        from kg.settings import check_http_url
        from kg.store.remote import RemoteStore

        url = check_http_url(where.strip(), "the SPARQL endpoint")
        return RemoteStore(url, graphs or {name: str(Iris().graph(name)) for name in GRAPHS}, timeout)
    build_path = Path(where)
    if not (build_path / MANIFEST_FILE).is_file():
        raise KgError(
            f"the store {descriptor!r} names no finished build: {build_path} has no {MANIFEST_FILE} "
            "(run `kg build`, or name a build's folder)"
        )
    if scheme == "oxigraph":
        from kg.store.oxigraph import OxigraphStore

        return OxigraphStore(build_path)
    if scheme == "rdflib":
        from kg.store.rdflib_memory import RdflibStore

        return RdflibStore(build_path)
    raise KgError(f"the store {descriptor!r} cannot be opened here")  # a scheme added to SCHEMES only
