"""The Instagram-style phrase families tried and not adopted (docs/HEURISTICS.md, "Instagram-style
forms: tried, not adopted"), kept here to measure them on a labelled file beside today's families:
today's detector alone, with all five, and with each one.

    PYTHONPATH=. python benchmarks/instagram_style_families.py comments-rated.csv --text-column msg --label-column scam
"""
from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from microscout.heuristics import comments as c  # noqa: E402
from microscout.heuristics.comments import SpamDetector, _p, classify_comment  # noqa: E402

_OWN_PLACES = r"(?:profile|page|bio|feed|posts?|stories|story|reels?|highlights|grid|account|channel)"
NEW = (
    _p("self_promotion", "points to the link in their bio",
       r"\blink (?:is )?in (?:my|our) (?:bio|profile)\b|\b(?:my|our) (?:bio|profile) link\b|^link in bio\b",
       "link"),
    _p("self_promotion", "sends viewers to their posts",
       r"\b(?:look at|check|see|visit|go to|come see|come to|stop by) (?:my|our) (?:[\w-]+ )?"
       r"(?:posts|feed|reels|highlights|grid|podcasts?)\b"
       r"|\bgive it an? (?:listen|look|watch|view|try)\b[^.!?\n]{0,15}? (?:on|in|at) (?:my|our) " + _OWN_PLACES + r"\b",
       "look at|check|see my|see our|visit|go to|come see|come to|stop by|give it a"),
    _p("selling", "offers collaborations, promotion or features by direct message",
       r"\b(?:dm|message|inbox|pm) (?:me|us|our page)\b[^.!?\n]{0,25}?\b(?:collabs?|collaborations?|promos?|"
       r"promotions?|shout ?outs?|paid|rates|prices)\b"
       r"|\b(?:collabs?|promos?|shout ?outs?)\b[^.!\n]{0,20}?\b(?:dm|message|inbox|pm) (?:me|us|our)\b"
       r"|\bdm (?:me |us )?(?:for|to get) (?:details|info|more info|prices?|rates|a collab|collabs?|promos?|promotions?)\b"
       r"|\bwe(?:'d| would)? love to (?:feature|promote) (?:you|your)\b|\bwe pay (?:\w+ )?for (?:features?|posts?|promos?)\b"
       r"|\b(?:want|wanna) to go viral\b|\b(?:we|i) can (?:help you |make you )?go viral\b",
       "dm |message|inbox|pm |collab|promo|shout|love to|we pay|viral"),
    _p("scam", "recruits brand ambassadors (the ambassador scam)",
       r"(?<!\bthey're )(?<!\bthey are )(?<!\bare they )(?<!\bis she )(?<!\bis he )"
       r"\b(?:looking for|seeking|searching for|recruiting|hiring) (?:new )?(?:brand |global )?ambassadors?\b"
       r"|\bbecome our (?:new )?(?:brand )?ambassadors?\b|\bbrand ambassadors? (?:wanted|needed)\b",
       "ambassador"),
    _p("scam", "offers forex or crypto trading to whoever writes",
       r"\b(?:forex|crypto|bitcoin|btc|binary options?)\b[^.!?\n]{0,40}?"
       r"(?<!\bdon't )(?<!\bdo not )(?<!\bnever )\b(?:dm|message|inbox|contact|text|whatsapp|telegram) (?:me|us|him|her)\b"
       r"|(?<!\bdon't )(?<!\bdo not )(?<!\bnever )\b(?:dm|message|inbox|contact|text|whatsapp|telegram) (?:me|us|him|her)\b[^.!?\n]{0,30}?"
       r"\b(?:forex|crypto|bitcoin|btc|trading signals|signals)\b",
       "forex|crypto|bitcoin|btc|binary option|signals"),
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", type=Path)
    parser.add_argument("--text-column", default="msg")
    parser.add_argument("--label-column", default="scam")
    args = parser.parse_args()
    with args.file.open(encoding="utf-8", newline="") as f:
        rows = [(r[args.text_column], r[args.label_column] == "1") for r in csv.DictReader(f)]
    names = ("link in bio", "look at my posts", "DM for collabs", "ambassadors", "forex/crypto message me")
    detectors = {"today": c.default_detector(), "today + all five": SpamDetector.of(c.PHRASES + NEW)}
    detectors |= {f"today + {name}": SpamDetector.of(c.PHRASES + (phrase,)) for name, phrase in zip(names, NEW)}
    print(f"{args.file.name}: {len(rows):,} comments, {sum(y for _, y in rows):,} labelled 1")
    for name, detector in detectors.items():
        pred = [classify_comment(text, detector=detector).label == "spam" for text, _ in rows]
        tp = sum(p and y for p, (_, y) in zip(pred, rows))
        fp = sum(p and not y for p, (_, y) in zip(pred, rows))
        fn = sum(y and not p for p, (_, y) in zip(pred, rows))
        print(f"{name:<32} tp {tp:5} fp {fp:4} fn {fn:5} tn {len(rows) - tp - fp - fn:5}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
