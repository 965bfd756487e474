"""A build published to a real Oxigraph server on loopback, and queried there (issue 17, last part).

The `oxigraph` package of the test extra ships the server binary; the tests start it on a
free loopback port in a temporary folder, publish the session's build of the seeds with
`kg publish`, and ask it through `sparql:URL` (`kg sparql --endpoint`, `kg serve
--sparql-endpoint`, the Python API): the same rows as the local store, the graphs chosen
as locally, kgf:similarity refused by name, and every failure one line.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import ROOT, free_port, wait_for
from kg.errors import KgError
from kg.graph.vocabulary import KGF
from kg.knowledge_graph import KnowledgeGraph
from kg.query.errors import QueryError, RemoteError, ResultTooLarge
from kg.query.guard import names_in
from kg.query.named import named_queries
from kg.settings import Settings
from kg.store import EXTENSION_FUNCTIONS, GRAPH_NAMES, open_store
from kg.store.base import function_name
from kg.store.http import at_path
from kg.store.layout import current_build, graph_iris, read_manifest
from kg.store.publish import graph_store_url, graph_url, publish
from kg.store.remote import RemoteStore

pytestmark = pytest.mark.slow


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


def oxigraph_binary() -> str:
    found = Path(sys.executable).parent / "oxigraph"
    if found.is_file():
        return str(found)
    on_path = shutil.which("oxigraph")
    if on_path is None:
        pytest.fail("the oxigraph server binary is missing: install the test extra (pip install 'kg[test]')")
    return on_path


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Oxigraph server (read-write, empty) on a free loopback port; yields its root URL."""
    folder = tmp_path_factory.mktemp("oxigraph")
    url = f"http://127.0.0.1:{free_port()}"
    log = folder / "server.log"
    command = [
        oxigraph_binary(),
        "serve",
        "--location",
        str(folder / "data"),
        "--bind",
        url[len("http://") :],
    ]
    with open(log, "w") as output:
        server = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    try:
        wait_for(f"{url}/query?query=ASK%7B%7D", server, log)
        yield url
    finally:
        stop(server)


def kg(*args: str, build_dir: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    for name in ("KG_BUILD_DIR", "KG_SPARQL_ENDPOINT", "KG_BASE_IRI"):
        env.pop(name, None)
    if build_dir is not None:
        env["KG_BUILD_DIR"] = str(build_dir)
    return subprocess.run(
        [sys.executable, "-m", "kg", *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=180
    )


def assert_one_line_failure(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, result.stderr
    for needle in needles:
        assert needle in errors[0], errors[0]


@pytest.fixture(scope="module")
def published(oxigraph: str, built: Settings) -> subprocess.CompletedProcess[str]:
    """`kg publish --to ROOT_URL` of the session's build (a root URL means Oxigraph's /store)."""
    result = kg("publish", "--to", oxigraph, build_dir=built.build_dir)
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def local(built: Settings) -> KnowledgeGraph:
    return KnowledgeGraph(built)


@pytest.fixture(scope="module")
def remote(built: Settings, oxigraph: str, published: subprocess.CompletedProcess[str]) -> KnowledgeGraph:
    """The session's build opened with its SPARQL queries going to the Oxigraph server."""
    return KnowledgeGraph(built.with_(sparql_endpoint=f"{oxigraph}/query"))


# --- kg publish -------------------------------------------------------------------------


def test_publish_reports_each_graph_s_triples(published, built: Settings, oxigraph: str) -> None:
    manifest = read_manifest(current_build(built.build_dir))
    lines = published.stdout.splitlines()
    for name, iri in manifest["graphs"].items():
        assert f"{name}: {manifest['triples'][name]:,} triples -> <{iri}>" in lines
    total = sum(manifest["triples"].values())
    assert lines[-1] == f"published {total:,} triples in 4 graphs to {oxigraph}/store"


def test_the_server_holds_each_graph_as_built(remote: KnowledgeGraph, built: Settings) -> None:
    manifest = read_manifest(current_build(built.build_dir))
    counted = remote.run_query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    held = {str(row["g"]): int(row["n"]) for row in counted.rows}
    assert held == {manifest["graphs"][name]: n for name, n in manifest["triples"].items()}


def test_publishing_twice_replaces_the_graphs(remote: KnowledgeGraph, oxigraph: str, built: Settings) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    before = {name: remote.run_query(count, graph=name).rows[0]["n"].toPython() for name in GRAPH_NAMES}
    again = kg("publish", "--to", f"{oxigraph}/store", build_dir=built.build_dir)
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines()[-1].startswith("published ")
    after = {name: remote.run_query(count, graph=name).rows[0]["n"].toPython() for name in GRAPH_NAMES}
    assert after == before
    assert before["asserted"] > 0


def test_publish_in_bulk_leaves_the_same_graphs(remote: KnowledgeGraph, oxigraph: str, built: Settings):
    count = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
    before = remote.run_query(count).rows
    bulk = kg("publish", "--to", oxigraph, "--bulk", build_dir=built.build_dir)
    assert bulk.returncode == 0, bulk.stderr
    assert remote.run_query(count).rows == before


def test_publish_from_python_returns_the_triples_per_graph(oxigraph: str, built: Settings) -> None:
    build_path = current_build(built.build_dir)
    steps: list[tuple[str, int, int]] = []
    sent = publish(build_path, f"{oxigraph}/store", 60, lambda *step: steps.append(step))
    assert sent == read_manifest(build_path)["triples"]
    assert steps == [("publishing", n, 4) for n in range(4)]


@pytest.mark.parametrize(
    ("to", "needles"),
    [
        ("/nothing", ("the graph store at", "/nothing (graph <", "HTTP 404")),
        ("/query", ("HTTP 404", "PUT /query is not supported")),  # a query endpoint is no graph store
    ],
)
def test_publish_to_a_wrong_url_is_one_line(oxigraph: str, built: Settings, to: str, needles) -> None:
    assert_one_line_failure(kg("publish", "--to", oxigraph + to, build_dir=built.build_dir), *needles)


def test_publish_to_nothing_listening_is_one_line(built: Settings) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    result = kg("publish", "--to", url, build_dir=built.build_dir)
    assert_one_line_failure(result, f"cannot reach the graph store at {url}/store", "connection refused")


@pytest.mark.parametrize("to", ["localhost:7878/store", "ftp://example.org/store", "http://"])
def test_publish_to_what_is_no_http_url(built: Settings, to: str) -> None:
    result = kg("publish", "--to", to, build_dir=built.build_dir)
    assert_one_line_failure(result, f"the graph store URL (--to) {to!r} is not an http:// or https:// URL")


def test_credentials_in_a_url_are_refused(built: Settings) -> None:
    result = kg("publish", "--to", "http://me:secret@127.0.0.1:7878/store", build_dir=built.build_dir)
    assert_one_line_failure(result, "holds credentials (user@): kg sends none")
    with pytest.raises(KgError, match="holds credentials"):
        Settings.load(sparql_endpoint="https://me@example.org/sparql")


def test_publish_without_a_build(oxigraph: str, tmp_path: Path) -> None:
    result = kg("publish", "--to", oxigraph, build_dir=tmp_path / "none")
    assert_one_line_failure(result, "no build found")


def test_a_read_only_replica_loaded_from_the_export(built: Settings, tmp_path: Path) -> None:
    """The deployment the README describes: replicas loaded from the graph's parts, served read-only."""
    from kg.store.parts import GraphParts

    files = [str(path) for path in GraphParts(current_build(built.build_dir)).files()]
    loaded = subprocess.run(
        [oxigraph_binary(), "load", "--location", str(tmp_path / "replica"), "--file", *files],
        capture_output=True,
        timeout=120,
    )
    assert loaded.returncode == 0, loaded.stderr
    url = f"http://127.0.0.1:{free_port()}"
    log = tmp_path / "replica.log"
    command = [oxigraph_binary(), "serve-read-only", "--location", str(tmp_path / "replica")]
    with open(log, "w") as output:
        server = subprocess.Popen(
            [*command, "--bind", url.removeprefix("http://")], stdout=output, stderr=subprocess.STDOUT
        )
    try:
        wait_for(f"{url}/query?query=ASK%7B%7D", server, log)
        local = kg("sparql", "indicators-per-task", "--format", "csv", build_dir=built.build_dir)
        there = kg(
            "sparql", "indicators-per-task", "--format", "csv", "--endpoint", url, build_dir=built.build_dir
        )
        assert there.returncode == 0, there.stderr
        assert there.stdout == local.stdout and len(there.stdout.splitlines()) == 9  # a header, 8 tasks
        refused = kg("publish", "--to", url, build_dir=built.build_dir)
        assert_one_line_failure(refused, f"the graph store at {url}/store (graph <", "HTTP 403")
    finally:
        stop(server)


# --- the same answers through the endpoint ----------------------------------------------

PLAIN = [name for name, named in named_queries().items() if "kgf:" not in named.text]
WITH_FUNCTIONS = [name for name, named in named_queries().items() if "kgf:" in named.text]


def test_most_named_queries_need_no_extension_function() -> None:
    assert len(PLAIN) >= 10 and WITH_FUNCTIONS  # what the next two tests cover


@pytest.mark.parametrize("name", PLAIN)
def test_a_named_query_answers_as_locally(local: KnowledgeGraph, remote: KnowledgeGraph, name: str) -> None:
    text = named_queries()[name].text
    here, there = local.run_query(text), remote.run_query(text)
    assert there.kind == here.kind
    assert there.variables == here.variables
    assert there.rows == here.rows
    assert there.boolean == here.boolean


@pytest.mark.parametrize("name", WITH_FUNCTIONS)
def test_kgf_functions_are_refused_by_name(remote: KnowledgeGraph, name: str) -> None:
    text = named_queries()[name].text
    used = ", ".join(function_name(iri) for iri in names_in(text, str(KGF)))  # kgf:nearest, kgf:similarity
    assert used.startswith("kgf:")
    with pytest.raises(QueryError, match=rf"uses {used}, but the store sparql:http://.*/query cannot"):
        remote.run_query(named_queries()[name].text)


@pytest.mark.parametrize("graph", GRAPH_NAMES)
def test_each_graph_is_chosen_as_locally(local: KnowledgeGraph, remote: KnowledgeGraph, graph: str) -> None:
    for sparql in (
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
        "SELECT ?type (COUNT(?s) AS ?n) WHERE { ?s a ?type } GROUP BY ?type ORDER BY ?type",
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
    ):
        assert remote.run_query(sparql, graph=graph).rows == local.run_query(sparql, graph=graph).rows


def test_graphs_differ_on_the_server(remote: KnowledgeGraph) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    counts = {name: remote.run_query(count, graph=name).rows[0]["n"].toPython() for name in GRAPH_NAMES}
    assert len(set(counts.values())) == len(GRAPH_NAMES)
    assert counts["all"] >= max(counts[name] for name in GRAPH_NAMES if name != "all")


def test_ask_construct_and_describe_answer_as_locally(local: KnowledgeGraph, remote: KnowledgeGraph) -> None:
    ask = "ASK { ?d kg:code 'BAS1499-003' }"
    assert remote.run_query(ask).boolean is True
    assert remote.run_query("ASK { ?d kg:code 'NO-SUCH-CODE' }").boolean is False
    construct = "CONSTRUCT { ?d kg:code ?c } WHERE { ?d kg:code ?c }"
    there = remote.run_query(construct)
    assert there.kind == "graph" and len(there.triples) >= 5
    assert set(there.triples) == set(local.run_query(construct).triples)
    iri = remote.graphs["asserted"].rsplit("graph/", 1)[0] + "BAS1499-003"
    describe = f"DESCRIBE <{iri}>"
    assert set(remote.run_query(describe).triples) == set(local.run_query(describe).triples)


def test_max_results_is_honoured(remote: KnowledgeGraph) -> None:
    query = "SELECT ?s WHERE { ?s ?p ?o }"
    with pytest.raises(ResultTooLarge, match="more than 10 rows"):
        remote.run_query(query, max_results=10)
    assert len(remote.run_query(query + " LIMIT 10", max_results=10).rows) == 10
    with pytest.raises(ResultTooLarge):
        remote.run_query("CONSTRUCT WHERE { ?s ?p ?o }", max_results=10)


def test_a_syntax_error_points_into_the_query_as_locally(
    local: KnowledgeGraph, remote: KnowledgeGraph
) -> None:
    bad = "SELECT ?s\nWHERE { ?s ?p }"
    with pytest.raises(QueryError) as here:
        local.run_query(bad)
    with pytest.raises(QueryError) as there:
        remote.run_query(bad)
    assert str(there.value).startswith("SPARQL syntax error at line 2, column ")
    assert str(there.value).splitlines()[0] == str(here.value).splitlines()[0]


def test_without_a_local_build_the_base_iri_names_the_graphs(
    oxigraph: str, published, tmp_path: Path
) -> None:
    settings = Settings.load(build_dir=tmp_path / "none", sparql_endpoint=oxigraph)
    assert KnowledgeGraph(settings).run_query("ASK { ?d kg:code 'BAS1499-003' }").boolean is True
    other = settings.with_(base_iri="https://example.org/elsewhere/")
    with pytest.raises(
        RemoteError, match=r"holds nothing in the build's asserted graph <https://example.org/"
    ):
        KnowledgeGraph(other).run_query("ASK { ?s ?p ?o }")


# --- kg sparql --endpoint ---------------------------------------------------------------


def test_kg_sparql_endpoint_prints_the_local_answer(oxigraph: str, published, built: Settings) -> None:
    here = kg("sparql", "documents-with-counts", "--format", "csv", build_dir=built.build_dir)
    there = kg(
        "sparql",
        "documents-with-counts",
        "--format",
        "csv",
        "--endpoint",
        oxigraph,
        build_dir=built.build_dir,
    )
    assert there.returncode == 0, there.stderr
    assert there.stdout == here.stdout
    assert len(there.stdout.splitlines()) == 6  # a header and the five seeds


def test_kg_sparql_endpoint_refuses_similarity(oxigraph: str, published, built: Settings) -> None:
    result = kg("sparql", WITH_FUNCTIONS[0], "--endpoint", oxigraph, build_dir=built.build_dir)
    assert_one_line_failure(result, "kgf:similarity", "cannot call extension functions")


@pytest.mark.parametrize(
    ("path", "needles"),
    [
        ("/nothing", ("the SPARQL server at", "/nothing answered HTTP 404 Not Found", "POST /nothing")),
        ("/store", ("/store answered HTTP 415",)),  # the graph store is no query endpoint
    ],
)
def test_kg_sparql_endpoint_at_a_wrong_url(
    oxigraph: str, published, tmp_path: Path, path: str, needles
) -> None:
    result = kg("sparql", "ASK { ?s ?p ?o }", "--endpoint", oxigraph + path, build_dir=tmp_path)
    assert_one_line_failure(result, *needles)


def test_kg_sparql_endpoint_with_nothing_listening(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    result = kg("sparql", "ASK { ?s ?p ?o }", "--endpoint", url, build_dir=tmp_path)
    assert_one_line_failure(result, f"cannot reach the SPARQL server at {url}/query: connection refused")


def test_the_endpoint_setting_is_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = kg("sparql", "ASK {}", "--endpoint", "localhost:7878", build_dir=tmp_path)
    assert_one_line_failure(result, "the SPARQL endpoint 'localhost:7878' is not an http:// or https:// URL")
    monkeypatch.setenv("KG_SPARQL_ENDPOINT", " http://127.0.0.1:9/query ")
    assert Settings.load().sparql_endpoint == "http://127.0.0.1:9/query"
    with pytest.raises(KgError, match="is not an http"):
        Settings.load().with_(sparql_endpoint="file:///etc/passwd")


# --- answers that are not SPARQL, and servers that do not answer ------------------------


class _Odd(BaseHTTPRequestHandler):
    """Answers 200 with a web page (/page), unreadable JSON results (/broken), or late (/slow)."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path == "/slow":
            time.sleep(3)
        kind, body = {
            "/page": ("text/html", b"<html><body>Welcome</body></html>"),
            "/broken": ("application/sparql-results+json", b'{"head": {"vars": ["x"]}, "results": {"bin'),
        }.get(self.path, ("text/plain", b"late"))
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def odd_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Odd)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


GRAPHS = {"asserted": "https://example.org/graph/asserted"}


def test_a_web_page_is_no_sparql_answer(odd_server: str) -> None:
    store = RemoteStore(f"{odd_server}/page", GRAPHS, timeout=5)
    with pytest.raises(RemoteError, match=r"did not answer with SPARQL results but with text/html"):
        store.query("ASK {}")


def test_unreadable_results_are_named(odd_server: str) -> None:
    store = RemoteStore(f"{odd_server}/broken", GRAPHS, timeout=5)
    with pytest.raises(RemoteError, match=r"sent an answer in application/sparql-results\+json that cannot"):
        store.query("SELECT ?x {}")


def test_a_server_that_does_not_answer_in_time(odd_server: str) -> None:
    store = RemoteStore(f"{odd_server}/slow", GRAPHS, timeout=0.5)
    with pytest.raises(RemoteError, match=r"at http://127\.0\.0\.1:\d+/slow did not answer within 0.5 s"):
        store.query("ASK {}")


# --- kg serve --sparql-endpoint ----------------------------------------------------------


@pytest.fixture(scope="module")
def served(oxigraph: str, published, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `kg serve` on loopback with no local build, asking the Oxigraph server."""
    folder = tmp_path_factory.mktemp("served-remote")
    url = f"http://127.0.0.1:{free_port()}"
    log = folder / "serve.log"
    command = [
        *(sys.executable, "-m", "kg", "serve", "--build-dir", str(folder / "none")),
        *("--port", url.rsplit(":", 1)[1], "--sparql-endpoint", oxigraph, "--query-workers", "1"),
    ]
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    with open(log, "w") as output:
        server = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
    try:
        wait_for(f"{url}/sparql?query=ASK%7B%7D", server, log, seconds=90)
        yield url
    finally:
        stop(server)


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            return answer.status, answer.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.read().decode("utf-8")


def test_serve_answers_sparql_from_the_server(served: str, local: KnowledgeGraph) -> None:
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
    status, body = get(f"{served}/sparql?" + urllib.parse.urlencode({"query": query, "format": "json"}))
    assert status == 200, body
    rows = [(b["g"]["value"], int(b["n"]["value"])) for b in json.loads(body)["results"]["bindings"]]
    assert rows == [(str(r["g"]), int(r["n"])) for r in local.run_query(query).rows]


def test_serve_chooses_a_graph_by_default_graph_uri(served: str, built: Settings) -> None:
    iris = graph_iris(current_build(built.build_dir))
    query = urllib.parse.urlencode(
        {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "default-graph-uri": iris["ontology"]}
    )
    status, body = get(f"{served}/sparql?{query}&format=json")
    assert status == 200, body
    manifest = read_manifest(current_build(built.build_dir))
    assert int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) == manifest["triples"]["ontology"]


def test_serve_refuses_similarity_and_needs_the_build_for_search(served: str) -> None:
    similar = 'SELECT ?i WHERE { ?i kg:text ?t FILTER(kgf:similarity(?i, "客訴") > 0.5) }'
    status, body = get(f"{served}/sparql?" + urllib.parse.urlencode({"query": similar}))
    assert status == 400 and "kgf:similarity" in body and "cannot call extension functions" in body
    status, body = get(f"{served}/api/search?q=" + urllib.parse.quote("客訴"))
    assert status == 400 and "no build found" in body


def test_a_failing_server_behind_is_a_502(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from kg.server import create_app

    settings = Settings.load(
        build_dir=tmp_path, sparql_endpoint=f"http://127.0.0.1:{free_port()}", query_workers=1
    )
    with TestClient(create_app(settings)) as client:
        answer = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
    assert answer.status_code == 502
    assert answer.text.startswith("error: cannot reach the SPARQL server at http://127.0.0.1:")
    assert answer.text.count("\n") == 1


# --- the pieces -------------------------------------------------------------------------


def test_open_store_gives_a_remote_store_without_extension_functions() -> None:
    store = open_store("sparql:http://127.0.0.1:7878", graphs=GRAPHS, timeout=3)
    assert isinstance(store, RemoteStore)
    assert EXTENSION_FUNCTIONS not in store.capabilities
    assert store.descriptor == "sparql:http://127.0.0.1:7878/query"
    with pytest.raises(KgError, match="the SPARQL endpoint 'ftp://x' is not an http"):
        open_store("sparql:ftp://x")


@pytest.mark.parametrize(
    ("url", "query", "store"),
    [
        ("http://h:7878", "http://h:7878/query", "http://h:7878/store"),
        ("http://h:7878/", "http://h:7878/", "http://h:7878/"),  # a root "/" is kept (QLever's)
        ("http://h:3030/ds/sparql", "http://h:3030/ds/sparql", "http://h:3030/ds/sparql"),
        ("https://h/repositories/r", "https://h/repositories/r", "https://h/repositories/r"),
    ],
)
def test_a_server_s_root_means_oxigraph_s_paths(url: str, query: str, store: str) -> None:
    assert at_path(url, "/query") == query
    assert graph_store_url(url) == store


def test_a_graph_is_named_by_its_iri_in_the_query_string() -> None:
    iri = "https://w3id.org/icap-kg/id/graph/asserted"
    expected = "graph=https%3A%2F%2Fw3id.org%2Ficap-kg%2Fid%2Fgraph%2Fasserted"
    assert graph_url("http://h:7878/store", iri) == f"http://h:7878/store?{expected}"
    assert graph_url("http://h/rdf-graphs/service?x=1", iri) == f"http://h/rdf-graphs/service?x=1&{expected}"
    assert (
        graph_url("http://h:7878/store", iri, bulk=True) == f"http://h:7878/store?{expected}&no_transaction"
    )
