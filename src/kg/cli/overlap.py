"""Overlap mapping: kg overlap."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from kg.cli.common import BuildDir, app, handles_errors
from kg.errors import KgError
from kg.settings import Settings


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
            "(default: close; related pairs are weak, about two in three right, and come only on request).",
        ),
    ] = None,
    kind: Annotated[
        list[str] | None, typer.Option("--kind", help="Only pairs of this item kind; repeatable.")
    ] = None,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print the matrix or coverage table as CSV.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the pairs (or tables) as JSON.")] = False,
    build_dir: BuildDir = None,
) -> None:
    """Corresponding items of two documents (exact and close; related on request), or the build's overlap.

    Pairs come best first, with the task of a standard that incorporates a unit.

    Example: kg overlap KMM5R0915v2 BAS1499-003
             kg overlap --matrix --csv > overlap.csv
             kg overlap --coverage
             kg overlap --sssom mappings.sssom.tsv
             kg overlap --evaluate --pairs eval/overlap_pairs.tsv
    """
    from kg.knowledge_graph import KnowledgeGraph
    from kg.mapping import display
    from kg.mapping.display import DEFAULT_PAIR_RELATION
    from kg.mapping.model import as_relation
    from kg.mapping.overlap import coverage_json, matrix_json

    graph = KnowledgeGraph(Settings.load(build_dir=build_dir))
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
            graph.matrix(min_relation=as_relation(min_relation or "close")) if matrix else graph.coverage()
        )
        if as_csv:
            typer.echo(table.to_csv(float_format="%.4f", index=matrix), nl=False)
        elif as_json:
            data = matrix_json(table) if matrix else coverage_json(table)
            typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        else:
            typer.echo(display.format_matrix(table) if matrix else display.format_coverage(table))
        return
    if sssom:
        rows = graph.export_sssom(sssom)
        typer.echo(f"wrote {rows} mappings to {sssom}")
        return
    if evaluate:
        from kg.mapping.evaluate import evaluation_report, load_pairs

        report = evaluation_report(graph.material, load_pairs(pairs), refit=calibrate)
        typer.echo(json.dumps(report, indent=2) if as_json else display.format_evaluation(report))
        return
    if not documents or len(documents) != 2:
        raise KgError("give two document codes (kg overlap DOC_A DOC_B), or --matrix, --coverage, --sssom")
    found = graph.overlap(
        documents[0],
        documents[1],
        min_relation=as_relation(min_relation or DEFAULT_PAIR_RELATION),
        kinds=tuple(kind or ()),
    )
    if as_json:
        typer.echo(json.dumps(found.to_dict(), ensure_ascii=False, indent=2))
        return
    typer.echo(display.format_overlap(found, graph.titles()))
