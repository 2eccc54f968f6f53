"""The same crawl of the same server stores the same profiles: the --max-profiles slots go
to the hashtags' authors in a fixed order (page 1 of each hashtag as given, then page 2 …),
not to whichever hashtag's page the server answered first."""
from __future__ import annotations

import pytest

from tests.crawlers.conftest import crawl_env, rows, run_crawl, write_config

sandbox = pytest.importorskip("microscout.sandbox", reason="the sandbox server is not in this checkout")
if not hasattr(sandbox, "SandboxServer"):
    pytest.skip("the sandbox server is not in this checkout", allow_module_level=True)
from microscout.sandbox import IDENTIFIER, PASSWORD, Faults, SandboxServer  # noqa: E402

TAGS = ("--hashtag", "veganrecipes", "--hashtag", "plantbased")
SMALL = ("--max-profiles", "12", "--posts", "2", "--replied-posts", "0", "--followers", "0", "--no-prefilter")


@pytest.fixture(scope="module")
def server():
    # Which hashtag's page is back first depends on the queue and the server; here the first
    # crawl of each platform meets a 429 (a second to wait) on the second hashtag's page
    # (Mastodon) or on the first search (Bluesky), the later crawls do not.
    faults = Faults(latency=0.002, fail_first={"/api/v1/timelines/tag/plantbased": (1, "429"),
                                               "/xrpc/app.bsky.feed.searchPosts": (1, "429")})
    with SandboxServer(size=300, seed=7, faults=faults, lifetime=300) as sb:
        yield sb


def profiles_of(tmp_path, server, name: str, *args: str, env=None) -> set[str]:
    folder = tmp_path / name
    folder.mkdir()
    config = write_config(folder, server.url)  # concurrency_per_host = 4
    result = run_crawl(config, *args, env=env)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    return {r["platform_id"] for r in rows(folder / "scout.db", "SELECT platform_id FROM profiles")}


@pytest.mark.parametrize("platform", ["mastodon", "bluesky"])
def test_the_same_crawl_stores_the_same_profiles_whichever_hashtag_answers_first(tmp_path, server, platform):
    env = crawl_env(MICROSCOUT_BSKY_HANDLE=IDENTIFIER, MICROSCOUT_BSKY_APP_PASSWORD=PASSWORD)
    runs = [profiles_of(tmp_path, server, f"run{i}", platform, *TAGS, *SMALL, env=env) for i in range(3)]
    assert len(runs[0]) == 12
    assert runs[1] == runs[0] and runs[2] == runs[0]


def order_spider(tags=("a", "b"), pages=3):
    from scrapy.utils.test import get_crawler

    from microscout.crawlers.spiders.base import Bounds, CrawlSpider

    class Spider(CrawlSpider):
        name = "order"
        taken: list = []

        def take_authors(self, authors):
            self.taken.extend(authors)
            return ()

    spider = Spider.from_crawler(get_crawler(Spider), hashtags=tags, bounds=Bounds(hashtag_pages=pages))
    spider.taken = []
    return spider


def test_authors_are_taken_page_by_page_in_the_hashtags_order_whatever_order_pages_come_in():
    spider = order_spider()
    list(spider.tag_page({"tag": "b", "page": 1}, ["b1"], more=True))
    list(spider.tag_page({"tag": "b", "page": 2}, ["b2"], more=False))  # b ends at page 2
    assert spider.taken == []  # page 1 of a first
    list(spider.tag_page({"tag": "a", "page": 1}, ["a1", "x"], more=True))
    assert spider.taken == ["a1", "x", "b1"]
    list(spider.tag_ended({"tag": "a", "page": 2}))  # failed for good: a has no more
    assert spider.taken == ["a1", "x", "b1", "b2"]
    # --resume sends a's lost page 2 again: taken when it comes, and its next page after it
    list(spider.tag_page({"tag": "a", "page": 2}, ["a2"], more=True))
    list(spider.tag_page({"tag": "a", "page": 3}, ["a3"], more=False))
    assert spider.taken == ["a1", "x", "b1", "b2", "a2", "a3"]


def test_pages_waiting_for_one_that_never_comes_are_taken_when_the_crawl_is_idle():
    from scrapy.exceptions import DontCloseSpider

    spider = order_spider()
    sent = []
    spider.crawler.engine = type("Engine", (), {"crawl": lambda self, request: sent.append(request.url)})()
    spider.take_authors = lambda authors: [spider.req(f"http://x.test/{a}", spider.parse) for a in authors]
    assert list(spider.tag_page({"tag": "b", "page": 1}, ["b1"], more=True)) == []  # waits for a's page 1
    assert list(spider.tag_page({"tag": "b", "page": 2}, ["b2"], more=False)) == []
    with pytest.raises(DontCloseSpider):
        spider.release_waiting()  # a's page 1 never came (a request Scrapy dropped, say)
    assert sent == ["http://x.test/b1", "http://x.test/b2"]
    spider.release_waiting()  # nothing waits: the crawl may close


@pytest.mark.parametrize("platform", ["mastodon", "bluesky"])
def test_no_hashtag_page_is_asked_once_every_place_is_taken(tmp_path, server, platform):
    # A review: with the --max-profiles places all taken by page 1, the crawl still read the
    # hashtags' next pages (requests of the budget, and of the platforms' rate limits) for
    # authors it could no longer take.
    import json

    env = crawl_env(MICROSCOUT_BSKY_HANDLE=IDENTIFIER, MICROSCOUT_BSKY_APP_PASSWORD=PASSWORD)
    folder = tmp_path / platform
    folder.mkdir()
    config = write_config(folder, server.url)
    result = run_crawl(config, platform, "--hashtag", "veganrecipes", "--pages", "4", "--max-profiles", "2",
                       *SMALL[2:], env=env)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    (run,) = rows(folder / "scout.db", "SELECT stats FROM crawl_runs")
    stats = json.loads(run["stats"])
    assert len(rows(folder / "scout.db", "SELECT id FROM profiles")) == 2
    assert stats["hashtag_pages"] == 1 and stats["max_profiles_reached"] is True
