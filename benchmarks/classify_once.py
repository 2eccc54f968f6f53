"""Classify every distinct comment of some labelled files once, for counting instructions.

Run it under valgrind's cachegrind twice, with ``run`` and with ``load`` (the texts read and the
detector built, nothing classified), and subtract: what is left is classifying the texts, the
figure BENCHMARKS.md compares code with (wall time on a shared machine swings more than most
changes). Texts: the CONTENT or msg column of each CSV, each distinct text once. ``run`` includes
compiling every family's pattern on first use; ``steady`` minus ``warm`` is the steady state: every
text classified once (compiling everything), then once more, past the cache.

    PYTHONHASHSEED=0 valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \\
        python benchmarks/classify_once.py run ../shared/data/youtube-spam/*.csv ...
"""
from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from microscout.heuristics.comments import classify_comment  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("run", "load", "warm", "steady"))
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args()
    texts: dict[str, None] = {}
    for path in args.files:
        with path.open(encoding="utf-8", errors="replace", newline="") as handle:
            for row in csv.DictReader(handle):
                texts[row.get("CONTENT") or row.get("msg") or ""] = None
    classify_comment("warm up")  # the detector is built on first use, in every mode
    if args.mode == "run":
        for text in texts:
            classify_comment(text)
    elif args.mode in ("warm", "steady"):
        from microscout.heuristics import comments

        uncached, detector = comments._classify.__wrapped__, comments.default_detector()
        t = comments.CommentThresholds()
        for _ in range(1 if args.mode == "warm" else 2):
            for text in texts:
                uncached(text, t.short_words, t.praise_words, detector)
    print(f"{len(texts)} distinct texts", file=sys.stderr)


if __name__ == "__main__":
    main()
