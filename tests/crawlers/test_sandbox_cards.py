"""Bluesky link cards through the sandbox: a paid post whose affiliate link is in its card alone
(app.bsky.embed.external, the words saying nothing of it) is stored with that link in its text and
links, as parse_bluesky stores a card's link, and the disclosure rule quotes it."""
from __future__ import annotations

import json

from microscout.sandbox import IDENTIFIER, PASSWORD, SandboxServer, ids
from microscout.sandbox.bluesky_wire import words
from microscout.sandbox.score import format_report, score
from microscout.sandbox.text import plain
from microscout.sandbox.truth import SECOND_DAY, labels
from microscout.store import open_store
from tests.crawlers.conftest import crawl_env, rows, run_crawl, run_microscout, write_config

CAMPAIGN = """
[campaigns.cards]
platforms = ["bluesky"]
hashtags = ["vegan"]
target_tier = ["micro"]
"""


def test_an_affiliate_link_only_in_its_card_is_stored_and_judged(tmp_path):
    env = crawl_env(MICROSCOUT_BSKY_HANDLE=IDENTIFIER, MICROSCOUT_BSKY_APP_PASSWORD=PASSWORD)
    with SandboxServer(size=60, seed=7, lifetime=300) as sb:
        sb.advance(SECOND_DAY)  # the day the truth is told for
        # the population's truth: an undisclosed ad whose link its author left in the card alone
        p, (card, *_) = next((p, truth["card_only_links"]) for p in sb.pop if p.platform == "bluesky"
                             for truth in [labels(sb.pop, p)] if truth["card_only_links"])
        link = card["link"]
        post = next(x for x in sb.pop.visible_posts(p.i, sb.day) if x.card and x.card.uri == link and x.card.only)
        assert link not in plain(words(post)) and "👇" in plain(words(post)) and link in plain(post.segments)
        config = write_config(tmp_path, sb.url, extra=CAMPAIGN)
        crawled = run_crawl(config, "bluesky", "--handle", p.handle, "--posts", "30", "--replies", "0",
                            "--followers", "0", "--no-prefilter", env=env, timeout=120)
        assert crawled.returncode == 0, crawled.stdout + crawled.stderr[-3000:]
        in_words = [x for x in sb.pop.visible_posts(p.i, sb.day)[:30] if x.card and not x.card.only]
    db = tmp_path / "scout.db"
    (row,) = rows(db, "SELECT text, links FROM posts WHERE platform_id = ?", [card["post"]])
    said, _, hidden = row["text"].rpartition("\n\n")
    assert hidden == link and link not in said  # after the words, on a line of its own
    assert link in json.loads(row["links"])
    # a card whose link the words hold too: the link stored once, where the words have it
    assert in_words
    for x in in_words:
        (r,) = rows(db, "SELECT text, links FROM posts WHERE platform_id LIKE ?", [f"%/{ids.tid(x.id)}"])
        assert r["text"].count(x.card.uri) == 1 and "\n\n" not in r["text"] and x.card.uri in json.loads(r["links"])

    shortlist = run_microscout("shortlist", "cards", "--json", "--config", str(config), cwd=tmp_path, env=env)
    assert shortlist.returncode == 0, shortlist.stderr[-3000:]
    (verdict,) = rows(db, "SELECT v.outcome, v.evidence FROM verdicts v JOIN profiles p ON p.id = v.profile_id "
                          "WHERE v.rule = 'disclosure' AND p.platform_id = ?", [p.did])
    assert verdict["outcome"] == "fail", verdict
    # the accusation quotes the card's link, for that very post
    (judged,) = [x for x in json.loads(verdict["evidence"])["sponsored_posts"] if x["id"] == card["post"]]
    assert judged["disclosure"] == "missing" and ["affiliate_link", link] in judged["signals"], judged
    # and the sandbox's score says so
    store = open_store(str(db))
    try:
        report = score(store, "cards", 60, 7)
    finally:
        store.close()
    cards = report.card_links
    assert cards.creators == cards.caught == 1 and cards.quoted == cards.links >= 1
    assert f"@{p.handle}: undisclosed ad: affiliate link \"{link}\"" in format_report(report)
