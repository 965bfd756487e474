"""How error messages name what is wrong: unknown document codes, undeclared SPARQL prefixes."""

from __future__ import annotations

import pytest

from kg.errors import no_such_document
from kg.query.errors import QueryError, undeclared_prefix

SEEDS = ["BAS1499-003", "BAS2421-003v4", "BGM4R0172v2", "KMM5R0915v2", "TTM3R0299v2"]


def test_an_unknown_code_suggests_the_code_meant():
    assert (
        no_such_document("kmm5r0915v2", SEEDS)
        == "no document 'kmm5r0915v2' in this build; did you mean KMM5R0915v2?"
    )
    assert no_such_document("KMM5R0951v2", SEEDS).endswith("did you mean KMM5R0915v2?")
    assert no_such_document("BAS1499-03", SEEDS).endswith("did you mean BAS1499-003?")
    guessed = no_such_document("ABC-00", ["ABC-001", "ABC-002", "XYZ-001"])  # best first; ties either way
    assert guessed.split("; ")[1] in ("did you mean ABC-001 or ABC-002?", "did you mean ABC-002 or ABC-001?")


def test_without_a_likely_code_a_few_documents_are_listed_and_many_are_not():
    assert no_such_document("客訴", SEEDS, "the index") == (
        "no document '客訴' in the index; the documents are: " + ", ".join(SEEDS)
    )
    many = [f"SYN{n:05d}" for n in range(2700)]
    assert no_such_document("客訴", many) == "no document '客訴' in this build"


@pytest.mark.parametrize(
    ("sparql", "found"),
    [
        ("SELECT * { ?d a kg:Task ; foo:bar ?o }", ("foo", 1, 27)),
        ("SELECT * {\n  ?d :bar ?o }", ("", 2, 6)),
        ("PREFIX foo: <http://x/>\nSELECT * { ?d foo:bar ?o ; ex:p ?q }", ("ex", 2, 28)),
        ("SELECT * { ?d skos:notation ?c . FILTER(?c = 'a:b' || ?c = \"x:y\") } # see:this", None),
        ("SELECT * { ?d <http://x/a:b> ?o . ?o dcterms:isPartOf <urn:x:y> }", None),
        ('SELECT * { ?d rdfs:comment """multi\nline: x:y""" }', None),
        ("prefix my-p.x: <http://x/> SELECT * { ?d my-p.x:a ?o }", None),
    ],
)
def test_undeclared_prefixes_are_found_outside_strings_iris_and_comments(sparql, found):
    assert undeclared_prefix(sparql) == found


def test_an_undeclared_prefix_after_a_semicolon_is_named_not_the_parsers_guess(query):
    with pytest.raises(QueryError) as caught:
        query("SELECT * WHERE { ?d a kg:Task ; foo:bar ?o }")
    assert "line 1, column 33: unknown prefix 'foo:'" in str(caught.value)
    assert "OPTIONAL" not in str(caught.value)
