"""The real server (`kg serve` in its own process, uvicorn on a loopback port) and real clients."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from rdflib import Graph, Literal, URIRef
from SPARQLWrapper import CSV, JSON, JSONLD, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from conftest import same_at_once
from test_cli import assert_clean_failure, kg

pytestmark = pytest.mark.slow

UNITS = "SELECT ?c WHERE { ?d a kg:CompetencyUnit ; kg:code ?c } ORDER BY ?c"
CODES = ["BGM4R0172v2", "KMM5R0915v2", "TTM3R0299v2"]
SKOS_NOTATION = URIRef("http://www.w3.org/2004/02/skos/core#notation")


def endpoint(live_server: str, query: str, fmt: str, method: str = "GET") -> SPARQLWrapper:
    client = SPARQLWrapper(f"{live_server}/sparql")
    client.setQuery(query)
    client.setReturnFormat(fmt)
    client.setMethod(method)
    return client


def test_sparqlwrapper_select_in_json_xml_csv_and_tsv(live_server):
    rows = endpoint(live_server, UNITS, JSON).query().convert()["results"]["bindings"]
    assert [r["c"]["value"] for r in rows] == CODES
    xml = endpoint(live_server, UNITS, XML).query().convert()
    assert [n.firstChild.data for n in xml.getElementsByTagName("literal")] == CODES
    assert endpoint(live_server, UNITS, CSV).query().convert().decode().split() == ["c", *CODES]
    assert endpoint(live_server, UNITS, TSV).query().convert().decode().split() == ["?c"] + [
        f'"{c}"' for c in CODES
    ]
    posted = endpoint(live_server, UNITS, JSON, method="POST").query().convert()
    assert len(posted["results"]["bindings"]) == 3


def test_sparqlwrapper_ask_and_construct(live_server):
    assert endpoint(live_server, "ASK { ?s a kg:Task }", JSON).query().convert()["boolean"] is True
    assert (
        endpoint(live_server, "ASK { ?s a kg:Nothing }", XML)
        .query()
        .convert()
        .getElementsByTagName("boolean")[0]
        .firstChild.data
        == "false"
    )
    construct = 'CONSTRUCT { ?i skos:notation ?c } WHERE { ?i kg:code ?c FILTER(?c = "P4.3.1") }'
    item = URIRef(f"{live_server}/id/BAS1499-003/P4.3.1")
    graph = endpoint(live_server, construct, XML).query().convert()  # RDF/XML, parsed by SPARQLWrapper
    assert (item, SKOS_NOTATION, Literal("P4.3.1")) in graph
    turtle = endpoint(live_server, construct, TURTLE).query().convert()
    assert (item, SKOS_NOTATION, Literal("P4.3.1")) in Graph().parse(data=turtle, format="turtle")
    assert (item, SKOS_NOTATION, Literal("P4.3.1")) in endpoint(
        live_server, construct, JSONLD
    ).query().convert()


def test_sparqlwrapper_sees_a_bad_query_as_bad(live_server):
    with pytest.raises(QueryBadFormed, match="SPARQL syntax error at line 1"):
        endpoint(live_server, "SELECT ?x WHERE { ?x }", JSON).query()


def test_iris_resolve_on_the_server_they_name(live_server):
    """The build's base IRI points at the server: its IRIs are real addresses."""
    result = endpoint(live_server, 'SELECT ?i WHERE { ?i kg:code "P4.2.2" }', JSON).query().convert()
    iri = result["results"]["bindings"][0]["i"]["value"]
    assert iri == f"{live_server}/id/BAS1499-003/P4.2.2"
    graph = Graph().parse(iri, format="turtle")  # rdflib asks for Turtle, by content negotiation
    assert (URIRef(iri), SKOS_NOTATION, Literal("P4.2.2")) in graph
    request = urllib.request.Request(iri, headers={"Accept": "text/html"})
    with urllib.request.urlopen(request) as page:
        html = page.read().decode("utf-8")
    assert "根據店內政策，解決客戶投訴" in html and 'id="closest"' in html


def test_a_heavy_query_is_stopped_and_the_server_stays_responsive(live_server):
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    url = f"{live_server}/sparql?" + urllib.parse.urlencode({"query": heavy})

    def run_heavy() -> tuple[int, str]:
        try:
            urllib.request.urlopen(url, timeout=30)
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8")
        return 200, ""

    with ThreadPoolExecutor(1) as pool:
        started = time.monotonic()
        heavy_result = pool.submit(run_heavy)
        time.sleep(0.5)
        # Meanwhile pages, searches and other queries answer at once.
        with urllib.request.urlopen(f"{live_server}/api/search?q=%E5%AE%A2%E8%A8%B4&top=1", timeout=5) as r:
            assert json.loads(r.read())["results"]
        assert endpoint(live_server, "ASK { ?s a kg:Task }", JSON).query().convert()["boolean"] is True
        assert time.monotonic() - started < 3
        status, message = heavy_result.result()
    assert status == 503 and "ran longer than the time limit (3 s) and was stopped" in message
    assert time.monotonic() - started < 10


def test_overlaps_asked_at_once_answer_as_when_asked_alone(live_server):
    codes = ["BAS1499-003", "BAS2421-003v4", *CODES]
    pairs = [(a, b) for a in codes for b in codes if a != b]

    def ask(pair: tuple[str, str]) -> dict:
        query = urllib.parse.urlencode({"a": pair[0], "b": pair[1]})
        with urllib.request.urlopen(f"{live_server}/api/overlap?{query}", timeout=30) as answer:
            return json.loads(answer.read())

    alone = same_at_once(ask, pairs)
    assert sum(len(answer["pairs"]) for answer in alone) > 100


def test_serve_without_a_build_fails_cleanly(tmp_path):
    assert_clean_failure(kg("serve", "--port", "1", build_dir=tmp_path / "none"), "no build found")


def test_serve_help_names_the_options():
    result = kg("serve", "--help")
    assert result.returncode == 0
    for option in ("--build-dir", "--host", "--port", "--query-timeout", "--max-results"):
        assert option in result.stdout
