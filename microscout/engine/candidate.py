"""A candidate: one profile with the data the rules read, as loaded from the store."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(slots=True)
class Profile:
    id: int
    platform: str
    platform_id: str
    handle: str
    display_name: str = ""
    bio: str = ""
    url: str = ""
    has_avatar: bool = True
    followers: int | None = None
    following: int | None = None
    posts_count: int | None = None
    created_at: datetime | None = None
    last_post_at: datetime | None = None
    bot: bool = False
    instance: str = ""
    bridged: bool = False
    collections_hidden: bool = False


@dataclass(slots=True)
class Post:
    platform_id: str
    created_at: datetime
    text: str = ""
    url: str = ""
    hashtags: list[str] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    likes: int | None = None
    replies: int | None = None
    reposts: int | None = None
    quotes: int | None = None
    views: int | None = None
    paid_flag: bool | None = None
    is_reply: bool = False
    language: str | None = None


@dataclass(slots=True)
class Comment:
    platform_id: str
    post_id: str  # the platform id of the post replied to
    author_id: str
    author_handle: str
    text: str
    created_at: datetime | None = None
    likes: int | None = None
    author_followers: int | None = None


@dataclass(slots=True)
class Follower:
    platform_id: str
    handle: str
    display_name: str = ""
    bio: str = ""
    has_avatar: bool = True
    followers: int | None = None
    following: int | None = None
    posts_count: int | None = None
    created_at: datetime | None = None
    last_post_at: datetime | None = None
    bot: bool | None = None  # the platform's automated-account flag; None = not known


@dataclass(slots=True)
class Snapshot:
    observed_at: datetime
    followers: int | None
    following: int | None = None
    posts_count: int | None = None


@dataclass(slots=True)
class Candidate:
    profile: Profile
    posts: list[Post] = field(default_factory=list)  # newest first
    comments: dict[str, list[Comment]] = field(default_factory=dict)  # by post platform_id
    followers: list[Follower] = field(default_factory=list)
    snapshots: list[Snapshot] = field(default_factory=list)  # oldest first
    # Which kinds of data the crawl actually fetched, so "none" can be told from "not asked".
    fetched: frozenset[str] = frozenset()

    @property
    def handle(self) -> str:
        return self.profile.handle
