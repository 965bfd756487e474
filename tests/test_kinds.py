"""The registry of document and item kinds, the typed walk of a document's items, and its JSON read back.

A new document kind needs only:
1. a parser: a `DocumentParser` subclass whose `parse()` builds a `Document` of `self.kind.name`;
2. one `register_kind(DocumentKind(...))`: its code label (which recognises it), parser, labels,
   OWL class, item kinds, expected sections and JSON fields;
3. its class in the ontology (ontology/kg.ttl, a sub-class of kg:CompetencyDocument) and its
   fields in the contract (docs/document-model.md).
Parsing, `iter_items`, the graph, search items and page labels then follow, as the toy
職能課程 (course) kind below shows. A new kind of item also needs its place in the model.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import OWL, RDF

from conftest import SEED_CODES
from kg.errors import KgError, ParseError
from kg.graph.convert import document_graph
from kg.graph.ontology import load_ontology
from kg.graph.vocabulary import KG, Iris
from kg.parse import parse_text
from kg.parse.base import DocumentParser
from kg.parse.kinds import (
    BODY_FIELDS,
    HEAD_FIELDS,
    DocumentKind,
    ItemKind,
    document_kind,
    document_kinds,
    item_kind,
    item_kinds,
    kind_labels,
    register_item_kind,
    register_kind,
    unregister_item_kind,
    unregister_kind,
)
from kg.parse.model import (
    Activity,
    Assessment,
    Attitude,
    Competence,
    Concept,
    Document,
    Indicator,
    Note,
    Output,
    Task,
    Version,
)
from kg.search.items import document_items, document_kind_names, searchable_kinds
from kg.server.templating import KIND_LABELS, kind_label

# --- a toy kind: 職能課程 (course) -----------------------------------------------------------------

COURSE_TEXT = """職能課程代碼\tCRS0001-001
職能課程名稱\t客戶服務入門
課程級別\t3
工作任務\tT1\t接待客戶
工作活動\tT1.1\t迎接來客
知識\tK1\t服務禮儀
"""


class CourseParser(DocumentParser):
    """Rows of `label ⇥ value` or `label ⇥ code ⇥ text`: a course's header, tasks, activities, knowledge."""

    def parse(self) -> Document:
        rows = [(n, line.split("\t")) for n, line in enumerate(self.lines, 1) if line.strip()]
        header = {cells[0]: (cells[1], n) for n, cells in rows if len(cells) == 2}
        code, line = header.get(self.kind.code_label, (None, None))
        document = Document(
            kind=self.kind.name,
            code=self.checked_code(code, line),
            title=header.get("職能課程名稱", (None,))[0],
            level=int(header["課程級別"][0]) if "課程級別" in header else None,
            source=self.source,
            line=line or 1,
        )
        for n, cells in rows:
            if cells[0] == "工作任務":
                document.tasks.append(Task(code=cells[1], title=cells[2], line=n))
            elif cells[0] == "工作活動":
                document.tasks[-1].activities.append(Activity(code=cells[1], title=cells[2], line=n))
            elif cells[0] == "知識":
                document.knowledge.append(Competence(code=cells[1], text=cells[2], line=n))
        return document


@pytest.fixture
def course() -> Iterator[DocumentKind]:
    """The course kind, registered for one test and removed after it."""
    kind = register_kind(
        DocumentKind(
            name="course",
            zh="職能課程",
            en="Course",
            code_label="職能課程代碼",
            parser=CourseParser,
            owl_class="CompetencyCourse",
            item_kinds=("task", "activity", "knowledge"),
            expected_sections=(("tasks", "工作任務 (tasks)"),),
            fields=(*HEAD_FIELDS, *BODY_FIELDS),
            task_fields=("code", "title", "level", "knowledge", "skills", "notes", "line", "activities"),
        )
    )
    try:
        yield kind
    finally:
        unregister_kind("course")


def test_a_registered_kind_is_recognised_parsed_walked_converted_and_searched(course):
    document = parse_text(COURSE_TEXT, "course.txt")
    assert (document.kind, document.code, document.title, document.level) == (
        "course",
        "CRS0001-001",
        "客戶服務入門",
        3,
    )
    assert document.warnings == []

    items = list(document.iter_items())
    assert [(i.code, i.kind, i.text, i.level, i.task) for i in items] == [
        ("T1", "task", "接待客戶", 3, "T1"),
        ("T1.1", "activity", "迎接來客", 3, "T1"),
        ("K1", "knowledge", "服務禮儀", 3, None),
    ]
    assert {i.kind for i in items} <= set(course.item_kinds)

    data = document.to_dict()
    assert list(data) == list(course.fields)
    assert Document.from_dict(data).to_dict() == data

    graph = document_graph(document, Iris(), COURSE_TEXT.encode())
    iris = Iris()
    node, task, activity = (
        iris.document("CRS0001-001"),
        iris.item("CRS0001-001", "T1"),
        iris.item("CRS0001-001", "T1.1"),
    )
    assert (node, RDF.type, KG.CompetencyCourse) in graph
    assert (node, KG.hasTask, task) in graph
    assert (task, KG.hasActivity, activity) in graph
    assert (activity, RDF.type, KG.Activity) in graph
    assert (node, KG.hasKnowledge, iris.item("CRS0001-001", "K1")) in graph

    searched = list(document_items(data, iris))
    assert [(i.code, i.document_kind) for i in searched] == [
        ("T1", "course"),
        ("T1.1", "course"),
        ("K1", "course"),
    ]
    assert kind_label("course") == "職能課程 Course"
    assert "course" in document_kind_names()  # search filters and the pages offer it at once


def test_a_kind_warns_when_a_document_lacks_its_expected_sections(course):
    document = parse_text(
        COURSE_TEXT.replace("工作任務\tT1\t接待客戶\n工作活動\tT1.1\t迎接來客\n", ""), "c.txt"
    )
    assert document.warnings == ["c.txt:4: the document ends without 工作任務 (tasks): truncated?"]


def test_an_unrecognised_document_names_every_registered_code_label(course):
    with pytest.raises(ParseError, match="no 職能基準代碼, 職能單元代碼 or 職能課程代碼 row"):
        parse_text("hello\tworld\n", "x.txt")


def test_an_unregistered_kind_is_not_recognised():
    assert [k.name for k in document_kinds()] == ["standard", "unit"]  # the fixture cleaned up
    with pytest.raises(ParseError, match="known kind"):
        parse_text(COURSE_TEXT, "course.txt")


# --- the registries -----------------------------------------------------------------------------


def test_every_kind_has_labels_and_its_ontology_terms():
    ontology = load_ontology()
    for kind in (*document_kinds(), *item_kinds()):
        assert all(kind.labels), kind.name
        assert (KG[kind.owl_class], RDF.type, OWL.Class) in ontology, kind.owl_class
    for kind in item_kinds():
        assert (KG[kind.link], RDF.type, OWL.ObjectProperty) in ontology, kind.link
    assert kind_labels()["indicator"] == ("行為指標", "Indicator")
    assert kind_labels()["standard"] == ("職能基準", "Standard")
    assert kind_labels() == KIND_LABELS


def test_search_kinds_are_the_searchable_registered_kinds():
    assert searchable_kinds() == (
        "task",
        "activity",
        "indicator",
        "output",
        "knowledge",
        "skill",
        "attitude",
        "note",
    )
    assert "assessment" not in searchable_kinds() and not item_kind("assessment").searchable
    assert document_kind_names() == ("standard", "unit")


def test_unknown_kinds_are_errors_naming_the_known_ones():
    with pytest.raises(KgError, match=r"unknown document kind 'course'; known: standard, unit"):
        document_kind("course")
    with pytest.raises(KgError, match=r"unknown item kind 'lesson'; known: task, activity"):
        item_kind("lesson")
    with pytest.raises(KgError, match="unknown document kind"):
        Document(kind="course", code="C1", title=None, level=None, source="c.txt", line=1).to_dict()


def test_a_kind_is_registered_once_with_known_item_kinds(course):
    with pytest.raises(KgError, match="already registered"):
        register_kind(course)
    with pytest.raises(KgError, match="already recognises the kind 'course'"):
        register_kind(DocumentKind(**{**vars(course), "name": "course2"}))
    with pytest.raises(KgError, match="unknown item kind 'lesson'"):
        register_kind(
            DocumentKind(
                **{**vars(course), "name": "course2", "code_label": "課程代碼", "item_kinds": ("lesson",)}
            )
        )
    with pytest.raises(KgError, match="used by standard"):
        unregister_item_kind("task")


def test_an_item_kind_can_be_added_and_removed():
    lesson = register_item_kind(ItemKind("lesson", "課程單元", "Lesson", "Lesson", "hasLesson"))
    try:
        assert kind_labels()["lesson"] == ("課程單元", "Lesson")
        assert kind_label("lesson") == "課程單元 Lesson"
        with pytest.raises(KgError, match="already registered"):
            register_item_kind(lesson)
    finally:
        unregister_item_kind("lesson")
    assert "lesson" not in kind_labels()
    assert kind_label("lesson") == "lesson lesson"


# --- the walk and the JSON read back, on the seeds ---------------------------------------------


@pytest.mark.parametrize("code", SEED_CODES)
def test_a_seed_reads_back_from_its_json(seeds, code):
    document = seeds[code]
    data = document.to_dict()
    again = Document.from_dict(data)
    assert again.to_dict() == data
    assert list(again.iter_items()) == list(document.iter_items())


@pytest.mark.parametrize("code", SEED_CODES)
def test_items_are_every_coded_item_of_the_kind_with_inherited_levels(seeds, code):
    document = seeds[code]
    items = list(document.iter_items())
    assert {i.kind for i in items} <= set(document_kind(document.kind).item_kinds)
    assert len({i.code for i in items}) == len(items)
    for item in items:
        holders = [item.to_dict(), *(p.to_dict() for p in reversed(item.parents)), {"level": document.level}]
        assert item.level == next((h["level"] for h in holders if h.get("level")), None), item.code
        assert [p.kind for p in item.parents] in ([], ["task"], ["task", "activity"])
    assert sum(i.kind == "assessment" for i in items) == len(document.assessment)


def test_an_item_s_json_is_its_entry_in_the_document_s_json(seeds):
    unit = seeds["TTM3R0299v2"]
    first = next(unit.iter_items())
    assert first.to_dict() == unit.to_dict()["tasks"][0]
    assert "activities" not in first.to_dict()  # a unit's task, as the unit's JSON has it


def test_hand_made_json_without_lines_reads_with_defaults():
    document = Document.from_dict(
        {
            "kind": "unit",
            "code": "U1",
            "tasks": [{"code": "T1", "title": "任務", "indicators": [{"code": "P1.1", "text": "指標"}]}],
        }
    )
    assert [(i.code, i.record.line) for i in document.iter_items()] == [("T1", 0), ("P1.1", 0)]
    assert document.to_dict()["assessment"] == []


# --- property: any model's JSON reads back to the same JSON -------------------------------------

_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=8)
_CODES = st.lists(_TEXT, max_size=2)
_LINE = st.integers(1, 500)
_LEVEL = st.none() | st.integers(1, 6)


def _coded(cls: type) -> st.SearchStrategy:
    return st.builds(cls, code=_TEXT, text=_TEXT, notes=_CODES, line=_LINE)


_ACTIVITY = st.builds(
    Activity,
    code=_TEXT,
    title=_TEXT,
    line=_LINE,
    level=_LEVEL,
    knowledge=_CODES,
    skills=_CODES,
    outputs=st.lists(_coded(Output), max_size=2),
    indicators=st.lists(_coded(Indicator), max_size=2),
    notes=_CODES,
)
_COMPETENCES = st.lists(
    st.builds(Competence, code=_TEXT, text=_TEXT, items=_CODES, notes=_CODES, line=_LINE), max_size=2
)
_CONCEPT = st.none() | st.builds(Concept, name=st.none() | _TEXT, code=st.none() | _TEXT)
_OPTIONAL = st.none() | _TEXT


@st.composite
def _documents(draw: st.DrawFn) -> Document:
    """A document of either kind holding what its kind's JSON has (a unit's tasks: indicators only)."""
    kind = draw(st.sampled_from(["standard", "unit"]))
    tasks = draw(
        st.lists(
            st.builds(
                Task,
                code=_TEXT,
                title=_TEXT,
                line=_LINE,
                level=_LEVEL if kind == "standard" else st.none(),
                knowledge=_CODES if kind == "standard" else st.just([]),
                skills=_CODES if kind == "standard" else st.just([]),
                activities=st.lists(_ACTIVITY, max_size=2) if kind == "standard" else st.just([]),
                indicators=st.lists(_coded(Indicator), max_size=2) if kind == "unit" else st.just([]),
                notes=_CODES,
            ),
            max_size=3,
        )
    )
    return Document(
        kind=kind,
        code=draw(_TEXT),
        title=draw(_OPTIONAL),
        level=draw(_LEVEL),
        source=draw(_TEXT),
        line=1,
        tasks=tasks,
        knowledge=draw(_COMPETENCES),
        skills=draw(_COMPETENCES),
        attitudes=draw(
            st.lists(st.builds(Attitude, code=_TEXT, name=_TEXT, text=_TEXT, line=_LINE), max_size=2)
        ),
        notes=draw(st.lists(st.builds(Note, code=_TEXT, text=_TEXT, items=_CODES, line=_LINE), max_size=2)),
        history=draw(_CODES),
        category=draw(_CONCEPT),
        occupation=draw(_CONCEPT),
        industry=draw(_CONCEPT),
        description=draw(_OPTIONAL),
        versions=draw(
            st.lists(
                st.builds(
                    Version,
                    version=_TEXT,
                    code=_TEXT,
                    title=_OPTIONAL,
                    status=_OPTIONAL,
                    remark=_OPTIONAL,
                    date=_OPTIONAL,
                    line=_LINE,
                ),
                max_size=2,
            )
        ),
        qualification=draw(_OPTIONAL),
        domain=draw(_OPTIONAL),
        assessment=draw(
            st.lists(st.builds(Assessment, code=_TEXT, title=_TEXT, items=_CODES, line=_LINE), max_size=2)
            if kind == "unit"
            else st.just([])
        ),
    )


@settings(max_examples=200, derandomize=True, database=None, deadline=None)
@given(_documents())
def test_any_document_s_json_reads_back_to_the_same_json_and_items(document: Document) -> None:
    data = document.to_dict()
    again = Document.from_dict(data)
    assert again.to_dict() == data
    assert list(again.iter_items()) == list(document.iter_items())
