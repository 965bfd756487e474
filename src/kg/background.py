"""Work that writes files in a forked child process while the build goes on.

A build's two cores sit half idle after the documents are processed: the search index's files
(the FAISS index, BM25, items.jsonl) and the mapping stage are independent, and each is a few
seconds of one core. `Background` forks a child that runs one piece of such work on what the
parent holds in memory (nothing is pickled), and `wait` raises its failure as the parent's own
`KgError`. The child must not touch what does not survive a fork: SQLite connections, the
embedding model's threads; it writes files only. A build killed outright takes its child with
it (on Linux the child asks the kernel for that), so the build lock the child inherited never
outlives the build. Where fork is not available (Windows), the work runs in place.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable
from multiprocessing.connection import Connection
from types import TracebackType

from kg.errors import KgError


class Background:
    """One piece of `work` running in a forked child; `wait` for it (or leave the block to stop it)."""

    def __init__(self, name: str, work: Callable[[], None], fork: bool = True) -> None:
        self.name = name
        self.process: multiprocessing.process.BaseProcess | None = None
        if not fork or "fork" not in multiprocessing.get_all_start_methods():
            work()  # in place: its failure is raised here
            return
        context = multiprocessing.get_context("fork")
        self.reader, writer = context.Pipe(duplex=False)
        self.process = context.Process(target=_run, args=(work, writer, os.getpid()), name=name, daemon=True)
        self.process.start()
        writer.close()

    def wait(self) -> None:
        """Wait for the work to finish; its failure is raised here, naming it."""
        if self.process is None:
            return
        process, self.process = self.process, None
        try:
            failure = self.reader.recv()
        except EOFError:  # the child died without a word (killed, out of memory)
            failure = "it stopped unexpectedly"
        process.join()
        self.reader.close()
        if failure is None and process.exitcode != 0:
            failure = f"it stopped with exit code {process.exitcode}"
        if failure is not None:
            raise KgError(f"{self.name} failed: {failure}")

    def __enter__(self) -> Background:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self.process is not None:  # the build failed before waiting: stop the child
            self.process.terminate()
            self.process.join()
            self.reader.close()
            self.process = None


def _run(work: Callable[[], None], writer: Connection, parent: int) -> None:
    _die_with(parent)
    try:
        work()
    except KgError as exc:
        writer.send(str(exc))
    except BaseException as exc:
        writer.send(f"{type(exc).__name__}: {exc}")
    else:
        writer.send(None)
    finally:
        writer.close()


def _die_with(parent: int) -> None:
    """Be killed when the parent dies (Linux's PR_SET_PDEATHSIG), or exit if it is gone already."""
    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # it died before the request was made
        os._exit(1)


_PR_SET_PDEATHSIG = 1


class Children:
    """The `Background` work of one build: started by name, waited for together, stopped
    together when the build fails before waiting."""

    def __init__(self) -> None:
        self.running: list[Background] = []

    def start(self, name: str, work: Callable[[], None]) -> None:
        self.running.append(Background(name, work))

    def wait(self) -> None:
        """Wait for every child; the first failure is raised (the others are stopped)."""
        while self.running:
            self.running[0].wait()
            self.running.pop(0)

    def __enter__(self) -> Children:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        for child in self.running:
            child.__exit__(kind, error, trace)
        self.running = []
