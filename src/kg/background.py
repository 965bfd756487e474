"""Files a build writes in a thread while it goes on.

Some of what a build writes is read only by the finished build: the search index's files (the
FAISS index, BM25, items.jsonl) and the mapping files (SSSOM, coverage, matched, meta). Most of
that time is spent outside the interpreter lock (FAISS writing 270 MB, the kernel joining the
SSSOM parts, numpy saving arrays), so a thread writes them while the build maps the overlaps
and makes its store. (A forked process was measured too: every page either process wrote
after the fork was copied, and the build's other steps slowed by as much as they gained.)

`Children` starts such work by name and waits for it; a failure is raised by `wait` naming the
work, and a build that fails before waiting waits for its threads before it removes its folder.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import TracebackType

from kg.errors import KgError


class Background:
    """One piece of `work` running in a thread; `wait` for it."""

    def __init__(self, name: str, work: Callable[[], None]) -> None:
        self.name = name
        self.failure: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(work,), name=name, daemon=True)
        self.thread.start()

    def _run(self, work: Callable[[], None]) -> None:
        try:
            work()
        except BaseException as exc:
            self.failure = exc

    def wait(self) -> None:
        """Wait for the work to finish. Its failure is raised here: a `KgError` or an `OSError`
        (a full disk ...) as a `KgError` naming the work, anything else as it was."""
        self.thread.join()
        failure, self.failure = self.failure, None
        if isinstance(failure, KgError):
            raise KgError(f"{self.name} failed: {failure}") from None
        if isinstance(failure, OSError):
            where = f" ({failure.filename})" if failure.filename else ""
            raise KgError(f"{self.name} failed: {failure.strerror or failure}{where}") from None
        if failure is not None:
            raise failure


class Children:
    """The `Background` work of one build: started by name, waited for together."""

    def __init__(self) -> None:
        self.running: list[Background] = []

    def start(self, name: str, work: Callable[[], None]) -> None:
        self.running.append(Background(name, work))

    def wait(self) -> None:
        """Wait for every piece of work; the first failure is raised once all are done."""
        running, self.running = self.running, []
        for child in running:
            child.thread.join()
        for child in running:
            child.wait()

    def __enter__(self) -> Children:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        # the build failed before waiting: its threads finish before its folder is removed
        # (their own failures are beside the build's)
        for child in self.running:
            child.thread.join()
        self.running = []
