"""The errors a store raises, and turning a SPARQL parser's complaint into a one-look message.

They live with the stores (not with `kg.query`, which is above them) because a store
raises them: a query it cannot parse (QueryError, with line, column and a caret), an
answer past the limit (ResultTooLarge), an extension function called wrongly
(FunctionError), a remote SPARQL server that cannot be reached or fails (RemoteError).
`kg.query.errors` re-exports them beside the query layer's own.
"""

from __future__ import annotations

import re

from kg.errors import KgError
from kg.graph.vocabulary import PREFIXES
from kg.store.lexer import position, tokens

__all__ = [
    "FunctionError",
    "QueryError",
    "RemoteError",
    "ResultTooLarge",
    "check_size",
    "query_error",
    "undeclared_prefix",
]


class QueryError(KgError):
    """A query that cannot run: bad syntax, an update, an unknown prefix."""


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


class FunctionError(QueryError):
    """An extension function called with the wrong number or kind of arguments."""


class RemoteError(KgError):
    """A remote SPARQL server that cannot be reached, answers with an HTTP error, or not with SPARQL.

    After an HTTP error, `status` is its code and `detail` the server's message (0 and "" otherwise).
    """

    status = 0
    detail = ""


def check_size(count: int, limit: int | None) -> None:
    """Raise ResultTooLarge once `count` exceeds `limit` (None: no limit)."""
    if limit is not None and count > limit:
        raise ResultTooLarge(limit)


_POSITION = re.compile(r"error at (\d+):(\d+):\s*(.*)", re.S)


def undeclared_prefix(sparql: str) -> tuple[str, int, int] | None:
    """The first prefix used but neither predeclared nor declared, with its line and column.

    Read from the lexer's tokens, so a colon in a string, an IRI or a comment is no prefix.
    """
    found = list(tokens(sparql))
    declaring = {
        i + 1
        for i, token in enumerate(found[:-1])
        if token.kind == "word" and token.text.upper() == "PREFIX" and found[i + 1].kind == "pname"
    }
    declared = set(PREFIXES) | {found[i].text.split(":", 1)[0] for i in declaring}
    for i, token in enumerate(found):
        name = token.text.split(":", 1)[0]
        if token.kind == "pname" and i not in declaring and name != "_" and name not in declared:
            line, column = position(sparql, token.offset)
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
