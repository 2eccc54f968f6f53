"""What the spam word model costs a comment's classification: classify_comment with the words
(the default) against the phrase families alone (``words = false``), in the same run.

The texts: every comment of the three UCI files in shared/data (1,138, real and mostly long)
and 12,000 the sandbox writes (every kind, every niche; distinct texts, as a crawl meets them).
Each round classifies all of them both ways, alternating which goes first, with the
classifier's cache emptied before each pass (a distinct text is judged once, so a cache hit
would measure nothing); CPU time (``time.process_time``) per comment, medians of the rounds.

    python benchmarks/comment_words.py --rounds 7
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from microscout.cli.check_comments import COLUMNS
from microscout.cli.records import load_rows
from microscout.heuristics import comments
from microscout.heuristics.comments import CommentThresholds, classify_comment
from microscout.sandbox.comment_text import comment
from microscout.sandbox.draws import Draws
from microscout.sandbox.text import KEYWORDS

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "data" / "youtube-spam"
KINDS = ("thoughtful", "generic", "self_promotion", "scam", "selling")


def texts() -> tuple[list[str], list[str]]:
    real = [str(record.row.get(columns["text"]) or "")
            for path in sorted(DATA.glob("Youtube0*.csv"))
            for record, columns, _ in load_rows((str(path),), {}, None, "all", COLUMNS, ("text",))]
    made = [comment(Draws(f"bench:{kind}:{niche}:{n}"), niche, kind)
            for kind in KINDS for niche in KEYWORDS for n in range(12_000 // (len(KINDS) * len(KEYWORDS)))]
    return real, made


def per_comment(items: list[str], thresholds: CommentThresholds) -> float:
    comments._classify.cache_clear()
    start = time.process_time()
    for text in items:
        classify_comment(text, thresholds)
    return (time.process_time() - start) / len(items)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    real, made = texts()
    if not real:
        print(f"{DATA}: no UCI files; the labelled files live in ../shared/data", file=sys.stderr)
        return 2
    ways = {"families alone": CommentThresholds(words=False), "families and words": CommentThresholds()}
    for name, items in (("UCI comments", real), ("sandbox comments", made)):
        times: dict[str, list[float]] = {way: [] for way in ways}
        for r in range(args.rounds):
            order = list(ways) if r % 2 == 0 else list(reversed(ways))
            for way in order:
                times[way].append(per_comment(items, ways[way]))
        base = statistics.median(times["families alone"])
        with_words = statistics.median(times["families and words"])
        print(f"{name} ({len(items):,}): families alone {base * 1e6:.1f} µs, with the words "
              f"{with_words * 1e6:.1f} µs a comment: {with_words / base:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
