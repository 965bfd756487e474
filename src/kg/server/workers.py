"""SPARQL queries in worker processes, so a time limit can really stop them.

pyoxigraph evaluates a query in native code that Python cannot interrupt: a thread
running a runaway query would run on (and hold a core) after its request gave up.
So the server keeps a few worker processes, each running one query at a time. A
query that passes the time limit has its worker killed (the operating system
frees its memory and core at once) and a fresh worker is started in its place;
the server's own process never runs SPARQL and stays responsive.

Workers are started with "spawn" (never fork a process holding threads); one is
handed out only once it has imported everything and said it is ready, so start-up
time never counts against a query's time limit.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import queue
import threading
import time
from multiprocessing.connection import Connection
from typing import Any

from kg.errors import KgError
from kg.query.errors import QueryError, ResultTooLarge
from kg.settings import Settings
from kg.store import QueryResult

log = logging.getLogger("kg.server")

READY_TIMEOUT = 120.0  # seconds a new worker may take to import and start
START_ATTEMPTS = 3  # workers that fail to start in a row before the pool gives up


class QueryTimeout(KgError):
    """A query that ran past the time limit; its worker was stopped."""


class ServerBusy(KgError):
    """Every worker stayed busy for as long as a query may run."""


def _work(connection: Connection, settings: Settings) -> None:
    """A worker's loop: receive (query, graph, max_results), send back the outcome."""
    from kg.query.sparql import run_query

    _warm_up(settings)
    connection.send(("ready", None))
    while True:
        try:
            request = connection.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if request is None:
            return
        sparql, graph, max_results = request
        try:
            outcome: tuple[str, Any] = ("ok", run_query(sparql, settings, graph, max_results))
        except ResultTooLarge:
            outcome = ("too-large", None)
        except QueryError as exc:
            outcome = ("query", str(exc))
        except KgError as exc:
            outcome = ("error", str(exc))
        except Exception as exc:  # reported to the server, which logs it; the worker goes on
            outcome = ("crash", f"{type(exc).__name__}: {exc}")
        try:
            connection.send(outcome)
        except (OSError, ValueError):
            return


def _warm_up(settings: Settings) -> None:
    """Load the live build's search index and model now, so kgf:similarity answers at once."""
    from kg.search.similarity import SIMILARITY, sparql_functions
    from kg.store.layout import current_build

    with contextlib.suppress(KgError):  # no build or no index yet: a query will say so
        similarity = sparql_functions(current_build(settings.build_dir), settings.embedder)[SIMILARITY]
        similarity.searcher.tokenizer  # noqa: B018  (loads the index, the model and jieba)


class _Worker:
    """One worker process and its end of the pipe."""

    def __init__(self, context: Any, settings: Settings) -> None:
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_work, args=(child, settings), daemon=True, name="kg-query")
        self.process.start()
        child.close()
        self._stopped = threading.Lock()

    def wait_ready(self, timeout: float) -> bool:
        try:
            return self.connection.poll(timeout) and self.connection.recv()[0] == "ready"
        except (EOFError, OSError, ValueError):
            return False

    def stop(self) -> None:
        """Kill the process (if alive) and close the pipe; only the first call does anything."""
        if not self._stopped.acquire(blocking=False):
            return
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        with contextlib.suppress(OSError):
            self.connection.close()


class QueryPool:
    """A fixed number of query worker processes; `run` answers one query within the time limit."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.size = settings.query_workers
        self.timeout = settings.query_timeout
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._workers: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self._failed_starts = 0

    def start(self, wait: float = READY_TIMEOUT) -> None:
        """Start the workers; return once all are ready (or after `wait` seconds)."""
        for _ in range(self.size):
            self._spawn()
        deadline = time.monotonic() + wait
        while self._idle.qsize() < self.size and time.monotonic() < deadline:
            if self._failed_starts >= START_ATTEMPTS:
                raise KgError("the query workers could not start (see the log above)")
            time.sleep(0.05)

    def _spawn(self) -> None:
        with self._lock:
            if self._closed:
                return
            worker = _Worker(self._context, self.settings)
            self._workers.add(worker)
        threading.Thread(target=self._admit, args=(worker,), daemon=True, name="kg-query-start").start()

    def _admit(self, worker: _Worker) -> None:
        if worker.wait_ready(READY_TIMEOUT) and not self._closed:
            self._failed_starts = 0
            self._idle.put(worker)
            return
        self._retire(worker)
        self._failed_starts += 1
        if self._closed:
            return
        if self._failed_starts >= START_ATTEMPTS:
            log.error("query workers failed to start %d times in a row; giving up", self._failed_starts)
            return
        log.error("a query worker failed to start; starting another")
        time.sleep(1)
        self._spawn()

    def _retire(self, worker: _Worker) -> None:
        with self._lock:
            self._workers.discard(worker)
        worker.stop()

    def _replace(self, worker: _Worker) -> None:
        self._retire(worker)
        self._spawn()

    def run(self, sparql: str, graph: str = "all", max_results: int | None = None) -> QueryResult:
        """The query's result, computed by a worker within `settings.query_timeout` seconds.

        Raises QueryTimeout (the worker is killed and replaced), ServerBusy (no worker
        came free within the time limit), ResultTooLarge, QueryError or KgError.
        """
        if self._closed:
            raise ServerBusy("the server is shutting down")
        if self._failed_starts >= START_ATTEMPTS:
            raise KgError("the query workers could not start (see the server's log)")
        try:
            worker = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            raise ServerBusy(
                f"all {self.size} query workers stayed busy for {self.timeout:g} s: try again later"
            ) from None
        try:
            worker.connection.send((sparql, graph, max_results))
            finished = worker.connection.poll(self.timeout)
            status, payload = worker.connection.recv() if finished else ("timeout", None)
        except (EOFError, OSError):
            status, payload = "died", None
        if status in ("timeout", "died"):
            self._replace(worker)
            if status == "timeout":
                raise QueryTimeout(
                    f"the query ran longer than the time limit ({self.timeout:g} s) and was stopped: "
                    "narrow it (a LIMIT, a more selective pattern) or raise --query-timeout"
                )
            raise KgError("the query stopped its worker process (out of memory?): narrow it")
        self._idle.put(worker)
        if status == "ok":
            return payload
        if status == "too-large":
            raise ResultTooLarge(max_results or 0)
        if status == "query":
            raise QueryError(payload)
        if status == "error":
            raise KgError(payload)
        raise RuntimeError(payload)

    def close(self) -> None:
        """Stop every worker."""
        with self._lock:
            self._closed = True
            workers = list(self._workers)
            self._workers.clear()
        for worker in workers:
            with contextlib.suppress(OSError, ValueError):
                worker.connection.send(None)  # a ready worker leaves its loop; others are killed
            worker.process.join(1)
            worker.stop()
