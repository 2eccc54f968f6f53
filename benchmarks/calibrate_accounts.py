"""Fit the account scorecard (microscout.heuristics.accounts.AccountScorecard) on the calibration halves.

Reads only the calibration halves (``split_half(row) == "calibration"``) of InstaFake and
the Kaggle set, through the same reader and column names as ``microscout check accounts``,
and never looks at the held-out halves. Pure Python and deterministic:

1. Features: ``feature_values`` in accounts.py (log1p followers, log1p following - log1p
   followers, log1p posts, no avatar, empty bio, private, username digit share).
2. Model: logistic regression fitted by Newton's method (IRLS) on standardised features,
   L2 penalty ``LAMBDA`` on the weights (not the intercepts). Shared weights and one
   intercept per data set, because the sets hold fakes at different base rates (17% vs
   49%); the scorecard keeps InstaFake's intercept. Weights are then given per raw unit,
   with the pooled calibration mean of each feature as its centre.
3. Cut-off: 5-fold cross-validation within the calibration halves (fold = first byte of
   SHA-256 of the row mod 5, so duplicate rows share a fold). Out-of-fold scores on
   InstaFake's calibration half; the cut-off is the lowest one on a 0.05 grid whose pooled
   out-of-fold precision is >= 0.92 there, and stays >= 0.92 at every higher grid cut-off
   that still flags at least 20 accounts.

    .venv/bin/python benchmarks/calibrate_accounts.py            # weights, CV figures
    .venv/bin/python benchmarks/calibrate_accounts.py --json     # the defaults as JSON

Paste the printed values into AccountScorecard's defaults.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
from pathlib import Path

from microscout.cli.check_accounts import COLUMNS, features_of
from microscout.cli.records import load_rows
from microscout.heuristics.accounts import FEATURES, AccountScorecard, feature_values
from microscout.heuristics.measure import Scorecard

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "data"
SETS = {
    "instafake": ((DATA / "instafake" / "fakeAccountData.json", DATA / "instafake" / "realAccountData.json"),
                  "isFake"),
    "kaggle": ((DATA / "instagram-fake-kaggle" / "insta_train.csv",), "fake"),
}
LAMBDA = 1.0            # L2 penalty on the standardised weights (fixed, not tuned)
FOLDS = 5
MIN_PRECISION = 0.92    # CV precision wanted on InstaFake's calibration half (margin over the 0.9 target)
MIN_FLAGGED = 20        # grid cut-offs flagging fewer accounts are too noisy to count
GRID = [round(-4 + 0.05 * i, 2) for i in range(int(12 / 0.05) + 1)]


def load(name: str) -> list[tuple[dict[str, float | None], bool, int]]:
    """(features, is fake, fold) for every calibration row of one set."""
    files, label = SETS[name]
    rows = []
    for record, columns, fake in load_rows(tuple(map(str, files)), {}, label, "calibration", COLUMNS,
                                           ("followers",)):
        digest = hashlib.sha256(json.dumps(record.row, sort_keys=True, default=str).encode()).digest()
        rows.append((feature_values(features_of(record, columns)), bool(fake), digest[0] % FOLDS))
    return rows


def solve(a: list[list[float]], b: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting (the systems here are 9 x 9)."""
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[pivot] = m[pivot], m[col]
        for r in range(col + 1, n):
            f = m[r][col] / m[col][col]
            for c in range(col, n + 1):
                m[r][c] -= f * m[col][c]
    x = [0.0] * n
    for r in range(n - 1, -1, -1):
        x[r] = (m[r][n] - sum(m[r][c] * x[c] for c in range(r + 1, n))) / m[r][r]
    return x


def fit(data: dict[str, list]) -> dict[str, float]:
    """Fit on {set name: rows}; returns AccountScorecard fields (weights, centres, intercept)."""
    pooled = [f for rows in data.values() for f, _, _ in rows]
    centre, scale = {}, {}
    for name in FEATURES:
        values = [f[name] for f in pooled if f[name] is not None]
        mean = sum(values) / len(values)
        centre[name] = mean
        scale[name] = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values)) or 1.0
    sets = list(data)
    xs, ys = [], []
    for i, name in enumerate(sets):
        for f, fake, _ in data[name]:
            z = [0.0 if f[k] is None else (f[k] - centre[k]) / scale[k] for k in FEATURES]
            xs.append([1.0 if j == i else 0.0 for j in range(len(sets))] + z)
            ys.append(1.0 if fake else 0.0)
    p = len(xs[0])
    penal = [0.0] * len(sets) + [LAMBDA] * len(FEATURES)
    beta = [0.0] * p
    for _ in range(50):
        grad = [-penal[j] * beta[j] for j in range(p)]
        hess = [[0.0] * p for _ in range(p)]
        for j in range(p):
            hess[j][j] = penal[j]
        for x, y in zip(xs, ys):
            eta = sum(b * v for b, v in zip(beta, x))
            mu = 1 / (1 + math.exp(-eta))
            w = mu * (1 - mu)
            for j in range(p):
                grad[j] += (y - mu) * x[j]
                wx = w * x[j]
                if wx:
                    for k in range(p):
                        hess[j][k] += wx * x[k]
        step = solve(hess, grad)
        beta = [b + s for b, s in zip(beta, step)]
        if max(abs(s) for s in step) < 1e-10:
            break
    out = {f"intercept_{name}": beta[i] for i, name in enumerate(sets)}
    for j, name in enumerate(FEATURES):
        out[f"{name}_weight"] = beta[len(sets) + j] / scale[name]
        out[f"{name}_centre"] = centre[name]
    out["intercept"] = out["intercept_instafake"]
    return out


def score(model: dict[str, float], f: dict[str, float | None]) -> float:
    return model["intercept"] + sum(model[f"{k}_weight"] * (f[k] - model[f"{k}_centre"])
                                    for k in FEATURES if f[k] is not None)


def cross_validate(data: dict[str, list]) -> dict[str, list[tuple[float, bool]]]:
    """Out-of-fold (score, is fake) of every calibration row, each scored by a model that never saw it."""
    oof: dict[str, list[tuple[float, bool]]] = {name: [] for name in data}
    for k in range(FOLDS):
        model = fit({name: [r for r in rows if r[2] != k] for name, rows in data.items()})
        for name, rows in data.items():
            oof[name] += [(score(model, f), fake) for f, fake, fold in rows if fold == k]
    return oof


def card(scored: list[tuple[float, bool]], cut: float) -> Scorecard:
    return Scorecard.of((s >= cut, fake) for s, fake in scored)


def choose_threshold(scored: list[tuple[float, bool]]) -> float:
    ok = {}
    for cut in GRID:
        c = card(scored, cut)
        if c.tp + c.fp >= MIN_FLAGGED:
            ok[cut] = c.precision >= MIN_PRECISION
    good = [cut for cut in ok if all(ok[higher] for higher in ok if higher >= cut)]
    if not good:
        sys.exit(f"no cut-off reaches CV precision {MIN_PRECISION}")
    return min(good)


def line(name: str, c: Scorecard) -> str:
    d = c.as_dict()
    return (f"  {name}: n {c.n}, base rate {d['base_rate']:.1%}, precision {d['precision']:.1%}, "
            f"recall {d['recall']:.1%}, precision at 10% {d['precision_at_0.1_base_rate']:.1%}; "
            f"tp {c.tp} fp {c.fp} fn {c.fn} tn {c.tn}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the fitted defaults as JSON only")
    args = parser.parse_args()
    data = {name: load(name) for name in SETS}
    oof = cross_validate(data)
    threshold = choose_threshold(oof["instafake"])
    model = fit(data)
    defaults = {k: round(v, 4) for k, v in model.items() if k in AccountScorecard.model_fields}
    defaults["threshold"] = threshold
    if args.json:
        print(json.dumps(defaults, indent=2))
        return
    print("calibration rows: " + ", ".join(f"{n} {len(r)}" for n, r in data.items()))
    print(f"fitted on all calibration rows (lambda {LAMBDA}); intercepts: "
          + ", ".join(f"{n} {model[f'intercept_{n}']:.4f}" for n in data))
    for k, v in defaults.items():
        print(f"  {k} = {v}")
    print(f"\n{FOLDS}-fold CV, out-of-fold scores; cut-off {threshold} (lowest with precision >= "
          f"{MIN_PRECISION} on InstaFake calibration, here and at every higher cut-off flagging >= {MIN_FLAGGED}):")
    for name in data:
        print(line(f"{name} calibration (CV)", card(oof[name], threshold)))
    print("\nCV precision / recall on InstaFake calibration around the cut-off:")
    for cut in GRID:
        if abs(cut - threshold) <= 0.5 + 1e-9:
            c = card(oof["instafake"], cut)
            print(f"  {cut:+.2f}: precision {c.precision:.3f} recall {c.recall:.3f} flagged {c.tp + c.fp}")
    final = AccountScorecard(**defaults).model_dump()
    print("\nin-sample (the final model on the calibration rows, as the CLI scores them):")
    for name in data:
        scored = [(score(final, f), fake) for f, fake, _ in data[name]]
        print(line(f"{name} calibration", card(scored, threshold)))


if __name__ == "__main__":
    main()
