"""`kgf:nearest`: the k items nearest a question, from the build's vector index, inside SPARQL."""

from __future__ import annotations

import pytest

import kg
from conftest import values
from kg.api import run_query
from kg.errors import KgError
from kg.query.nearest_values import with_nearest_values

BASE = "https://w3id.org/icap-kg/id/"
KG = "https://w3id.org/icap-kg/ontology#"
QUESTION = "客訴處理"
# The named query as it was before kgf:nearest: kgf:similarity called for every indicator.
SCORING_EVERY_INDICATOR = """
SELECT ?doc_code ?task_code ?code ?text ?score
WHERE {
  ?doc a kg:CompetencyStandard ; skos:notation ?doc_code .
  ?indicator a kg:BehaviourIndicator ; dcterms:isPartOf ?doc ; skos:notation ?code ; kg:text ?text .
  ?task a kg:Task ; kg:hasPart ?indicator ; skos:notation ?task_code .
  BIND(kgf:similarity(?indicator, "客訴處理") AS ?score)
}
ORDER BY DESC(?score) ?doc_code ?code
LIMIT LIMIT_ROWS
"""
NEAREST = "SELECT ?item WHERE { ?item kg:inDocument ?doc . FILTER(kgf:nearest(?item, QUESTION, K CLASSES)) }"
PER_ROW = NEAREST.replace("CLASSES))", "CLASSES) || false)")
SCORES = (
    "SELECT ?item ?score WHERE { ?item kg:inDocument ?doc . BIND(kgf:similarity(?item, QUESTION) AS ?score) }"
)
# kind filters as search has them: (item classes, document classes)
CLASSES = [
    ((), ()),
    (("BehaviourIndicator",), ()),
    (("BehaviourIndicator",), ("CompetencyStandard",)),
    (("Knowledge", "Skill"), ("CompetencyUnit",)),
]
SLACK = 1e-4  # cosines from FAISS and from kgf:similarity differ in the last digits, and across CPUs


def fill(text: str, question: str = QUESTION, k: int = 10, classes: tuple[str, ...] = ()) -> str:
    written = "".join(f", kg:{name}" for name in classes)
    return text.replace("QUESTION", f'"{question}"').replace("K CLASSES", f"{k}{written}")


def items(result) -> set[str]:
    return {iri for (iri,) in values(result, "item")}


@pytest.fixture(scope="module")
def searched(built) -> dict[str, tuple[str, str]]:
    """The items search indexes: (their kind, their document's kind), by IRI."""
    index = kg.open(settings=built).searcher.index
    return {item.iri: (item.kind, item.document_kind) for item in index.items}


def kept(searched, item_classes: tuple[str, ...], document_classes: tuple[str, ...]) -> set[str]:
    kinds = {"BehaviourIndicator": "indicator", "Knowledge": "knowledge", "Skill": "skill"}
    documents = {"CompetencyStandard": "standard", "CompetencyUnit": "unit"}
    return {
        iri
        for iri, (kind, document_kind) in searched.items()
        if (not item_classes or kind in {kinds[c] for c in item_classes})
        and (not document_classes or document_kind in {documents[c] for c in document_classes})
    }


@pytest.mark.parametrize(("item_classes", "document_classes"), CLASSES)
@pytest.mark.parametrize("k", [1, 7, 40])
def test_nearest_gives_the_k_items_kgf_similarity_scores_highest(
    query, searched, item_classes, document_classes, k
):
    """Every item scoring clearly above the k-th of its classes is found, none clearly below it."""
    scores = {iri: score for iri, score in values(query(fill(SCORES)), "item", "score") if score is not None}
    ranked = sorted((scores[iri] for iri in kept(searched, item_classes, document_classes)), reverse=True)
    kth = ranked[k - 1]
    found = items(query(fill(NEAREST, k=k, classes=item_classes + document_classes)))
    assert len(found) == k
    assert found <= kept(searched, item_classes, document_classes)
    assert all(scores[iri] >= kth - SLACK for iri in found)
    assert {
        iri for iri in kept(searched, item_classes, document_classes) if scores[iri] > kth + SLACK
    } <= found


def test_the_named_query_gives_the_rows_of_scoring_every_indicator(query):
    named = kg.named_query("complaint-handling-by-similarity").text
    columns = ("doc_code", "task_code", "code", "text", "score")
    old = values(query(SCORING_EVERY_INDICATOR.replace("LIMIT_ROWS", "5")), *columns)
    assert values(query(named), *columns) == old
    assert len(old) == 5 and old[0][:3] == ("BAS1499-003", "T4", "P4.2.2")
    # more rows, as its comment says to get them: a LIMIT well below k keeps the answer
    wider = named.replace("LIMIT 5", "LIMIT 20")
    assert values(query(wider), *columns) == values(
        query(SCORING_EVERY_INDICATOR.replace("LIMIT_ROWS", "20")), *columns
    )


def test_the_named_query_gives_the_same_rows_on_the_rdflib_store(built, query):
    named = kg.named_query("complaint-handling-by-similarity").text
    columns = ("doc_code", "task_code", "code", "score")
    assert values(run_query(named, built.with_(store="rdflib")), *columns) == values(query(named), *columns)


@pytest.mark.parametrize(("item_classes", "document_classes"), CLASSES[:3])
def test_nearest_called_per_row_gives_the_same_answer(query, item_classes, document_classes):
    classes = item_classes + document_classes
    assert items(query(fill(PER_ROW, k=12, classes=classes))) == items(
        query(fill(NEAREST, k=12, classes=classes))
    )


def test_another_question_and_variable_work_alike(query, searched):
    sparql = 'SELECT ?k WHERE { FILTER(kgf:nearest(?k, "staff turnover", 3, kg:Knowledge)) ?k kg:text ?t }'
    found = {iri for (iri,) in values(query(sparql), "k")}
    assert len(found) == 3 and all(searched[iri][0] == "knowledge" for iri in found)


# --- the rewrite into VALUES --------------------------------------------------------------------------


def nearest(question: str, k: int, classes: tuple[str, ...]) -> frozenset[str]:
    names = "+".join(c.rsplit("#", 1)[-1] for c in classes)
    return frozenset(f"{BASE}X/{question}-{i}-{names}" for i in range(min(k, 2)))


def test_a_standalone_filter_becomes_values_of_the_nearest_items():
    sparql = 'SELECT ?i WHERE { ?i a kg:Task . FILTER ( kgf:nearest(?i, "客訴", 2) ) }'
    assert with_nearest_values(sparql, nearest) == (
        f"SELECT ?i WHERE {{ ?i a kg:Task . VALUES ?i {{ <{BASE}X/客訴-0-> <{BASE}X/客訴-1-> }} }}"
    )


def test_the_rewrite_reads_classes_prefixes_full_iris_escapes_and_language_tags():
    declared = (
        "PREFIX f: <https://w3id.org/icap-kg/function#> PREFIX o: <https://w3id.org/icap-kg/ontology#> "
        'SELECT * { filter(f:nearest(?x, "a\\"b"@zh, +1, o:Skill, <https://w3id.org/icap-kg/ontology#Note>))'
        " }"
    )
    assert with_nearest_values(declared, nearest).endswith(f'VALUES ?x {{ <{BASE}X/a"b-0-Skill+Note> }} }}')
    full = "SELECT * { FILTER(<https://w3id.org/icap-kg/function#nearest>(?x, '''預算''', 5)) }"
    assert with_nearest_values(full, nearest).endswith(
        f"VALUES ?x {{ <{BASE}X/預算-0-> <{BASE}X/預算-1-> }} }}"
    )


def test_each_standalone_use_is_rewritten_with_its_own_arguments():
    sparql = (
        'SELECT * { FILTER(kgf:nearest(?a, "甲", 1)) ?a ?p ?b . FILTER(kgf:nearest(?b, "乙", 1, kg:Task))\n'
        '  { FILTER(kgf:nearest(?c, "丙", 1)) } }'
    )
    rewritten = with_nearest_values(sparql, nearest)
    assert "kgf:nearest" not in rewritten
    assert f"VALUES ?a {{ <{BASE}X/甲-0-> }}" in rewritten
    assert f"VALUES ?b {{ <{BASE}X/乙-0-Task> }}" in rewritten
    assert f"{{ VALUES ?c {{ <{BASE}X/丙-0-> }} }}" in rewritten


@pytest.mark.parametrize(
    "sparql",
    [
        'SELECT * { ?x ?p ?o . FILTER(kgf:nearest(?x, "q", 5) || ?o = 1) }',  # not alone in its filter
        'SELECT * { ?x ?p ?o . FILTER(!kgf:nearest(?x, "q", 5)) }',
        'SELECT * { ?x ?p ?o . BIND(kgf:nearest(?x, "q", 5) AS ?b) }',
        'SELECT * { ?x ?p "FILTER(kgf:nearest(?x, \\"q\\", 5))" }',  # a string
        'SELECT * { ?x ?p ?o } # FILTER(kgf:nearest(?x, "q", 5))',  # a comment
        "SELECT * { ?x ?p ?o . FILTER(kgf:nearest(?x, ?o, 5)) }",  # the question is not written out
        'SELECT * { ?x ?p ?o . FILTER(kgf:nearest(?x, "q", ?o)) }',  # nor k
        'SELECT * { ?x ?p ?o . FILTER(kgf:nearest(?x, "q", 5, ?o)) }',  # nor a class
        'SELECT * { ?x ?p ?o . FILTER(kgf:nearest(?x, "q", 2 + 3)) }',  # k is an expression
        'SELECT * { ?x ?p ?o . FILTER(kgf:nearest(<http://x>, "q", 5)) }',  # no variable to bind
        'SELECT * { ?x ?p ?o . FILTER(kgf:nearest(?x, "q")) }',  # too few arguments: the call says so
    ],
)
def test_other_uses_are_left_to_run_per_row(sparql):
    assert with_nearest_values(sparql, nearest) == sparql


# --- errors ---------------------------------------------------------------------------------------

K_RULE = r"kgf:nearest: how many \(the third argument\) must be a whole number from 1 to 1000"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ('kgf:nearest(?item, "客訴", 0)', f"{K_RULE}, not 0"),
        ('kgf:nearest(?item, "客訴", -3)', f"{K_RULE}, not -3"),
        ('kgf:nearest(?item, "客訴", 1001)', f"{K_RULE}, not 1001"),
        ('kgf:nearest(?item, "客訴", 2.5)', f"{K_RULE}, not 2.5"),
        ('kgf:nearest(?item, "客訴", "5")', K_RULE),
        ('kgf:nearest(?item, "   ", 5)', r"kgf:nearest: the question \(the second argument\) is empty"),
        ("kgf:nearest(?item, 12, 5)", r"kgf:nearest: the question \(the second argument\) must be a text"),
        ('kgf:nearest(?item, "客訴", 5, kg:Document)', "kgf:nearest: <.*#Document> is not a class of items"),
        ('kgf:nearest(?item, "客訴", 5, "Task")', 'kgf:nearest: a class to keep must be an IRI, not "Task"'),
        ('kgf:nearest("客訴處理", "客訴", 5)', "kgf:nearest: the first argument must be an item's IRI"),
        ('kgf:nearest(?item, "客訴")', "kgf:nearest takes at least 3 arguments, not 2"),
    ],
)
def test_bad_arguments_fail_the_query_with_their_reason(query, call, message):
    for form in (f"FILTER({call} || false)", f"FILTER({call})"):  # per row, and standalone
        with pytest.raises(KgError, match=message):
            query(f"SELECT ?item WHERE {{ ?item kg:inDocument ?doc . {form} }}")


def test_an_unknown_class_names_the_ones_it_can_keep(query):
    with pytest.raises(KgError, match=r"choose from: kg:Task, .*kg:BehaviourIndicator, .*kg:CompetencyUnit"):
        query(fill(NEAREST, classes=("Mapping",)))


def test_nearest_over_a_build_without_an_index_is_an_error_not_an_empty_answer(unindexed):
    settings = unindexed
    for text in (NEAREST, PER_ROW):
        with pytest.raises(
            KgError, match=r"kgf:nearest needs the build's search index: .*has no search index"
        ):
            run_query(fill(text), settings)
