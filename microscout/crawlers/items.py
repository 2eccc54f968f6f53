"""Crawl items: pydantic models, validated where the parser builds them.

Posts, comments and followers name their profile by (platform, profile_platform_id);
the pipeline turns that into the profile's row id.
"""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from microscout.addresses import website_address

# The platforms whose profile answer says which website the creator links to (Instagram's
# `website`, Mastodon's verified profile fields): a profile of theirs with none has none, and
# the pipeline writes that. The others (YouTube, TikTok, Bluesky) never say, so a crawl of
# theirs leaves a website an import stored as it is.
WEBSITE_PLATFORMS = frozenset({"instagram", "mastodon"})


class Item(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str = "item"

    def row(self) -> dict:
        return self.model_dump(exclude={"kind"})


class ProfileItem(Item):
    kind: str = "profile"
    platform: str
    platform_id: str = Field(min_length=1)
    handle: str
    display_name: str | None = None
    bio: str | None = None
    url: str | None = None
    website: str | None = None  # an http(s) URL (addresses.website_address); None: none given
    has_avatar: bool | None = None
    followers: int | None = None
    following: int | None = None
    posts_count: int | None = None
    created_at: str | None = None
    last_post_at: str | None = None
    bot: bool = False
    instance: str | None = None
    api_id: str | None = None
    bridged: bool = False
    collections_hidden: bool = False
    opted_out: bool = False
    opt_out_reason: str | None = None
    prefilter_reason: str | None = None
    fetched: list[str] = Field(default_factory=lambda: ["profile"])

    @field_validator("website")
    @classmethod
    def _http_only(cls, value: str | None) -> str | None:
        return website_address(value)  # a javascript: or other link is no contact: not stored


class OptOutItem(Item):
    """An opted-out account: its id and the reason, nothing else."""

    kind: str = "opt_out"
    platform: str
    platform_id: str = Field(min_length=1)
    opt_out_reason: str

    def row(self) -> dict:
        return {"platform": self.platform, "platform_id": self.platform_id, "handle": "",
                "opted_out": 1, "opt_out_reason": self.opt_out_reason,
                # a profile that opts out after an earlier crawl loses what was kept of it
                "display_name": None, "bio": None, "url": None, "website": None, "has_avatar": None,
                "followers": None, "following": None, "posts_count": None, "created_at": None,
                "last_post_at": None, "instance": None, "api_id": None, "prefilter_reason": None,
                "fetched": []}


class FetchedItem(Item):
    """What the crawl ended up fetching for a profile (sent when its chain ends)."""

    kind: str = "fetched"
    platform: str
    platform_id: str
    fetched: list[str]
    collections_hidden: bool = False


class PostItem(Item):
    kind: str = "post"
    platform: str
    platform_id: str = Field(min_length=1)
    profile_platform_id: str
    created_at: str = Field(min_length=1)
    text: str = ""
    url: str | None = None
    hashtags: list[str] = Field(default_factory=list)
    mentions: list[str] = Field(default_factory=list)
    links: list[str] = Field(default_factory=list)
    likes: int | None = None
    replies: int | None = None
    reposts: int | None = None
    quotes: int | None = None
    views: int | None = None
    paid_flag: bool | None = None
    is_reply: bool = False
    language: str | None = None


class CommentItem(Item):
    kind: str = "comment"
    platform: str
    platform_id: str = Field(min_length=1)
    profile_platform_id: str
    post_platform_id: str
    author_id: str | None = None
    author_handle: str | None = None
    text: str = ""
    created_at: str | None = None
    likes: int | None = None
    author_followers: int | None = None


class FollowerItem(Item):
    kind: str = "follower"
    platform: str
    profile_platform_id: str
    platform_id: str = Field(min_length=1)
    handle: str | None = None
    display_name: str | None = None
    bio: str | None = None
    has_avatar: bool | None = None
    followers: int | None = None
    following: int | None = None
    posts_count: int | None = None
    created_at: str | None = None
    last_post_at: str | None = None
    bot: bool | None = None  # the platform's automated-account flag


class UsageItem(Item):
    """A use of a limited API resource, remembered across runs: a YouTube crawl's quota
    units (key = the quota day, Pacific time), an Instagram hashtag search (key = the
    hashtag). Written to the api_usage table; never holds a secret."""

    kind: str = "usage"
    platform: str
    usage: str = Field(min_length=1)   # "quota_units", "hashtag_search", ...
    key: str = ""
    at: str = Field(min_length=1)      # ISO time of the use
    units: int = 0


class ItemBatch(Item):
    """A page's worth of already-validated items, passed through Scrapy as one item
    (Scrapy's per-item machinery costs more than parsing and storing a post)."""

    kind: str = "batch"
    items: list[Item]

    @classmethod
    def of(cls, items: list[Item]) -> "ItemBatch":
        return cls.model_construct(kind="batch", items=list(items))
