"""Downloader middlewares: rate limits (headers and 429), retry backoff, Bluesky auth.

Order (lower numbers see requests first, responses last): retry 550 < rate limit 620 <
auth 650. The bearer token is added last on the way out and stripped first on the way
back, so no retried or re-queued request (which JOBDIR pickles to disk) ever carries it.
"""
from __future__ import annotations

import logging
import time
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urlparse

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import reactor
from twisted.internet.task import deferLater

logger = logging.getLogger(__name__)


async def sleep(seconds: float) -> None:
    if seconds > 0:
        await maybe_deferred_to_future(deferLater(reactor, seconds, lambda: None))


def _header(response, *names: str) -> str | None:
    for name in names:
        value = response.headers.get(name)
        if value:
            return value.decode("latin-1").strip()
    return None


def reset_at(value: str | None, now: float) -> float | None:
    """An absolute time from a reset header: ISO-8601 (Mastodon), epoch seconds (Bluesky)
    or, for small numbers, seconds from now."""
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        try:
            stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=timezone.utc)
        return stamp.timestamp()
    return number if number > 1e9 else now + number


def retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a Retry-After header (delta seconds or an HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - now)
        except (TypeError, ValueError):
            return None


class RateLimitMiddleware:
    """Reads X-RateLimit-* / RateLimit-* headers; pauses a host before its limit runs out,
    and on 429 waits for Retry-After (or the reset) before trying again."""

    def __init__(self, crawler):
        settings = crawler.settings
        if not settings.getbool("MICROSCOUT_RATE_LIMITS", True):
            raise NotConfigured
        self.stats = crawler.stats
        self.reserve = settings.getfloat("MICROSCOUT_RATE_LIMIT_RESERVE", 0.1)
        self.max_wait = settings.getfloat("MICROSCOUT_MAX_RATE_WAIT", 900.0)
        self.max_429 = settings.getint("MICROSCOUT_RETRY_429_TIMES", 5)
        self.not_before: dict[str, float] = {}

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request, spider=None):
        until = max(self.not_before.get(urlparse(request.url).netloc, 0.0) if self.not_before else 0.0,
                    request.meta.get("backoff_until", 0.0))
        wait = until - time.time()
        return self._wait(wait) if wait > 0 else None  # no coroutine at all when nothing to wait for

    async def _wait(self, seconds: float) -> None:
        await sleep(seconds)
        return None

    def _pause(self, host: str, seconds: float, why: str, url: str) -> None:
        seconds = min(max(seconds, 0.0), self.max_wait)
        until = time.time() + seconds
        if until > self.not_before.get(host, 0.0) + 0.001:
            self.not_before[host] = until
            self.stats.inc_value("microscout/rate_limit_waits")
            self.stats.inc_value("microscout/rate_limit_wait_seconds", round(seconds, 3))
            logger.info("Rate limit (%s) on %s: waiting %.1fs (%s)", why, host, seconds, url)

    def process_response(self, request, response, spider=None):
        now = time.time()
        host = urlparse(request.url).netloc
        limit = _header(response, "X-RateLimit-Limit", "RateLimit-Limit")
        remaining = _header(response, "X-RateLimit-Remaining", "RateLimit-Remaining")
        reset = reset_at(_header(response, "X-RateLimit-Reset", "RateLimit-Reset"), now)
        if response.status == 429:
            wait = retry_after(_header(response, "Retry-After"), now)
            if wait is None:
                wait = (reset - now) if reset else 1.0
            self._pause(host, wait, "429", request.url)
            tries = request.meta.get("retry_429", 0)
            if tries >= self.max_429:
                return response  # the spider counts it as an error
            retry = request.replace(dont_filter=True)
            retry.meta["retry_429"] = tries + 1
            return retry
        try:
            limit_n, remaining_n = int(float(limit)), int(float(remaining))
        except (TypeError, ValueError):
            return response
        if reset and limit_n > 0 and remaining_n <= self.reserve * limit_n:
            self._pause(host, reset - now, f"{remaining_n}/{limit_n} left", request.url)
        return response


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's RetryMiddleware (RETRY_TIMES, RETRY_HTTP_CODES) with exponential backoff."""

    def __init__(self, settings):
        super().__init__(settings)
        self.base = settings.getfloat("MICROSCOUT_RETRY_BACKOFF", 0.5)
        self.cap = settings.getfloat("MICROSCOUT_RETRY_BACKOFF_MAX", 30.0)

    def _retry(self, request, reason):
        retry = super()._retry(request, reason)
        if retry is not None:
            tries = retry.meta.get("retry_times", 1)
            retry.meta["backoff_until"] = time.time() + min(self.cap, self.base * 2 ** (tries - 1))
        return retry


class BearerAuthMiddleware:
    """Adds the session token to requests marked meta["auth"], at the very last moment."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _token(self) -> str | None:
        spider = getattr(self.crawler, "spider", None)
        return getattr(spider, "access_token", None)

    def process_request(self, request, spider=None):
        token = self._token()
        if request.meta.get("auth") and token:
            request.headers[b"Authorization"] = f"Bearer {token}"
        return None

    def process_response(self, request, response, spider=None):
        request.headers.pop(b"Authorization", None)
        return response

    def process_exception(self, request, exception, spider=None):
        request.headers.pop(b"Authorization", None)
        return None
