"""What a search returns: matching items, or documents with the items that show why.

`to_dict` gives the JSON that `kg search --json` prints and the web API serves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kg.search.items import SearchItem
from kg.search.understand import Understood

if TYPE_CHECKING:
    import pandas

    from kg.search.engine import By, Mode


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
    mode: Mode
    by: By
    results: list[DocumentHit] | list[ItemHit]
    no_good_match: bool = False  # no item reaches the calibrated threshold: the hits are weak
    understood: Understood = field(default_factory=Understood)  # what the question was read to ask for
    calibrated: bool = False  # scores are calibrated chances of relevance (else the ranking's own)
    # the Chinese words an English question was also searched with (`Searcher.searched_gloss`): shown, so that
    # a reader sees why a hit matched and which reading was wrong ("handling" read as 描述)
    gloss: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "mode": self.mode,
            "by": self.by,
            "understood": self.understood.to_dict(),
            "gloss": list(self.gloss),
            "calibrated": self.calibrated,
            "no_good_match": self.no_good_match,
            "results": [hit.to_dict() for hit in self.results],
        }

    def to_dataframe(self) -> pandas.DataFrame:
        """One row per item hit; by document, one row per piece of evidence, with the document's score."""
        import pandas

        item_columns = ["code", "kind", "text", "score", "iri"]
        if self.by == "item":
            rows = [hit.to_dict() for hit in self.results]
            return pandas.DataFrame(rows, columns=["document", *item_columns])
        document_columns = ["document", "title", "document_kind", "document_score", "rank"]
        documents = [doc for doc in self.results if isinstance(doc, DocumentHit)]  # all, by document
        rows = [
            {"document": doc.document, "title": doc.title, "document_kind": doc.kind}
            | {"document_score": round(doc.score, 4), "rank": rank}
            | hit.to_dict(with_document=False)
            for rank, doc in enumerate(documents, 1)
            for hit in doc.evidence
        ]
        return pandas.DataFrame(rows, columns=document_columns + item_columns)
