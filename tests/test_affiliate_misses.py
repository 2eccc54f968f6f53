"""benchmarks/affiliate_misses.py sorts the undisclosed ads the verdict misses on
affiliate-youtube into reasons (docs/HEURISTICS.md): each reason at its boundary, and the
documented counts on the set itself."""
from __future__ import annotations

import csv
import importlib.util
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SPEC = importlib.util.spec_from_file_location("affiliate_misses", REPO / "benchmarks" / "affiliate_misses.py")
assert SPEC is not None and SPEC.loader is not None
misses = importlib.util.module_from_spec(SPEC)
sys.modules["affiliate_misses"] = misses
SPEC.loader.exec_module(misses)

AFFILIATE = REPO.parent / "shared" / "data" / "affiliate-youtube" / "affiliate_videos.csv"
NOT_SPONSORED = {"disclosure": "not_needed", "sponsored": False}


@pytest.mark.parametrize("post, text, expected", [
    ({"disclosure": "weak", "sponsored": True}, "thanks @brand http://amzn.to/x", "label read"),
    ({"disclosure": "late", "sponsored": True}, "… affiliate links below", "label read"),
    ({"disclosure": "not_needed", "sponsored": True}, "DM to order http://shop.example/x", "selling only"),
    (NOT_SPONSORED, "My summer vlog, thanks for watching!", "no link"),
    (NOT_SPONSORED, "Fan video\nCreated using Video Star: http://VideoStarApp.com/FREE", "app link"),
    # The app's other links count as the app's; one link of the creator's own does not.
    (NOT_SPONSORED, "Get Song: http://VideoStarApp.com/Song\nCreated using Video Star: http://VideoStarApp.com/FREE",
     "app link"),
    (NOT_SPONSORED, "Created using Video Star: http://VideoStarApp.com/FREE\nMy site: http://mysite.example/",
     "other link"),
    # "Created using" inside a sentence is no app's line.
    (NOT_SPONSORED, "I created using my phone this clip http://mysite.example/a", "other link"),
    (NOT_SPONSORED, "Follow me https://twitter.com/me and https://instagram.com/me", "social only"),
    (NOT_SPONSORED, "More info: https://goo.gl/abc https://twitter.com/me", "bare shortener"),
    (NOT_SPONSORED, "Book it now! Save up to 20% - http://hotelsale.club/x", "other link"),
])
def test_each_miss_gets_one_reason(post, text, expected):
    assert misses.reason(post, text, misses.SponsoredSettings()) == expected


def test_documented_counts_on_affiliate_youtube():
    if not AFFILIATE.is_file():
        pytest.skip(f"{AFFILIATE} not found: the labeled data lives in ../shared/data beside the repo")
    with AFFILIATE.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    posts = misses.checked_posts(AFFILIATE)
    total, accused, by_reason = misses.misses_by_reason(posts, rows)
    assert (total, accused) == (2014, 1094)
    assert {why: len(texts) for why, texts in by_reason.items()} == {
        "label read": 67, "selling only": 46, "no link": 265, "app link": 175, "social only": 16,
        "bare shortener": 186, "other link": 165}
    assert misses.with_creator_links(posts, rows) == (1545, 1082)
