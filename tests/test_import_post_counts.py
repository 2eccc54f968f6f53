"""A post's counts are keyed by when they were observed, as a profile's are: an older export of
posts imported after a crawl used to put each post's likes, replies, reposts and views back to
the file's older, lower numbers (and its older caption), so the engagement rules judged stale
figures and nothing said so. Now the older file fills only what the stored post lacks; a crawl
after it still updates; re-importing the file changes nothing; the stored features of a post
are dropped only when its text really changes."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from microscout.crawlers.items import CommentItem, ItemBatch, PostItem, ProfileItem
from microscout.store import open_store
from microscout.store.writes import upsert_comments, upsert_posts
from tests.crawlers.conftest import rows
from tests.crawlers.test_pipeline import pipeline
from tests.test_import import run

PLATFORM = "bluesky"
OWNER = "did:plc:anna"


def crawl(db: Path, observed: str, likes: int, text: str = "Oat latte at home #coffee", run_id: int = 1,
          comment_likes: int = 4) -> None:
    """A crawl through the real pipeline: Anna's profile, her post p1 (views hidden), a reply."""
    p = pipeline(db, run_id=run_id, observed=observed)
    p.process_item(ProfileItem(platform=PLATFORM, platform_id=OWNER, handle="anna.bsky.social", followers=9000))
    p.process_item(ItemBatch.of([
        PostItem(platform=PLATFORM, platform_id="p1", profile_platform_id=OWNER, created_at="2026-11-20T09:00:00Z",
                 text=text, hashtags=["coffee"], likes=likes, replies=likes // 10, reposts=likes // 20),
        CommentItem(platform=PLATFORM, platform_id="c1", profile_platform_id=OWNER, post_platform_id="p1",
                    text="looks great", likes=comment_likes),
    ]))
    p.close_spider()


OLD_POSTS = ("profile,id,created_at,text,likes,replies,reposts,views,observed_at\n"
             "anna.bsky.social,p1,2026-11-20T09:00:00Z,Oat latte draft #coffee #draft,12,1,0,800,2026-11-21T10:00:00Z\n"
             "anna.bsky.social,p2,2026-11-10T09:00:00Z,Older post the crawl missed,40,3,1,,2026-11-21T10:00:00Z\n")


def posts(db: Path) -> dict[str, dict]:
    return {r["platform_id"]: r for r in rows(db, "SELECT * FROM posts ORDER BY platform_id")}


def features_of(db: Path) -> list[tuple]:
    con = sqlite3.connect(db)
    try:
        return sorted(con.execute("SELECT p.platform_id, f.version, f.analysis FROM post_features f "
                                  "JOIN posts p ON p.id = f.post_id"))
    finally:
        con.close()


def deleted_features(db: Path) -> int:
    return rows(db, "SELECT deleted FROM feature_marks")[0]["deleted"]


def test_an_older_export_imported_after_a_crawl_keeps_the_crawled_counts_and_text(tmp_path):
    db = tmp_path / "scout.db"
    crawl(db, "2026-12-01T00:00:00+00:00", likes=300)
    crawled = posts(db)["p1"]
    assert crawled["observed_at"] == "2026-12-01T00:00:00+00:00"
    features, deleted = features_of(db), deleted_features(db)
    (tmp_path / "old.csv").write_text(OLD_POSTS)
    result = run(tmp_path, "import", str(tmp_path / "old.csv"), "--platform", PLATFORM, "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)  # the note goes to stderr: stdout is the JSON
    assert summary["posts"] == 2 and summary["posts_kept_newer"] == 1
    stored = posts(db)
    p1 = stored["p1"]
    # the crawl's counts, caption and tags stay; views, which the crawl did not have, come from the file
    assert (p1["likes"], p1["replies"], p1["reposts"], p1["views"]) == (300, 30, 15, 800)
    assert (p1["text"], p1["hashtags"]) == (crawled["text"], crawled["hashtags"])
    assert p1["observed_at"] == "2026-12-01T00:00:00+00:00"
    # a post the store lacked is added, observed when the file says
    assert (stored["p2"]["likes"], stored["p2"]["observed_at"]) == (40, "2026-11-21T10:00:00+00:00")
    # the crawled post's features were not dropped (its text did not change)
    assert deleted_features(db) == deleted
    assert [f for f in features_of(db) if f[0] == "p1"] == [f for f in features if f[0] == "p1"]

    # the same file again changes nothing, and touches no row (no data_version move: a shortlist may reuse its run)
    version = rows(db, "SELECT version FROM data_version")[0]["version"]
    again = run(tmp_path, "import", str(tmp_path / "old.csv"), "--platform", PLATFORM)
    assert again.exit_code == 0, again.output
    assert "1 post kept its newer counts" in again.output
    assert posts(db) == stored and deleted_features(db) == deleted
    assert rows(db, "SELECT version FROM data_version")[0]["version"] - version == 1  # the profile's fetched list only

    # a crawl after the import is newer: its counts replace the stored ones
    crawl(db, "2026-12-08T00:00:00+00:00", likes=420, run_id=2)
    p1 = posts(db)["p1"]
    assert (p1["likes"], p1["replies"], p1["observed_at"]) == (420, 42, "2026-12-08T00:00:00+00:00")
    assert deleted_features(db) == deleted  # same text: features kept


def test_before_this_change_the_older_file_put_its_numbers_back(tmp_path):
    """What the user met, as rows: the older file's likes (12) over the crawl's (300)."""
    db = tmp_path / "scout.db"
    crawl(db, "2026-12-01T00:00:00+00:00", likes=300)
    (tmp_path / "old.csv").write_text(OLD_POSTS)
    assert run(tmp_path, "import", str(tmp_path / "old.csv"), "--platform", PLATFORM).exit_code == 0
    assert posts(db)["p1"]["likes"] == 300


def test_a_newer_export_replaces_the_counts_and_drops_features_only_when_the_text_changes(tmp_path):
    db = tmp_path / "scout.db"
    crawl(db, "2026-12-01T00:00:00+00:00", likes=300)
    deleted = deleted_features(db)
    # newer, same caption: counts replaced, features kept
    (tmp_path / "new.csv").write_text("profile,id,created_at,text,likes,observed_at\n"
                                      "anna.bsky.social,p1,2026-11-20T09:00:00Z,Oat latte at home #coffee,350,"
                                      "2026-12-03T12:00:00+02:00\n")
    result = run(tmp_path, "import", str(tmp_path / "new.csv"), "--platform", PLATFORM)
    assert result.exit_code == 0, result.output
    assert "newer counts" not in result.output
    p1 = posts(db)["p1"]
    assert (p1["likes"], p1["observed_at"]) == (350, "2026-12-03T10:00:00+00:00")  # the file's time, in UTC
    assert deleted_features(db) == deleted
    # newer still, another caption: the features are dropped (and computed again for the new text)
    (tmp_path / "newer.csv").write_text("profile,id,created_at,text,likes,observed_at\n"
                                        "anna.bsky.social,p1,2026-11-20T09:00:00Z,Edited: oat latte #coffee,360,"
                                        "2026-12-04\n")
    assert run(tmp_path, "import", str(tmp_path / "newer.csv"), "--platform", PLATFORM).exit_code == 0
    p1 = posts(db)["p1"]
    assert (p1["likes"], p1["text"]) == (360, "Edited: oat latte #coffee")
    assert deleted_features(db) > deleted
    assert [f[0] for f in features_of(db)].count("p1") >= 1


def test_a_file_without_observed_at_is_as_old_as_its_modification_time(tmp_path):
    import os

    db = tmp_path / "scout.db"
    crawl(db, "2026-12-01T00:00:00+00:00", likes=300)
    (tmp_path / "old.csv").write_text("profile,id,created_at,likes\nanna.bsky.social,p1,2026-11-20T09:00:00Z,12\n")
    stamp = 1_795_000_000  # 2026-11-18: saved weeks before the crawl
    os.utime(tmp_path / "old.csv", (stamp, stamp))
    assert run(tmp_path, "import", str(tmp_path / "old.csv"), "--platform", PLATFORM).exit_code == 0
    assert posts(db)["p1"]["likes"] == 300


def test_a_resumed_older_crawl_does_not_put_its_counts_back(tmp_path):
    db = tmp_path / "scout.db"
    crawl(db, "2026-12-08T00:00:00+00:00", likes=420, comment_likes=9)
    crawl(db, "2026-12-01T00:00:00+00:00", likes=300, run_id=2, comment_likes=2)
    assert posts(db)["p1"]["likes"] == 420
    assert rows(db, "SELECT likes FROM comments")[0]["likes"] == 9


def test_an_older_reply_fills_what_the_stored_one_lacks_and_keeps_its_likes(tmp_path):
    db = tmp_path / "scout.db"
    crawl(db, "2026-12-01T00:00:00+00:00", likes=300, comment_likes=4)
    store = open_store(db)
    with store.conn:
        upsert_comments(store, [{"platform": PLATFORM, "platform_id": "c1", "profile_id": 1,
                                 "post_platform_id": "p1", "text": "looks grea", "likes": 1,
                                 "author_followers": 77, "observed_at": "2026-11-01T00:00:00+00:00"}])
    store.conn.close()
    (reply,) = rows(db, "SELECT text, likes, author_followers, observed_at FROM comments")
    assert reply == {"text": "looks great", "likes": 4, "author_followers": 77,
                     "observed_at": "2026-12-01T00:00:00+00:00"}


def test_a_write_that_says_no_time_replaces_counts_and_forgets_the_stored_time(tmp_path):
    """Writers that stamp nothing (sandbox generate, scripts) write as before; the stored time
    no longer describes the counts, so it becomes unknown and any later observation wins."""
    db = tmp_path / "scout.db"
    crawl(db, "2026-12-01T00:00:00+00:00", likes=300)
    store = open_store(db)
    with store.conn:
        upsert_posts(store, [{"platform": PLATFORM, "platform_id": "p1", "profile_id": 1,
                              "created_at": "2026-11-20T09:00:00Z", "likes": 5}])
    store.conn.close()
    assert (posts(db)["p1"]["likes"], posts(db)["p1"]["observed_at"]) == (5, None)


def test_a_store_from_before_migrates_with_the_time_unknown_and_any_observation_replaces_it(tmp_path):
    db = tmp_path / "scout.db"
    crawl(db, "2026-12-01T00:00:00+00:00", likes=300)
    # as a store written before m023: no such column, the migration not applied
    con = sqlite3.connect(db)
    with con:
        con.execute("ALTER TABLE posts DROP COLUMN observed_at")
        con.execute("ALTER TABLE comments DROP COLUMN observed_at")
        con.execute("DELETE FROM _sqlite_migrations WHERE name = 'm023_counts_observed_at'")
    con.close()
    open_store(db).conn.close()
    assert posts(db)["p1"]["observed_at"] is None
    assert rows(db, "SELECT observed_at FROM comments")[0]["observed_at"] is None
    (tmp_path / "old.csv").write_text(OLD_POSTS)
    result = run(tmp_path, "import", str(tmp_path / "old.csv"), "--platform", PLATFORM)
    assert result.exit_code == 0, result.output
    p1 = posts(db)["p1"]
    assert (p1["likes"], p1["observed_at"]) == (12, "2026-11-21T10:00:00+00:00")
    assert "newer counts" not in result.output


def test_a_newer_export_leaves_what_it_does_not_say_as_stored(tmp_path):
    """A newer metrics export (likes only, no caption column, an empty cell) wrote NULL over
    the crawl's replies and reposts and '' over its caption, and dropped the post's features:
    an empty or absent cell says nothing, as in a profiles file; what the file gives wins."""
    db = tmp_path / "scout.db"
    crawl(db, "2026-12-01T00:00:00+00:00", likes=300)
    crawled, deleted = posts(db)["p1"], deleted_features(db)
    (tmp_path / "metrics.csv").write_text("profile,id,created_at,likes,replies,observed_at\n"
                                          "anna.bsky.social,p1,2026-11-20T09:00:00Z,350,,2026-12-03\n"
                                          "anna.bsky.social,p3,2026-11-25T09:00:00Z,,,2026-12-03\n")
    result = run(tmp_path, "import", str(tmp_path / "metrics.csv"), "--platform", PLATFORM)
    assert result.exit_code == 0, result.output
    stored = posts(db)
    p1 = stored["p1"]
    assert (p1["likes"], p1["replies"], p1["reposts"], p1["observed_at"]) == (350, 30, 15, "2026-12-03T00:00:00+00:00")
    assert (p1["text"], p1["hashtags"]) == (crawled["text"], crawled["hashtags"])
    assert deleted_features(db) == deleted  # the caption did not change
    # a post the store lacked is added as the file has it: no caption, no counts
    p3 = stored["p3"]
    assert (p3["text"], p3["hashtags"], p3["likes"], p3["replies"]) == ("", "[]", None, None)
