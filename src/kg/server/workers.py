"""The server's SPARQL workers: the query layer's pool (`kg.query.workers`), sized and tuned for many clients.

What is server-specific: workers load the search index and model before they take
queries, so kgf:similarity answers at once; and a query waits at most `BUSY_WAIT`
seconds for a free worker, then gets a 503 with Retry-After (see `kg.server.errors`),
so two runaway queries that hold every worker until the time limit never make the
other clients wait for it.
"""

from __future__ import annotations

from kg.knowledge_graph import KnowledgeGraph
from kg.query.workers import Hints, QueryPool

BUSY_WAIT = 1.5  # seconds a query waits for a free worker before "busy"
SERVER_HINTS = Hints()  # the endpoint's limits are the operator's: no option to name

__all__ = ["BUSY_WAIT", "SERVER_HINTS", "start_workers"]


def start_workers(graph: KnowledgeGraph) -> QueryPool:
    """Start the graph's query workers as `kg serve` runs them: `settings.query_workers` warm ones."""
    return graph.query_pool(size=graph.settings.query_workers, wait=BUSY_WAIT, warm=True)
