"""What a search returns: matching items, or documents with the items that show why.

`to_dict` gives the JSON that `kg search --json` prints and the web API serves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kg.search.items import SearchItem


@dataclass
class ItemHit:
    item: SearchItem
    score: float

    def to_dict(self, with_document: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {"document": self.item.document} if with_document else {}
        return out | {
            "code": self.item.code,
            "kind": self.item.kind,
            "text": self.item.text,
            "score": round(self.score, 4),
            "iri": self.item.iri,
        }


@dataclass
class DocumentHit:
    document: str
    title: str | None
    kind: str
    score: float
    evidence: list[ItemHit] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "document": self.document,
            "title": self.title,
            "kind": self.kind,
            "score": round(self.score, 4),
            "evidence": [hit.to_dict(with_document=False) for hit in self.evidence],
        }


@dataclass
class SearchResults:
    query: str
    mode: str
    by: str
    results: list[DocumentHit] | list[ItemHit]

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "mode": self.mode,
            "by": self.by,
            "results": [hit.to_dict() for hit in self.results],
        }
