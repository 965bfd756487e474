"""What a query must pass before it reaches a store: size, nesting depth, no SERVICE, no update.

Every check reads the tokens of `kg.store.lexer`, so a string literal, an IRI, a
prefixed name or a comment can neither hide nor fake a keyword or a bracket.

- Size: at most `MAX_QUERY_CHARS` characters, checked before anything else is read.
- Nesting: at most `MAX_NESTING` levels of { } ( ) [ ]. pyoxigraph's parser recurses
  per level: about 2,200 nested `{` or 5,000 `(` overflow its stack and kill the
  process (a segmentation fault), and nested `[` take cubic time (64 levels 0.9 s,
  128 levels 12 s); real queries nest a handful of levels.
- SERVICE: refused, with or without SILENT. A federated query would make the store
  send HTTP requests to any URL the query names (server-side request forgery).
  pyoxigraph's parser matches keywords without word boundaries, so `SERVICESILENT<…>`,
  `SERVICE:x` (a SERVICE to the IRI `:x`) and `trueSERVICE <…>` (the literal true, then
  SERVICE) are federated queries too: any bare word containing "service", and any
  prefix that reads as one, is refused. Local names (`ex:service`), variables,
  strings, IRIs and comments are not.
"""

from __future__ import annotations

import re

from kg.graph.vocabulary import PREFIXES
from kg.query.errors import NestingTooDeep, QueryTooLong, ServiceRefused
from kg.store.lexer import Token, position, tokens, unescape_codepoints

MAX_QUERY_CHARS = 100_000
MAX_NESTING = 64
_UPDATES = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
_SERVICE_PREFIX = re.compile(r"(?:true|false)?service", re.I)


def check_query(sparql: str) -> None:
    """Raise QueryTooLong, NestingTooDeep or ServiceRefused; return quietly for a query that may run."""
    if len(sparql) > MAX_QUERY_CHARS:
        raise QueryTooLong(f"the query is too long: {len(sparql):,} characters (at most {MAX_QUERY_CHARS:,})")
    found = list(tokens(sparql))
    _check_nesting(sparql, found)
    _check_service(sparql, found)
    if "\\u" in sparql or "\\U" in sparql:  # SERVICE spelt with \u escapes, for parsers that decode them
        unescaped = unescape_codepoints(sparql)
        _check_service(unescaped, list(tokens(unescaped)), escaped=True)


def _check_nesting(sparql: str, found: list[Token]) -> None:
    depth = 0
    for token in found:
        if token.kind == "open":
            depth += 1
            if depth > MAX_NESTING:
                line, column = position(sparql, token.offset)
                raise NestingTooDeep(
                    f"the query nests brackets too deeply: more than {MAX_NESTING} levels of {{ }} ( ) [ ] "
                    f"at line {line}, column {column}"
                )
        elif token.kind == "close":
            depth = max(depth - 1, 0)


def service_token(found: list[Token]) -> Token | None:
    """The first token the store's parser could read as the SERVICE keyword, if any."""
    for token in found:
        if token.kind == "word" and "service" in token.text.lower():
            return token
        if token.kind == "pname" and _SERVICE_PREFIX.match(token.text.split(":", 1)[0]):
            return token
    return None


def _check_service(sparql: str, found: list[Token], escaped: bool = False) -> None:
    token = service_token(found)
    if token is None:
        return
    line, column = position(sparql, token.offset)
    how = " (written with \\u escapes)" if escaped else ""
    if token.kind == "pname":
        how += f" (the prefixed name {token.text} reads as SERVICE: rename the prefix)"
    raise ServiceRefused(
        f"SERVICE is not allowed{how} at line {line}, column {column}: "
        "queries run over this graph only and never call other endpoints"
    )


def declared_prefixes(found: list[Token]) -> dict[str, str]:
    """The predeclared prefixes, and those a query's tokens declare (PREFIX p: <iri>)."""
    declared = dict(PREFIXES)
    for i, token in enumerate(found[:-2]):
        prefix_token, iri_token = found[i + 1], found[i + 2]
        if (
            token.kind == "word"
            and token.text.upper() == "PREFIX"
            and (prefix_token.kind, iri_token.kind) == ("pname", "iri")
        ):
            declared[prefix_token.text.split(":", 1)[0]] = iri_token.text[1:-1]
    return declared


def names_in(sparql: str, namespace: str) -> list[str]:
    """The IRIs of `namespace` a query names, prefixed (kgf:similarity) or in full, each once.

    Prefixes are the predeclared ones and those the query declares; escapes (\\u) are read.
    """
    if "\\u" in sparql or "\\U" in sparql:
        sparql = unescape_codepoints(sparql)
    found = list(tokens(sparql))
    declared = declared_prefixes(found)
    named: dict[str, None] = {}
    for token in found:
        if token.kind == "iri":
            iri = token.text[1:-1]
        elif token.kind == "pname" and token.text.split(":", 1)[0] in declared:
            prefix, local = token.text.split(":", 1)
            iri = declared[prefix] + local
        else:
            continue
        if iri.startswith(namespace) and iri != namespace:
            named[iri] = None
    return list(named)


def update_keyword(sparql: str) -> str | None:
    """The keyword (INSERT, DELETE, LOAD ...) when the text is a SPARQL update, else None."""
    code = [t for t in tokens(sparql) if t.kind != "comment"]
    i = 0
    while i < len(code):  # skip the prologue: PREFIX p: <iri> and BASE <iri>
        word = code[i].text.upper() if code[i].kind == "word" else ""
        if word == "PREFIX" and i + 2 < len(code):
            i += 3
        elif word == "BASE" and i + 1 < len(code):
            i += 2
        else:
            break
    if i < len(code) and code[i].kind == "word" and code[i].text.upper() in _UPDATES:
        return code[i].text.upper()
    return None
