"""The web app: kg serve."""

from __future__ import annotations

from kg.cli.common import (
    BuildDir,
    Embedder,
    Host,
    MaxResults,
    Port,
    QueryTimeout,
    QueryWorkers,
    SparqlEndpoint,
    Store,
    app,
    handles_errors,
)
from kg.settings import Settings


@app.command()
@handles_errors
def serve(
    build_dir: BuildDir = None,
    host: Host = None,
    port: Port = None,
    query_timeout: QueryTimeout = None,
    max_results: MaxResults = None,
    query_workers: QueryWorkers = None,
    store: Store = None,
    embedder: Embedder = None,
    sparql_endpoint: SparqlEndpoint = None,
) -> None:
    """Serve the built graph on the web: SPARQL endpoint, search and document pages, linked data.

    Needs the serve extra (pip install 'kg\\[serve]'). Pages: / (home), /search?q=…, /query,
    /document/CODE; endpoints: /sparql, /api/search?q=…

    With --sparql-endpoint URL, /sparql, /query and the RDF forms of linked data ask that
    SPARQL server (a build published with kg publish); the home, search, document, overlap and
    course pages and kgf:similarity still read the local build, and answer 'no build' without one.

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
        sparql_endpoint=sparql_endpoint,
    )
    run_server(settings)
