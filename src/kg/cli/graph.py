"""Building and querying the graph: kg build, parse, validate, sparql."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from kg.cli.common import (
    BaseIri,
    BuildDir,
    Embedder,
    EmbeddingCachePath,
    Endpoint,
    MaxResults,
    Output,
    QueryTimeout,
    Reasoner,
    Store,
    Workers,
    app,
    fail,
    handles_errors,
    needs_output,
    progress_reporter,
    write_result,
)
from kg.errors import BuildError, KgError
from kg.query.formats import cli_formats
from kg.settings import Settings

Strict = Annotated[
    bool,
    typer.Option(
        "--strict", help="Treat warnings about source files (a skipped row, a truncated document) as errors."
    ),
]

SHOWN_INCORPORATIONS = 5  # a corpus has hundreds; the manifest lists them all


@app.command()
@handles_errors
def build(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Files and folders to build from (default: data/raw/).")
    ] = None,
    build_dir: BuildDir = None,
    base_iri: BaseIri = None,
    reasoner: Reasoner = None,
    workers: Workers = None,
    embedder: Embedder = None,
    embedding_cache: EmbeddingCachePath = None,
    strict: Strict = False,
    clean: Annotated[
        bool,
        typer.Option(
            "--clean", help="Forget what earlier builds kept (processed files, embeddings): a full build."
        ),
    ] = False,
) -> None:
    """Parse, reason over, validate and store the documents, and index them for search.

    The new build replaces the live one only on success. Files unchanged since an earlier
    build are not processed again (--clean: everything is).

    Example: kg build data/raw/ --build-dir /tmp/kg-build
    """
    from kg.builder import build as run_build

    settings = Settings.load(
        build_dir=build_dir,
        base_iri=base_iri,
        reasoner=reasoner,
        workers=workers,
        embedder=embedder,
        embedding_cache=embedding_cache,
    )
    try:
        with progress_reporter() as progress:
            report = run_build(paths, settings, progress, strict=strict, clean=clean)
    except BuildError as exc:
        fail(str(exc))
    for warning in report.warnings:
        typer.echo(f"warning: {warning}", err=True)
    kinds = [d["kind"] for d in report.documents]
    typer.echo(
        f"built {len(kinds)} documents ({kinds.count('standard')} standards, {kinds.count('unit')} units): "
        f"{report.triples['asserted']} asserted + {report.triples['inferred']} inferred triples "
        f"in {report.seconds['total']:.1f} s -> {report.path}"
    )
    if report.reused:
        typer.echo(f"sources: {report.reused} files unchanged since an earlier build (not processed again)")
    if report.read_from_cache:
        typer.echo(f"sources: {report.read_from_cache} files unchanged since read (from the parse cache)")
    if report.store.get("mode") == "delta":
        made = report.store
        typer.echo(
            f"store: the live build's, updated ({made['removed']} quads removed, {made['added']} added)"
        )
    elif report.store:
        typer.echo(f"store: loaded in full ({report.store['reason']})")
    if report.graph.get("linked"):
        linked, parts = report.graph["linked"], report.graph["parts"]
        typer.echo(f"graph: {linked} of {parts} parts unchanged (linked from the live build)")
    if report.search:
        found = report.search
        typer.echo(
            f"search index: {found['items']} items, {found['embedder']} "
            f"({found['embedded']} texts embedded, {found['cached']} from the cache)"
        )
    if report.mappings:
        mapped = report.mappings
        incorporated = mapped["incorporated"]  # a list of "unit -> standard task" lines
        lines = incorporated if isinstance(incorporated, list) else []
        shown = "".join(f"; {line}" for line in lines[:SHOWN_INCORPORATIONS])
        if len(lines) > SHOWN_INCORPORATIONS:
            shown += f"; and {len(lines) - SHOWN_INCORPORATIONS} more units incorporated (see the manifest)"
        kept, links = mapped.get("pairs_kept"), mapped.get("close_text_links")
        typer.echo(
            f"overlap: {mapped['mappings']} item mappings between {mapped['pairs_compared']} document pairs"
            + (f" ({kept} unchanged since an earlier build)" if kept else "")
            + (f", and {links} close links between distinct texts" if links is not None else "")
            + shown
        )


@app.command()
@handles_errors
def parse(
    files: Annotated[list[Path], typer.Argument(help="Source files (or folders) to parse.")],
    as_json: Annotated[
        bool,
        typer.Option("--json", help="Print the documents as JSON (the contract in docs/document-model.md)."),
    ] = False,
    strict: Strict = False,
    rows: Annotated[
        bool,
        typer.Option(
            "--rows",
            help="Print each file's rows as the parser reads them (cells split by tabs), numbered as "
            "the items' line, with the page (PDF): to see how a PDF, ODT, DOCX or HTML file was read.",
        ),
    ] = False,
) -> None:
    """Parse documents (text, PDF, ODT, DOCX or HTML) and print them: a summary, the full model
    with --json, or the rows read with --rows.

    Example: kg parse data/raw/BAS1499-003.txt --json
    """
    from kg.parse import discover, parse_paths, read_file

    if rows:
        for path in discover(files):
            layout = read_file(path)
            typer.echo(f"# {path} ({layout.format})")
            for number, line in enumerate(layout.lines, 1):
                page = layout.page_of(number)
                typer.echo(f"{number}\t{'p' + str(page) if page else ''}\t{line}")
        return
    documents = parse_paths(files, strict=strict)
    for document in documents:
        for warning in document.warnings:
            typer.echo(f"warning: {warning}", err=True)
    if as_json:
        payload: Any = [d.to_dict() for d in documents]
        if len(files) == 1 and len(documents) == 1 and files[0].is_file():
            payload = payload[0]
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    for d in documents:
        typer.echo(
            f"{d.source}: {d.kind} {d.code} {d.title or ''} — {len(d.tasks)} tasks, "
            f"{len(d.activities())} activities, {len(d.indicators())} indicators, "
            f"{len(d.knowledge)} knowledge, {len(d.skills)} skills, {len(d.attitudes)} attitudes, "
            f"{len(d.notes)} notes"
        )


@app.command()
@handles_errors
def validate(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Files or folders to check without building (default: the live build)."),
    ] = None,
    build_dir: BuildDir = None,
    base_iri: BaseIri = None,
    strict: Strict = False,
) -> None:
    """Check data against the SHACL shapes (ontology/shapes.ttl); exit 1 on any violation.

    Example: kg validate            (the live build)
             kg validate data/raw/  (source files, nothing written)
    """
    from kg.check import check_build, check_sources

    settings = Settings.load(build_dir=build_dir, base_iri=base_iri)
    warnings: list[str] = []
    problems = check_sources(paths, settings, strict, warnings) if paths else check_build(settings)
    for warning in warnings:
        typer.echo(f"warning: {warning}", err=True)
    if problems:
        for problem in problems:
            typer.echo(problem, err=True)
        fail(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found")
    typer.echo("valid: the data conforms to the SHACL shapes")


def _either(names: tuple[str, ...]) -> str:
    return ", ".join(names[:-1]) + " or " + names[-1]


_RDF = cli_formats("graph")
FORMAT_HELP = (
    f"For SELECT/ASK: {_either(cli_formats('select'))} (all but table are W3C SPARQL results formats). "
    f"For CONSTRUCT/DESCRIBE: {_RDF[0]} (their default), {_either(_RDF[1:])}."
)


@app.command()
@handles_errors
def sparql(
    query: Annotated[
        str | None,
        typer.Argument(help="The SPARQL query, or the name of a named query (see --list); or use --file."),
    ] = None,
    file: Annotated[Path | None, typer.Option("--file", "-f", help="Read the query from a .rq file.")] = None,
    list_queries: Annotated[
        bool, typer.Option("--list", help="List the named queries (ontology/queries/) with their titles.")
    ] = False,
    fmt: Annotated[str, typer.Option("--format", help=FORMAT_HELP)] = "table",
    output: Output = None,
    graph: Annotated[
        str, typer.Option("--graph", help="all (default), asserted, inferred, ontology or mappings.")
    ] = "all",
    build_dir: BuildDir = None,
    store: Store = None,
    query_timeout: QueryTimeout = None,
    max_results: MaxResults = None,
    endpoint: Endpoint = None,
    base_iri: BaseIri = None,
) -> None:
    """Run a read-only SPARQL query over the built graph (kg:, skos:, dcterms:, ceasn: ... predeclared).

    The query is its text, a named query's name (kg sparql --list lists them) or a .rq file.
    It runs in a worker process, stopped after --query-timeout seconds; a result
    with more than --max-results rows is refused. SERVICE (federated queries) is refused.
    With --endpoint URL it runs on that SPARQL server (a build published with kg publish;
    the graph IRIs are the local build's, or --base-iri's without one); kgf:similarity is
    then refused: it needs the local build's search index.

    Example: kg sparql 'SELECT ?code ?title WHERE { ?d kg:code ?code ; kg:title ?title }'
             kg sparql --file ontology/queries/indicators-per-task.rq --format csv
             kg sparql shared-knowledge --format json
             kg sparql documents-with-counts --format xlsx --output documents.xlsx
             kg sparql shared-knowledge --endpoint http://localhost:7878/query
    """
    from kg.knowledge_graph import KnowledgeGraph
    from kg.query.formats import render
    from kg.query.named import named_queries, resolve
    from kg.query.sparql import read_query_file
    from kg.query.workers import CLI_HINTS, WorkerCrash

    if list_queries:
        if query is not None or file is not None:
            raise KgError("--list lists the named queries: give it no query and no --file")
        queries = named_queries()
        width = max(len(name) for name in queries)
        for name, named in queries.items():
            typer.echo(f"{name:<{width}}  {named.title}")
        return
    if (query is None) == (file is None):
        raise KgError("give a query or --file FILE (one of them); kg sparql --list lists the named queries")
    if fmt not in cli_formats():
        raise KgError(f"unknown format {fmt!r}; choose one of: {', '.join(cli_formats())}")
    needs_output(fmt, output)
    text = read_query_file(file) if file else resolve(query or "")
    settings = Settings.load(
        build_dir=build_dir,
        store=store,
        query_timeout=query_timeout,
        max_results=max_results,
        sparql_endpoint=endpoint,
        base_iri=base_iri,
    )
    opened = KnowledgeGraph(settings)
    try:
        result = opened.query(text, graph=graph, hints=CLI_HINTS)
    except WorkerCrash as exc:
        raise KgError(f"the query failed unexpectedly ({exc}); please report it") from None
    finally:
        opened.close()
    written = render(result, fmt)
    if isinstance(written, str):
        written = (written if written.endswith("\n") else written + "\n").encode("utf-8")
    write_result(written, output)
