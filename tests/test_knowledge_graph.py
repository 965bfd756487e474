"""One open build (`kg.open`): what the CLI, the server and notebooks share, loaded once."""

from __future__ import annotations

import shutil

import pytest

import kg
from conftest import ROOT
from kg.knowledge_graph import KnowledgeGraph, NotFound
from kg.search.engine import Searcher
from kg.settings import Settings

UNIT, STANDARD = "KMM5R0915v2", "BAS1499-003"
SIMILAR = (
    'SELECT ?i WHERE { ?i a kg:BehaviourIndicator } ORDER BY DESC(kgf:similarity(?i, "客訴處理")) LIMIT 3'
)


def test_opening_a_folder_again_gives_the_same_graph(built: Settings):
    graph = kg.open(built.build_dir)
    assert kg.open(built.build_dir) is graph
    assert kg.open(settings=built) is graph
    assert isinstance(graph, KnowledgeGraph) and str(built.build_dir) in repr(graph)


def test_the_module_functions_answer_as_the_open_graph(built: Settings):
    graph = kg.open(settings=built)
    assert (
        graph.find("客訴處理", by="item", top=5).to_dict()
        == kg.find("客訴處理", built, by="item", top=5).to_dict()
    )
    assert graph.overlap(UNIT, STANDARD).to_dict() == kg.overlap(UNIT, STANDARD, built).to_dict()
    assert graph.documents().equals(kg.documents(built))
    assert graph.run_query(SIMILAR).rows == kg.run_query(SIMILAR, built).rows
    assert graph.sparql(SIMILAR).equals(kg.sparql(SIMILAR, built))


def test_search_and_similarity_in_sparql_share_one_searcher(built: Settings, monkeypatch):
    graph = KnowledgeGraph(built)
    loaded: list[Searcher] = []
    load = Searcher.__init__

    def counted(self: Searcher, *args: object, **kwargs: object) -> None:
        loaded.append(self)
        load(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Searcher, "__init__", counted)
    graph.find("客訴處理")
    assert graph.run_query(SIMILAR).rows
    graph.overlap(UNIT, STANDARD)
    assert len(loaded) == 1 and graph.searcher is loaded[0]


def test_tables_are_computed_once_per_build(built: Settings):
    graph = KnowledgeGraph(built)
    assert graph.matrix() is graph.matrix()
    assert graph.coverage(incorporated_only=True) is graph.coverage(incorporated_only=True)
    assert len(graph.coverage()) >= len(graph.coverage(incorporated_only=True))


def test_the_graph_follows_the_live_build(built: Settings, tmp_path):
    sources = tmp_path / "sources"
    sources.mkdir()
    shutil.copy(ROOT / "data" / "raw" / f"{UNIT}.txt", sources)
    settings = Settings.load(build_dir=tmp_path / "build", embedder="none")
    kg.build([sources], settings)
    graph = kg.open(settings=settings)
    assert list(graph.documents().code) == [UNIT]
    first = graph.path
    shutil.copy(ROOT / "data" / "raw" / f"{STANDARD}.txt", sources)
    kg.build([sources], settings)
    assert graph.path != first
    assert sorted(graph.documents().code) == sorted([UNIT, STANDARD])
    assert graph.document(STANDARD)["kind"] == "standard"


def test_unknown_documents_and_items_are_not_found(built: Settings):
    graph = kg.open(settings=built)
    with pytest.raises(NotFound, match="no document 'NOPE'"):
        graph.document("NOPE")
    with pytest.raises(NotFound, match=f"document {STANDARD} has no item 'P99.1'"):
        graph.item(STANDARD, "P99.1")
    with pytest.raises(NotFound, match="no document 'NOPE'"):
        graph.overlap(UNIT, "NOPE")
    item = graph.item(STANDARD, "T1.1")
    assert item.kind == "activity" and [p.code for p in item.parents] == ["T1"]


def test_a_graph_without_a_build_says_to_build(tmp_path):
    graph = kg.open(tmp_path)
    for call in (
        graph.documents,
        lambda: graph.find("客訴"),
        graph.matrix,
        lambda: graph.run_query("ASK {}"),
    ):
        with pytest.raises(kg.KgError, match="run `kg build` first"):
            call()


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (lambda s: kg.overlap_matrix(s, min_relation="related"), lambda g: g.matrix(min_relation="related")),
        (
            lambda s: kg.coverage_table(s, incorporated_only=True),
            lambda g: g.coverage(incorporated_only=True),
        ),
        (kg.mappings_table, lambda g: g.mappings()),
    ],
)
def test_the_old_paired_functions_warn_and_answer_as_the_graph(built: Settings, old, new):
    with pytest.warns(DeprecationWarning, match=r"is deprecated .*: use kg\.open"):
        answer = old(built)
    assert answer.equals(new(kg.open(settings=built)))
