"""The ontology file itself: labels, comments, the part-of pair, alignment by sub-class/property."""

from __future__ import annotations

import pytest
from rdflib import OWL, RDF, RDFS, Namespace

from kg.graph.ontology import load_ontology
from kg.graph.vocabulary import KG

CEASN = Namespace("https://purl.org/ctdlasn/terms/")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
DCTERMS = Namespace("http://purl.org/dc/terms/")

ONTOLOGY = load_ontology()
TERMS = sorted(
    term
    for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
    for term in ONTOLOGY.subjects(RDF.type, kind)
    if str(term).startswith(str(KG))
)


def test_the_ontology_declares_the_issue_s_classes():
    names = {str(t).removeprefix(str(KG)) for t in TERMS}
    for name in [
        "CompetencyStandard", "CompetencyUnit", "Task", "Activity", "Output", "BehaviourIndicator",
        "Knowledge", "Skill", "Attitude", "Note", "AssessmentGuidance",
        "Occupation", "Industry", "JobCategory", "Domain", "Level",
    ]:  # fmt: skip
        assert name in names


@pytest.mark.parametrize("term", TERMS, ids=lambda t: str(t).removeprefix(str(KG)))
def test_every_term_has_labels_in_zh_hant_and_en_and_a_comment(term):
    languages = {label.language for label in ONTOLOGY.objects(term, RDFS.label)}
    assert {"zh-Hant", "en"} <= {lang for lang in languages if lang}, term
    assert ONTOLOGY.value(term, RDFS.comment) is not None, term


def test_part_of_and_has_part_are_transitive_inverses():
    for prop in (KG.hasPart, KG.isPartOf):
        assert (prop, RDF.type, OWL.TransitiveProperty) in ONTOLOGY
    assert (KG.hasPart, OWL.inverseOf, KG.isPartOf) in ONTOLOGY
    assert (KG.isPartOf, RDFS.subPropertyOf, DCTERMS.isPartOf) in ONTOLOGY


@pytest.mark.parametrize(
    "prop",
    [
        KG.hasTask,
        KG.hasActivity,
        KG.hasOutput,
        KG.hasIndicator,
        KG.hasKnowledge,
        KG.hasSkill,
        KG.hasAttitude,
        KG.hasNote,
        KG.hasAssessment,
        KG.hasVersionRecord,
    ],
)
def test_structure_properties_are_sub_properties_of_has_part(prop):
    parents = set(ONTOLOGY.transitive_objects(prop, RDFS.subPropertyOf))
    assert KG.hasPart in parents


def test_alignment_uses_sub_class_and_sub_property_never_equivalence():
    assert not list(ONTOLOGY.triples((None, OWL.equivalentClass, None)))
    assert not list(ONTOLOGY.triples((None, OWL.equivalentProperty, None)))
    assert (KG.CompetencyDocument, RDFS.subClassOf, CEASN.CompetencyFramework) in ONTOLOGY
    assert (KG.code, RDFS.subPropertyOf, SKOS.notation) in ONTOLOGY
    assert (KG.code, RDFS.subPropertyOf, CEASN.codedNotation) in ONTOLOGY
    assert (KG.requiresKnowledge, RDFS.subPropertyOf, CEASN.knowledgeEmbodied) in ONTOLOGY
    assert (KG.competencyLevel, RDFS.subPropertyOf, CEASN.complexityLevel) in ONTOLOGY


def test_the_six_levels_are_skos_concepts_with_notations():
    levels = sorted(ONTOLOGY.subjects(RDF.type, KG.Level))
    assert [str(ONTOLOGY.value(level, SKOS.notation)) for level in levels] == ["1", "2", "3", "4", "5", "6"]
