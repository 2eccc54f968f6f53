"""The one pipeline: items into SQLite, a batch per transaction, through store.writes."""
from __future__ import annotations

import json
import logging
import time
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from scrapy.exceptions import NotConfigured

from microscout.crawlers.items import (
    WEBSITE_PLATFORMS,
    CommentItem,
    FetchedItem,
    FollowerItem,
    Item,
    ItemBatch,
    OptOutItem,
    PostItem,
    ProfileItem,
    UsageItem,
)
from microscout.store import open_store
from microscout.store.transaction import transaction
from microscout.store.writes import (
    add_snapshots,
    forget_opted_out,
    forget_traces,
    now_iso,
    opted_out_before,
    profile_ids,
    raise_last_post_at,
    upsert_comments,
    upsert_followers,
    upsert_posts,
    upsert_profiles,
    utc_stamp,
)

if TYPE_CHECKING:
    import sqlite_utils
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


def parse_time(value: str | None) -> datetime | None:
    try:
        stamp = datetime.fromisoformat((value or "").replace("Z", "+00:00"))
    except ValueError:
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=timezone.utc)


def _fields(item: Item) -> dict:
    """``item.row()`` without pydantic's serializer: these items' fields are plain values and
    lists of strings, which the store only reads, so the instance's own fields will do."""
    row = dict(item.__dict__)
    del row["kind"]
    return row


class SQLitePipeline:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.path = settings.get("MICROSCOUT_DB")
        if not self.path:
            raise NotConfigured("MICROSCOUT_DB is not set")
        self.stats = crawler.stats
        self.run_id = settings.getint("MICROSCOUT_RUN_ID") or None
        self.observed_at = settings.get("MICROSCOUT_OBSERVED_AT") or now_iso()
        # when the posts' counts and the replies' likes were observed, as the store compares
        # such times (an older import's counts do not replace them; store.writes.upsert)
        self.counts_at = utc_stamp(self.observed_at)
        self.batch_size = settings.getint("MICROSCOUT_BATCH_SIZE", 200)
        self.flush_every = settings.getfloat("MICROSCOUT_FLUSH_SECONDS", 2.0)
        self.last_flush = time.monotonic()
        self.buffer: list[Item] = []
        self.ids: dict[tuple[str, str], int] = {}
        # profiles whose platform gives no last-post time (Bluesky): theirs comes from the posts
        self.derived_last_post: set[tuple[str, str]] = set()
        self.db: sqlite_utils.Database | None = None  # opened in open_spider
        self.store_failures = 0

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self, spider=None):
        self.db = open_store(self.path)

    @property
    def store(self) -> sqlite_utils.Database:
        """The database, which open_spider opened before any item arrives."""
        if self.db is None:
            raise RuntimeError("the pipeline's database is not open (open_spider was not called)")
        return self.db

    def close_spider(self, spider=None):
        self.flush(final=True)
        self.store.conn.close()

    def process_item(self, item, spider=None):
        if isinstance(item, ItemBatch):
            self.buffer.extend(item.items)
        elif isinstance(item, Item):
            self.buffer.append(item)
        if len(self.buffer) >= self.batch_size or time.monotonic() - self.last_flush > self.flush_every:
            self.flush()
        return item

    def _profile_id(self, platform: str, platform_id: str) -> int | None:
        key = (platform, platform_id)
        if key not in self.ids:
            self.ids.update(profile_ids(self.store, [key]))
        return self.ids.get(key)

    STORE_TRIES = 3  # a batch that cannot be written is tried again at the next flushes, then counted as lost

    def flush(self, final: bool = False) -> None:
        self.last_flush = time.monotonic()
        if not self.buffer:
            return
        batch, self.buffer = self.buffer, []
        counts: dict[str, int] = {}
        try:
            with transaction(self.store):
                counts = self._write(batch)
        except Exception as exc:  # the whole batch rolls back: no half rows
            self.store_failures += 1
            logger.error("Could not store a batch of %d items (try %d): %s: %s", len(batch), self.store_failures,
                         type(exc).__name__, exc)
            self.stats.inc_value("microscout/errors/store")
            if self.store_failures < self.STORE_TRIES:
                self.buffer = batch + self.buffer  # again with the next flush (the database may be busy)
                if final:
                    time.sleep(0.5 * self.store_failures)
                    self.flush(final=True)
                return
            # given up: the run says so (incomplete), instead of finishing as if nothing happened
            self.store_failures = 0
            self.stats.inc_value("microscout/unstored_items", len(batch))
            return
        self.store_failures = 0
        for kind, n in counts.items():
            self.stats.inc_value(f"microscout/stored/{kind}", n)
        self.stats.inc_value("microscout/items", len(batch))

    def _write(self, batch: list[Item]) -> dict[str, int]:
        # One pass sorts the batch by kind (order kept within each kind); rows are the items'
        # fields as they are (validated when the parser built them), not a model_dump each.
        profile_items: list[ProfileItem | OptOutItem] = []
        children: list[PostItem | CommentItem | FollowerItem] = []
        usage_items: list[UsageItem] = []
        fetched_items: list[FetchedItem] = []
        for item in batch:
            if isinstance(item, (PostItem, CommentItem, FollowerItem)):
                children.append(item)
            elif isinstance(item, (ProfileItem, OptOutItem)):
                profile_items.append(item)
            elif isinstance(item, UsageItem):
                usage_items.append(item)
            elif isinstance(item, FetchedItem):
                fetched_items.append(item)
        profiles: dict[tuple[str, str], dict] = {}
        for item in profile_items:
            row = item.row() if isinstance(item, OptOutItem) else _fields(item)
            # found again (by any crawl, under any handle): no longer gone
            row.update(last_seen=self.observed_at, crawl_run_id=self.run_id, gone_since=None)
            if isinstance(item, ProfileItem) and item.last_post_at is None:
                del row["last_post_at"]  # keep what earlier crawls' posts said
                self.derived_last_post.add((item.platform, item.platform_id))
            if isinstance(item, ProfileItem) and item.platform not in WEBSITE_PLATFORMS:
                del row["website"]  # the platform never says: keep what an import stored
            profiles[(item.platform, item.platform_id)] = row
        counts = {"profiles": 0, "posts": 0, "comments": 0, "followers": 0, "snapshots": 0}
        if profiles:
            opting = [key for key, row in profiles.items() if row.get("opted_out")]
            # As stored before this write: an account already stored as opted out was forgotten then.
            was_opted = opted_out_before(self.store, opting) if opting else {}
            self.ids.update(upsert_profiles(self.store, list(profiles.values())))
            counts["profiles"] = len(profiles)
            snapshots = [
                {"profile_id": self.ids[key], "observed_at": self.observed_at, "followers": row["followers"],
                 "following": row["following"], "posts_count": row["posts_count"], "crawl_run_id": self.run_id}
                for key, row in profiles.items() if not row.get("opted_out")]
            counts["snapshots"] = add_snapshots(self.store, snapshots)
            if opting:
                # stored and judged before: everything of theirs; met for the first time: only what
                # they left on other creators' pages (replies, follower rows) as they were crawled
                forget_opted_out(self.store, [self.ids[key] for key in opting if was_opted.get(key) == 0])
                forget_traces(self.store, [self.ids[key] for key in opting if key not in was_opted])
        posts, comments, followers = [], [], []
        ids, counts_at = self.ids, self.counts_at
        # profiles.last_post_at from the newest post of this batch, when the platform gives none
        newest: dict[int, tuple[datetime, str]] = {}
        derived: set[int] = set()
        soon = datetime.now(timezone.utc) + timedelta(days=1)  # a post dated in the future is a wrong clock
        for item in children:
            row = item.__dict__.copy()  # the item's fields (_fields), read here once
            key = (row["platform"], row["profile_platform_id"])
            pid = ids.get(key) or self._profile_id(*key)
            if pid is None:
                logger.warning("No stored profile %s for %s %s", item.profile_platform_id, item.kind,
                               item.platform_id)
                self.stats.inc_value("microscout/errors/orphan")
                continue
            del row["kind"], row["profile_platform_id"]
            row["profile_id"] = pid
            if isinstance(item, PostItem):
                row["observed_at"] = counts_at
                posts.append(row)
                created = row["created_at"]
                stamp = parse_time(created)
                if stamp is None or stamp > soon:
                    continue
                if key in self.derived_last_post:
                    derived.add(pid)
                if pid not in newest or stamp > newest[pid][0]:
                    newest[pid] = (stamp, created)
            elif isinstance(item, CommentItem):
                row["observed_at"] = counts_at
                comments.append(row)
            else:
                del row["platform"]
                row["sampled_at"] = self.observed_at
                followers.append(row)
        counts["posts"] = upsert_posts(self.store, posts)
        if newest:
            raise_last_post_at(self.store, {pid: text for pid, (_, text) in newest.items()}, derived)
        counts["comments"] = upsert_comments(self.store, comments)
        counts["followers"] = upsert_followers(self.store, followers)
        usage = [{"platform": i.platform, "usage": i.usage, "key": i.key, "at": i.at, "units": i.units,
                  "crawl_run_id": self.run_id} for i in usage_items]
        if usage:
            self.store.table("api_usage").insert_all(usage)
        for item in fetched_items:
            self.store.conn.execute(
                "UPDATE profiles SET fetched = ?, collections_hidden = ? WHERE platform = ? AND platform_id = ?",
                [json.dumps(item.fetched), int(item.collections_hidden), item.platform, item.platform_id])
        return counts
