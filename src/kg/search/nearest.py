"""`kgf:nearest`: the k items nearest a question by meaning, inside SPARQL, from the vector index.

    FILTER(kgf:nearest(?item, "客訴處理", 50))
    FILTER(kgf:nearest(?indicator, "客訴處理", 50, kg:BehaviourIndicator, kg:CompetencyStandard))

is true when the item is one of the k items (1 to `MAX_K`) whose vectors are nearest
the question's, by the cosine kgf:similarity gives (the question embedded as search
embeds it), found by the build's FAISS index (an exact scan, not an approximation).
Classes after k narrow the candidates before they are ranked: item classes (kg:Task,
kg:BehaviourIndicator, kg:Knowledge ...) keep the items of any of them, document
classes (kg:CompetencyStandard, kg:CompetencyUnit) the items of documents of any of
them, and both keep what both keep. So "the 50 indicators of standards nearest the
question" is one call, and does not depend on how many other items are near it.

The nearest items are found once per (question, k, classes), kept for the next calls,
and `kg.query.nearest_values` turns a standalone `FILTER(kgf:nearest(...))` into
`VALUES ?item { ... }` before the query runs, so the store joins and scores those items
only instead of calling kgf:similarity for every row. Anywhere else (inside `||`, a
BIND ...) it is called per row and answers from the same set. Items tied at the k-th
place may fall either side of it, and a vector's cosine differs in the last digits
between machines, so ask for more than a query keeps (its LIMIT) to keep its answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from rdflib import XSD, Literal, URIRef
from rdflib.term import Node

from kg.errors import KgError
from kg.graph.vocabulary import KG, KGF
from kg.parse.kinds import document_kinds, item_kinds
from kg.search.engine import Searcher, clean_query
from kg.search.index import SearchIndex

NEAREST = str(KGF.nearest)
MAX_K = 1000  # the VALUES a rewrite writes stay a few tens of kB
USAGE = (
    'kgf:nearest(?item, "客訴處理", 50) (an item, the question, how many nearest; '
    "then item or document classes to keep, if any: kg:BehaviourIndicator, kg:CompetencyStandard)"
)
_KEPT = 64  # (question, k, classes) whose items are kept (a set of at most MAX_K IRIs each)
_INTEGERS = {XSD.integer, XSD.int, XSD.long, XSD.short, XSD.positiveInteger, XSD.nonNegativeInteger}
_BARE = {*_INTEGERS, XSD.decimal, XSD.double, XSD.float, XSD.boolean}  # shown as written


class Nearest:
    """The function's state: the build's searcher (loaded on first use) and the questions asked."""

    usage = USAGE

    def __init__(self, searcher: Callable[[], Searcher]) -> None:
        self._load_searcher = searcher
        self._found: dict[tuple[str, int, tuple[str, ...]], frozenset[str]] = {}
        self._allowed: dict[Kinds, np.ndarray] = {}  # the ids of each combination of kinds asked

    def __call__(self, item: Node, question: Node, k: Node, *classes: Node) -> Literal:
        """Whether `item` is among the `k` nearest (xsd:boolean); KgError for arguments of the wrong kind."""
        if not isinstance(item, URIRef):
            raise KgError(
                f"kgf:nearest: the first argument must be an item's IRI, not {_shown(item)}: {USAGE}"
            )
        if not isinstance(question, Literal) or question.datatype not in (None, XSD.string):
            raise KgError(
                f"kgf:nearest: the question (the second argument) must be a text, "
                f"not {_shown(question)}: {USAGE}"
            )
        value = k.toPython() if isinstance(k, Literal) and k.datatype in _INTEGERS else _shown(k)
        for cls in classes:
            if not isinstance(cls, URIRef):
                raise KgError(f"kgf:nearest: a class to keep must be an IRI, not {_shown(cls)}: {USAGE}")
        found = self.items(str(question), as_k(value), tuple(str(c) for c in classes))
        return Literal(str(item) in found, datatype=XSD.boolean)

    def items(self, question: str, k: int, classes: tuple[str, ...] = ()) -> frozenset[str]:
        """The IRIs of the `k` items of `classes` nearest `question` (see the module docstring)."""
        k = as_k(k)
        try:
            text = clean_query(question)
        except KgError as exc:
            message = str(exc).replace("the search query", "the question (the second argument)")
            raise KgError(f"kgf:nearest: {message}: {USAGE}") from None
        kinds = as_kinds(classes)
        key = (text, k, tuple(sorted(set(classes))))
        if key not in self._found:
            if len(self._found) >= _KEPT:
                self._found.pop(next(iter(self._found)), None)  # the oldest (another thread may have)
            self._found[key] = self._look_up(text, k, kinds)
        return self._found[key]

    def _look_up(self, text: str, k: int, kinds: Kinds) -> frozenset[str]:
        try:
            searcher = self._load_searcher()
        except KgError as exc:
            raise KgError(f"kgf:nearest needs the build's search index: {exc}") from None
        index = searcher.index
        allowed = None
        if kinds.items or kinds.documents:
            if kinds not in self._allowed:
                self._allowed[kinds] = kept_ids(index, kinds)
            allowed = self._allowed[kinds]
        ids, _ = index.dense.search(searcher.query_vector(text), k, allowed)
        return frozenset(index.items[index.row_of[int(i)]].iri for i in np.asarray(ids))


def kept_ids(index: SearchIndex, kinds: Kinds) -> np.ndarray:
    """The ids of the index's items of these kinds (from its columns: no pass over its items)."""
    mask = np.ones(len(index.items), dtype=bool)
    for column, kept in (("kind", kinds.items), ("document_kind", kinds.documents)):
        if kept:
            mask &= np.isin(index.column(column), kept)
    return index.ids[mask]


def as_k(value: object) -> int:
    """How many nearest items, checked: a whole number from 1 to MAX_K."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_K:
        raise KgError(
            f"kgf:nearest: how many (the third argument) must be a whole number from 1 to {MAX_K}, "
            f"not {value}: {USAGE}"
        )
    return value


class Kinds(NamedTuple):
    """The item kinds and document kinds a call keeps (none: any)."""

    items: tuple[str, ...]
    documents: tuple[str, ...]


def as_kinds(classes: tuple[str, ...]) -> Kinds:
    """The kinds of item and of document these classes name; a KgError naming the classes it knows."""
    of_items, of_documents = item_classes(), document_classes()
    items, documents = [], []
    for iri in classes:
        if iri in of_items:
            items.append(of_items[iri])
        elif iri in of_documents:
            documents.append(of_documents[iri])
        else:
            known = ", ".join(f"kg:{c.removeprefix(str(KG))}" for c in [*of_items, *of_documents])
            raise KgError(f"kgf:nearest: <{iri}> is not a class of items it can keep; choose from: {known}")
    return Kinds(tuple(dict.fromkeys(items)), tuple(dict.fromkeys(documents)))


def item_classes() -> dict[str, str]:
    """The searchable item kinds, by their class's IRI (as registered now: kinds may be added)."""
    return {str(KG[kind.owl_class]): kind.name for kind in item_kinds(searchable=True)}


def document_classes() -> dict[str, str]:
    """The document kinds, by their class's IRI."""
    return {str(KG[kind.owl_class]): kind.name for kind in document_kinds()}


def _shown(term: Node) -> str:
    """A term as the query wrote it: 2.5 and true bare, a text quoted, an IRI in <>."""
    if isinstance(term, Literal) and term.datatype in _BARE:
        return str(term)
    return term.n3() if isinstance(term, (URIRef, Literal)) else str(term)
