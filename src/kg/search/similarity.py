"""`kgf:similarity`: semantic search inside SPARQL.

    FILTER(kgf:similarity(?item, "客訴處理") > 0.85)
    BIND(kgf:similarity(?item, "complaint handling") AS ?score)

The first argument is an item IRI (its indexed vector is used), a document IRI
(the best of its items) or a literal (embedded on the fly); the second is the
question, a text literal. The value is the cosine of the e5 vectors (xsd:double,
about 0.7 to 0.95 for this model), or unbound when the first argument has no text
(a blank node, an IRI that is neither an item nor a document). Any other number or
kind of arguments is an error naming the function, raised after the query. The index
and model are loaded on the first call only (from the open build, `kg.KnowledgeGraph`,
which shares its searcher with `find`), so other queries pay nothing.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from rdflib import XSD, Literal, URIRef
from rdflib.term import Node

from kg.errors import KgError
from kg.graph.vocabulary import KGF
from kg.search.engine import Searcher, clean_query
from kg.search.items import stable_id

SIMILARITY = str(KGF.similarity)


class Similarity:
    """The function's state: the build's searcher (loaded on first use) and the vectors computed."""

    def __init__(self, searcher: Callable[[], Searcher]) -> None:
        self._load_searcher = searcher
        self._passages: dict[str, np.ndarray] = {}
        self._document_rows: dict[str, np.ndarray] | None = None

    @property
    def searcher(self) -> Searcher:
        return self._load_searcher()

    usage = 'kgf:similarity(?item, "question") (an item, a document or a text, then the question)'

    def __call__(self, subject: Node, question: Node) -> Literal | None:
        """The score; KgError when the question is not a text, unbound when the subject has no text."""
        if not isinstance(question, Literal):
            raise KgError(
                f"kgf:similarity: the question (the second argument) must be a text literal, "
                f"not {question.n3()}: {self.usage}"
            )
        try:
            text = clean_query(str(question))
        except KgError as exc:
            raise KgError(f"kgf:similarity: {exc}") from None
        query = self.searcher.query_vector(text)  # the searcher keeps recent questions' vectors
        if isinstance(subject, Literal):
            passage = " ".join(str(subject).split())
            if not passage:
                return None
            if passage not in self._passages:
                self._passages[passage] = self.searcher.embedder.embed_passages([passage])[0]
            return _score(float(self._passages[passage] @ query))
        if isinstance(subject, URIRef):
            vector = self.searcher.index.dense.vector(stable_id(str(subject)))
            if vector is not None:
                return _score(float(vector @ query))
            rows = self.document_rows().get(str(subject))
            if rows is not None:
                return _score(max(float(self.searcher.index.dense.vector(i) @ query) for i in rows))
        return None

    def document_rows(self) -> dict[str, np.ndarray]:
        """Item ids of each document, by the document's IRI."""
        if self._document_rows is None:
            grouped: dict[str, list[int]] = {}
            for item in self.searcher.index.items:
                grouped.setdefault(item.iri.rsplit("/", 1)[0], []).append(item.id)
            self._document_rows = {iri: np.array(ids, dtype=np.int64) for iri, ids in grouped.items()}
        return self._document_rows


def _score(value: float) -> Literal:
    return Literal(round(value, 6), datatype=XSD.double)
