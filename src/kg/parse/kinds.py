"""The kinds of documents and of their items: one registry that parsing, the graph, search and pages read.

Item kinds are registered here. Document kinds register themselves beside their parsers
(`parse/standard.py`, `parse/unit.py`), as a plugin's would: a new kind is a parser, one
`register_kind(...)` and its class in the ontology (see tests/test_kinds.py).

This layer knows no RDF: OWL classes and properties are local names in the kg: ontology.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from kg.errors import KgError
from kg.parse.text import normalise_label

if TYPE_CHECKING:
    from kg.parse.base import DocumentParser

DocumentKindName = Literal["standard", "unit"]
ItemKindName = Literal[
    "task", "activity", "indicator", "output", "knowledge", "skill", "attitude", "note", "assessment"
]


@dataclass(frozen=True)
class ItemKind:
    """A kind of coded item in a document (task, indicator, knowledge ...)."""

    name: str
    zh: str  # its label in Traditional Chinese, as the documents name it
    en: str
    owl_class: str  # local name in kg: (BehaviourIndicator)
    link: str  # the kg: property from the item's holder (document, task or activity) to it
    searchable: bool = True  # made a search item (and offered as a search filter)

    @property
    def labels(self) -> tuple[str, str]:
        return (self.zh, self.en)


@dataclass(frozen=True)
class DocumentKind:
    """A kind of document: how it is recognised and parsed, its JSON and its class in the graph."""

    name: str
    zh: str
    en: str
    code_label: str  # the label of the row holding its code (職能基準代碼): recognises the kind
    parser: type[DocumentParser]
    owl_class: str  # local name in kg: (CompetencyStandard)
    item_kinds: tuple[str, ...]  # the kinds of item it can hold
    # What every document of the kind has: (model field, how a user knows the section); a
    # document that ends without one was most likely cut short (`DocumentParser.check_complete`).
    expected_sections: tuple[tuple[str, str], ...]
    fields: tuple[str, ...]  # its JSON's fields, in the contract's order
    task_fields: tuple[str, ...]  # its tasks' JSON fields, in the contract's order

    @property
    def labels(self) -> tuple[str, str]:
        return (self.zh, self.en)


# The JSON fields every kind's documents begin and go on with (the contract's order).
HEAD_FIELDS = ("kind", "code", "title", "level", "source")
BODY_FIELDS = ("tasks", "knowledge", "skills", "attitudes", "notes", "history")

_DOCUMENT_KINDS: dict[str, DocumentKind] = {}
_ITEM_KINDS: dict[str, ItemKind] = {}


def register_kind(kind: DocumentKind) -> DocumentKind:
    """Add a document kind; its item kinds must be registered, its name and code label new."""
    if kind.name in _DOCUMENT_KINDS or kind.name in _ITEM_KINDS:
        raise KgError(f"the kind {kind.name!r} is already registered")
    taken = next((k.name for k in _DOCUMENT_KINDS.values() if k.code_label == kind.code_label), None)
    if taken:
        raise KgError(f"the code label {kind.code_label!r} already recognises the kind {taken!r}")
    for name in kind.item_kinds:
        item_kind(name)
    _DOCUMENT_KINDS[kind.name] = kind
    return kind


def unregister_kind(name: str) -> None:
    """Remove a document kind (a test's or plugin's); its documents can no longer be parsed."""
    document_kind(name)
    del _DOCUMENT_KINDS[name]


def register_item_kind(kind: ItemKind) -> ItemKind:
    if kind.name in _ITEM_KINDS or kind.name in _DOCUMENT_KINDS:
        raise KgError(f"the kind {kind.name!r} is already registered")
    _ITEM_KINDS[kind.name] = kind
    return kind


def unregister_item_kind(name: str) -> None:
    item_kind(name)
    users = [k.name for k in _DOCUMENT_KINDS.values() if name in k.item_kinds]
    if users:
        raise KgError(f"the item kind {name!r} is used by {', '.join(users)}")
    del _ITEM_KINDS[name]


def document_kind(name: str) -> DocumentKind:
    """The registered document kind of this name; a KgError naming the known ones otherwise."""
    if name not in _DOCUMENT_KINDS:
        raise KgError(f"unknown document kind {name!r}; known: {', '.join(_DOCUMENT_KINDS)}")
    return _DOCUMENT_KINDS[name]


def item_kind(name: str) -> ItemKind:
    """The registered item kind of this name; a KgError naming the known ones otherwise."""
    if name not in _ITEM_KINDS:
        raise KgError(f"unknown item kind {name!r}; known: {', '.join(_ITEM_KINDS)}")
    return _ITEM_KINDS[name]


def document_kinds() -> tuple[DocumentKind, ...]:
    """Every registered document kind, in the order registered."""
    return tuple(_DOCUMENT_KINDS.values())


def item_kinds(searchable: bool | None = None) -> tuple[ItemKind, ...]:
    """Every registered item kind in the order registered; only the (un)searchable ones if asked."""
    return tuple(k for k in _ITEM_KINDS.values() if searchable is None or k.searchable == searchable)


def labels_of(name: str) -> tuple[str, str]:
    """(zh-Hant, en) labels of a document or item kind; the name twice for an unknown one."""
    kind = _DOCUMENT_KINDS.get(name) or _ITEM_KINDS.get(name)
    return kind.labels if kind else (name, name)


def kind_labels() -> dict[str, tuple[str, str]]:
    """(zh-Hant, en) labels of every document kind, then every item kind, by name."""
    kinds: tuple[DocumentKind | ItemKind, ...] = (*document_kinds(), *item_kinds())
    return {k.name: k.labels for k in kinds}


def detect_kind(text: str) -> str | None:
    """The kind whose code label (職能基準代碼 ...) starts the first row that has one; None if none."""
    for line in text.split("\n"):
        label = normalise_label(line.split("\t")[0])
        for kind in _DOCUMENT_KINDS.values():
            if label.startswith(kind.code_label):
                return kind.name
    return None


for _item in (
    ItemKind("task", "工作任務", "Task", "Task", "hasTask"),
    ItemKind("activity", "工作活動", "Activity", "Activity", "hasActivity"),
    ItemKind("indicator", "行為指標", "Indicator", "BehaviourIndicator", "hasIndicator"),
    ItemKind("output", "工作產出", "Output", "Output", "hasOutput"),
    ItemKind("knowledge", "知識", "Knowledge", "Knowledge", "hasKnowledge"),
    ItemKind("skill", "技能", "Skill", "Skill", "hasSkill"),
    ItemKind("attitude", "態度", "Attitude", "Attitude", "hasAttitude"),
    ItemKind("note", "說明", "Note", "Note", "hasNote"),
    ItemKind("assessment", "評量", "Assessment", "AssessmentGuidance", "hasAssessment", searchable=False),
):
    register_item_kind(_item)
