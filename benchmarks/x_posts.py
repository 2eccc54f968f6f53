"""The spam families on X posts and replies about crypto (Janitr's holdout; docs/HEURISTICS.md).

An out-of-domain check, not a tuning set: the families judge the comments under a creator's
posts. Reads janitrai/janitr's `data/split_backups/2026-02-14-holdout-expand/holdout.jsonl`
(not in shared/data); leaves out the 5 rows that look synthetic and those labelled only
promotional or affiliate; spam = scam, phishing, recovery_scam, spam or engagement_bait.

    python benchmarks/x_posts.py holdout.jsonl
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from microscout.heuristics.comments import BASELINE, classify_comment  # noqa: E402
from microscout.heuristics.measure import Scorecard  # noqa: E402

SYNTHETIC = {"x_0003", "x_0739", "x_0749", "x_0784", "x_0796"}
SPAM = {"scam", "phishing", "recovery_scam", "spam", "engagement_bait"}
ADS = {"promo", "affiliate"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.file.read_text(encoding="utf-8").splitlines() if line.strip()]
    scored = [(row["text"], bool(set(row["raw_labels"]) & SPAM)) for row in rows
              if row["id"] not in SYNTHETIC and (set(row["raw_labels"]) & SPAM or not set(row["raw_labels"]) & ADS)]
    for name, said in (("the families", lambda t: classify_comment(t).label == "spam"),
                       ("one-line rule", lambda t: bool(BASELINE.search(t)))):
        card = Scorecard.of((said(text), truth) for text, truth in scored)
        d = card.as_dict()
        print(f"{name}: n {card.n}, base rate {d['base_rate']:.1%}, tp {card.tp} fp {card.fp} fn {card.fn} "
              f"tn {card.tn}, precision {d['precision'] or 0:.1%}, recall {d['recall']:.1%}, "
              f"precision at 10% {d['precision_at_0.1_base_rate'] or 0:.1%}")


if __name__ == "__main__":
    main()
