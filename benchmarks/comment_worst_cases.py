"""Each comment family's search time on long made-up comments built to make a regex backtrack.

Comments reach 2,200 characters on Instagram and 10,000 on YouTube, and anyone can post one: a
family that is quadratic on some input lets one comment stall an ingest. Each input is a
5,000-character run of a short unit (digits and separators, sums, handles, a family's own
words), with a head or tail that makes a family's other parts present; every family (or only
those tuned on one data set) is timed on every input, best of three, and the slowest are
printed with their input. Linear families stay in single milliseconds here.

    PYTHONPATH=. python benchmarks/comment_worst_cases.py                      # every family
    PYTHONPATH=. python benchmarks/comment_worst_cases.py --tuned-on ScamSpot-Instagram --top 5
"""
from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from microscout.heuristics import comments  # noqa: E402

N = 5000
UNITS = ["1, ", "1. ", "1 . ", "1 ", "$1 ", "$1, ", "1 k ", "1btc ", "a.", "a-", "a ", ".", "@", "#a_", "@a_fx ",
         "@money_x ", "invested ", "invested $1 ", "invested $1 got ", "with just ", "received $1 ", "got my ",
         "first 1 ", "giving first 1 ", "paying first 1 people ", "honesty is ", "dm me ", "inbox ", "help ",
         "made $1 from ", "from $1 to ", "earn $1 in ", "my ", "www.", "a.com ", "a dot ", "\u1d00", "\U0001d41a"]
ENDS = [("", ""), ("@money_x ", ""), ("", " after investing"), ("", " after investing $1"), ("legit ", ""),
        ("", " payout"), ("", " in 3 days"), ("", " first 1 people"), ("", "usd"), ("", "@a_fx")]


def inputs() -> list[str]:
    out = []
    for unit, (head, tail) in itertools.product(UNITS, ENDS):
        body = unit * ((N - len(head) - len(tail)) // len(unit) + 1)
        out.append((head + body)[: N - len(tail)] + tail)
    for a, b in itertools.product(["$1 ", "1 ", "@a_fx ", "invested ", "got ", "a ", "first ", "1, "], repeat=2):
        out.append(((a + b) * N)[:N])
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tuned-on", default=None, help="only the families tuned on this data set")
    parser.add_argument("--top", type=int, default=10)
    args = parser.parse_args()
    texts = [comments.clean(t) for t in inputs()]
    families = [p for p in comments.PHRASES if args.tuned_on is None or p.tuned_on == args.tuned_on]
    timings = []
    for phrase in families:
        phrase.fire("")  # compiled before it is timed
        worst, worst_text = 0.0, ""
        for text in texts:
            best = min(_timed(phrase, text) for _ in range(3))
            if best > worst:
                worst, worst_text = best, text
        timings.append((worst, phrase.says, worst_text))
    print(f"{len(families)} families, {len(texts)} inputs of {N:,} characters; slowest first (best of 3)")
    for worst, says, text in sorted(timings, reverse=True)[: args.top]:
        print(f"{worst * 1000:8.2f} ms  {says[:70]:<70}  input starts {text[:24]!r}")
    return 0


def _timed(phrase: comments.Phrase, text: str) -> float:
    start = time.perf_counter()
    phrase.fire(text)
    return time.perf_counter() - start


if __name__ == "__main__":
    sys.exit(main())
