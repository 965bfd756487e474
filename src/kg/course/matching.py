"""Course lines against documents' items: many-to-many, with the overlap mapping's scorer.

Each course line is embedded as the items were (a passage) and scored against every
task, activity, indicator, knowledge and skill item of a document by the overlap
mapping's calibrated `Scorer` (cosine and shared wording); the calibrated thresholds name
the relation (exact, close, related). Unlike the one-to-one document overlap, a line may
cover several items and an item may be covered by several lines.

A line covers nothing when it is not course content: an opening session, a survey, a
final showcase. Such a line is as near to every item as to any (multilingual-e5 puts
most short Chinese phrases of one field close together), so the rule is relative, not a
word list: a line's match must stand out from the line's scores against the whole
document by `MIN_LIFT` (score minus the line's median score over the document's items).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from kg.course.outline import CourseLine
from kg.errors import KgError, document_code
from kg.mapping.calibration import Calibration
from kg.mapping.material import Material

COVER_KINDS = ("task", "activity", "indicator", "knowledge", "skill")
# How far a match must stand above the line's median score over the document (tuned on the
# outlines marked "tune" in eval/courses/outlines.tsv, never on the held-out one).
MIN_LIFT = 0.04
# How far below the line's best match another may be: a line teaches what it is nearest to.
BAND = 0.02
MAX_MATCHES = 8  # per line and document: a line teaches a few items, not a whole standard
CACHED_LINES = 20_000  # course line embeddings kept (about 30 MB with e5-small)


@dataclass(frozen=True)
class LineMatch:
    """One item a course line covers."""

    line: int
    document: str
    code: str
    kind: str
    text: str
    score: float
    relation: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


Embed = Callable[[Sequence[str]], np.ndarray]


class CourseMatcher:
    """Scores course lines against the items of a build's documents."""

    def __init__(
        self,
        material: Material,
        embed: Embed,
        calibration: Calibration,
        min_lift: float = MIN_LIFT,
        band: float = BAND,
    ) -> None:
        self.material = material
        self.embed = embed
        self.calibration = calibration
        self.min_lift = min_lift
        self.band = band
        self._cache: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()
        self.rows = {
            code: [r for r in rows if material.items[r].kind in COVER_KINDS]
            for code, rows in material.rows_by_document().items()
        }

    def check(self, documents: Sequence[str]) -> list[str]:
        """The build's codes of `documents` (in any letter case), or a KgError naming the code
        likely meant for one the build does not have."""
        if not documents:
            raise KgError("name at least one document to cover (--against CODE)")
        return [document_code(code, self.material.documents) for code in documents]

    def vectors(self, lines: Sequence[CourseLine]) -> np.ndarray:
        """The lines' embeddings: each distinct text embedded once, and kept (`CACHED_LINES`), since
        embedding is nearly all of a cover's time and the same outline comes again (the web page's
        download, an edited outline)."""
        texts = [line.text for line in lines]
        with self._lock:
            known = {t: self._cache[t] for t in texts if t in self._cache}
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        if missing:
            embedded = np.asarray(self.embed(missing), dtype=np.float32)
            known |= dict(zip(missing, embedded, strict=True))
            with self._lock:
                if len(self._cache) + len(missing) > CACHED_LINES:
                    self._cache.clear()
                self._cache.update(zip(missing, embedded, strict=True))
        return np.stack([known[t] for t in texts])

    def scores(self, lines: Sequence[CourseLine], vectors: np.ndarray, document: str) -> np.ndarray:
        """The calibrated score of every (course line, item of the document) pair."""
        rows = self.rows.get(document, [])
        items = [self.material.items[r] for r in rows]
        return self.calibration.scorer.scores(
            vectors, self.material.vectors[rows], [line.text for line in lines], [i.text for i in items]
        )

    def match(
        self, lines: Sequence[CourseLine], documents: Sequence[str], vectors: np.ndarray | None = None
    ) -> list[LineMatch]:
        """Every (line, item) pair that covers, best first within each line, lines in order."""
        documents = self.check(documents)
        vectors = self.vectors(lines) if vectors is None else vectors
        thresholds = self.calibration.thresholds
        found: list[LineMatch] = []
        per_line: dict[int, list[LineMatch]] = {n: [] for n in range(len(lines))}
        for document in documents:
            rows = self.rows.get(document, [])
            if not rows:
                continue
            # float64: a float32 score a hair under `related` would pass the cut in float32
            # and then earn no relation (the overlap matcher compares the same way).
            scores = self.scores(lines, vectors, document).astype(np.float64)
            lift = scores - np.median(scores, axis=1, keepdims=True)
            near_best = scores >= scores.max(axis=1, keepdims=True) - self.band
            keep = (scores >= thresholds.related) & (lift >= self.min_lift) & near_best
            for n, j in zip(*np.nonzero(keep), strict=True):
                item = self.material.items[rows[j]]
                score = float(min(scores[n, j], 1.0))
                relation = thresholds.relation(score)
                assert relation is not None  # kept at or above `related`
                per_line[int(n)].append(
                    LineMatch(lines[n].line, document, item.code, item.kind, item.text, score, relation)
                )
        for n in range(len(lines)):
            best = sorted(per_line[n], key=lambda m: (-round(m.score, 4), m.document, m.code))
            found.extend(best[: MAX_MATCHES * len(documents)])
        return found

    def rank_documents(self, lines: Sequence[CourseLine], top: int = 5) -> list[dict[str, Any]]:
        """The documents the course serves best: by the share of its lines that cover one of
        their items, then by the mean best score of those lines; with the best evidence."""
        vectors = self.vectors(lines)
        ranked = []
        for document in sorted(self.material.documents):
            matches = self.match(lines, [document], vectors)
            covering = {m.line for m in matches}
            best: dict[int, float] = {}
            for m in matches:
                best[m.line] = max(best.get(m.line, 0.0), m.score)
            ranked.append(
                {
                    "document": document,
                    "title": self.material.documents[document]["title"],
                    "kind": self.material.documents[document]["kind"],
                    "lines_covering": len(covering),
                    "share": len(covering) / len(lines),
                    "score": float(np.mean(list(best.values()))) if best else 0.0,
                    "evidence": [m.to_dict() for m in sorted(matches, key=lambda m: -m.score)[:3]],
                }
            )
        ranked.sort(key=lambda d: (-d["lines_covering"], -d["score"], d["document"]))
        return ranked[:top]
