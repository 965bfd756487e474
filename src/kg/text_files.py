"""Reading a text file a user names (a query, labelled pairs, questions, course labels): each way
it can fail is one clear error naming the file."""

from __future__ import annotations

from pathlib import Path

from kg.errors import KgError


def read_text(path: str | Path, what: str = "file") -> str:
    """The file's text, UTF-8 (a byte-order mark, as Windows editors write, is dropped); a
    KgError naming the file and what is wrong (`what` says what the file should have been)."""
    path = Path(path)
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise KgError(f"{path}: no such {what}") from None
    except IsADirectoryError:
        raise KgError(f"{path}: a folder, not a {what}") from None
    except UnicodeDecodeError as exc:
        raise KgError(f"{path}: not a UTF-8 text file (byte {exc.start:,} cannot be read)") from None
    except OSError as exc:
        raise KgError(f"{path}: cannot be read ({(exc.strerror or str(exc)).lower()})") from None
