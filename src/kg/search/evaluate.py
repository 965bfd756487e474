"""Measured search quality: recall@k and MRR over a labelled question set.

A question set is JSON (see eval/questions.json):
    {"questions": [{"id": "q01", "lang": "zh", "question": "客訴處理",
                    "documents": ["BAS1499-003"], "items": ["BAS1499-003/T4.2", ...]}]}
Items are scored on `--by item` rankings, documents on `--by document` rankings.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from statistics import mean
from typing import Any

from kg.errors import KgError
from kg.search.engine import MODES, Mode, Searcher
from kg.search.results import DocumentHit, ItemHit

DEFAULT_QUESTIONS = Path("eval/questions.json")
DEFAULT_KS = (1, 3, 5, 10)


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    lang: str
    documents: tuple[str, ...]
    items: tuple[str, ...]  # "DOCUMENT/CODE"


@dataclass
class Scores:
    """Mean recall@k and MRR of one mode at one level (item or document)."""

    recall: dict[int, float] = field(default_factory=dict)
    mrr: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {f"recall@{k}": round(v, 4) for k, v in self.recall.items()} | {"mrr": round(self.mrr, 4)}


def load_questions(path: str | Path = DEFAULT_QUESTIONS) -> list[Question]:
    """Read and check a question set; a clear error names the file and the question at fault."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KgError(f"{path}: no such question file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise KgError(f"{path}: cannot be read ({exc})") from None
    except json.JSONDecodeError as exc:
        raise KgError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    entries = data.get("questions") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise KgError(f'{path}: expected an object with a non-empty "questions" list')
    questions, seen = [], set()
    for number, entry in enumerate(entries, 1):
        where = f"{path}: question {entry.get('id', number) if isinstance(entry, dict) else number}"
        if not isinstance(entry, dict):
            raise KgError(f"{where}: expected an object")
        missing = [k for k in ("id", "question", "documents", "items") if not entry.get(k)]
        if missing:
            raise KgError(f"{where}: missing or empty {', '.join(missing)}")
        if entry["id"] in seen:
            raise KgError(f"{where}: the id is used twice")
        seen.add(entry["id"])
        bad = [i for i in entry["items"] if not isinstance(i, str) or i.count("/") != 1]
        if bad:
            raise KgError(f"{where}: items must be written DOCUMENT/CODE, not {bad[0]!r}")
        questions.append(
            Question(
                id=str(entry["id"]),
                question=str(entry["question"]),
                lang=str(entry.get("lang", "")),
                documents=tuple(entry["documents"]),
                items=tuple(entry["items"]),
            )
        )
    return questions


def in_language(questions: list[Question], lang: str) -> list[Question]:
    """The questions written in `lang` (zh, en ...); an error when there are none."""
    chosen = [q for q in questions if q.lang == lang]
    if not chosen:
        languages = ", ".join(sorted({q.lang for q in questions if q.lang}))
        raise KgError(f"no questions in language {lang!r}; the set has: {languages}")
    return chosen


def _score(rankings: list[list[str]], relevant: list[set[str]], ks: tuple[int, ...]) -> Scores:
    recall = {
        k: mean(len(set(r[:k]) & rel) / len(rel) for r, rel in zip(rankings, relevant, strict=True))
        for k in ks
    }
    reciprocal = []
    for ranking, rel in zip(rankings, relevant, strict=True):
        rank = next((n for n, key in enumerate(ranking, 1) if key in rel), None)
        reciprocal.append(1 / rank if rank else 0.0)
    return Scores(recall=recall, mrr=mean(reciprocal))


def evaluate(
    searcher: Searcher,
    questions: list[Question],
    modes: tuple[Mode, ...] = MODES,
    ks: tuple[int, ...] = DEFAULT_KS,
) -> dict[str, dict[str, Scores]]:
    """{mode: {"item": Scores, "document": Scores}} over the questions."""
    known_items = {f"{i.document}/{i.code}" for i in searcher.index.items}
    known_documents = {i.document for i in searcher.index.items}
    for q in questions:
        unknown = [i for i in q.items if i not in known_items] + [
            d for d in q.documents if d not in known_documents
        ]
        if unknown:
            raise KgError(f"question {q.id}: {unknown[0]} is not in this build's search index")
    depth = max(ks)
    results: dict[str, dict[str, Scores]] = {}
    for mode in modes:
        item_rankings, document_rankings = [], []
        for q in questions:
            items = searcher.search(q.question, mode=mode, by="item", top=depth).results
            item_rankings.append(
                [f"{h.item.document}/{h.item.code}" for h in items if isinstance(h, ItemHit)]
            )
            documents = searcher.search(q.question, mode=mode, by="document", top=depth).results
            document_rankings.append([h.document for h in documents if isinstance(h, DocumentHit)])
        results[mode] = {
            "item": _score(item_rankings, [set(q.items) for q in questions], ks),
            "document": _score(document_rankings, [set(q.documents) for q in questions], ks),
        }
    return results


def format_table(results: dict[str, dict[str, Scores]], ks: tuple[int, ...] = DEFAULT_KS) -> str:
    """A Markdown table: one row per mode and level."""
    header = ["mode", "level", *[f"recall@{k}" for k in ks], "MRR"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for mode, levels in results.items():
        for level, scores in levels.items():
            cells = [mode, level, *[f"{scores.recall[k]:.3f}" for k in ks], f"{scores.mrr:.3f}"]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
