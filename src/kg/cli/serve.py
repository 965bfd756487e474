"""The web app: kg serve."""

from __future__ import annotations

from typing import Annotated

import typer

from kg.cli.common import BuildDir, Embedder, Store, app, handles_errors
from kg.settings import OPTIONS, Settings


@app.command()
@handles_errors
def serve(
    build_dir: BuildDir = None,
    host: Annotated[str | None, typer.Option("--host", help=OPTIONS["host"].help + " [env: KG_HOST]")] = None,
    port: Annotated[int | None, typer.Option("--port", help=OPTIONS["port"].help + " [env: KG_PORT]")] = None,
    query_timeout: Annotated[
        float | None,
        typer.Option("--query-timeout", help=OPTIONS["query_timeout"].help + " [env: KG_QUERY_TIMEOUT]"),
    ] = None,
    max_results: Annotated[
        int | None, typer.Option("--max-results", help=OPTIONS["max_results"].help + " [env: KG_MAX_RESULTS]")
    ] = None,
    query_workers: Annotated[
        int | None,
        typer.Option("--query-workers", help=OPTIONS["query_workers"].help + " [env: KG_QUERY_WORKERS]"),
    ] = None,
    store: Store = None,
    embedder: Embedder = None,
) -> None:
    """Serve the built graph on the web: SPARQL endpoint, search and document pages, linked data.

    Needs the serve extra (pip install 'kg[serve]'). Pages: / (home), /search?q=…, /query,
    /document/CODE; endpoints: /sparql, /api/search?q=…

    Example: kg serve --build-dir data/build --host 127.0.0.1 --port 8000
    """
    from kg.server import serve as run_server

    settings = Settings.load(
        build_dir=build_dir,
        host=host,
        port=port,
        query_timeout=query_timeout,
        max_results=max_results,
        query_workers=query_workers,
        store=store,
        embedder=embedder,
    )
    run_server(settings)
