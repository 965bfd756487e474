"""What every `kg` command shares: the app, the common options, error handling, progress."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from kg.errors import KgError
from kg.settings import OPTIONS

app = typer.Typer(
    help="Knowledge graph of Taiwan's iCAP competency documents (職能基準, 職能單元).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

F = TypeVar("F", bound=Callable[..., Any])

BuildDir = Annotated[
    Path | None,
    typer.Option("--build-dir", help=OPTIONS["build_dir"].help + " [env: KG_BUILD_DIR; default: data/build]"),
]
BaseIri = Annotated[
    str | None, typer.Option("--base-iri", help=OPTIONS["base_iri"].help + " [env: KG_BASE_IRI]")
]
Reasoner = Annotated[
    str | None, typer.Option("--reasoner", help=OPTIONS["reasoner"].help + " [env: KG_REASONER]")
]
Workers = Annotated[
    int | None, typer.Option("--workers", help=OPTIONS["workers"].help + " [env: KG_WORKERS]")
]
Store = Annotated[str | None, typer.Option("--store", help=OPTIONS["store"].help + " [env: KG_STORE]")]
Embedder = Annotated[
    str | None, typer.Option("--embedder", help=OPTIONS["embedder"].help + " [env: KG_EMBEDDER]")
]


def fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


def handles_errors(command: F) -> F:
    """Turn the library's KgError into a message on stderr and exit status 1."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except KgError as exc:
            fail(str(exc))
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            raise typer.Exit(130) from None

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
