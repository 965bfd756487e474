"""`kgf:contains`: full-text filtering inside SPARQL, answered by the build's lexical index.

    FILTER(kgf:contains(?item, "預算"))

is true when the item's text (the text `find` searches: a task's title, an indicator's
sentence ...) holds the word: every BM25 token of the word (jieba, as `kg.search.lexical`
cuts it) is one of the item's tokens, and the text holds the word itself (case aside).
So it finds words, as a search box does, not any run of characters: 預算 is found in
編列預算 and 預算控制, but a word that jieba never cuts out of a text is not (FILTER(CONTAINS)
still finds any substring, by reading every label).

The items holding a word are found once per word (the index's token columns, not the
labels), kept for the next calls, and `kg.query.fulltext` turns a standalone
`FILTER(kgf:contains(?item, "..."))` into `VALUES ?item { ... }` before the query runs,
so the store starts from those items instead of calling the function for every row.
Anywhere else (inside `||`, a BIND ...) the function is called per row and answers
from the same set. The first argument is an item IRI; an IRI that is not an item the
search index holds (a document, a class, a version, an assessment item) is false. A
build without a search index is an error naming the function, as is a word with no
indexed token (a stop word, punctuation).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from rdflib import XSD, Literal, URIRef
from rdflib.term import Node

from kg.errors import KgError
from kg.graph.vocabulary import KGF
from kg.search.index import SearchIndex
from kg.search.lexical import Tokenizer

CONTAINS = str(KGF.contains)
USAGE = 'kgf:contains(?item, "預算") (an item, then a word)'
_KEPT_WORDS = 64  # words whose items are kept (a set of IRIs each)


class Contains:
    """The function's state: the build's search index (loaded on first use) and the words looked up."""

    usage = USAGE

    def __init__(self, index: Callable[[], SearchIndex], tokenizer: Callable[[], Tokenizer]) -> None:
        self._load_index = index
        self._load_tokenizer = tokenizer
        self._found: dict[str, frozenset[str]] = {}

    def __call__(self, item: Node, word: Node) -> Literal:
        """Whether `item`'s text holds `word` (xsd:boolean); KgError for arguments of the wrong kind."""
        if not isinstance(item, URIRef):
            raise KgError(
                f"kgf:contains: the first argument must be an item's IRI, not {item.n3()}: {self.usage}"
            )
        if not isinstance(word, Literal) or word.datatype not in (None, XSD.string):
            shown = word.n3() if isinstance(word, (URIRef, Literal)) else str(word)
            raise KgError(
                f"kgf:contains: the word (the second argument) must be a text, not {shown}: {USAGE}"
            )
        return Literal(str(item) in self.items(str(word)), datatype=XSD.boolean)

    def items(self, word: str) -> frozenset[str]:
        """The IRIs of the items whose text holds `word` (see the module docstring)."""
        word = " ".join(word.split())
        if not word:
            raise KgError(f"kgf:contains: the word (the second argument) is empty: {USAGE}")
        if word not in self._found:
            if len(self._found) >= _KEPT_WORDS:
                self._found.pop(next(iter(self._found)))
            self._found[word] = self._look_up(word)
        return self._found[word]

    def _look_up(self, word: str) -> frozenset[str]:
        try:
            index = self._load_index()
        except KgError as exc:
            raise KgError(f"kgf:contains needs the build's search index: {exc}") from None
        tokens = list(dict.fromkeys(self._load_tokenizer().tokens(word)))
        if not tokens:
            raise KgError(
                f"kgf:contains: {word!r} has no word the search index keeps (stop words and "
                f"punctuation are not indexed): {self.usage}"
            )
        rows = np.ones(index.lexical.size, dtype=bool)
        for token in tokens:
            rows &= index.lexical.holds(token)
        folded = word.casefold()
        return frozenset(
            index.items[row].iri for row in np.flatnonzero(rows) if folded in index.items[row].text.casefold()
        )
