"""The pipeline's batch writes on a real SQLite file (no crawl needed)."""
from __future__ import annotations

import json
from types import SimpleNamespace

from scrapy.settings import Settings

from microscout.crawlers.items import FetchedItem, ItemBatch, OptOutItem, PostItem, ProfileItem
from microscout.crawlers.pipelines import SQLitePipeline
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

    later = pipeline(db, run_id=2, observed="2026-10-08T00:00:00+00:00")
    later.process_item(OptOutItem(platform="mastodon", platform_id="a@x", opt_out_reason="noindex"))
    later.close_spider()
    (row,) = rows(db, "SELECT * FROM profiles")
    assert (row["handle"], row["opted_out"], row["opt_out_reason"], row["bio"], row["followers"]) == (
        "", 1, "noindex", None, None)
    for table in ("posts", "comments", "follower_samples", "profile_snapshots"):
        assert rows(db, f"SELECT * FROM {table}") == []
