"""Course coverage: kg cover."""

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
def cover(
    course: Annotated[
        Path | None, typer.Argument(help="A course outline: text or Markdown, DOCX, ODT or PDF.")
    ] = None,
    against: Annotated[
        list[str] | None,
        typer.Option("--against", help="A document (standard or unit) to cover, by code; repeatable."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the coverage as JSON.")] = False,
    xlsx: Annotated[
        Path | None, typer.Option("--xlsx", help="Write the mapping table (a sheet per document, gaps) here.")
    ] = None,
    csv: Annotated[Path | None, typer.Option("--csv", help="Write the item table as CSV here.")] = None,
    evaluate: Annotated[
        bool, typer.Option("--evaluate", help="Precision and recall on the labelled outlines (--outlines).")
    ] = False,
    outlines: Annotated[
        Path, typer.Option("--outlines", help="Folder of labelled outlines for --evaluate.")
    ] = Path("eval/courses"),
    build_dir: BuildDir = None,
) -> None:
    """Which tasks, activities, indicators, knowledge and skills of a standard or unit a course teaches.

    Each heading, bullet or paragraph of the outline is a course line; a line may cover
    several items. Without --against, the documents the course serves best come first,
    then the coverage of the best one.

    Example: kg cover course.md --against BAS1499-003
             kg cover course.docx --against BAS1499-003 --xlsx coverage.xlsx
             kg cover --evaluate
    """
    from kg.knowledge_graph import KnowledgeGraph

    graph = KnowledgeGraph(Settings.load(build_dir=build_dir))
    if evaluate:
        if course is not None or against:
            raise KgError("--evaluate takes no course file and no --against")
        from kg.course.evaluate import evaluate as run
        from kg.course.evaluate import format_evaluation, load_outlines

        labelled = load_outlines(outlines)
        rows = run(labelled, lambda o: graph.cover(o.path, [o.document], name=o.path.name))
        typer.echo(json.dumps(rows, indent=2) if as_json else format_evaluation(rows))
        return
    if course is None:
        raise KgError("give a course outline file (kg cover COURSE --against CODE), or --evaluate")
    coverage = graph.cover(course, against or [])
    if xlsx is not None:
        from kg.course.tables import write_xlsx

        write_xlsx(coverage, xlsx)
        typer.echo(f"wrote {xlsx}", err=True)
    if csv is not None:
        from kg.course.tables import write_csv

        write_csv(coverage, csv)
        typer.echo(f"wrote {csv}", err=True)
    if as_json:
        typer.echo(json.dumps(coverage.to_dict(), ensure_ascii=False, indent=2))
    elif xlsx is None and csv is None:
        typer.echo(format_coverage_text(coverage))
    else:
        for document in coverage.documents:
            typer.echo(f"{document.document}: {document.summary()['text']}")


def format_coverage_text(coverage: object) -> str:
    from kg.course.display import format_coverage
    from kg.course.report import CourseCoverage

    assert isinstance(coverage, CourseCoverage)
    return format_coverage(coverage)
