"""Browsing documents by facet (kg.catalogue) and its pages (/documents, /api/documents)."""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook

from conftest import SEED_CODES
from kg.catalogue import Catalogue, concept_key, entry
from kg.errors import KgError
from kg.knowledge_graph import KnowledgeGraph
from kg.store.layout import CATALOGUE_FILE, current_build


def _document(code: str, kind: str = "standard", level: int | None = 3, **fields: object) -> dict:
    return {"code": code, "kind": kind, "title": f"title {code}", "level": level, "tasks": [{}], **fields}


OCCUPATION = {"name": "客服人員", "code": "4222"}
CORPUS = [
    _document(
        "A-1",
        occupations=[OCCUPATION, {"name": "收銀員", "code": "4211"}],
        category={"name": "行政", "code": "BAS"},
    ),
    _document("A-2", level=5, occupation=OCCUPATION, industry={"name": "零售業", "code": "G47"}),
    _document("A-3", level=5, category={"name": "行政", "code": "BAS"}),
    _document("U-1", kind="unit", level=5, domain="行銷與銷售/行銷管理"),
    _document("U-2", kind="unit", level=None, domain=" "),
]


def _counts(page, facet: str) -> dict[str, int]:
    return {v.value: v.count for v in page.counts[facet]}


def test_a_document_is_filed_under_every_value_its_cells_list():
    filed = entry(CORPUS[0]).values
    assert filed["occupation"] == ("客服人員 (4222)", "收銀員 (4211)")  # several codes in one cell
    assert (
        filed["category"] == ("行政 (BAS)",) and filed["level"] == ("3",) and filed["kind"] == ("standard",)
    )
    assert entry(CORPUS[1]).values["occupation"] == ("客服人員 (4222)",)  # the single field of older JSON
    assert entry(CORPUS[4]).values["domain"] == () and entry(CORPUS[4]).values["level"] == ()


def test_a_facet_value_names_the_key_its_concept_is_minted_from():
    assert concept_key("occupation", "客服人員 (4222)") == "4222"
    assert concept_key("industry", "零售業（含網路）(G47)") == "G47"
    assert concept_key("occupation", "收銀員") == "收銀員" and concept_key("category", "BAS") == "BAS"
    assert concept_key("domain", "行銷 (含廣告)") == "行銷 (含廣告)"  # a domain is its text
    assert Catalogue.of(CORPUS).values("level") == ["3", "5"]


def test_values_of_one_facet_add_up_and_facets_narrow_each_other():
    catalogue = Catalogue.of(CORPUS)
    assert [e.code for e in catalogue.browse({"level": ["5"]}).entries] == ["A-2", "A-3", "U-1"]
    assert [e.code for e in catalogue.browse({"level": ["3", "5"]}).entries] == ["A-1", "A-2", "A-3", "U-1"]
    both = catalogue.browse({"level": ["5"], "kind": ["standard"]})
    assert [e.code for e in both.entries] == ["A-2", "A-3"] and both.total == 2


def test_each_facets_counts_are_what_the_other_facets_leave():
    page = Catalogue.of(CORPUS).browse({"level": ["5"]})
    assert _counts(page, "kind") == {"standard": 2, "unit": 1}  # among level 5
    assert _counts(page, "level") == {"3": 1, "5": 3}  # level's own choice does not narrow its counts
    assert [v.chosen for v in page.counts["level"]] == [False, True]
    assert _counts(page, "occupation") == {"客服人員 (4222)": 1}
    unknown = Catalogue.of(CORPUS).browse({"domain": ["不存在"]})
    assert unknown.total == 0 and _counts(unknown, "domain")["不存在"] == 0  # a choice stays visible


def test_sorting_and_paging():
    catalogue = Catalogue.of(CORPUS)
    first = catalogue.browse(sort="level", size=2)
    assert [e.code for e in first.entries] == ["A-1", "A-2"] and first.pages == 3
    last = catalogue.browse(sort="level", size=2, page=3)
    assert [e.code for e in last.entries] == ["U-2"]  # no level last
    assert [e.code for e in catalogue.browse(sort="title").entries] == sorted(d["code"] for d in CORPUS)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda c: c.browse({"colour": ["red"]}), "unknown facet 'colour'; the facets are: category, domain"),
        (lambda c: c.browse(sort="size"), "unknown sort 'size'; sort by one of: code, title, level, tasks"),
        (lambda c: c.browse(page=0), "page must be 1 or more, not 0"),
        (lambda c: c.browse(page=9), r"page 9 is past the last page \(1\)"),
        (lambda c: c.browse(size=0), "size .* must be 1 to 500, not 0"),
    ],
)
def test_bad_choices_say_what_is_wrong(call, message):
    with pytest.raises(KgError, match=message):
        call(Catalogue.of(CORPUS))


def test_the_build_files_its_catalogue_as_the_parsed_documents_would(built, tmp_path):
    filed = current_build(built.build_dir) / CATALOGUE_FILE
    opened = KnowledgeGraph(built)
    try:
        from_documents = Catalogue.of(opened.parsed.values())
        # what the first page reads, rather than documents.json
        assert Catalogue.read(filed).entries == from_documents.entries
        assert opened.catalogue().entries == from_documents.entries
    finally:
        opened.close()
    copy = tmp_path / CATALOGUE_FILE
    from_documents.write(copy)
    assert Catalogue.read(copy).entries == from_documents.entries
    for damaged in ('[{"code": "A"}]', "[1, 2]", "not json"):
        copy.write_text(damaged, encoding="utf-8")
        with pytest.raises(KgError, match=r"the catalogue cannot be read from .*: run `kg build` again"):
            Catalogue.read(copy)


def test_the_page_lists_documents_with_facet_counts_and_links(client):
    page = client.get("/documents", params={"kind": "unit"})
    assert page.status_code == 200
    assert "KMM5R0915v2" in page.text and "BAS1499-003" not in page.text
    assert 'href="/documents"' in page.text  # clear all
    assert 'data-facet="domain"' in page.text and "行銷與銷售/行銷管理" in page.text
    assert 'href="/api/documents?kind=unit&amp;format=xlsx"' in page.text
    every = client.get("/documents")
    assert all(code in every.text for code in SEED_CODES) and 'href="/documents"' in client.get("/").text


def test_the_api_gives_a_page_as_json_and_every_document_as_csv_or_xlsx(client):
    body = client.get("/api/documents", params={"kind": "unit", "size": 2}).json()
    assert body["total"] == 3 and body["pages"] == 2 and len(body["documents"]) == 2
    assert {v["value"]: v["count"] for v in body["facets"]["kind"]} == {"standard": 2, "unit": 3}
    table = client.get("/api/documents", params={"kind": "unit", "size": 2, "format": "csv"})
    rows = list(csv.reader(io.StringIO(table.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["代碼 Code", "名稱 Title"] and len(rows) == 4  # every page's documents
    book = load_workbook(io.BytesIO(client.get("/api/documents", params={"format": "xlsx"}).content))
    assert book.active.max_row == 1 + len(SEED_CODES)


@pytest.mark.parametrize(
    ("path", "params", "message"),
    [
        ("/documents", {"colour": "red"}, None),
        ("/api/documents", {"sort": "size"}, "unknown sort 'size'"),
        ("/api/documents", {"page": 9}, "page 9 is past the last page"),
        ("/api/documents", {"format": "pdf"}, "unknown format 'pdf'"),
        ("/api/search", {"q": "客訴處理", "format": "pdf"}, "unknown format 'pdf'; choose one of: json, csv"),
    ],
)
def test_bad_requests_are_400(client, path, params, message):
    answer = client.get(path, params=params, headers={"Accept": "application/json"})
    if message is None:  # an unknown parameter is ignored, as everywhere else
        assert answer.status_code == 200
    else:
        assert answer.status_code == 400 and message in answer.json()["error"]


def test_the_search_page_narrows_by_classification_and_pages(client):
    plain = client.get("/search", params={"q": "客訴處理"})
    assert plain.status_code == 200 and 'id="search-facets"' in plain.text
    assert 'data-facet="domain"' in plain.text and "行銷與銷售/行銷管理" in plain.text
    narrowed = client.get("/search", params={"q": "客訴處理", "domain": "行銷與銷售/行銷管理"})
    documents = re.findall(r'class="doc-title" href="/document/([^"]+)"', narrowed.text)
    assert documents == ["KMM5R0915v2"]  # the one unit of that domain
    assert 'name="domain" value="行銷與銷售/行銷管理"' in narrowed.text  # the form keeps the choice
    first = client.get("/search", params={"q": "客訴處理", "top": 2})
    second = client.get("/search", params={"q": "客訴處理", "top": 2, "page": 2})
    on_first = re.findall(r'class="doc-title" href="/document/([^"]+)"', first.text)
    on_second = re.findall(r'class="doc-title" href="/document/([^"]+)"', second.text)
    assert len(on_first) == 2 and on_second and not set(on_first) & set(on_second)
    assert 'rel="next" href="/search?q=' in first.text and "page=2" in first.text
    nothing = client.get("/search", params={"q": "客訴處理", "domain": "不存在的領域"})
    assert nothing.status_code == 200 and "no document is filed under the classes chosen" in nothing.text
    assert 'data-value="不存在的領域"' in nothing.text  # still shown, to be taken back
    far = client.get("/search", params={"q": "客訴處理", "top": 100, "page": 9})
    assert far.status_code == 400 and "past the 500 best documents" in far.text


def test_a_download_holds_every_document_however_many_pages():
    many = Catalogue.of([_document(f"S-{n:04d}", level=n % 6 + 1) for n in range(1200)])
    assert len(many.every()) == 1200 and len(many.every({"level": ["3"]})) == 200
    assert [e.code for e in many.every(sort="level")][:2] == ["S-0000", "S-0006"]
    with pytest.raises(KgError, match=r"size \(documents a page\) must be 1 to 500"):
        many.browse(size=1200)  # a page is bounded; the download is not


def test_the_search_api_takes_the_classification_facets_and_the_page_downloads_with_them(client):
    domain = "行銷與銷售/行銷管理"
    body = client.get("/api/search", params={"q": "客訴處理", "domain": domain}).json()
    assert [hit["document"] for hit in body["results"]] == ["KMM5R0915v2"]
    none = client.get("/api/search", params={"q": "客訴處理", "domain": "不存在的領域"}).json()
    assert none["results"] == []
    both = client.get(
        "/api/search", params={"q": "客訴處理", "domain": domain, "document": "BAS1499-003"}
    ).json()
    assert both["results"] == []  # the document is not of that domain
    page = client.get("/search", params={"q": "客訴處理", "domain": domain}).text
    csv_link = re.search(r'<a class="download" href="([^"]+)">CSV</a>', page).group(1).replace("&amp;", "&")
    rows = client.get(csv_link).content.decode("utf-8-sig").splitlines()[1:]
    assert rows and {row.split(",")[0] for row in rows} == {"KMM5R0915v2"}
