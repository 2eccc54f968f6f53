"""Does a comment read like spam by its words alone? A word model beside the phrase families.

The phrase families say exactly what a comment does ("subscribe to me", "buy followers"); a
spam comment that says it in words no family lists ("Please take a look at my page and give
me some feedback") still uses the words spam uses. This model gives each word a weight, a
logistic regression on which words a comment contains, fitted on the three labelled videos of
shared/data (benchmarks/calibrate_comments.py, which writes comment_word_weights.py). A
comment no family flags is spam by its words when its score, the intercept plus the sum of
the weights of its k known words over sqrt(k), reaches the cut-off
(CommentThresholds.word_cut); its reason lists the words that add most.

Leave one data set out: a model is fitted without each of the three files, and
``model_without(FILE)`` gives it, so ``check comments --leave-out FILE`` scores a file the
model never saw. The Eminem and Shakira videos are in no fit.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from microscout.heuristics.lazy_regex import compile_on_use

# Lower-case ASCII letters and digits: the words were fitted on this split of the text.
TOKEN = compile_on_use(r"[a-z]+|\d+")
SHOWN = 4  # words a reason lists, heaviest first


@dataclass(frozen=True, eq=False, slots=True)
class WordModel:
    """A fitted word model (hashed by identity: part of a detector, a cache key)."""

    fitted_on: tuple[str, ...]
    intercept: float
    weights: dict[str, float]

    def score(self, visible: str) -> float:
        """The comment's score: the intercept plus the weights of its k known words over
        sqrt(k), so a long comment does not pile up small weights."""
        known = [w for w in map(self.weights.get, set(TOKEN.findall(visible.lower()))) if w is not None]
        return self.intercept + sum(known) / math.sqrt(len(known)) if known else self.intercept

    def adding(self, visible: str) -> list[tuple[str, float]]:
        """What each word that counts for spam adds to the score, most first."""
        weights = self.weights
        found = [(word, weights[word]) for word in set(TOKEN.findall(visible.lower())) if word in weights]
        scale = 1.0 / math.sqrt(len(found)) if found else 0.0
        return sorted(((word, w * scale) for word, w in found if w > 0), key=lambda ww: (-ww[1], ww[0]))


def reason(score: float, cut: float, words: list[tuple[str, float]]) -> str:
    listed = ", ".join(f"{word!r} {w:+.1f}" for word, w in words[:SHOWN])
    return f"its words read like spam: score {score:.1f} (from {cut:g}){': ' + listed if listed else ''}"


def model_without(name: str | None) -> WordModel:
    """The model fitted on every file but ``name`` (None, or a file in no fit: the shipped one)."""
    from microscout.heuristics.comment_word_weights import MODELS

    # The model with the most files that still leaves ``name`` out.
    return _model(max((files for files in MODELS if name not in files), key=len))


@lru_cache(maxsize=None)
def _model(files: tuple[str, ...]) -> WordModel:
    from microscout.heuristics.comment_word_weights import MODELS

    intercept, weights = MODELS[files]
    return WordModel(files, intercept, weights)

