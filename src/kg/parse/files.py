"""Finding and reading source files safely: regular files only, of a bounded size.

A FIFO blocks `open()`, /dev/zero never ends and a symbolic link loop raises deep in
the standard library; each is named in one line instead. Paths are checked with
`os.stat` before anything is opened, and the opened file is checked again (`fstat`),
so a path swapped for a FIFO between the check and the open cannot block either.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from kg.errors import KgError, ParseError
from kg.parse.formats import source_suffixes

# A competency document is a few hundred kilobytes at most; anything far larger is not one.
MAX_SOURCE_BYTES = 20 * 1024 * 1024
# Inside a folder, files with these endings are read; the content decides their format.
SOURCE_SUFFIXES = source_suffixes()

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def display_path(path: Path) -> str:
    """The path as users know it: relative to the working folder when inside it."""
    try:
        absolute = path.resolve(strict=True)
    except (RuntimeError, OSError):  # missing, a broken link or a link loop: the path as typed
        absolute = Path(os.path.abspath(path))
    try:
        relative = os.path.relpath(absolute, Path.cwd().resolve())
    except (ValueError, OSError):
        return path.as_posix()
    return Path(relative).as_posix() if not relative.startswith("..") else path.as_posix()


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def _stat_error(path: Path, display: str, exc: OSError) -> ParseError:
    """One line for a path that cannot even be examined."""
    if exc.errno == errno.ELOOP:
        return ParseError(display, "a symbolic link loop")
    if exc.errno == errno.ENOENT:
        if os.path.islink(path):
            return ParseError(display, "a broken symbolic link (its target does not exist)")
        return ParseError(display, "no such file or folder")
    if exc.errno in (errno.EACCES, errno.EPERM):
        return ParseError(display, "cannot be read (permission denied)")
    return ParseError(display, f"cannot be read ({exc.strerror or exc})")


def examine(path: Path, display: str | None = None) -> os.stat_result:
    """The path's status (following links); a ParseError naming loops and missing targets."""
    try:
        return os.stat(path)
    except OSError as exc:
        raise _stat_error(path, display or display_path(path), exc) from None
    except ValueError:  # an embedded NUL character
        raise ParseError(display or repr(str(path)), "is not a valid path") from None


def check_regular(status: os.stat_result, display: str) -> None:
    """A ParseError unless `status` is a regular file of a plausible size."""
    if not stat.S_ISREG(status.st_mode):
        raise ParseError(display, f"not a regular file ({_kind(status.st_mode)})")
    if status.st_size > MAX_SOURCE_BYTES:
        raise ParseError(
            display,
            f"is {status.st_size / 1024 / 1024:.0f} MB; a source document is at most "
            f"{MAX_SOURCE_BYTES // 1024 // 1024} MB",
        )


def read_bytes(path: Path, display: str | None = None) -> bytes:
    """The bytes of a regular source file; a one-line ParseError for anything else."""
    display = display or display_path(path)
    check_regular(examine(path, display), display)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as exc:
        raise _stat_error(path, display, exc) from None
    try:
        check_regular(os.fstat(descriptor), display)  # the path may have changed since
        with os.fdopen(descriptor, "rb", closefd=False) as file:
            data = file.read(MAX_SOURCE_BYTES + 1)
    except OSError as exc:
        raise _stat_error(path, display, exc) from None
    finally:
        os.close(descriptor)
    if len(data) > MAX_SOURCE_BYTES:  # grew after the check
        raise ParseError(display, f"is larger than {MAX_SOURCE_BYTES // 1024 // 1024} MB")
    return data


def _walk(folder: Path) -> Iterator[Path]:
    """Every entry under folder, following linked folders but never one twice (no loops)."""
    seen: set[tuple[int, int]] = set()

    def unreadable(exc: OSError) -> None:  # os.walk would skip a folder it cannot list
        where = Path(exc.filename) if exc.filename else folder
        raise _stat_error(where, display_path(where), exc)

    for root, folders, files in os.walk(folder, onerror=unreadable, followlinks=True):
        try:
            status = os.stat(root)
        except OSError:
            folders[:] = []
            continue
        if (status.st_dev, status.st_ino) in seen:
            folders[:] = []
            continue
        seen.add((status.st_dev, status.st_ino))
        for name in files + folders:
            yield Path(root) / name


def _source_candidates(folder: Path) -> list[Path]:
    """Entries named like source files inside a folder; the ones that are folders are left out."""
    found = []
    for entry in _walk(folder):
        if entry.suffix.lower() not in SOURCE_SUFFIXES:
            continue
        try:
            if stat.S_ISDIR(os.stat(entry).st_mode):
                continue
        except OSError:
            pass  # a loop or a broken link: named when checked
        found.append(entry)
    return sorted(found)


def discover(paths: Iterable[str | Path]) -> list[Path]:
    """Files named directly, plus the source files (.txt, .pdf ...) inside named folders, sorted.

    Every one must be a regular file (a FIFO, device, socket or link loop is an error,
    also inside a folder). Raises KgError when there is none: a build of nothing is a mistake.
    """
    paths = list(paths)
    found: list[Path] = []
    for item in paths:
        path = Path(item)
        status = examine(path)
        if stat.S_ISDIR(status.st_mode):
            for entry in _source_candidates(path):
                check_regular(examine(entry), display_path(entry))
                found.append(entry)
        else:
            check_regular(status, display_path(path))
            found.append(path)
    if not found:
        listed = ", ".join(SOURCE_SUFFIXES)
        raise KgError(f"no source files ({listed}) found in {', '.join(str(p) for p in paths)}")
    return list(dict.fromkeys(found))
