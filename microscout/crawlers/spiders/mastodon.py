"""Mastodon: hashtag timelines -> authors -> profiles -> posts, replies, followers."""
from __future__ import annotations

from urllib.parse import quote, urlencode, urlsplit

from scrapy import Request
from scrapy.downloadermiddlewares.retry import get_retry_request

from microscout.crawlers import parse_mastodon as pm
from microscout.crawlers.middlewares import (
    CrawlDelayTooLong,
    OffsiteRefused,
    StoppedWaiting,
    origin,
    robots_unavailable,
)
from microscout.crawlers.parse_common import Malformed
from microscout.crawlers.spiders.base import CrawlSpider, failure_text, refused_by_robots_txt


class MastodonSpider(CrawlSpider):
    name = "mastodon"
    platform = "mastodon"
    url_option = "--instance (or platforms.mastodon.base_url in the config)"

    def __init__(self, *args, base_url: str = "https://mastodon.social", **kwargs):
        super().__init__(*args, **kwargs)
        self.base_url = base_url.rstrip("/")
        # The domain local accounts are qualified with: the URL's host until the instance
        # says its own (parse_instance), kept in the state for a resumed session.
        self.web_host = pm.instance_host(self.base_url)
        self.host = self.web_host
        # remote accounts' data comes from this instance: the crawl never follows them home
        self.allowed_origins = {origin(self.base_url)}

    async def start(self):
        self.host = self._state().get("domain", self.host)
        for request in self.begin():
            yield request
        if self.allow():
            # asked once a run (a resumed session's is a duplicate, its seeds in the frontier),
            # but again when the stop of the session before caught it unsent (on_instance_error)
            again = bool(self._state().pop("instance_unasked", False))
            yield self.req(f"{self.base_url}/api/v2/instance", self.parse_instance, errback=self.on_instance_error,
                           dont_filter=again)

    # -- is this a Mastodon server? ----------------------------------------------------
    def on_instance_error(self, failure):
        if failure.check(StoppedWaiting):
            # the crawl was stopped while the check waited for its time (a Crawl-delay, a 429):
            # not sent, no failure of the instance's; the next session's start asks again
            self._state()["instance_unasked"] = True
            return
        # Counted as any failed request is, so the run's summary does not say "errors: none".
        robots = refused_by_robots_txt(failure)
        delayed = failure.check(CrawlDelayTooLong)
        self.error("robots" if robots else "crawl_delay" if delayed else "network", failure.request.url,
                   type(failure.value).__name__)
        if delayed:
            self.fail("instance_error", f"{self.base_url}: {failure.value}; crawl it with a larger "
                                        "MICROSCOUT_MAX_RATE_WAIT to wait that long")
        if failure.check(OffsiteRefused):
            target = origin(failure.request.url) or failure.request.url
            self.fail("not_mastodon", f"{self.base_url} sends the crawl to another server ({target}); if that "
                                      f"is the instance, crawl it with --instance {target}")
        unavailable = robots_unavailable(self.crawler.stats, failure.request.url) if robots else None
        if unavailable:
            self.fail("robots_unavailable", f"the robots.txt of the Mastodon instance {self.base_url} could not be "
                                            f"read ({unavailable}): a crawler that obeys robots.txt fetches nothing "
                                            "there until it can ([crawl] obey_robots); try again later")
        if robots:
            self.fail("robots", f"the Mastodon instance {self.base_url} asks crawlers to stay away: its robots.txt "
                                f"disallows {urlsplit(failure.request.url).path}, and microscout obeys it "
                                "([crawl] obey_robots); crawl another instance with --instance URL")
        self.fail("unreachable", f"cannot reach the Mastodon instance {self.base_url}: {failure_text(failure)}; "
                                 f"check {self.url_option} and that the server is up")

    def instance_info(self, response, path: str):
        """The instance's JSON (a dict), a Request that asks again, or the crawl stops with
        a line that says what is wrong."""
        self.reached.add(origin(response.url))
        if 300 <= response.status < 400:
            location = (response.headers.get("Location") or b"").decode("latin-1").strip()
            target = response.urljoin(location) if location else ""
            if target and origin(target) in self.allowed_origins and response.meta.get("redirects", 0) < 5:
                follow = response.request.replace(url=target, dont_filter=True)
                follow.meta["redirects"] = response.meta.get("redirects", 0) + 1
                return follow
            if target and origin(target) not in self.allowed_origins:
                elsewhere = origin(target) or target[:100]
                self.fail("not_mastodon", f"{self.base_url} sends the crawl to another server ({elsewhere}); if "
                                          f"that is the instance, crawl it with --instance {elsewhere}")
        if response.status == 429 and response.meta.get("rate_limited"):
            self.fail("instance_error", f"{self.base_url} answered 429 Too Many Requests on {path}: "
                                        f"{response.meta['rate_limited']}; run the crawl again after that")
        if response.status == 429:
            self.fail("instance_error", f"{self.base_url} keeps answering 429 Too Many Requests on {path}; "
                                        "wait a few minutes, then run the crawl again")
        if response.status in (401, 403):
            self.fail("instance_error", f"{self.base_url} refused {path} ({response.status}): the instance may "
                                        "block crawlers or need a login; try another instance with --instance URL")
        if response.status >= 500:
            self.fail("instance_error", f"{self.base_url} answered {response.status} on {path} "
                                        f"{1 + response.meta.get('retry_times', 0)} times: the server is failing; "
                                        "try again later")
        kind = None
        try:
            body = self.body(response, "instance")
        except Malformed as exc:
            kind = exc.kind
            body = None
        if response.status < 400 and kind is not None:
            # An HTML page too: a proxy's error page now and then is no proof of a server that is
            # no Mastodon (one that is answers so every time, and fails after the retries).
            retry = get_retry_request(response.request, spider=self, reason=kind)
            if retry is not None:
                return retry
        if isinstance(body, dict) and any(k in body for k in ("version", "domain", "uri")):
            self.api_ok.add(origin(response.url))
            return body
        what = ("an HTML page" if response.body.lstrip()[:1] == b"<" else
                "JSON that is not an instance" if kind is None and response.status < 400 else
                "something that is not JSON")
        self.fail("not_mastodon", f"{self.base_url} does not look like a Mastodon server: {path} answered "
                                  f"{response.status} with {what}; check {self.url_option}")

    def parse_instance(self, response, **_):
        local_only = False
        if response.status in (404, 410):
            # before 4.0 there was no v2 instance (and hashtag feeds were public): ask v1
            # not filtered: after a stop that caught it unsent, the next session asks v2 again
            yield self.req(f"{self.base_url}/api/v1/instance", self.parse_instance_v1, errback=self.on_instance_error,
                           dont_filter=True)
            return
        info = self.instance_info(response, "/api/v2/instance")
        if isinstance(info, Request):
            yield info
            return
        self._know_domain(info)
        try:
            access = pm.hashtag_feeds_access(info)
        except Exception as exc:  # noqa: BLE001 - an odd instance document: assume public feeds
            self.error(getattr(exc, "kind", "missing_fields"), response.url, f"instance: {exc}")
            access = None
        if access:
            local, remote = access.get("local", "public"), access.get("remote", "public")
            self.crawler.stats.set_value("microscout/hashtag_feeds", f"local={local} remote={remote}")
            if local != "public" and self.hashtags:
                message = (f"{self.base_url} does not serve hashtag feeds publicly (local: {local}, "
                           f"remote: {remote}); crawl another instance with --instance URL")
                if not self.handles:
                    self.fail("hashtag_feeds_not_public", message)
                self.note(message + "; crawling the --handle accounts only")
                self.hashtags = []
            elif remote != "public":
                self.note(f"{self.base_url} serves only local posts on hashtag feeds publicly (remote: {remote})")
                local_only = True
        yield from self.seeds(local_only)

    def parse_instance_v1(self, response, **_):
        info = self.instance_info(response, "/api/v1/instance")
        if isinstance(info, Request):
            yield info
            return
        self._know_domain(info)
        yield from self.seeds(False)

    def _know_domain(self, info: dict) -> None:
        """Local accounts are user@domain as the instance names its domain, not as its web
        host is spelt in --instance: crawled as 127.0.0.1 or localhost, or on a server whose
        pages are served from another host than its accounts' domain, one account is one row."""
        self.host = self._state()["domain"] = pm.instance_domain(info, self.web_host)

    def seeds(self, local_only: bool):
        for handle in self.handles:
            request = self.lookup(handle, seed=handle)
            if request:
                yield request
        for tag in self.hashtags:
            params = {"limit": 40, **({"local": "true"} if local_only else {})}
            url = f"{self.base_url}/api/v1/timelines/tag/{quote(tag, safe='')}?{urlencode(params)}"
            if self.allow():
                yield self.req(url, self.parse_tag, {"tag": tag, "page": 1})

    def lookup(self, acct: str, seed: str | None = None):
        full = pm.full_acct(acct, self.host)
        if full.endswith(f"@{self.web_host}"):  # a local account given by the host it is served from
            full = f"{full.removesuffix(f'@{self.web_host}')}@{self.host}"
        if pm.is_bridged(full):
            self.crawler.stats.inc_value("microscout/skipped_bridged")
            if seed:
                self.handle_outcome(seed, "bridged")
            return None
        if not self.claim_author(full) or not self.allow():
            return None
        # a local account is looked up by its bare username on its own instance
        name = full.removesuffix(f"@{self.host}")
        # seed: the --handle as given, for the per-handle report (handle_outcome)
        return self.req(f"{self.base_url}/api/v1/accounts/lookup?{urlencode({'acct': name})}",
                        self.parse_profile, {"acct": full, **({"seed": seed} if seed else {})})

    def parse_tag(self, response, ctx):
        authors = self.parsed(response, "hashtag timeline", pm.tag_timeline_authors)
        if isinstance(authors, Request):
            yield authors
            return
        if authors is None:
            yield from self.tag_ended(ctx)
            return
        self.crawler.stats.inc_value("microscout/hashtag_pages")
        following = None
        next_url = self.next_link(response)
        if next_url and authors and ctx["page"] < self.bounds.hashtag_pages:
            following = self.req(next_url, self.parse_tag, {"tag": ctx["tag"], "page": ctx["page"] + 1,
                                                            "pages": [*ctx.get("pages", ()), response.url]})
            if self.loops(ctx, response, following, "the hashtag timeline") or not self.allow():
                following = None
        # the authors are taken in the hashtags' order, not as the pages come (base.tag_page)
        yield from self.tag_page(ctx, authors, more=following is not None)
        yield from self.next_tag_page(following)

    def take_authors(self, authors):
        for acct in authors:
            request = self.lookup(acct)
            if request:
                yield request

    def parse_profile(self, response, ctx):
        if response.status in (404, 410):
            self.error("not_found", response.url)  # the account is gone: nothing is missing
            if ctx.get("seed"):
                self.handle_outcome(ctx["seed"], "not_found")
            return
        item = self.parsed(response, "account", pm.parse_account, self.host)
        if isinstance(item, Request):
            yield item
        elif isinstance(item, pm.Inactive):
            yield from self.inactive(item, ctx)
        elif item is not None:
            yield from self.handle_profile(item, seed=ctx.get("seed"))

    def inactive(self, gone: pm.Inactive, ctx):
        """A suspended account is no creator, and neither is one that moved: its user posts
        from the account it moved to, which is looked up instead (as an author found anew).
        Neither is stored; a --handle (or --known) that named it is reported moved or suspended,
        and a stored profile of it is marked gone and left out of shortlists."""
        self.crawler.stats.inc_value(f"microscout/inactive/{gone.reason}")
        self.logger.info("%s: %s%s", gone.platform_id, gone.reason, f" to {gone.moved_to}" if gone.moved_to else "")
        if ctx.get("seed"):
            self.handle_outcome(ctx["seed"], gone.reason)
        if gone.moved_to:
            request = self.lookup(gone.moved_to)
            if request:
                yield request

    # the chain
    def new_ctx(self, item):
        ctx = super().new_ctx(item)
        # A server lists the follows it holds, and a follow between two remote accounts is not
        # held there: of a remote account's followers it lists only its own users (often none),
        # so an empty list is a hidden one only when the account says so (hide_collections).
        ctx["hides"] = item.collections_hidden  # the Account's hide_collections
        if not item.platform_id.endswith(f"@{self.host}"):
            ctx["remote"] = True
        return ctx

    def empty_list_is_hidden(self, ctx):
        # (a local account's followers count can be hidden too: -1, read as unknown)
        return bool(ctx.get("hides")) or (not ctx.get("remote") and super().empty_list_is_hidden(ctx))

    def posts_url(self, ctx):
        limit = min(40, self.bounds.posts_per_profile)
        return f"{self.base_url}/api/v1/accounts/{ctx['api_id']}/statuses?exclude_reblogs=true&limit={limit}"

    def posts_page(self, body, response, ctx):
        ctx["held_posts"] = len(body) if isinstance(body, list) else 0  # reblogs too (base.parse_posts)
        return pm.parse_statuses(body, ctx["pid"], self.host), self.next_link(response)

    def replies_url(self, ctx, post_id):
        return f"{self.base_url}/api/v1/statuses/{post_id}/context"

    def replies_page(self, body, ctx, post_id):
        return pm.parse_context(body, post_id, ctx["pid"], self.host, self.bounds.replies_per_post)

    def followers_url(self, ctx):
        limit = min(80, self.bounds.follower_sample)
        return f"{self.base_url}/api/v1/accounts/{ctx['api_id']}/followers?limit={limit}"

    def followers_page(self, body, response, ctx):
        ctx["held"] = len(body) if isinstance(body, list) else 0  # opted-out followers too (base.parse_followers)
        return pm.parse_followers(body, ctx["pid"], self.host), self.next_link(response)
