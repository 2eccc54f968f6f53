"""Instagram Graph API entities, shaped like the recordings in shared/fixtures/instagram:
IG Media (hashtag edges and business_discovery media), the business_discovery user, errors.

Every person of the population is projected onto Instagram, whatever platform it was
drawn on: its username made an Instagram one, its ids derived from its index. A person
who opted out (or hides its collections) on the fediverse is a personal or private account
here, which business_discovery cannot see. A few hide their like counts. Followers and
per-media engagement are served at Instagram's scale (scale.py).
"""
from __future__ import annotations

import base64
import random
import re

from microscout.sandbox import ids
from microscout.sandbox.clock import Clock
from microscout.sandbox.population import Person, Population, Post
from microscout.sandbox.scale import Scaled

USER_BASE = 17841401000000000   # IG user ids of the population: USER_BASE + index
OWN_ACCOUNT = "17841400000000001"  # the professional account the crawler calls as
HASHTAG_BASE = 17843000000000000
_BAD = re.compile(r"[^a-z0-9._]")
_scaled = Scaled("instagram")
followers, likes, comments, shares = _scaled.followers, _scaled.likes, _scaled.comments, _scaled.shares


def username(p: Person) -> str:
    """The person's Instagram username: the fediverse one, lower-cased, without a bridge
    suffix, in Instagram's alphabet (letters, digits, "_" and ".")."""
    base = p.username.lower().removesuffix(".bsky.social")
    return _BAD.sub("_", base)[:30].rstrip(".")


def person_by_username(pop: Population, name: str) -> Person | None:
    name = name.lower().lstrip("@")
    sep = name.rfind("_")
    i = ids.unsyllables(name[sep + 1:]) if sep >= 0 else None
    if i is None or not 0 <= i < pop.size:
        return None
    p = pop.person(i)
    return p if username(p) == name else None


def professional(p: Person) -> bool:
    """business_discovery sees business and creator accounts only."""
    return not p.opt_out and not p.hide_collections


def hides_likes(pop: Population, p: Person) -> bool:
    return random.Random(f"{pop.seed}:{p.i}:ig").random() < 0.05


def user_id(p: Person) -> str:
    return str(USER_BASE + p.i)


def platform_id(p: Person) -> str:
    """What a crawler stores as the account's platform_id (business_discovery's id)."""
    return user_id(p)


def index_of(pop: Population, value: str) -> int | None:
    """The person behind a stored platform_id, or None."""
    i = int(value) - USER_BASE if value.isdigit() else -1
    return i if 0 <= i < pop.size else None


def stamp(clock: Clock, t: float) -> str:
    """Graph API time: 2021-08-17T19:00:42+0000."""
    return clock.dt(t).strftime("%Y-%m-%dT%H:%M:%S+0000")


def shortcode(n: int) -> str:
    return base64.urlsafe_b64encode(n.to_bytes(9, "big")).decode().rstrip("=")


def caption(pop: Population, post: Post, keep_at: bool = False) -> str:
    """The caption as the Graph API serves it: a mention is the bare username, without its
    "@" (the IG Media reference: the caption excludes the @ symbol unless the app user is an
    admin of the Page connected to the account that created it; none of the recorded hashtag
    captions holds one). ``keep_at``: as served to such an admin."""
    out = []
    for kind, value in post.segments:
        if kind == "tag":
            out.append("#" + value)
        elif kind == "mention":
            friend = pop.index_of_username(value)
            # a fellow creator by its Instagram username; a brand's account by its name
            name = username(pop.person(friend)) if friend is not None else re.split(r"[@.]", value)[0].lower()
            out.append(("@" if keep_at else "") + name)
        else:
            out.append(value)
    return "".join(out)


def media(pop: Population, post: Post, clock: Clock, fields: list[str], keep_at: bool = False) -> dict:
    """An IG Media with the requested fields (id always; like_count left out when hidden;
    never an owner: hashtag media name no author)."""
    p = pop.person(post.i)
    full = {
        "id": str(post.id), "caption": caption(pop, post, keep_at), "comments_count": comments(post),
        "like_count": likes(post), "media_type": "IMAGE",
        "media_url": f"https://scontent.cdninstagram.example/v/{post.id}.jpg",
        "permalink": f"https://www.instagram.com/p/{shortcode(post.id)}/", "timestamp": stamp(clock, post.t),
    }
    if hides_likes(pop, p):
        del full["like_count"]
    return {k: full[k] for k in ["id", *fields] if k in full}


def user(pop: Population, p: Person, day: int, fields: list[str]) -> dict:
    full = {
        "id": user_id(p), "ig_id": USER_BASE - 17841400000000000 + p.i, "username": username(p),
        "name": p.display_name, "biography": p.bio,
        "followers_count": followers(p, day), "follows_count": p.following,
        "media_count": pop.statuses_count(p, day),
    }
    if p.has_avatar:
        full["profile_picture_url"] = f"https://scontent.xx.fbcdn.example/v/{user_id(p)}.jpg"
    if p.archetype in ("ad_heavy", "celebrity"):
        full["website"] = f"https://linktr.ee/{username(p)}"
    return {k: full[k] for k in ["id", *fields] if k in full}


def cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def uncursor(value: str | None) -> int | None:
    if not value:
        return 0
    try:
        text = base64.urlsafe_b64decode(value.encode()).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    return int(text[7:]) if text.startswith("offset:") and text[7:].isdigit() else None


def error(code: int, message: str, type_: str = "OAuthException", subcode: int | None = None,
          transient: bool | None = None, **extra) -> dict:
    """The Graph API's error body (keys as in shared/fixtures/instagram/error_*.json)."""
    err: dict = {"message": message, "type": type_}
    if transient is not None:
        err["is_transient"] = transient
    err["code"] = code
    if subcode is not None:
        err["error_subcode"] = subcode
    err.update(extra)
    err["fbtrace_id"] = "A" + shortcode(hash(message) & 0xFFFFFFFFFFFF)[:22]
    return {"error": err}


def not_found(name: str) -> dict:
    """business_discovery of a personal or private account, or of no account at all."""
    return error(110, "Invalid user id", subcode=2207013, transient=False, error_user_title="Cannot find User",
                 error_user_msg=f"The user with username: {name} cannot be found.")


def bad_token() -> dict:
    return error(190, "Invalid OAuth access token - Cannot parse access token")


def no_token() -> dict:
    return error(104, "An access token is required to request this resource.")


def rate_limited() -> dict:
    return error(4, "(#4) Application request limit reached", transient=True)


def unexpected_error() -> dict:
    """A server error in the Graph API's words (code 2, "API Service": a temporary issue, retry
    later; the Graph API's error-handling guide)."""
    return error(2, "An unexpected error has occurred. Please retry your request later.", transient=True)


def missing_permission(permission: str) -> dict:
    return error(10, f"(#10) This endpoint requires the '{permission}' permission.")


def hashtag_limit() -> dict:
    # The documentation's wording: no recording of this answer was found (see docs/crawl-instagram.md).
    return error(100, "The maximum number of unique hashtags (30) that can be queried within 7 days has been reached.",
                 subcode=2207024, transient=False, error_user_title="Hashtag limit reached",
                 error_user_msg="You can query a maximum of 30 unique hashtags within a 7 day period.")


def unsupported(path: str) -> dict:
    return error(100, f"Unsupported get request. Object with ID '{path}' does not exist, cannot be loaded due to "
                      "missing permissions, or does not support this operation.", "GraphMethodException", 33)
