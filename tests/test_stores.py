"""Stores named by descriptor (oxigraph:PATH, rdflib:PATH, sparql:URL), and extension functions
passed only to a store that declares it can call them. No build needed: a fake store stands in."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg import knowledge_graph
from kg.errors import KgError
from kg.knowledge_graph import KnowledgeGraph
from kg.query.errors import QueryError
from kg.query.guard import names_in
from kg.search.similarity import SIMILARITY
from kg.settings import Settings
from kg.store import (
    EXTENSION_FUNCTIONS,
    STORES,
    QueryResult,
    open_store,
    parse_descriptor,
    store_descriptor,
)
from kg.store.base import Functions
from kg.store.layout import BUILDS_FOLDER, CURRENT_FILE, MANIFEST_FILE
from kg.store.oxigraph import OxigraphStore
from kg.store.rdflib_memory import RdflibStore
from test_cli import assert_clean_failure, kg

KGF = "https://w3id.org/icap-kg/function#"


def test_descriptor_of_a_build(tmp_path: Path) -> None:
    assert store_descriptor("oxigraph", tmp_path) == f"oxigraph:{tmp_path}"
    assert parse_descriptor(store_descriptor("rdflib", tmp_path)) == ("rdflib", str(tmp_path))
    assert parse_descriptor("sparql:https://example.org/sparql") == ("sparql", "https://example.org/sparql")
    assert parse_descriptor(r"oxigraph:C:\builds\x") == ("oxigraph", r"C:\builds\x")  # a drive's colon
    assert STORES == ("oxigraph", "rdflib")


def test_unknown_store_name() -> None:
    with pytest.raises(KgError, match=r"unknown store 'neo4j'; choose one of: oxigraph, rdflib$"):
        store_descriptor("neo4j", Path("x"))


@pytest.mark.parametrize("descriptor", ["neo4j:/data", "/data/build", "", "OXIGRAPH:/data"])
def test_unknown_scheme(descriptor: str) -> None:
    with pytest.raises(KgError) as caught:
        open_store(descriptor)
    message = str(caught.value)
    assert message.startswith(f"unknown store {descriptor!r}")
    assert "oxigraph:PATH, rdflib:PATH, sparql:URL" in message


@pytest.mark.parametrize(
    ("descriptor", "what"), [("oxigraph", "path"), ("rdflib:", "path"), ("sparql: ", "url")]
)
def test_descriptor_without_a_path(descriptor: str, what: str) -> None:
    with pytest.raises(KgError) as caught:
        open_store(descriptor)
    message = str(caught.value)
    assert message.startswith(f"the store {descriptor!r} names no {what}")
    assert "oxigraph:PATH, rdflib:PATH, sparql:URL" in message


def test_a_remote_sparql_store_calls_no_extension_functions() -> None:
    """sparql:URL opens without a request (tests/test_remote_endpoint.py asks a real server)."""
    store = open_store("sparql:https://example.org/sparql")
    assert store.descriptor == "sparql:https://example.org/sparql"
    assert EXTENSION_FUNCTIONS not in store.capabilities


def test_a_path_that_is_no_build(tmp_path: Path) -> None:
    with pytest.raises(KgError, match=f"names no finished build: .* has no {MANIFEST_FILE}"):
        open_store(f"oxigraph:{tmp_path}")


def test_local_stores_call_extension_functions() -> None:
    assert EXTENSION_FUNCTIONS in OxigraphStore.capabilities
    assert EXTENSION_FUNCTIONS in RdflibStore.capabilities


# --- run_query and a store's capabilities --------------------------------------------


class FakeStore:
    """A store that answers every query with `true` and remembers what it was given."""

    def __init__(self, capabilities: frozenset[str], descriptor: str = "") -> None:
        self.capabilities = capabilities
        self.descriptor = descriptor
        self.given: list[Functions | None] = []

    def query(
        self,
        sparql: str,
        graph: str = "all",
        functions: Functions | None = None,
        max_results: int | None = None,
    ) -> QueryResult:
        self.given.append(functions)
        return QueryResult(kind="ask", boolean=True)

    def close(self) -> None:
        pass


@pytest.fixture
def fake_build(tmp_path: Path) -> tuple[Settings, list[str]]:
    """Settings for a (nearly empty) live build, with open_store answering with a fake store."""
    (tmp_path / BUILDS_FOLDER / "b1").mkdir(parents=True)
    manifest = {"base_iri": "https://example.org/id/"}
    (tmp_path / BUILDS_FOLDER / "b1" / MANIFEST_FILE).write_text(json.dumps(manifest), encoding="utf-8")
    (tmp_path / CURRENT_FILE).write_text("b1\n", encoding="utf-8")
    opened: list[str] = []
    return Settings.load(build_dir=tmp_path), opened


def _use(monkeypatch: pytest.MonkeyPatch, store: FakeStore, opened: list[str]) -> None:
    def fake_open(descriptor: str) -> FakeStore:
        opened.append(descriptor)
        store.descriptor = descriptor
        return store

    monkeypatch.setattr(knowledge_graph, "open_store", fake_open)


SIMILAR = 'SELECT ?i WHERE { ?i kg:text ?t FILTER(kgf:similarity(?i, "客訴") > 0.5) }'


def test_functions_go_to_a_store_that_can_call_them(fake_build, monkeypatch: pytest.MonkeyPatch) -> None:
    settings, opened = fake_build
    store = FakeStore(frozenset({EXTENSION_FUNCTIONS}))
    _use(monkeypatch, store, opened)
    assert KnowledgeGraph(settings).run_query(SIMILAR).boolean is True
    assert opened == [f"oxigraph:{settings.build_dir / BUILDS_FOLDER / 'b1'}"]
    assert store.given[0] is not None and SIMILARITY in store.given[0]


def test_no_functions_for_a_store_without_the_capability(fake_build, monkeypatch: pytest.MonkeyPatch) -> None:
    settings, opened = fake_build
    store = FakeStore(frozenset())
    _use(monkeypatch, store, opened)
    assert KnowledgeGraph(settings.with_(store="rdflib")).run_query("ASK { ?s ?p ?o }").boolean is True
    assert opened[0].startswith("rdflib:")
    assert store.given == [None]


@pytest.mark.parametrize(
    "query",
    [
        SIMILAR,
        f'SELECT * WHERE {{ BIND(<{KGF}similarity>(<x:a>, "q") AS ?s) }}',
        f'PREFIX f: <{KGF}> SELECT * WHERE {{ BIND(f:similarity(<x:a>, "q") AS ?s) }}',
        'SELECT * WHERE { BIND(kgf:similarit\\u0079(<x:a>, "q") AS ?s) }',
    ],
)
def test_a_function_for_a_store_without_the_capability(
    fake_build, monkeypatch: pytest.MonkeyPatch, query: str
) -> None:
    settings, opened = fake_build
    store = FakeStore(frozenset())
    _use(monkeypatch, store, opened)
    with pytest.raises(QueryError) as caught:
        KnowledgeGraph(settings).run_query(query)
    assert str(caught.value).startswith("the query uses kgf:similarity, but the store oxigraph:")
    assert "cannot call extension functions" in str(caught.value)
    assert store.given == []


def test_names_in_a_namespace() -> None:
    assert names_in(SIMILAR, KGF) == [f"{KGF}similarity"]
    # In a string, an IRI of another namespace, a comment, or only declared: not used.
    quiet = f'PREFIX f: <{KGF}>\nSELECT * WHERE {{ ?s ?p "kgf:similarity" . ?s <x:kgf> ?o }} # kgf:similarity'
    assert names_in(quiet, KGF) == []


def test_a_query_rdflib_cannot_evaluate_is_a_clear_error_not_a_crash(built) -> None:
    """rdflib fails inside its evaluator on some valid queries (an empty VALUES block); the
    oxigraph store answers them."""
    query = "SELECT ?x WHERE { VALUES ?x { } ?x ?p ?o }"
    assert KnowledgeGraph(built).run_query(query).rows == []
    with pytest.raises(QueryError, match=r"the rdflib store could not evaluate this query \(AttributeError"):
        KnowledgeGraph(built.with_(store="rdflib")).run_query(query)
    result = kg("sparql", query, "--store", "rdflib", build_dir=built.build_dir)
    assert_clean_failure(result, "the rdflib store could not evaluate this query", "use the oxigraph store")
