"""An item's page in context (issue: browse like ESCO): what needs it, its siblings, downloads."""

from __future__ import annotations

import re

import pytest
from rdflib import Graph, URIRef

from kg.graph.vocabulary import KG
from kg.parse.model import Activity, Task

STANDARD = "BAS1499-003"
BASE = "https://w3id.org/icap-kg/id/"


def _section(html: str, anchor: str) -> str:
    found = re.search(rf'id="{anchor}">(.*?)</ul>', html, re.S)
    assert found, anchor
    return found.group(1)


def test_a_knowledge_item_lists_the_tasks_and_activities_that_need_it(client, seeds):
    document = seeds[STANDARD]
    holders = [
        r for r in document.iter_items() if isinstance(r.record, Task | Activity) and r.record.knowledge
    ]
    needed = holders[0].record.knowledge[0]
    expected = {r.code for r in holders if needed in r.record.knowledge}
    page = client.get(f"/document/{STANDARD}/{needed}")
    assert page.status_code == 200
    listed = set(re.findall(r'class="code" href="/document/[^/]+/([^"]+)"', _section(page.text, "needed-by")))
    assert listed == expected


def test_an_item_lists_its_siblings_and_offers_its_rdf(client, seeds):
    task = seeds[STANDARD].tasks[0]
    first, second = task.activities[0], task.activities[1]
    page = client.get(f"/document/{STANDARD}/{first.code}")
    assert f'href="/document/{STANDARD}/{second.code}"' in _section(page.text, "siblings")
    assert f'/document/{STANDARD}/{first.code}"' not in _section(page.text, "siblings")
    links = re.findall(r'class="download" href="([^"]+)"', page.text)
    assert links == [
        f"/icap-kg/id/{STANDARD}/{first.code}?format=turtle",
        f"/icap-kg/id/{STANDARD}/{first.code}?format=jsonld",
    ]
    turtle = client.get(links[0])
    assert turtle.status_code == 200 and turtle.headers["content-type"].startswith("text/turtle")
    item = URIRef(f"{BASE}{STANDARD}/{first.code}")
    assert (item, None, None) in Graph().parse(data=turtle.text, format="turtle")
    jsonld = client.get(links[1])
    assert jsonld.headers["content-type"].startswith("application/ld+json")
    assert client.get(links[0].replace("turtle", "pdf")).status_code == 406


def test_a_document_page_offers_every_export_and_prints_as_its_table(client):
    page = client.get(f"/document/{STANDARD}")
    links = re.findall(r'class="download" href="([^"]+)"', page.text)
    assert [link.rsplit("=", 1)[1] for link in links] == [
        "case",
        "ctdl-asn",
        "turtle",
        "jsonld",
        "csv",
        "xlsx",
    ]
    for link in links:
        assert client.get(link.replace("&amp;", "&")).status_code == 200, link
    css = client.get("/static/style.css").text
    assert "@media print" in css and "header.site" in css.split("@media print", 1)[1]


def test_incorporation_counts_print_as_numbers(client):
    """A coverage record's `items` count, not the dict's `items` method (Jinja reads attributes first)."""
    for path in ("/overlap", "/document/KMM5R0915v2", "/overlap?a=KMM5R0915v2&b=BAS1499-003"):
        page = client.get(path).text
        assert "built-in method" not in page, path
        assert re.search(r">\d+/\d+</a>|\d+/\d+（", page), path


def test_the_sparql_page_offers_the_editor_the_chinese_titles_and_pages(client, monkeypatch):
    from kg.server import pages

    page = client.get("/query", params={"name": "shared-knowledge"})
    assert '<script src="/static/vendor/codemirror/codemirror.js" defer></script>' in page.text
    assert "跨文件逐字共用的知識" in page.text and 'lang="en">Knowledge shared word for word' in page.text
    assert 'data-prefixes="{' in page.text and "skos" in page.text
    for name in ("codemirror.js", "sparql.js", "show-hint.js", "codemirror.css", "LICENSE"):
        assert client.get(f"/static/vendor/codemirror/{name}").status_code == 200, name
    assert "CodeMirror.fromTextArea" in client.get("/static/query.js").text
    monkeypatch.setattr(pages, "SHOWN_ROWS", 40)
    # selective, so the server's 2 s query limit never stops it under load
    query = "SELECT ?s ?p ?o WHERE { ?s a kg:Task ; ?p ?o } ORDER BY ?s ?p ?o LIMIT 100"
    first = client.get("/query", params={"query": query})
    third = client.get("/query", params={"query": query, "page": 3})
    rows = [len(re.findall(r"<tr><td>", p.text)) for p in (first, third)]
    assert rows == [40, 20] and "page 1 of 3" in first.text and 'rel="next"' in first.text
    assert client.get("/query", params={"query": query, "page": 4}).status_code == 400


def test_pages_name_their_languages_and_open_our_iris_here(client):
    page = client.get(f"/document/{STANDARD}/T1").text
    assert '<html lang="zh-Hant">' in page and 'class="en" lang="en"' in page
    assert 'class="en">' not in page  # every English aside says so
    here = re.search(r'<dt>IRI</dt><dd><a href="([^"]+)"[^>]*><code>([^<]+)</code>', page)
    assert here and here.group(2) == f"{BASE}{STANDARD}/T1" and here.group(1) == f"/icap-kg/id/{STANDARD}/T1"
    assert client.get(here.group(1)).status_code == 200  # the IRI answers on this server
    missing = client.get("/document/NOPE-1")
    assert missing.status_code == 404 and "找不到所要的頁面、文件或項目。" in missing.text
    assert '<p class="error" role="alert" lang="en">' in missing.text


def test_every_iri_of_ours_in_a_result_opens_here(client):
    query = (
        "SELECT ?document ?occupation ?class ?elsewhere WHERE {"
        " ?document kg:occupation ?occupation ; a ?class . FILTER(?class = kg:CompetencyStandard)"
        " BIND(<https://example.org/x> AS ?elsewhere) } LIMIT 1"
    )
    page = client.get("/query", params={"query": query}).text
    links = re.findall(r'<td><a href="([^"]+)"', page)
    assert links[0].startswith("/document/")
    assert links[1].startswith("/icap-kg/id/occupation/")  # a concept under the base: its local path
    assert links[2] == "/resource?iri=https%3A%2F%2Fw3id.org%2Ficap-kg%2Fontology%23CompetencyStandard"
    assert len(links) == 3  # somebody else's IRI is shown, not linked
    concept = client.get(links[1])
    assert concept.status_code == 200 and f'href="{links[0]}"' in concept.text  # who points at it
    browse = re.search(r'id="browse-concept" href="([^"]+)"', concept.text).group(1).replace("&amp;", "&")
    listed = set(re.findall(r'<td><a href="/document/([^"/]+)">', client.get(browse).text))
    filed = f"SELECT ?c WHERE {{ ?d kg:occupation <https://w3id.org{links[1]}> ; skos:notation ?c }}"
    pointing = client.get("/sparql", params={"query": filed, "format": "csv"}).text.split()[1:]
    assert listed == set(pointing) and links[0].rsplit("/", 1)[1] in listed
    term = client.get(links[2].replace("&amp;", "&"))
    assert term.status_code == 200 and "owl:Class" in term.text and 'id="browse-concept"' not in term.text
    # headed by what the resource is called (in Chinese when it can be), the IRI beneath
    named = f"SELECT ?n WHERE {{ <https://w3id.org{links[1]}> skos:prefLabel ?n }}"
    name = client.get("/sparql", params={"query": named, "format": "csv"}).text.split()[1]
    assert f"<h1>{name}</h1>" in concept.text
    labels = "SELECT ?l WHERE { kg:CompetencyStandard rdfs:label ?l FILTER(LANGMATCHES(LANG(?l), 'zh')) }"
    zh = client.get("/sparql", params={"query": labels, "format": "csv"}).text.split()[1]
    assert (
        f"<h1>{zh}</h1>" in term.text
        and "<code>https://w3id.org/icap-kg/ontology#CompetencyStandard</code>" in term.text
    )
    turtle = client.get("/resource", params={"iri": str(KG.CompetencyStandard), "format": "turtle"})
    assert turtle.headers["content-type"].startswith("text/turtle")
    assert (KG.CompetencyStandard, None, None) in Graph().parse(data=turtle.text, format="turtle")


@pytest.mark.parametrize(
    ("iri", "status", "message"),
    [
        ("", 400, "missing the iri parameter"),
        (
            "https://w3id.org/icap-kg/ontology#Nothing",
            404,
            "no resource <https://w3id.org/icap-kg/ontology#Nothing>",
        ),
        ("a b> ?p", 400, "not an IRI"),
    ],
)
def test_a_resource_that_is_not_there_says_so(client, iri, status, message):
    answer = client.get("/resource", params={"iri": iri}, headers={"Accept": "application/n-triples"})
    assert answer.status_code == status and message in answer.text


def _table(response, fmt: str) -> list[list[str]]:
    """A CSV or XLSX download's rows, every cell as text."""
    import csv
    import io

    from openpyxl import load_workbook

    assert response.status_code == 200, response.text[:200]
    if fmt == "csv":
        return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    rows = load_workbook(io.BytesIO(response.content)).active.values
    return [["" if v is None else str(v) for v in row] for row in rows]


def test_search_results_and_a_pairs_mappings_download_as_shown(client):
    page = client.get("/search", params={"q": "客訴處理", "top": 3}).text
    links = dict(re.findall(r'<a class="download" href="([^"]+)">(CSV|JSON)</a>', page))
    csv_link = next(href for href, label in links.items() if label == "CSV").replace("&amp;", "&")
    table = client.get(csv_link)
    assert table.status_code == 200 and table.content.startswith("\ufeff".encode())
    lines = table.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("document,title,document_kind,document_score,rank,code")
    shown = re.findall(r'class="doc-title" href="/document/([^"]+)"', page)
    assert list(dict.fromkeys(line.split(",")[0] for line in lines[1:])) == shown
    pair = client.get("/overlap", params={"a": "KMM5R0915v2", "b": STANDARD}).text
    sssom_link = re.search(r'id="download-sssom" href="([^"]+)"', pair).group(1).replace("&amp;", "&")
    sssom = client.get(sssom_link)
    assert sssom.status_code == 200 and sssom.headers["content-type"].startswith("text/tab-separated-values")
    rows = [line for line in sssom.text.splitlines() if not line.startswith("#")]
    assert rows[0].startswith("subject_id\tsubject_label") and "#curie_map:" in sssom.text
    pairs = client.get("/api/overlap", params={"a": "KMM5R0915v2", "b": STANDARD}).json()["pairs"]
    assert len(rows) - 1 == len(pairs)
    for fmt in ("csv", "xlsx"):  # the pair's table as the page shows it
        link = re.search(rf'id="download-{fmt}" href="([^"]+)"', pair).group(1).replace("&amp;", "&")
        rows_of_fmt = _table(client.get(link), fmt)
        assert rows_of_fmt[0][:2] == ["a_code", "a_kind"] and len(rows_of_fmt) - 1 == len(pairs)
    xlsx_link = re.search(r'<a class="download" href="([^"]+)">XLSX</a>', page).group(1).replace("&amp;", "&")
    book, table_rows = _table(client.get(xlsx_link), "xlsx"), _table(table, "csv")
    assert book[0] == table_rows[0] and [r[0] for r in book] == [r[0] for r in table_rows]
    bad = client.get("/api/overlap", params={"a": "KMM5R0915v2", "b": STANDARD, "format": "rdf"})
    assert bad.status_code == 400 and "unknown format 'rdf'" in bad.json()["error"]


def test_the_overlap_tables_download_as_csv_and_xlsx(client):
    import io

    from openpyxl import load_workbook

    page = client.get("/overlap").text
    links = [h.replace("&amp;", "&") for h in re.findall(r'<a class="download" href="([^"]+)"', page)]
    assert len(links) == 6
    matrix = (
        client.get("/api/overlap/matrix", params={"format": "csv"}).content.decode("utf-8-sig").splitlines()
    )
    assert matrix[0].startswith("document,") and len(matrix) == 1 + 5
    book = load_workbook(io.BytesIO(client.get("/api/overlap/coverage", params={"format": "xlsx"}).content))
    assert book.active["A1"].value == "unit" and book.active.max_row > 1
    for link in links:
        assert client.get(link).status_code == 200, link
    bad = client.get("/api/overlap/coverage", params={"format": "pdf"})
    assert (
        bad.status_code == 400
        and "unknown format 'pdf'; choose one of: json, csv, xlsx" in bad.json()["error"]
    )
