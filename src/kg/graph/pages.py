"""Pages of a corpus-wide answer, made at build time: a rank and a page number on each node a
named query lists, so that its first look reads one page by a look-up of one value.

    <{base}BAS1499-003> kg:documentRank 1 ; kg:documentPage 1 .     (documents by code)

A query that sorts every document (or pair, or shared text) before its LIMIT reads and
orders them all: 0.2 to 0.6 s at 3,000 documents. Reading the nodes of `page 1` is an index
look-up of one literal, and ordering by the rank orders only that page (about 10 ms for a page
of `PAGE` rows). Page 2 holds ranks PAGE+1 to 2*PAGE, and so on; a query's comment says how
to read the rest. The same page size serves every paged query (documents here, shared texts
in `kg.graph.shared_texts`, document pairs and incorporated units in `kg.mapping.rdf`).
The document ranks join the inferred graph: they are derived from every document at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from kg.graph.nquads import integer
from kg.graph.vocabulary import KG, Iris

PAGE = 100  # ranks a page holds: a first look at a corpus-wide answer


def page_of(rank: int) -> int:
    """The page (from 1) that rank `rank` (from 1) is on."""
    return (rank - 1) // PAGE + 1


def document_page_lines(codes: Iterable[str], iris: Iris, graph: str) -> Iterator[str]:
    """Each document's rank by code (in code-point order, as SPARQL's ORDER BY sorts them) and
    page, as N-Quads lines in `graph` (text, not rdflib terms: thousands of documents)."""
    ends = f"<{graph}> .\n"
    for rank, code in enumerate(sorted(set(codes)), start=1):
        document = f"<{iris.document(code)}>"
        yield f"{document} {_RANK} {integer(rank)} {ends}"
        yield f"{document} {_PAGE} {integer(page_of(rank))} {ends}"


_RANK, _PAGE = f"<{KG.documentRank}>", f"<{KG.documentPage}>"
