"""What keeps SPARQL safe on any input and load: no SERVICE, bounded size and nesting, checked
extension functions, time and row limits in `kg sparql` and kg.sparql, and a server that
answers "busy" at once instead of holding clients until a runaway query's time limit."""

from __future__ import annotations

import http.client
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient

import kg
from kg.api import run_query
from kg.errors import KgError
from kg.knowledge_graph import KnowledgeGraph
from kg.query.errors import NestingTooDeep, QueryError, QueryTooLong, ResultTooLarge, ServiceRefused
from kg.query.guard import MAX_NESTING, MAX_QUERY_CHARS, check_query, update_keyword
from kg.query.workers import QueryTimeout
from kg.server import create_app
from kg.settings import OPTIONS
from kg.store.lexer import tokens
from test_cli import assert_clean_failure
from test_cli import kg as kg_cli

HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
ITEM = "<https://w3id.org/icap-kg/id/BAS1499-003/T4.2>"


# --- a listener that must never be called ----------------------------------------------------------


class Listener:
    """A TCP server on loopback that records every connection made to it."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(8)
        self.socket.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}/sparql"
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self.socket.accept()
            except OSError:
                continue
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.socket.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


def federated(url: str) -> list[str]:
    """Queries that call `url` through SERVICE, in the spellings a parser accepts."""
    return [
        f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"select * where {{ service silent <{url}> {{ ?s ?p ?o }} }}",
        f"# SERVICE in a comment\nSELECT * WHERE {{ {{ OPTIONAL {{ Service <{url}> {{ ?s ?p ?o }} }} }} }}",
        f'SELECT * WHERE {{ BIND("}}" AS ?x) SERVICE <{url}> {{ ?s ?p ?o }} }}',
        f"SELECT * WHERE {{ SERVICESILENT<{url}> {{ ?s ?p ?o }} }}",  # no space: still SERVICE SILENT
        f"PREFIX : <{url}#> SELECT * WHERE {{ SERVICE:x {{ ?s ?p ?o }} }}",  # SERVICE then the IRI :x
        f"SELECT * WHERE {{ ?s ?p trueSERVICE <{url}> {{ ?a ?b ?c }} }}",  # true, then SERVICE
        f"SELECT * WHERE {{ ?s ?p 1SERVICE <{url}> {{ ?a ?b ?c }} }}",
        f"SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}",
    ]


# --- the lexer and the checks ------------------------------------------------------------------------


@pytest.mark.parametrize("sparql", federated("http://127.0.0.1:9/sparql"))
def test_service_is_refused_in_every_spelling(sparql):
    with pytest.raises(ServiceRefused, match=r"SERVICE is not allowed.* at line \d+, column \d+"):
        check_query(sparql)


@pytest.mark.parametrize(
    "sparql",
    [
        'SELECT ?s WHERE { ?s ?p "SERVICE <http://x> { }" }',
        "SELECT ?s WHERE { ?s ?p 'service silent' }",
        'SELECT ?s WHERE { ?s ?p """a " SERVICE <http://x> {} """ }',
        "SELECT ?s WHERE { ?s ?p '''it''s SERVICE''' }",
        'SELECT ?s WHERE { ?s ?p "escaped \\" SERVICE <http://x> {}" }',
        "SELECT ?s WHERE { ?s ?p <http://example.org/service/x> }",
        "PREFIX ex: <http://example.org/> SELECT ?s WHERE { ?s ex:service ?o ; ex:webService ?w }",
        "SELECT ?service WHERE { ?service ?p ?o }  # SERVICE <http://x> { }",
        'SELECT ?s WHERE { ?s ?p "x"@service }',
    ],
)
def test_the_word_service_elsewhere_is_no_service(sparql):
    check_query(sparql)


def test_the_lexer_tells_strings_iris_names_and_comments_from_code():
    text = 'SELECT ?x { ?x ex:a "}" , <http://x/a#b> , """a\n"b""" , \'it\\\'s\' } # {'
    assert [(t.kind, t.text) for t in tokens(text)] == [
        ("word", "SELECT"),
        ("var", "?x"),
        ("open", "{"),
        ("var", "?x"),
        ("pname", "ex:a"),
        ("string", '"}"'),
        ("other", ","),
        ("iri", "<http://x/a#b>"),
        ("other", ","),
        ("string", '"""a\n"b"""'),
        ("other", ","),
        ("string", "'it\\'s'"),
        ("close", "}"),
        ("comment", "# {"),
    ]
    # '{' cannot be in an IRI: there '<' is the less-than sign and the brace counts
    assert [t.kind for t in tokens("FILTER(?a <?b) { }")].count("open") == 2
    assert [t.text for t in tokens("?s ex:p ex:o. ?s")] == ["?s", "ex:p", "ex:o", ".", "?s"]


def test_nesting_deeper_than_the_limit_names_the_limit_and_the_place():
    deep = "SELECT * WHERE\n" + "{" * (MAX_NESTING + 1) + "}" * (MAX_NESTING + 1)
    with pytest.raises(
        NestingTooDeep, match=rf"more than {MAX_NESTING} levels .* at line 2, column {MAX_NESTING + 1}"
    ):
        check_query(deep)
    check_query("SELECT * WHERE " + "{" * MAX_NESTING + "}" * MAX_NESTING)
    check_query('SELECT * WHERE { ?s ?p "' + "{" * 500 + '" }')  # braces in a string do not count


def test_a_query_longer_than_the_limit_is_refused_before_reading_it():
    with pytest.raises(QueryTooLong, match=f"at most {MAX_QUERY_CHARS:,}"):
        check_query("ASK {}" + " " * MAX_QUERY_CHARS)


@pytest.mark.parametrize(
    ("sparql", "keyword"),
    [
        ("INSERT DATA { <a:b> <a:c> <a:d> }", "INSERT"),
        ("# a comment\nPREFIX x: <http://x/>\nBASE <http://y/>\n  delete where { ?s ?p ?o }", "DELETE"),
        ("LOAD <http://example.org/data>", "LOAD"),
        ("SELECT * WHERE { ?s ?p 'INSERT' }", None),
        ("# DROP ALL\nASK {}", None),
    ],
)
def test_updates_are_found_after_the_prologue_and_comments(sparql, keyword):
    assert update_keyword(sparql) == keyword


# --- SERVICE never leaves the machine -------------------------------------------------------------


def test_service_from_the_library_and_the_api_sends_nothing(built, listener):
    for sparql in federated(listener.url):
        with pytest.raises(ServiceRefused):
            run_query(sparql, built)
        with pytest.raises(ServiceRefused):
            kg.sparql(sparql, built)
        with pytest.raises(ServiceRefused):
            run_query(sparql, built.with_(store="rdflib"))
    time.sleep(0.3)
    assert listener.connections == 0


@pytest.mark.slow
def test_service_from_the_command_line_sends_nothing(built, listener):
    for sparql in federated(listener.url)[:3]:
        result = kg_cli("sparql", sparql, build_dir=built.build_dir)
        assert_clean_failure(result, "SERVICE is not allowed")
        assert len(result.stderr.strip().splitlines()) == 1
    time.sleep(0.3)
    assert listener.connections == 0


def test_service_at_the_endpoint_is_a_400_and_sends_nothing(client, listener):
    for sparql in federated(listener.url):
        response = client.get("/sparql", params={"query": sparql})
        assert response.status_code == 400 and "SERVICE is not allowed" in response.text, response.text
        posted = client.post(
            "/sparql", content=sparql.encode(), headers={"Content-Type": "application/sparql-query"}
        )
        assert posted.status_code == 400
    page = client.get("/query", params={"query": federated(listener.url)[0]})
    assert page.status_code == 400 and "SERVICE is not allowed" in page.text
    time.sleep(0.3)
    assert listener.connections == 0


# --- nesting that used to crash the process -----------------------------------------------------------

CRASHED = [  # each killed pyoxigraph with a segmentation fault (exit 139)
    "SELECT * WHERE " + "{" * 2400 + " ?s ?p ?o " + "}" * 2400,
    "SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }",
]
JUST_UNDER = [
    "SELECT * WHERE " + "{" * MAX_NESTING + " ?s a kg:Task " + "}" * MAX_NESTING + " LIMIT 1",
    "ASK { ?s a kg:Task FILTER(" + "(" * (MAX_NESTING - 2) + "1 = 1" + ")" * (MAX_NESTING - 2) + ") }",
]


@pytest.mark.slow
def test_deep_nesting_is_an_error_on_the_command_line_and_just_under_the_limit_runs(built):
    for sparql in CRASHED:
        result = kg_cli("sparql", sparql, build_dir=built.build_dir)
        assert_clean_failure(result, f"more than {MAX_NESTING} levels", "line 1, column")
    for sparql in JUST_UNDER:
        result = kg_cli("sparql", sparql, build_dir=built.build_dir)
        assert result.returncode == 0, result.stderr


def test_deep_nesting_is_a_400_at_the_endpoint_and_just_under_the_limit_runs(client):
    for sparql in CRASHED:
        response = client.post("/sparql", data={"query": sparql})
        assert response.status_code == 400 and f"more than {MAX_NESTING} levels" in response.text
    for sparql in JUST_UNDER:
        assert client.get("/sparql", params={"query": sparql}).status_code == 200


def test_just_under_the_nesting_limit_runs_and_the_rdflib_store_says_when_it_cannot(built):
    for sparql in JUST_UNDER:
        result = run_query(sparql, built)
        assert result.rows or result.boolean
        with pytest.raises(QueryError, match="too deeply for the rdflib store"):  # not a RecursionError
            run_query(sparql, built.with_(store="rdflib"))
    shallow = "SELECT * WHERE " + "{" * 20 + " ?s a kg:Task " + "}" * 20 + " LIMIT 1"
    assert run_query(shallow, built.with_(store="rdflib")).rows


# --- extension functions check their arguments ---------------------------------------------------

BAD_CALLS = [
    ("BIND(kgf:similarity() AS ?s)", "kgf:similarity takes 2 arguments, not 0"),
    (f"BIND(kgf:similarity({ITEM}) AS ?s)", "kgf:similarity takes 2 arguments, not 1"),
    (f'BIND(kgf:similarity({ITEM}, "客訴", "x") AS ?s)', "kgf:similarity takes 2 arguments, not 3"),
    (
        f"BIND(kgf:similarity({ITEM}, {ITEM}) AS ?s)",
        "the question (the second argument) must be a text literal",
    ),
    (f"BIND(kgf:similarity({ITEM}, 42) AS ?s)", None),  # a number is a literal: its text is the question
]


@pytest.mark.parametrize(("call", "message"), BAD_CALLS)
def test_similarity_arguments_are_checked_on_both_stores(built, call, message):
    sparql = f"SELECT ?s WHERE {{ {call} }}"
    # rdflib's parser reads `kgf:similarity()` as the IRI itself and never calls the function
    stores = ("oxigraph",) if "()" in call else ("oxigraph", "rdflib")
    for store in stores:
        if message is None:
            run_query(sparql, built.with_(store=store))
            continue
        with pytest.raises(KgError, match=message.replace("(", r"\(").replace(")", r"\)")):
            run_query(sparql, built.with_(store=store))


def test_similarity_arguments_at_the_endpoint_are_a_400(client):
    for call, message in BAD_CALLS:
        response = client.get("/sparql", params={"query": f"SELECT ?s WHERE {{ {call} }}"})
        if message is None:
            assert response.status_code == 200, response.text
        else:
            assert response.status_code == 400 and message in response.text, response.text
            assert "Traceback" not in response.text and "TypeError" not in response.text


@pytest.mark.slow
def test_similarity_arguments_on_the_command_line_are_one_line(built):
    for call, message in BAD_CALLS[:3]:
        result = kg_cli("sparql", f"SELECT ?s WHERE {{ {call} }}", build_dir=built.build_dir)
        assert_clean_failure(result, message)
        assert len(result.stderr.strip().splitlines()) == 1 and "TypeError" not in result.stderr


# --- time and row limits outside the server -----------------------------------------------------------


@pytest.mark.slow
def test_kg_sparql_stops_at_the_time_limit_and_the_row_limit(built):
    slow = kg_cli("sparql", HEAVY, "--query-timeout", "1", build_dir=built.build_dir)
    assert_clean_failure(slow, "ran longer than the time limit (1 s)", "--query-timeout")
    rows = kg_cli("sparql", "SELECT * WHERE { ?s ?p ?o }", "--max-results", "5", build_dir=built.build_dir)
    assert_clean_failure(rows, "more than 5 rows or triples", "--max-results")
    fits = kg_cli(
        "sparql", "SELECT * WHERE { ?s ?p ?o } LIMIT 5", "--max-results", "5", build_dir=built.build_dir
    )
    assert fits.returncode == 0 and "(5 rows)" in fits.stdout
    bad = kg_cli("sparql", "ASK {}", "--query-timeout", "0", build_dir=built.build_dir)
    assert_clean_failure(bad, "query_timeout must be at least 0.1")


def test_the_api_has_the_same_limits(built):
    with pytest.raises(QueryTimeout, match=r"time limit \(1 s\).*timeout="):
        kg.sparql(HEAVY, built, timeout=1)
    with pytest.raises(ResultTooLarge, match=r"more than 3 rows.*max_results="):
        kg.sparql("SELECT * WHERE { ?s ?p ?o }", built, max_results=3)
    assert len(kg.sparql("SELECT * WHERE { ?s ?p ?o } LIMIT 3", built, max_results=3)) == 3
    with pytest.raises(KgError, match="timeout must be"):
        kg.sparql("ASK {}", built, timeout=0)
    with pytest.raises(QueryError, match="syntax error"):  # the worker survives errors and goes on
        kg.sparql("SELECT ?x WHERE { ?x }", built)
    assert kg.sparql("ASK { ?s a kg:Task }", built)["boolean"].tolist() == [True]


def test_the_limits_help_says_where_they_apply():
    for name in ("query_timeout", "max_results"):
        assert "`kg sparql`" in OPTIONS[name].help and "kg.sparql" in OPTIONS[name].help


# --- the server under load --------------------------------------------------------------------------


@pytest.mark.slow
def test_with_every_worker_busy_a_quick_query_hears_busy_long_before_the_slow_ones_end(built):
    timeout = 8.0
    settings = built.with_(query_timeout=timeout, query_workers=1)
    with TestClient(create_app(settings)) as test_client, ThreadPoolExecutor(1) as pool:
        slow = pool.submit(test_client.get, "/sparql", params={"query": HEAVY})
        time.sleep(1)  # the slow query holds the only worker
        started = time.monotonic()
        quick = test_client.get("/sparql", params={"query": "ASK { ?s a kg:Task }"})
        waited = time.monotonic() - started
        assert quick.status_code == 503, quick.text
        assert "query workers are busy" in quick.text and "try again in" in quick.text
        assert 1 <= int(quick.headers["Retry-After"]) <= timeout
        assert waited < timeout / 2
        assert slow.result().status_code == 503  # the slow one reaches its time limit
        assert "ran longer than the time limit" in slow.result().text


# --- an unexpected error is a clean 500 that keeps the connection ----------------------------------------


def test_a_500_leaves_the_keep_alive_connection_usable(server_settings, monkeypatch):
    import uvicorn

    def broken(self, code):
        raise RuntimeError("secret detail")

    monkeypatch.setattr(KnowledgeGraph, "document", broken)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(create_app(server_settings), port=port, lifespan="off", log_level="critical")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/document/BAS1499-003", headers={"Accept": "text/plain"})
        first = connection.getresponse()
        body = first.read().decode()
        assert first.status == 500 and "something went wrong" in body and "secret" not in body
        assert "Traceback" not in body
        connection.request("GET", "/static/style.css")  # the same connection, still open
        second = connection.getresponse()
        second.read()
        assert second.status in (200, 404)
        connection.close()
    finally:
        server.should_exit = True
        thread.join(10)
