"""The searchable items of parsed documents: every item that carries text, flattened.

Items come from the parsed-document JSON (the public contract), so an index can be
made from any build's documents.json. Each item keeps what filters and results
need: its document, code, kind, text, level and IRI.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

from kg.graph.vocabulary import Iris

ITEM_KINDS = ("task", "activity", "indicator", "output", "knowledge", "skill", "attitude", "note")
DOCUMENT_KINDS = ("standard", "unit")


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
        return asdict(self)


def stable_id(iri: str) -> int:
    """A 63-bit id from the IRI: the same item keeps its id when other documents come and go."""
    return int.from_bytes(hashlib.sha256(iri.encode("utf-8")).digest()[:8], "big") >> 1


def joined(text: str | None, entries: Iterable[str]) -> str:
    """An item's text followed by its list entries (K2 '…包括下列幾個方面：' + its bullets)."""
    parts = [p for p in [text or "", "；".join(e for e in entries if e)] if p]
    return " ".join(parts)


def document_items(document: dict[str, Any], iris: Iris) -> Iterator[SearchItem]:
    """The searchable items of one parsed document (a documents.json entry)."""
    doc_code = document["code"]
    doc_level = document.get("level")

    def make(code: str, kind: str, text: str, level: int | None, task: str | None) -> SearchItem | None:
        text = text.strip()
        if not text:
            return None
        iri = str(iris.item(doc_code, code))
        return SearchItem(
            id=stable_id(iri),
            iri=iri,
            document=doc_code,
            document_kind=document["kind"],
            document_title=document.get("title"),
            code=code,
            kind=kind,
            text=text,
            level=level,
            task=task,
        )

    def coded(
        entries: list[dict], kind: str, level: int | None, task: str | None
    ) -> Iterator[SearchItem | None]:
        for entry in entries:
            yield make(entry["code"], kind, entry["text"], level, task)

    found: list[SearchItem | None] = []
    for task in document.get("tasks", []):
        task_level = task.get("level") or doc_level
        found.append(make(task["code"], "task", task["title"], task_level, task["code"]))
        found.extend(coded(task.get("indicators", []), "indicator", task_level, task["code"]))
        for activity in task.get("activities", []):
            level = activity.get("level") or task_level
            found.append(make(activity["code"], "activity", activity["title"], level, task["code"]))
            found.extend(coded(activity.get("outputs", []), "output", level, task["code"]))
            found.extend(coded(activity.get("indicators", []), "indicator", level, task["code"]))
    for kind, entries in (
        ("knowledge", document.get("knowledge", [])),
        ("skill", document.get("skills", [])),
    ):
        for entry in entries:
            found.append(
                make(entry["code"], kind, joined(entry["text"], entry.get("items", [])), doc_level, None)
            )
    for attitude in document.get("attitudes", []):
        text = f"{attitude['name']}：{attitude['text']}" if attitude.get("text") else attitude["name"]
        found.append(make(attitude["code"], "attitude", text, doc_level, None))
    for note in document.get("notes", []):
        found.append(make(note["code"], "note", joined(note["text"], note.get("items", [])), doc_level, None))
    yield from (item for item in found if item is not None)


def corpus_items(documents: Iterable[dict[str, Any]], iris: Iris) -> list[SearchItem]:
    """Every searchable item of every document, in document order."""
    return [item for document in documents for item in document_items(document, iris)]
