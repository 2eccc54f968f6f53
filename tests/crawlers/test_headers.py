"""Rate-limit and Retry-After header arithmetic (pure functions of the middleware)."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from microscout.crawlers.middlewares import reset_at, retry_after
from microscout.crawlers.settings import RETRY_CODES, build_settings
from microscout.config import Crawl

NOW = datetime(2026, 8, 1, 13, 50, tzinfo=timezone.utc).timestamp()


def test_mastodon_reset_is_iso_8601():
    # as recorded: x-ratelimit-reset: '2026-08-01T13:50:00.688634Z'
    assert reset_at("2026-08-01T13:50:00.688634Z", NOW) == NOW + 0.688634
    assert reset_at("2026-08-01T14:00:00Z", NOW) == NOW + 600


def test_bluesky_reset_is_epoch_seconds_and_small_numbers_are_deltas():
    assert reset_at(str(int(NOW) + 30), NOW) == int(NOW) + 30
    assert reset_at("12", NOW) == NOW + 12
    assert reset_at("soon", NOW) is None and reset_at(None, NOW) is None


def test_retry_after_seconds_or_http_date():
    assert retry_after("7", NOW) == 7
    assert retry_after("Sat, 01 Aug 2026 13:50:05 GMT", NOW) == 5
    assert retry_after("-3", NOW) == 0
    assert retry_after("", NOW) is None and retry_after("later", NOW) is None


def test_settings_follow_the_config():
    crawl = Crawl(user_agent="scout/1 (+https://example.org/contact)", obey_robots=False, concurrency_per_host=2,
                  retry_times=5, autothrottle=False, download_delay=0.5)
    s = build_settings(crawl, db_path="x.db", run_id=3, observed_at="t", jobdir="/tmp/j")
    assert s["USER_AGENT"] == "scout/1 (+https://example.org/contact)"
    assert s["ROBOTSTXT_OBEY"] is False and s["AUTOTHROTTLE_ENABLED"] is False
    assert s["CONCURRENT_REQUESTS_PER_DOMAIN"] == 2 and s["RETRY_TIMES"] == 5 and s["DOWNLOAD_DELAY"] == 0.5
    assert 429 not in s["RETRY_HTTP_CODES"] == RETRY_CODES and 503 in RETRY_CODES  # 429 waits for Retry-After
    assert s["JOBDIR"] == "/tmp/j"


def test_no_crawl_listens_for_remote_commands():
    # Scrapy 2.19 turns on a remote control that runs Python sent to it over HTTP; built into
    # a crawler from our settings, its extension must switch itself off.
    from scrapy.exceptions import NotConfigured
    from scrapy.settings import Settings

    settings = Settings(build_settings(Crawl(), db_path="x.db", run_id=1, observed_at="t", jobdir=None))
    assert settings.getbool("TELNETCONSOLE_ENABLED") is False and settings.getbool("REMOTE_CONTROL_ENABLED") is False
    try:
        from scrapy.extensions.remote_control import RemoteControl  # type: ignore[import-not-found]
    except ImportError:
        return  # a Scrapy without it
    from types import SimpleNamespace

    with pytest.raises(NotConfigured):
        RemoteControl(SimpleNamespace(settings=settings))  # its first check, before any reactor


def test_an_answer_ignored_for_its_size_while_decoding_takes_the_credentials_off():
    # Decompression runs above BearerAuthMiddleware (660 > 650): an answer it ignores for its
    # size (DOWNLOAD_MAXSIZE) reaches no middleware of ours, so it takes the credentials off.
    import gzip

    from scrapy import Request, Spider
    from scrapy.exceptions import IgnoreRequest
    from scrapy.http import Response
    from scrapy.utils.test import get_crawler

    from microscout.crawlers.middlewares import DecodingMiddleware

    crawler = get_crawler(Spider, {"DOWNLOAD_MAXSIZE": 1000})
    middleware = DecodingMiddleware.from_crawler(crawler)
    # as the downloader calls it: with the spider where Scrapy's own method requires one (2.15)
    import inspect

    from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
    spider_param = inspect.signature(HttpCompressionMiddleware.process_response).parameters.get("spider")
    extra = (Spider("s"),) if spider_param is not None and spider_param.default is inspect.Parameter.empty else ()
    request = Request("https://api.example/x", headers={"Authorization": "Bearer tok-secret", "X-Api-Key": "k-secret"},
                      meta={"auth": True, "auth_added": ["X-Api-Key"]})
    big = Response(request.url, status=200, body=gzip.compress(b"0" * 100_000), request=request,
                   headers={"Content-Encoding": "gzip"})
    with pytest.raises(IgnoreRequest, match=r"over the limit of 1,000 \(crawl.max_body_bytes\) once decompressed"):
        middleware.process_response(request, big, *extra)
    assert b"Authorization" not in request.headers and b"X-Api-Key" not in request.headers
    # an answer that does not decode goes on as it came, for the rate limit and the session
    plain = Response(request.url, status=429, body=b'{"error":"slow down"}', request=request,
                     headers={"Content-Encoding": "gzip"})
    assert middleware.process_response(request, plain, *extra) is plain
    assert crawler.stats.get_value("microscout/undecodable_answers") == 1


@pytest.mark.parametrize("headers", [
    {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0"},  # reset to come, as Mastodon's 429 says it
    {"RateLimit-Limit": "3000", "RateLimit-Remaining": "0"},      # Bluesky's: epoch seconds
])
def test_a_429_whose_reset_has_already_passed_here_is_not_asked_again_at_once(headers):
    # A review: Mastodon's 429 carries no Retry-After, only X-RateLimit-Reset; a reset this
    # machine's clock (a second or more ahead of the server's) already reads as past gave a
    # wait of 0, and the request was sent again at once, five times, each one another 429.
    import time

    from scrapy import Request, Spider
    from scrapy.http import Response
    from scrapy.utils.test import get_crawler

    from microscout.crawlers.middlewares import RateLimitMiddleware

    middleware = RateLimitMiddleware.from_crawler(get_crawler(Spider, {}))
    past = time.time() - 2
    reset = (datetime.fromtimestamp(past, timezone.utc).isoformat() if "X-RateLimit-Limit" in headers
             else str(int(past)))
    name = "X-RateLimit-Reset" if "X-RateLimit-Limit" in headers else "RateLimit-Reset"
    request = Request("https://mastodon.example/api/v1/accounts/lookup?acct=a")
    answer = Response(request.url, status=429, headers={**headers, name: reset}, request=request)
    again = middleware.process_response(request, answer)
    assert isinstance(again, Request) and again.meta["retry_429"] == 1
    assert middleware.not_before["mastodon.example"] - time.time() >= 0.9


def test_a_429_that_says_no_time_is_not_taken_for_a_wait_too_long_and_a_spider_may_keep_its_429s():
    # Google's 429 rateLimitExceeded carries no Retry-After and no reset: the second the crawl
    # waits then is its own choice, so a MICROSCOUT_MAX_RATE_WAIT under a second did not make it
    # "the server asked to wait 1 s, longer than … allows" and leave the host alone. A request
    # whose spider retries its 429s itself (meta max_retry_429_times, YouTube's) is handed back
    # after the pause, with the seconds the host was paused for.
    import time

    from scrapy import Request, Spider
    from scrapy.http import Response
    from scrapy.utils.test import get_crawler

    from microscout.crawlers.middlewares import RateLimitMiddleware

    middleware = RateLimitMiddleware.from_crawler(get_crawler(Spider, {"MICROSCOUT_MAX_RATE_WAIT": 0.2}))
    request = Request("https://www.googleapis.com/youtube/v3/videos?id=x")
    answer = Response(request.url, status=429, request=request)
    again = middleware.process_response(request, answer)
    assert isinstance(again, Request) and again.meta["retry_429"] == 1 and not middleware.closed
    assert 0 < middleware.not_before["www.googleapis.com"] - time.time() <= 0.2
    mine = Request(request.url, meta={"max_retry_429_times": 0})
    kept = middleware.process_response(mine, Response(request.url, status=429, request=mine))
    assert kept.status == 429 and mine.meta["rate_paused_for"] == 0.2 and "rate_limited" not in mine.meta
