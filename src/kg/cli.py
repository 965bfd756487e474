"""The `kg` command line: thin wrappers over library functions notebooks can call too."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from kg.errors import BuildError, KgError
from kg.settings import OPTIONS, Settings

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


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


def handles_errors(command: F) -> F:
    """Turn the library's KgError into a message on stderr and exit status 1."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except KgError as exc:
            _fail(str(exc))
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


@app.command()
@handles_errors
def build(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Files and folders to build from [default: data/raw/].")
    ] = None,
    build_dir: BuildDir = None,
    base_iri: BaseIri = None,
    reasoner: Reasoner = None,
    workers: Workers = None,
    embedder: Embedder = None,
) -> None:
    """Parse, reason over, validate and store the documents, and index them for search.

    The new build replaces the live one only on success.

    Example: kg build data/raw/ --build-dir /tmp/kg-build
    """
    from kg.builder import build as run_build

    settings = Settings.load(
        build_dir=build_dir, base_iri=base_iri, reasoner=reasoner, workers=workers, embedder=embedder
    )
    try:
        with progress_reporter() as progress:
            report = run_build(paths, settings, progress)
    except BuildError as exc:
        _fail(str(exc))
    for warning in report.warnings:
        typer.echo(f"warning: {warning}", err=True)
    kinds = [d["kind"] for d in report.documents]
    typer.echo(
        f"built {len(kinds)} documents ({kinds.count('standard')} standards, {kinds.count('unit')} units): "
        f"{report.triples['asserted']} asserted + {report.triples['inferred']} inferred triples "
        f"in {report.seconds['total']:.1f} s -> {report.path}"
    )
    if report.search:
        found = report.search
        typer.echo(
            f"search index: {found['items']} items, {found['embedder']} "
            f"({found['embedded']} texts embedded, {found['cached']} from the cache)"
        )
    if report.mappings:
        mapped = report.mappings
        typer.echo(
            f"overlap: {mapped['mappings']} item mappings between {mapped['pairs_compared']} document pairs"
            + "".join(f"; {line}" for line in mapped["incorporated"])  # type: ignore[union-attr]
        )


@app.command()
@handles_errors
def parse(
    files: Annotated[list[Path], typer.Argument(help="Source files (or folders) to parse.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the documents as JSON (docs/document-model contract).")
    ] = False,
) -> None:
    """Parse documents and print them (a summary, or the full model with --json).

    Example: kg parse data/raw/BAS1499-003.txt --json
    """
    from kg.parse import parse_paths

    documents = parse_paths(files)
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
        typer.Argument(help="Files or folders to check without building [default: the live build]."),
    ] = None,
    build_dir: BuildDir = None,
    base_iri: BaseIri = None,
) -> None:
    """Check data against the SHACL shapes (ontology/shapes.ttl); exit 1 on any violation.

    Example: kg validate            (the live build)
             kg validate data/raw/  (source files, nothing written)
    """
    from kg.check import check_build, check_sources

    settings = Settings.load(build_dir=build_dir, base_iri=base_iri)
    problems = check_sources(paths, settings) if paths else check_build(settings)
    if problems:
        for problem in problems:
            typer.echo(problem, err=True)
        _fail(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found")
    typer.echo("valid: the data conforms to the SHACL shapes")


@app.command()
@handles_errors
def sparql(
    query: Annotated[str | None, typer.Argument(help="The SPARQL query (or use --file).")] = None,
    file: Annotated[Path | None, typer.Option("--file", "-f", help="Read the query from a .rq file.")] = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format", help="table, json (W3C SPARQL results), csv or tsv; CONSTRUCT/DESCRIBE print Turtle."
        ),
    ] = "table",
    graph: Annotated[
        str, typer.Option("--graph", help="all (default), asserted, inferred, ontology or mappings.")
    ] = "all",
    build_dir: BuildDir = None,
    store: Store = None,
) -> None:
    """Run a read-only SPARQL query over the built graph (kg:, skos:, dcterms:, ceasn: ... predeclared).

    Example: kg sparql 'SELECT ?code ?title WHERE { ?d kg:code ?code ; kg:title ?title }'
             kg sparql --file ontology/queries/indicators-per-task.rq --format csv
    """
    from kg.query.formats import FORMATS, render
    from kg.query.sparql import read_query_file, run_query

    if (query is None) == (file is None):
        raise KgError("give a query or --file FILE (one of them)")
    if fmt not in FORMATS:
        raise KgError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    text = read_query_file(file) if file else query or ""
    settings = Settings.load(build_dir=build_dir, store=store)
    output = render(run_query(text, settings, graph), fmt)
    typer.echo(output, nl=not output.endswith("\n"))


@app.command()
@handles_errors
def search(
    query: Annotated[str, typer.Argument(help="A question or keywords, in Chinese or English.")],
    by: Annotated[str, typer.Option("--by", help="document (grouped, with evidence) or item.")] = "document",
    top: Annotated[int, typer.Option("--top", help="How many documents or items to list.")] = 10,
    mode: Annotated[
        str,
        typer.Option("--mode", help="hybrid (dense + BM25, fused), dense (embeddings) or lexical (BM25)."),
    ] = "hybrid",
    kind: Annotated[
        list[str] | None,
        typer.Option(
            "--kind",
            help="Only items of this kind (task, activity, indicator, output, knowledge, "
            "skill, attitude, note); repeatable.",
        ),
    ] = None,
    document_kind: Annotated[
        list[str] | None, typer.Option("--document-kind", help="Only standards or units; repeatable.")
    ] = None,
    document: Annotated[
        list[str] | None, typer.Option("--document", help="Only this document (its code); repeatable.")
    ] = None,
    level: Annotated[
        list[int] | None,
        typer.Option(
            "--level", help="Only items at this level (1-6, inherited from task or document); repeatable."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
    build_dir: BuildDir = None,
    embedder: Embedder = None,
) -> None:
    """Find the documents (or items) that answer a question, best first.

    Example: kg search "哪些單元涵蓋客訴處理"
             kg search "complaint handling" --by item --kind indicator --top 5 --json
    """
    from kg.search.engine import Filters
    from kg.search.engine import search as run_search

    settings = Settings.load(build_dir=build_dir, embedder=embedder)
    filters = Filters(
        item_kinds=tuple(kind or ()),
        document_kinds=tuple(document_kind or ()),
        documents=tuple(document or ()),
        levels=tuple(level or ()),
    )
    results = run_search(query, settings, mode=mode, by=by, top=top, filters=filters)
    if as_json:
        typer.echo(json.dumps(results.to_dict(), ensure_ascii=False, indent=2))
        return
    if not results.results:
        typer.echo(f"no matches for {results.query!r} ({mode})", err=True)
        return
    from kg.search.display import format_results

    typer.echo(format_results(results))


@app.command(name="eval")
@handles_errors
def evaluate(
    questions: Annotated[Path, typer.Option("--questions", help="The labelled question set (JSON).")] = Path(
        "eval/questions.json"
    ),
    mode: Annotated[
        list[str] | None, typer.Option("--mode", help="hybrid, dense or lexical; repeatable [default: all].")
    ] = None,
    lang: Annotated[
        str | None, typer.Option("--lang", help="Only the questions in this language (zh, en).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
    build_dir: BuildDir = None,
    embedder: Embedder = None,
) -> None:
    """Measure search quality on labelled questions: recall@k and MRR per mode, for items and documents.

    Example: kg eval --questions eval/questions.json
             kg eval --lang en --mode dense
    """
    from kg.search.engine import MODES, Searcher
    from kg.search.evaluate import evaluate as run_evaluation
    from kg.search.evaluate import format_table, in_language, load_questions

    labelled = load_questions(questions)
    if lang:
        labelled = in_language(labelled, lang)
    searcher = Searcher.open(Settings.load(build_dir=build_dir, embedder=embedder))
    scores = run_evaluation(searcher, labelled, tuple(mode or MODES))
    if as_json:
        payload = {m: {level: s.to_dict() for level, s in levels.items()} for m, levels in scores.items()}
        typer.echo(json.dumps({"questions": len(labelled), "scores": payload}, indent=2))
        return
    typer.echo(f"{len(labelled)} questions from {questions}, embedder {searcher.embedder.name}\n")
    typer.echo(format_table(scores))


@app.command()
@handles_errors
def overlap(
    documents: Annotated[
        list[str] | None, typer.Argument(help="Two document codes, e.g. KMM5R0915v2 BAS1499-003.")
    ] = None,
    matrix: Annotated[
        bool, typer.Option("--matrix", help="The document x document overlap of the whole build.")
    ] = False,
    coverage: Annotated[
        bool,
        typer.Option("--coverage", help="For each unit and standard: the task covering most of the unit."),
    ] = False,
    sssom: Annotated[
        Path | None, typer.Option("--sssom", help="Write every mapping of the build to this SSSOM TSV file.")
    ] = None,
    evaluate: Annotated[
        bool, typer.Option("--evaluate", help="Precision and recall on the labelled pairs (--pairs).")
    ] = False,
    calibrate: Annotated[
        bool, typer.Option("--calibrate", help="With --evaluate: also fit a new calibration and show it.")
    ] = False,
    pairs: Annotated[Path, typer.Option("--pairs", help="Labelled pairs (TSV) for --evaluate.")] = Path(
        "eval/overlap_pairs.tsv"
    ),
    min_relation: Annotated[
        str | None,
        typer.Option(
            "--min-relation",
            help="Weakest relation to show or count: exact, close or related "
            "[default: related for pairs, close for --matrix].",
        ),
    ] = None,
    kind: Annotated[
        list[str] | None, typer.Option("--kind", help="Only pairs of this item kind; repeatable.")
    ] = None,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print the matrix or coverage table as CSV.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the pairs (or tables) as JSON.")] = False,
    build_dir: BuildDir = None,
) -> None:
    """Which items of two documents correspond (SKOS exact, close, related), best first; or the
    overlap of the whole build.

    Example: kg overlap KMM5R0915v2 BAS1499-003
             kg overlap --matrix --csv > overlap.csv
             kg overlap --coverage
             kg overlap --sssom mappings.sssom.tsv
             kg overlap --evaluate --pairs eval/overlap_pairs.tsv
    """
    from kg.mapping import display
    from kg.mapping import overlap as api

    settings = Settings.load(build_dir=build_dir)
    modes = [
        name
        for name, on in (
            ("--matrix", matrix),
            ("--coverage", coverage),
            ("--sssom", sssom),
            ("--evaluate", evaluate),
        )
        if on
    ]
    if len(modes) > 1:
        raise KgError(f"choose one of {', '.join(modes)}")
    if modes and documents:
        raise KgError(f"{modes[0]} takes no document codes; give either two codes or {modes[0]}")
    if calibrate and not evaluate:
        raise KgError("--calibrate goes with --evaluate")
    if as_csv and as_json:
        raise KgError("choose --csv or --json, not both")
    if matrix or coverage:
        table = (
            api.overlap_matrix(settings, min_relation or "close") if matrix else api.coverage_table(settings)
        )
        if as_csv:
            typer.echo(table.to_csv(float_format="%.4f", index=matrix), nl=False)
        elif as_json:
            typer.echo(table.to_json(orient="index" if matrix else "records", force_ascii=False, indent=2))
        else:
            typer.echo(display.format_matrix(table) if matrix else display.format_coverage(table))
        return
    if sssom:
        rows = api.export_sssom(sssom, settings)
        typer.echo(f"wrote {rows} mappings to {sssom}")
        return
    if evaluate:
        from kg.mapping.evaluate import evaluation_report, load_pairs

        report = evaluation_report(api.load_material(settings), load_pairs(pairs), refit=calibrate)
        typer.echo(json.dumps(report, indent=2) if as_json else display.format_evaluation(report))
        return
    if not documents or len(documents) != 2:
        raise KgError("give two document codes (kg overlap DOC_A DOC_B), or --matrix, --coverage, --sssom")
    found = api.overlap(documents[0], documents[1], settings, min_relation or "related", tuple(kind or ()))
    if as_json:
        typer.echo(json.dumps(found.to_dict(), ensure_ascii=False, indent=2))
        return
    typer.echo(display.format_overlap(found, api.document_titles(settings)))


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


def main() -> None:
    app()


if __name__ == "__main__":
    main()
