"""`kg serve`'s routes through FastAPI's TestClient: every page, endpoint and class of error."""

from __future__ import annotations

import csv
import io
import json
import re
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef

from kg.api import find as search
from kg.errors import KgError
from kg.knowledge_graph import KnowledgeGraph
from kg.search.engine import Filters
from kg.server import create_app, require_extra
from kg.server.negotiation import NotAcceptable, choose, parse_accept
from kg.settings import Settings

BASE = "https://w3id.org/icap-kg/id/"
UNITS = "SELECT ?c WHERE { ?d a kg:CompetencyUnit ; kg:code ?c } ORDER BY ?c"
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
SKOS_NOTATION = URIRef("http://www.w3.org/2004/02/skos/core#notation")


def assert_clean_error(response, status: int, *needles: str) -> None:
    assert response.status_code == status, response.text
    assert "Traceback" not in response.text and 'File "' not in response.text
    for needle in needles:
        assert needle in response.text, response.text


def sparql(client: TestClient, query: str, accept: str | None = None, **params: str):
    headers = {"Accept": accept} if accept else {}
    return client.get("/sparql", params={"query": query, **params}, headers=headers)


# --- pages ---------------------------------------------------------------------------------------


def test_home_links_every_document_and_the_tools(client):
    page = client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    for code in ("BAS1499-003", "BAS2421-003v4", "BGM4R0172v2", "KMM5R0915v2", "TTM3R0299v2"):
        assert f'href="/document/{code}"' in page.text
    assert 'href="/search"' in page.text and 'href="/query"' in page.text
    assert '<html lang="zh-Hant">' in page.text


def test_static_css_is_served_locally(client):
    page = client.get("/")
    assert re.findall(r'(?:href|src)="(https?:)?//', page.text) == []  # nothing from another host
    css = client.get("/static/style.css")
    assert css.status_code == 200 and "Noto Sans CJK TC" in css.text


def test_search_page_groups_by_document_and_marks_the_words(client):
    page = client.get("/search", params={"q": "客訴處理"})
    assert page.status_code == 200
    html = page.text
    first = html.index('href="/document/BAS1499-003"')
    assert first < html.index('href="/document/TTM3R0299v2"')
    assert html.count('class="document-hit"') == 5
    assert 'href="/document/BAS1499-003/P4.2.2"' in html
    assert "<mark>客戶投訴</mark>" in html  # 客訴 and its synonyms, found in the evidence
    assert 'value="客訴處理"' in html


def test_search_page_english_question_marks_the_chinese_synonyms(client):
    page = client.get("/search", params={"q": "complaint handling", "document-kind": "unit", "top": "2"})
    assert page.status_code == 200
    assert page.text.count('class="document-hit"') == 2
    assert "BAS1499-003" not in page.text.split('id="results"')[1]
    assert "<mark>" in page.text


def test_search_page_without_a_question_shows_the_form(client):
    page = client.get("/search")
    assert page.status_code == 200
    assert 'id="search-form"' in page.text and 'id="results"' not in page.text


def test_search_page_with_no_match_says_so(client):
    page = client.get("/search", params={"q": "zeppelin", "mode": "lexical"})
    assert page.status_code == 200 and 'id="no-results"' in page.text


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"q": "客" * 2000}, 400, "too long: 2000 characters"),
        ({"q": "客訴\x1b"}, 400, "control character (U+001B)"),
        ({"q": "客訴", "mode": "fuzzy"}, 400, "unknown mode &#39;fuzzy&#39;"),
        ({"q": "客訴", "level": "x"}, 400, "level must be a whole number"),
        ({"q": "客訴", "level": "9"}, 400, "level 9 is out of range"),
        ({"q": "客訴", "top": "1000"}, 400, "top: input should be less than or equal to 100"),
    ],
)
def test_search_page_bad_requests(client, params, status, message):
    assert_clean_error(client.get("/search", params=params), status, message)


def test_document_page_is_the_documents_table(client):
    page = client.get("/document/BAS1499-003")
    assert page.status_code == 200
    html = page.text
    assert "<h1>客戶服務主管" in html and 'id="document-table"' in html
    for code in ("T1", "T1.1", "P1.1.1", "O2.2.1", "K1", "S1", "A01", "N1"):
        assert f'href="/document/BAS1499-003/{code}"' in html, code
    assert 'rowspan="3" class="task" id="T1"' in html  # T1 spans its three activities
    assert "工作產出" in html and "行為指標" in html and "Indicators" in html


def test_unit_page_has_tasks_indicators_notes_and_assessment(client):
    html = client.get("/document/TTM3R0299v2").text
    assert 'href="/document/TTM3R0299v2/P1.2"' in html
    assert 'href="/document/TTM3R0299v2/N2"' in html  # P1.2's note
    assert "評量" in html and 'href="/document/TTM3R0299v2/E1"' in html


def test_item_page_shows_its_place_and_its_closest_items_elsewhere(client):
    html = client.get("/document/BAS1499-003/P4.2.2").text
    place = html.split('id="place"')[1].split("</p>")[0]
    assert 'href="/document/BAS1499-003/T4"' in place and 'href="/document/BAS1499-003/T4.2"' in place
    assert "根據店內政策，解決客戶投訴" in html
    closest = html.split('id="closest"')[1]
    rows = re.findall(r'<a class="code" href="/document/([^/"]+)/([^"]+)">', closest)
    assert len(rows) == 8
    assert all(document != "BAS1499-003" for document, _ in rows)


def test_task_item_page_lists_its_knowledge_skills_and_activities(client):
    html = client.get("/document/BAS1499-003/T1").text
    assert 'href="/document/BAS1499-003/K1"' in html and 'href="/document/BAS1499-003/S4"' in html
    assert 'href="/document/BAS1499-003/T1.3"' in html


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/document/NOPE-1", "no document &#39;NOPE-1&#39; in this build"),
        ("/document/BAS1499-003/P99.1", "document BAS1499-003 has no item &#39;P99.1&#39;"),
        ("/no/such/page", "no page at /no/such/page"),
    ],
)
def test_unknown_pages_are_404_with_a_message(client, path, message):
    assert_clean_error(client.get(path), 404, message)


def test_query_page_lists_the_named_queries_and_runs_one(client):
    page = client.get("/query", params={"name": "indicators-per-task"})
    assert page.status_code == 200
    assert 'href="/query?name=shared-knowledge"' in page.text
    table = page.text.split('id="results"')[1]
    assert "運作客戶服務中心" in table and table.count("<tr>") == 9  # header + 8 tasks
    assert "/sparql?query=" in page.text and "format=csv" in page.text


def test_query_page_runs_a_written_query_and_links_documents(client):
    page = client.get("/query", params={"query": UNITS})
    assert 'href="/document/TTM3R0299v2"' not in page.text  # plain literals, no links
    linked = client.get("/query", params={"query": "SELECT ?d WHERE { ?d a kg:CompetencyUnit }"})
    assert 'href="/document/TTM3R0299v2"' in linked.text
    ask = client.get("/query", params={"query": "ASK { ?s a kg:Task }"})
    assert "<strong>true</strong>" in ask.text
    construct = client.get(
        "/query",
        params={"query": 'CONSTRUCT { ?i skos:notation ?c } WHERE { ?i kg:code ?c FILTER(?c = "T1") }'},
    )
    assert "skos:notation" in construct.text


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"name": "nope"}, 404, "no named query &#39;nope&#39;"),
        ({"query": "SELECT ?x WHERE { ?x ?y }"}, 400, "SPARQL syntax error at line 1, column"),
        ({"query": "INSERT DATA { <a:b> <a:c> <a:d> }"}, 403, "SPARQL updates (INSERT) are not allowed"),
        ({"query": "SELECT * WHERE { ?s ?p ?o }"}, 422, "more than 200 rows or triples"),
        ({"query": "ASK {}", "graph": "mine"}, 400, "unknown graph &#39;mine&#39;"),
    ],
)
def test_query_page_errors_are_shown_in_the_page(client, params, status, message):
    response = client.get("/query", params=params)
    assert_clean_error(response, status, message)
    assert "<textarea" in response.text  # the form stays, to fix the query


# --- /api/search ---------------------------------------------------------------------------------


def test_api_search_is_the_cli_json(client, server_settings):
    response = client.get("/api/search", params={"q": "哪些單元涵蓋客訴處理"})
    assert response.status_code == 200
    assert response.json() == search("哪些單元涵蓋客訴處理", server_settings).to_dict()


def test_api_search_takes_the_cli_options(client, server_settings):
    params = [
        ("q", "客訴處理"),
        ("by", "item"),
        ("mode", "dense"),
        ("top", "3"),
        ("kind", "indicator"),
        ("kind", "skill"),
        ("document-kind", "standard"),
        ("document", "BAS1499-003"),
        ("level", "4"),
    ]
    body = client.get("/api/search", params=params).json()
    filters = Filters(
        item_kinds=("indicator", "skill"),
        document_kinds=("standard",),
        documents=("BAS1499-003",),
        levels=(4,),
    )
    expected = search("客訴處理", server_settings, by="item", mode="dense", top=3, filters=filters).to_dict()
    assert body == expected
    assert len(body["results"]) == 3 and {r["kind"] for r in body["results"]} <= {"indicator", "skill"}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "q: field required"),
        ({"q": "   "}, "the search query is empty"),
        ({"q": "客" * 5000}, "too long: 5000 characters"),
        ({"q": "客訴", "kind": "indicators"}, "unknown item kind 'indicators'"),
        ({"q": "客訴", "document-kind": "book"}, "unknown document kind 'book'"),
        ({"q": "客訴", "document": "NOPE"}, "no document 'NOPE'"),
        ({"q": "客訴", "level": "9"}, "level 9 is out of range"),
        ({"q": "客訴", "level": "four"}, "level: input should be a valid integer"),
        ({"q": "客訴", "top": "0"}, "top: input should be greater than or equal to 1"),
        ({"q": "客訴", "top": "100000"}, "top: input should be less than or equal to 100"),
        ({"q": "客訴", "by": "page"}, "unknown grouping 'page'"),
    ],
)
def test_api_search_bad_requests_are_400_json(client, params, message):
    response = client.get("/api/search", params=params)
    assert_clean_error(response, 400)
    assert message in response.json()["error"]


# --- /sparql -------------------------------------------------------------------------------------


def test_sparql_get_defaults_to_sparql_json(client):
    response = sparql(client, UNITS)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    assert [b["c"]["value"] for b in response.json()["results"]["bindings"]] == [
        "BGM4R0172v2",
        "KMM5R0915v2",
        "TTM3R0299v2",
    ]


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_sparql_negotiates_xml_csv_and_tsv(client):
    xml = sparql(client, UNITS, "application/sparql-results+xml")
    assert xml.headers["content-type"].startswith("application/sparql-results+xml")
    assert '<binding name="c"><literal>BGM4R0172v2</literal></binding>' in xml.text
    csv_text = sparql(client, UNITS, "text/csv").text
    assert list(csv.reader(io.StringIO(csv_text))) == [
        ["c"],
        ["BGM4R0172v2"],
        ["KMM5R0915v2"],
        ["TTM3R0299v2"],
    ]
    tsv = sparql(client, UNITS, "text/tab-separated-values")
    assert tsv.text.splitlines() == ["?c", '"BGM4R0172v2"', '"KMM5R0915v2"', '"TTM3R0299v2"']
    assert sparql(client, UNITS, "text/html;q=0.5, text/csv").headers["content-type"].startswith("text/csv")
    assert sparql(client, UNITS, format="tsv").headers["content-type"].startswith("text/tab-separated")


def test_sparql_results_download_as_a_workbook(client):
    from openpyxl import load_workbook

    answer = sparql(client, UNITS, format="xlsx")
    assert answer.headers["content-type"] == XLSX and "attachment" in answer.headers["content-disposition"]
    assert list(load_workbook(io.BytesIO(answer.content)).active.values) == [
        ("c",),
        ("BGM4R0172v2",),
        ("KMM5R0915v2",),
        ("TTM3R0299v2",),
    ]
    assert sparql(client, UNITS, XLSX).headers["content-type"] == XLSX
    page = client.get("/query", params={"query": UNITS}).text
    assert ">xlsx</a>" in page


def test_sparql_ask_in_json_and_xml(client):
    assert sparql(client, "ASK { ?s a kg:Task }").json() == {"head": {}, "boolean": True}
    assert "<boolean>false</boolean>" in sparql(client, "ASK { ?s a kg:Nothing }", "application/xml").text


def test_sparql_construct_in_turtle_ntriples_jsonld_and_rdfxml(client):
    query = 'CONSTRUCT { ?i skos:notation ?c } WHERE { ?i kg:code ?c FILTER(?c = "P4.3.1") }'
    triple = (URIRef(BASE + "BAS1499-003/P4.3.1"), SKOS_NOTATION, Literal("P4.3.1"))
    for accept, rdf_format in [
        (None, "turtle"),
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
    ]:
        response = sparql(client, query, accept)
        assert response.status_code == 200, response.text
        assert triple in Graph().parse(data=response.text, format=rdf_format), accept
    assert sparql(client, query).headers["content-type"].startswith("text/turtle")


def test_sparql_post_form_and_sparql_query(client):
    form = client.post("/sparql", data={"query": UNITS}, headers={"Accept": "text/csv"})
    assert form.status_code == 200 and form.text.startswith("c\r\nBGM4R0172v2")
    direct = client.post(
        "/sparql",
        content=UNITS.encode("utf-8"),
        headers={"Content-Type": "application/sparql-query; charset=utf-8", "Accept": "application/json"},
    )
    assert len(direct.json()["results"]["bindings"]) == 3


def test_sparql_similarity_is_available(client):
    query = (
        "SELECT ?code ?score WHERE { ?i a kg:BehaviourIndicator ; skos:notation ?code ; kg:text ?t . "
        'BIND(kgf:similarity(?i, "客訴處理") AS ?score) FILTER(?score > 0.86) } ORDER BY DESC(?score)'
    )
    rows = sparql(client, query).json()["results"]["bindings"]
    assert rows[0]["code"]["value"] == "P4.2.2"


def test_sparql_graph_by_default_graph_uri(client):
    ask = 'ASK { ?i skos:notation "P4.3.1" }'
    assert sparql(client, ask, **{"default-graph-uri": BASE + "graph/asserted"}).json()["boolean"] is False
    assert sparql(client, ask, **{"default-graph-uri": BASE + "graph/inferred"}).json()["boolean"] is True


def test_a_browser_opening_the_endpoint_gets_the_query_page(client):
    response = client.get("/sparql", params={"query": UNITS}, headers=HTML, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/query?query=SELECT")
    assert client.get("/sparql", headers=HTML, follow_redirects=False).headers["location"] == "/query"


SPARQL_QUERY = {"Content-Type": "application/sparql-query"}


@pytest.mark.parametrize(
    ("method", "params", "body", "status", "message"),
    [
        ("GET", {}, {}, 400, "missing the query parameter"),
        ("GET", {"query": " "}, {}, 400, "the query is empty"),
        ("GET", {"query": "SELECT ?x WHERE { ?x }"}, {}, 400, "SPARQL syntax error at line 1, column"),
        ("GET", {"query": "SELECT * { ?s foo:bar ?o }"}, {}, 400, "unknown prefix 'foo:'"),
        ("GET", {"query": ["ASK {}", "ASK {}"]}, {}, 400, "give one query parameter"),
        ("GET", {"query": "ASK {}", "named-graph-uri": "x"}, {}, 400, "named-graph-uri is not supported"),
        ("GET", {"query": "ASK {}", "default-graph-uri": "x"}, {}, 400, "default-graph-uri must be one of"),
        ("GET", {"query": "ASK {}", "format": "pdf"}, {}, 406, "SELECT/ASK results are offered as"),
        ("GET", {"query": "DROP ALL"}, {}, 403, "SPARQL updates (DROP) are not allowed"),
        ("GET", {"update": "DROP ALL"}, {}, 403, "read-only"),
        ("POST", {}, {"data": {"update": "CLEAR ALL"}}, 403, "read-only"),
        (
            "POST",
            {},
            {"content": b"CLEAR ALL", "headers": {"Content-Type": "application/sparql-update"}},
            403,
            "read-only",
        ),
        (
            "POST",
            {},
            {"content": b"ASK {}", "headers": {"Content-Type": "text/plain"}},
            415,
            "not text/plain",
        ),
        ("POST", {}, {"data": {"other": "x"}}, 400, "missing the query parameter"),
        ("POST", {}, {"content": b"\xff\xfe", "headers": SPARQL_QUERY}, 400, "not UTF-8"),
        ("POST", {}, {"data": {"query": "#" * 100_001}}, 413, "the query is too long"),
        ("PUT", {}, {}, 405, "PUT is not allowed on /sparql"),
    ],
)
def test_sparql_bad_requests(client, method, params, body, status, message):
    response = client.request(method, "/sparql", params=params, **body)
    assert_clean_error(response, status, message)
    assert response.headers["content-type"].startswith("text/plain")


def test_sparql_not_acceptable(client):
    assert_clean_error(sparql(client, UNITS, "image/png"), 406, "json (application/sparql-results+json)")
    construct = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1"
    assert_clean_error(
        sparql(client, construct, "text/csv"), 406, "CONSTRUCT/DESCRIBE results are offered as"
    )


def test_sparql_result_size_limit(client):
    response = sparql(client, "SELECT * WHERE { ?s ?p ?o }")
    assert_clean_error(response, 422, "more than 200 rows or triples (the limit)", "LIMIT")
    assert sparql(client, "SELECT * WHERE { ?s ?p ?o } LIMIT 200").status_code == 200
    assert_clean_error(sparql(client, "CONSTRUCT WHERE { ?s ?p ?o }"), 422, "more than 200")


def test_sparql_time_limit_stops_the_query_and_the_server_goes_on(client):
    response = sparql(client, HEAVY)
    assert_clean_error(response, 503, "ran longer than the time limit (2 s) and was stopped")
    for _ in range(3):  # the killed worker is replaced; queries keep working
        assert sparql(client, "ASK { ?s a kg:Task }").json()["boolean"] is True


# --- linked data ---------------------------------------------------------------------------------


def test_an_item_iri_resolves_to_turtle(client):
    response = client.get("/icap-kg/id/BAS1499-003/P4.3.1", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.headers["vary"] == "Accept"
    graph = Graph().parse(data=response.text, format="turtle")
    item = URIRef(BASE + "BAS1499-003/P4.3.1")
    assert (item, SKOS_NOTATION, Literal("P4.3.1")) in graph
    assert (URIRef(BASE + "BAS1499-003/T4.3"), None, item) in graph  # what points at it too


def test_an_iri_resolves_to_html_for_a_browser(client):
    document = client.get("/icap-kg/id/BAS1499-003", headers=HTML)
    assert document.status_code == 200 and 'id="document-table"' in document.text
    item = client.get("/icap-kg/id/BAS1499-003/P4.3.1", headers=HTML)
    assert 'id="closest"' in item.text
    version = client.get("/icap-kg/id/BAS2421-003v4/version/V3", headers=HTML)
    assert version.status_code == 200
    assert f"<code>{BASE}BAS2421-003v4/version/V3</code>" in version.text  # under its title
    assert "kg:versionOf" in version.text
    concept = client.get(
        "/icap-kg/id/" + quote("occupation") + "/1499", headers={"Accept": "application/n-triples"}
    )
    assert concept.status_code == 200 and "1499" in concept.text


def test_iris_in_other_rdf_formats(client):
    iri = "/icap-kg/id/TTM3R0299v2/P1.2"
    for accept, rdf_format in [("application/ld+json", "json-ld"), ("application/rdf+xml", "xml")]:
        response = client.get(iri, headers={"Accept": accept})
        assert response.headers["content-type"].startswith(accept)
        assert len(Graph().parse(data=response.text, format=rdf_format)) > 5


@pytest.mark.parametrize(
    ("path", "accept", "status", "message"),
    [
        ("/icap-kg/id/NOPE-1/T1", "text/turtle", 404, "no resource <https://w3id.org/icap-kg/id/NOPE-1/T1>"),
        ("/icap-kg/id/", "text/turtle", 404, "no resource at /icap-kg/id/"),
        ("/icap-kg/id/BAS1499-003%3E%20%3Fp", "text/turtle", 404, "no resource"),
        ("/icap-kg/id/BAS1499-003", "image/png", 406, "a resource is offered as text/html"),
    ],
)
def test_unknown_iris_and_formats(client, path, accept, status, message):
    assert_clean_error(client.get(path, headers={"Accept": accept}), status, message)


# --- the rest ------------------------------------------------------------------------------------


def test_unexpected_errors_are_a_plain_500(server_settings, monkeypatch):
    def broken(self, code):
        raise RuntimeError("secret detail")

    monkeypatch.setattr(KnowledgeGraph, "document", broken)
    with TestClient(create_app(server_settings), raise_server_exceptions=False) as test_client:
        response = test_client.get("/document/BAS1499-003")
    assert_clean_error(response, 500, "something went wrong on the server")
    assert "secret detail" not in response.text


def test_no_build_is_a_clear_error(tmp_path, built):
    with TestClient(create_app(built.with_(build_dir=tmp_path))) as test_client:
        assert_clean_error(test_client.get("/api/search", params={"q": "客訴"}), 400, "no build found")


def test_missing_serve_extra_says_what_to_install(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None if name == "fastapi" else real(name))
    with pytest.raises(KgError, match=r"needs fastapi.*install kg\[serve\]"):
        require_extra()


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("port", "http", "port must be a whole number"),
        ("port", "70000", "port must be 1 to 65535"),
        ("query_timeout", "0", "query_timeout must be at least 0.1"),
        ("max_results", "-1", "max_results must be at least 1"),
        ("query_workers", "0", "query_workers must be at least 1"),
    ],
)
def test_server_settings_are_checked(option, value, message):
    with pytest.raises(KgError, match=re.escape(message)):
        Settings.load(**{option: value})


def test_server_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("KG_PORT", "8123")
    monkeypatch.setenv("KG_QUERY_TIMEOUT", "2.5")
    monkeypatch.setenv("KG_MAX_RESULTS", "77")
    settings = Settings.load()
    assert (settings.host, settings.port, settings.query_timeout, settings.max_results) == (
        "127.0.0.1",
        8123,
        2.5,
        77,
    )


def test_accept_headers_are_read_by_quality():
    assert parse_accept("text/csv;q=0.5, application/json") == [("application/json", 1.0), ("text/csv", 0.5)]
    offers = {"json": ("application/json",), "csv": ("text/csv",)}
    assert choose("text/*", offers, "json") == "csv"
    assert choose(None, offers, "csv") == "csv"
    assert choose("*/*;q=0.1, text/csv", offers, "json") == "csv"
    with pytest.raises(NotAcceptable):
        choose("image/png, text/csv;q=0", offers, "json")


def test_api_openapi_is_served_and_the_cdn_docs_are_not(client):
    assert client.get("/api/openapi.json").json()["paths"]["/api/search"]
    assert client.get("/docs").status_code == 404


def test_json_of_the_api_keeps_chinese_readable(client):
    response = client.get("/api/search", params={"q": "客訴", "top": "1"})
    assert json.loads(response.content.decode("utf-8"))["query"] == "客訴"


def test_a_workbook_keeps_numbers_as_numbers_and_drops_what_a_cell_cannot_hold():
    from openpyxl import load_workbook
    from rdflib import XSD, BNode

    from kg.query.formats import to_xlsx
    from kg.store import QueryResult

    row = {
        "iri": URIRef(BASE + "BAS1499-003/T1"),
        "count": Literal(3),
        "share": Literal("0.25", datatype=XSD.decimal),
        "flag": Literal(True),
        "text": Literal("工作\x07任務", lang="zh-Hant"),
        "odd": Literal("12abc", datatype=XSD.integer),  # ill-typed: kept as its text
        "node": BNode("b0"),
    }
    result = QueryResult("select", variables=[*row, "missing"], rows=[row])
    values = list(load_workbook(io.BytesIO(to_xlsx(result))).active.values)
    assert values[0] == (*row, "missing")
    assert values[1] == (BASE + "BAS1499-003/T1", 3, 0.25, True, "工作任務", "12abc", "_:b0", None)
    ask = list(load_workbook(io.BytesIO(to_xlsx(QueryResult("ask", boolean=False)))).active.values)
    assert ask == [("boolean",), (False,)]
