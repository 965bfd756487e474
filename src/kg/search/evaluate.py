"""Measured search quality over a labelled question set: recall, MRR, nDCG and "nothing found".

A question set is JSON (see eval/questions.json and its labelling guide eval/GUIDELINE.md):
    {"questions": [{"id": "q01", "lang": "zh", "style": "keyword", "split": "dev",
                    "question": "客訴處理", "documents": ["BAS1499-003"],
                    "items": ["BAS1499-003/T4.2", ...]},
                   {"id": "q120", "lang": "en", "question": "how to bake bread",
                    "no_answer": true, "documents": [], "items": []}, ...]}
`style` is keyword or sentence (a plain question); `split` is dev (may be tuned on) or test
(never tuned on); `asks` names what the question asks for ({"document_kind": "unit"},
{"item_kind": "skill"}, {"level_min": 5}, {"document": CODE}); `no_answer` marks a
question no document answers. Items are scored on `--by item` rankings, documents on
`--by document` rankings; answerable questions only, except for the no-answer figures.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from statistics import mean
from typing import Any

import numpy as np

from kg.errors import KgError
from kg.search.calibration import ScoreModel, Signals, choose_threshold, features, fit_weights
from kg.search.engine import MODES, Filters, Mode, Searcher
from kg.search.results import DocumentHit, ItemHit
from kg.search.understand import Understood
from kg.text_files import read_text

DEFAULT_QUESTIONS = Path("eval/questions.json")
DEFAULT_KS = (1, 3, 5, 10)
STYLES = ("keyword", "sentence")
SPLITS = ("dev", "test")
ASKS = ("document_kind", "item_kind", "level_min", "document")


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    lang: str
    documents: tuple[str, ...]
    items: tuple[str, ...]  # "DOCUMENT/CODE"
    style: str = "keyword"
    split: str = "dev"
    asks: tuple[tuple[str, Any], ...] = ()  # what the question asks for, as (key, value) pairs
    no_answer: bool = False


@dataclass
class Scores:
    """Mean recall@k, MRR and nDCG@10 of one mode at one level (item or document)."""

    recall: dict[int, float] = field(default_factory=dict)
    mrr: float = 0.0
    ndcg: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return (
            {f"recall@{k}": round(v, 4) for k, v in self.recall.items()}
            | {"mrr": round(self.mrr, 4)}
            | {"ndcg@10": round(self.ndcg, 4)}
        )


def load_questions(path: str | Path = DEFAULT_QUESTIONS) -> list[Question]:
    """Read and check a question set; a clear error names the file and the question at fault."""
    path = Path(path)
    try:
        data = json.loads(read_text(path, "question file"))
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
        questions.append(_question(entry, where))
        if entry["id"] in seen:
            raise KgError(f"{where}: the id is used twice")
        seen.add(entry["id"])
    return questions


def _question(entry: dict[str, Any], where: str) -> Question:
    no_answer = entry.get("no_answer", False) is True
    required = ("id", "question") if no_answer else ("id", "question", "documents", "items")
    missing = [k for k in required if not entry.get(k)]
    if missing:
        raise KgError(f"{where}: missing or empty {', '.join(missing)}")
    if no_answer and (entry.get("documents") or entry.get("items")):
        raise KgError(f"{where}: a no_answer question lists no documents or items")
    bad = [i for i in entry.get("items", []) if not isinstance(i, str) or i.count("/") != 1]
    if bad:
        raise KgError(f"{where}: items must be written DOCUMENT/CODE, not {bad[0]!r}")
    style, split = entry.get("style", "keyword"), entry.get("split", "dev")
    if style not in STYLES:
        raise KgError(f"{where}: style {style!r} is not one of {', '.join(STYLES)}")
    if split not in SPLITS:
        raise KgError(f"{where}: split {split!r} is not one of {', '.join(SPLITS)}")
    asks = entry.get("asks", {})
    if not isinstance(asks, dict) or any(key not in ASKS for key in asks):
        raise KgError(f"{where}: asks must be an object with keys from {', '.join(ASKS)}")
    return Question(
        id=str(entry["id"]),
        question=str(entry["question"]),
        lang=str(entry.get("lang", "")),
        documents=tuple(entry.get("documents", ())),
        items=tuple(entry.get("items", ())),
        style=style,
        split=split,
        asks=tuple(sorted(asks.items())),
        no_answer=no_answer,
    )


def in_language(questions: list[Question], lang: str) -> list[Question]:
    """The questions written in `lang` (zh, en ...); an error when there are none."""
    chosen = [q for q in questions if q.lang == lang]
    if not chosen:
        languages = ", ".join(sorted({q.lang for q in questions if q.lang}))
        raise KgError(f"no questions in language {lang!r}; the set has: {languages}")
    return chosen


def in_split(questions: list[Question], split: str) -> list[Question]:
    """The questions of one part (dev or test); an error for another name."""
    if split not in SPLITS:
        raise KgError(f"unknown split {split!r}; choose from: {', '.join(SPLITS)}")
    return [q for q in questions if q.split == split]


def _ndcg(ranking: list[str], relevant: set[str], k: int = 10) -> float:
    gain = sum(1 / math.log2(n + 1) for n, key in enumerate(ranking[:k], 1) if key in relevant)
    ideal = sum(1 / math.log2(n + 1) for n in range(1, min(k, len(relevant)) + 1))
    return gain / ideal if ideal else 0.0


def _score(rankings: list[list[str]], relevant: list[set[str]], ks: tuple[int, ...]) -> Scores:
    if not rankings:
        return Scores(recall=dict.fromkeys(ks, 0.0))
    pairs = list(zip(rankings, relevant, strict=True))
    recall = {k: mean(len(set(r[:k]) & rel) / len(rel) for r, rel in pairs) for k in ks}
    reciprocal = []
    for ranking, rel in pairs:
        rank = next((n for n, key in enumerate(ranking, 1) if key in rel), None)
        reciprocal.append(1 / rank if rank else 0.0)
    return Scores(recall=recall, mrr=mean(reciprocal), ndcg=mean(_ndcg(r, rel) for r, rel in pairs))


def _check_labels(searcher: Searcher, questions: list[Question]) -> None:
    known_items = {f"{i.document}/{i.code}" for i in searcher.index.items}
    known_documents = {i.document for i in searcher.index.items}
    for q in questions:
        unknown = [i for i in q.items if i not in known_items] + [
            d for d in q.documents if d not in known_documents
        ]
        if unknown:
            raise KgError(f"question {q.id}: {unknown[0]} is not in this build's search index")


def evaluate(
    searcher: Searcher,
    questions: list[Question],
    modes: tuple[Mode, ...] = MODES,
    ks: tuple[int, ...] = DEFAULT_KS,
) -> dict[str, dict[str, Scores]]:
    """{mode: {"item": Scores, "document": Scores}} over the answerable questions."""
    _check_labels(searcher, questions)
    answerable = [q for q in questions if not q.no_answer]
    depth = max(ks)
    results: dict[str, dict[str, Scores]] = {}
    for mode in modes:
        item_rankings, document_rankings = [], []
        for q in answerable:
            item_rankings.append(_item_keys(searcher, q.question, mode, depth))
            documents = searcher.search(q.question, mode=mode, by="document", top=depth).results
            document_rankings.append([h.document for h in documents if isinstance(h, DocumentHit)])
        results[mode] = {
            "item": _score(item_rankings, [set(q.items) for q in answerable], ks),
            "document": _score(document_rankings, [set(q.documents) for q in answerable], ks),
        }
    return results


def _item_keys(searcher: Searcher, question: str, mode: Mode, depth: int) -> list[str]:
    items = searcher.search(question, mode=mode, by="item", top=depth).results
    return [f"{h.item.document}/{h.item.code}" for h in items if isinstance(h, ItemHit)]


@dataclass
class Breakdown:
    """One mode's quality on one split: item scores per language and style, asked kinds, no-answer."""

    groups: dict[str, tuple[int, Scores]]  # "zh keyword" -> (questions, scores)
    asked: tuple[int, int]  # (questions asking for a kind/level/document, first document as asked)
    refused: tuple[int, int, int, int]  # (no-answer questions, refused, answerable, wrongly refused)

    @property
    def no_answer_recall(self) -> float:
        return self.refused[1] / self.refused[0] if self.refused[0] else 0.0

    @property
    def no_answer_precision(self) -> float:
        flagged = self.refused[1] + self.refused[3]
        return self.refused[1] / flagged if flagged else 0.0

    @property
    def false_refusals(self) -> float:
        return self.refused[3] / self.refused[2] if self.refused[2] else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "groups": {
                name: {"questions": n} | {k: v for k, v in s.to_dict().items() if k != "recall@1"}
                for name, (n, s) in self.groups.items()
            },
            "asked": {"questions": self.asked[0], "first_document_as_asked": self.asked[1]},
            "no_answer": {
                "questions": self.refused[0],
                "recognised": self.refused[1],
                "precision": round(self.no_answer_precision, 4),
                "recall": round(self.no_answer_recall, 4),
                "answerable_refused": self.refused[3],
                "answerable": self.refused[2],
            },
        }


@dataclass
class Tally:
    """Item answers to labelled questions, counted by group: the first ten items of each
    answerable question against its labels, and which questions were refused."""

    rankings: dict[str, list[list[str]]] = field(default_factory=dict)
    relevant: dict[str, list[set[str]]] = field(default_factory=dict)
    no_answer: int = 0  # questions no document answers
    recognised: int = 0  # of them, answered "nothing found"
    answerable: int = 0
    refused: int = 0  # of them, wrongly answered "nothing found"

    def add(self, q: Question, hits: list[ItemHit], weak: bool, group: str) -> None:
        """One question's item hits (best first) and whether the answer was "nothing found"."""
        if q.no_answer:
            self.no_answer += 1
            self.recognised += weak
            return
        self.answerable += 1
        self.refused += weak
        self.rankings.setdefault(group, []).append([f"{h.item.document}/{h.item.code}" for h in hits[:10]])
        self.relevant.setdefault(group, []).append(set(q.items))

    def scores(self, group: str | None = None, ks: tuple[int, ...] = (1, 10)) -> Scores:
        """The scores of one group, or of all answerable questions (None)."""
        names = [group] if group is not None else list(self.rankings)
        rankings = [r for name in names for r in self.rankings.get(name, [])]
        return _score(rankings, [r for name in names for r in self.relevant.get(name, [])], ks)


def breakdown(searcher: Searcher, questions: list[Question], mode: Mode = "hybrid") -> Breakdown:
    """Item recall@10, MRR and nDCG@10 per language and style; asked kinds; no-answer detection."""
    _check_labels(searcher, questions)
    tally = Tally()
    asked = matched = 0
    for q in questions:
        items = searcher.search(q.question, mode=mode, by="item", top=10)
        hits = [h for h in items.results if isinstance(h, ItemHit)]
        tally.add(q, hits, items.no_good_match, f"{q.lang} {q.style}")
        if q.asks and not q.no_answer:
            asked += 1
            documents = searcher.search(q.question, mode=mode, by="document", top=1).results
            first = documents[0] if documents else None
            matched += isinstance(first, DocumentHit) and _as_asked(searcher, first, dict(q.asks))
    groups = {name: (len(tally.rankings[name]), tally.scores(name)) for name in sorted(tally.rankings)}
    refusals = (tally.no_answer, tally.recognised, tally.answerable, tally.refused)
    return Breakdown(groups, (asked, matched), refusals)


def _as_asked(searcher: Searcher, hit: DocumentHit, asks: dict[str, Any]) -> bool:
    """Whether a first document (and its first evidence) is of the kind, level or code asked for."""
    evidence = hit.evidence[0].item if hit.evidence else None
    checks = {
        "document_kind": lambda v: hit.kind == v,
        "document": lambda v: hit.document == v,
        "item_kind": lambda v: evidence is not None and evidence.kind == v,
        "level_min": lambda v: evidence is not None and (evidence.level or 0) >= v,
    }
    return all(checks[key](value) for key, value in asks.items())


def format_table(results: dict[str, dict[str, Scores]], ks: tuple[int, ...] = DEFAULT_KS) -> str:
    """A Markdown table: one row per mode and level."""
    header = ["mode", "level", *[f"recall@{k}" for k in ks], "MRR", "nDCG@10"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for mode, levels in results.items():
        for level, scores in levels.items():
            cells = [mode, level, *[f"{scores.recall[k]:.3f}" for k in ks], f"{scores.mrr:.3f}"]
            lines.append("| " + " | ".join([*cells, f"{scores.ndcg:.3f}"]) + " |")
    return "\n".join(lines)


def format_breakdown(parts: dict[str, Breakdown]) -> str:
    """A Markdown table per split: item quality per language and style, then asked kinds and no-answer."""
    header = ["split", "questions", "group", "recall@10", "MRR", "nDCG@10"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for split, part in parts.items():
        for name, (n, s) in part.groups.items():
            cells = [split, str(n), name, f"{s.recall[10]:.3f}", f"{s.mrr:.3f}", f"{s.ndcg:.3f}"]
            lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        "| split | asked for a kind: first document as asked | no-answer precision | "
        "no-answer recall | answerable wrongly refused |",
        "|---|---|---|---|---|",
    ]
    for split, part in parts.items():
        a, r = part.asked, part.refused
        lines.append(
            f"| {split} | {a[1]}/{a[0]} | {part.no_answer_precision:.3f} | "
            f"{part.no_answer_recall:.3f} ({r[1]}/{r[0]}) | {part.false_refusals:.3f} ({r[3]}/{r[2]}) |"
        )
    return "\n".join(lines)


CALIBRATION_DEPTH = 50  # candidates per question the score model learns from
SCORE_BANDS = (0.0, 0.05, 0.10, 0.20, 0.30, 0.50)  # lower edges of the bands `score_bands` reports


def _candidates(searcher: Searcher, q: Question) -> tuple[Signals, np.ndarray]:
    """A question's first `CALIBRATION_DEPTH` hybrid candidates (under its reading): the score
    model's signals and whether each is labelled relevant."""
    filters = searcher.understood(q.question, Filters())
    mask = _understood_filters(filters).mask(searcher.index)
    ranked = searcher.rank(q.question, "hybrid", mask, CALIBRATION_DEPTH)
    rows = np.array([r for r, _ in ranked], dtype=int)
    relevant = set(q.items)
    keys = [f"{searcher.index.items[r].document}/{searcher.index.items[r].code}" for r in rows]
    return searcher.signals(q.question, rows), np.array([key in relevant for key in keys], dtype=float)


def calibrate(searcher: Searcher, questions: list[Question], source: str = "") -> ScoreModel:
    """Fit the score model and the no-answer threshold on development questions only.

    Each dev question's first `CALIBRATION_DEPTH` hybrid candidates are examples (relevant
    or not, by the labels); the threshold refuses at most 5 % of the answerable dev questions.
    """
    _check_labels(searcher, questions)
    dev = [q for q in questions if q.split == "dev"]
    if not dev:
        raise KgError("calibration needs questions of the dev split")
    examples = [(q, *_candidates(searcher, q)) for q in dev]
    x = np.vstack([features(signals) for _, signals, _ in examples])
    weights = fit_weights(x, np.concatenate([labels for _, _, labels in examples]))
    model = ScoreModel(weights, 0.0)
    best = [float(model.scores(signals).max()) for q, signals, _ in examples if not q.no_answer]
    return ScoreModel(weights, choose_threshold(best), source)


def score_bands(searcher: Searcher, questions: list[Question]) -> list[tuple[float, int, float]]:
    """What the scores mean: for each band of `SCORE_BANDS` (its lower edge), how many candidates
    of the answerable questions (their first `CALIBRATION_DEPTH`) score in it and the share of
    them labelled relevant (0 for an empty band). Needs a calibrated searcher."""
    if searcher.score_model is None:
        raise KgError(f"no score calibration for the embedder {searcher.embedder.name!r}")
    _check_labels(searcher, questions)
    scores, labels = [], []
    for q in questions:
        if not q.no_answer:
            signals, relevant = _candidates(searcher, q)
            scores.append(searcher.score_model.scores(signals))
            labels.append(relevant)
    score, label = (np.concatenate(v) if v else np.zeros(0) for v in (scores, labels))
    band = np.searchsorted(SCORE_BANDS, score, side="right") - 1
    counts = [int((band == n).sum()) for n in range(len(SCORE_BANDS))]
    return [
        (low, count, float(label[band == n].mean()) if count else 0.0)
        for n, (low, count) in enumerate(zip(SCORE_BANDS, counts, strict=True))
    ]


def format_bands(parts: dict[str, list[tuple[float, int, float]]]) -> str:
    """A Markdown table per split: score band, candidates in it, share labelled relevant."""
    lines = ["| split | score | candidates | labelled relevant |", "|---|---|---|---|"]
    for split, bands in parts.items():
        for n, (low, count, share) in enumerate(bands):
            high = f"{SCORE_BANDS[n + 1]:.2f}" if n + 1 < len(SCORE_BANDS) else "1"
            lines.append(f"| {split} | {low:.2f} to {high} | {count} | {share:.3f} |")
    return "\n".join(lines)


def _understood_filters(understood: Understood) -> Filters:
    return Filters(
        document_kinds=understood.document_kinds, documents=understood.documents, levels=understood.levels
    )
