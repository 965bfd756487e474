"""The server's SPARQL workers: the query layer's pool (`kg.query.workers`), sized and tuned for many clients.

What is server-specific: workers load the search index and model before they take
queries, so kgf:similarity answers at once; and a query waits at most `BUSY_WAIT`
seconds for a free worker, then gets a 503 with Retry-After (see `kg.server.errors`),
so two runaway queries that hold every worker until the time limit never make the
other clients wait for it.
"""

from __future__ import annotations

from kg.query.workers import QueryPool, QueryTimeout, WorkerCrash, WorkersBusy
from kg.settings import Settings

BUSY_WAIT = 1.5  # seconds a query waits for a free worker before "busy"

__all__ = ["BUSY_WAIT", "QueryPool", "QueryTimeout", "WorkerCrash", "WorkersBusy", "server_pool"]


def server_pool(settings: Settings) -> QueryPool:
    """The pool `kg serve` starts with the app: `settings.query_workers` warm workers."""
    return QueryPool(settings, wait=BUSY_WAIT, warm=True)
