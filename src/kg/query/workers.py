"""SPARQL queries in worker processes, so a time limit can really stop them.

pyoxigraph evaluates a query in native code that Python cannot interrupt: a thread
running a runaway query would run on (and hold a core and its memory) after its caller
gave up. So queries run in worker processes, one query at a time each. A query that
passes the time limit has its worker killed (the operating system frees its memory and
core at once) and a fresh worker is started in its place.

`QueryPool` is what `kg serve` keeps (see `kg.server.workers`); `run_limited` is what
`kg sparql` and `kg.sparql` call: one worker, started on the first query and kept for
the next ones (a notebook loads the similarity model once), stopped at exit.

Workers are started with "spawn" (never fork a process holding threads); one is
handed out only once it has imported everything and said it is ready, so start-up
time never counts against a query's time limit.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import math
import multiprocessing
import queue
import threading
import time
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from typing import Any

from kg.errors import KgError
from kg.query.sparql import check_request
from kg.settings import Settings
from kg.store import QueryResult
from kg.store.errors import QueryError, ResultTooLarge

log = logging.getLogger("kg.query")

READY_TIMEOUT = 120.0  # seconds a new worker may take to import and start
START_ATTEMPTS = 3  # workers that fail to start in a row before the pool gives up


class QueryTimeout(KgError):
    """A query that ran past the time limit; its worker was stopped."""


class WorkersBusy(KgError):
    """No worker came free in time; `retry_after` is when one should (seconds)."""

    def __init__(self, message: str, retry_after: int = 1) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class WorkerCrash(RuntimeError):
    """A worker raised something unexpected (a bug, not the query's fault); the message says what."""


@dataclass(frozen=True)
class Hints:
    """How the caller raises each limit, appended to the messages (" or raise --query-timeout")."""

    timeout: str = ""
    rows: str = ""


CLI_HINTS = Hints(" or raise --query-timeout", ", or raise --max-results")
API_HINTS = Hints(" or pass a larger timeout=", ", or pass a larger max_results=")


def _work(connection: Connection, settings: Settings, warm: bool) -> None:
    """A worker's loop: receive (query, graph, max_results), send back the outcome."""
    from kg.query.sparql import run_query

    if warm:
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
        except Exception as exc:  # reported to the caller, which logs it; the worker goes on
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

    def __init__(self, context: Any, settings: Settings, warm: bool) -> None:
        self.connection, child = context.Pipe()
        self.process = context.Process(
            target=_work, args=(child, settings, warm), daemon=True, name="kg-query"
        )
        self.process.start()
        child.close()
        self.deadline = 0.0  # when the query it runs must end (monotonic seconds)
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
    """A fixed number of query worker processes; `run` answers one query within the time limit.

    `wait`: seconds a query waits for a free worker before `WorkersBusy` (None: as long
    as the time limit). `warm`: the first workers load the search index and model before
    they say they are ready; a worker that replaces a stopped one does not, so it is back
    within about a second (its first kgf:similarity loads them). `hints`: how the
    caller's users raise the limits, for the messages.
    """

    def __init__(
        self,
        settings: Settings,
        size: int | None = None,
        wait: float | None = None,
        warm: bool = False,
        hints: Hints = Hints(),
    ) -> None:
        self.settings = settings
        self.size = size or settings.query_workers
        self.timeout = settings.query_timeout
        self.wait = wait
        self.warm = warm
        self.hints = hints
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._workers: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self._failed_starts = 0

    def start(self, wait: float = READY_TIMEOUT) -> None:
        """Start the workers; return once all are ready (or after `wait` seconds)."""
        for _ in range(self.size):
            self._spawn(self.warm)
        deadline = time.monotonic() + wait
        while self._idle.qsize() < self.size and time.monotonic() < deadline:
            if self._failed_starts >= START_ATTEMPTS:
                raise KgError("the query workers could not start (see the log above)")
            time.sleep(0.02)

    def _spawn(self, warm: bool = False) -> None:
        with self._lock:
            if self._closed:
                return
            worker = _Worker(self._context, self.settings, warm)
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

    def _busy(self, waited: float) -> WorkersBusy:
        """The error for a query that found no free worker, with when one should be free."""
        now = time.monotonic()
        with self._lock:
            ends = [w.deadline - now for w in self._workers if w.deadline > now]
        retry = max(1, math.ceil(min(ends))) if ends else 1
        return WorkersBusy(
            f"all {self.size} query workers are busy (none came free within {waited:g} s): "
            f"try again in {retry} s",
            retry,
        )

    def run(
        self,
        sparql: str,
        graph: str = "all",
        max_results: int | None = None,
        timeout: float | None = None,
        hints: Hints | None = None,
    ) -> QueryResult:
        """The query's result, computed by a worker within `timeout` (default: the settings') seconds.

        Raises QueryTimeout (the worker is killed and replaced), WorkersBusy (no worker came
        free within `wait` seconds), ResultTooLarge, QueryError, KgError or WorkerCrash.
        """
        timeout = timeout or self.timeout
        hints = hints or self.hints
        if self._closed:
            raise WorkersBusy("the query workers are shutting down")
        if self._failed_starts >= START_ATTEMPTS:
            raise KgError("the query workers could not start (see the log)")
        wait = timeout if self.wait is None else self.wait
        try:
            worker = self._idle.get(timeout=wait)
        except queue.Empty:
            raise self._busy(wait) from None
        worker.deadline = time.monotonic() + timeout
        try:
            worker.connection.send((sparql, graph, max_results))
            finished = worker.connection.poll(timeout)
            status, payload = worker.connection.recv() if finished else ("timeout", None)
        except (EOFError, OSError):
            status, payload = "died", None
        worker.deadline = 0.0
        if status in ("timeout", "died"):
            self._replace(worker)
            if status == "timeout":
                raise QueryTimeout(
                    f"the query ran longer than the time limit ({timeout:g} s) and was stopped: "
                    f"narrow it (a LIMIT, a more selective pattern){hints.timeout}"
                )
            raise KgError("the query stopped its worker process (out of memory?): narrow it")
        self._idle.put(worker)
        if status == "ok":
            return payload
        if status == "too-large":
            raise ResultTooLarge(max_results or 0, hints.rows)
        if status == "query":
            raise QueryError(payload)
        if status == "error":
            raise KgError(payload)
        raise WorkerCrash(payload)

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


_shared: tuple[Settings, QueryPool] | None = None
_shared_lock = threading.Lock()


def run_limited(
    sparql: str, settings: Settings | None = None, graph: str = "all", hints: Hints = CLI_HINTS
) -> QueryResult:
    """Run a read-only query in a worker process, stopped after the settings' query_timeout
    seconds, refused past their max_results rows or triples.

    The worker is started on the first call (about a second) and kept for later calls with
    the same build folder, store and embedder; queries from several threads wait their turn.
    A refused query (`check_request`) never starts one.
    """
    settings = settings or Settings.load()
    check_request(sparql, graph)
    pool = _shared_pool(settings)
    return pool.run(sparql, graph, settings.max_results, settings.query_timeout, hints)


def _shared_pool(settings: Settings) -> QueryPool:
    global _shared
    wanted = settings.with_(build_dir=settings.build_dir.resolve())
    with _shared_lock:
        if _shared is not None:
            known, pool = _shared
            same = (known.build_dir, known.store, known.embedder) == (
                wanted.build_dir,
                wanted.store,
                wanted.embedder,
            )
            if same and not pool._closed:
                return pool
            pool.close()
        pool = QueryPool(replace(wanted, query_workers=1), size=1)
        pool.start()
        _shared = (wanted, pool)
        return pool


@atexit.register
def close_shared() -> None:
    """Stop the worker `run_limited` started, if any."""
    global _shared
    with _shared_lock:
        if _shared is not None:
            _shared[1].close()
            _shared = None
