"""What the build counts once so that queries and pages read it: shared texts, matched items."""

from __future__ import annotations

import shutil

import pandas
import pytest
from fastapi.testclient import TestClient
from rdflib import Dataset, Literal, URIRef

from conftest import values
from kg.graph.shared_texts import shared_text_lines
from kg.graph.vocabulary import KG, Iris
from kg.knowledge_graph import KnowledgeGraph
from kg.mapping.files import BuildMappings, matched_items
from kg.mapping.model import RELATIONS
from kg.mapping.overlap import matrix
from kg.server import create_app
from kg.store.layout import MAPPINGS_FOLDER, MATCHED_FILE, current_build

# The pairs of knowledge items printing the same text, joined in SPARQL over every item.
SAME_TEXT_PAIRS = """
SELECT ?text ?a ?b WHERE {
  ?a a kg:Knowledge ; kg:text ?text ; kg:inDocument ?da .
  ?b a kg:Knowledge ; kg:text ?text ; kg:inDocument ?db .
  FILTER(STR(?da) < STR(?db))
}
"""
NODES = """
SELECT ?text ?documents ?items ?holder ?document WHERE {
  ?shared a kg:SharedText ; kg:sharedText ?text ; kg:documentCount ?documents ; kg:itemCount ?items ;
      kg:sharedBy ?holder .
  ?holder kg:inDocument ?document .
}
"""


# --- shared texts ---------------------------------------------------------------------------------


def test_shared_text_nodes_hold_exactly_the_texts_two_documents_print(query):
    pairs = values(query(SAME_TEXT_PAIRS), "text", "a", "b")
    nodes = values(query(NODES), "text", "documents", "items", "holder", "document")
    holders: dict[str, set[str]] = {}
    for text, a, b in pairs:
        holders.setdefault(text, set()).update((a, b))
    assert {text: {row[3] for row in nodes if row[0] == text} for text in holders} == holders
    assert {row[0] for row in nodes} == set(holders)
    for text, documents, count, _, _ in nodes:
        assert documents == len({row[4] for row in nodes if row[0] == text}) and count == len(holders[text])


def test_shared_text_nodes_are_in_the_inferred_graph(query):
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s a kg:SharedText }"
    assert values(query(count, "inferred"), "n") == [(9,)]
    assert values(query(count, "asserted"), "n") == [(0,)]


def test_a_text_counts_as_shared_only_across_documents_and_within_a_kind():
    iris = Iris()
    items = [
        ("knowledge", "A", "x:A/K1", "定價"),
        ("knowledge", "A", "x:A/K2", "定價"),  # twice in one document: not shared by that alone
        ("knowledge", "B", "x:B/K1", "預算"),
        ("skill", "A", "x:A/S1", "預算"),  # the same text as a skill: another kind, not counted
        ("knowledge", "C", "x:C/K4", "預算"),
        ("knowledge", "D", "x:D/K4", "預算"),
        ("knowledge", "D", "x:D/K5", "預算"),
    ]
    lines = list(shared_text_lines(items, iris, "x:g"))
    read = Dataset()
    read.parse(data="".join(lines), format="nquads")
    triples = [(s, p, o) for s, p, o, _ in read.quads()]
    texts = [o for _, p, o in triples if p == KG.sharedText]
    assert texts == [Literal("預算")]
    counts = {p: o.toPython() for _, p, o in triples if p in (KG.documentCount, KG.itemCount)}
    assert counts == {KG.documentCount: 3, KG.itemCount: 4}
    assert sorted(o for _, p, o in triples if p == KG.sharedBy) == [
        URIRef(f"x:{c}") for c in ("B/K1", "C/K4", "D/K4", "D/K5")
    ]
    assert list(shared_text_lines(reversed(items), iris, "x:g")) == lines, "the same items, the same lines"


# --- matched items: the matrix ---------------------------------------------------------------------


def matrix_from_table(stored: BuildMappings, min_relation: str) -> pandas.DataFrame:
    """The matrix counted from the table of every mapping, as the overlap page did before."""
    documents = stored.meta["documents"]
    codes = sorted(documents)
    counted = RELATIONS[: RELATIONS.index(min_relation) + 1]  # type: ignore[arg-type]
    table = stored.table[stored.table["relation"].isin(counted)]
    result = pandas.DataFrame(0.0, index=pandas.Index(codes, name="document"), columns=codes)
    for row, column in (("subject", "object"), ("object", "subject")):
        matched = table.groupby([f"{row}_document", f"{column}_document"])[f"{row}_id"].nunique()
        for (r, c), n in matched.items():
            result.loc[r, c] = n / documents[r]["items"]
    for code in codes:
        result.loc[code, code] = 1.0
    return result


@pytest.mark.parametrize("min_relation", RELATIONS)
def test_the_matrix_from_the_builds_counts_equals_counting_every_mapping(built, min_relation):
    stored = BuildMappings.load(current_build(built.build_dir))
    expected = matrix_from_table(stored, min_relation)
    pandas.testing.assert_frame_equal(matrix(stored, min_relation=min_relation), expected)
    assert (current_build(built.build_dir) / MAPPINGS_FOLDER / MATCHED_FILE).is_file()


def test_the_first_view_of_matrix_and_coverage_never_reads_the_table_of_mappings(built):
    graph = KnowledgeGraph(built)  # its own, not the one other tests share
    graph.matrix(), graph.coverage(incorporated_only=True)
    assert graph.stored_mappings._table is None
    assert len(graph.mappings()) > 0 and graph.stored_mappings._table is not None  # read when asked


def test_the_overlap_pages_first_view_reads_only_the_small_files(built):
    """The matrix page reads the counts, coverage and the mapping files' list of documents:
    not the table of every mapping, nor the parsed documents."""
    app = create_app(built)
    page = TestClient(app).get("/overlap")
    assert page.status_code == 200 and "KMM5R0915v2" in page.text
    graph = app.state.graph
    assert graph.stored_mappings._table is None
    assert "documents" not in graph._live()._parts
    unknown = TestClient(app).get("/overlap", params={"document": "KMM5R0915"})
    assert unknown.status_code == 404 and "did you mean KMM5R0915v2" in unknown.text


def test_a_build_without_the_counts_file_counts_from_the_table(built, tmp_path):
    copy = tmp_path / "build"
    shutil.copytree(current_build(built.build_dir) / MAPPINGS_FOLDER, copy / MAPPINGS_FOLDER)
    (copy / MAPPINGS_FOLDER / MATCHED_FILE).unlink()
    older = BuildMappings.load(copy)
    pandas.testing.assert_frame_equal(
        matrix(older), matrix(BuildMappings.load(current_build(built.build_dir)))
    )


def test_matched_items_count_each_item_once_at_its_strongest_relation():
    mappings = [
        ("A", "a1", "B", "b1", "exact"),
        ("A", "a1", "B", "b2", "related"),  # a1 again: counted once, as exact
        ("A", "a2", "B", "b2", "close"),
        ("A", "a3", "C", "c1", "related"),
    ]
    rows = {(row, column): tuple(numbers) for row, column, *numbers in matched_items(mappings)}
    assert rows == {
        ("A", "B"): (1, 2, 2),
        ("B", "A"): (1, 2, 2),  # b2 is close to a2 and related to a1: close
        ("A", "C"): (0, 0, 1),
        ("C", "A"): (0, 0, 1),
    }
