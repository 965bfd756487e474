"""Documents in the formats other systems read: kg export."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kg.cli.common import BuildDir, Output, app, handles_errors, needs_output, write_result
from kg.errors import KgError
from kg.export import FORMATS
from kg.settings import Settings

FORMAT_HELP = "; ".join(f"{f.name}: {f.description}" for f in FORMATS.values()) + "."


@app.command()
@handles_errors
def export(
    codes: Annotated[
        list[str] | None, typer.Argument(help="Document codes (any letter case); none: every document.")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help=FORMAT_HELP)] = "case",
    output: Output = None,
    dump: Annotated[
        Path | None,
        typer.Option(
            "--dump",
            help="Write a release of the whole build into this new or empty folder: graph.nq.gz, "
            "mappings.sssom.tsv, documents.json and void.ttl (VoID/DCAT: counts, licence, source, files).",
        ),
    ] = None,
    build_dir: BuildDir = None,
) -> None:
    """Export documents as 1EdTech CASE, CTDL-ASN, JSON-LD, Turtle, CSV or XLSX.

    CASE and CTDL-ASN carry the document's tree (tasks, activities, indicators, knowledge,
    skills ...) and its items' exact and close mappings to other documents. Without --output
    the export goes to standard output (xlsx needs --output).

    Example: kg export BAS1499-003 --format case > BAS1499-003.case.json
             kg export --format xlsx --output icap.xlsx
             kg export --dump release/
    """
    from kg.export import export_format
    from kg.knowledge_graph import KnowledgeGraph

    if dump is not None:
        if codes or output is not None:
            raise KgError("--dump writes the whole build into its folder: give it no codes and no --output")
        graph = KnowledgeGraph(Settings.load(build_dir=build_dir))
        try:
            release = graph.dump(dump)
        finally:
            graph.close()
        typer.echo(f"wrote {release.folder}: {', '.join(release.files)} ({release.lines:,} quads)")
        return
    chosen = export_format(fmt)
    needs_output(chosen.name, output)
    graph = KnowledgeGraph(Settings.load(build_dir=build_dir))
    try:
        data = graph.export(codes or [], chosen.name)
    finally:
        graph.close()
    write_result(data, output, chosen.description)
