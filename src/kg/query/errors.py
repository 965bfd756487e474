"""Turning a SPARQL parser's complaint into a one-look message with the position."""

from __future__ import annotations

import re

from kg.errors import KgError
from kg.graph.vocabulary import PREFIXES


class QueryError(KgError):
    """A query that cannot run: bad syntax, an update, an unknown prefix."""


class UpdateRefused(QueryError):
    """A SPARQL update (INSERT, DELETE, LOAD ...) sent to the read-only graph."""

    def __init__(self, keyword: str) -> None:
        self.keyword = keyword
        super().__init__(f"SPARQL updates ({keyword}) are not allowed: the graph is read-only")


class ResultTooLarge(QueryError):
    """A query whose answer has more rows (or triples) than the limit allows.

    `hint` names how the caller raises the limit (" or raise --max-results").
    """

    def __init__(self, limit: int, hint: str = "") -> None:
        self.limit = limit
        super().__init__(
            f"the result has more than {limit:,} rows or triples (the limit): "
            f"narrow the query or add a LIMIT{hint}"
        )


class QueryTooLong(QueryError):
    """A query text longer than the limit, refused before it is read."""


class NestingTooDeep(QueryError):
    """Brackets nested deeper than the parser can safely take."""


class ServiceRefused(QueryError):
    """A federated query (SERVICE): the store would send requests to any URL."""


class FunctionError(QueryError):
    """An extension function called with the wrong number or kind of arguments."""


def check_size(count: int, limit: int | None) -> None:
    """Raise ResultTooLarge once `count` exceeds `limit` (None: no limit)."""
    if limit is not None and count > limit:
        raise ResultTooLarge(limit)


_POSITION = re.compile(r"error at (\d+):(\d+):\s*(.*)", re.S)
# What may hold a colon without being a prefixed name: strings, IRIs, comments.
_OPAQUE = re.compile(
    r"'''.*?'''"
    r'|""".*?"""'
    r"|'(?:[^'\\\n]|\\.)*'"
    r'|"(?:[^"\\\n]|\\.)*"'
    r'|<[^<>"{}|^`\\\s]*>'
    r"|#[^\n]*",
    re.S,
)
_DECLARED = re.compile(r"\bPREFIX\s+([A-Za-z][\w.-]*)?:", re.I)
_PREFIXED = re.compile(r"(?<![\w.-])([A-Za-z][\w.-]*)?:")


def undeclared_prefix(sparql: str) -> tuple[str, int, int] | None:
    """The first prefix used but neither predeclared nor declared, with its line and column."""
    text = _OPAQUE.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), sparql)
    declarations = list(_DECLARED.finditer(text))
    declared = set(PREFIXES) | {m.group(1) or "" for m in declarations}
    declaring = {m.end() for m in declarations}
    for used in _PREFIXED.finditer(text):
        name = used.group(1) or ""
        if name not in declared and used.end() not in declaring:
            line = text.count("\n", 0, used.start()) + 1
            column = used.start() - (text.rfind("\n", 0, used.start()) + 1) + 1
            return name, line, column
    return None


def query_error(sparql: str, raw: str) -> QueryError:
    """A QueryError naming line and column, with the offending line and a caret.

    An undeclared prefix is named first: the parser, backtracking, often reports another
    complaint further on (after `;` it says "expected OPTIONAL").
    """
    unknown = undeclared_prefix(sparql)
    match = _POSITION.search(raw)
    if unknown:
        name, line, column = unknown
        detail = f"unknown prefix '{name}:': declare it with PREFIX"
    elif match:
        line, column, detail = int(match.group(1)), int(match.group(2)), match.group(3)
        detail = detail.splitlines()[0] if detail else "invalid syntax"
        if len(detail) > 120:
            detail = detail[:117] + "..."
    else:
        return QueryError(f"SPARQL syntax error: {raw.splitlines()[0] if raw else 'invalid query'}")
    lines = sparql.splitlines() or [""]
    source_line = lines[line - 1] if 0 < line <= len(lines) else ""
    pointer = " " * max(column - 1, 0) + "^"
    return QueryError(
        f"SPARQL syntax error at line {line}, column {column}: {detail}\n  {source_line}\n  {pointer}"
    )
