"""The wording weight and relation thresholds in force for an embedder.

Cosines differ from model to model, so each embedder has its own calibration
(`calibration.json`, written from `kg overlap --calibrate`). An embedder without
one borrows the default's, and the build says so in a warning.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from kg.mapping.model import Thresholds
from kg.mapping.scoring import Scorer

DEFAULT = "e5-small"
CALIBRATION_FILE = Path(__file__).with_name("calibration.json")


@dataclass(frozen=True)
class Calibration:
    weight: float
    thresholds: Thresholds

    @property
    def scorer(self) -> Scorer:
        return Scorer(self.weight)

    def to_dict(self) -> dict[str, float]:
        return {"weight": self.weight} | self.thresholds.to_dict()


@cache
def _calibrations() -> dict[str, dict]:
    return json.loads(CALIBRATION_FILE.read_text(encoding="utf-8"))


def calibration_for(embedder: str) -> tuple[Calibration, str | None]:
    """The embedder's calibration, or the default's and a warning saying so."""
    known = _calibrations()
    warning = None
    if embedder not in known:
        warning = (
            f"overlap thresholds are calibrated for {DEFAULT}, not {embedder}: relations may be off; "
            f"run `kg overlap --calibrate` and add the result to {CALIBRATION_FILE.name}"
        )
    entry = known.get(embedder, known[DEFAULT])
    thresholds = Thresholds(entry["exact"], entry["close"], entry["related"])
    return Calibration(float(entry["weight"]), thresholds), warning
