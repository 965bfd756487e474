"""What the rewrites that answer an extension function from an index before the query runs
(`kg.query.fulltext`, `kg.query.nearest_values`) share: the values of single-token terms (a
string literal, an IRI or prefixed name), read from the query's tokens rather than a parse,
and the replacement of each call they read by VALUES (`with_values`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from kg.graph.vocabulary import KGF
from kg.query.guard import declared_prefixes, names_in
from kg.store.lexer import Token, tokens, unescape_codepoints

Arguments = TypeVar("Arguments")

_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def iri_of(token: Token, declared: dict[str, str]) -> str | None:
    """The IRI an iri or prefixed-name token names (None: its prefix is not declared)."""
    if token.kind == "iri":
        return unescape_codepoints(token.text[1:-1])
    prefix, _, local = token.text.partition(":")
    return declared[prefix] + local if prefix in declared else None


def string_value(text: str) -> str:
    """A SPARQL string literal's value (its quotes and escapes removed)."""
    quote = 3 if text[:3] in ('"""', "'''") else 1
    body = unescape_codepoints(text[quote:-quote])
    out, i = [], 0
    while i < len(body):
        if body[i] == "\\" and i + 1 < len(body):
            out.append(_ESCAPES.get(body[i + 1], body[i + 1]))
            i += 2
        else:
            out.append(body[i])
            i += 1
    return "".join(out)


NO_ITEM = "urn:kg:no-item"  # the VALUES of a call that found nothing: an IRI no build holds


def with_values(
    sparql: str,
    function: str,
    read: Callable[[list[Token], int, dict[str, str]], tuple[str, Arguments, int] | None],
    look_up: Callable[[Arguments, dict[str, str]], Iterable[str]],
) -> str:
    """`sparql` with each call of the extension `function` replaced by `VALUES ?variable { <iri> ... }`.

    `read(tokens, at, prefixes)` gives, where such a call starts, its variable, its arguments and
    where it ends in the text; `look_up(arguments, prefixes)` the IRIs (sorted here, so a query
    is rewritten alike every time).
    """
    if function not in names_in(sparql, str(KGF)):
        return sparql
    found = list(tokens(sparql))
    declared = declared_prefixes(found)
    pieces, done = [], 0
    for start in range(len(found)):
        call = read(found, start, declared)
        if call is None:
            continue
        variable, arguments, end = call
        iris = sorted(look_up(arguments, declared))
        pieces.append(sparql[done : found[start].offset])
        # No IRI: no row. rdflib fails on an empty `VALUES ?x { }`, keeps every row on
        # `FILTER(false)` and evaluates the whole query before `FILTER(1 = 0)`; an IRI that no
        # graph holds joins with nothing, at once, in both stores.
        listed = " ".join(f"<{iri}>" for iri in iris or [NO_ITEM])
        pieces.append(f"VALUES {variable} {{ {listed} }}")
        done = end
    return "".join(pieces) + sparql[done:]
