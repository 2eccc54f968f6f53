"""Reads that stream: candidates come out a batch at a time, never a whole table."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Iterator

import sqlite_utils

from microscout.engine.candidate import Candidate, Comment, Follower, Post, Profile, Snapshot


def _dt(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    # Day-precision dates (Mastodon's last_status_at) carry no zone; rules compare with
    # aware datetimes, so everything leaving the store is UTC-aware.
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _in(ids: list[int]) -> str:
    return ", ".join("?" * len(ids))


def _rows(db: sqlite_utils.Database, sql: str, params: list) -> Iterator[dict]:
    cursor = db.execute(sql, params)
    names = [d[0] for d in cursor.description]
    for row in cursor:
        yield dict(zip(names, row))


def profile_from_row(r: dict) -> Profile:
    return Profile(
        id=r["id"], platform=r["platform"], platform_id=r["platform_id"], handle=r["handle"],
        display_name=r["display_name"] or "", bio=r["bio"] or "", url=r["url"] or "",
        has_avatar=bool(r["has_avatar"]) if r["has_avatar"] is not None else True,
        followers=r["followers"], following=r["following"], posts_count=r["posts_count"],
        created_at=_dt(r["created_at"]), last_post_at=_dt(r["last_post_at"]),
        bot=bool(r["bot"]), instance=r["instance"] or "", bridged=bool(r["bridged"]),
        collections_hidden=bool(r["collections_hidden"]))


def iter_candidates(db: sqlite_utils.Database, platforms: list[str] | None = None,
                    batch_size: int = 500) -> Iterator[Candidate]:
    """Every profile not opted out, with its posts, replies, follower sample and history."""
    last_id = 0
    where = "opted_out = 0 AND id > ?"
    extra: list = []
    if platforms:
        where += f" AND platform IN ({', '.join('?' * len(platforms))})"
        extra = list(platforms)
    while True:
        rows = list(_rows(db, f"SELECT * FROM profiles WHERE {where} ORDER BY id LIMIT ?",
                          [last_id, *extra, batch_size]))
        if not rows:
            return
        last_id = rows[-1]["id"]
        yield from load_candidates(db, rows)


def load_candidates(db: sqlite_utils.Database, rows: list[dict]) -> list[Candidate]:
    ids = [r["id"] for r in rows]
    by_id = {r["id"]: Candidate(profile=profile_from_row(r), fetched=frozenset(json.loads(r["fetched"] or "[]")))
             for r in rows}
    for r in _rows(db, f"SELECT * FROM posts WHERE profile_id IN ({_in(ids)}) "
                       f"ORDER BY profile_id, created_at DESC", ids):
        by_id[r["profile_id"]].posts.append(Post(
            platform_id=r["platform_id"], created_at=_dt(r["created_at"]), text=r["text"] or "",
            url=r["url"] or "", hashtags=json.loads(r["hashtags"] or "[]"),
            mentions=json.loads(r["mentions"] or "[]"), links=json.loads(r["links"] or "[]"),
            likes=r["likes"], replies=r["replies"], reposts=r["reposts"], quotes=r["quotes"],
            views=r["views"], paid_flag=None if r["paid_flag"] is None else bool(r["paid_flag"]),
            is_reply=bool(r["is_reply"]), language=r["language"]))
    for r in _rows(db, f"SELECT * FROM comments WHERE profile_id IN ({_in(ids)}) "
                       f"ORDER BY created_at", ids):
        by_id[r["profile_id"]].comments.setdefault(r["post_platform_id"], []).append(Comment(
            platform_id=r["platform_id"], post_id=r["post_platform_id"], author_id=r["author_id"] or "",
            author_handle=r["author_handle"] or "", text=r["text"] or "", created_at=_dt(r["created_at"]),
            likes=r["likes"], author_followers=r["author_followers"]))
    for r in _rows(db, f"SELECT * FROM follower_samples WHERE profile_id IN ({_in(ids)})", ids):
        by_id[r["profile_id"]].followers.append(Follower(
            platform_id=r["platform_id"], handle=r["handle"] or "", display_name=r["display_name"] or "",
            bio=r["bio"] or "", has_avatar=bool(r["has_avatar"]) if r["has_avatar"] is not None else True,
            followers=r["followers"], following=r["following"], posts_count=r["posts_count"],
            created_at=_dt(r["created_at"]), last_post_at=_dt(r["last_post_at"])))
    for r in _rows(db, f"SELECT * FROM profile_snapshots WHERE profile_id IN ({_in(ids)}) "
                       f"ORDER BY observed_at", ids):
        by_id[r["profile_id"]].snapshots.append(Snapshot(
            observed_at=_dt(r["observed_at"]), followers=r["followers"], following=r["following"],
            posts_count=r["posts_count"]))
    return list(by_id.values())


def find_profile(db: sqlite_utils.Database, handle: str) -> list[dict]:
    """Profiles matching a handle, with or without the leading @, or a platform id."""
    bare = handle.lstrip("@")
    return list(_rows(db, "SELECT * FROM profiles WHERE handle IN (?, ?) OR platform_id = ? ORDER BY id",
                      [bare, "@" + bare, bare]))


def stats(db: sqlite_utils.Database) -> dict[str, int]:
    tables = ["profiles", "profile_snapshots", "posts", "comments", "follower_samples",
              "crawl_runs", "shortlist_runs", "verdicts", "exports"]
    return {t: db[t].count for t in tables if t in db.table_names()}
