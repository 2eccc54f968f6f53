"""Measuring detectors: the fixed calibration/held-out split, Wilson intervals, and
precision/recall against labels (with precision re-based to a realistic base rate)."""
from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from typing import Any, Iterable, Literal


def split_half(row: dict[str, Any]) -> Literal["calibration", "held-out"]:
    """A fixed, documented split: the parity of SHA-256 of the row as sorted-key JSON.

    The row is the raw record as read (strings for CSV, numbers for JSON); identical
    rows land in the same half, so duplicates cannot leak from calibration to held-out.
    """
    digest = hashlib.sha256(json.dumps(row, sort_keys=True, default=str).encode()).digest()
    return "calibration" if digest[-1] % 2 == 0 else "held-out"


def wilson_interval(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95% Wilson score interval of the share k/n (sane at small n and near 0 or 1)."""
    if n <= 0:
        return (0.0, 1.0)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass(slots=True)
class Scorecard:
    """Confusion counts of a binary detector against labels (positive = fake/spam)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    @classmethod
    def of(cls, pairs: Iterable[tuple[bool, bool]]) -> "Scorecard":
        card = cls()
        for predicted, actual in pairs:
            card.add(predicted, actual)
        return card

    def add(self, predicted: bool, actual: bool) -> None:
        if predicted and actual:
            self.tp += 1
        elif predicted:
            self.fp += 1
        elif actual:
            self.fn += 1
        else:
            self.tn += 1

    @property
    def n(self) -> int:
        return self.tp + self.fp + self.fn + self.tn

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        # 2tp / (2tp + fp + fn): 0 for a detector that finds none of the positives, None
        # only when there is nothing to find and nothing was flagged.
        errors = self.fp + self.fn
        return 2 * self.tp / (2 * self.tp + errors) if self.tp or errors else None

    @property
    def base_rate(self) -> float | None:
        return (self.tp + self.fn) / self.n if self.n else None

    @property
    def false_positive_rate(self) -> float | None:
        return self.fp / (self.fp + self.tn) if self.fp + self.tn else None

    def precision_at(self, base_rate: float) -> float | None:
        """Precision expected where positives are ``base_rate`` of accounts (same recall and FPR).

        The labeled sets hold far more fakes than a real audience does, so the measured
        precision is optimistic; this is the honest figure for a realistic audience.
        """
        r, f = self.recall, self.false_positive_rate
        if r is None or f is None or r * base_rate + f * (1 - base_rate) == 0:
            return None
        return r * base_rate / (r * base_rate + f * (1 - base_rate))

    def as_dict(self, realistic_base_rate: float = 0.10) -> dict[str, Any]:
        def r(x: float | None) -> float | None:
            return None if x is None else round(x, 3)
        return {"n": self.n, "tp": self.tp, "fp": self.fp, "fn": self.fn, "tn": self.tn,
                "precision": r(self.precision), "recall": r(self.recall), "f1": r(self.f1),
                "base_rate": r(self.base_rate),
                f"precision_at_{realistic_base_rate:g}_base_rate": r(self.precision_at(realistic_base_rate))}
