"""Turning a SPARQL parser's complaint into a one-look message with the position."""

from __future__ import annotations

import re

from kg.errors import KgError


class QueryError(KgError):
    """A query that cannot run: bad syntax, an update, an unknown prefix."""


class UpdateRefused(QueryError):
    """A SPARQL update (INSERT, DELETE, LOAD ...) sent to the read-only graph."""

    def __init__(self, keyword: str) -> None:
        self.keyword = keyword
        super().__init__(f"SPARQL updates ({keyword}) are not allowed: the graph is read-only")


class ResultTooLarge(QueryError):
    """A query whose answer has more rows (or triples) than the limit allows."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(
            f"the result has more than {limit:,} rows or triples (the limit): narrow the query or add a LIMIT"
        )


def check_size(count: int, limit: int | None) -> None:
    """Raise ResultTooLarge once `count` exceeds `limit` (None: no limit)."""
    if limit is not None and count > limit:
        raise ResultTooLarge(limit)


_POSITION = re.compile(r"error at (\d+):(\d+):\s*(.*)", re.S)


def query_error(sparql: str, raw: str) -> QueryError:
    """A QueryError naming line and column, with the offending line and a caret."""
    match = _POSITION.search(raw)
    if not match:
        return QueryError(f"SPARQL syntax error: {raw.splitlines()[0] if raw else 'invalid query'}")
    line, column, detail = int(match.group(1)), int(match.group(2)), match.group(3)
    detail = detail.splitlines()[0] if detail else "invalid syntax"
    lines = sparql.splitlines() or [""]
    source_line = lines[line - 1] if 0 < line <= len(lines) else ""
    if "Prefix not found" in detail:
        prefix = re.search(
            r"([A-Za-z][\w-]*):\S*$", source_line[: column - 1] + source_line[column - 1 :].split(" ")[0]
        )
        name = f"'{prefix.group(1)}:'" if prefix else "a prefix"
        detail = f"unknown prefix {name}: declare it with PREFIX"
    elif len(detail) > 120:
        detail = detail[:117] + "..."
    pointer = " " * max(column - 1, 0) + "^"
    return QueryError(
        f"SPARQL syntax error at line {line}, column {column}: {detail}\n  {source_line}\n  {pointer}"
    )
