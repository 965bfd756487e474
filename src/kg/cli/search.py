"""Semantic search: kg search, kg eval."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from kg.cli.common import BuildDir, Embedder, app, handles_errors
from kg.settings import Settings


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
    from kg.knowledge_graph import KnowledgeGraph
    from kg.search.engine import Filters, as_grouping, as_mode

    graph = KnowledgeGraph(Settings.load(build_dir=build_dir, embedder=embedder))
    filters = Filters(
        item_kinds=tuple(kind or ()),
        document_kinds=tuple(document_kind or ()),
        documents=tuple(document or ()),
        levels=tuple(level or ()),
    )
    results = graph.find(query, mode=as_mode(mode), by=as_grouping(by), top=top, filters=filters)
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
        list[str] | None, typer.Option("--mode", help="hybrid, dense or lexical; repeatable (default: all).")
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
    from kg.knowledge_graph import KnowledgeGraph
    from kg.search.engine import MODES, as_mode
    from kg.search.evaluate import evaluate as run_evaluation
    from kg.search.evaluate import format_table, in_language, load_questions

    labelled = load_questions(questions)
    if lang:
        labelled = in_language(labelled, lang)
    searcher = KnowledgeGraph(Settings.load(build_dir=build_dir, embedder=embedder)).searcher
    modes = tuple(as_mode(m) for m in mode) if mode else MODES
    scores = run_evaluation(searcher, labelled, modes)
    if as_json:
        payload = {m: {level: s.to_dict() for level, s in levels.items()} for m, levels in scores.items()}
        typer.echo(json.dumps({"questions": len(labelled), "scores": payload}, indent=2))
        return
    typer.echo(f"{len(labelled)} questions from {questions}, embedder {searcher.embedder.name}\n")
    typer.echo(format_table(scores))
