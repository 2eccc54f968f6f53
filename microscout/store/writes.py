"""Idempotent batch writes: a re-crawl updates rows, never duplicates them.

Callers pass plain dicts (crawler items, generated rows) and own the transaction:
``with db.conn: upsert_profiles(db, rows)``.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from itertools import groupby
from typing import Any, Iterable

import sqlite_utils

JSON_COLUMNS = {"hashtags", "mentions", "links", "fetched"}


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _cell(column: str, value: Any) -> Any:
    if column in JSON_COLUMNS and not isinstance(value, str):
        return json.dumps(list(value or []), ensure_ascii=False)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def upsert(db: sqlite_utils.Database, table: str, rows: Iterable[dict], conflict: tuple[str, ...],
           keep: tuple[str, ...] = (), merge: dict[str, str] | None = None) -> int:
    """INSERT … ON CONFLICT DO UPDATE for rows grouped by their key sets.

    Columns in ``keep`` are written on insert only; a column in ``merge`` is updated to its
    SQL expression there (of the stored row's columns and ``excluded.*``).
    """
    merge = merge or {}
    count = 0
    keyed = sorted(((tuple(sorted(r)), r) for r in rows), key=lambda kr: kr[0])
    for columns, group in groupby(keyed, key=lambda kr: kr[0]):
        updates = [c for c in columns if c not in conflict and c not in keep]
        action = ("DO UPDATE SET " + ", ".join(f"{c}={merge.get(c, f'excluded.{c}')}" for c in updates)
                  if updates else "DO NOTHING")
        sql = (f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "
               f"ON CONFLICT ({', '.join(conflict)}) {action}")
        values = [tuple(_cell(c, r[c]) for c in columns) for _, r in group]
        db.conn.executemany(sql, values)
        count += len(values)
    return count


# first_seen only ever moves back and last_seen forward, so first_seen <= last_seen holds
# whatever order crawls write in (a resumed older run after a newer one, say); the stored
# last_seen in first_seen's min() also repairs rows written when first_seen was the write
# time and last_seen the (earlier) start of the crawl.
SEEN = {
    "first_seen": "min(coalesce(profiles.first_seen, excluded.first_seen), "
                  "coalesce(profiles.last_seen, excluded.first_seen), excluded.first_seen)",
    "last_seen": "max(coalesce(profiles.last_seen, excluded.last_seen), excluded.last_seen)",
}


def upsert_profiles(db: sqlite_utils.Database, rows: list[dict]) -> dict[tuple[str, str], int]:
    """Upsert profiles; return {(platform, platform_id): id} for the rows given.

    A row's last_seen is when it was observed (a crawl passes its start time); first_seen
    defaults to the same moment, so a profile first seen now has first_seen == last_seen.
    """
    stamp = now_iso()
    for row in rows:
        row.setdefault("last_seen", stamp)
        row.setdefault("first_seen", row["last_seen"])
    upsert(db, "profiles", rows, ("platform", "platform_id"), merge=SEEN)
    return profile_ids(db, [(r["platform"], r["platform_id"]) for r in rows])


def raise_last_post_at(db: sqlite_utils.Database, newest: dict[int, str], derived: set[int]) -> None:
    """Fill profiles.last_post_at from the newest post fetched: where it is unknown, and for
    the profiles in ``derived`` (whose platform gives no such field) also where it is older."""
    for pid, stamp in newest.items():
        if pid in derived:
            db.conn.execute("UPDATE profiles SET last_post_at = ? WHERE id = ? "
                            "AND (last_post_at IS NULL OR last_post_at < ?)", [stamp, pid, stamp])
        else:
            db.conn.execute("UPDATE profiles SET last_post_at = ? WHERE id = ? AND last_post_at IS NULL",
                            [stamp, pid])


def profile_ids(db: sqlite_utils.Database, keys: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
    found: dict[tuple[str, str], int] = {}
    for platform in {p for p, _ in keys}:
        ids = [i for p, i in keys if p == platform]
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            sql = (f"SELECT id, platform_id FROM profiles WHERE platform = ? "
                   f"AND platform_id IN ({', '.join('?' * len(chunk))})")
            for pid, platform_id in db.execute(sql, [platform, *chunk]).fetchall():
                found[(platform, platform_id)] = pid
    return found


def add_snapshots(db: sqlite_utils.Database, rows: list[dict]) -> int:
    return upsert(db, "profile_snapshots", rows, ("profile_id", "observed_at"))


def upsert_posts(db: sqlite_utils.Database, rows: list[dict]) -> int:
    """Upsert posts and store the features of those new or changed (post_features), so
    shortlisting reads each post's sponsored analysis instead of redoing it."""
    from microscout.store.features import store_for_posts

    count = upsert(db, "posts", rows, ("platform", "platform_id"))
    store_for_posts(db, [(r["platform"], r["platform_id"]) for r in rows])
    return count


def upsert_comments(db: sqlite_utils.Database, rows: list[dict]) -> int:
    return upsert(db, "comments", rows, ("platform", "platform_id"))


def upsert_followers(db: sqlite_utils.Database, rows: list[dict]) -> int:
    return upsert(db, "follower_samples", rows, ("profile_id", "platform_id"))
