"""`/api/overlap` and the overlap page: the CLI's JSON, the matrix, one pair, and every bad request."""

from __future__ import annotations

import json
import re

import pandas
import pytest
from fastapi.testclient import TestClient

import kg
from conftest import ROOT, SEED_CODES, UNIT_ITEMS_IN_T2
from kg.mapping.shares import most_overlapping, partners, strongest_pairs
from kg.server import create_app, overlap_page
from kg.server.overlap_page import MATRIX_DOCUMENTS
from kg.settings import Settings
from test_cli import kg as kg_cli
from test_server import HTML, assert_clean_error

UNIT, STANDARD = "KMM5R0915v2", "BAS1499-003"


def cli_json(settings: Settings, *args: str):
    result = kg_cli("overlap", *args, "--json", build_dir=settings.build_dir)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


# --- /api/overlap ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "cli_args"),
    [
        ({"a": UNIT, "b": STANDARD}, [UNIT, STANDARD]),
        ({"a": STANDARD, "b": UNIT}, [STANDARD, UNIT]),
        (
            {
                "a": "BAS2421-003v4",
                "b": "TTM3R0299v2",
                "min-relation": "close",
                "kind": ["indicator", "skill"],
            },
            [
                "BAS2421-003v4",
                "TTM3R0299v2",
                "--min-relation",
                "close",
                "--kind",
                "indicator",
                "--kind",
                "skill",
            ],
        ),
    ],
)
def test_api_overlap_is_the_cli_json(client, server_settings, params, cli_args):
    response = client.get("/api/overlap", params=params)
    assert response.status_code == 200, response.text
    assert response.json() == cli_json(server_settings, *cli_args)


def test_api_overlap_takes_the_cli_options(client):
    pairs = client.get(
        "/api/overlap", params={"a": STANDARD, "b": UNIT, "min-relation": "exact", "kind": "knowledge"}
    ).json()["pairs"]
    assert [(p["a"]["code"], p["b"]["code"]) for p in pairs] == [(f"K{n + 6}", f"K{n}") for n in range(1, 9)]
    # exact and close by default; related (weak, precision about 0.65) only on request
    default = client.get("/api/overlap", params={"a": STANDARD, "b": UNIT}).json()
    assert {p["relation"] for p in default["pairs"]} == {"exact", "close"}
    everything = client.get(
        "/api/overlap", params={"a": STANDARD, "b": UNIT, "min-relation": "related"}
    ).json()
    assert {p["relation"] for p in everything["pairs"]} == {"exact", "close", "related"}
    assert everything["incorporation"]["task"] == "T2"


def test_api_overlap_matrix_and_coverage_are_the_cli_json(client, server_settings):
    for relation in ("exact", "related"):
        matrix = client.get("/api/overlap/matrix", params={"min-relation": relation}).json()
        assert matrix == cli_json(server_settings, "--matrix", "--min-relation", relation)
    matrix = client.get("/api/overlap/matrix").json()
    assert list(matrix) == SEED_CODES and matrix[UNIT][STANDARD] > 0.8 > matrix[STANDARD][UNIT]
    coverage = client.get("/api/overlap/coverage").json()
    assert coverage == cli_json(server_settings, "--coverage")
    assert coverage[0]["unit"] == UNIT
    assert coverage[0]["coverage"] in [pytest.approx(n / 44, abs=1e-4) for n in UNIT_ITEMS_IN_T2]
    incorporated = client.get("/api/overlap/coverage", params={"incorporated": "true"}).json()
    assert incorporated == [c for c in coverage if c["incorporated"]]
    assert 0 < len(incorporated) < len(coverage)


@pytest.mark.parametrize(
    ("path", "params", "status", "message"),
    [
        ("/api/overlap", {"a": UNIT}, 400, "b: field required"),
        ("/api/overlap", {}, 400, "a: field required; b: field required"),
        ("/api/overlap", {"a": "NOPE-1", "b": UNIT}, 404, "no document 'NOPE-1' in this build"),
        ("/api/overlap", {"a": "KMM5R0951v2", "b": STANDARD}, 404, "did you mean KMM5R0915v2?"),
        ("/api/overlap", {"a": UNIT, "b": UNIT}, 400, f"give two different documents, not '{UNIT}' twice"),
        ("/api/overlap", {"a": UNIT, "b": STANDARD, "min-relation": "near"}, 400, "unknown mapping relation"),
        ("/api/overlap", {"a": UNIT, "b": STANDARD, "kind": "verb"}, 400, "unknown item kind 'verb'"),
        ("/api/overlap", {"a": "K" * 5000, "b": UNIT}, 400, "a: string should have at most 200 characters"),
        ("/api/overlap/matrix", {"min-relation": "near"}, 400, "unknown mapping relation 'near'"),
    ],
)
def test_api_overlap_bad_requests_are_json_4xx(client, path, params, status, message):
    response = client.get(path, params=params)
    assert_clean_error(response, status)
    assert response.json()["status"] == status
    assert message in response.json()["error"]
    assert len(response.text) < 600  # a huge parameter is not echoed back whole


def test_a_build_without_mappings_says_so(tmp_path):
    settings = Settings.load(build_dir=tmp_path, embedder="none")
    kg.build([ROOT / "data" / "raw" / f"{UNIT}.txt", ROOT / "data" / "raw" / f"{STANDARD}.txt"], settings)
    with TestClient(create_app(settings)) as test_client:
        for path in ("/api/overlap/matrix", "/api/overlap/coverage"):
            assert_clean_error(test_client.get(path), 400, "has no overlap mappings")
        response = test_client.get("/api/overlap", params={"a": UNIT, "b": STANDARD})
        assert_clean_error(response, 400, "no search index")
        assert_clean_error(test_client.get("/overlap", headers=HTML), 400, "has no overlap mappings")
        page = test_client.get(f"/document/{UNIT}")  # the document itself still shows, without overlap
        assert (
            page.status_code == 200 and 'id="document-table"' in page.text and "Overlap with" not in page.text
        )
        item = test_client.get(f"/document/{UNIT}/P4.2")
        assert item.status_code == 200 and "P4.2" in item.text and "Mapped items" not in item.text


# --- the overlap page -----------------------------------------------------------------------------


def cells(html: str) -> dict[tuple[str, str], str]:
    """The matrix's cells as (row, column) -> the percentage shown."""
    found = re.findall(r'title="([^"]+) → ([^"]+): [\d.]+%">\s*<a href="[^"]+">(\d+)%</a>', html)
    return {(row, column): shown for row, column, shown in found}


def test_the_overlap_page_draws_the_document_matrix(client):
    page = client.get("/overlap", headers=HTML)
    assert page.status_code == 200
    shown = cells(page.text)
    assert len(shown) == len(SEED_CODES) * (len(SEED_CODES) - 1)  # every pair both ways, not the diagonal
    matrix = kg.open(settings=client.app.state.settings).matrix()
    assert all(shown[(r, c)] == f"{matrix.loc[r, c] * 100:.0f}" for r, c in shown)
    assert int(shown[(UNIT, STANDARD)]) > 80  # 88% here; the unit is nearly all inside the standard
    assert f'href="/overlap?a={UNIT}&amp;b={STANDARD}&amp;min-relation=close"' in page.text
    strongest = page.text[page.text.index('id="strongest"') :]
    assert strongest.index(f'href="/document/{UNIT}"') < strongest.index('href="/document/BAS2421-003v4"')
    coverage = page.text[page.text.index('id="coverage"') :]
    assert f'href="/document/{STANDARD}/T2"' in coverage and "18/18" in coverage
    assert 'href="/overlap"' in client.get("/").text  # in the site's navigation


def test_the_overlap_page_takes_the_weakest_relation_and_a_choice_of_documents(client):
    exact, related = (
        cells(client.get("/overlap", params={"min-relation": r}).text) for r in ("exact", "related")
    )
    assert all(int(exact[key]) <= int(related[key]) for key in exact)
    page = client.get("/overlap", params={"document": [STANDARD, UNIT, STANDARD]})
    assert set(cells(page.text)) == {(STANDARD, UNIT), (UNIT, STANDARD)}
    assert "顯示 2 / 5 份文件" in page.text


def test_the_pair_page_lists_what_the_api_returns(client):
    params = {"a": UNIT, "b": STANDARD, "min-relation": "close"}
    page = client.get("/overlap", params=params)
    assert page.status_code == 200
    expected = client.get("/api/overlap", params=params).json()["pairs"]
    table = page.text[page.text.index('id="pairs"') :]
    row = rf'href="/document/{UNIT}/([^"]+)">.*?class="relation (\w+)">.*?href="/document/{STANDARD}/([^"]+)"'
    rows = re.findall(row, table, flags=re.S)
    assert len(rows) > 40
    assert rows == [(p["a"]["code"], p["relation"], p["b"]["code"]) for p in expected]
    incorporation = page.text[page.text.index('id="incorporation"') :]
    assert "18/18" in incorporation and f'href="/document/{STANDARD}/T2"' in incorporation
    only_skills = client.get("/overlap", params={**params, "kind": "skill"}).text
    assert 'class="kind">技能' in only_skills and 'class="kind">行為指標' not in only_skills


def test_a_document_page_shows_what_it_shares_with_the_others(client):
    unit = client.get(f"/document/{UNIT}").text
    section = unit[unit.index("Overlap with other documents") : unit.index('id="overlaps"')]
    assert "This unit is incorporated in" in section and f'href="/document/{STANDARD}/T2"' in section
    table = unit[unit.index('id="overlaps"') : unit.index("</table>", unit.index('id="overlaps"'))]
    listed = re.findall(
        r'<tr>\s*<td><a href="/document/([^"]+)">.*?"score">(\d+)%.*?"score">(\d+)%', table, re.S
    )
    assert listed[0][0] == STANDARD  # the standard the unit is copied into shares most with it
    assert int(listed[0][1]) > 80 and int(listed[0][2]) < 30  # 88% and 20% here
    assert {code for code, _, _ in listed} == set(SEED_CODES) - {UNIT}
    standard = client.get(f"/document/{STANDARD}").text
    assert "incorporates the unit" in standard and f'<a href="/document/{UNIT}">{UNIT}</a>' in standard


def test_an_item_page_lists_its_mapped_items_strongest_first(client):
    page = client.get(f"/document/{UNIT}/P4.2").text
    table = page[page.index('id="mapped"') : page.index("</table>", page.index('id="mapped"'))]
    rows = re.findall(r'class="code" href="/document/([^"]+)/([^"]+)">.*?class="relation (\w+)"', table, re.S)
    expected = kg.item_mappings(UNIT, "P4.2", client.app.state.settings)
    assert rows == list(zip(expected["document"], expected["code"], expected["relation"], strict=True))
    assert rows[0] == (STANDARD, "P2.4.2", "exact")
    assert 'id="no-mapped"' in client.get(f"/document/{STANDARD}/P1.1.2").text


def test_a_pair_without_corresponding_items_says_so(client):
    page = client.get(
        "/overlap", params={"a": STANDARD, "b": UNIT, "kind": "attitude", "min-relation": "exact"}
    )
    assert page.status_code == 200 and 'id="no-pairs"' in page.text


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"a": UNIT}, 400, "give two documents, a and b, to compare"),
        ({"a": UNIT, "b": "NOPE-1"}, 404, "no document &#39;NOPE-1&#39; in this build"),
        ({"a": UNIT, "b": UNIT}, 400, "give two different documents"),
        ({"a": UNIT, "b": STANDARD, "kind": "verb"}, 400, "unknown item kind &#39;verb&#39;"),
        ({"min-relation": "near"}, 400, "unknown mapping relation &#39;near&#39;"),
        ({"document": "NOPE-1"}, 404, "no document &#39;NOPE-1&#39; in this build"),
        ({"document": "K" * 5000}, 400, "a document code has at most 200 characters"),
        ({"document": [UNIT] * 201}, 400, "pick at most 200 documents"),
        ({"a": "K" * 5000, "b": UNIT}, 400, "a: string should have at most 200 characters"),
    ],
)
def test_overlap_page_bad_requests_are_4xx_pages(client, params, status, message):
    response = client.get("/overlap", params=params, headers=HTML)
    assert_clean_error(response, status, message)
    assert response.headers["content-type"].startswith("text/html")
    assert "K" * 300 not in response.text


# --- choosing what a large matrix shows ------------------------------------------------------------


def as_pairs(shares: dict[tuple[str, str], float]) -> pandas.DataFrame:
    rows = [(row, column, share) for (row, column), share in shares.items()]
    return pandas.DataFrame(rows, columns=["row", "column", "share"])


def test_a_large_matrix_shows_the_documents_that_overlap_most():
    codes = [f"D{n:03}" for n in range(MATRIX_DOCUMENTS + 10)]
    shares = as_pairs({(codes[n], codes[n + 1]): 0.01 * (n + 1) for n in range(len(codes) - 1)})
    shown = most_overlapping(shares, codes, MATRIX_DOCUMENTS)
    assert len(shown) == MATRIX_DOCUMENTS and shown == sorted(shown)
    assert shown[0] == codes[len(codes) - MATRIX_DOCUMENTS] and shown[-1] == codes[-1]
    assert most_overlapping(shares, codes[:5], MATRIX_DOCUMENTS) == codes[:5]
    # a document overlapping nothing is shown only when others are too few to fill the matrix
    assert "LONE" not in most_overlapping(shares, [*codes, "LONE"], MATRIX_DOCUMENTS)


def test_the_strongest_pairs_count_each_pair_once_with_its_other_direction():
    shares = as_pairs({("A", "B"): 0.9, ("B", "A"): 0.2, ("C", "D"): 0.5, ("E", "A"): 0.1})
    codes = list("ABCDE")
    assert strongest_pairs(shares, codes, 10) == [
        {"row": "A", "column": "B", "share": 0.9, "back": 0.2},
        {"row": "C", "column": "D", "share": 0.5, "back": 0.0},
        {"row": "E", "column": "A", "share": 0.1, "back": 0.0},
    ]
    assert strongest_pairs(shares, codes, 1) == strongest_pairs(shares, codes, 10)[:1]
    assert strongest_pairs(as_pairs({}), list("AB"), 5) == []
    assert partners(shares, "A").to_dict(orient="records") == [
        {"other": "B", "share": 0.9, "back": 0.2},
        {"other": "E", "share": 0.0, "back": 0.1},
    ]


def test_the_shares_of_a_build_are_its_matrix_without_the_square(client):
    graph = kg.open(settings=client.app.state.settings)
    for relation in ("exact", "close", "related"):
        matrix, shares = graph.matrix(min_relation=relation), graph.pair_shares(min_relation=relation)
        cells = {(r, c): v for r, row in matrix.iterrows() for c, v in row.items() if r != c and v > 0}
        assert {(r, c): v for r, c, v in shares.itertuples(index=False)} == cells


def test_the_overlap_page_lists_the_most_covered_units_first_and_says_how_many_more(client, monkeypatch):
    everything = client.get("/overlap").text
    listed = everything[everything.index('id="coverage"') :]
    assert f'href="/overlap?a={UNIT}&amp;b={STANDARD}"' in listed and " shown" not in listed
    monkeypatch.setattr(overlap_page, "COVERAGE_ROWS", 0)  # the seeds have one incorporated unit
    page = client.get("/overlap").text
    listed = page[page.index('id="coverage"') :]
    assert f'href="/overlap?a={UNIT}&amp;b={STANDARD}"' not in listed and "(0 of 1 shown" in listed
    assert 'href="/api/overlap/coverage?incorporated=true"' in listed
