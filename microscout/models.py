"""The one model of the stored data: a profile, its posts, the replies to them, a sample of
its followers and its history, as the store holds them and the rules read them.

The direction stays one way: the crawlers write rows of these shapes (their pydantic items
carry the same field names, checked by tests/test_models.py against the schema), the store
(microscout/store) reads them back into these dataclasses, the engine judges them.

Every field says what it holds and in what unit (``_doc``); scripts/update_plugin_docs.py
renders them into docs/PLUGINS.md and tests/test_docs.py keeps the two in step.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


def _doc(doc: str, **kw: Any) -> Any:
    """A field with its meaning and unit, which docs/PLUGINS.md's reference is generated from."""
    return field(metadata={"doc": doc}, **kw)



@dataclass(slots=True)
class Profile:
    id: int = _doc("the store's row id")
    platform: str = _doc("mastodon, bluesky, …")
    platform_id: str = _doc("the account's id on the platform: acct user@domain on Mastodon, the DID on Bluesky")
    handle: str = _doc("the name people type: user@instance on Mastodon, name.bsky.social on Bluesky")
    display_name: str = _doc("the name shown, as the account wrote it", default="")
    bio: str = _doc("the profile text, HTML reduced to plain text", default="")
    url: str = _doc("the profile's web address", default="")
    website: str = _doc("the creator's own website as the platform gives it (Instagram's website, a Mastodon "
                        "profile field whose link the server verified, an imported file's website column); an "
                        "http(s) URL, '' when none", default="")
    has_avatar: bool = _doc("True unless the platform shows its default picture", default=True)
    followers: int | None = _doc("follower count; None when hidden (never 0 for hidden)", default=None)
    following: int | None = _doc("how many accounts it follows; None when hidden", default=None)
    posts_count: int | None = _doc("posts the platform counts for the account (all time); None when hidden",
                                   default=None)
    created_at: datetime | None = _doc("when the account was created (UTC)", default=None)
    last_post_at: datetime | None = _doc("its newest post (UTC): the platform's, else the newest fetched", default=None)
    bot: bool = _doc("the platform flags it as automated (Mastodon bot, Bluesky's bot label)", default=False)
    instance: str = _doc("the server the numbers came from (Mastodon)", default="")
    bridged: bool = _doc("a bridged account from another network (e.g. …@bsky.brid.gy)", default=False)
    collections_hidden: bool = _doc("the account hides its follower and following lists", default=False)


@dataclass(slots=True)
class Post:
    platform_id: str = _doc("the post's id on the platform (a Bluesky at:// URI)")
    created_at: datetime = _doc("when it was posted (UTC)")
    text: str = _doc("its text, HTML reduced to plain text", default="")
    url: str = _doc("its web address", default="")
    hashtags: list[str] = _doc("tags without '#', from the platform's tag list and the text", default_factory=list)
    mentions: list[str] = _doc("accounts mentioned, as handles", default_factory=list)
    links: list[str] = _doc("web links in the post", default_factory=list)
    likes: int | None = _doc("likes / favourites; None when hidden", default=None)
    replies: int | None = _doc("reply count; None when hidden", default=None)
    reposts: int | None = _doc("reposts / boosts; None when hidden", default=None)
    quotes: int | None = _doc("quote posts; None when unknown", default=None)
    views: int | None = _doc("views, where the platform gives them (None elsewhere)", default=None)
    paid_flag: bool | None = _doc("the platform's own paid-partnership flag; None where it has none", default=None)
    is_reply: bool = _doc("the post answers another post", default=False)
    language: str | None = _doc("language code the platform gives, else None", default=None)


@dataclass(slots=True)
class Comment:
    platform_id: str = _doc("the reply's id on the platform")
    post_id: str = _doc("the platform id of the creator's post it answers (the thread's root)")
    author_id: str = _doc("the replying account's platform id")
    author_handle: str = _doc("the replying account's handle")
    text: str = _doc("the reply's text, as plain text")
    created_at: datetime | None = _doc("when it was written (UTC)", default=None)
    likes: int | None = _doc("likes on the reply; None when hidden", default=None)
    author_followers: int | None = _doc("the replier's follower count, where the platform gives it", default=None)


@dataclass(slots=True)
class Follower:
    platform_id: str = _doc("the follower's platform id")
    handle: str = _doc("the follower's handle")
    display_name: str = _doc("the name shown", default="")
    bio: str = _doc("the follower's bio, plain text", default="")
    has_avatar: bool = _doc("True unless the platform shows its default picture", default=True)
    followers: int | None = _doc("the follower's own follower count; None when unknown", default=None)
    following: int | None = _doc("how many accounts the follower follows; None when unknown", default=None)
    posts_count: int | None = _doc("the follower's post count; None when unknown", default=None)
    created_at: datetime | None = _doc("when the follower's account was created (UTC)", default=None)
    last_post_at: datetime | None = _doc("the follower's newest post (UTC), where known", default=None)
    bot: bool | None = _doc("the platform flags the follower as automated; None when not known", default=None)


@dataclass(slots=True)
class Snapshot:
    observed_at: datetime = _doc("when a crawl saw these numbers (UTC)")
    followers: int | None = _doc("follower count then; None when hidden")
    following: int | None = _doc("following count then", default=None)
    posts_count: int | None = _doc("post count then", default=None)


@dataclass(slots=True)
class Candidate:
    profile: Profile = _doc("the creator's Profile")
    posts: list[Post] = _doc("recent posts, newest first (own posts and, where fetched, replies)", default_factory=list)
    comments: dict[str, list[Comment]] = _doc("replies by others to the creator's posts, by the post's platform id",
                                              default_factory=dict)
    followers: list[Follower] = _doc("the sampled followers", default_factory=list)
    snapshots: list[Snapshot] = _doc("the profile's counts at each crawl, oldest first (growth over time)",
                                     default_factory=list)
    # Which kinds of data the crawl actually fetched, so "none" can be told from "not asked".
    fetched: frozenset[str] = _doc("which kinds of data the crawl fetched: profile, posts, comments, followers; "
                                   "lets a rule tell 'none' from 'not fetched'", default=frozenset())

    @property
    def handle(self) -> str:
        return self.profile.handle
