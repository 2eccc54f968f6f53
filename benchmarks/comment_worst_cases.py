"""Each comment family's search time on long made-up comments built to make a regex backtrack.

Comments reach 2,200 characters on Instagram and 10,000 on YouTube, and anyone can post one: a
family that is quadratic on some input lets one comment stall an ingest. Each input is a
5,000-character run of a short unit (digits and separators, sums, handles, a family's own
words), with a head or tail that makes a family's other parts present; every family (or only
those tuned on one data set) is timed on every input, best of three, and the slowest are
printed with their input. Linear families stay in single milliseconds here.

    PYTHONPATH=. python benchmarks/comment_worst_cases.py                      # every family
    PYTHONPATH=. python benchmarks/comment_worst_cases.py --tuned-on ScamSpot-Instagram --top 5
    PYTHONPATH=. python benchmarks/comment_worst_cases.py --warnings

``--warnings`` times the whole classifier instead, on the same runs behind a warning and a pitch
(what the warning check, searched on a spared family's sentence, then reads to its end), and on
runs of the check's own words and quotation marks.
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


# The warning check's own words, and what the heads below make it read (stage 8's review: an
# unclosed “ was scanned to the end from every one of them).
WARNING_UNITS = ["\u201c", "\u201ca ", "\"a ", "\u201ca b c d ", "@a ", "#a_", "real ", "the real @a_b ", "search a b ",
                 "whatsapp 1 ", "link in bio ", "i made $1 ", "and got $1 ", "dm me ", "mrs. ", "a. ", "they say ",
                 "saying \u201c"]
WARNING_HEADS = ["beware earn $500 a day ", "earn $500 a day ", "scam alert buy cheap followers ",
                 "this is a scam. they dm you saying you won $1,000 ", "beware. "]


def warning_inputs() -> list[str]:
    return [(head + unit * (N // len(unit) + 1))[:N]
            for head, unit in itertools.product(WARNING_HEADS, WARNING_UNITS + UNITS)]


def classifier_worst(top: int) -> None:
    texts = warning_inputs()
    comments.classify_comment("beware earn $500 a day “a b c d” dm me")  # compiled before it is timed
    timings = []
    for text in texts:
        best = 1.0
        for _ in range(3):
            comments._classify.cache_clear()
            start = time.perf_counter()
            comments.classify_comment(text)
            best = min(best, time.perf_counter() - start)
        timings.append((best, text))
    print(f"the classifier on {len(texts)} inputs of {N:,} characters; slowest first (best of 3)")
    for best, text in sorted(timings, reverse=True)[:top]:
        print(f"{best * 1000:8.2f} ms  input starts {text[:60]!r}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tuned-on", default=None, help="only the families tuned on this data set")
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--warnings", action="store_true", help="time the whole classifier behind warnings")
    args = parser.parse_args()
    if args.warnings:
        classifier_worst(args.top)
        return 0
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
