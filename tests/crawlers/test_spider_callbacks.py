"""Scrapy's warning on a generator callback that returns a value is switched off in crawls
(it re-reads the callback's source for every response): the same check runs here, once for
every generator method of every spider, so a `return value` in a callback still fails."""
from __future__ import annotations

import inspect

import pytest
from scrapy.utils.misc import is_generator_with_return_value

from microscout.crawlers.settings import build_settings
from microscout.crawlers.spiders.base import CrawlSpider
from microscout.crawlers.spiders.bluesky import BlueskySpider
from microscout.crawlers.spiders.instagram import InstagramSpider
from microscout.crawlers.spiders.mastodon import MastodonSpider
from microscout.crawlers.spiders.tiktok import TikTokSpider
from microscout.crawlers.spiders.youtube import YouTubeSpider

SPIDERS = [CrawlSpider, BlueskySpider, InstagramSpider, MastodonSpider, TikTokSpider, YouTubeSpider]


def generator_methods(cls) -> list[tuple[str, object]]:
    return [(name, func) for name, func in inspect.getmembers(cls, inspect.isfunction)
            if inspect.isgeneratorfunction(func) and not func.__module__.startswith("scrapy.")]


@pytest.mark.parametrize("spider", SPIDERS, ids=lambda cls: cls.__name__)
def test_no_generator_method_of_a_spider_returns_a_value(spider):
    methods = generator_methods(spider)
    assert methods  # the callbacks are generators: the check has something to read
    assert [name for name, func in methods if is_generator_with_return_value(func)] == []


def test_the_check_would_catch_a_return_value():
    class Broken(CrawlSpider):
        name = "broken"

        def parse_posts(self, response, ctx):
            yield from ()
            return 1

    assert [name for name, func in generator_methods(Broken) if is_generator_with_return_value(func)] \
        == ["parse_posts"]


def test_crawls_leave_the_per_response_check_to_this_test():
    from microscout.config import Crawl

    settings = build_settings(Crawl(), db_path="x.db", run_id=1, observed_at="2026-01-01T00:00:00+00:00", jobdir=None)
    assert settings["WARN_ON_GENERATOR_RETURN_VALUE"] is False


def test_a_repeated_page_is_known_however_its_query_is_spelt():
    from types import SimpleNamespace

    from scrapy import Request

    from microscout.crawlers.spiders.mastodon import MastodonSpider

    lost, failed = [], []
    spider = SimpleNamespace(crawler=SimpleNamespace(stats=SimpleNamespace(inc_value=lambda *a, **k: None)),
                             logger=SimpleNamespace(info=lambda *a, **k: None),
                             lose=lambda request, why, what=None: lost.append((request.url, why)),
                             describe=lambda callback, ctx: {}, _failed=lambda ctx, kind: failed.append(kind))
    loops = MastodonSpider.loops
    page = SimpleNamespace(url="http://h/api/v1/accounts/1/statuses?limit=40&max_id=9")
    ctx = {"pid": "a", "branch": "posts", "pages": ["http://h/api/v1/accounts/1/statuses?limit=40"]}
    again = Request("http://h/api/v1/accounts/1/statuses?max_id=9&limit=40")
    assert loops(spider, ctx, page, again, "posts") is True
    assert loops(spider, ctx, page, Request("http://h/api/v1/accounts/1/statuses?limit=40&max_id=8"), "posts") \
        is False
    # the page asked again is missing (the run incomplete, --resume asks once more), the part failed
    assert lost == [(again.url, "pagination loop: the server sent a page again (a repeated cursor or link), "
                                "so the rest was not read")]
    assert failed == ["posts"]


def test_pages_that_differ_in_their_fragment_only_are_not_a_loop():
    """TikTok keeps a page's cursor in the URL's fragment (its POST body is built from it;
    response.url has none, the request's has): the next page is new, a repeated cursor is not."""
    from types import SimpleNamespace

    from scrapy import Request

    from microscout.crawlers.spiders.tiktok import TikTokSpider

    lost = []
    spider = SimpleNamespace(crawler=SimpleNamespace(stats=SimpleNamespace(inc_value=lambda *a, **k: None)),
                             logger=SimpleNamespace(info=lambda *a, **k: None),
                             lose=lambda request, why, what=None: lost.append(request.url),
                             describe=lambda callback, ctx: {}, _failed=lambda ctx, kind: None)
    url = "http://h/v2/research/user/followers/"
    first = SimpleNamespace(url=url, request=Request(url))
    second = SimpleNamespace(url=url, request=Request(url + "#cursor=1706837834"))
    ctx = {"pid": "a", "branch": "followers", "pages": [url]}
    assert TikTokSpider.loops(spider, {**ctx, "pages": []}, first, Request(url + "#cursor=1706837834"),
                              "followers") is False
    assert TikTokSpider.loops(spider, ctx, second, Request(url + "#cursor=1706830000"), "followers") is False
    assert TikTokSpider.loops(spider, ctx, second, Request(url + "#cursor=1706837834"), "followers") is True
    assert lost == [url + "#cursor=1706837834"]


def _fetched_after_empty_followers(account: dict):
    """The FetchedItem of a Mastodon profile whose posts and followers pages come back empty."""
    from scrapy.http import TextResponse
    from scrapy.utils.test import get_crawler

    from microscout.crawlers import parse_mastodon as pm
    from microscout.crawlers.items import FetchedItem

    spider = MastodonSpider.from_crawler(get_crawler(MastodonSpider), base_url="http://sandbox.test")
    out = list(spider.handle_profile(pm.parse_account(account, spider.host)))
    requests = [r for r in out if hasattr(r, "cb_kwargs")]
    assert len(requests) == 2  # posts and followers
    for request in requests:
        response = TextResponse(request.url, body=b"[]", encoding="utf-8", request=request, status=200)
        out += list(request.callback(response, **request.cb_kwargs))
    (fetched,) = [x for x in out if isinstance(x, FetchedItem)]
    return fetched


def test_a_remote_account_with_no_followers_on_the_crawled_instance_does_not_hide_them():
    """A Mastodon server lists of an account's followers the Follow rows it holds
    (FollowerAccountsController: Follow.where(target_account: @account)), and a follow
    between two remote accounts is not held: for a remote account the list is the
    crawled instance's part of its audience, often none of it. It is empty because it is
    hidden only when the account says so (hide_collections, federated from its home
    server; hides_followers? is hide_collections?); an empty list of a remote account was
    read as "the account hides its followers"."""
    base = {"id": "7", "username": "baker", "followers_count": 900, "following_count": 3, "statuses_count": 10,
            "indexable": True, "discoverable": True, "note": "", "url": "https://bread.example/@baker"}
    remote = _fetched_after_empty_followers({**base, "acct": "baker@bread.example", "hide_collections": None})
    assert remote.collections_hidden is False and "followers" in remote.fetched
    hiding = _fetched_after_empty_followers({**base, "acct": "baker@bread.example", "hide_collections": True})
    assert hiding.collections_hidden is True
    # a local account's followers are all on its own server: an empty list of a followed
    # account is a hidden one, whether or not the server says hide_collections
    assert _fetched_after_empty_followers({**base, "acct": "baker", "noindex": False}).collections_hidden is True
    # ...and one whose count is hidden too (-1, unknown) hides its list when it says so
    assert _fetched_after_empty_followers({**base, "acct": "baker", "noindex": False, "followers_count": -1,
                                           "hide_collections": True}).collections_hidden is True


def test_an_author_feed_page_of_reposts_only_is_not_the_end_of_the_posts():
    """getAuthorFeed with filter=posts_no_replies gives the actor's posts *and reposts*
    (the lexicon: "post and reposts by the author"; the AppView's posts_no_replies feed
    type leaves out replies only), and its cursor says whether there are more. A page of
    reposts only (skipped: they are someone else's posts) ended the reading of the
    creator's posts, so an account that had reposted its last 30 entries was judged
    on no posts at all while the cursor said there were more."""
    import json

    from scrapy.http import TextResponse
    from scrapy.utils.test import get_crawler

    from microscout.crawlers import parse_bluesky as pb

    spider = BlueskySpider.from_crawler(get_crawler(BlueskySpider), base_url="http://appview.test",
                                        pds_url="http://pds.test")
    me = {"did": "did:plc:me", "handle": "me.bsky.social", "followersCount": 900, "followsCount": 3,
          "postsCount": 100, "labels": []}
    other = {"did": "did:plc:other", "handle": "other.bsky.social", "labels": []}
    out = list(spider.handle_profile(pb.parse_profile(me)))
    (posts,) = [r for r in out if hasattr(r, "cb_kwargs") and "getAuthorFeed" in r.url]

    def post(author, n):
        return {"uri": f"at://{author['did']}/app.bsky.feed.post/{n}", "cid": "bafy", "author": author,
                "record": {"$type": "app.bsky.feed.post", "text": "hi", "createdAt": "2026-01-01T00:00:00Z"},
                "likeCount": 1, "replyCount": 0, "repostCount": 0, "indexedAt": "2026-01-01T00:00:00Z"}

    reposts = [{"post": post(other, n), "reason": {"$type": "app.bsky.feed.defs#reasonRepost", "by": me,
                                                   "indexedAt": "2026-01-02T00:00:00Z"}} for n in range(30)]
    body = json.dumps({"feed": reposts, "cursor": "2026-01-01T00:00:00.000Z::bafy"}).encode()
    page = TextResponse(posts.url, body=body, encoding="utf-8", request=posts, status=200)
    following = [r for r in posts.callback(page, **posts.cb_kwargs) if hasattr(r, "cb_kwargs")]
    assert [r.url for r in following if "getAuthorFeed" in r.url and "cursor=" in r.url], following

    # ...but a profile that reposts and never posts is not read to the end of its feed
    ctx = following[0].cb_kwargs
    for n in range(20):
        body = json.dumps({"feed": reposts, "cursor": f"cursor{n}"}).encode()
        page = TextResponse(following[0].url, body=body, encoding="utf-8", request=following[0], status=200)
        following = [r for r in following[0].callback(page, **ctx) if hasattr(r, "cb_kwargs")]
        if not following:
            break
        ctx = following[0].cb_kwargs
    assert not following and n < 10
    assert not spider._state().get("missing")  # no loop, nothing lost: the reading stopped on purpose


def test_a_replies_page_emptied_by_our_own_filtering_is_no_empty_page():
    """Pages of a post's replies that held none although the server gave a next one are read
    BARE_PAGES + 1 in a row at most, then the next page is missing (the server promised more).
    A page whose replies were all left out by the crawler itself (opted-out repliers, say) held
    entries: replies_page says so (ctx["held_replies"]) and the reading goes on."""
    import json

    from scrapy import Request
    from scrapy.http import TextResponse
    from scrapy.utils.test import get_crawler

    class Filtering(CrawlSpider):
        name = "filtering"

        def replies_page(self, body, ctx, post_id):
            ctx["held_replies"] = len(body["items"])
            return [], f"http://h.test/replies?page={body['next']}"  # every reply left out, more to come

    spider = Filtering.from_crawler(get_crawler(Filtering))

    def page(n: int, items: list, ctx: dict):
        request = Request(f"http://h.test/replies?page={n}", callback=spider.parse_replies, cb_kwargs={"ctx": ctx})
        body = json.dumps({"items": items, "next": n + 1}).encode()
        return TextResponse(request.url, body=body, encoding="utf-8", request=request, status=200)

    def read(n: int, items: list, ctx: dict) -> dict | None:
        following = [r for r in spider.parse_replies(page(n, items, ctx), ctx) if isinstance(r, Request)]
        return following[0].cb_kwargs["ctx"] if following else None

    ctx: dict | None = {"pid": "a", "branch": "replies", "post_id": "p1"}
    spider._open(ctx)
    for n in range(2 * CrawlSpider.BARE_PAGES + 2):  # each held a reply, left out
        ctx = read(n, [{"id": n}], ctx)
        assert ctx is not None  # read on
    assert not spider._state().get("missing")
    for n in range(100, 110):  # the server's pages hold nothing, and still promise more
        ctx = read(n, [], ctx)
        if ctx is None:
            break
    assert n - 100 == CrawlSpider.BARE_PAGES
    (missing,) = spider._state()["missing"].values()
    assert missing["url"] == f"http://h.test/replies?page={n + 1}"
    assert missing["why"] == (f"empty pages: {CrawlSpider.BARE_PAGES + 1} pages in a row held no reply, though the "
                              "server gave a next page; the rest of its replies was not read")
    assert missing["what"] == {"profile": "a", "part": "replies", "post": "p1"}


def test_a_taken_down_bluesky_seed_is_suspended_not_missing():
    """The AppView answers getProfile of a taken-down account with 400 AccountTakedown
    ("Account has been suspended", test_atproto_network's edge-gone.test): the --handle is
    reported suspended, as Mastodon's are; any other XRPC error says it is not found."""
    import json

    from scrapy import Request
    from scrapy.http import TextResponse
    from scrapy.utils.test import get_crawler

    spider = BlueskySpider.from_crawler(get_crawler(BlueskySpider), base_url="http://appview.test",
                                        pds_url="http://pds.test")
    for actor, error, message in (("did:plc:gone", "AccountTakedown", "Account has been suspended"),
                                  ("nobody.test", "InvalidRequest", "Profile not found")):
        request = Request(spider.xrpc("app.bsky.actor.getProfile", actor=actor))
        body = json.dumps({"error": error, "message": message}).encode()
        answer = TextResponse(request.url, body=body, encoding="utf-8", request=request, status=400)
        assert list(spider.parse_profile(answer, {"actor": actor})) == []
    assert spider.crawler.stats.get_value("microscout/handles") == {"did:plc:gone": "suspended",
                                                                   "nobody.test": "not_found"}
