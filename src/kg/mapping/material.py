"""What mapping reads from a build: the indexed items, their vectors and task scopes."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kg.errors import KgError, document_code
from kg.mapping.matching import Side
from kg.parse.model import Document
from kg.search.dense import DenseIndex
from kg.search.index import read_items
from kg.search.items import SearchItem
from kg.store.layout import DENSE_FILE, DOCUMENTS_FILE, SEARCH_FOLDER, SEARCH_META_FILE


@dataclass
class Material:
    """A build's items grouped by document, with what matching needs."""

    items: list[SearchItem]
    vectors: np.ndarray
    scopes: list[frozenset[str]]
    embedder: str
    documents: dict[str, dict]  # code -> {"kind", "title", "tasks": {code: title}}

    @classmethod
    def load(cls, build_path: Path) -> Material:
        """A finished build's material, read back (the build itself passes what it holds to `of`)."""
        folder = build_path / SEARCH_FOLDER
        if not (folder / SEARCH_META_FILE).is_file():
            raise KgError(
                f"the build in {build_path} has no search index, and overlap mapping needs its "
                "vectors: run `kg build` with an embedder (not --embedder none)"
            )
        meta = json.loads((folder / SEARCH_META_FILE).read_text(encoding="utf-8"))
        items = read_items(build_path)
        vectors = DenseIndex.load(folder / DENSE_FILE).vectors()
        if len(items) != len(vectors):
            raise KgError(f"the search index in {folder} is incomplete: run `kg build` again")
        parsed = json.loads((build_path / DOCUMENTS_FILE).read_text(encoding="utf-8"))
        models = [Document.from_dict(d) for d in parsed]
        return cls.of(items, vectors, models, str(meta["embedder"]))

    @classmethod
    def from_parts(
        cls, items: list[SearchItem], vectors: np.ndarray, parsed: list[dict], embedder: str
    ) -> Material:
        return cls.of(items, vectors, [Document.from_dict(d) for d in parsed], embedder)

    @classmethod
    def of(
        cls, items: list[SearchItem], vectors: np.ndarray, models: list[Document], embedder: str
    ) -> Material:
        """The material of parsed documents (`models`) and their `items` and `vectors`, row by row."""
        return cls.of_facts(items, vectors, [document_facts(d) for d in models], embedder)

    @classmethod
    def of_facts(
        cls, items: list[SearchItem], vectors: np.ndarray, facts: list[DocumentFacts], embedder: str
    ) -> Material:
        """The material of documents described by their `facts` (`document_facts`), and their
        `items` and `vectors`, row by row."""
        referenced = {(f.code, code): tasks for f in facts for code, tasks in f.references.items()}
        scopes = [
            frozenset([item.task]) if item.task else referenced.get((item.document, item.code), frozenset())
            for item in items
        ]
        documents = {f.code: {"kind": f.kind, "title": f.title, "tasks": f.tasks} for f in facts}
        return cls(items, vectors, scopes, embedder, documents)

    def rows_by_document(self) -> dict[str, list[int]]:
        rows: dict[str, list[int]] = defaultdict(list)
        for row, item in enumerate(self.items):
            rows[item.document].append(row)
        return rows

    def side(self, document: str, rows: list[int] | None = None) -> Side:
        """One document's items as a matching side."""
        document = document_code(document, self.documents)
        rows = rows if rows is not None else self.rows_by_document().get(document, [])
        items = [self.items[r] for r in rows]
        return Side(document, items, self.vectors[rows], [self.scopes[r] for r in rows])


@dataclass
class DocumentFacts:
    """What matching reads of one document besides its items: kind, title, task titles, and the
    knowledge and skills its tasks and activities list (item code -> task codes)."""

    code: str
    kind: str
    title: str | None
    tasks: dict[str, str]
    references: dict[str, frozenset[str]]


def document_facts(document: Document) -> DocumentFacts:
    """A document's `DocumentFacts` (a build makes them where the document is processed)."""
    found: dict[str, set[str]] = defaultdict(set)
    for task in document.tasks:
        listed = [task.knowledge + task.skills] + [a.knowledge + a.skills for a in task.activities]
        for codes in listed:  # an activity's items are its task's
            for code in codes:
                found[code].add(task.code)
    tasks = {t.code: t.title for t in document.tasks}
    references = {code: frozenset(held) for code, held in found.items()}
    return DocumentFacts(document.code, document.kind, document.title, tasks, references)
