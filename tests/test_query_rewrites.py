"""Named queries written for speed at corpus size give what their plain forms give.

Each rewritten query is compared, on the seeds' build, with the plain form it replaced (which
reads every item or every mapping node, and is too slow at thousands of documents): the same
rows in the same order (the seeds fill the first page of every paged query). The page terms
the build adds (`kg.graph.pages`) are checked on nodes of their own, across page boundaries.
"""

from __future__ import annotations

import itertools

import pytest
from rdflib import OWL, RDF, Dataset, Literal

from conftest import QUERIES, values
from kg.graph import pages, shared_texts
from kg.graph.vocabulary import KG, Iris
from kg.mapping import rdf
from kg.mapping.incorporation import Coverage
from kg.mapping.model import Mapping
from kg.query.sparql import read_query_file
from kg.search.items import SearchItem

SEED_PAIR = '("KMM5R0915v2" "BAS1499-003")'
DOCUMENTS = ["BAS1499-003", "BAS2421-003v4", "BGM4R0172v2", "KMM5R0915v2", "TTM3R0299v2"]

# corresponding-indicators as it was: OPTIONALs, which the store evaluates over the whole graph.
PLAIN_CORRESPONDING = """
SELECT ?code_a ?relation ?code_b ?task_b ?score ?text_a ?text_b
WHERE {
  VALUES (?doc_a ?doc_b) { ("KMM5R0915v2" "BAS1499-003") }
  VALUES ?property { skos:exactMatch skos:closeMatch skos:relatedMatch }
  ?a a kg:BehaviourIndicator ; kg:inDocument/skos:notation ?doc_a ; skos:notation ?code_a ; kg:text ?text_a ;
      ?property ?b .
  ?b kg:inDocument/skos:notation ?doc_b ; skos:notation ?code_b ; kg:text ?text_b .
  OPTIONAL { ?task kg:hasActivity/kg:hasIndicator ?b ; skos:notation ?task_b }
  OPTIONAL {
    { ?mapping owl:annotatedSource ?a ; owl:annotatedTarget ?b }
    UNION { ?mapping owl:annotatedSource ?b ; owl:annotatedTarget ?a }
    ?mapping a kg:Mapping ; kg:similarityScore ?scored .
  }
  BIND(COALESCE(?scored, 1.0) AS ?score)
  BIND(STRBEFORE(STRAFTER(STR(?property), "#"), "Match") AS ?relation)
}
ORDER BY DESC(?score) ?code_a ?code_b
"""
CORRESPONDING_COLUMNS = ("code_a", "relation", "code_b", "task_b", "score", "text_a", "text_b")

# esco-skill-types as it was: every item's inferred ESCO type, counted.
PLAIN_ESCO = """
SELECT ?doc_code ?skill_type (COUNT(?item) AS ?items)
WHERE {
  ?item esco:skillType ?skill_type ; kg:inDocument ?doc .
  ?doc skos:notation ?doc_code .
}
GROUP BY ?doc_code ?skill_type
ORDER BY ?doc_code ?skill_type
"""

# shared-knowledge as it was: every shared text's node, sorted.
PLAIN_SHARED = """
SELECT ?text ?documents ?items
WHERE {
  ?shared a kg:SharedText ; kg:itemKind "knowledge" ; kg:sharedText ?text ;
      kg:documentCount ?documents ; kg:itemCount ?items .
}
ORDER BY DESC(?documents) DESC(?items) ?text
LIMIT 1000
"""

# The queries that list every document, incorporation or level-5 item as they were: sorted whole.
PLAIN_LISTS = {
    "documents-with-counts": """
SELECT ?code ?kind ?title ?tasks ?indicators ?knowledge_items ?skill_items
WHERE {
  ?doc a kg:CompetencyDocument ; skos:notation ?code ; kg:title ?title ;
      kg:taskCount ?tasks ; kg:indicatorCount ?indicators ;
      kg:knowledgeCount ?knowledge_items ; kg:skillCount ?skill_items .
  BIND(IF(EXISTS { ?doc a kg:CompetencyStandard }, "standard", "unit") AS ?kind)
}
ORDER BY ?code
""",
    "competencies-per-framework": """
SELECT ?framework_code (COUNT(?competency) AS ?competencies)
WHERE {
  ?competency a ceasn:Competency ; ceasn:isPartOf ?framework .
  ?framework a ceasn:CompetencyFramework ; skos:notation ?framework_code .
}
GROUP BY ?framework_code
ORDER BY ?framework_code
""",
    "units-in-standards": """
SELECT ?standard ?task ?task_title ?unit ?unit_title ?coverage
WHERE {
  ?link a kg:UnitIncorporation ; owl:annotatedSource ?task_item ; owl:annotatedTarget ?unit_doc ;
      kg:coverage ?coverage .
  ?task_item kg:incorporatesUnit ?unit_doc ; skos:notation ?task ; kg:title ?task_title ;
      kg:inDocument ?standard_doc .
  ?standard_doc skos:notation ?standard .
  ?unit_doc skos:notation ?unit ; kg:title ?unit_title .
}
ORDER BY ?standard ?task ?unit
""",
    "tasks-level-5-and-up": """
SELECT ?doc_code ?code ?title ?level
WHERE {
  ?item kg:level ?level ; kg:title ?title ; skos:notation ?code ; kg:inDocument ?doc .
  ?doc skos:notation ?doc_code .
  FILTER(?level >= 5)
}
ORDER BY ?doc_code ?code
""",
}


@pytest.mark.parametrize("name", sorted(PLAIN_LISTS))
def test_a_paged_list_equals_its_plain_sorted_form(query, name):
    plain = query(PLAIN_LISTS[name])
    assert plain.rows, name  # the seeds have rows for each
    paged = query(read_query_file(QUERIES / f"{name}.rq"))
    assert paged.variables == plain.variables
    assert values(paged, *paged.variables) == values(plain, *plain.variables)


def test_documents_are_ranked_by_code_and_paged(monkeypatch):
    monkeypatch.setattr(pages, "PAGE", 2)
    ranked = {}
    for s, p, o in _triples(pages.document_page_lines(["C", "A", "B", "A", "E", "D"], Iris(), "x:g")):
        ranked.setdefault(str(s).rsplit("/", 1)[1], {})[p] = o.toPython()
    found = sorted((code, n[KG.documentRank], n[KG.documentPage]) for code, n in ranked.items())
    assert found == [("A", 1, 1), ("B", 2, 1), ("C", 3, 2), ("D", 4, 2), ("E", 5, 3)]


def test_incorporations_are_ranked_by_standard_task_and_unit_and_paged(monkeypatch):
    monkeypatch.setattr(pages, "PAGE", 2)
    covered = {True: 9, False: 1}  # of 10 items: incorporated, or not
    found = [
        Coverage(unit, standard, task, None, 0, 0, "0/0", "0/0", items=10, covered=covered[incorporated])
        for unit, standard, task, incorporated in [
            ("U2", "S1", "T2", True),
            ("U1", "S2", "T1", True),
            ("U1", "S1", "T10", True),
            ("U3", "S1", "T2", True),
            ("U4", "S1", "T1", False),  # not incorporated: no node, no rank
        ]
    ]
    assert [c.incorporated for c in found] == [True, True, True, True, False]
    written = Dataset()
    written.parse(data=b"".join(rdf.mapping_nquads([], found, Iris())), format="nquads")
    nodes: dict[object, dict[object, object]] = {}
    for s, p, o, _ in written.quads():
        nodes.setdefault(s, {})[p] = o
    ranked = sorted(
        (n[KG.incorporationRank].toPython(), n[KG.incorporationPage].toPython(), str(n[OWL.annotatedSource]))
        for n in nodes.values()
        if KG.incorporationRank in n
    )
    tasks = ["/".join(task.rsplit("/", 2)[1:]) for _, _, task in ranked]  # .../S1/T10 -> S1/T10
    assert [(rank, page) for rank, page, _ in ranked] == [(1, 1), (2, 1), (3, 2), (4, 2)]
    assert tasks == ["S1/T10", "S1/T2", "S1/T2", "S2/T1"]  # by code, as SPARQL sorts strings


def _triples(lines) -> list:
    """The triples of N-Quads lines, as rdflib reads them."""
    read = Dataset()
    read.parse(data="".join(lines), format="nquads")
    return [(s, p, o) for s, p, o, _ in read.quads()]


def _for_pair(text: str, a: str, b: str, every_kind: bool) -> str:
    text = text.replace(SEED_PAIR, f'("{a}" "{b}")')
    return text.replace("a kg:BehaviourIndicator ;", "") if every_kind else text


@pytest.mark.parametrize("every_kind", [False, True], ids=["indicators", "every kind"])
def test_corresponding_indicators_equals_its_plain_form_on_every_pair_of_documents(query, every_kind):
    """Both directions of every pair: with and without a task above ?b (a unit has no activities),
    scored nodes in either direction, and mappings between identical texts (no node, score 1)."""
    fast = read_query_file(QUERIES / "corresponding-indicators.rq")
    seen = {"rows": 0, "without task": 0, "scored": 0, "identical": 0}
    for a, b in itertools.permutations(DOCUMENTS, 2):
        expected = values(query(_for_pair(PLAIN_CORRESPONDING, a, b, every_kind)), *CORRESPONDING_COLUMNS)
        assert values(query(_for_pair(fast, a, b, every_kind)), *CORRESPONDING_COLUMNS) == expected, (a, b)
        seen["rows"] += len(expected)
        seen["without task"] += sum(1 for row in expected if row[3] is None)
        seen["scored"] += sum(1 for row in expected if row[4] < 1)
        seen["identical"] += sum(1 for row in expected if row[4] == 1)
    assert all(count > 0 for count in seen.values()), seen  # every case was met


def test_esco_skill_types_equals_counting_every_items_inferred_type(query):
    fast = read_query_file(QUERIES / "esco-skill-types.rq")
    expected = values(query(PLAIN_ESCO), "doc_code", "skill_type", "items")
    assert len(expected) == 10
    assert values(query(fast), "doc_code", "skill_type", "items") == expected


def test_document_overlap_reads_the_first_page_of_the_ranked_pairs(query):
    paged = "SELECT ?rank ?page WHERE { ?o kg:overlapRank ?rank ; kg:overlapPage ?page }"
    ranked = values(query(paged), "rank", "page")
    assert sorted(ranked) == [(rank, 1) for rank in range(1, 11)]  # 10 pairs: one page


def _item(document: str, code: str) -> SearchItem:
    iri = f"https://example.org/{document}/{code}"
    return SearchItem(0, iri, document, "unit", None, code, "behaviour indicator", code, None, None)


def test_document_overlap_for_every_pair_as_its_comment_says_keeps_the_first_pages_order(query):
    paged = read_query_file(QUERIES / "document-overlap.rq")
    every = paged.replace("kg:overlapPage 1 ; kg:overlapRank ?rank ;", "").replace(
        "ORDER BY ?rank", "ORDER BY DESC(?exact) DESC(?close) ?doc_a ?doc_b"
    )
    assert every != paged and "overlapPage" not in every.split("SELECT")[1]
    columns = ("doc_a", "doc_b", "exact", "close", "related")
    first = values(query(paged), *columns)
    assert values(query(every), *columns)[: len(first)] == first and len(first) == 10


def test_only_the_first_page_of_pairs_is_ranked_and_paged(monkeypatch):
    """Six pairs, two ranks a page: ranks 1-2 on page 1; the rest have neither, as their
    ranks would move with any change of counts (`kg.mapping.rdf.overlap_lines`)."""
    monkeypatch.setattr(pages, "PAGE", 2)
    mappings = []
    for n, (a, b) in enumerate(itertools.combinations("ABCD", 2)):
        for k in range(n % 3 + 1):  # pairs with 1, 2 or 3 exact mappings, so ranks differ
            mappings.append(Mapping(_item(a, f"P{k}"), _item(b, f"P{k}"), 1.0, "exact"))
    written = Dataset()
    written.parse(data=b"".join(rdf.mapping_nquads(mappings, [], Iris())), format="nquads")
    nodes: dict[object, dict[object, object]] = {}
    for s, p, o, _ in written.quads():
        if p in (KG.overlapRank, KG.overlapPage):
            nodes.setdefault(s, {})[p] = o
    ranked = sorted((v[KG.overlapRank].toPython(), v[KG.overlapPage].toPython()) for v in nodes.values())
    assert ranked == [(1, 1), (2, 1)]
    assert all(isinstance(v[KG.overlapPage], Literal) for v in nodes.values())
    overlaps = {s for s, p, o, _ in written.quads() if p == RDF.type and o == KG.DocumentOverlap}
    assert len(overlaps) == 6  # every pair keeps its node and counts


def test_shared_knowledge_equals_sorting_every_shared_text(query):
    expected = values(query(PLAIN_SHARED), "text", "documents", "items")
    assert len(expected) == 9
    fast = read_query_file(QUERIES / "shared-knowledge.rq")
    assert values(query(fast), "text", "documents", "items") == expected


def test_shared_texts_are_ranked_within_their_kind_and_paged(monkeypatch):
    """Most documents first, then most items, then by text; each kind ranked on its own."""
    monkeypatch.setattr(shared_texts, "SHARED_KINDS", ("knowledge", "skill"))
    monkeypatch.setattr(pages, "PAGE", 2)
    items = [
        ("knowledge", "A", "x:A/K1", "乙"),
        ("knowledge", "B", "x:B/K1", "乙"),  # 乙: 2 documents, 2 items
        ("knowledge", "A", "x:A/K2", "甲"),
        ("knowledge", "B", "x:B/K2", "甲"),  # 甲: 2 documents, 2 items: after 乙 (U+4E59 < U+7532)
        ("knowledge", "C", "x:C/K1", "丙"),
        ("knowledge", "D", "x:D/K1", "丙"),
        ("knowledge", "D", "x:D/K2", "丙"),  # 丙: 2 documents, 3 items
        ("knowledge", "A", "x:A/K3", "丁"),
        ("knowledge", "B", "x:B/K3", "丁"),
        ("knowledge", "C", "x:C/K3", "丁"),  # 丁: 3 documents
        ("skill", "A", "x:A/S1", "甲"),
        ("skill", "C", "x:C/S1", "甲"),  # the only shared skill: rank 1 of its kind
    ]
    triples = _triples(shared_texts.shared_text_lines(items, Iris(), "x:g"))
    nodes: dict[object, dict[object, object]] = {}
    for s, p, o in triples:
        nodes.setdefault(s, {})[p] = o.toPython() if isinstance(o, Literal) else o
    ranked = sorted(
        (n[KG.itemKind], n[KG.sharedTextRank], n[KG.sharedTextPage], n[KG.sharedText]) for n in nodes.values()
    )
    assert ranked == [
        ("knowledge", 1, 1, "丁"),
        ("knowledge", 2, 1, "丙"),
        ("knowledge", 3, 2, "乙"),
        ("knowledge", 4, 2, "甲"),
        ("skill", 1, 1, "甲"),
    ]
