"""A standalone `FILTER(kgf:nearest(?item, "question", k))` becomes `VALUES ?item { <a> <b> ... }`.

Ranking by meaning in SPARQL (`ORDER BY DESC(kgf:similarity(?item, "..."))`) calls the
function for every row the store finds, so it grows with the corpus; the build's vector
index gives the k nearest items at once (`kg.search.nearest`). As with kgf:contains
(`kg.query.fulltext`), a FILTER that is a lone call on a variable keeps the rows of its
group the same VALUES would keep, and VALUES lets the store start from those items. Only
that form is rewritten, read token by token (so a string or comment saying kgf:nearest is
left alone), and only when the question, k and the classes are written out: a variable
among them, or a call inside `||`, `!` or a BIND, runs per row with the same answers.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from kg.errors import KgError
from kg.graph.vocabulary import KGF
from kg.query.terms import iri_of, string_value, with_values
from kg.search.nearest import USAGE, as_k
from kg.store.lexer import Token

NEAREST = str(KGF.nearest)
# items(question, k, class IRIs) -> the IRIs of the k nearest (`kg.search.nearest.Nearest.items`)
Items = Callable[[str, int, tuple[str, ...]], frozenset[str]]
_WHOLE = re.compile(r"[+-]?\d+")
_SIGNS = ("+", "-")


def with_nearest_values(sparql: str, items: Items) -> str:
    """`sparql` with each standalone kgf:nearest filter replaced by VALUES of the items it holds for.

    A k that is not a whole number from 1 to MAX_K, or a class that is not an IRI, is a KgError
    here, before the query runs; `items` raises for the rest (an empty question, an unknown class).
    """

    def look_up(arguments: list[list[Token]], declared: dict[str, str]) -> frozenset[str]:
        return items(*_values(arguments, declared))

    return with_values(sparql, NEAREST, _standalone_call, look_up)


def _standalone_call(
    found: list[Token], start: int, declared: dict[str, str]
) -> tuple[str, list[list[Token]], int] | None:
    """(the variable, the other arguments' tokens, where the FILTER ends) when a lone kgf:nearest
    filter on a variable, with its question and k written out, starts here."""
    head = found[start : start + 4]
    if len(head) < 4 or head[0].kind != "word" or head[0].text.upper() != "FILTER":
        return None
    if head[1].text != "(" or head[2].kind not in ("pname", "iri") or head[3].text != "(":
        return None
    if iri_of(head[2], declared) != NEAREST:
        return None
    arguments, i = [], start + 4
    while True:
        term = _term(found, i)
        if term is None or i + len(term) >= len(found):
            return None
        arguments.append(term)
        i += len(term)
        if found[i].text == ")":
            break
        if found[i].text != ",":
            return None
        i += 1
    if i + 1 >= len(found) or found[i + 1].text != ")" or len(arguments) < 3:
        return None  # too few arguments: left to the call, which names how many it takes
    first, question, *rest = arguments
    if len(first) != 1 or first[0].kind != "var" or question[0].kind != "string":
        return None
    if any(token.kind == "var" for term in rest for token in term):
        return None
    return first[0].text, [question, *rest], found[i + 1].offset + 1


def _term(found: list[Token], i: int) -> list[Token] | None:
    """The tokens of the single term at `i` (a variable, a literal, an IRI), or None for anything else."""
    if i >= len(found):
        return None
    token = found[i]
    if token.kind == "string":
        has_tag = i + 1 < len(found) and found[i + 1].kind == "langtag"
        return found[i : i + 2] if has_tag else [token]
    if token.text in _SIGNS and i + 1 < len(found) and found[i + 1].kind == "number":
        return found[i : i + 2]
    if token.kind in ("var", "number", "iri", "pname", "word"):
        return [token]
    return None


def _values(arguments: list[list[Token]], declared: dict[str, str]) -> tuple[str, int, tuple[str, ...]]:
    """The question, k and class IRIs of a call's written-out arguments (after the variable)."""
    question, k, *classes = arguments
    written = "".join(token.text for token in k)
    count = as_k(int(written) if _WHOLE.fullmatch(written) else written)
    iris = []
    for term in classes:
        iri = iri_of(term[0], declared) if len(term) == 1 and term[0].kind in ("iri", "pname") else None
        if iri is None:
            shown = " ".join(token.text for token in term)
            raise KgError(f"kgf:nearest: a class to keep must be an IRI, not {shown}: {USAGE}")
        iris.append(iri)
    return string_value(question[0].text), count, tuple(iris)
