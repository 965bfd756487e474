"""Loading the live build into a SPARQL 1.1 server: kg publish."""

from __future__ import annotations

from typing import Annotated

import typer

from kg.cli.common import BuildDir, PublishTimeout, app, handles_errors, progress_reporter
from kg.settings import Settings, check_http_url

TO_HELP = (
    "The server's Graph Store Protocol URL: Oxigraph http://HOST:7878/store, Fuseki "
    "http://HOST:3030/DATASET/data, GraphDB http://HOST:7200/repositories/REPO/rdf-graphs/service; "
    "a URL without a path (http://HOST:7878, not even /) means Oxigraph's /store."
)


@app.command()
@handles_errors
def publish(
    to: Annotated[str, typer.Option("--to", help=TO_HELP)],
    build_dir: BuildDir = None,
    publish_timeout: PublishTimeout = None,
    bulk: Annotated[
        bool,
        typer.Option(
            "--bulk",
            help="Oxigraph only: load each graph without a transaction (several times faster), for a "
            "server no one reads yet; a failed upload leaves that graph partly written.",
        ),
    ] = False,
) -> None:
    """Load the live build's named graphs (ontology, asserted, inferred, mappings) into a SPARQL
    1.1 server with the Graph Store HTTP Protocol, for `kg sparql --endpoint` and
    `kg serve --sparql-endpoint`.

    Each graph is PUT under its IRI, replacing what the server held there: publishing
    again leaves the same data. The search index stays local (kgf:similarity is not published).

    Example: kg publish --to http://localhost:7878/store
    """
    from kg.store.layout import current_build, graph_iris
    from kg.store.publish import graph_store_url
    from kg.store.publish import publish as run_publish

    settings = Settings.load(build_dir=build_dir, publish_timeout=publish_timeout)
    url = graph_store_url(
        check_http_url(to.strip(), "the graph store URL (--to)", "http://localhost:7878/store")
    )
    build_path = current_build(settings.build_dir)
    with progress_reporter() as progress:
        sent = run_publish(build_path, url, settings.publish_timeout, progress, bulk=bulk)
    iris = graph_iris(build_path)
    for name, triples in sent.items():
        typer.echo(f"{name}: {triples:,} triples -> <{iris[name]}>")
    typer.echo(f"published {sum(sent.values()):,} triples in {len(sent)} graphs to {url}")
