"""The RDF graph of the seeds: the contract triples, reasoning, SHACL, IRIs."""

from __future__ import annotations

import pytest
from rdflib import OWL, RDF, Graph, Literal, URIRef

from conftest import RAW, SEED_CODES, values
from kg.errors import KgError
from kg.graph.convert import document_graph
from kg.graph.ontology import load_ontology, load_shapes
from kg.graph.reasoning import get_reasoner
from kg.graph.validate import validate_graph
from kg.graph.vocabulary import KG, Iris
from kg.parse.model import Document

BASE = Iris().base


def item_count(document: Document) -> int:
    """Every item the model holds for a document: what must be part of it in the graph."""
    return (
        len(document.tasks)
        + len(document.activities())
        + len(document.outputs())
        + len(document.indicators())
        + len(document.knowledge)
        + len(document.skills)
        + len(document.attitudes)
        + len(document.notes)
        + len(document.assessment)
        + len(document.versions)
    )


def test_every_document_has_its_code_as_skos_notation(query):
    result = query("SELECT ?code WHERE { ?d a kg:CompetencyDocument ; skos:notation ?code } ORDER BY ?code")
    assert [v for (v,) in values(result, "code")] == SEED_CODES


@pytest.mark.parametrize("code", SEED_CODES)
def test_every_item_is_directly_part_of_its_document_with_notation_and_label(query, seeds, code):
    result = query(
        f"""SELECT ?item ?notation ?label ?direct WHERE {{
              ?doc skos:notation "{code}" ; kg:hasPart ?item .
              OPTIONAL {{ ?item skos:notation ?notation }}
              OPTIONAL {{ ?item skos:prefLabel ?label }}
              BIND(EXISTS {{ ?item dcterms:isPartOf ?doc }} AS ?direct)
            }}"""
    )
    items = {row["item"] for row in result.rows}
    assert len(items) == item_count(seeds[code])
    for row in result.rows:
        assert row["direct"].toPython() is True, row["item"]
        assert "notation" in row and "label" in row, row["item"]
        assert row["label"].language.lower() == "zh-hant"


def test_item_iris_are_built_from_document_code_and_item_code(query):
    result = query('SELECT ?i WHERE { ?i skos:notation "P4.3.1" }')
    assert [str(r["i"]) for r in result.rows] == [f"{BASE}BAS1499-003/P4.3.1"]


def test_an_indicator_is_part_of_its_standard_only_through_inference(query):
    ask = f"""ASK {{ <{BASE}BAS1499-003/P4.3.1> dcterms:isPartOf <{BASE}BAS1499-003> }}"""
    assert query(ask, graph="asserted").boolean is False
    assert query(ask, graph="inferred").boolean is True
    direct = f"ASK {{ <{BASE}BAS1499-003/T4.3> kg:hasIndicator <{BASE}BAS1499-003/P4.3.1> }}"
    assert query(direct, graph="asserted").boolean is True


def test_alignment_to_skos_ctdl_esco_and_prov(query):
    p = f"<{BASE}BAS1499-003/P4.3.1>"
    k = f"<{BASE}BAS1499-003/K4>"
    checks = [
        f"ASK {{ {p} a ceasn:Competency ; ceasn:isPartOf <{BASE}BAS1499-003> }}",
        f"ASK {{ <{BASE}BAS1499-003> a ceasn:CompetencyFramework }}",
        f"ASK {{ <{BASE}BAS1499-003/T4.3> ceasn:hasChild {p} }}",
        f'ASK {{ {p} ceasn:codedNotation "P4.3.1" }}',
        f"ASK {{ {k} esco:skillType <http://data.europa.eu/esco/skill-type/knowledge> }}",
        f"ASK {{ <{BASE}BAS1499-003/T1> ceasn:knowledgeEmbodied {k} }}",
        f"ASK {{ <{BASE}BAS1499-003/T2> ceasn:complexityLevel kg:level-5 }}",
        f"ASK {{ {p} prov:wasDerivedFrom ?f . ?f a prov:Entity ; kg:path ?path }}",
        'ASK { ?o a kg:Occupation ; skos:notation "1499" ; skos:inScheme kg:Occupations }',
    ]
    for ask in checks:
        assert query(ask).boolean is True, ask


def test_inferred_graph_holds_no_junk(query):
    junk = [
        "ASK { ?s owl:sameAs ?o }",
        "ASK { ?s a owl:Thing }",
        "ASK { ?s a ?c FILTER(isBlank(?c)) }",
        "ASK { ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) }",
        "ASK { ?s ?p ?o FILTER(STRSTARTS(STR(?s), STR(owl:)) || STRSTARTS(STR(?s), STR(xsd:))) }",
    ]
    for ask in junk:
        assert query(ask, graph="inferred").boolean is False, ask


def test_inferred_and_asserted_graphs_are_disjoint(query):
    overlap = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?a { ?s ?p ?o } GRAPH ?b { ?s ?p ?o } FILTER(?a != ?b) }"
    assert values(query(overlap), "n") == [(0,)]


@pytest.mark.slow
@pytest.mark.parametrize("path", sorted(RAW.glob("*.txt")), ids=lambda p: p.stem)
def test_rules_reasoner_entails_exactly_what_owlrl_entails(seeds, path):
    document = next(d for d in seeds.values() if d.source.endswith(path.name))
    asserted = document_graph(document, Iris())
    ontology = load_ontology()
    assert get_reasoner("rules", ontology).infer(asserted) == get_reasoner("owlrl", ontology).infer(asserted)


def test_rules_reasoner_refuses_constructs_it_does_not_implement():
    ontology = Graph()
    for triple in load_ontology():
        ontology.add(triple)
    ontology.add((KG.code, RDF.type, OWL.FunctionalProperty))
    with pytest.raises(KgError, match=r"functional properties.*--reasoner owlrl"):
        get_reasoner("rules", ontology)


def test_unknown_reasoner_is_named():
    with pytest.raises(KgError, match="unknown reasoner 'fast'"):
        get_reasoner("fast", load_ontology())


def test_seeds_conform_to_the_shapes(seeds):
    shapes = load_shapes()
    for document in seeds.values():
        assert validate_graph(document_graph(document, Iris()), shapes) == []


def _broken(seeds) -> Graph:
    graph = document_graph(seeds["BAS1499-003"], Iris())
    item = URIRef(f"{BASE}BAS1499-003/")
    graph.set((URIRef(f"{item}T1"), KG.level, Literal(7)))
    graph.remove((URIRef(f"{item}P4.3.1"), KG.text, None))
    graph.add((URIRef(f"{item}T2"), KG.requiresSkill, URIRef(f"{item}S99")))
    graph.set((URIRef(f"{item}K4"), KG.code, Literal("Knowledge4")))
    return graph


def test_shapes_report_each_violation_with_file_and_line(seeds):
    problems = [str(v) for v in validate_graph(_broken(seeds), load_shapes())]
    source = "BAS1499-003.txt"  # the graph names a source file without its folder
    assert f"{source}:15: T1: a level is a whole number from 1 to 6 (value: 7)" in problems
    assert f"{source}:44: P4.3.1: an indicator needs exactly one text" in problems
    assert any(p.startswith(f"{source}:21: T2: an S reference must name a skill") for p in problems)
    assert any(
        p.startswith(f"{source}:15: Knowledge4: a knowledge item needs exactly one code") for p in problems
    )
    assert len(problems) == 4
    given = [str(v) for v in validate_graph(_broken(seeds), load_shapes(), "data/raw/BAS1499-003.txt")]
    assert given == [f"data/raw/{problem}" for problem in problems]


def test_indicator_without_a_parent_violates_the_shapes(seeds):
    graph = document_graph(seeds["BAS1499-003"], Iris())
    indicator = URIRef(f"{BASE}BAS1499-003/P1.1.1")
    graph.remove((None, KG.hasIndicator, indicator))
    problems = [str(v) for v in validate_graph(graph, load_shapes())]
    assert problems == ["BAS1499-003.txt:15: P1.1.1: an indicator belongs to exactly one activity or task"]


def test_base_iri_is_configurable(seeds):
    graph = document_graph(seeds["KMM5R0915v2"], Iris("http://example.org/icap"))
    subjects = {str(s) for s in graph.subjects(KG.code, None)}
    assert "http://example.org/icap/KMM5R0915v2/P1.1" in subjects
    assert all(s.startswith("http://example.org/icap/") for s in subjects)


def test_item_iris_are_stable_across_rebuilds(seeds):
    first = document_graph(seeds["BAS2421-003v4"], Iris())
    second = document_graph(seeds["BAS2421-003v4"], Iris())
    assert set(first) == set(second)


@pytest.mark.parametrize("base", ["not an iri", "example.org/icap", "https://exa mple.org/"])
def test_a_malformed_base_iri_is_refused(base):
    with pytest.raises(KgError, match="is not an absolute IRI"):
        Iris(base)


@pytest.mark.parametrize(
    ("base", "document"),
    [
        ("urn:icap:", "urn:icap:KMM5R0915v2"),
        ("http://example.org/icap#", "http://example.org/icap#KMM5R0915v2"),
    ],
)
def test_base_iris_ending_in_a_separator_are_kept(base, document):
    assert str(Iris(base).document("KMM5R0915v2")) == document
