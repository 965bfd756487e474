"""Errors that users see: one line, naming what is wrong and where."""

from __future__ import annotations


class KgError(Exception):
    """An error caused by the user's input or environment, shown without a traceback."""


class ParseError(KgError):
    """A source document that cannot be parsed; carries the file and, where known, the line."""

    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        self.path = path
        self.line = line
        self.reason = message
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}")


class BuildError(KgError):
    """A build that failed; lists every problem found, each as `file:line: message`."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        count = len(problems)
        head = f"build failed with {count} problem{'s' if count != 1 else ''}"
        super().__init__(head + ":\n" + "\n".join(f"  {p}" for p in problems))
