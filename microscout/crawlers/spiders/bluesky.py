"""Bluesky: searchPosts by tag (logged in) -> authors -> getProfiles -> feed, threads, followers.

Only searchPosts needs the session. It goes to the account's PDS with
``atproto-proxy: <AppView DID>#bsky_appview`` (the PDS proxies it to the AppView: an
AppView does not accept a PDS's token); the session token is added by the downloader
middleware at the last moment (BearerAuthMiddleware, which also refreshes an expired
session). Every other call goes to the public AppView, without a token.
getFollowers gives profileViews, which carry no counts: each page of the follower sample
is completed with getProfiles (profileViewDetailed, at most 25 actors a request) before
it is stored.
"""
from __future__ import annotations

from urllib.parse import urlencode

from scrapy import Request

from microscout.crawlers import parse_bluesky as pb
from microscout.crawlers.bsky_session import error_from, explain_proxied, proxy_header
from microscout.crawlers.items import FollowerItem, ItemBatch
from microscout.crawlers.middlewares import origin
from microscout.crawlers.spiders.base import CrawlSpider

BATCH = 25  # getProfiles takes at most 25 actors


class BlueskySpider(CrawlSpider):
    name = "bluesky"
    platform = "bluesky"
    url_option = "--appview and --pds (or platforms.bluesky.base_url and .pds in the config)"
    api_name = "a Bluesky AppView or PDS (XRPC)"

    def __init__(self, *args, base_url: str = "https://public.api.bsky.app", pds_url: str = "https://bsky.social",
                 appview_did: str = "did:web:api.bsky.app", session=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.base_url = base_url.rstrip("/")
        self.pds_url = pds_url.rstrip("/")
        self.appview_did = appview_did
        self.session = session  # a bsky_session.Login, in memory only; see BearerAuthMiddleware
        self.allowed_origins = {origin(self.base_url), origin(self.pds_url)}

    def xrpc(self, method: str, **params) -> str:
        return f"{self.base_url}/xrpc/{method}?{urlencode(params, doseq=True)}"

    async def start(self):
        for request in self.begin():
            yield request
        for handle in self.handles:
            if self.claim_author(handle) and self.allow():
                yield self.req(self.xrpc("app.bsky.actor.getProfile", actor=handle), self.parse_profile,
                               {"actor": handle})
        for tag in self.hashtags:
            if self.allow():
                yield self.search(tag, None, 1)

    def search_url(self, tag: str, cursor: str | None) -> str:
        params = {"q": f"#{tag}", "tag": tag, "sort": "latest", "limit": 100}
        if cursor:
            params["cursor"] = cursor
        return f"{self.pds_url}/xrpc/app.bsky.feed.searchPosts?{urlencode(params, doseq=True)}"

    def search(self, tag: str, cursor: str | None, page: int, pages: list[str] | None = None):
        ctx = {"tag": tag, "page": page, **({"pages": pages} if pages else {})}
        return self.req(self.search_url(tag, cursor), self.parse_search, ctx, auth=True,
                        headers={"atproto-proxy": proxy_header(self.appview_did)})

    def parse_search(self, response, ctx):
        self.crawler.stats.inc_value("microscout/hashtag_pages")
        if response.status in (400, 401, 403):
            problem = response.meta.get("session_problem")
            if problem is None:
                refused = explain_proxied(error_from("searchPosts", response.status, response.body), self.pds_url,
                                          self.appview_did, getattr(self.session, "handle", "?"), "searchPosts")
                problem = (refused.reason, str(refused)) if refused else None
            if problem is not None:
                self.error(f"http_{response.status}", response.url)
                self.fail(*problem)
        dids = self.parsed(response, "searchPosts", pb.search_authors)
        if isinstance(dids, Request):
            yield dids
            return
        if dids is None:
            yield from self.tag_ended(ctx)
            return
        following = None
        cursor = self.body_cursor(response)
        if cursor and dids and ctx["page"] < self.bounds.hashtag_pages:
            pages = [*ctx.get("pages", ()), response.url]
            following = self.search(ctx["tag"], cursor, ctx["page"] + 1, pages)
            if self.loops(ctx, response, following, "the hashtag search") or not self.allow():
                following = None
        # the authors are taken in the hashtags' order, not as the pages come (base.tag_page)
        yield from self.tag_page(ctx, dids, more=following is not None)
        yield from self.next_tag_page(following)

    def take_authors(self, dids):
        new = [d for d in dids if self.claim_author(d)]
        for start in range(0, len(new), BATCH):
            if not self.allow():
                break
            actors = new[start:start + BATCH]
            yield self.req(self.xrpc("app.bsky.actor.getProfiles", actors=actors), self.parse_profiles,
                           {"actors": actors})

    def body_cursor(self, response) -> str | None:
        try:
            cursor = response.json().get("cursor")
        except (ValueError, AttributeError):
            return None
        return cursor if isinstance(cursor, str) and cursor else None

    def parse_profiles(self, response, ctx):
        items = self.parsed(response, "getProfiles", pb.parse_profiles)
        if isinstance(items, Request):
            yield items
            return
        if items is not None:
            # a seed the batch answer leaves out does not exist (or is taken down)
            answered = {k.lower() for i in items for k in (i.platform_id, getattr(i, "handle", "")) if k}
            seeds = {h.lower() for h in self.handles}
            for actor in ctx.get("actors") or []:
                if actor.lower() in seeds and actor.lower() not in answered:
                    self.handle_outcome(actor, "not_found")
        for item in items or []:
            yield from self.handle_profile(item)

    def parse_profile(self, response, ctx):
        if response.status in (400, 404) and self.xrpc_error(response) is not None:
            self.error("not_found", response.url)  # the AppView says so: nothing is missing
            # a taken-down account: 400 AccountTakedown "Account has been suspended"
            taken_down = self.xrpc_error(response) == "AccountTakedown"
            self.handle_outcome(ctx["actor"], "suspended" if taken_down else "not_found")
            return
        item = self.parsed(response, "getProfile", pb.parse_profile)
        if isinstance(item, Request):
            yield item
        elif item is not None:
            yield from self.handle_profile(item, seed=ctx["actor"])

    def xrpc_error(self, response) -> str | None:
        """The error NAME of an XRPC error answer ({"error": NAME, …}); None for anything else,
        say a web server's HTML 404 page (which says nothing about the profile)."""
        try:
            body = response.json()
        except (ValueError, AttributeError):
            return None
        name = body.get("error") if isinstance(body, dict) else None
        return name if isinstance(name, str) else None

    # the chain
    def posts_url(self, ctx):
        return self.xrpc("app.bsky.feed.getAuthorFeed", actor=ctx["pid"], filter="posts_no_replies",
                         limit=min(100, self.bounds.posts_per_profile))

    def posts_page(self, body, response, ctx):
        posts = pb.parse_author_feed(body, ctx["pid"])
        feed = body.get("feed") if isinstance(body, dict) else None
        ctx["held_posts"] = len(feed) if isinstance(feed, list) else 0  # reposts too (base.parse_posts)
        return posts, self._next(body, "app.bsky.feed.getAuthorFeed", actor=ctx["pid"], filter="posts_no_replies",
                                 limit=min(100, self.bounds.posts_per_profile))

    def _next(self, body, method, **params):
        cursor = body.get("cursor") if isinstance(body, dict) else None
        return self.xrpc(method, cursor=cursor, **params) if isinstance(cursor, str) and cursor else None

    def replies_url(self, ctx, post_id):
        return self.xrpc("app.bsky.feed.getPostThread", uri=post_id, depth=6, parentHeight=0)

    def replies_page(self, body, ctx, post_id):
        return pb.parse_thread(body, post_id, ctx["pid"], self.bounds.replies_per_post)

    def followers_url(self, ctx):
        return self.xrpc("app.bsky.graph.getFollowers", actor=ctx["pid"], limit=min(100, self.bounds.follower_sample))

    def followers_page(self, body, response, ctx):
        actors = body.get("followers") if isinstance(body, dict) else None
        ctx["held"] = len(actors) if isinstance(actors, list) else 0  # opted-out followers too (base.parse_followers)
        return pb.parse_followers(body, ctx["pid"]), self._next(
            body, "app.bsky.graph.getFollowers", actor=ctx["pid"], limit=min(100, self.bounds.follower_sample))

    # the follower sample's counts
    def store_followers(self, ctx, followers):
        """One getProfiles request per 25 followers, each taken from the request budget;
        when the budget is spent the rest are stored as they are (counts unknown, not 0)."""
        ctx = {k: v for k, v in ctx.items() if k != "seen"}
        for start in range(0, len(followers), BATCH):
            chunk = followers[start:start + BATCH]
            if not self.allow():
                self.crawler.stats.inc_value("microscout/followers_without_counts", len(chunk))
                yield ItemBatch.of(chunk)
                continue
            self._open(ctx)["pending"] += 1
            # dont_filter: two creators can share followers, and a request the dupefilter
            # dropped would leave this profile's chain open (no FetchedItem, no rows)
            yield self.req(self.xrpc("app.bsky.actor.getProfiles", actors=[f.platform_id for f in chunk]),
                           self.parse_follower_profiles,
                           {**ctx, "branch": "follower_counts",
                            "followers": [f.model_dump(exclude={"kind"}) for f in chunk]}, dont_filter=True)

    def parse_follower_profiles(self, response, ctx):
        followers = self.parsed(response, "getProfiles (followers)", pb.hydrate_followers, ctx["followers"])
        if isinstance(followers, Request):
            yield followers
            return
        if followers is None:  # counted and recorded as missing; the followers are kept without counts
            yield from self._followers_as_sampled(ctx)
        else:
            missing = sum(1 for f in followers if f.followers is None)
            if missing:
                self.crawler.stats.inc_value("microscout/followers_without_counts", missing)
            yield ItemBatch.of(followers)
        yield from self._done(ctx)

    def branch_failed(self, ctx):
        if ctx["branch"] == "follower_counts":
            yield from self._followers_as_sampled(ctx)
        else:
            yield from super().branch_failed(ctx)

    def _followers_as_sampled(self, ctx):
        self.crawler.stats.inc_value("microscout/followers_without_counts", len(ctx["followers"]))
        yield ItemBatch.of([FollowerItem(**row) for row in ctx["followers"]])
