"""Semantic search: kg search, kg eval."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from kg.cli.common import BuildDir, Embedder, app, handles_errors
from kg.errors import KgError
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
    literal: Annotated[
        bool,
        typer.Option(
            "--literal",
            help="Search the words only: do not read kinds (單元, skills ...), levels (5級以上) "
            "or document codes in the question as filters.",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
    build_dir: BuildDir = None,
    embedder: Embedder = None,
) -> None:
    """Find the documents (or items) that answer a question, best first.

    The question is read for what it asks for: 單元/units and 基準/standards filter by document
    kind, 5級以上/"level 5 and up" by level, a document code by document, and 知識/技能/態度/
    行為指標 (knowledge, skills ...) rank that kind of item first, and an occupation or industry
    name of the build's documents (職業別, 行業別) ranks their documents first; the answer says what was
    understood, and options given here win. Scores are calibrated (0-1, the estimated chance
    that an item answers the question); when none reaches the threshold, the answer says so
    and lists at most three closest items, marked weak.

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
    results = graph.find(
        query, mode=as_mode(mode), by=as_grouping(by), top=top, filters=filters, understand=not literal
    )
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
    split: Annotated[
        str | None, typer.Option("--split", help="Only the dev or the test part of the set (default: both).")
    ] = None,
    calibrate: Annotated[
        bool,
        typer.Option(
            "--calibrate",
            help="Refit the score calibration and no-answer threshold on the dev questions "
            "(never the test ones) and save them for this embedder, then measure. Saved in the "
            "build folder (BUILD_DIR/search_calibration.json), which its searches then use.",
        ),
    ] = False,
    calibration_file: Annotated[
        Path | None,
        typer.Option(
            "--calibration-file",
            help="With --calibrate: save the calibration here instead (the package's own, "
            "src/kg/search/score_calibration.json, is how a release ships one).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
    build_dir: BuildDir = None,
    embedder: Embedder = None,
) -> None:
    """Measure search quality on labelled questions.

    Prints recall@k, MRR and nDCG@10 per mode for items and documents (answerable questions),
    then, for the first mode, item recall@10, MRR and nDCG@10 per language and style on the dev
    and the test part, how often a question that asks for a kind gets it first, no-answer
    precision and recall, and what a score means (per score band, the share labelled relevant).

    Example: kg eval --questions eval/questions.json
             kg eval --lang en --mode dense --split test
    """
    from kg.knowledge_graph import KnowledgeGraph
    from kg.search.engine import MODES, as_mode
    from kg.search.evaluate import (
        CALIBRATION_DEPTH,
        SPLITS,
        breakdown,
        format_bands,
        format_breakdown,
        format_table,
        in_language,
        in_split,
        load_questions,
        score_bands,
    )
    from kg.search.evaluate import evaluate as run_evaluation

    if calibration_file and not calibrate:
        raise KgError("--calibration-file goes with --calibrate")
    labelled = load_questions(questions)
    settings = Settings.load(build_dir=build_dir, embedder=embedder)
    searcher = KnowledgeGraph(settings).searcher
    if calibrate:
        from kg.search.calibration import save_model
        from kg.search.evaluate import calibrate as fit
        from kg.store.layout import score_calibration

        model = fit(searcher, labelled, f"{questions} (dev part), kg eval --calibrate")
        target = calibration_file or score_calibration(settings.build_dir)
        save_model(searcher.embedder.name, model, target)
        searcher.score_model = model
        typer.echo(f"calibrated on the dev questions; saved to {target}", err=True)
    if lang:
        labelled = in_language(labelled, lang)
    splits = (split,) if split else SPLITS
    labelled = [q for s in splits for q in in_split(labelled, s)]
    modes = tuple(as_mode(m) for m in mode) if mode else MODES
    scores = run_evaluation(searcher, labelled, modes)
    parts = {s: breakdown(searcher, in_split(labelled, s), modes[0]) for s in splits if in_split(labelled, s)}
    calibrated = searcher.score_model is not None
    bands = {s: score_bands(searcher, in_split(labelled, s)) for s in parts} if calibrated else {}
    if as_json:
        payload = {m: {level: s.to_dict() for level, s in levels.items()} for m, levels in scores.items()}
        by_split = {s: part.to_dict() for s, part in parts.items()}
        meaning = {
            s: [{"from": low, "candidates": n, "relevant": round(share, 4)} for low, n, share in b]
            for s, b in bands.items()
        }
        result = {"questions": len(labelled), "scores": payload, modes[0]: by_split, "score_bands": meaning}
        typer.echo(json.dumps(result, indent=2))
        return
    typer.echo(f"{len(labelled)} questions from {questions}, embedder {searcher.embedder.name}\n")
    typer.echo(format_table(scores))
    typer.echo(f"\n{modes[0]}, items, per language and style:\n")
    typer.echo(format_breakdown(parts))
    if bands:
        typer.echo(
            f"\nwhat a score means (the first {CALIBRATION_DEPTH} candidates of answerable questions):\n"
        )
        typer.echo(format_bands(bands))
