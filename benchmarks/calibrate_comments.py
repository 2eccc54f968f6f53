"""Fit the spam word model (microscout.heuristics.comment_words), leaving one data set out.

The three files of the UCI YouTube Spam Collection in shared/data (Psy, KatyPerry, LMFAO),
read as ``microscout check comments`` reads them. Pure Python and deterministic (~40 s):

1. Words: the distinct lower-case ASCII words and numbers of a comment's visible text
   (``comments.clean``), present or not. A word is in a model's vocabulary when it occurs in
   at least ``MIN_FILES`` of the files fitted on and in at least ``MIN_COMMENTS`` comments:
   a word only one video's audience uses (its title, its singer) is no evidence elsewhere.
2. Model: logistic regression on those words, each present word's value 1/sqrt(k) for a
   comment with k words in the vocabulary (so a long comment does not pile up small weights:
   its score is the intercept plus the sum of its words' weights over sqrt(k)), ``STEPS``
   steps of gradient descent from zero (step ``RATE``), L2 penalty ``l2`` on the weights (the
   mean log-loss plus l2 / 2n times the squared weights), the intercept not penalised.
3. Leave one data set out: for each file, a model is fitted on the other two and the file is
   judged by the phrase families as they were before it was read (``detector_before``) plus
   the model: spam when a family fires, or, when none does, when the model's score reaches
   the cut-off. What the model adds (spam found, false alarms) is pooled over the three files.
4. Choice: among the penalties ``PENALTIES`` and the cut-offs ``CUTS``, the one that adds the
   most spam with no false alarm added on the pooled leave-one-out figures and calls none of
   the sandbox's genuine comments spam (``sandbox_genuine``: 4,800 written for other niches,
   fitness, cooking, travel…, where function words like "my", "me", "on" would otherwise tip
   a long comment over; a music video's fans use other words); a tie goes to the larger
   penalty, then the higher cut-off (fewer words trusted, less weight on each).
5. Shipped: the model fitted on all three files with that penalty, and the three
   leave-one-out models (``--leave-out FILE`` scores each file with the one that never saw
   it), written to microscout/heuristics/comment_word_weights.py with ``--write``; the
   cut-off is CommentThresholds.word_cut's default.

    python benchmarks/calibrate_comments.py            # the grid, the choice, and the figures
    python benchmarks/calibrate_comments.py --write    # also write the weights module
    python benchmarks/calibrate_comments.py --check    # exit 1 unless the module is what a fit gives
"""
from __future__ import annotations

import argparse
import math
import sys
from collections import Counter
from pathlib import Path

from microscout.cli.check_comments import COLUMNS
from microscout.cli.records import load_rows
from microscout.heuristics.comment_words import TOKEN
from microscout.heuristics.comments import (
    KATY,
    LMFAO,
    PSY,
    CommentThresholds,
    classify_comment,
    clean,
    detector_before,
)

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "data" / "youtube-spam"
FILES = (PSY, KATY, LMFAO)
OUT = REPO / "microscout" / "heuristics" / "comment_word_weights.py"
MIN_FILES = 2
MIN_COMMENTS = 3
STEPS = 800
RATE = 2.0
PENALTIES = (0.1, 0.3, 1.0)
CUTS = (0.5, 1.0, 1.5, 2.0, 2.5, 3.0)
DIGITS = 3  # the weights are shipped rounded to this many decimals, and scored so here

Row = tuple[str, tuple[str, ...], bool]  # text, its distinct words (sorted), spam


def words(text: str) -> tuple[str, ...]:
    return tuple(sorted(set(TOKEN.findall(clean(text).lower()))))


def load(name: str) -> list[Row]:
    path = DATA / f"{name}.csv"
    return [(text, words(text), bool(spam))
            for record, columns, spam in load_rows((str(path),), {}, "CLASS", "all", COLUMNS, ("text",))
            for text in [str(record.row.get(columns["text"]) or "")]]


def sandbox_genuine() -> list[str]:
    """The genuine ('thoughtful') comments the sandbox writes, as tests/sandbox/test_text.py
    draws them: 400 for each of 3 seeds and each niche."""
    from microscout.sandbox.comment_text import comment
    from microscout.sandbox.draws import Draws
    from microscout.sandbox.text import KEYWORDS

    return [comment(Draws(f"{seed}:thoughtful:{niche}:{n}"), niche, "thoughtful")
            for seed in (1, 7, 42) for niche in KEYWORDS for n in range(400)]


def fit(sets: dict[str, list[Row]], l2: float) -> tuple[float, dict[str, float]]:
    in_files = Counter(w for rows in sets.values() for w in {w for _, ws, _ in rows for w in ws})
    rows = [row for name in sorted(sets) for row in sets[name]]
    in_comments = Counter(w for _, ws, _ in rows for w in ws)
    vocab = sorted(w for w, n in in_comments.items() if n >= MIN_COMMENTS and in_files[w] >= MIN_FILES)
    index = {w: i for i, w in enumerate(vocab)}
    xs = [[index[w] for w in ws if w in index] for _, ws, _ in rows]
    values = [1.0 / math.sqrt(len(x)) if x else 0.0 for x in xs]
    ys = [1.0 if spam else 0.0 for _, _, spam in rows]
    n = len(rows)
    weights, intercept = [0.0] * len(vocab), 0.0
    for _ in range(STEPS):
        grad, grad0 = [0.0] * len(vocab), 0.0
        for x, v, y in zip(xs, values, ys):
            s = intercept + v * sum(weights[i] for i in x)
            err = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, s)))) - y
            grad0 += err
            for i in x:
                grad[i] += err * v
        intercept -= RATE * grad0 / n
        weights = [w - RATE * (g + l2 * w) / n for w, g in zip(weights, grad)]
    return round(intercept, DIGITS), {w: round(weights[i], DIGITS) for w, i in index.items()
                                      if round(weights[i], DIGITS) != 0}


def score(model: tuple[float, dict[str, float]], ws: tuple[str, ...]) -> float:
    """As WordModel.score computes it."""
    intercept, weights = model
    known = [weights[w] for w in ws if w in weights]
    return intercept + (sum(known) / math.sqrt(len(known)) if known else 0.0)


def families_flag(rows: list[Row], before: str) -> list[bool]:
    """The phrase families alone, as they were before file ``before`` was read."""
    detector, off = detector_before(before), CommentThresholds(words=False)
    return [classify_comment(text, off, detector).label == "spam" for text, _, _ in rows]


def added(rows: list[Row], flagged: list[bool], scores: list[float], cut: float) -> tuple[int, int]:
    """(spam, false alarms) the model adds to the families at this cut-off."""
    new = [spam for (_, _, spam), f, s in zip(rows, flagged, scores) if not f and s >= cut]
    return sum(new), len(new) - sum(new)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help=f"write {OUT.relative_to(REPO)}")
    parser.add_argument("--check", action="store_true", help="exit 1 unless the shipped module is what a fit gives")
    args = parser.parse_args()
    missing = [name for name in FILES if not (DATA / f"{name}.csv").exists()]
    if missing:
        print(f"{DATA}: {', '.join(missing)} missing; the labelled files live in ../shared/data", file=sys.stderr)
        return 2
    sets = {name: load(name) for name in FILES}
    flagged = {name: families_flag(sets[name], name) for name in FILES}
    off = CommentThresholds(words=False)
    genuine = [words(text) for text in sandbox_genuine() if classify_comment(text, off).label != "spam"]
    sandbox_spam: dict[tuple[float, float], int] = {}
    grid: dict[tuple[float, float], tuple[int, int]] = {}
    models: dict[tuple[str, ...], tuple[float, dict[str, float]]] = {}
    for l2 in PENALTIES:
        everything = fit(sets, l2)
        genuine_scores = [score(everything, ws) for ws in genuine]
        for cut in CUTS:
            sandbox_spam[(l2, cut)] = sum(s >= cut for s in genuine_scores)
        for held in FILES:
            model = fit({k: v for k, v in sets.items() if k != held}, l2)
            models[(l2, held)] = model  # type: ignore[index]
            scores = [score(model, ws) for _, ws, _ in sets[held]]
            for cut in CUTS:
                tp, fp = added(sets[held], flagged[held], scores, cut)
                was = grid.get((l2, cut), (0, 0))
                grid[(l2, cut)] = (was[0] + tp, was[1] + fp)
    print("spam / false alarms the words add to the families, pooled leave-one-out over "
          f"{', '.join(FILES)} (families: {sum(map(sum, flagged.values()))} flagged); "
          f"and of the sandbox's {len(genuine):,} genuine comments, how many the words call spam")
    for l2 in PENALTIES:
        print(f"  l2 {l2:<4g} " + "  ".join(f"cut {cut:g}: +{grid[(l2, cut)][0]}/+{grid[(l2, cut)][1]}"
                                          f"/{sandbox_spam[(l2, cut)]}" for cut in CUTS))
    l2, cut = max((key for key, (_, fp) in grid.items() if fp == 0 and sandbox_spam[key] == 0),
                  key=lambda k: (grid[k][0], k[0], k[1]))
    print(f"chosen: l2 {l2:g}, cut-off {cut:g} (+{grid[(l2, cut)][0]} spam, no false alarm added)")
    for held in FILES:
        model = models[(l2, held)]  # type: ignore[index]
        scores = [score(model, ws) for _, ws, _ in sets[held]]
        spam = sum(s for _, _, s in sets[held])
        tp0 = sum(f and s for f, (_, _, s) in zip(flagged[held], sets[held]))
        fp0 = sum(f and not s for f, (_, _, s) in zip(flagged[held], sets[held]))
        tp, fp = added(sets[held], flagged[held], scores, cut)
        print(f"  {held}: families {tp0}/{fp0} of {spam} spam; with the words {tp0 + tp}/{fp0 + fp} "
              f"(recall {(tp0 + tp) / spam:.1%})")
    shipped = {tuple(sorted(FILES)): fit(sets, l2)}
    for held in FILES:
        shipped[tuple(sorted(k for k in FILES if k != held))] = models[(l2, held)]  # type: ignore[index]
    text = module_text(shipped, l2, cut)
    if args.check:
        same = OUT.exists() and OUT.read_text(encoding="utf-8") == text
        print(f"{OUT.relative_to(REPO)}: {'as fitted' if same else 'NOT what this fit gives: run with --write'}")
        return 0 if same else 1
    if args.write:
        tmp = OUT.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(OUT)
        print(f"wrote {OUT.relative_to(REPO)}")
    return 0


def module_text(models: dict[tuple[str, ...], tuple[float, dict[str, float]]], l2: float, cut: float) -> str:
    lines = ['"""The spam word model\'s weights, as benchmarks/calibrate_comments.py fits them: do not edit.',
             "",
             "Logistic regression on a comment's distinct words (each 1/sqrt(k) of k known words), L2 penalty",
             f"{l2:g}, {STEPS} steps of gradient descent; chosen with the cut-off {cut:g} (docs/HEURISTICS.md).",
             "Each entry: the files fitted on -> (intercept, weight of each word).",
             '"""',
             "MODELS: dict[tuple[str, ...], tuple[float, dict[str, float]]] = {"]
    for files, (intercept, weights) in models.items():
        lines.append(f"    {files!r}: ({intercept!r}, {{")
        items = [f"{w!r}: {v!r}," for w, v in sorted(weights.items(), key=lambda wv: (-wv[1], wv[0]))]
        line = "       "
        for item in items:
            if len(line) + 1 + len(item) > 110:
                lines.append(line)
                line = "       "
            line += " " + item
        lines.append(line)
        lines.append("    }),")
    lines.append("}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
