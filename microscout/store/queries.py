"""Reads that stream: candidates come out a batch at a time, never a whole table."""
from __future__ import annotations

import json
import re
import sqlite3
from datetime import datetime, timezone
from typing import Iterable, Iterator

import sqlite_utils

from microscout.models import Candidate, Comment, Follower, Post, Profile, Snapshot


def parse_timestamp(value: str | None) -> datetime | None:
    """A timestamp as the store keeps it (ISO 8601), UTC-aware; None for empty or unreadable."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    # Day-precision dates (Mastodon's last_status_at) carry no zone; rules compare with
    # aware datetimes, so everything leaving the store is UTC-aware.
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


_dt = parse_timestamp


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
        website=r.get("website") or "",  # a store read-only before m024 has none
        has_avatar=bool(r["has_avatar"]) if r["has_avatar"] is not None else True,
        followers=r["followers"], following=r["following"], posts_count=r["posts_count"],
        created_at=_dt(r["created_at"]), last_post_at=_dt(r["last_post_at"]),
        bot=bool(r["bot"]), instance=r["instance"] or "", bridged=bool(r["bridged"]),
        collections_hidden=bool(r["collections_hidden"]))


def iter_candidates(db: sqlite_utils.Database, platforms: list[str] | None = None,
                    batch_size: int = 500) -> Iterator[Candidate]:
    """Every profile not opted out, with its posts, replies, follower sample and history."""
    for rows in iter_profile_batches(db, platforms, batch_size):
        yield from load_candidates(db, rows)


def candidates_where(platforms: list[str] | None, alias: str = "") -> tuple[str, list]:
    """The condition on ``profiles`` (named ``alias``, if given) that picks a campaign's
    candidates, with its parameters: not opted out, not gone (a crawl found it no longer
    exists), on one of ``platforms`` (any if none)."""
    column = f"{alias}." if alias else ""
    where = f"{column}opted_out = 0 AND {column}gone_since IS NULL"
    if platforms:
        where += f" AND {column}platform IN ({', '.join('?' * len(platforms))})"
    return where, list(platforms or [])


def batch_sql(where: str, ids: str, limit: bool = False) -> str:
    """A batch of candidates' profile rows in id order, chosen by an id range (``ids``: "id > ?"
    with ``limit``, or "id BETWEEN ? AND ?"). NOT INDEXED: given the platform term, SQLite picks
    the (platform, platform_id) index, reads every candidate of the platform and sorts them by
    id for each batch, which is quadratic: a second a batch at 1,000,000 profiles (BENCHMARKS.md)."""
    return f"SELECT * FROM profiles NOT INDEXED WHERE {where} AND {ids} ORDER BY id" + (" LIMIT ?" if limit else "")


def iter_profile_batches(db: sqlite_utils.Database, platforms: list[str] | None = None,
                         batch_size: int = 500) -> Iterator[list[dict]]:
    """The profile rows of every profile not opted out, ``batch_size`` at a time, in id order."""
    last_id = 0
    where, extra = candidates_where(platforms)
    sql = batch_sql(where, "id > ?", limit=True)
    while True:
        rows = list(_rows(db, sql, [*extra, last_id, batch_size]))
        if not rows:
            return
        last_id = rows[-1]["id"]
        yield rows


_JSON_LISTS: dict[str, tuple[str, ...]] = {}


def _json_list(value: str | None) -> list:
    """A fresh list each call, as json.loads gives; the same tag lists recur, so decode each once."""
    if not value or value == "[]":
        return []
    known = _JSON_LISTS.get(value)
    if known is not None:
        return list(known)
    parsed = json.loads(value)
    # Only lists of strings are kept: a copy of those is equal and shares nothing mutable.
    if type(parsed) is list and len(value) <= 1024 and all(type(x) is str for x in parsed):
        if len(_JSON_LISTS) >= 8192:
            _JSON_LISTS.clear()
        _JSON_LISTS[value] = tuple(parsed)
    return parsed


def _tuples(db: sqlite_utils.Database, sql: str, params: list):
    """(column -> index, cursor): rows as plain tuples, no dict per row."""
    cursor = db.execute(sql, params)
    return {d[0]: i for i, d in enumerate(cursor.description)}, cursor


# What load_candidates reads for each kind of data a rule may need.
LOADS = ("posts", "comments", "followers", "history")


def load_candidates(db: sqlite_utils.Database, rows: list[dict],
                    needs: Iterable[str] = LOADS) -> list[Candidate]:
    """Candidates of these profile rows with the data ``needs`` names (Need values or their
    strings: posts, comments, followers, history); the rest is left empty."""
    wanted = {str(getattr(n, "value", n)) for n in needs}
    by_id = {r["id"]: Candidate(profile=profile_from_row(r), fetched=frozenset(json.loads(r["fetched"] or "[]")))
             for r in rows}
    if "posts" in wanted:
        _load_posts(db, by_id)
    if "comments" in wanted:
        _load_comments(db, by_id)
    if "followers" in wanted:
        _load_followers(db, by_id)
    if "history" in wanted:
        _load_snapshots(db, by_id)
    return list(by_id.values())


def _load_posts(db: sqlite_utils.Database, by_id: dict[int, Candidate]) -> None:
    ids = list(by_id)
    dt, json_list = _dt, _json_list

    c, cursor = _tuples(db, f"SELECT * FROM posts WHERE profile_id IN ({_in(ids)}) "
                            f"ORDER BY profile_id DESC, created_at DESC, id DESC", ids)
    (i_id, i_profile, i_pid, i_created, i_text, i_url, i_tags, i_mentions, i_links, i_likes, i_replies, i_reposts,
     i_quotes, i_views, i_paid, i_reply, i_lang) = (
        c["id"], c["profile_id"], c["platform_id"], c["created_at"], c["text"], c["url"], c["hashtags"],
        c["mentions"], c["links"], c["likes"], c["replies"], c["reposts"], c["quotes"], c["views"], c["paid_flag"],
        c["is_reply"], c["language"])
    post_rows: dict[int, Post] = {}
    for r in cursor:
        paid = r[i_paid]
        post = post_rows[r[i_id]] = Post(
            # A platform's date Python cannot read is stored as given and loads as None (the
            # rules that compare dates then report an error for the creator): not a datetime.
            platform_id=r[i_pid], created_at=dt(r[i_created]),  # type: ignore[arg-type]
            text=r[i_text] or "",
            url=r[i_url] or "", hashtags=json_list(r[i_tags]),
            mentions=json_list(r[i_mentions]), links=json_list(r[i_links]),
            likes=r[i_likes], replies=r[i_replies], reposts=r[i_reposts], quotes=r[i_quotes],
            views=r[i_views], paid_flag=None if paid is None else bool(paid),
            is_reply=bool(r[i_reply]), language=r[i_lang])
        by_id[r[i_profile]].posts.append(post)
    _attach_post_features(db, ids, post_rows)


def _load_comments(db: sqlite_utils.Database, by_id: dict[int, Candidate]) -> None:
    ids, dt = list(by_id), _dt
    c, cursor = _tuples(db, f"SELECT * FROM comments WHERE profile_id IN ({_in(ids)}) "
                            f"ORDER BY profile_id, created_at, id", ids)
    (i_profile, i_pid, i_post, i_author, i_handle, i_text, i_created, i_likes, i_author_followers) = (
        c["profile_id"], c["platform_id"], c["post_platform_id"], c["author_id"], c["author_handle"], c["text"],
        c["created_at"], c["likes"], c["author_followers"])
    for r in cursor:
        post_id = r[i_post]
        by_id[r[i_profile]].comments.setdefault(post_id, []).append(Comment(
            platform_id=r[i_pid], post_id=post_id, author_id=r[i_author] or "",
            author_handle=r[i_handle] or "", text=r[i_text] or "", created_at=dt(r[i_created]),
            likes=r[i_likes], author_followers=r[i_author_followers]))


def _load_followers(db: sqlite_utils.Database, by_id: dict[int, Candidate]) -> None:
    ids, dt = list(by_id), _dt
    c, cursor = _tuples(db, f"SELECT * FROM follower_samples WHERE profile_id IN ({_in(ids)}) "
                            "ORDER BY profile_id, platform_id", ids)
    (i_profile, i_pid, i_handle, i_name, i_bio, i_avatar, i_followers, i_following, i_posts, i_created,
     i_last, i_bot) = (
        c["profile_id"], c["platform_id"], c["handle"], c["display_name"], c["bio"], c["has_avatar"],
        c["followers"], c["following"], c["posts_count"], c["created_at"], c["last_post_at"], c["bot"])
    for r in cursor:
        avatar = r[i_avatar]
        by_id[r[i_profile]].followers.append(Follower(
            platform_id=r[i_pid], handle=r[i_handle] or "", display_name=r[i_name] or "",
            bio=r[i_bio] or "", has_avatar=bool(avatar) if avatar is not None else True,
            followers=r[i_followers], following=r[i_following], posts_count=r[i_posts],
            created_at=dt(r[i_created]), last_post_at=dt(r[i_last]),
            bot=None if r[i_bot] is None else bool(r[i_bot])))


def _load_snapshots(db: sqlite_utils.Database, by_id: dict[int, Candidate]) -> None:
    ids, dt = list(by_id), _dt
    c, cursor = _tuples(db, f"SELECT * FROM profile_snapshots WHERE profile_id IN ({_in(ids)}) "
                            f"ORDER BY profile_id, observed_at", ids)
    i_profile, i_observed, i_followers, i_following, i_posts = (
        c["profile_id"], c["observed_at"], c["followers"], c["following"], c["posts_count"])
    for r in cursor:
        observed = dt(r[i_observed])
        assert observed is not None, r[i_observed]  # NOT NULL, and the store writes it as ISO 8601 itself
        by_id[r[i_profile]].snapshots.append(Snapshot(
            observed_at=observed, followers=r[i_followers], following=r[i_following],
            posts_count=r[i_posts]))


def _attach_post_features(db: sqlite_utils.Database, profile_ids: list[int], posts: dict[int, Post]) -> None:
    """Hand the posts' stored analyses (post_features) to the rules that would redo them."""
    from microscout.heuristics import post_features

    found: dict[int, dict[str, str | None]] = {}
    try:
        cursor = db.execute(f"SELECT f.post_id, f.version, f.analysis FROM posts p JOIN post_features f "
                            f"ON f.post_id = p.id WHERE p.profile_id IN ({_in(profile_ids)})", profile_ids)
    except sqlite3.OperationalError:  # a store before migration 8, opened read-only
        post_features.detach()
        return
    for post_id, version, analysis in cursor:
        found.setdefault(post_id, {})[version] = analysis
    post_features.attach([(posts[i], v) for i, v in found.items() if i in posts])


def find_profile(db: sqlite_utils.Database, handle: str) -> list[dict]:
    """Profiles matching a handle, with or without the leading @, or a platform id; spelt
    in another case when none matches as written (the platforms' handles ignore case); or
    whose stored profile URL is the one given (as the exports' Profile URL column shows it)."""
    if re.match(r"(?i)https?://", handle):
        url = handle.rstrip("/")
        found = list(_rows(db, "SELECT * FROM profiles WHERE url IN (?, ?) ORDER BY id", [url, url + "/"]))
        if found:
            return found
    bare = handle.lstrip("@")
    found = list(_rows(db, "SELECT * FROM profiles WHERE handle IN (?, ?) OR platform_id = ? ORDER BY id",
                       [bare, "@" + bare, bare]))
    if found:
        return found
    return list(_rows(db, "SELECT * FROM profiles WHERE handle COLLATE NOCASE IN (?, ?) "
                          "OR platform_id COLLATE NOCASE = ? ORDER BY id", [bare, "@" + bare, bare]))


def stats(db: sqlite_utils.Database) -> dict[str, int]:
    tables = ["profiles", "profile_snapshots", "posts", "comments", "follower_samples",
              "crawl_runs", "shortlist_runs", "verdicts", "exports", "schedule_runs"]
    return {t: db[t].count for t in tables if t in db.table_names()}
