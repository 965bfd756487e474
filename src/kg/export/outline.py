"""A document as the exchange formats see it: a framework of coded nodes in a tree, and the
alignments of its items with other documents' items (the build's exact and close mappings)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from kg.graph.vocabulary import Iris
from kg.parse.kinds import document_kind, item_kind
from kg.parse.model import Activity, Document, Task

if TYPE_CHECKING:  # pandas, which it needs, takes a second to import: not for every command
    from kg.mapping.files import BuildMappings


@dataclass(frozen=True)
class Node:
    """One coded item: its place in the tree (`parent`: its task or activity) and, for a task or
    activity, the knowledge and skills it needs (codes of the document's lists)."""

    code: str
    kind: str  # an item kind's name (kg.parse.kinds)
    text: str
    level: int | None
    parent: str | None
    iri: str
    needs: tuple[str, ...] = ()

    @property
    def kind_labels(self) -> tuple[str, str]:
        """The kind in Traditional Chinese and English (工作任務, Task)."""
        return item_kind(self.kind).labels


@dataclass(frozen=True)
class Alignment:
    """An item of the exported document that corresponds to an item of another document."""

    document: str  # the exported document's code
    item: str  # IRI of its item
    other: str  # IRI of the other item
    other_document: str
    other_code: str
    relation: str  # exact or close
    score: float


@dataclass(frozen=True)
class Framework:
    document: Document
    iri: str
    nodes: list[Node]
    alignments: list[Alignment]

    @property
    def kind_labels(self) -> tuple[str, str]:
        """The document's kind in Traditional Chinese and English (職能基準, Competency standard)."""
        kind = document_kind(self.document.kind)
        return kind.zh, kind.en


def framework(document: Document, iris: Iris, alignments: list[Alignment] | None = None) -> Framework:
    """The framework of a parsed document, its items in the document's order."""
    nodes = []
    for ref in document.iter_items():
        needs: tuple[str, ...] = ()
        if isinstance(ref.record, Task | Activity):
            needs = tuple(dict.fromkeys([*ref.record.knowledge, *ref.record.skills]))
        nodes.append(
            Node(
                code=ref.code,
                kind=ref.kind,
                text=ref.text.strip(),
                level=ref.level,
                parent=ref.parents[-1].code if ref.parents else None,
                iri=iris.item_iri(document.code, ref.code),
                needs=needs,
            )
        )
    return Framework(document, str(iris.document(document.code)), nodes, alignments or [])


def alignments(stored: BuildMappings | None, codes: list[str], iris: Iris) -> list[Alignment]:
    """The exact and close mappings of the documents' items (both ways), from the build's
    mapping table; none for a build without mappings."""
    if stored is None:
        return []
    table = stored.table
    chosen = set(codes)
    found = []
    for mine, other in (("subject", "object"), ("object", "subject")):
        rows = table[table[f"{mine}_document"].isin(chosen) & table["relation"].isin(("exact", "close"))]
        columns = [f"{mine}_document", f"{mine}_code", f"{other}_document", f"{other}_code", "relation"]
        for document, code, other_document, other_code, relation, score in zip(
            *(rows[c] for c in columns), rows["similarity_score"], strict=True
        ):
            found.append(
                Alignment(
                    document,
                    iris.item_iri(document, code),
                    iris.item_iri(other_document, other_code),
                    other_document,
                    other_code,
                    relation,
                    float(score),
                )
            )
    return found
