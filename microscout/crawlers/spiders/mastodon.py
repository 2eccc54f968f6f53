"""Mastodon: hashtag timelines -> authors -> profiles -> posts, replies, followers."""
from __future__ import annotations

from urllib.parse import quote, urlencode

from microscout.crawlers import parse_mastodon as pm
from microscout.crawlers.parse_common import link_next
from microscout.crawlers.spiders.base import CrawlSpider


class MastodonSpider(CrawlSpider):
    name = "mastodon"
    platform = "mastodon"

    def __init__(self, *args, base_url: str = "https://mastodon.social", **kwargs):
        super().__init__(*args, **kwargs)
        self.base_url = base_url.rstrip("/")
        self.host = pm.instance_host(self.base_url)

    async def start(self):
        if self.allow():
            yield self.req(f"{self.base_url}/api/v2/instance", self.parse_instance)

    def parse_instance(self, response, **_):
        local_only = False
        if response.status == 404:
            pass  # before 4.0: no v2 instance; hashtag feeds were public then
        else:
            access = self.parsed(response, "instance", pm.hashtag_feeds_access)
            if access:
                local, remote = access.get("local", "public"), access.get("remote", "public")
                self.crawler.stats.set_value("microscout/hashtag_feeds", f"local={local} remote={remote}")
                if local != "public" and self.hashtags:
                    message = (f"{self.base_url} does not serve hashtag feeds publicly (local: {local}, "
                               f"remote: {remote}); crawl another instance with --instance URL")
                    if not self.handles:
                        self.fail("hashtag_feeds_not_public", message)
                    self.logger.error(message)
                    self.failure_message = message
                    self.hashtags = []
                elif remote != "public":
                    self.logger.warning("%s serves only local posts on hashtag feeds publicly (remote: %s)",
                                        self.base_url, remote)
                    local_only = True
        for handle in self.handles:
            request = self.lookup(handle)
            if request:
                yield request
        for tag in self.hashtags:
            params = {"limit": 40, **({"local": "true"} if local_only else {})}
            url = f"{self.base_url}/api/v1/timelines/tag/{quote(tag, safe='')}?{urlencode(params)}"
            if self.allow():
                yield self.req(url, self.parse_tag, {"tag": tag, "page": 1})

    def lookup(self, acct: str):
        full = pm.full_acct(acct, self.host)
        if pm.is_bridged(full):
            self.crawler.stats.inc_value("microscout/skipped_bridged")
            return None
        if not self.claim_author(full) or not self.allow():
            return None
        # a local account is looked up by its bare username on its own instance
        name = full.removesuffix(f"@{self.host}")
        return self.req(f"{self.base_url}/api/v1/accounts/lookup?{urlencode({'acct': name})}",
                        self.parse_profile, {"acct": full})

    def parse_tag(self, response, ctx):
        authors = self.parsed(response, "hashtag timeline", pm.tag_timeline_authors)
        self.crawler.stats.inc_value("microscout/hashtag_pages")
        if authors is None:
            return
        for acct in authors:
            request = self.lookup(acct)
            if request:
                yield request
        next_url = link_next(response.headers.get("Link"))
        if next_url and authors and ctx["page"] < self.bounds.hashtag_pages and self.allow():
            yield self.req(next_url, self.parse_tag, {"tag": ctx["tag"], "page": ctx["page"] + 1})

    def parse_profile(self, response, ctx):
        if response.status == 404:
            self.error("not_found", response.url)
            return
        item = self.parsed(response, "account", pm.parse_account, self.host)
        if item is not None:
            yield from self.handle_profile(item)

    # the chain
    def posts_url(self, ctx):
        limit = min(40, self.bounds.posts_per_profile)
        return f"{self.base_url}/api/v1/accounts/{ctx['api_id']}/statuses?exclude_reblogs=true&limit={limit}"

    def posts_page(self, body, response, ctx):
        return pm.parse_statuses(body, ctx["pid"], self.host), link_next(response.headers.get("Link"))

    def replies_url(self, ctx, post_id):
        return f"{self.base_url}/api/v1/statuses/{post_id}/context"

    def replies_page(self, body, ctx, post_id):
        return pm.parse_context(body, post_id, ctx["pid"], self.host, self.bounds.replies_per_post)

    def followers_url(self, ctx):
        limit = min(80, self.bounds.follower_sample)
        return f"{self.base_url}/api/v1/accounts/{ctx['api_id']}/followers?limit={limit}"

    def followers_page(self, body, response, ctx):
        return pm.parse_followers(body, ctx["pid"], self.host), link_next(response.headers.get("Link"))
