"""Classifying distinct comment texts: microseconds per text, against one regex scan of the same
texts (the one-line baseline, BASELINE in microscout/heuristics/comments.py) in the same run.

Texts: the CONTENT column of every CSV given (the UCI and YSE YouTube spam files; ScamSpot's
Instagram file names it msg), and the sandbox's thoughtful comments (as benchmarks/spam_word_model.py draws them), each distinct text
once; the classifier's cache is cleared before every round, so each text is classified anew.
Rounds alternate the two sides; the medians are printed.

    PYTHONPATH=. python benchmarks/classify_comments.py ../shared/data/youtube-spam/*.csv --rounds 5
"""
from __future__ import annotations

import argparse
import csv
import io
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from spam_word_model import sandbox_genuine  # noqa: E402

from microscout.heuristics import comments  # noqa: E402


def texts_of(paths: list[Path]) -> list[str]:
    out: list[str] = []
    for path in paths:
        text = path.read_text(encoding="utf-8-sig").lstrip("\ufeff\r\n ")
        rows = list(csv.DictReader(io.StringIO(text)))
        column = "CONTENT" if not rows or "CONTENT" in rows[0] else "msg"
        out += [row[column] for row in rows]
    return list(dict.fromkeys(out + sandbox_genuine()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    texts = texts_of(args.files)
    comments.default_detector()  # built once, as in a crawl
    sides: dict[str, list[float]] = {"classify_comment": [], "one regex scan (baseline)": []}
    for _ in range(args.rounds):
        comments._classify.cache_clear()
        start = time.process_time()
        for text in texts:
            comments.classify_comment(text)
        sides["classify_comment"].append(time.process_time() - start)
        start = time.process_time()
        for text in texts:
            comments.baseline_is_spam(text)
        sides["one regex scan (baseline)"].append(time.process_time() - start)
    floor = statistics.median(sides["one regex scan (baseline)"])
    print(f"{len(texts):,} distinct texts ({len(args.files)} files and the sandbox's genuine comments), "
          f"median of {args.rounds} rounds, CPU time")
    for name, times in sides.items():
        cpu = statistics.median(times)
        print(f"{name:<27} {cpu * 1e6 / len(texts):7.1f} µs a text  {cpu / floor:5.1f}x the scan")
    return 0


if __name__ == "__main__":
    sys.exit(main())
