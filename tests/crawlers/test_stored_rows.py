"""The rows the write path stores, byte for byte, against a dump the original write path
(before the ingest speed-up of issue #12) wrote from the same input: two crawls of the same
profiles through the pipeline (updates, opt-outs, derived last_post_at, fetched, usage,
orphans), then direct store upserts with mixed column sets, datetimes and JSON lists.

To rewrite the reference (only when a change of stored rows is intended):
    MICROSCOUT_WRITE_REFERENCE=1 pytest tests/crawlers/test_stored_rows.py
"""
from __future__ import annotations

import json
import os
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest

from microscout.crawlers.items import ItemBatch, PostItem
from microscout.store import open_store
from microscout.store.writes import upsert_comments, upsert_followers, upsert_posts, upsert_profiles
from tests.crawlers.ingest_input import pages
from tests.crawlers.test_pipeline import pipeline

REFERENCE = Path(__file__).parent / "fixtures" / "stored_rows.txt"
TABLES = ("profiles", "profile_snapshots", "posts", "comments", "follower_samples", "api_usage", "data_version")


def dump(path: Path) -> str:
    con = sqlite3.connect(path)
    try:
        lines = []
        for table in TABLES:
            cols = [r[1] for r in con.execute(f"PRAGMA table_info({table})")]
            lines.append(f"# {table}: {', '.join(cols)}")
            lines += ["\t".join(repr(v) for v in row) for row in con.execute(f"SELECT * FROM {table} ORDER BY 1, 2")]
        return "\n".join(lines) + "\n"
    finally:
        con.close()


def write_everything(db: Path) -> None:
    for crawl, observed in ((0, "2026-10-01T00:00:00+00:00"), (1, "2026-10-08T00:00:00+00:00")):
        p = pipeline(db, run_id=crawl + 1, observed=observed)
        p.batch_size = 50
        for items in pages(12, crawl=crawl, extras=True, posts=6, comments=8, followers=7):
            p.process_item(ItemBatch.of(items) if crawl else items[0])
            if not crawl:
                for item in items[1:]:
                    p.process_item(item)
        p.process_item(PostItem(platform="mastodon", platform_id="orphan", profile_platform_id="nobody",
                                created_at="2026-10-01T00:00:00Z"))
        p.close_spider()
    store = open_store(db)
    with store.conn:
        ids = upsert_profiles(store, [
            {"platform": "mastodon", "platform_id": "mastodon-0", "handle": "renamed", "followers": 5},
            {"platform": "tiktok", "platform_id": "t-1", "handle": "t1", "bio": None,
             "last_seen": "2026-10-09T00:00:00+00:00", "fetched": ("profile",)},
            {"platform": "mastodon", "platform_id": "mastodon-3", "handle": "m3", "first_seen": "2020-01-01T00:00:00+00:00",
             "last_seen": "2026-10-09T00:00:00+00:00"},
        ])
        pid = ids[("tiktok", "t-1")]
        upsert_posts(store, [
            {"platform": "tiktok", "platform_id": "tp1", "profile_id": pid, "created_at": "2026-10-02T00:00:00Z",
             "hashtags": ["a", "é"], "mentions": None, "links": "[\"kept as given\"]"},
            {"profile_id": pid, "platform": "tiktok", "platform_id": "tp2",
             "created_at": datetime(2026, 10, 3, 4, 5, 6, tzinfo=timezone.utc), "likes": 3},
            {"platform": "tiktok", "platform_id": "tp1", "profile_id": pid, "created_at": "2026-10-02T00:00:00Z",
             "likes": 9},
        ])
        upsert_comments(store, [
            {"platform": "tiktok", "platform_id": "tc1", "profile_id": pid, "post_platform_id": "tp1", "text": "hi"},
            {"platform": "tiktok", "platform_id": "tc1", "profile_id": pid, "post_platform_id": "tp1", "likes": 2},
        ])
        upsert_followers(store, [{"profile_id": pid, "platform_id": "f1", "handle": "f"}])
    store.conn.close()


def fixed_now(monkeypatch):
    monkeypatch.setattr("microscout.store.writes.now_iso", lambda: "2026-10-09T12:00:00+00:00")


def test_the_write_path_stores_the_same_rows_as_before(tmp_path, monkeypatch):
    fixed_now(monkeypatch)
    db = tmp_path / "s.db"
    write_everything(db)
    got = dump(db)
    if os.environ.get("MICROSCOUT_WRITE_REFERENCE"):
        REFERENCE.write_text(got, encoding="utf-8")
    assert got == REFERENCE.read_text(encoding="utf-8")


def test_writing_the_same_input_again_changes_nothing(tmp_path, monkeypatch):
    """Idempotent: a re-crawl updates rows, never duplicates them (api_usage, a log of
    uses, and data_version, a change counter, grow by design)."""
    fixed_now(monkeypatch)
    db = tmp_path / "s.db"
    write_everything(db)
    first = dump(db).split("# api_usage")[0]
    write_everything(db)
    assert dump(db).split("# api_usage")[0] == first


KINDS = {  # kind: (features table, item columns, the items' table and columns, default version)
    "posts": ("post_features", "post_id", "posts", "id"),
    "comments": ("comment_features", "comment_id", "comments", "id"),
    "followers": ("follower_features", "profile_id, platform_id", "follower_samples", "profile_id, platform_id"),
}


def _default_version(kind: str) -> str:
    from microscout.store import features

    found = {k.name: k for k in features.KINDS}[kind]
    return found.version_of_json(found.settings()().model_dump_json())


@pytest.mark.parametrize("kind", list(KINDS))
def test_the_pipeline_stores_every_items_features_as_a_refresh_computes_them(tmp_path, monkeypatch, kind):
    """Features written with the items (the pipeline writes posts as parameter tuples, not
    through upsert_posts): one per post, reply and sampled follower after two crawls and the
    direct upserts, equal to what a refresh computes from scratch."""
    from microscout.store import features

    table, item, source, columns = KINDS[kind]
    fixed_now(monkeypatch)
    db = tmp_path / "s.db"
    write_everything(db)
    con = sqlite3.connect(db)
    try:
        stored = sorted(con.execute(f"SELECT {item}, version, * FROM {table}"))
        items = sorted(con.execute(f"SELECT {columns} FROM {source}"))
    finally:
        con.close()
    width = len(item.split(","))
    assert items and [r[:width + 1] for r in stored] == [(*i, _default_version(kind)) for i in items]
    store = open_store(db)
    with store.conn:
        store.execute(f"DELETE FROM {table}")
    assert features.refresh(store).computed == len(items)
    assert sorted(store.execute(f"SELECT {item}, version, * FROM {table}").fetchall()) == stored
    store.conn.close()


@pytest.mark.parametrize("value", [
    ["coffee"], ("profile", "posts"), ["a", "é", "日本", "quote\"d", "back\\slash", "tab\tnew\nline", "\x00\x1f\x7f",
                                        "\u2028\u2029", "\ud800", "😀", ""],
    ["mixed", 1, None, 2.5, True], [["nested"]], iter(["from", "an", "iterator"]), {"a set"},
])
def test_a_list_column_is_encoded_as_json_dumps_encodes_it(value):
    """The list columns (tags, mentions, links, fetched) are joined by store.writes itself when
    they hold strings: the same text json.dumps(list(value), ensure_ascii=False) writes."""
    from microscout.store.writes import _json_list

    items = list(value)
    value = iter(items) if not isinstance(value, (list, tuple, set)) else value
    assert _json_list(value) == json.dumps(items, ensure_ascii=False)
