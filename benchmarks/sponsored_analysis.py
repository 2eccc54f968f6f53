"""What selling wording (issue #7, microscout/heuristics/sponsored_selling.py) costs each
post's sponsored analysis: analyse_post with the families on, against the same detector
with them off (SponsoredSettings(selling_wording=False)), in the same run, alternating.

Texts: the two caption sets in docs/caption-sets (short captions, 43% promotional), the
synthetic posts of benchmarks/ingest.py (tests/crawlers/ingest_input.py: 20 words, "shop"
in most) and, when ../shared/data is beside the repository, the affiliate-youtube
descriptions (750 characters on average) and the UCI YouTube comments.

    PYTHONPATH=. .venv/bin/python benchmarks/sponsored_analysis.py --rounds 7
"""
from __future__ import annotations

import argparse
import csv
import io
import os
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from microscout.heuristics.sponsored import SponsoredSettings, analyse_post  # noqa: E402
from tests.crawlers.ingest_input import _text  # noqa: E402

DATA = REPO.parent / "shared" / "data"


def corpora() -> dict[str, list[str]]:
    sets = {"captions (docs/caption-sets)": [row["text"] for name in ("set-a", "set-b") for row in
                                             csv.DictReader((REPO / "docs" / "caption-sets" / f"{name}.csv").open())]}
    rng = random.Random(1)
    sets["ingest posts (20 words)"] = [_text(rng, 20) for _ in range(4000)]
    affiliate = DATA / "affiliate-youtube" / "affiliate_videos.csv"
    if affiliate.is_file():
        sets["affiliate-youtube descriptions"] = [row["text"] for row in csv.DictReader(affiliate.open())]
    comments = sorted((DATA / "youtube-spam").glob("*.csv")) if (DATA / "youtube-spam").is_dir() else []
    if comments:
        sets["UCI YouTube comments"] = [row["CONTENT"] for path in comments for row in csv.DictReader(
            io.StringIO(path.read_text(encoding="utf-8-sig").lstrip()))]
    return sets


def cpu_per_post(texts: list[str], settings: SponsoredSettings) -> float:
    start = time.process_time()
    for text in texts:
        analyse_post(text, settings=settings)
    return (time.process_time() - start) / len(texts)


def long_posts() -> dict[str, str]:
    """Posts of thousands of prices (what must follow a price is searched once per post)."""
    gear = "Sony A7 IV body ($2,498), 24-70 GM II ($2,298), Rode mic ($299) – my honest thoughts after a year\n"
    return {"5,000 characters of '$1 '": ("$1 " * 2000)[:5000], "5,000 characters of '5€ '": ("5€ " * 2000)[:5000],
            "a 5,000-character gear list (180 prices)": (gear * 60)[:5000],
            "5,000 characters of ordinary text": ("We went to the beach and had a lovely time. " * 120)[:5000]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=7, help="alternating rounds; the minimum of each is kept")
    args = parser.parse_args()
    on, off = SponsoredSettings(), SponsoredSettings(selling_wording=False)
    print(f"minimum CPU time per post over {args.rounds} alternating rounds; load {os.getloadavg()[0]:.1f}")
    for name, texts in corpora().items():
        analyse_post(texts[0], settings=on)  # compile the regexes outside the timing
        with_selling, without = [], []
        for _ in range(args.rounds):
            without.append(cpu_per_post(texts, off))
            with_selling.append(cpu_per_post(texts, on))
        a, b = min(with_selling), min(without)
        print(f"{name:34s} {len(texts):5d} posts  without selling wording {b * 1e6:7.1f} µs  "
              f"with {a * 1e6:7.1f} µs  {a / b:4.2f}x")
    for name, text in long_posts().items():
        without = min(cpu_per_post([text], off) for _ in range(args.rounds))
        with_selling = min(cpu_per_post([text], on) for _ in range(args.rounds))
        print(f"{name:42s} without {without * 1e3:6.2f} ms  with {with_selling * 1e3:6.2f} ms")


if __name__ == "__main__":
    main()
