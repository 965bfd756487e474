"""How error messages name what is wrong: unknown document codes."""

from __future__ import annotations

from kg.errors import no_such_document

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
