"""The search page and API: what a question was read to ask for, chips, and "nothing found"."""

from __future__ import annotations

import html as html_module
import re

from test_server import assert_clean_error


def results_part(page_text: str) -> str:
    return page_text.split('id="results"')[1] if 'id="results"' in page_text else ""


def test_the_page_shows_what_was_understood_as_a_removable_chip(client):
    page = client.get("/search", params={"q": "哪些單元涵蓋客訴處理"})
    assert page.status_code == 200
    assert 'id="understood"' in page.text
    assert 'data-part="document_kinds"' in page.text
    assert "BAS1499-003" not in results_part(page.text)  # units only
    link = html_module.unescape(re.search(r'class="chip-remove" href="([^"]+)"', page.text).group(1))
    assert "ignore=document_kinds" in link
    without = client.get(link)
    assert without.status_code == 200
    assert 'id="understood"' not in without.text
    first = re.search(r'class="doc-title" href="/document/([^"]+)"', without.text).group(1)
    assert first == "BAS1499-003"
    # the form keeps the removal, so asking again does not bring the chip back
    assert '<input type="hidden" name="ignore" value="document_kinds">' in without.text


def test_the_page_shows_the_chinese_words_an_english_question_was_searched_with(client):
    page = client.get("/search", params={"q": "complaint"})
    gloss = re.search(r'<p class="gloss" id="gloss">(.*?)</p>', page.text, re.S)
    assert gloss and "Also searched in Chinese as" in gloss.group(1) and "客訴、投訴" in gloss.group(1)
    assert 'id="gloss"' not in client.get("/search", params={"q": "客訴"}).text


def test_the_page_says_when_no_document_covers_the_question(client):
    page = client.get("/search", params={"q": "how to bake bread"})
    assert page.status_code == 200
    assert 'id="no-good-match"' in page.text
    assert "no document covers this question well" in page.text
    assert 1 <= page.text.count('class="document-hit weak"') <= 3


def test_an_answered_question_has_no_warning_and_explains_its_scores(client):
    page = client.get("/search", params={"q": "客訴處理"})
    assert 'id="no-good-match"' not in page.text
    assert "calibrated chance of relevance" in page.text


def test_the_api_reports_the_reading_and_takes_ignore_and_literal(client):
    asked = client.get("/api/search", params={"q": "which units cover complaint handling"}).json()
    assert asked["understood"] == {"document_kinds": ["unit"]}
    assert asked["calibrated"] is True and asked["no_good_match"] is False
    ignored = client.get(
        "/api/search", params={"q": "which units cover complaint handling", "ignore": "document_kinds"}
    ).json()
    literal = client.get(
        "/api/search", params={"q": "which units cover complaint handling", "literal": "true"}
    )
    assert ignored["understood"] == literal.json()["understood"] == {}
    assert ignored["results"][0]["document"] == "BAS1499-003"
    bread = client.get("/api/search", params={"q": "how to bake bread", "by": "item"}).json()
    assert bread["no_good_match"] is True and 1 <= len(bread["results"]) <= 3


def test_ignoring_an_unknown_part_is_a_clean_400(client):
    response = client.get("/api/search", params={"q": "客訴", "ignore": "colour"})
    assert response.status_code == 400
    assert "unknown reading to ignore 'colour'" in response.json()["error"]
    assert_clean_error(
        client.get("/search", params={"q": "客訴", "ignore": "colour"}), 400, "unknown reading"
    )
