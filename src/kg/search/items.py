"""The searchable items of parsed documents: every item that carries text, flattened.

Items come from the parsed-document JSON (the public contract), so an index can be
made from any build's documents.json: each entry is read back into the model and
walked by `Document.iter_items`, keeping the searchable kinds (kg.parse.kinds). Each
item keeps what filters and results need: its document, code, kind, text, level and IRI.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from json.encoder import encode_basestring as _string  # json's own string escaping
from typing import Any

from kg.graph.vocabulary import Iris
from kg.parse.kinds import document_kinds, item_kind, item_kinds
from kg.parse.model import Concept, Document, joined

__all__ = [
    "SearchItem",
    "class_names",
    "class_vocabulary",
    "corpus_items",
    "document_items",
    "document_kind_names",
    "joined",
    "searchable_kinds",
    "stable_id",
]


def searchable_kinds() -> tuple[str, ...]:
    """The item kinds search indexes and filters offer, as registered now (kg.parse.kinds)."""
    return tuple(k.name for k in item_kinds(searchable=True))


def document_kind_names() -> tuple[str, ...]:
    """The document kinds registered now (standard, unit ...), for filters' choices."""
    return tuple(k.name for k in document_kinds())


@dataclass(frozen=True)
class SearchItem:
    """One text-bearing item: what is embedded, tokenised and shown."""

    id: int  # stable across builds: derived from the IRI (see `stable_id`)
    iri: str
    document: str
    document_kind: str
    document_title: str | None
    code: str
    kind: str
    text: str
    level: int | None
    task: str | None  # the code of the task the item sits under, if any

    def to_dict(self) -> dict[str, Any]:
        return dict(vars(self))  # the fields in order; `asdict` deep-copies, 20 s for a corpus's items

    def json_line(self) -> str:
        """`to_dict()` as json's encoder writes it (ensure_ascii=False), three times faster: an
        index writes one per item (178,000 at 3,000 documents)."""
        return (
            f'{{"id": {self.id}, "iri": {_string(self.iri)}, "document": {_string(self.document)}, '
            f'"document_kind": {_string(self.document_kind)}, '
            f'"document_title": {_optional(self.document_title)}, '
            f'"code": {_string(self.code)}, "kind": {_string(self.kind)}, "text": {_string(self.text)}, '
            f'"level": {_optional(self.level)}, "task": {_optional(self.task)}}}'
        )


def _optional(value: str | int | None) -> str:
    if value is None:
        return "null"
    return _string(value) if isinstance(value, str) else str(int(value))


def stable_id(iri: str) -> int:
    """A 63-bit id from the IRI: the same item keeps its id when other documents come and go."""
    return int.from_bytes(hashlib.sha256(iri.encode("utf-8")).digest()[:8], "big") >> 1


def document_items(document: dict[str, Any] | Document, iris: Iris) -> Iterator[SearchItem]:
    """The searchable items of one parsed document (a documents.json entry, or the model)."""
    if isinstance(document, dict):
        document = Document.from_dict(document)
    for ref in document.iter_items():
        text = ref.text.strip()
        if not text or not item_kind(ref.kind).searchable:
            continue
        iri = iris.item_iri(document.code, ref.code)
        yield SearchItem(
            id=stable_id(iri),
            iri=iri,
            document=document.code,
            document_kind=document.kind,
            document_title=document.title,
            code=ref.code,
            kind=ref.kind,
            text=text,
            level=ref.level,
            task=ref.task,
        )


def corpus_items(documents: Iterable[dict[str, Any]], iris: Iris) -> list[SearchItem]:
    """Every searchable item of every document, in document order."""
    return [item for document in documents for item in document_items(document, iris)]


Vocabulary = dict[str, dict[str, list[str]]]  # {"occupations": {name: [document codes]}, "industries": ...}


def class_names(document: dict[str, Any] | Document) -> dict[str, list[str]]:
    """The names of a document's occupations (職業別) and industries (行業別), as a question may
    say them: a cell "支援服務業 / 行政支援服務業" (a group and its part) gives both names."""
    if isinstance(document, dict):
        document = Document.from_dict(document)
    coded: dict[str, list[Concept | None]] = {
        "occupations": [*document.occupations] or [document.occupation],
        "industries": [*document.industries] or [document.industry],
    }
    names: dict[str, list[str]] = {}
    for part, concepts in coded.items():
        for concept in concepts:
            for name in (concept.name or "").split("/") if concept is not None else ():
                if name.strip() and name.strip() not in names.get(part, []):
                    names.setdefault(part, []).append(name.strip())
    return names


def class_vocabulary(named: Iterable[tuple[str, dict[str, list[str]]]]) -> Vocabulary:
    """{part: {name: [codes of the documents with it]}} from (document code, `class_names`) pairs."""
    vocabulary: Vocabulary = {}
    for code, names_of in named:
        for part, names in names_of.items():
            for name in names:
                codes = vocabulary.setdefault(part, {}).setdefault(name, [])
                if code not in codes:
                    codes.append(code)
    return vocabulary
