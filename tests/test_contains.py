"""`kgf:contains`: words found by the build's lexical index, inside SPARQL, on every store."""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef

import kg
from conftest import values
from kg.api import run_query
from kg.errors import KgError
from kg.query.fulltext import with_contains_values

BASE = "https://w3id.org/icap-kg/id/"
# Every item whose label or one of its list items (the text search indexes) holds the word,
# read from every label with CONTAINS: what kgf:contains must find from the index.
BY_LABELS = """
SELECT DISTINCT ?item WHERE {
  ?item skos:notation ?code ; kg:inDocument ?doc .
  { ?item skos:prefLabel ?text } UNION { ?item kg:listItem ?text }
  FILTER(CONTAINS(?text, "WORD"))
}
"""
BY_FUNCTION = 'SELECT ?item WHERE { ?item kg:inDocument ?doc . FILTER(kgf:contains(?item, "WORD")) }'
PER_ROW = """
SELECT ?item WHERE {
  ?item kg:inDocument ?doc .
  FILTER(kgf:contains(?item, "WORD") || kgf:contains(?item, "zzzqqq"))
}
"""
WORDS = ["預算", "客戶", "行銷策略", "資料庫", "績效"]


def items(result) -> set[str]:
    return {iri for (iri,) in values(result, "item")}


@pytest.fixture(scope="module")
def searched(built) -> set[str]:
    """The items search indexes (every kind but versions, assessment items ...)."""
    return {item.iri for item in kg.open(settings=built).searcher.index.items}


@pytest.mark.parametrize("word", WORDS)
def test_contains_finds_the_items_whose_text_holds_the_word(query, searched, word):
    expected = items(query(BY_LABELS.replace("WORD", word))) & searched
    assert expected, "each word is in the seeds"
    assert items(query(BY_FUNCTION.replace("WORD", word))) == expected


@pytest.mark.parametrize("word", WORDS[:2])
def test_contains_called_per_row_gives_the_same_answer(query, word):
    assert items(query(PER_ROW.replace("WORD", word))) == items(query(BY_FUNCTION.replace("WORD", word)))


def test_contains_gives_the_same_answer_on_the_rdflib_store(built, query):
    for text in (BY_FUNCTION, PER_ROW):
        sparql = text.replace("WORD", "預算")
        assert items(run_query(sparql, built.with_(store="rdflib"))) == items(query(sparql))


def test_contains_finds_words_not_any_run_of_characters(query):
    """算資 runs across two words (預算資源): CONTAINS finds it, the index does not."""
    assert items(query(BY_LABELS.replace("WORD", "算資")))
    assert items(query(BY_FUNCTION.replace("WORD", "算資"))) == set()


def test_the_budget_query_reads_list_items_too(query):
    """S11 is "數字概念，以：" with the list item 管理預算資源: its label alone never said 預算."""
    found = values(query(kg.named_query("items-mentioning-budget").text), "doc_code", "code")
    assert ("BAS1499-003", "S11") in found
    label = query(f"SELECT ?l WHERE {{ <{BASE}BAS1499-003/S11> skos:prefLabel ?l }}")
    assert "預算" not in values(label, "l")[0][0]


# --- the rewrite into VALUES --------------------------------------------------------------------------


def found(word: str) -> frozenset[str]:
    return frozenset({f"{BASE}X/{word}1", f"{BASE}X/{word}2"})


def test_a_standalone_filter_becomes_values_of_the_items():
    sparql = 'SELECT ?i WHERE { ?i a kg:Knowledge . FILTER ( kgf:contains(?i, "預算") ) }'
    rewritten = with_contains_values(sparql, found)
    assert rewritten == (
        f"SELECT ?i WHERE {{ ?i a kg:Knowledge . VALUES ?i {{ <{BASE}X/預算1> <{BASE}X/預算2> }} }}"
    )


def test_the_rewrite_reads_prefixes_full_iris_escapes_and_language_tags():
    declared = (
        'PREFIX f: <https://w3id.org/icap-kg/function#> SELECT * { filter(f:contains(?x, "a\\"b"@zh)) }'
    )
    rewritten = with_contains_values(declared, found)
    assert "VALUES ?x" in rewritten and 'a"b1' in rewritten
    full = "SELECT * { FILTER(<https://w3id.org/icap-kg/function#contains>(?x, '''預算''')) }"
    assert with_contains_values(full, found).endswith(f"VALUES ?x {{ <{BASE}X/預算1> <{BASE}X/預算2> }} }}")


@pytest.mark.parametrize(
    "sparql",
    [
        'SELECT * { ?x ?p ?o . FILTER(kgf:contains(?x, "預算") || ?o = 1) }',  # not alone in its filter
        'SELECT * { ?x ?p ?o . FILTER(!kgf:contains(?x, "預算")) }',
        'SELECT * { ?x ?p ?o . BIND(kgf:contains(?x, "預算") AS ?b) }',
        'SELECT * { ?x ?p "FILTER(kgf:contains(?x, \\"預算\\"))" }',  # a string
        'SELECT * { ?x ?p ?o } # FILTER(kgf:contains(?x, "預算"))',  # a comment
        "SELECT * { ?x ?p ?o . FILTER(kgf:contains(?x, ?o)) }",  # the word is not a literal
    ],
)
def test_other_uses_are_left_to_run_per_row(sparql):
    assert with_contains_values(sparql, found) == sparql


def test_a_word_no_item_holds_gives_no_rows_on_either_store(query, built):
    sparql = BY_FUNCTION.replace("WORD", "zzzqqq")
    rewritten = with_contains_values(sparql, lambda word: frozenset())
    assert "VALUES ?item { <urn:kg:no-item> }" in rewritten  # not an empty VALUES
    assert items(query(sparql)) == set()
    assert items(run_query(sparql, built.with_(store="rdflib"))) == set()  # rdflib fails on `VALUES ?x { }`


# --- errors ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ('kgf:contains(?item, "   ")', r"kgf:contains: the word \(the second argument\) is empty"),
        ('kgf:contains(?item, "的")', "kgf:contains: '的' has no word the search index keeps"),
        ("kgf:contains(?item, 12)", r"kgf:contains: the word \(the second argument\) must be a text"),
        ('kgf:contains("預算編列", "預算")', "kgf:contains: the first argument must be an item's IRI"),
        ("kgf:contains(?item)", "kgf:contains takes 2 arguments, not 1"),
    ],
)
def test_bad_arguments_fail_the_query_with_their_reason(query, call, message):
    with pytest.raises(KgError, match=message):
        query(f"SELECT ?item WHERE {{ ?item kg:inDocument ?doc . FILTER({call} || false) }}")
    if "?item)" not in call:  # the standalone form is refused before the query runs, alike
        with pytest.raises(KgError, match=message):
            query(f"SELECT ?item WHERE {{ ?item kg:inDocument ?doc . FILTER({call}) }}")


def test_an_iri_that_is_no_item_is_false(built):
    function = kg.open(settings=built)._live().contains
    assert function(URIRef(f"{BASE}BAS1499-003"), Literal("預算")).toPython() is False
    assert function(URIRef(f"{BASE}BAS1499-003/K16"), Literal("預算")).toPython() is True


def test_contains_over_a_build_without_an_index_is_an_error_not_an_empty_answer(unindexed):
    settings = unindexed
    for sparql in (BY_FUNCTION, PER_ROW):
        with pytest.raises(
            KgError, match=r"kgf:contains needs the build's search index: .*has no search index"
        ):
            run_query(sparql.replace("WORD", "預算"), settings)
