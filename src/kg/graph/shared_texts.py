"""Texts printed word for word in several documents, found once at build time.

    <{base}shared/{hash}> a kg:SharedText ;
        kg:sharedText "緊急應變原則" ; kg:itemKind "knowledge" ;
        kg:documentCount 2 ; kg:itemCount 2 ;
        kg:sharedTextRank 1 ; kg:sharedTextPage 1 ;       (within its kind: most documents, then
                                                          items, then text; see kg.graph.pages)
        kg:sharedBy <{base}BAS1499-003/K8> , <{base}KMM5R0915v2/K2> .

Why: finding them in SPARQL joins every item's text with every other's and lists each
pair of holders (80,700 rows and 8.6 s at 200 synthetic documents, growing with the square
of a text's holders); one node per shared text grows with the shared texts, and the
`shared-knowledge` query reads the nodes. A text counts as shared when items of one kind
in at least two documents have exactly that text (as kg:text holds it). The nodes join
the inferred graph (they are derived, like the per-document counts of
`kg.graph.statistics`); they are made from every document at once, so after all of them.
Their rank is the query's order, and their page (`kg.graph.pages`) lets the query read its
first page by a look-up of one value instead of reading and sorting every node.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator

from rdflib import RDF

from kg.graph.nquads import integer, plain
from kg.graph.pages import page_of
from kg.graph.vocabulary import KG, Iris

SHARED_KINDS = ("knowledge",)  # item kinds whose shared texts get a node (what the queries read)


def shared_text_lines(items: Iterable[tuple[str, str, str, str]], iris: Iris, graph: str) -> Iterator[str]:
    """The nodes of texts held by items of one kind in two or more documents, as N-Quads lines
    in `graph`.

    `items` are (kind, document code, item IRI, text); the nodes come in (kind, rank) order
    and their holders in IRI order, so the same items give the same lines. Written as text,
    not rdflib terms, which cost most of a second at 3,000 documents (60,000 triples).
    """
    holders: dict[tuple[str, str], dict[str, str]] = {}
    for kind, document, iri, text in items:
        if kind in SHARED_KINDS:
            holders.setdefault((kind, text), {})[iri] = document
    shared = [
        (kind, -len(set(held.values())), -len(held), text, held)
        for (kind, text), held in holders.items()
        if len(set(held.values())) >= 2
    ]
    ends = f"<{graph}> .\n"
    prefix = str(iris.concept("shared", ""))  # the keys are hex digests, which minting leaves as they are
    rank, previous = 0, None
    for kind, documents, held_by, text, held in sorted(shared, key=lambda row: row[:4]):
        rank = rank + 1 if kind == previous else 1
        previous = kind
        key = hashlib.sha256(f"{kind}\n{text}".encode()).hexdigest()[:16]
        node = f"<{prefix}{key}>"
        yield f"{node} {_TYPE} {_SHARED_TEXT} {ends}"
        yield f"{node} {_TEXT} {plain(text)} {ends}"
        yield f"{node} {_KIND} {plain(kind)} {ends}"
        yield f"{node} {_DOCUMENTS} {integer(-documents)} {ends}"
        yield f"{node} {_ITEMS} {integer(-held_by)} {ends}"
        yield f"{node} {_RANK} {integer(rank)} {ends}"
        yield f"{node} {_PAGE} {integer(page_of(rank))} {ends}"
        for iri in sorted(held):
            yield f"{node} {_BY} <{iri}> {ends}"


_TYPE, _SHARED_TEXT, _TEXT = f"<{RDF.type}>", f"<{KG.SharedText}>", f"<{KG.sharedText}>"
_KIND, _DOCUMENTS, _ITEMS = f"<{KG.itemKind}>", f"<{KG.documentCount}>", f"<{KG.itemCount}>"
_RANK, _PAGE, _BY = f"<{KG.sharedTextRank}>", f"<{KG.sharedTextPage}>", f"<{KG.sharedBy}>"
