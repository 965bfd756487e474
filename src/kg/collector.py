"""Python's cyclic garbage collector switched on or off for a stretch of work, then restored.

A build pauses it (`kg.builder`): it keeps millions of objects to its end, in no cycles, and the
collector would walk them all again each time they grew by a quarter. Documents are processed
with it on (`kg.pipeline`): rdflib's graphs hold cycles.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collecting(on: bool) -> Iterator[None]:
    """The collector on (or off) inside the block, as it was after."""
    was = gc.isenabled()
    gc.enable() if on else gc.disable()
    try:
        yield
    finally:
        gc.enable() if was else gc.disable()
