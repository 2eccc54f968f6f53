"""Deterministic crawl pages (profiles with their posts, comments and followers, as a crawl
brings them) for the stored-rows test of the write path and benchmarks/ingest.py."""
from __future__ import annotations

import random

from microscout.crawlers.items import (
    CommentItem,
    FetchedItem,
    FollowerItem,
    Item,
    OptOutItem,
    PostItem,
    ProfileItem,
    UsageItem,
)

WORDS = "coffee brew roast latte bean grind pour espresso morning cafe shop home kettle cup".split()


def _text(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def page(rng: random.Random, i: int, *, posts: int = 20, comments: int = 40, followers: int = 40,
         crawl: int = 0, extras: bool = False) -> list[Item]:
    """One profile's page: the profile, its posts, replies to them and a follower sample.
    ``crawl`` > 0 is a later crawl of the same profile (counts moved on, a post more);
    ``extras`` adds what a real crawl also sends now and then (opt-outs, fetched, usage)."""
    platform = ("mastodon", "bluesky", "youtube")[i % 3]
    pid = f"{platform}-{i}"
    if extras and crawl and i % 7 == 3:
        return [OptOutItem(platform=platform, platform_id=pid, opt_out_reason="noindex")]
    profile = ProfileItem(
        platform=platform, platform_id=pid, handle=f"user{i}", display_name=f"User {i}" if i % 5 else None,
        bio=_text(rng, 12), url=f"https://{platform}.example/@user{i}", has_avatar=bool(i % 4),
        followers=1000 + 37 * i + 11 * crawl, following=100 + i, posts_count=300 + i + crawl,
        created_at="2020-01-02T03:04:05Z",
        last_post_at=None if platform == "bluesky" else f"2026-09-{1 + i % 28:02d}T10:00:00Z",
        bot=i % 11 == 0, instance=f"{platform}.example" if platform == "mastodon" else None,
        api_id=str(10_000 + i), bridged=i % 13 == 0, fetched=["profile", "posts"])
    items: list[Item] = [profile]
    n_posts = posts + crawl
    for k in range(n_posts):
        day = 1 + (k + crawl) % 28
        items.append(PostItem(
            platform=platform, platform_id=f"{pid}-p{k}", profile_platform_id=pid,
            created_at=f"2026-09-{day:02d}T{k % 24:02d}:00:00Z", text=_text(rng, 20),
            url=f"https://{platform}.example/p/{k}" if k % 3 else None,
            hashtags=[rng.choice(WORDS) for _ in range(k % 4)], mentions=[f"user{(i + k) % 50}"] if k % 5 == 0 else [],
            links=["https://shop.example/x?ref=abc"] if k % 9 == 0 else [], likes=rng.randrange(500) + crawl,
            replies=rng.randrange(50), reposts=rng.randrange(20) if k % 2 else None, quotes=None if k % 3 else 1,
            views=rng.randrange(10_000) if platform == "youtube" else None,
            paid_flag=(k % 10 == 0) if platform == "youtube" else None, is_reply=k % 17 == 0,
            language="en" if k % 6 else None))
    for k in range(comments):
        post = k % max(n_posts, 1)
        items.append(CommentItem(
            platform=platform, platform_id=f"{pid}-c{k}", profile_platform_id=pid, post_platform_id=f"{pid}-p{post}",
            author_id=f"a{(i * 31 + k) % 997}" if k % 8 else None, author_handle=f"fan{k}" if k % 8 else None,
            text=_text(rng, 8), created_at=f"2026-09-{1 + k % 28:02d}T12:00:00Z" if k % 10 else None,
            likes=rng.randrange(30) if k % 2 else None, author_followers=rng.randrange(5000) if k % 3 else None))
    for k in range(followers):
        items.append(FollowerItem(
            platform=platform, profile_platform_id=pid, platform_id=f"{platform}-f{(i * 7 + k) % 5000}",
            handle=f"follower{k}", display_name=f"F {k}" if k % 2 else None, bio=_text(rng, 6) if k % 3 else None,
            has_avatar=bool(k % 4) if k % 5 else None, followers=rng.randrange(2000), following=rng.randrange(900),
            posts_count=rng.randrange(400) if k % 6 else None, created_at="2024-05-06T07:08:09Z",
            last_post_at=f"2026-08-{1 + k % 28:02d}T09:00:00Z" if k % 4 else None,
            bot=(k % 19 == 0) if platform == "mastodon" else None))
    if extras:
        items.append(FetchedItem(platform=platform, platform_id=pid, fetched=["profile", "posts", "comments"],
                                 collections_hidden=i % 9 == 0))
        if i % 4 == 0:
            items.append(UsageItem(platform=platform, usage="quota_units", key="2026-09-30",
                                   at="2026-09-30T10:00:00Z", units=i))
    return items


def pages(n: int, *, seed: int = 12, crawl: int = 0, extras: bool = False, **sizes: int) -> list[list[Item]]:
    rng = random.Random(seed + crawl)
    return [page(rng, i, crawl=crawl, extras=extras, **sizes) for i in range(n)]
