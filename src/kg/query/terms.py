"""The values of single-token SPARQL terms (a string literal, an IRI or prefixed name), for rewrites.

The rewrites that answer an extension function from an index before the query runs
(`kg.query.fulltext`, `kg.query.nearest_values`) read the call's arguments from the
query's tokens, not from a parse: these give what a term token means.
"""

from __future__ import annotations

from kg.store.lexer import Token, unescape_codepoints

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
