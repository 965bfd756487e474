"""pyoxigraph's persistent store, opened read-only from a build folder."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import BinaryIO, TypedDict

import pyoxigraph as ox

from kg.errors import KgError
from kg.graph.vocabulary import PREFIXES
from kg.store.base import EXTENSION_FUNCTIONS, Functions, GuardedCalls, QueryResult, SparqlFunction
from kg.store.errors import check_size, query_error
from kg.store.layout import STORE_FOLDER, graph_iris
from kg.store.terms import to_oxigraph, to_rdflib


def create_store(build_path: Path, files: Iterable[Path]) -> dict[str, int]:
    """Load a build's N-Quads `files` into a new store; returns each named graph's triple count.

    Blank nodes keep their labels (the ontology's are content-derived, see
    `kg.graph.blank_nodes`), so the store holds exactly the files' quads: oxigraph's
    bulk loader would rename them at random, so lines that may hold one are set aside
    and added through the parser, which keeps labels.
    """
    store = ox.Store(str(build_path / STORE_FOLDER))
    reader = _WithoutBlankNodes(list(files))
    # pyoxigraph reads any object with read(); its stubs accept only typing.IO, which a
    # RawIOBase subclass is not.
    store.bulk_load(input=reader, format=ox.RdfFormat.N_QUADS)  # type: ignore[arg-type]
    if reader.set_aside:
        store.bulk_extend(ox.parse(input=b"".join(reader.set_aside), format=ox.RdfFormat.N_QUADS))
    store.flush()
    store.optimize()
    counts = _graph_counts(store)
    del store
    return counts


class StoreMismatch(Exception):
    """The live store does not hold what its build's graph says: it cannot be updated."""


def update_store(
    previous: Path, build_path: Path, removed: list[bytes], added: list[bytes], counts: dict[str, int]
) -> dict[str, int]:
    """Make a build's store from a previous build's: a checkpoint of it (hard links to its
    immutable files, so cheap, on one file system), less the `removed` N-Quads lines, plus the
    `added` ones; returns each named graph's triple count.

    `counts` are the previous store's (by graph IRI, from its build's manifest). The new
    counts follow from them: every removed quad is checked to be in the store and every
    added one not to be, so the store is never counted whole (a scan of every quad: seconds
    per million); a quad that is not as expected raises StoreMismatch.
    The previous store is opened read-only (as readers open it), so it is never modified and
    readers may keep it open. Blank nodes keep their labels (the parser keeps them). A named
    graph left empty is dropped, as a full load would not have made it. The store is not
    compacted (`optimize` rewrites every file: seconds per million quads); RocksDB compacts
    what the updates wrote as it sees fit.
    """
    if len(set(added)) != len(added):
        raise StoreMismatch("a quad is added twice")
    source = ox.Store.read_only(str(previous / STORE_FOLDER))
    try:
        source.backup(str(build_path / STORE_FOLDER))
    finally:
        del source
    store = ox.Store(str(build_path / STORE_FOLDER))
    counts = dict(counts)
    for quad in ox.parse(input=b"".join(removed), format=ox.RdfFormat.N_QUADS):
        if quad not in store:
            raise StoreMismatch(f"the live store lacks a quad its graph lists ({quad})")
        store.remove(quad)
        graph = _graph_of(quad)
        counts[graph] = counts.get(graph, 0) - 1
    new = list(ox.parse(input=b"".join(added), format=ox.RdfFormat.N_QUADS))
    for quad in new:
        if quad in store:
            raise StoreMismatch(f"the live store holds a quad its graph does not list ({quad})")
        graph = _graph_of(quad)
        counts[graph] = counts.get(graph, 0) + 1
    # bulk_extend writes files of sorted keys: 3 times faster than extend's transaction
    store.bulk_extend(new)
    for graph, count in counts.items():
        if not count:
            store.remove_graph(ox.NamedNode(graph))
    store.flush()
    del store
    return {graph: count for graph, count in counts.items() if count}


def _graph_of(quad: ox.Quad) -> str:
    graph = quad.graph_name
    assert isinstance(graph, ox.NamedNode)  # the builds name every graph with an IRI
    return graph.value


def stored_counts(build_path: Path) -> dict[str, int]:
    """Triples in each named graph of a build's store, counted (a scan of every quad)."""
    store = ox.Store.read_only(str(build_path / STORE_FOLDER))
    try:
        return _graph_counts(store)
    finally:
        del store


def _graph_counts(store: ox.Store) -> dict[str, int]:
    """Triples in each named graph of a store, by the graph's IRI."""
    counts = {}
    for graph in store.named_graphs():
        assert isinstance(graph, ox.NamedNode)  # the builds name every graph with an IRI
        query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph.value}> {{ ?s ?p ?o }} }}"
        solutions = store.query(query)
        assert isinstance(solutions, ox.QuerySolutions)  # a SELECT query
        counts[graph.value] = int(next(iter(solutions))["n"].value)
    return counts


class _WithoutBlankNodes(io.RawIOBase):
    """Reads N-Quads files one after another, keeping back (in `set_aside`) every line that may
    hold a blank node."""

    CHUNK = 2**20

    def __init__(self, files: list[Path]) -> None:
        self.files = files[::-1]  # still to read, the next last
        self.source: BinaryIO | None = None
        self.pending = b""  # the start of a line cut by the chunk boundary
        self.ready = memoryview(b"")
        self.set_aside: list[bytes] = []

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        while not self.ready and (self.source is not None or self.files):
            if self.source is None:
                self.source = open(self.files.pop(), "rb")  # noqa: SIM115 (closed at its end)
            chunk = self.source.read(self.CHUNK)
            if chunk:
                data = self.pending + chunk
                cut = data.rfind(b"\n") + 1
                self.pending = data[cut:]
                self.ready = memoryview(self._filter(data[:cut]))
            else:
                self.source.close()
                self.ready = memoryview(self._filter(self.pending + b"\n" if self.pending else b""))
                self.pending, self.source = b"", None
        size = min(len(buffer), len(self.ready))
        buffer[:size] = self.ready[:size]
        self.ready = self.ready[size:]
        return size

    def _filter(self, lines: bytes) -> bytes:
        if b"_:" not in lines:  # nearly always: only the ontology's lines hold blank nodes
            return lines
        kept: list[bytes] = []
        for line in lines.splitlines(keepends=True):
            (self.set_aside if b"_:" in line else kept).append(line)
        return b"".join(kept)


class _GraphArgs(TypedDict, total=False):
    """The keyword arguments of `ox.Store.query` that choose the graph a query reads."""

    use_default_graph_as_union: bool
    default_graph: ox.NamedNode


class OxigraphStore:
    """Read-only access to a finished build's RocksDB store."""

    capabilities = frozenset({EXTENSION_FUNCTIONS})

    def __init__(self, build_path: Path) -> None:
        self.descriptor = f"oxigraph:{build_path}"
        self.graphs = graph_iris(build_path)
        try:
            self.store = ox.Store.read_only(str(build_path / STORE_FOLDER))
        except OSError as exc:
            raise KgError(f"cannot open the graph store in {build_path}: {exc}") from None

    def _graph_args(self, graph: str) -> _GraphArgs:
        if graph == "all":
            return {"use_default_graph_as_union": True}
        return {"default_graph": ox.NamedNode(self.graphs[graph])}

    def query(
        self,
        sparql: str,
        graph: str = "all",
        functions: Functions | None = None,
        max_results: int | None = None,
    ) -> QueryResult:
        guard = GuardedCalls()
        custom: dict[ox.NamedNode, _OxigraphFunction] = {
            ox.NamedNode(iri): _to_oxigraph_function(guard.wrap(function, iri))
            for iri, function in (functions or {}).items()
        }
        try:
            result = self.store.query(
                sparql, prefixes=PREFIXES, custom_functions=custom, **self._graph_args(graph)
            )
            answer = collect(result, max_results)
        except SyntaxError as exc:
            raise query_error(sparql, str(exc)) from None
        except OSError as exc:
            raise KgError(f"the query failed: {exc}") from None
        guard.raise_if_failed()
        return answer

    def dump(self, graph: str, output: BinaryIO) -> None:
        """Write one named graph ("asserted" ...) as N-Triples to a binary file (for `kg publish`).

        Blank nodes keep their labels."""
        self.store.dump(output, format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(self.graphs[graph]))

    def close(self) -> None:
        del self.store


def collect(
    result: ox.QuerySolutions | ox.QueryBoolean | Iterable[ox.Triple | ox.Quad],
    max_results: int | None = None,
) -> QueryResult:
    """An answer (a store's, or one parsed from a SPARQL server's response) as rdflib terms;
    stops reading (lazy results) once past `max_results`."""
    if isinstance(result, ox.QueryBoolean):
        return QueryResult(kind="ask", boolean=bool(result))
    if isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]
        rows = []
        for solution in result:
            rows.append({name: to_rdflib(solution[name]) for name in variables if solution[name] is not None})
            check_size(len(rows), max_results)
        return QueryResult(kind="select", variables=variables, rows=rows)
    triples = []
    for t in result:
        triples.append((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
        check_size(len(triples), max_results)
    return QueryResult(kind="graph", triples=triples)


# A custom function as `ox.Store.query` takes it: pyoxigraph terms in and out (None: unbound).
_OxigraphFunction = Callable[..., ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None]


def _to_oxigraph_function(function: SparqlFunction) -> _OxigraphFunction:
    def call(*args: object) -> ox.NamedNode | ox.BlankNode | ox.Literal | None:
        value = function(*(to_rdflib(a) for a in args))
        return None if value is None else to_oxigraph(value)

    return call
