"""What both spiders share: what happens after a profile (posts and the follower sample
side by side, replies once the posts are known), the request budget, the prefilter and
error counting.

Everything that rides on a request (cb_kwargs) is a plain dict and every callback is a
method, so JOBDIR can pickle the pending requests; the spider's own progress lives in
``self.state``, which JOBDIR keeps between runs.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone

from pydantic import ValidationError
from scrapy import Request, Spider
from scrapy.exceptions import CloseSpider, IgnoreRequest

from microscout.crawlers.items import FetchedItem, ItemBatch, OptOutItem, ProfileItem
from microscout.crawlers.parse_common import Malformed
from microscout.models import Profile

PARSE_ERRORS = (Malformed, ValidationError, KeyError, TypeError, ValueError, AttributeError)


@dataclass
class Bounds:
    hashtag_pages: int = 5
    posts_per_profile: int = 30
    posts_with_replies: int = 5
    replies_per_post: int = 20
    follower_sample: int = 80
    max_profiles: int = 500
    max_requests: int = 5000

    @classmethod
    def from_dict(cls, data: dict | None) -> "Bounds":
        return cls(**{k: v for k, v in (data or {}).items() if k in cls.__dataclass_fields__})


def _dt(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=timezone.utc)


def engine_profile(item: ProfileItem) -> Profile:
    return Profile(
        id=0, platform=item.platform, platform_id=item.platform_id, handle=item.handle,
        display_name=item.display_name or "", bio=item.bio or "", url=item.url or "",
        has_avatar=item.has_avatar if item.has_avatar is not None else True,
        followers=item.followers, following=item.following, posts_count=item.posts_count,
        created_at=_dt(item.created_at), last_post_at=_dt(item.last_post_at), bot=item.bot,
        instance=item.instance or "", bridged=item.bridged, collections_hidden=item.collections_hidden)


class CrawlSpider(Spider):
    platform = ""

    def __init__(self, *args, hashtags=(), handles=(), bounds=None, prefilter=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.hashtags = [h.lstrip("#") for h in hashtags]
        self.handles = [h.lstrip("@") for h in handles]
        self.bounds = bounds if isinstance(bounds, Bounds) else Bounds.from_dict(bounds)
        self.prefilter = prefilter
        self.failure_message: str | None = None
        if not hasattr(self, "state"):
            self.state = {}

    # -- bookkeeping ---------------------------------------------------------------
    def _state(self) -> dict:
        state = self.state
        state.setdefault("requests", 0)
        state.setdefault("seen", set())      # authors queued for a profile lookup
        state.setdefault("profiles", 0)      # profiles queued (the max_profiles bound)
        return state

    def allow(self) -> bool:
        """Take one request from the budget (max_requests); False when it is spent."""
        state = self._state()
        if state["requests"] >= self.bounds.max_requests:
            self.crawler.stats.set_value("microscout/budget_exhausted", True)
            return False
        state["requests"] += 1
        return True

    def claim_author(self, key: str) -> bool:
        """True for a new author while max_profiles is not reached."""
        state = self._state()
        if key in state["seen"]:
            return False
        if state["profiles"] >= self.bounds.max_profiles:
            self.crawler.stats.set_value("microscout/max_profiles_reached", True)
            return False
        state["seen"].add(key)
        state["profiles"] += 1
        return True

    def error(self, kind: str, url: str, detail: str = "") -> None:
        self.crawler.stats.inc_value(f"microscout/errors/{kind}")
        self.logger.warning("%s on %s%s", kind, url, f": {detail}" if detail else "")

    def fail(self, reason: str, message: str):
        self.failure_message = message
        self.logger.error(message)
        raise CloseSpider(reason)

    def body(self, response, what: str):
        """The JSON body, or None after counting why not."""
        if response.status >= 400:
            kind = "http_5xx" if response.status >= 500 else f"http_{response.status}"
            self.error(kind, response.url)
            return None
        try:
            return json.loads(response.body)
        except (ValueError, UnicodeDecodeError) as exc:
            looks_html = response.body.lstrip()[:1] == b"<"
            self.error("html_error_page" if looks_html else "bad_json", response.url, f"{what}: {exc}")
            return None

    def parsed(self, response, what: str, func, *args):
        """func(body, *args), or None after counting a malformed body."""
        body = self.body(response, what)
        if body is None:
            return None
        try:
            return func(body, *args)
        except ValidationError as exc:
            self.error("validation", response.url, f"{what}: {exc.error_count()} invalid fields")
        except PARSE_ERRORS as exc:
            self.error(getattr(exc, "kind", "missing_fields"), response.url, f"{what}: {exc}")
        return None

    def req(self, url: str, callback, ctx: dict | None = None, auth: bool = False, **kw) -> Request:
        meta = {"handle_httpstatus_all": True}
        if auth:
            meta["auth"] = True
        return Request(url, callback=callback, errback=self.on_error,
                       cb_kwargs={"ctx": ctx} if ctx is not None else {}, meta=meta, **kw)

    def on_error(self, failure):
        request = failure.request
        kind = "robots" if failure.check(IgnoreRequest) else "network"
        self.error(kind, request.url, type(failure.value).__name__)
        ctx = request.cb_kwargs.get("ctx")
        if ctx and ctx.get("branch"):
            yield from self.branch_failed(ctx)
            yield from self._done(ctx)

    def branch_failed(self, ctx):
        """A request of the profile's chain could not be made; what is left to store."""
        self._failed(ctx, ctx["branch"])
        return ()

    # -- a profile ---------------------------------------------------------------
    # After the profile, its posts and its follower sample are fetched side by side, and
    # the replies of the most recent posts as soon as those posts are known. A profile's
    # open requests are counted in self.state["open"][pid]; when the last one is back,
    # the profile's FetchedItem says what was fetched.

    def handle_profile(self, item):
        """Store a profile, prefilter it and start fetching the rest."""
        if isinstance(item, OptOutItem):
            self.crawler.stats.inc_value("microscout/opted_out")
            yield item
            return
        if item.bridged:
            self.crawler.stats.inc_value("microscout/skipped_bridged")
            return
        reason = self.prefilter.check(engine_profile(item)) if self.prefilter else None
        if reason:
            item.prefilter_reason = reason
            self.crawler.stats.inc_value("microscout/prefiltered")
            yield item
            return
        yield item
        ctx = self.new_ctx(item)
        self._state().setdefault("open", {})[ctx["pid"]] = {
            "pending": 1, "fetched": ["profile"], "failed": [], "hidden": False, "replies_asked": 0,
            "replies_expected": False}
        b = self.bounds
        if b.posts_per_profile > 0:
            yield from self._launch(ctx, "posts", self.posts_url(ctx), self.parse_posts, seen=0)
        if b.follower_sample > 0:
            yield from self._launch(ctx, "followers", self.followers_url(ctx), self.parse_followers, seen=0)
        yield from self._done(ctx)

    def _open(self, ctx) -> dict:
        return self._state().setdefault("open", {}).setdefault(
            ctx["pid"], {"pending": 1, "fetched": ["profile"], "failed": [], "hidden": False,
                         "replies_asked": 0, "replies_expected": False})

    def _launch(self, ctx, branch, url, callback, **extra):
        if url and self.allow():
            self._open(ctx)["pending"] += 1
            yield self.req(url, callback, {**ctx, "branch": branch, **extra})

    def _fetched(self, ctx, kind):
        entry = self._open(ctx)
        if kind not in entry["fetched"]:
            entry["fetched"].append(kind)

    def _failed(self, ctx, kind):
        self._open(ctx)["failed"].append(kind)

    def _done(self, ctx):
        """One of the profile's requests is back; the FetchedItem once all are."""
        entry = self._open(ctx)
        entry["pending"] -= 1
        if entry["pending"] > 0:
            return
        del self._state()["open"][ctx["pid"]]
        fetched = [k for k in ("profile", "posts", "comments", "followers") if k in entry["fetched"]]
        if entry["replies_expected"] and "posts" in fetched and "replies" not in entry["failed"]:
            fetched.insert(fetched.index("posts") + 1, "comments")
        yield FetchedItem(platform=self.platform, platform_id=ctx["pid"], fetched=fetched,
                          collections_hidden=entry["hidden"])

    def parse_posts(self, response, ctx):
        b = self.bounds
        result = self.parsed(response, "posts", self.posts_page, response, ctx)
        if result is None:
            self._failed(ctx, "posts")
        else:
            posts, next_url = result
            posts = posts[: b.posts_per_profile - ctx["seen"]]
            self._fetched(ctx, "posts")
            if posts:
                yield ItemBatch.of(posts)
            entry = self._open(ctx)
            if b.posts_with_replies > 0 and b.replies_per_post > 0:
                entry["replies_expected"] = True
                for post in posts:
                    if entry["replies_asked"] >= b.posts_with_replies:
                        break
                    entry["replies_asked"] += 1
                    if post.replies == 0:
                        continue  # the platform says nobody replied: nothing to fetch
                    yield from self._launch(ctx, "replies", self.replies_url(ctx, post.platform_id),
                                            self.parse_replies, post_id=post.platform_id)
            seen = ctx["seen"] + len(posts)
            if posts and next_url and seen < b.posts_per_profile:
                yield from self._launch(ctx, "posts", next_url, self.parse_posts, seen=seen)
        yield from self._done(ctx)

    def parse_replies(self, response, ctx):
        comments = self.parsed(response, "replies", self.replies_page, ctx, ctx["post_id"])
        if comments is None:
            self._failed(ctx, "replies")
        elif comments:
            yield ItemBatch.of(comments)
        yield from self._done(ctx)

    def parse_followers(self, response, ctx):
        b = self.bounds
        result = self.parsed(response, "followers", self.followers_page, response, ctx)
        if result is None:
            self._failed(ctx, "followers")
        else:
            followers, next_url = result
            if not followers and ctx["seen"] == 0 and (ctx.get("followers_count") or 0) > 0:
                self._open(ctx)["hidden"] = True
            followers = followers[: b.follower_sample - ctx["seen"]]
            self._fetched(ctx, "followers")
            if followers:
                yield from self.store_followers(ctx, followers)
            seen = ctx["seen"] + len(followers)
            if followers and next_url and seen < b.follower_sample:
                yield from self._launch(ctx, "followers", next_url, self.parse_followers, seen=seen)
        yield from self._done(ctx)

    # -- per platform --------------------------------------------------------------
    def new_ctx(self, item: ProfileItem) -> dict:
        return {"pid": item.platform_id, "api_id": item.api_id, "handle": item.handle,
                "followers_count": item.followers}

    def posts_url(self, ctx) -> str: raise NotImplementedError
    def posts_page(self, body, response, ctx): raise NotImplementedError
    def replies_url(self, ctx, post_id) -> str: raise NotImplementedError
    def replies_page(self, body, ctx, post_id): raise NotImplementedError
    def followers_url(self, ctx) -> str: raise NotImplementedError
    def followers_page(self, body, response, ctx): raise NotImplementedError

    def store_followers(self, ctx, followers):
        """A page of the follower sample, as the followers endpoint gave it (a platform whose
        endpoint leaves out the counts fetches them first, counting the requests in
        ``pending`` so the FetchedItem waits for them)."""
        yield ItemBatch.of(followers)

