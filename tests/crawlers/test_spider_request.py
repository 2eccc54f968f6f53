"""The requests the spiders make are written to the JOBDIR queue as Scrapy writes a Request,
without Scrapy's search of the spider for every one, and read back as the same class."""
from __future__ import annotations

import inspect

import pytest
from scrapy import Request
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.utils.request import request_from_dict
from scrapy.utils.test import get_crawler

from microscout.crawlers.spider_request import SpiderRequest
from microscout.crawlers.spiders.base import Bounds
from microscout.crawlers.spiders.bluesky import BlueskySpider
from microscout.crawlers.spiders.mastodon import MastodonSpider


@pytest.fixture(params=[MastodonSpider, BlueskySpider], ids=lambda cls: cls.__name__)
def spider(request):
    cls = request.param
    return cls.from_crawler(get_crawler(cls), hashtags=("a",), bounds=Bounds(hashtag_pages=2))


def some_requests(spider):
    url = "http://x.test/api/v1/accounts/1/statuses?limit=40&max_id=9"
    return [spider.req(url, spider.handle_profile, {"pid": "1", "branch": "posts", "n": [1, 2]}, auth=True,
                       headers={"Accept": "application/json"}, dont_filter=True, priority=3),
            spider.req(url, spider.handle_profile, None, errback=spider.not_the_api),
            spider.req(url + "&x=1", spider.on_error, {"tag": "a"}, method="POST", body=b"{}")]


def test_written_as_scrapy_writes_it_and_read_back_the_same(spider):
    for request in some_requests(spider) * 2:  # the second time from the names kept
        assert type(request) is SpiderRequest
        written = request.to_dict(spider=spider)
        assert written == Request.to_dict(request, spider=spider)
        assert written["_class"] == "microscout.crawlers.spider_request.SpiderRequest"
        back = request_from_dict(written, spider=spider)
        assert type(back) is SpiderRequest
        assert back.to_dict(spider=spider) == written
        assert back.callback == request.callback and back.errback == request.errback


def test_the_spider_is_searched_once_per_method(spider, monkeypatch):
    searches = []
    getmembers = inspect.getmembers
    monkeypatch.setattr(inspect, "getmembers", lambda *a, **k: searches.append(1) or getmembers(*a, **k))
    first, second, third = some_requests(spider)
    first.to_dict(spider=spider)
    assert len(searches) == 2  # callback and errback, by Scrapy's own search
    for _ in range(50):
        first.to_dict(spider=spider)
        first.replace(url="http://x.test/2").to_dict(spider=spider)
    assert len(searches) == 2
    second.to_dict(spider=spider)  # a method not named yet
    assert len(searches) == 4


def test_what_scrapy_cannot_name_is_refused_as_scrapy_refuses_it(spider):
    request = spider.req("http://x.test/", lambda response: None)
    with pytest.raises(ValueError, match="is not an instance method"):
        request.to_dict(spider=spider)
    with pytest.raises(ValueError, match="is not an instance method"):
        request.to_dict(spider=spider)  # not remembered as nameable


def test_copies_retries_and_replacements_stay_spider_requests(spider):
    request = some_requests(spider)[0]
    assert type(request.copy()) is SpiderRequest
    assert type(request.replace(url="http://x.test/other")) is SpiderRequest
    retry = get_retry_request(request, spider=spider, reason="test")
    assert type(retry) is SpiderRequest
    assert retry.to_dict(spider=spider) == Request.to_dict(retry, spider=spider)
