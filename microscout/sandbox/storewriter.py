"""Write the population straight into a microscout store, as if two crawls (day 0 and
day 7) had fetched it: profiles with two snapshots, recent posts, replies to the newest
posts and a follower sample. Streams in batches, one transaction each: memory stays flat.

Opted-out accounts are stored as the crawler must store them: id, opted_out=1, reason.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from microscout.sandbox import ids
from microscout.sandbox.clock import DAY, Clock
from microscout.sandbox.population import Person, Population
from microscout.sandbox.text import plain
from microscout.sandbox.truth import SECOND_DAY
from microscout.store import open_store
from microscout.store.writes import (
    add_snapshots,
    now_iso,
    upsert_comments,
    upsert_followers,
    upsert_posts,
    upsert_profiles,
)

MAX_ROWS_PER_BATCH = 20_000


@dataclass
class GenerateStats:
    profiles: int = 0
    opted_out: int = 0
    posts: int = 0
    comments: int = 0
    followers: int = 0


def opt_out_reason(p: Person) -> str:
    if "label" in p.opt_out:
        return f"label {p.opt_out['label']}"
    key, value = next(iter(p.opt_out.items()))
    return f"{key}={str(value).lower()}"


def _profile_row(pop: Population, p: Person, clock: Clock, run_id: int) -> dict:
    if p.opt_out:
        return {"platform": p.platform, "platform_id": p.platform_id, "handle": p.platform_id,
                "opted_out": 1, "opt_out_reason": opt_out_reason(p), "crawl_run_id": run_id}
    visible = [t for _, t in pop.visible_times(p, clock.day)]
    mastodon = p.platform == "mastodon"
    return {
        "platform": p.platform, "platform_id": p.platform_id,
        "handle": p.full_acct if mastodon else p.handle, "display_name": p.display_name, "bio": p.bio,
        "url": f"https://{p.host}/@{p.username}" if mastodon else f"https://bsky.app/profile/{p.handle}",
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


def _account_key(p: Person, acc) -> str:
    return f"{acc.username}@{acc.host}" if p.platform == "mastodon" else acc.did


def generate(path: str | Path, size: int, seed: int, *, posts: int = 30, posts_with_replies: int = 5,
             followers: int = 80, batch: int = 500, progress: Callable[[int], None] | None = None) -> GenerateStats:
    db = open_store(path)
    clock = Clock(day=SECOND_DAY)
    first = Clock(day=0, start=clock.start - SECOND_DAY * DAY)  # the day-0 crawl, a week ago
    pop = Population(size, seed)
    stats = GenerateStats()
    with db.conn:
        run_id = db.execute(
            "INSERT INTO crawl_runs (platform, arguments, started_at, finished_at, status) VALUES (?, ?, ?, ?, ?)",
            ["sandbox", json.dumps({"generate": {"size": size, "seed": seed}}), now_iso(), now_iso(),
             "finished"]).lastrowid
    assert run_id is not None  # the INSERT just made the row
    # Cap the rows one transaction buffers, so replies and follower samples do not make
    # a batch (and peak memory) several times larger than posts alone would.
    per_profile = 1 + posts + posts_with_replies * ids.MAX_REPLIES + followers
    batch = max(1, min(batch, MAX_ROWS_PER_BATCH // per_profile))
    for start in range(0, size, batch):
        people = [pop.person(i) for i in range(start, min(start + batch, size))]
        with db.conn:
            keys = upsert_profiles(db, [_profile_row(pop, p, clock, run_id) for p in people])
            snaps, post_rows, comment_rows, follower_rows = [], [], [], []
            for p in people:
                pid = keys[(p.platform, p.platform_id)]
                if p.opt_out:
                    stats.opted_out += 1
                    continue
                stats.profiles += 1
                for c, day in ((first, 0), (clock, SECOND_DAY)):
                    snaps.append({"profile_id": pid, "observed_at": c.dt(day * DAY).isoformat(timespec="seconds"),
                                  "followers": p.followers(day), "following": p.following,
                                  "posts_count": pop.statuses_count(p, day), "crawl_run_id": run_id})
                times = pop.visible_times(p, clock.day)[:posts]
                did = p.did if p.platform == "bluesky" else ""  # computed once per profile
                for n, (k, t) in enumerate(times):
                    post = pop.post(p, k, t)
                    segs = post.segments
                    post_rows.append({
                        "platform": p.platform, "platform_id": _post_key(p, post.id, did), "profile_id": pid,
                        "created_at": clock.dt(t).isoformat(), "text": plain(segs),
                        "url": f"https://{p.host}/@{p.username}/{post.id}",
                        "hashtags": list(dict.fromkeys(v.lower() for kind, v in segs if kind == "tag")),
                        "mentions": [v for kind, v in segs if kind == "mention"],
                        "links": [v for kind, v in segs if kind == "link"],
                        "likes": post.likes, "replies": post.replies, "reposts": post.reblogs,
                        "quotes": post.quotes, "is_reply": 0, "language": post.language})
                    if n < posts_with_replies:
                        for r in pop.replies(post, clock.day):
                            comment_rows.append({
                                "platform": p.platform, "platform_id": _post_key(p, r.id, r.author.did),
                                "profile_id": pid,
                                "post_platform_id": _post_key(p, post.id, did),
                                "author_id": _account_key(p, r.author), "author_handle": r.author.username,
                                "text": r.text, "created_at": clock.dt(r.t).isoformat(), "likes": r.likes,
                                "author_followers": r.author.followers})
                for m in list(pop.follower_indexes(p, clock.day))[:followers]:
                    f = pop.follower(p, m)
                    follower_rows.append({
                        "profile_id": pid, "platform_id": _account_key(p, f), "handle": f.username,
                        "display_name": f.display_name, "bio": f.bio, "has_avatar": int(f.has_avatar),
                        "bot": int(f.bot),
                        "followers": f.followers, "following": f.following, "posts_count": f.posts,
                        "created_at": clock.dt(-f.created_days * DAY).isoformat(),
                        "last_post_at": (clock.dt(-f.last_post_days * DAY).isoformat()
                                         if f.last_post_days is not None else None),
                        "sampled_at": clock.dt(clock.day * DAY).isoformat(timespec="seconds")})
            add_snapshots(db, snaps)
            stats.posts += upsert_posts(db, post_rows)
            stats.comments += upsert_comments(db, comment_rows)
            stats.followers += upsert_followers(db, follower_rows)
        if progress:
            progress(len(people))
    with db.conn:
        db.execute("UPDATE crawl_runs SET profiles = ?, posts = ?, items = ? WHERE id = ?",
                   [stats.profiles + stats.opted_out, stats.posts,
                    stats.profiles + stats.posts + stats.comments + stats.followers, run_id])
    db.close()
    return stats
