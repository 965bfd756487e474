"""How good the mappings are: precision and recall against labelled pairs, and calibration.

Labelled pairs (eval/overlap_pairs.tsv) name two items and the relation a person
gave them: exact, close, related or none. Each relation level is scored as its own
yes/no question: "related or stronger?", "close or stronger?", "exact?".

- `evaluate` runs the real matcher over every labelled document pair and compares
  the relation it gives each labelled pair (none when it maps the item elsewhere).
- `calibrate` searches the wording weight and the three thresholds that maximise
  F1 at each level, on the pairs' scores; `cross_validate` repeats that with each
  document pair held out in turn, so the figures reported are not fitted to themselves.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kg.errors import KgError
from kg.mapping.calibration import Calibration
from kg.mapping.matching import match
from kg.mapping.material import Material
from kg.mapping.model import RELATIONS, Thresholds
from kg.mapping.scoring import Scorer
from kg.text_files import read_text

LABELS = (*RELATIONS, "none")
LABEL_COLUMNS = ("doc_a", "code_a", "doc_b", "code_b", "relation")
WEIGHTS = tuple(round(w, 2) for w in np.arange(0.0, 0.81, 0.05))


@dataclass(frozen=True)
class LabelledPair:
    doc_a: str
    code_a: str
    doc_b: str
    code_b: str
    relation: str  # exact | close | related | none


@dataclass(frozen=True)
class LevelScore:
    level: str  # the weakest relation that counts as a yes
    precision: float
    recall: float
    support: int  # labelled pairs that are a yes

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    def to_dict(self) -> dict[str, float | int | str]:
        return {
            "level": self.level,
            "precision": round(self.precision, 3),
            "recall": round(self.recall, 3),
            "f1": round(self.f1, 3),
            "support": self.support,
        }


def load_pairs(path: str | Path) -> list[LabelledPair]:
    """Labelled pairs from a TSV with the columns doc_a, code_a, doc_b, code_b, relation."""
    path = Path(path)
    reader = csv.DictReader(
        io.StringIO(read_text(path, "file of labelled pairs"), newline=""), delimiter="\t"
    )
    missing = [c for c in LABEL_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise KgError(f"{path}: missing column(s) {', '.join(missing)}")
    pairs = []
    for line, row in enumerate(reader, start=2):
        if row["relation"] not in LABELS:
            raise KgError(f"{path}, line {line}: relation {row['relation']!r} is not one of {LABELS}")
        pairs.append(LabelledPair(*(row[c] for c in LABEL_COLUMNS)))
    if not pairs:
        raise KgError(f"{path}: no labelled pairs")
    return pairs


def level_scores(gold: Sequence[str], predicted: Sequence[str]) -> list[LevelScore]:
    """Precision and recall of the predicted relations at each level (exact, close, related)."""
    out = []
    for level in RELATIONS:
        yes = set(RELATIONS[: RELATIONS.index(level) + 1])
        truth = np.array([g in yes for g in gold])
        guess = np.array([p in yes for p in predicted])
        hits = int((truth & guess).sum())
        precision = hits / int(guess.sum()) if guess.any() else 0.0
        recall = hits / int(truth.sum()) if truth.any() else 0.0
        out.append(LevelScore(level, precision, recall, int(truth.sum())))
    return out


def evaluate(material: Material, pairs: list[LabelledPair], calibration: Calibration) -> list[LevelScore]:
    """Run the matcher on each labelled document pair; score the relations it gives the pairs."""
    _check_known(material, pairs)
    scorer = calibration.scorer
    predicted: dict[tuple[str, str, str, str], str] = {}
    for doc_a, doc_b in sorted({(p.doc_a, p.doc_b) for p in pairs}):
        for m in match(material.side(doc_a), material.side(doc_b), scorer, calibration.thresholds):
            predicted[doc_a, m.a.code, doc_b, m.b.code] = m.relation
    gold = [p.relation for p in pairs]
    return level_scores(gold, [predicted.get((p.doc_a, p.code_a, p.doc_b, p.code_b), "none") for p in pairs])


def pair_features(material: Material, pairs: list[LabelledPair]) -> tuple[np.ndarray, np.ndarray]:
    """(cosine, wording) of every labelled pair."""
    _check_known(material, pairs)
    row = {(i.document, i.code): r for r, i in enumerate(material.items)}
    scorer = Scorer(0.0)
    cosine, wording = [], []
    for p in pairs:
        ra, rb = row[p.doc_a, p.code_a], row[p.doc_b, p.code_b]
        cosine.append(float(scorer.cosine(material.vectors[[ra]], material.vectors[[rb]])[0, 0]))
        wording.append(float(scorer.wording([material.items[ra].text], [material.items[rb].text])[0, 0]))
    return np.array(cosine), np.array(wording)


def calibrate(cosine: np.ndarray, wording: np.ndarray, gold: list[str]) -> Calibration:
    """The weight and thresholds with the best mean F1 over the three levels, on pair scores."""
    best: tuple[float, Calibration] | None = None
    for weight in WEIGHTS:
        scores = (1 - weight) * cosine + weight * wording
        cuts = [_best_cut(scores, gold, level) for level in RELATIONS]
        exact, close, related = (c for c, _ in cuts)
        close, related = min(close, exact), min(related, close, exact)
        mean_f1 = sum(f for _, f in cuts) / len(cuts)
        if best is None or mean_f1 > best[0] + 1e-9:
            best = (mean_f1, Calibration(float(weight), Thresholds(exact, close, related)))
    assert best is not None
    return best[1]


def mean_f1(calibration: Calibration, cosine: np.ndarray, wording: np.ndarray, gold: list[str]) -> float:
    """Mean F1 over the three levels when `calibration` labels the pairs from their scores alone."""
    w = calibration.weight
    scores = (1 - w) * cosine + w * wording
    predicted = [calibration.thresholds.relation(float(score)) or "none" for score in scores]
    levels = level_scores(gold, predicted)
    return sum(level.f1 for level in levels) / len(levels)


def cross_validate(cosine: np.ndarray, wording: np.ndarray, pairs: list[LabelledPair]) -> list[LevelScore]:
    """Calibrate without each document pair in turn and predict that pair's labels."""
    folds: dict[tuple[str, str], list[int]] = defaultdict(list)
    for n, p in enumerate(pairs):
        folds[p.doc_a, p.doc_b].append(n)
    gold = [p.relation for p in pairs]
    predicted = ["none"] * len(pairs)
    for held_out in folds.values():
        keep = np.ones(len(pairs), dtype=bool)
        keep[held_out] = False
        fitted = calibrate(cosine[keep], wording[keep], [g for g, k in zip(gold, keep, strict=True) if k])
        w = fitted.weight
        for n in held_out:
            predicted[n] = fitted.thresholds.relation((1 - w) * cosine[n] + w * wording[n]) or "none"
    return level_scores(gold, predicted)


def _best_cut(scores: np.ndarray, gold: list[str], level: str) -> tuple[float, float]:
    """The threshold on `scores` with the best F1 for "at least `level`", and that F1."""
    yes = np.array([g in RELATIONS[: RELATIONS.index(level) + 1] for g in gold])
    best = (1.0, 0.0)
    for cut in np.unique(np.round(scores, 4)):
        guess = scores >= cut
        hits = int((guess & yes).sum())
        if not hits:
            continue
        precision, recall = hits / int(guess.sum()), hits / int(yes.sum())
        f1 = 2 * precision * recall / (precision + recall)
        if f1 > best[1] + 1e-9:
            best = (float(cut), f1)
    return best


def _check_known(material: Material, pairs: list[LabelledPair]) -> None:
    known = {(i.document, i.code) for i in material.items}
    for p in pairs:
        for doc, code in ((p.doc_a, p.code_a), (p.doc_b, p.code_b)):
            if (doc, code) not in known:
                raise KgError(f"labelled pair names {doc} {code}, which this build does not have")


def evaluation_report(material: Material, pairs: list[LabelledPair], refit: bool = False) -> dict:
    """What `kg overlap --evaluate` prints: the matcher's precision and recall with the calibration
    in force, and cross-validated figures; with `refit`, a new calibration fitted on all pairs."""
    from kg.mapping.calibration import calibration_for

    current, _ = calibration_for(material.embedder)
    cosine, wording = pair_features(material, pairs)
    report: dict = {
        "embedder": material.embedder,
        "pairs": len(pairs),
        "labels": {label: sum(p.relation == label for p in pairs) for label in LABELS},
        "calibration": current.to_dict(),
        "matcher": [s.to_dict() for s in evaluate(material, pairs, current)],
        "cross_validated": [s.to_dict() for s in cross_validate(cosine, wording, pairs)],
    }
    if refit:
        fitted = calibrate(cosine, wording, [p.relation for p in pairs])
        report["fitted"] = fitted.to_dict()
        report["fitted_matcher"] = [s.to_dict() for s in evaluate(material, pairs, fitted)]
    return report
