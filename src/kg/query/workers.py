"""SPARQL queries in worker processes, so a time limit can really stop them.

pyoxigraph evaluates a query in native code that Python cannot interrupt: a thread
running a runaway query would run on (and hold a core and its memory) after its caller
gave up. So queries run in worker processes, one query at a time each. A query that
passes the time limit has its worker killed (the operating system frees its memory and
core at once) and a fresh worker is started in its place.

`QueryPool` runs the workers; what a worker runs is given to it (`kg.KnowledgeGraph` gives
a function that opens the build in the worker and answers with `run_query`). The open
build keeps one worker for `kg sparql` and `kg.sparql`, started on the first query and kept
for the next ones (a notebook loads the similarity model once); `kg serve` keeps several.

Workers are started with "spawn" (never fork a process holding threads); one is
handed out only once it has imported everything and said it is ready, so start-up
time never counts against a query's time limit.
"""

from __future__ import annotations

import contextlib
import logging
import math
import multiprocessing
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, cast

from kg.errors import KgError
from kg.settings import Settings
from kg.store import QueryResult
from kg.store.errors import QueryError, RemoteError, ResultTooLarge

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


# What a worker process runs: (its end of the pipe, the settings, whether to warm up first).
# It must be a module-level function (workers are spawned) and call `answer_queries`.
WorkerMain = Callable[[Connection, Settings, bool], None]
# What answers one query in a worker: (query, graph, max_results) -> result.
Answer = Callable[[str, str, "int | None"], QueryResult]


def answer_queries(connection: Connection, answer: Answer) -> None:
    """A worker's loop: say ready, then receive (query, graph, max_results) and send back the outcome."""
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
            outcome: tuple[str, Any] = ("ok", answer(sparql, graph, max_results))
        except ResultTooLarge:
            outcome = ("too-large", None)
        except QueryError as exc:
            outcome = ("query", str(exc))
        except RemoteError as exc:  # the SPARQL server behind failed: the web app answers 502
            outcome = ("remote", str(exc))
        except KgError as exc:
            outcome = ("error", str(exc))
        except Exception as exc:  # reported to the caller, which logs it; the worker goes on
            outcome = ("crash", f"{type(exc).__name__}: {exc}")
        try:
            connection.send(outcome)
        except (OSError, ValueError):
            return


class _Worker:
    """One worker process and its end of the pipe."""

    def __init__(self, context: Any, main: WorkerMain, settings: Settings, warm: bool) -> None:
        self.connection, child = context.Pipe()
        self.process = context.Process(
            target=main, args=(child, settings, warm), daemon=True, name="kg-query"
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

    `main`: what each worker process runs (see `WorkerMain`). `wait`: seconds a query
    waits for a free worker before `WorkersBusy` (None: as long as the time limit).
    `warm`: the first workers load the search index and model before they say they are
    ready; a worker that replaces a stopped one does not, so it is back within about a
    second (its first kgf:similarity loads them). `hints`: how the caller's users raise
    the limits, for the messages.
    """

    def __init__(
        self,
        settings: Settings,
        main: WorkerMain,
        size: int | None = None,
        wait: float | None = None,
        warm: bool = False,
        hints: Hints = Hints(),
    ) -> None:
        self.settings = settings
        self.main = main
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

    @property
    def closed(self) -> bool:
        return self._closed

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
            worker = _Worker(self._context, self.main, self.settings, warm)
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
            return cast(QueryResult, payload)  # a worker answers "ok" with its QueryResult
        if status == "too-large":
            raise ResultTooLarge(max_results or 0, hints.rows)
        if status == "query":
            raise QueryError(payload)
        if status == "remote":
            raise RemoteError(payload)
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
