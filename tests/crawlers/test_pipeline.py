"""The pipeline's batch writes on a real SQLite file (no crawl needed)."""
from __future__ import annotations

import json
from types import SimpleNamespace

from scrapy.settings import Settings

from microscout.crawlers.items import FetchedItem, ItemBatch, OptOutItem, PostItem, ProfileItem
from microscout.crawlers.pipelines import SQLitePipeline
from microscout.store import open_store
from tests.crawlers.conftest import rows


class Stats(dict):
    def inc_value(self, key, count=1):
        self[key] = self.get(key, 0) + count


def pipeline(db, run_id=1, observed="2026-10-01T00:00:00+00:00"):
    settings = Settings({"MICROSCOUT_DB": str(db), "MICROSCOUT_RUN_ID": run_id, "MICROSCOUT_OBSERVED_AT": observed,
                         "MICROSCOUT_BATCH_SIZE": 3})
    p = SQLitePipeline(SimpleNamespace(settings=settings, stats=Stats()))
    p.open_spider()
    return p


def test_profile_before_posts_and_an_opt_out_erases_what_was_kept(tmp_path):
    db = tmp_path / "s.db"
    p = pipeline(db)
    profile = ProfileItem(platform="mastodon", platform_id="a@x", handle="a@x", followers=10, bio="hi")
    posts = [PostItem(platform="mastodon", platform_id=str(i), profile_platform_id="a@x",
                      created_at="2026-10-01T00:00:00Z", hashtags=["t"]) for i in range(5)]
    for item in (profile, ItemBatch.of(posts),
                 FetchedItem(platform="mastodon", platform_id="a@x", fetched=["profile", "posts"])):
        p.process_item(item)
    p.close_spider()
    (row,) = rows(db, "SELECT * FROM profiles")
    assert json.loads(row["fetched"]) == ["profile", "posts"] and row["crawl_run_id"] == 1
    assert len(rows(db, "SELECT * FROM posts WHERE profile_id = ?", [row["id"]])) == 5
    assert len(rows(db, "SELECT * FROM profile_snapshots")) == 1
    # judged before the opt-out: verdicts and an entry that quote its numbers and handle
    from microscout.config import parse_config
    from microscout.engine.plugins import collect_rules, make_plugin_manager
    from microscout.engine.shortlist import run_shortlist

    store = open_store(db)
    config = parse_config({"plugins_dir": "none", "campaigns": {"c": {"platforms": ["mastodon"]}}})
    run_shortlist(store, config, collect_rules(make_plugin_manager(None, entry_points=False)), "c")
    assert any("10 followers" in r["reason"] for r in rows(db, "SELECT reason FROM verdicts"))
    store.conn.close()

    later = pipeline(db, run_id=2, observed="2026-10-08T00:00:00+00:00")
    later.process_item(OptOutItem(platform="mastodon", platform_id="a@x", opt_out_reason="noindex"))
    later.close_spider()
    (row,) = rows(db, "SELECT * FROM profiles")
    assert (row["handle"], row["opted_out"], row["opt_out_reason"], row["bio"], row["followers"]) == (
        "", 1, "noindex", None, None)
    for table in ("posts", "comments", "follower_samples", "profile_snapshots"):
        assert rows(db, f"SELECT * FROM {table}") == []
    # nor what a shortlist said of the account (a review found its numbers and quoted posts kept)
    verdicts = rows(db, "SELECT reason, evidence FROM verdicts")
    assert verdicts and all(v == {"reason": "opted out", "evidence": None} for v in verdicts), verdicts
    (entry,) = rows(db, "SELECT handle, followers, engagement_rate, reasons FROM shortlist_entries")
    assert entry == {"handle": "", "followers": None, "engagement_rate": None, "reasons": None}


def test_first_seen_is_never_after_last_seen(tmp_path):
    """Issue #8: first_seen was the moment of writing and last_seen the crawl's start, so
    every profile had first_seen > last_seen. Both are now when it was observed; first_seen
    only moves back and last_seen forward, even when an older (resumed) run writes last;
    and a row written the old way is repaired by the next crawl."""
    db = tmp_path / "s.db"
    a = ProfileItem(platform="bluesky", platform_id="did:plc:a", handle="a.test")
    b = ProfileItem(platform="bluesky", platform_id="did:plc:b", handle="b.test")
    p = pipeline(db, run_id=1, observed="2026-10-08T00:00:00+00:00")
    p.process_item(a)
    p.close_spider()
    (row,) = rows(db, "SELECT first_seen, last_seen FROM profiles")
    assert row == {"first_seen": "2026-10-08T00:00:00+00:00", "last_seen": "2026-10-08T00:00:00+00:00"}

    older = pipeline(db, run_id=2, observed="2026-10-01T00:00:00+00:00")  # resumed, started earlier
    older.process_item(a)
    older.close_spider()
    (row,) = rows(db, "SELECT first_seen, last_seen FROM profiles")
    assert row == {"first_seen": "2026-10-01T00:00:00+00:00", "last_seen": "2026-10-08T00:00:00+00:00"}

    store = open_store(db)
    with store.conn:  # as the old code wrote it: first_seen a few seconds after last_seen
        store.conn.execute("INSERT INTO profiles (platform, platform_id, handle, first_seen, last_seen) VALUES "
                           "('bluesky', 'did:plc:b', 'b.test', '2026-10-02T00:00:09+00:00', '2026-10-02T00:00:00+00:00')")
    store.conn.close()
    later = pipeline(db, run_id=3, observed="2026-10-15T00:00:00+00:00")
    later.process_item(ItemBatch.of([a, b]))
    later.close_spider()
    seen = {r["platform_id"]: (r["first_seen"], r["last_seen"]) for r in rows(db, "SELECT * FROM profiles")}
    assert seen == {"did:plc:a": ("2026-10-01T00:00:00+00:00", "2026-10-15T00:00:00+00:00"),
                    "did:plc:b": ("2026-10-02T00:00:00+00:00", "2026-10-15T00:00:00+00:00")}
    assert rows(db, "SELECT count(*) AS n FROM profiles WHERE first_seen > last_seen")[0]["n"] == 0


def test_last_post_at_comes_from_the_posts_when_the_platform_gives_none(tmp_path):
    db = tmp_path / "s.db"

    def post(pid, n, when):
        return PostItem(platform=pid[0], platform_id=f"{pid[1]}/{n}", profile_platform_id=pid[1], created_at=when)

    bsky, masto = ("bluesky", "did:plc:a"), ("mastodon", "m@x")
    p = pipeline(db)
    p.process_item(ItemBatch.of([
        ProfileItem(platform="bluesky", platform_id="did:plc:a", handle="a.test"),
        ProfileItem(platform="mastodon", platform_id="m@x", handle="m@x", last_post_at="2026-09-30")]))
    p.process_item(ItemBatch.of([
        post(bsky, 1, "2026-09-20T10:00:00.000Z"), post(bsky, 2, "2026-09-28T08:30:00.000Z"),
        post(bsky, 3, "2099-01-01T00:00:00Z"),  # a wrong clock: not the last post
        post(masto, 1, "2026-10-01T00:00:00Z")]))
    p.close_spider()
    last = {r["platform_id"]: r["last_post_at"] for r in rows(db, "SELECT * FROM profiles")}
    # the platform's own value is kept (Mastodon's last_status_at); Bluesky's is the newest post
    assert last == {"did:plc:a": "2026-09-28T08:30:00.000Z", "m@x": "2026-09-30"}

    # a re-crawl that fetches no posts keeps what the posts said; a newer post moves it on
    again = pipeline(db, run_id=2, observed="2026-10-08T00:00:00+00:00")
    again.process_item(ProfileItem(platform="bluesky", platform_id="did:plc:a", handle="a.test"))
    again.close_spider()
    assert rows(db, "SELECT last_post_at FROM profiles WHERE platform = 'bluesky'")[0]["last_post_at"] == \
        "2026-09-28T08:30:00.000Z"
    third = pipeline(db, run_id=3, observed="2026-10-15T00:00:00+00:00")
    third.process_item(ProfileItem(platform="bluesky", platform_id="did:plc:a", handle="a.test"))
    third.process_item(ItemBatch.of([post(bsky, 4, "2026-10-14T00:00:00.000Z")]))
    third.close_spider()
    assert rows(db, "SELECT last_post_at FROM profiles WHERE platform = 'bluesky'")[0]["last_post_at"] == \
        "2026-10-14T00:00:00.000Z"


def test_a_batch_the_database_refuses_is_tried_again_then_counted_never_dropped_quietly(tmp_path, monkeypatch):
    """A locked database (or any write error) rolls the batch back; it is written at a later
    flush; a batch refused every time is counted (the run then ends incomplete)."""
    import sqlite3

    db = tmp_path / "s.db"
    p = pipeline(db)
    real = SQLitePipeline._write
    refusals = iter([True, False])  # the first write fails, the next succeeds

    def flaky(self, batch):
        if next(refusals, False):
            raise sqlite3.OperationalError("database is locked")
        return real(self, batch)

    monkeypatch.setattr(SQLitePipeline, "_write", flaky)
    p.process_item(ProfileItem(platform="mastodon", platform_id="a@x", handle="a@x"))
    p.flush()
    assert rows(db, "SELECT * FROM profiles") == [] and len(p.buffer) == 1  # kept for the next flush
    p.close_spider()
    assert [r["platform_id"] for r in rows(db, "SELECT * FROM profiles")] == ["a@x"]
    assert p.stats["microscout/errors/store"] == 1 and "microscout/unstored_items" not in p.stats

    q = pipeline(db)
    monkeypatch.setattr(SQLitePipeline, "_write", lambda self, batch: (_ for _ in ()).throw(
        sqlite3.OperationalError("disk I/O error")))
    monkeypatch.setattr("microscout.crawlers.pipelines.time.sleep", lambda s: None)
    q.process_item(ProfileItem(platform="mastodon", platform_id="b@x", handle="b@x"))
    q.close_spider()
    assert q.stats["microscout/unstored_items"] == 1 and q.stats["microscout/errors/store"] == SQLitePipeline.STORE_TRIES


def test_gone_is_marked_by_id_only_where_not_found_is_proof_and_cleared_by_any_crawl(tmp_path):
    # A review: a renamed Bluesky account was marked gone when its old handle did not resolve
    # and stayed gone after a hashtag crawl stored it again; Instagram says "not found" for a
    # private or personal account too.
    from microscout.store.writes import mark_gone

    db = tmp_path / "s.db"
    p = pipeline(db)
    for platform, pid, handle in [("bluesky", "did:plc:maya", "maya.bsky.test"), ("instagram", "1784", "ana"),
                                  ("tiktok", "bo", "bo"), ("mastodon", "oak@x.example", "oak@x.example")]:
        p.process_item(ProfileItem(platform=platform, platform_id=pid, handle=handle, followers=10))
    p.close_spider()
    store = open_store(db)
    at = "2026-10-08T00:00:00+00:00"
    with store.conn:
        assert mark_gone(store, "bluesky", {"maya-old.bsky.test": "not_found"}, at) == []  # a handle: a rename?
        assert mark_gone(store, "instagram", {"ana": "not_found", "1784": "not_found"}, at) == []
        assert mark_gone(store, "tiktok", {"bo": "not_found"}, at) == []
        assert mark_gone(store, "bluesky", {"did:plc:maya": "not_found"}, at) == ["maya.bsky.test"]
        assert mark_gone(store, "mastodon", {"oak@x.example": "not_found"}, at) == ["oak@x.example"]
        assert mark_gone(store, "mastodon", {"oak@x.example": "not_found"}, at) == []  # already gone
    store.conn.close()
    assert {r["platform_id"] for r in rows(db, "SELECT platform_id FROM profiles WHERE gone_since IS NOT NULL")} == {
        "did:plc:maya", "oak@x.example"}
    again = pipeline(db, run_id=2, observed="2026-10-09T00:00:00+00:00")  # a hashtag crawl finds her, renamed
    again.process_item(ProfileItem(platform="bluesky", platform_id="did:plc:maya", handle="maya-new.bsky.test"))
    again.close_spider()
    assert rows(db, "SELECT gone_since FROM profiles WHERE platform_id = 'did:plc:maya'") == [{"gone_since": None}]


def _creator_beside(db, other, replies: list[tuple[str, str]]) -> None:
    """A stored creator c@x beside ``other`` (a profile or opt-out item), and these (reply id,
    author) replies under c@x's post, written straight into the store (as older code left them)."""
    first = pipeline(db)
    first.process_item(ProfileItem(platform="mastodon", platform_id="c@x", handle="c@x", followers=10))
    first.process_item(other)
    first.close_spider()
    store = open_store(db)
    (creator,) = [r[0] for r in store.execute("SELECT id FROM profiles WHERE platform_id = 'c@x'")]
    with store.conn:
        store.conn.executemany("INSERT INTO comments (platform, platform_id, profile_id, post_platform_id, "
                               "author_id, text) VALUES ('mastodon', ?, ?, 'p1', ?, 'nice')",
                               [(cid, creator, author) for cid, author in replies])
    store.conn.close()


def test_an_account_seen_again_as_opted_out_does_not_read_every_stored_reply(tmp_path):
    # A review: every batch holding an opted-out account (one a crawl meets again and again in
    # hashtag timelines) searched the replies of every creator for that account's, a scan of
    # the whole comments table (no index on author_id): ~1 s a batch at 1.6 M replies, against
    # ~2 ms before. An account already stored as opted out has left none (its replies are
    # refused as they are written, and erased when its opt-out was learnt, or by m021).
    db = tmp_path / "s.db"
    _creator_beside(db, OptOutItem(platform="mastodon", platform_id="gone@x", opt_out_reason="noindex"),
                    [(str(i), f"fan{i % 500}@x") for i in range(40000)])
    later = pipeline(db, run_id=2, observed="2026-10-08T00:00:00+00:00")
    steps = []
    later.store.conn.set_progress_handler(lambda: steps.append(1) and 0, 1000)
    later.process_item(OptOutItem(platform="mastodon", platform_id="gone@x", opt_out_reason="noindex"))
    later.flush(final=True)
    later.store.conn.set_progress_handler(None, 0)
    later.close_spider()
    assert len(steps) < 100, f"{len(steps)} thousand SQLite steps to store one known opt-out"
    assert rows(db, "SELECT count(*) n FROM comments") == [{"n": 40000}]


def test_an_opt_out_learnt_now_erases_its_replies_under_other_creators_posts(tmp_path):
    db = tmp_path / "s.db"
    _creator_beside(db, ProfileItem(platform="mastodon", platform_id="fan@x", handle="fan@x", followers=3),
                    [("9", "fan@x")])
    later = pipeline(db, run_id=2, observed="2026-10-08T00:00:00+00:00")
    later.process_item(OptOutItem(platform="mastodon", platform_id="fan@x", opt_out_reason="noindex"))
    later.close_spider()
    assert rows(db, "SELECT count(*) n FROM comments") == [{"n": 0}]


def test_a_store_of_older_code_loses_the_replies_of_accounts_already_opted_out(tmp_path):
    # m021: the traces an account stored as opted out left before this code are erased once
    # (a crawl meeting it again no longer looks for them).
    db = tmp_path / "s.db"
    _creator_beside(db, OptOutItem(platform="mastodon", platform_id="gone@x", opt_out_reason="noindex"),
                    [("1", "gone@x"), ("2", "fan@x")])
    store = open_store(db)
    with store.conn:
        store.conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm021_accounts_in_others_rows'")
    store.conn.close()
    open_store(db).conn.close()
    assert rows(db, "SELECT author_id FROM comments") == [{"author_id": "fan@x"}]


def test_the_website_a_platform_gives_is_stored_and_an_opt_out_erases_it(tmp_path):
    db = tmp_path / "s.db"
    p = pipeline(db)
    p.process_item(ProfileItem(platform="instagram", platform_id="1784", handle="cook",
                               website="https://cook.example/"))
    p.process_item(ProfileItem(platform="instagram", platform_id="1785", handle="hack",
                               website="javascript:alert(1)"))  # no contact: not stored
    p.close_spider()
    assert {r["handle"]: r["website"] for r in rows(db, "SELECT handle, website FROM profiles")} == {
        "cook": "https://cook.example/", "hack": None}

    later = pipeline(db, run_id=2, observed="2026-10-08T00:00:00+00:00")
    later.process_item(OptOutItem(platform="instagram", platform_id="1784", opt_out_reason="asked"))
    later.close_spider()
    (row,) = rows(db, "SELECT handle, website, opt_out_reason FROM profiles WHERE platform_id = '1784'")
    assert row == {"handle": "", "website": None, "opt_out_reason": "asked"}


def test_a_crawl_of_a_platform_that_gives_no_website_keeps_an_imported_one(tmp_path):
    db = tmp_path / "s.db"
    store = open_store(db)
    from microscout.store.writes import upsert_profiles
    with store.conn:
        upsert_profiles(store, [{"platform": "youtube", "platform_id": "UC1", "handle": "cook",
                                 "website": "https://cook.example/"},
                                {"platform": "instagram", "platform_id": "1784", "handle": "gone_site",
                                 "website": "https://old.example/"}])
    store.conn.close()
    p = pipeline(db)
    p.process_item(ProfileItem(platform="youtube", platform_id="UC1", handle="cook", followers=5))
    # Instagram says which website a profile has: none now, so none is stored
    p.process_item(ProfileItem(platform="instagram", platform_id="1784", handle="gone_site", followers=5))
    p.close_spider()
    assert {r["handle"]: r["website"] for r in rows(db, "SELECT handle, website FROM profiles")} == {
        "cook": "https://cook.example/", "gone_site": None}
