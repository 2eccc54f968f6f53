"""TikTok Research API bodies, per the API's documentation and the recordings in
shared/fixtures/tiktok: every answer is {"data": …, "error": {"code", "message", "log_id"}}.

Every person of the population is projected onto TikTok whatever platform it was drawn on:
the username is the person's username, a video is a post (same id), a comment a reply.
The population has no views, so a video's view_count is drawn from its engagement: about
VIEW_RATE of the viewers engage (likes, comments, shares), noisy per video. Followers and
per-video engagement are served at TikTok's scale (scale.py).
"""
from __future__ import annotations

import hashlib
import random

from microscout.sandbox.clock import Clock
from microscout.sandbox.population import Account, Person, Population, Post, Reply
from microscout.sandbox.scale import Scaled
from microscout.sandbox.text import plain

VIEW_RATE = 0.07  # engagements per view of a typical sandbox video (TikTok micro: 5-8%, kolens.ai)
_scaled = Scaled("tiktok")
followers, likes, comments, shares = _scaled.followers, _scaled.likes, _scaled.comments, _scaled.shares


def platform_id(p: Person) -> str:
    """What a crawler stores as the account's platform_id: the username."""
    return p.username


def index_of(pop: Population, value: str) -> int | None:
    """The person behind a stored platform_id, or None."""
    i = pop.index_of_username(value)
    return i if i is not None and pop.person(i).username == value else None


def total_likes(pop: Population, p: Person, day: int) -> int:
    """user/info's likes_count: the likes of every visible video."""
    return sum(likes(post) for post in pop.visible_posts(p.i, day))


def log_id(seed: str) -> str:
    """A log id in the API's form (timestamp-ish digits and hex, 34 characters)."""
    return "2024" + hashlib.sha256(seed.encode()).hexdigest().upper()[:30]


def ok(data: dict, seed: str) -> dict:
    return {"data": data, "error": {"code": "ok", "message": "", "log_id": log_id(seed)}}


def error(code: str, message: str, seed: str = "") -> dict:
    """The error shape of shared/fixtures/tiktok/error_invalid_params.json."""
    return {"error": {"code": code, "message": message, "log_id": log_id(seed or code + message)}}


def views(post: Post) -> int:
    engaged = likes(post) + comments(post) + shares(post)
    rate = VIEW_RATE * random.Random(f"views:{post.i}:{post.k}").lognormvariate(0, 0.25)
    return max(engaged, int(engaged / rate))


def video(pop: Population, post: Post, clock: Clock, fields: list[str]) -> dict:
    p = pop.person(post.i)
    full = {"id": post.id, "username": p.username, "video_description": plain(post.segments),
            "create_time": int(clock.wall(post.t)), "like_count": likes(post), "comment_count": comments(post),
            "share_count": shares(post), "view_count": views(post),
            "hashtag_names": [t.lower() for t in post.tags], "region_code": "US"}
    return {k: v for k, v in full.items() if k in fields}


def user_info(pop: Population, p: Person, clock: Clock, base: str, fields: list[str]) -> dict:
    full = {"display_name": p.display_name, "bio_description": p.bio,
            "avatar_url": f"{base}/img/avatar/{p.username}.jpeg" if p.has_avatar else "",
            "is_verified": False, "follower_count": followers(p, clock.day), "following_count": p.following,
            "likes_count": total_likes(pop, p, clock.day), "video_count": pop.statuses_count(p, clock.day)}
    return {k: v for k, v in full.items() if k in fields}


def follower(acc: Account) -> dict:
    return {"display_name": acc.display_name, "username": acc.username}


def comment(reply: Reply, post: Post, clock: Clock, fields: list[str]) -> dict:
    full = {"id": reply.id, "video_id": post.id, "text": reply.text, "like_count": reply.likes,
            "reply_count": 0, "create_time": int(clock.wall(reply.t)), "parent_comment_id": post.id}
    return {k: v for k, v in full.items() if k in fields or k == "id"}
