"""Write the population straight into a microscout store, as if two crawls (day 0 and
day 7) had fetched it: profiles with two snapshots, recent posts with their features,
replies to the newest posts and a follower sample. Streams in batches, one transaction
each: memory stays flat.

Opted-out accounts are stored as the crawler must store them: id, opted_out=1, reason.

Speed (BENCHMARKS.md, "Population generation"): building a batch's rows costs several
times more than writing them, and they are a pure function of (size, seed, the batch's
profile range), so worker processes build them (``workers``) while this one, SQLite's
single writer, writes. Workers compute every stored feature (a post's analysis and
campaign terms, a reply's and a follower's class: store.features.KINDS) from the row in
hand, as the store computes it (the store would read the rows back to compute them here);
rows travel as plain lists and are written with the INSERT … ON CONFLICT DO UPDATE the
store's upsert would run. Profiles go
through upsert_profiles, which gives the ids the other rows then take.
"""
from __future__ import annotations

import json
import multiprocessing
import os
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterator

import sqlite_utils
from pydantic import BaseModel

from microscout.crawlers.parse_common import with_hidden_links
from microscout.sandbox import ids
from microscout.sandbox.bluesky_wire import words as bluesky_words
from microscout.sandbox.clock import DAY, Clock
from microscout.sandbox.mastodon_wire import website as mastodon_website
from microscout.sandbox.population import Account, Person, Population
from microscout.sandbox.text import plain
from microscout.sandbox.truth import SECOND_DAY
from microscout.store import features, open_store
from microscout.store.transaction import transaction
from microscout.store.writes import now_iso, upsert_profiles

MAX_ROWS_PER_BATCH = 20_000
MAX_WORKERS = 8
MIN_PARALLEL = 2_000  # profiles: ~10 s of building, against ~1 s to start the processes
_encode = json.JSONEncoder(ensure_ascii=False).encode


def _to_json(values: list[str]) -> str:
    """A list column as store.writes encodes it."""
    return _encode(values) if values else "[]"


@dataclass
class GenerateStats:
    profiles: int = 0
    opted_out: int = 0
    posts: int = 0
    comments: int = 0
    followers: int = 0


def opt_out_reason(p: Person) -> str:
    """The reason a crawl stores for this account's opt-out, as its parser words it."""
    if "label" in p.opt_out:
        return f"label {p.opt_out['label']}"
    from microscout.crawlers.parse_mastodon import opt_out_reason as mastodon_reason

    return mastodon_reason(dict(p.opt_out)) or ""


def _profile_row(pop: Population, p: Person, clock: Clock, run_id: int) -> dict:
    if p.opt_out:  # as the crawl stores it (crawlers.items.OptOutItem): no handle, the reason
        return {"platform": p.platform, "platform_id": p.platform_id, "handle": "",
                "opted_out": 1, "opt_out_reason": opt_out_reason(p), "crawl_run_id": run_id}
    visible = [t for _, t in pop.visible_times(p, clock.day)]
    mastodon = p.platform == "mastodon"
    return {
        "platform": p.platform, "platform_id": p.platform_id,
        "handle": p.full_acct if mastodon else p.handle, "display_name": p.display_name, "bio": p.bio,
        "url": f"https://{p.host}/@{p.username}" if mastodon else f"https://bsky.app/profile/{p.handle}",
        "website": mastodon_website(p) if mastodon else None,
        "has_avatar": int(p.has_avatar), "followers": p.followers(clock.day), "following": p.following,
        "posts_count": p.statuses_before + len(visible),
        "created_at": clock.dt(-p.created_days * DAY).isoformat(),
        "last_post_at": clock.dt(visible[0]).isoformat() if visible else None,
        "bot": int(p.bot), "instance": p.host if mastodon else "bsky.sandbox",
        "api_id": str(ids.ACCOUNT_BASE + p.i) if mastodon else p.did,
        "bridged": int(p.bridged), "collections_hidden": int(p.hide_collections),
        "fetched": ["profile", "posts", "comments", "followers", "history"], "crawl_run_id": run_id,
    }


def _post_key(p: Person, n: int, did: str = "") -> str:
    if p.platform == "mastodon":
        return str(n)
    return f"at://{did or p.did}/app.bsky.feed.post/{ids.tid(n)}"


def _account_key(p: Person, acc: Account) -> str:
    return f"{acc.username}@{acc.host}" if p.platform == "mastodon" else acc.did


def _upsert_sql(table: str, columns: tuple[str, ...], conflict: tuple[str, ...]) -> str:
    """What store.writes.upsert runs for rows of these columns."""
    updates = ", ".join(f"{c}=excluded.{c}" for c in columns if c not in conflict)
    return (f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "
            f"ON CONFLICT ({', '.join(conflict)}) DO UPDATE SET {updates}")


# profile_id first in every row: built as the profile's place in its batch, replaced by its
# id once upsert_profiles has given it.
SNAPSHOT_COLUMNS = ("profile_id", "observed_at", "followers", "following", "posts_count", "crawl_run_id")
POST_COLUMNS = ("profile_id", "platform", "platform_id", "created_at", "text", "url", "hashtags", "mentions",
                "links", "likes", "replies", "reposts", "quotes", "is_reply", "language")
COMMENT_COLUMNS = ("profile_id", "platform", "platform_id", "post_platform_id", "author_id", "author_handle",
                   "text", "created_at", "likes", "author_followers")
FOLLOWER_COLUMNS = ("profile_id", "platform_id", "handle", "display_name", "bio", "has_avatar", "bot", "followers",
                    "following", "posts_count", "created_at", "last_post_at", "sampled_at")
SNAPSHOTS_SQL = _upsert_sql("profile_snapshots", SNAPSHOT_COLUMNS, ("profile_id", "observed_at"))
POSTS_SQL = _upsert_sql("posts", POST_COLUMNS, ("platform", "platform_id"))
COMMENTS_SQL = _upsert_sql("comments", COMMENT_COLUMNS, ("platform", "platform_id"))
FOLLOWERS_SQL = _upsert_sql("follower_samples", FOLLOWER_COLUMNS, ("profile_id", "platform_id"))
# Each kind of stored feature (store.features.KINDS), the item's id looked up by SQLite in the
# same statement; a follower is keyed by its profile (its place in the batch until written).
FEATURES_SQL = {
    "posts": "INSERT OR REPLACE INTO post_features (post_id, version, analysis) "
             "SELECT id, ?, ? FROM posts WHERE platform = ? AND platform_id = ?",
    "niche": "INSERT OR REPLACE INTO niche_features (post_id, version, terms) "
             "SELECT id, ?, ? FROM posts WHERE platform = ? AND platform_id = ?",
    "comments": "INSERT OR REPLACE INTO comment_features (comment_id, version, label, detail) "
                "SELECT id, ?, ?, ? FROM comments WHERE platform = ? AND platform_id = ?",
    "followers": "INSERT OR REPLACE INTO follower_features (profile_id, platform_id, version, label, detail) "
                 "VALUES (?, ?, ?, ?, ?)",
}


def batch_size(batch: int, posts: int, posts_with_replies: int, followers: int) -> int:
    """Profiles per transaction: ``batch``, capped so that replies and follower samples do not
    make a batch (and peak memory) several times larger than posts alone would."""
    per_profile = 1 + posts + posts_with_replies * ids.MAX_REPLIES + followers
    return max(1, min(batch, MAX_ROWS_PER_BATCH // per_profile))


@dataclass(frozen=True)
class _Job:
    """What a batch's rows depend on: all of it, so that any process can build them."""

    size: int
    seed: int
    start: int
    stop: int
    posts: int
    posts_with_replies: int
    followers: int
    run_id: int
    clock_start: float
    versions: tuple[tuple[str, str, str, str], ...]  # (kind, platform, features version, settings JSON)


@dataclass
class _Rows:
    profiles: list[dict] = field(default_factory=list)
    opted_out: int = 0
    snapshots: list[list] = field(default_factory=list)
    posts: list[list] = field(default_factory=list)
    features: dict[str, list] = field(default_factory=dict)  # kind -> its rows for FEATURES_SQL
    comments: list[list] = field(default_factory=list)
    followers: list[list] = field(default_factory=list)


class _Days(dict):
    """clock.dt(n * DAY).isoformat() by n: follower samples repeat a few thousand days."""

    def __init__(self, clock: Clock):
        super().__init__()
        self.clock = clock

    def __missing__(self, n: int) -> str:
        out = self[n] = self.clock.dt(n * DAY).isoformat()
        return out


@lru_cache(maxsize=4)
def _population(size: int, seed: int) -> Population:
    return Population(size, seed)  # one per process, kept across its batches


@lru_cache(maxsize=16)
def _settings(kind: str, settings_json: str) -> BaseModel:
    return features.KIND[kind].settings().model_validate_json(settings_json)


def _build(job: _Job) -> _Rows:
    """The rows of profiles [start, stop); profile_id holds the profile's place in the batch."""
    pop = _population(job.size, job.seed)
    clock = Clock(day=SECOND_DAY, start=job.clock_start)
    first = Clock(day=0, start=clock.start - SECOND_DAY * DAY)  # the day-0 crawl, a week ago
    observed = [(first.dt(0).isoformat(timespec="seconds"), 0),
                (clock.dt(SECOND_DAY * DAY).isoformat(timespec="seconds"), SECOND_DAY)]
    sampled_at = clock.dt(clock.day * DAY).isoformat(timespec="seconds")
    days = _Days(clock)
    # (kind, platform) -> [(version, settings, Kind.compute)]: every feature is computed as the
    # store computes it, from the columns it stores (Kind.inputs).
    versions: dict[tuple[str, str], list[tuple[str, BaseModel, Callable]]] = {}
    for kind, platform, version, settings_json in job.versions:
        versions.setdefault((kind, platform), []).append(
            (version, _settings(kind, settings_json), features.KIND[kind].compute))
    out = _Rows(features={kind: [] for kind in FEATURES_SQL})
    posts_f, niche_f, comments_f, followers_f = (out.features[k] for k in ("posts", "niche", "comments", "followers"))

    for j, i in enumerate(range(job.start, job.stop)):
        p = pop.person(i)
        out.profiles.append(_profile_row(pop, p, clock, job.run_id))
        if p.opt_out:
            out.opted_out += 1
            continue
        for at, day in observed:
            out.snapshots.append([j, at, p.followers(day), p.following, pop.statuses_count(p, day), job.run_id])
        platform = p.platform
        did = p.did if platform == "bluesky" else ""  # computed once per profile
        url = f"https://{p.host}/@{p.username}/"
        for n, (k, t) in enumerate(pop.visible_times(p, clock.day)[:job.posts]):
            post = pop.post(p, k, t)
            segs = bluesky_words(post) if did else post.segments
            links = [v for kind, v in segs if kind == "link"]
            text = plain(segs)
            if post.card is not None:
                # as parse_bluesky stores a card's link: among the links, and after the words
                # (a line of its own) when they do not hold it
                links = list(dict.fromkeys([*links, post.card.uri]))
                text = with_hidden_links(text, links)
            tags = list(dict.fromkeys(v.lower() for kind, v in segs if kind == "tag"))
            key = _post_key(p, post.id, did)
            tags_json = _to_json(tags)
            out.posts.append([j, platform, key, clock.dt(t).isoformat(), text, f"{url}{post.id}", tags_json,
                              _to_json([v for kind, v in segs if kind == "mention"]), _to_json(links),
                              post.likes, post.replies, post.reblogs, post.quotes, 0, post.language])
            for version, settings, compute in versions.get(("posts", platform), ()):
                posts_f.append((version, *compute((text, tags_json, None), settings), platform, key))
            for version, settings, compute in versions.get(("niche", platform), ()):
                niche_f.append((version, *compute((text, tags_json), settings), platform, key))
            if n < job.posts_with_replies:
                for r in pop.replies(post, clock.day):
                    a = r.author
                    author = _account_key(p, a)  # on Bluesky the DID, which keys the reply too
                    reply_key = _post_key(p, r.id, author)
                    out.comments.append([j, platform, reply_key, key, author, a.username, r.text,
                                         clock.dt(r.t).isoformat(), r.likes, a.followers])
                    for version, settings, compute in versions.get(("comments", platform), ()):
                        comments_f.append((version, *compute((r.text,), settings), platform, reply_key))
        for m in list(pop.follower_indexes(p, clock.day))[:job.followers]:
            f = pop.follower(p, m)
            follower_key = _account_key(p, f)
            out.followers.append([j, follower_key, f.username, f.display_name, f.bio, int(f.has_avatar),
                                  int(f.bot), f.followers, f.following, f.posts, days[-f.created_days],
                                  days[-f.last_post_days] if f.last_post_days is not None else None, sampled_at])
            for version, settings, compute in versions.get(("followers", platform), ()):
                inputs = (f.username, f.followers, f.following, f.posts, int(f.has_avatar), f.bio, int(f.bot))
                followers_f.append([j, follower_key, version, *compute(inputs, settings)])
    return out


def _write(db: sqlite_utils.Database, rows: _Rows, stats: GenerateStats) -> None:
    """One batch, in the caller's transaction."""
    keys = upsert_profiles(db, rows.profiles)
    pids = [keys[(r["platform"], r["platform_id"])] for r in rows.profiles]
    for table in (rows.snapshots, rows.posts, rows.comments, rows.followers, rows.features["followers"]):
        for row in table:
            row[0] = pids[row[0]]
    db.conn.executemany(SNAPSHOTS_SQL, rows.snapshots)
    db.conn.executemany(POSTS_SQL, rows.posts)
    db.conn.executemany(COMMENTS_SQL, rows.comments)
    db.conn.executemany(FOLLOWERS_SQL, rows.followers)
    for kind, sql in FEATURES_SQL.items():
        db.conn.executemany(sql, rows.features[kind])
    stats.opted_out += rows.opted_out
    stats.profiles += len(rows.profiles) - rows.opted_out
    stats.posts += len(rows.posts)
    stats.comments += len(rows.comments)
    stats.followers += len(rows.followers)


def _built(jobs: list[_Job], workers: int) -> Iterator[_Rows]:
    """The jobs' rows in order: built here (workers 0), or by that many processes, at most
    two batches each ahead of the writer (so memory stays flat)."""
    if workers <= 0:
        yield from map(_build, jobs)
        return
    # spawn: a forked child would inherit the writer's open SQLite connection
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
    try:
        pending: deque[Future[_Rows]] = deque()
        todo = iter(jobs)
        for job in todo:
            pending.append(pool.submit(_build, job))
            if len(pending) >= 2 * workers:
                break
        while pending:
            rows = pending.popleft().result()
            more = next(todo, None)
            if more is not None:
                pending.append(pool.submit(_build, more))
            yield rows
    finally:
        pool.shutdown(cancel_futures=True)


def default_workers(size: int) -> int:
    """Processes building rows: one per core (the writer mostly waits for them), none for a
    small population, where starting them costs more than they save."""
    return min(MAX_WORKERS, os.cpu_count() or 1) if size >= MIN_PARALLEL else 0


def generate(path: str | Path, size: int, seed: int, *, posts: int = 30, posts_with_replies: int = 5,
             followers: int = 80, batch: int = 500, workers: int | None = None,
             progress: Callable[[int], None] | None = None) -> GenerateStats:
    """``workers``: processes building the rows (default: default_workers(size); 0 builds
    them in this process). Any number of workers writes the same rows."""
    db = open_store(path)
    stats = GenerateStats()
    with transaction(db):
        # "running" (with this process's id, as a crawl's) until every profile is written: a
        # generation stopped half-way is recorded interrupted, never finished.
        run_id = db.execute(
            "INSERT INTO crawl_runs (platform, arguments, started_at, status, stats) VALUES (?, ?, ?, ?, ?)",
            ["sandbox", json.dumps({"generate": {"size": size, "seed": seed}}), now_iso(), "running",
             json.dumps({"pid": os.getpid()})]).lastrowid
    assert run_id is not None  # the INSERT just made the row
    try:
        _generate_rows(db, run_id, size, seed, posts, posts_with_replies, followers, batch, workers, progress, stats)
    except BaseException:
        with transaction(db):
            db.execute("UPDATE crawl_runs SET status = 'interrupted', finished_at = ?, profiles = ?, posts = ? "
                       "WHERE id = ?", [now_iso(), stats.profiles + stats.opted_out, stats.posts, run_id])
        db.close()
        raise
    with transaction(db):
        db.execute("UPDATE crawl_runs SET status = 'finished', finished_at = ?, profiles = ?, posts = ?, items = ? "
                   "WHERE id = ?", [now_iso(), stats.profiles + stats.opted_out, stats.posts,
                                    stats.profiles + stats.posts + stats.comments + stats.followers, run_id])
    db.close()
    return stats


def _generate_rows(db, run_id: int, size: int, seed: int, posts: int, posts_with_replies: int, followers: int,
                   batch: int, workers: int | None, progress: Callable[[int], None] | None,
                   stats: GenerateStats) -> None:
    clock = Clock(day=SECOND_DAY)
    versions = tuple((kind.name, platform, version, settings) for kind in features.KINDS
                     if features.has_features(db, kind) for platform in ("mastodon", "bluesky")
                     for version, settings in features.wanted(db, platform, kind).items())
    step = batch_size(batch, posts, posts_with_replies, followers)
    jobs = [_Job(size, seed, start, min(start + step, size), posts, posts_with_replies, followers, run_id,
                 clock.start, versions) for start in range(0, size, step)]
    for rows in _built(jobs, default_workers(size) if workers is None else workers):
        with transaction(db):
            _write(db, rows, stats)
        if progress:
            progress(len(rows.profiles))
