"""Calibrated scores: the chance that an item answers the question, comparable across questions.

Fused ranks (RRF) and BM25 values mean nothing to a reader, and raw cosines of a small
multilingual model sit between 0.80 and 0.92 for everything. A logistic model over three
signals of one (question, item) pair turns them into a probability of relevance fitted on
the development questions of eval/questions.json (never the test part):
    cosine      the dense similarity of question (with its gloss) and item
    lexical     log(1 + BM25) of the question's tokens (with the thesaurus) in the item
    english     1 for a question with no Chinese in it and no Chinese gloss (its cosines run lower)
A question whose best item scores below `threshold` gets `no_good_match`: no document
covers it well. The weights and the threshold are stored per embedder: the package ships
them in `score_calibration.json`, and `kg eval --calibrate` writes a build folder's own
(`kg.store.layout.score_calibration`), read first; an embedder without an entry searches as
before with uncalibrated scores and never refuses.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kg.errors import KgError

CALIBRATION_FILE = Path(__file__).with_name("score_calibration.json")
FEATURES = ("bias", "cosine", "lexical", "english", "english_cosine")
MAX_FALSE_REFUSALS = 0.05  # share of answerable development questions a threshold may refuse
WEAK_SHOWN = 3  # closest items shown, marked weak, when nothing matches well


COSINE_CENTRE, COSINE_SPREAD = 0.85, 0.05  # e5 cosines, put on a scale the ridge treats fairly


@dataclass(frozen=True)
class Signals:
    """What the model reads of a question and some items (one entry per item)."""

    cosine: np.ndarray
    bm25: np.ndarray
    english: bool


def features(signals: Signals) -> np.ndarray:
    """The model's inputs, one row per item."""
    flag = np.full(len(signals.cosine), 1.0 if signals.english else 0.0)
    scaled = (np.asarray(signals.cosine, dtype=float) - COSINE_CENTRE) / COSINE_SPREAD
    lexical = np.log1p(np.maximum(signals.bm25, 0))
    return np.column_stack([np.ones(len(scaled)), scaled, lexical, flag, flag * scaled])


@dataclass(frozen=True)
class ScoreModel:
    """Logistic weights over `FEATURES`, and the best-item score under which nothing matches."""

    weights: tuple[float, ...]
    threshold: float
    source: str = ""

    def scores(self, signals: Signals) -> np.ndarray:
        """Calibrated scores in [0, 1]."""
        z = features(signals) @ np.asarray(self.weights)
        return np.asarray(1.0 / (1.0 + np.exp(-z)))

    def to_dict(self) -> dict[str, object]:
        return {
            "weights": dict(zip(FEATURES, (round(w, 4) for w in self.weights), strict=True)),
            "threshold": round(self.threshold, 4),
            "source": self.source,
        }


def load_model(embedder: str, path: Path = CALIBRATION_FILE) -> ScoreModel | None:
    """The calibration for `embedder`, or None when it was never calibrated."""
    try:
        entry = json.loads(path.read_text(encoding="utf-8")).get(embedder)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise KgError(f"{path}: cannot be read ({exc})") from None
    if entry is None:
        return None
    try:
        weights = tuple(float(entry["weights"][name]) for name in FEATURES)
        return ScoreModel(weights, float(entry["threshold"]), str(entry.get("source", "")))
    except (KeyError, TypeError, ValueError):
        raise KgError(
            f"{path}: the entry for {embedder!r} needs weights {', '.join(FEATURES)} and a threshold"
        ) from None


def save_model(embedder: str, model: ScoreModel, path: Path = CALIBRATION_FILE) -> None:
    """Write (or replace) the calibration of one embedder, keeping the others."""
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    data[embedder] = model.to_dict()
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def fit_weights(x: np.ndarray, y: np.ndarray, l2: float = 1.0, steps: int = 50) -> tuple[float, ...]:
    """Logistic regression by Newton's method with a small ridge (no bias penalty): deterministic."""
    w = np.zeros(x.shape[1])
    ridge = np.eye(x.shape[1]) * l2
    ridge[0, 0] = 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        gradient = x.T @ (p - y) + ridge @ w
        hessian = x.T @ (x * (p * (1 - p))[:, None]) + ridge
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-9:
            break
    return tuple(float(v) for v in w)


def choose_threshold(answerable: list[float]) -> float:
    """The highest best-item score that refuses at most `MAX_FALSE_REFUSALS` of answerable questions.

    Put halfway between two neighbouring scores, so that no question sits on the line.
    """
    if not answerable:
        raise KgError("calibrating the no-answer threshold needs answerable questions")
    ranked = sorted(answerable)
    allowed = int(MAX_FALSE_REFUSALS * len(ranked))  # how many may fall under the threshold
    low = ranked[allowed - 1] if allowed else 0.0
    return (low + ranked[allowed]) / 2
