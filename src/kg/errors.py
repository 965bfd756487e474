"""Errors that users see: one line, naming what is wrong and where."""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable


class KgError(Exception):
    """An error caused by the user's input or environment, shown without a traceback."""


class ParseError(KgError):
    """A source document that cannot be parsed; carries the file and, where known, the line
    (of a text source) or the page (of a PDF)."""

    def __init__(self, path: str, message: str, line: int | None = None, page: int | None = None) -> None:
        self.path = path
        self.line = line
        self.page = page
        if len(message) > 300:  # a message quoting a runaway code or cell stays readable
            message = message[:300] + "…"
        self.reason = message
        where = f"{path}: page {page}" if page else f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}")


def _listing(head: str, lines: list[str]) -> str:
    return head + ":\n" + "\n".join(f"  {line}" for line in lines)


def _counted(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' if count != 1 else ''}"


class BuildError(KgError):
    """A build that failed; lists every problem found, each as `file:line: message`."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(_listing(f"build failed with {_counted(len(problems), 'problem')}", problems))


class StrictError(KgError):
    """Warnings that `--strict` (strict=True) turns into errors; lists every one."""

    def __init__(self, warnings: list[str]) -> None:
        self.warnings = warnings
        super().__init__(_listing(f"{_counted(len(warnings), 'warning')} (errors with --strict)", warnings))


def document_code(
    code: str, known: Collection[str], where: str = "this build", error: type[KgError] = KgError
) -> str:
    """The code of `known` that `code` names: itself, or the one code equal to it in any letter
    case (kmm5r0915v2 is KMM5R0915v2); otherwise `error`, naming the codes likely meant."""
    if code in known:
        return code
    same = [k for k in known if k.lower() == code.lower()]
    if len(same) == 1:
        return same[0]
    raise error(no_such_document(code, known, where))


def no_such_document(code: str, known: Iterable[str], where: str = "this build") -> str:
    """The message for an unknown document code: the codes likely meant, or all of a few."""
    known = sorted(known)
    by_lower = {k.lower(): k for k in known}
    if code.lower() in by_lower:
        guesses = [by_lower[code.lower()]]
    else:
        guesses = difflib.get_close_matches(code, known, n=3, cutoff=0.7)
    message = f"no document {code!r} in {where}"
    if guesses:
        return message + "; did you mean " + " or ".join(guesses) + "?"
    if len(known) <= 10:
        return message + "; the documents are: " + ", ".join(known)
    return message
