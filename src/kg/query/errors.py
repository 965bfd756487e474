"""The errors of the checks made before a query reaches a store, and every query error by name.

The errors a store raises itself (QueryError, ResultTooLarge, FunctionError, RemoteError) and the
parser-message helpers live in `kg.store.errors`, below this layer; they are
re-exported here, so `from kg.query.errors import QueryError` keeps working.
"""

from __future__ import annotations

from kg.store.errors import (
    FunctionError,
    QueryError,
    RemoteError,
    ResultTooLarge,
    check_size,
    query_error,
    undeclared_prefix,
)

__all__ = [
    "FunctionError",
    "NestingTooDeep",
    "QueryError",
    "QueryTooLong",
    "RemoteError",
    "ResultTooLarge",
    "ServiceRefused",
    "UpdateRefused",
    "check_size",
    "query_error",
    "undeclared_prefix",
]


class UpdateRefused(QueryError):
    """A SPARQL update (INSERT, DELETE, LOAD ...) sent to the read-only graph."""

    def __init__(self, keyword: str) -> None:
        self.keyword = keyword
        super().__init__(f"SPARQL updates ({keyword}) are not allowed: the graph is read-only")


class QueryTooLong(QueryError):
    """A query text longer than the limit, refused before it is read."""


class NestingTooDeep(QueryError):
    """Brackets nested deeper than the parser can safely take."""


class ServiceRefused(QueryError):
    """A federated query (SERVICE): the store would send requests to any URL."""
