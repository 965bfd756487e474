"""What every `kg` command shares: the app, the common options, error handling, progress."""

from __future__ import annotations

import functools
import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import click
import typer

from kg import __version__
from kg.errors import KgError
from kg.settings import OPTIONS

app = typer.Typer(
    help="Knowledge graph of Taiwan's iCAP competency documents (職能基準, 職能單元).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

F = TypeVar("F", bound=Callable[..., Any])


def _print_version(asked: bool) -> None:
    if asked:
        typer.echo(f"kg {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print kg's version and exit.", callback=_print_version, is_eager=True
        ),
    ] = False,
) -> None:
    """Options before any command."""


def setting_help(name: str) -> str:
    """A setting's help for its option, with its environment variable and default (from OPTIONS).

    In parentheses, not brackets: typer's rich help would read brackets as markup and drop them.
    """
    option = OPTIONS[name]
    default = f"; default: {option.default}" if option.default else ""
    return f"{option.help} (env: {option.env}{default})"


def setting(name: str, kind: type) -> Any:
    """The `Annotated` type of the option that overrides setting `name` (--build-dir for build_dir)."""
    flag = "--" + name.replace("_", "-")
    return Annotated[kind | None, typer.Option(flag, help=setting_help(name))]


BuildDir = setting("build_dir", Path)
BaseIri = setting("base_iri", str)
Reasoner = setting("reasoner", str)
Workers = setting("workers", int)
Store = setting("store", str)
Embedder = setting("embedder", str)
EmbeddingCachePath = setting("embedding_cache", str)
Host = setting("host", str)
Port = setting("port", int)
QueryTimeout = setting("query_timeout", float)
MaxResults = setting("max_results", int)
QueryWorkers = setting("query_workers", int)
SparqlEndpoint = setting("sparql_endpoint", str)
PublishTimeout = setting("publish_timeout", float)
# `kg sparql --endpoint URL`: the same setting, under the shorter name too.
Endpoint = Annotated[
    str | None, typer.Option("--endpoint", "--sparql-endpoint", help=setting_help("sparql_endpoint"))
]


Output = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Write to this file (whole or not at all), not standard output."),
]


def needs_output(fmt: str, output: Path | None) -> None:
    """A binary format (xlsx) is no use on a terminal: a KgError unless it goes to a file."""
    if fmt == "xlsx" and output is None:
        raise KgError("xlsx is a binary workbook: give --output FILE.xlsx")


def write_result(data: bytes, output: Path | None, what: str = "") -> None:
    """A command's result on standard output, or in `output` (written whole or not at all, and
    said so on standard error)."""
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    from kg.atomic import write_atomically

    write_atomically(output, lambda stream: stream.write(data))
    typer.echo(f"wrote {output} ({what}{', ' if what else ''}{len(data):,} bytes)", err=True)


def fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


def debugging() -> bool:
    """KG_DEBUG=1 shows tracebacks (for developers): of library logs and of unexpected errors."""
    return os.environ.get("KG_DEBUG", "") not in ("", "0")


class OneLineFormatter(logging.Formatter):
    """A library's log record as `warning: logger: message`: its first line, never a traceback."""

    def format(self, record: logging.LogRecord) -> str:
        try:
            message = record.getMessage()
        except Exception:  # a library's malformed log call must not crash the command
            message = str(record.msg)
        first = message.strip().splitlines()[0] if message.strip() else ""
        return f"warning: {record.name}: {first[:300]}"


def configure_logging() -> None:
    """Library loggers (rdflib, pyshacl, owlrl ...) print one line each, never a traceback.

    rdflib, for one, logs a traceback for every ill-typed literal through `logging`.
    Python warnings go the same way. KG_DEBUG=1 leaves logging as Python sets it up.
    """
    if debugging():
        return
    root = logging.getLogger()
    if not any(getattr(h, "_kg_one_line", False) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(OneLineFormatter())
        handler._kg_one_line = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    if root.level == logging.NOTSET or root.level < logging.WARNING:
        root.setLevel(logging.WARNING)
    logging.captureWarnings(True)


def handles_errors(command: F) -> F:
    """Turn the library's KgError into a message on stderr and exit status 1.

    Nothing prints a traceback: an OSError is named in one line, and so is an
    unexpected error (a bug; KG_DEBUG=1 shows where it happened).
    """

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        configure_logging()
        try:
            return command(*args, **kwargs)
        except KgError as exc:
            fail(str(exc))
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            raise typer.Exit(130) from None
        except (typer.Exit, typer.Abort, click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except OSError as exc:
            if debugging():
                raise
            where = f"{exc.filename}: " if exc.filename else ""
            fail(f"{where}{exc.strerror or exc}")
        except Exception as exc:
            if debugging():
                raise
            fail(f"unexpected {type(exc).__name__}: {exc} (a bug in kg; KG_DEBUG=1 shows the traceback)")

    return wrapper  # type: ignore[return-value]


@contextmanager
def progress_reporter() -> Iterator[Callable[[str, int, int], None]]:
    """A progress bar on a terminal; one line per step otherwise (CI logs)."""
    if sys.stderr.isatty():
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        with Progress(
            TextColumn("{task.description:>12}"), BarColumn(), MofNCompleteColumn(), transient=True
        ) as bar:
            tasks: dict[str, Any] = {}

            def update(step: str, done: int, total: int) -> None:
                if step not in tasks:
                    tasks[step] = bar.add_task(step, total=total)
                bar.update(tasks[step], completed=done, total=total)

            yield update
        return
    announced: set[str] = set()

    def announce(step: str, done: int, total: int) -> None:
        if step not in announced:
            announced.add(step)
            typer.echo(f"{step} ({total})...", err=True)

    yield announce
