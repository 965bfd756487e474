"""A standalone `FILTER(kgf:contains(?item, "word"))` becomes `VALUES ?item { <a> <b> ... }`.

A SPARQL engine calls an extension function once per row, so a filter over every item's
label reads every label whatever answers it; the build's lexical index knows the few items
holding the word at once (`kg.search.contains`). A FILTER keeps, of the rows of its group,
those it holds for; when it is a lone call on a variable the group binds, VALUES in the
same group keeps exactly the same rows, and lets the store start from them. Only that
form is rewritten (read token by token, so a string or comment saying kgf:contains is
left alone): a call inside `||`, `!` or a BIND runs per row with the same answers.
"""

from __future__ import annotations

from collections.abc import Callable

from kg.graph.vocabulary import KGF
from kg.query.terms import iri_of, string_value, with_values
from kg.store.lexer import Token

CONTAINS = str(KGF.contains)
# the tokens of FILTER ( kgf:contains ( ?item , "word" ) ), by kind; the langtag is optional
_SHAPE = ("word", "open", "pname|iri", "open", "var", "other", "string", "close", "close")


def with_contains_values(sparql: str, items: Callable[[str], frozenset[str]]) -> str:
    """`sparql` with each standalone kgf:contains filter replaced by VALUES of the items it holds
    for; `items(word)` gives their IRIs (`kg.search.contains.Contains.items`, which raises for a
    word it cannot look up)."""
    return with_values(sparql, CONTAINS, _standalone_call, lambda word, _: items(word))


def _standalone_call(found: list[Token], start: int, declared: dict[str, str]) -> tuple[str, str, int] | None:
    """(the variable, the word, where the FILTER ends) when a lone kgf:contains filter starts here."""
    window = found[start : start + len(_SHAPE) + 1]
    if len(window) < len(_SHAPE) or window[0].text.upper() != "FILTER":
        return None
    if len(window) > 7 and window[7].kind == "langtag":  # "預算"@zh: the word is the same
        window = window[:7] + window[8:]
    for token, kinds in zip(window, _SHAPE, strict=False):
        if token.kind not in kinds.split("|"):
            return None
    if window[1].text != "(" or window[3].text != "(" or window[5].text != ",":
        return None
    if window[7].text != ")" or window[8].text != ")" or iri_of(window[2], declared) != CONTAINS:
        return None
    return window[4].text, string_value(window[6].text), window[8].offset + 1
