"""Downloader middlewares: the configured origins only, robots.txt that cannot be read, rate
limits (headers and 429), retry backoff, credentials kept out of answers, the Bluesky session.

Order (lower numbers see requests first, responses last): origin guard 40 (before
robots.txt, 100, so no other origin's robots.txt is asked for either) < a robots.txt the
server cannot serve read as "Disallow: /" 95 (it sees robots.txt's answer after the retries)
< a robots.txt's Crawl-delay 110 (after robots.txt, so the requests that waited for it are
spaced too) < retry 550 < rate limit 620 < auth 650 < the credentials sent scrubbed from answers 655 <
decompression 660 (Scrapy's, at 590 by default, moved above ours so that every one of them
reads the decoded answer; an answer that does not decode goes on as it came). The bearer
token is added last on the way out and stripped first on the way back, so no retried or
re-queued request (which JOBDIR pickles to disk) ever carries it.
"""
from __future__ import annotations

import json
import logging
import math
import time
import zlib
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.misc import load_object
from scrapy.utils.response import response_status_message
from twisted.internet.defer import Deferred

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


# The crawl is asked to stop (Ctrl-C, SIGTERM: runner.Interrupts sends it once the engine is
# stopping), or the spider ends it (CrawlSpider.fail, before its CloseSpider). Scrapy closes the
# spider only once every request in the downloader is done, and a request waiting in a
# middleware of ours (a 429's Retry-After, a rate-limit pause, a retry's backoff, its turn under
# a Crawl-delay) is in the downloader: without this signal the crawl waited those out (up to
# MICROSCOUT_MAX_RATE_WAIT, 900 s) before it stopped.
crawl_stopping = object()


class StoppedWaiting(IgnoreRequest):
    """A request not sent: the crawl was asked to stop while it waited for its time (a 429, a
    rate limit, a retry's backoff, a Crawl-delay). Recorded missing; --resume sends it."""


class Waits:
    """The timers requests wait on in a middleware: each ends at once, failing its request
    with StoppedWaiting, when the crawl is asked to stop (``crawl_stopping``); and from then on
    no request waits, it fails at once."""

    def __init__(self, crawler: Crawler) -> None:
        self.stopping = False
        self.pending: dict[Deferred, tuple[object, str]] = {}  # a waiter -> (its timer, why)
        crawler.signals.connect(self.stop, signal=crawl_stopping)

    def refuse(self, why: str) -> None:
        if self.stopping:
            raise StoppedWaiting(why)

    async def sleep(self, seconds: float, why: str) -> None:
        """Wait ``seconds``, or fail with StoppedWaiting(why) as soon as the crawl is asked to stop."""
        # the reactor is imported here, not at the top: the spiders import this module before
        # Scrapy installs its reactor, and importing it would install the default one
        from twisted.internet import reactor

        self.refuse(why)
        if seconds <= 0:
            return
        waiter: Deferred = Deferred()
        timer = reactor.callLater(seconds, self._wake, waiter)  # type: ignore[arg-type]
        self.pending[waiter] = (timer, why)
        await maybe_deferred_to_future(waiter)

    def _wake(self, waiter: Deferred) -> None:
        if self.pending.pop(waiter, None) is not None:
            waiter.callback(None)

    def stop(self) -> None:
        self.stopping = True
        pending, self.pending = self.pending, {}
        for waiter, (timer, why) in pending.items():
            if timer.active():  # type: ignore[attr-defined]
                timer.cancel()  # type: ignore[attr-defined]
            waiter.errback(StoppedWaiting(why))


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


DEFAULT_PORTS = {"http": 80, "https": 443}


def origin(url: str) -> str:
    """scheme://host:port of a URL (the port always written), or "" when it has none."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return ""
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return ""
    return f"{scheme}://{parts.hostname.lower()}:{port or DEFAULT_PORTS[scheme]}"


def host_key(url: str) -> str:
    """The host a rate limit is kept for: its name in lower case, with the port only when it
    is not the scheme's default, so "https://API.example:443/x" and "https://api.example/y"
    are one host (a server's next-page links may write either)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return urlsplit(url).netloc.lower()
    if not parts.hostname:
        return parts.netloc.lower()
    host = parts.hostname.lower()
    if ":" in host:  # an IPv6 address is written in brackets beside a port
        host = f"[{host}]"
    return host if port is None or port == DEFAULT_PORTS.get(parts.scheme.lower()) else f"{host}:{port}"


class OffsiteRefused(IgnoreRequest):
    """A request to an origin the crawl was not configured for."""


def refuse_offsite(stats, url: str) -> None:
    """Count a request to another origin that the crawl will not make."""
    stats.inc_value("microscout/offsite_refused")
    where = origin(url) or url.split("?", 1)[0][:200]
    seen = list(stats.get_value("microscout/offsite_origins") or [])
    if where not in seen and len(seen) < 20:
        stats.set_value("microscout/offsite_origins", [*seen, where])
    logger.info("Refused a request to another origin: %s", url[:300])


class OriginGuardMiddleware:
    """Every request goes to one of the spider's ``allowed_origins`` (scheme, host and port,
    from the configured base URLs) or nowhere: a pagination link, a redirect or a robots.txt
    elsewhere is refused (OffsiteRefused) and counted, never fetched."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request, spider=None):
        spider = getattr(self.crawler, "spider", None) or spider
        allowed = getattr(spider, "allowed_origins", None)
        if not allowed or origin(request.url) in allowed:
            return None
        refuse_offsite(self.crawler.stats, request.url)
        raise OffsiteRefused(f"{origin(request.url) or request.url} is not one of the configured origins")


DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"


def robots_unavailable(stats, url: str) -> str | None:
    """Why the robots.txt of ``url``'s host could not be read in this crawl (None when it was)."""
    return (stats.get_value("microscout/robots_unavailable") or {}).get(origin(url))


def is_robots_request(request) -> bool:
    """Scrapy's own request for a host's robots.txt."""
    return bool(request.meta.get("dont_obey_robotstxt")) and urlsplit(request.url).path == "/robots.txt"


def unreadable_robots(stats, request, why: str):
    """The answer a robots.txt that could not be read stands for: "Disallow: /" (RFC 9309), its
    host named in stats ``microscout/robots_unavailable`` for the spider to record as missing."""
    from scrapy.http import Response

    hosts = dict(stats.get_value("microscout/robots_unavailable") or {})
    hosts[origin(request.url)] = why
    stats.set_value("microscout/robots_unavailable", hosts)
    logger.warning("robots.txt of %s could not be read (%s): nothing on that host is fetched (RFC 9309)",
                   origin(request.url), why)
    return Response(request.url, status=200, body=DISALLOW_ALL, request=request)


class RobotsUnavailableMiddleware:
    """A robots.txt the server cannot serve (5xx after the retries, a timeout, a dropped
    connection) is read as "Disallow: /", as RFC 9309 (2.3.1.4) requires: Scrapy reads an
    error page as rules (none: everything allowed) and a failed download as no robots.txt at
    all. A 4xx is "no robots.txt" and allows everything, as the RFC says. The host is named in
    stats ``microscout/robots_unavailable`` ({origin: why}), so that the spider records what it
    refused as missing (the run ends incomplete; --resume asks again) rather than as a choice."""

    def __init__(self, crawler: Crawler) -> None:
        if not crawler.settings.getbool("ROBOTSTXT_OBEY"):
            raise NotConfigured
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _unavailable(self, request, why: str):
        return unreadable_robots(self.crawler.stats, request, why)

    def process_request(self, request, spider=None):
        # counted apart (each try): the run's "requests" are the platform's API calls, the
        # --max-requests budget's kind, and robots.txt is none (extensions.counters)
        if is_robots_request(request):
            self.crawler.stats.inc_value("microscout/robots_txt_requests")
        return None

    def process_response(self, request, response, spider=None):
        if response.status >= 500 and is_robots_request(request):
            return self._unavailable(request, f"HTTP {response.status}")
        return response

    def process_exception(self, request, exception, spider=None):
        from microscout.crawlers.spiders.base import UNREACHABLE, failure_text

        # A host that cannot be reached at all is left to the crawl's own request, which fails
        # the same way and says so ("cannot reach …"); one that took the connection and gave no
        # answer (timed out, dropped it) has a robots.txt that could not be read.
        if is_robots_request(request) and not isinstance(exception, (IgnoreRequest, *UNREACHABLE)):
            from twisted.python.failure import Failure

            return self._unavailable(request, failure_text(Failure(exception)))
        return None


class CrawlDelayMiddleware:
    """A robots.txt's ``Crawl-delay`` for this crawler's user agent is obeyed: the requests to
    its host are sent that many seconds apart (Scrapy's robots.txt middleware reads Allow and
    Disallow only). It sits after that middleware (100), so the requests that waited for a
    host's robots.txt are spaced too; the delay is kept in stats ``microscout/robots_crawl_delay``
    ({host: seconds}) and said in the run's notes."""

    def __init__(self, crawler: Crawler) -> None:
        if not crawler.settings.getbool("ROBOTSTXT_OBEY"):
            raise NotConfigured
        self.crawler = crawler
        self.user_agent = crawler.settings.get("ROBOTSTXT_USER_AGENT") or crawler.settings.get("USER_AGENT") or "*"
        # a request whose turn comes later than this is not sent (missing, for --resume), as
        # a 429 asking for longer is not waited for (RateLimitMiddleware)
        self.max_wait = crawler.settings.getfloat("MICROSCOUT_MAX_RATE_WAIT", 900.0)
        self.delays: dict[str, float] = {}
        # When the next request to a host may go: a delay after the last one actually went.
        # Timers fire late under load; turns reserved from when each was due let a request go
        # less than the delay after a late one (0.34 s of 0.4 s).
        self.free_at: dict[str, float] = {}
        self.queued: dict[str, int] = {}  # requests waiting for their turn, by host
        self.waits = Waits(crawler)  # ended at once when the crawl is asked to stop

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request, response, spider=None):
        if is_robots_request(request) and response.status < 300:
            self._read(host_key(request.url), response.body)
        return response

    def _read(self, host: str, body: bytes) -> None:
        from protego import Protego

        try:
            delay = Protego.parse(body.decode("utf-8", errors="replace")).crawl_delay(self.user_agent)
        except Exception:  # noqa: BLE001 - a robots.txt that does not parse asks for no delay
            return
        if not delay or not math.isfinite(delay) or delay <= 0:
            return
        self.delays[host] = float(delay)
        # robots.txt was a request to the host too: the next goes a delay after it, so the
        # requests that waited for it are released one by one, none at once beside the others.
        self.free_at[host] = max(self.free_at.get(host, 0.0), time.time() + float(delay))
        stated = dict(self.crawler.stats.get_value("microscout/robots_crawl_delay") or {})
        stated[host] = float(delay)
        self.crawler.stats.set_value("microscout/robots_crawl_delay", stated)
        note = getattr(getattr(self.crawler, "spider", None), "note", None)
        if callable(note):  # the summary says why the crawl took longer
            note(f"the robots.txt of {host} asks for {delay:g} s between requests (Crawl-delay): obeyed")

    async def process_request(self, request, spider=None):
        if not self.delays or is_robots_request(request):
            return None
        host = host_key(request.url)
        delay = self.delays.get(host)
        if delay is None:
            return None
        now = time.time()
        queued = self.queued.get(host, 0)
        turn = max(now, self.free_at.get(host, 0.0)) + queued * delay
        if turn - now > self.max_wait:
            # A Crawl-delay of an hour would hold the crawl for hours without a word: what
            # would go later than MICROSCOUT_MAX_RATE_WAIT is missing instead (--resume).
            self.crawler.stats.inc_value("microscout/robots_crawl_delay_gave_up")
            raise CrawlDelayTooLong(f"the robots.txt of {host} asks for {delay:,g} s between requests (Crawl-delay), "
                                    f"so this one's turn would come in {turn - now:,.0f} s, later than "
                                    f"MICROSCOUT_MAX_RATE_WAIT ({self.max_wait:g} s) allows: not sent")
        self.queued[host] = queued + 1
        try:
            # Every request waiting wakes when the host is free: the first to run takes the
            # turn and moves it on, the others wait again.
            while (wait := self.free_at.get(host, 0.0) - time.time()) > 0:
                await self.waits.sleep(wait, f"the crawl was stopped while it waited for its turn under the "
                                             f"Crawl-delay of {host} ({delay:,g} s)")
        finally:
            self.queued[host] -= 1
        self.free_at[host] = time.time() + delay
        return None


def backoff_until(retry_times: int, base: float, cap: float) -> float:
    return time.time() + min(cap, base * 2 ** (max(retry_times, 1) - 1))


def said_time(until: float) -> str:
    """An epoch time to come in words: its UTC time of day, and its day when not today's."""
    try:
        # the day too when it is not today's (a Retry-After of days, an HTTP-date far away)
        day = "" if time.gmtime(until)[:3] == time.gmtime()[:3] else "%Y-%m-%d "
        return time.strftime(f"{day}%H:%M:%S UTC", time.gmtime(until))
    except (OverflowError, ValueError, OSError):  # beyond what a date can say (Retry-After: 1e20)
        return "a time too far away to write as a date"


def still_closed(closed: dict | None, now: float) -> dict[str, list]:
    """Of a run record's ``closed_until`` ({host: [until, wait]}, RateLimitMiddleware's), the
    hosts whose time is still to come."""
    return {host: entry for host, entry in (closed or {}).items()
            if isinstance(entry, list) and entry and isinstance(entry[0], (int, float)) and entry[0] > now}


class RateLimitedOut(IgnoreRequest):
    """A request not sent: its host answered 429 asking to wait longer than MICROSCOUT_MAX_RATE_WAIT."""


class CrawlDelayTooLong(RateLimitedOut):
    """A request not sent: its host's robots.txt Crawl-delay puts its turn later than
    MICROSCOUT_MAX_RATE_WAIT (CrawlDelayMiddleware)."""


class UsageTooLong(RateLimitedOut):
    """A request not sent: the Graph API's usage headers said access comes back later than
    MICROSCOUT_MAX_RATE_WAIT (estimated_time_to_regain_access)."""


class RateLimitMiddleware:
    """Reads X-RateLimit-* / RateLimit-* headers; pauses a host before its limit runs out,
    and on 429 waits for Retry-After (or the reset) before trying again (up to
    MICROSCOUT_RETRY_429_TIMES, or a request's meta["max_retry_429_times"]). A host that asks for
    a longer wait than MICROSCOUT_MAX_RATE_WAIT is not asked again before its time: that 429
    goes to the spider, and every later request to the host until then fails with
    RateLimitedOut (recorded missing; --resume asks once the time has passed)."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("MICROSCOUT_RATE_LIMITS", True):
            raise NotConfigured
        self.crawler = crawler
        self.stats = crawler.stats
        self.reserve = settings.getfloat("MICROSCOUT_RATE_LIMIT_RESERVE", 0.1)
        self.max_wait = settings.getfloat("MICROSCOUT_MAX_RATE_WAIT", 900.0)
        self.max_429 = settings.getint("MICROSCOUT_RETRY_429_TIMES", 5)
        self.not_before: dict[str, float] = {}
        self.closed: dict[str, tuple[float, float]] = {}  # host -> (asked to wait until, for how long)
        self.usage_closed: set[str] = set()  # hosts closed by Graph API usage headers, not by a 429
        self.waits = Waits(crawler)
        self._closed_before(settings.getdict("MICROSCOUT_PREVIOUS").get("stats") or {})

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _closed_before(self, previous: dict) -> None:
        """The hosts an earlier session of this run left alone until their time: a --resume
        before then sends them nothing either (what they were to be asked stays missing)."""
        now = time.time()
        for host, entry in (previous.get("closed_until") or {}).items():
            try:
                until, wait = (float(v) for v in entry)
            except (TypeError, ValueError):
                continue  # not what this middleware writes
            if until > now:
                self._close(host, until, wait)
                logger.warning("%s asked not to be asked before %s (a 429 of the session before): nothing is "
                               "sent there now; run --resume again after then", host, said_time(until))

    def _close(self, host: str, until: float, wait: float) -> None:
        self.closed[host] = (until, wait)
        if math.isfinite(until):  # kept in the run's record for a --resume (RunRecord)
            closed = dict(self.stats.get_value("microscout/closed_until") or {})
            closed[host] = [until, wait]
            self.stats.set_value("microscout/closed_until", closed)

    def process_request(self, request, spider=None):
        host = host_key(request.url)
        self._refuse_if_closed(host)
        until = max(self.not_before.get(host, 0.0) if self.not_before else 0.0,
                    request.meta.get("backoff_until", 0.0))
        wait = until - time.time()
        return self._wait(wait, host) if wait > 0 else None  # no coroutine at all when nothing to wait for

    def _refuse_if_closed(self, host: str) -> None:
        if self.closed:
            closed = self.closed.get(host)
            if closed and closed[0] > time.time():
                raise (UsageTooLong if host in self.usage_closed else RateLimitedOut)(
                    self._too_long(closed[1], closed[0]))

    async def _wait(self, seconds: float, host: str) -> None:
        await self.waits.sleep(seconds, f"the crawl was stopped while it waited {seconds:,.0f} s for {host} "
                                        "(a 429, its rate limit or a retry's backoff)")
        # the host may have asked for a longer wait while this request waited: not sent before then
        self._refuse_if_closed(host)
        return None

    def _pause(self, host: str, seconds: float, why: str, url: str) -> None:
        seconds = min(max(seconds, 0.0), self.max_wait)
        until = time.time() + seconds
        if until > self.not_before.get(host, 0.0) + 0.001:
            self.not_before[host] = until
            self.stats.inc_value("microscout/rate_limit_waits")
            # Scrapy annotates count as int, but adds any number: the total wait is in fractional seconds
            self.stats.inc_value("microscout/rate_limit_wait_seconds", round(seconds, 3))  # type: ignore[arg-type]
            logger.info("Rate limit (%s) on %s: waiting %.1fs (%s)", why, host, seconds, url)

    def process_response(self, request, response, spider=None):
        now = time.time()
        host = host_key(request.url)
        limit = _header(response, "X-RateLimit-Limit", "RateLimit-Limit")
        remaining = _header(response, "X-RateLimit-Remaining", "RateLimit-Remaining")
        reset = reset_at(_header(response, "X-RateLimit-Reset", "RateLimit-Reset"), now)
        if response.status == 429:
            wait = retry_after(_header(response, "Retry-After"), now)
            if wait is None:
                # a reset this clock already reads as past (it runs ahead of the server's) is no
                # leave to ask again at once: at least the second a 429 without a time gets
                # (a 429 that says no time at all, as Google's do, waits the crawl's own second,
                # or less when MICROSCOUT_MAX_RATE_WAIT is shorter: no time the server asked for is
                # beyond it, so the host is not left alone for it)
                wait = max(reset - now, 1.0) if reset else min(1.0, self.max_wait)
            if wait > self.max_wait:
                # Asking again after MICROSCOUT_MAX_RATE_WAIT would be asking before the server's
                # time: the host is left alone until then, and what it was asked is missing.
                self._close(host, now + wait, wait)
                self.stats.inc_value("microscout/rate_limit_gave_up")
                request.meta["rate_limited"] = self._too_long(wait, now + wait)  # for the spider's words
                logger.warning("Rate limit (429) on %s: %s", host, request.meta["rate_limited"])
                return response
            self._pause(host, wait, "429", request.url)
            tries = request.meta.get("retry_429", 0)
            # max_retry_429_times: a spider that retries a request's 429s itself (YouTube, whose
            # 429s and 403s are one rate limit) asks for none here
            if tries >= request.meta.get("max_retry_429_times", self.max_429) or request.meta.get("dont_retry"):
                # how long the host is now paused (counted here): the spider's own retry of this
                # answer counts only what it waits beyond that (as after a Graph usage pause)
                request.meta["rate_paused_for"] = min(wait, self.max_wait)
                return response  # the spider (or the session middleware) handles it
            retry = request.replace(dont_filter=True)
            retry.meta["retry_429"] = tries + 1
            return retry
        self._graph_usage(request, response, host)
        try:
            limit_n, remaining_n = int(float(limit)), int(float(remaining))
        except (TypeError, ValueError):
            return response
        if reset and limit_n > 0 and remaining_n <= self.reserve * limit_n:
            self._pause(host, reset - now, f"{remaining_n}/{limit_n} left", request.url)
        return response

    def _too_long(self, wait: float, until: float) -> str:
        return (f"the server asked to wait {wait:,.0f} s (until {said_time(until)}), longer than "
                f"MICROSCOUT_MAX_RATE_WAIT ({self.max_wait:g} s) allows: not asked before then")

    GRAPH_BUSY = 95.0      # percent of a Graph API usage limit at which the host is paused
    GRAPH_PAUSE = 60.0     # how long, when the API does not say (its usage window rolls over an hour)

    def _graph_usage(self, request, response, host: str) -> None:
        """Graph API (Instagram) usage headers: pause the host when a limit is nearly spent or
        the API says when access comes back (estimated_time_to_regain_access)."""
        buc, app = _header(response, "X-Business-Use-Case-Usage"), _header(response, "X-App-Usage")
        if not buc and not app:
            return
        from microscout.crawlers.parse_instagram import usage

        pct, regain = usage(buc, app)
        if regain <= 0 and pct < self.GRAPH_BUSY:
            return
        self.stats.inc_value("microscout/graph_usage_pauses")
        if regain > self.max_wait:
            # Asking again when MICROSCOUT_MAX_RATE_WAIT ran out would be asking before the API's
            # time (the real header says minutes: estimated_time_to_regain_access 20), as for a
            # 429 asking too long: the host is left alone until then, and what is left is missing.
            now = time.time()
            request.meta["rate_paused_for"] = regain  # the spider's own retry of this answer waits within it
            if self.closed.get(host, (0.0, 0.0))[0] < now + regain:
                self._close(host, now + regain, regain)
                self.usage_closed.add(host)
                self.stats.inc_value("microscout/rate_limit_gave_up")
                logger.warning("Graph API usage headers on %s: %s", host, self._too_long(regain, now + regain))
            note = getattr(getattr(self.crawler, "spider", None), "note", None)
            if callable(note):
                note(f"the Graph API's usage headers (X-Business-Use-Case-Usage / X-App-Usage) said access comes "
                     f"back in {regain / 60:,.0f} min, longer than MICROSCOUT_MAX_RATE_WAIT ({self.max_wait:g} s) "
                     "allows: what was still to ask there was not asked before then (missing; --resume asks it)")
            return
        self._pause(host, regain or self.GRAPH_PAUSE, f"Graph API usage {pct:.0f}%", request.url)
        # how long this answer paused the host (counted here): a retry the spider makes of it
        # (a rate-limit code) counts only what it waits beyond that, not the same wait twice
        request.meta["rate_paused_for"] = min(regain or self.GRAPH_PAUSE, self.max_wait)
        note = getattr(getattr(self.crawler, "spider", None), "note", None)
        if callable(note):  # the summary says why the crawl took longer
            note("the Graph API's usage headers (X-Business-Use-Case-Usage / X-App-Usage) said its limit was "
                 "nearly reached: requests were paused until access came back")


class BackoffRetryMiddleware:
    """Retries like Scrapy's RetryMiddleware (RETRY_TIMES, RETRY_HTTP_CODES, RETRY_EXCEPTIONS,
    meta dont_retry / max_retry_times), through Scrapy's public ``get_retry_request``, with
    exponential backoff between tries (meta["backoff_until"], honoured by the scheduler side)."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("RETRY_ENABLED"):
            raise NotConfigured
        self.crawler = crawler
        self.max_retry_times = settings.getint("RETRY_TIMES")
        self.codes = {int(code) for code in settings.getlist("RETRY_HTTP_CODES")}
        self.priority_adjust = settings.getint("RETRY_PRIORITY_ADJUST")
        self.exceptions = tuple(load_object(e) if isinstance(e, str) else e
                                for e in settings.getlist("RETRY_EXCEPTIONS"))
        self.base = settings.getfloat("MICROSCOUT_RETRY_BACKOFF", 0.5)
        self.cap = settings.getfloat("MICROSCOUT_RETRY_BACKOFF_MAX", 30.0)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request, response, spider=None):
        if request.meta.get("dont_retry") or response.status not in self.codes:
            return response
        return self.again(request, response_status_message(response.status)) or response

    def process_exception(self, request, exception, spider=None):
        if isinstance(exception, self.exceptions) and not request.meta.get("dont_retry"):
            return self.again(request, exception)
        return None

    def again(self, request, reason):
        """The request to send again after a backoff, or None once its tries are spent."""
        retry = get_retry_request(request, reason=reason, spider=self.crawler.spider,
                                  max_retry_times=request.meta.get("max_retry_times", self.max_retry_times),
                                  priority_adjust=request.meta.get("priority_adjust", self.priority_adjust))
        if retry is not None:
            retry.meta["backoff_until"] = backoff_until(retry.meta.get("retry_times", 1), self.base, self.cap)
        return retry


def sent_secrets(crawler) -> set[str]:
    """Every credential this crawl has put on a request (an API key, a token, the Bluesky app
    password of a login), in memory only: what no server's answer may bring back into a log,
    a message, the run's record, the database or the job folder."""
    return crawler.__dict__.setdefault("_microscout_sent_secrets", set())


class SecretScrubMiddleware:
    """Every answer with the credentials the crawl sent replaced by [redacted], in its body and
    headers: a server that repeats the request (its Authorization or X-Goog-Api-Key header, a
    login's body) in an error message must not carry the secret into what the crawl reports of
    that message. Placed right after decompression (660) on the way back, so it reads the
    decoded body before any middleware of ours logs or notes what an answer says. A login or
    refresh's own success is left alone: the tokens are its answer."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._variants: tuple[frozenset[str], list[bytes]] = (frozenset(), [])

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def variants(self, secrets: set[str]) -> list[bytes]:
        """Each secret as sent, percent-encoded (an echoed URL or form) and JSON-escaped, longest
        first, as bytes: worked out again only when the crawl has sent a new credential."""
        known, variants = self._variants
        if known != secrets:
            from urllib.parse import quote

            from microscout.crawlers.credentials import MIN_SECRET

            forms = {form for value in secrets if len(value) >= MIN_SECRET
                     for form in (value, quote(value, safe=""), json.dumps(value)[1:-1])}
            variants = [form.encode() for form in sorted(forms, key=len, reverse=True)]
            self._variants = (frozenset(secrets), variants)
        return variants

    def process_response(self, request, response, spider=None):
        secrets = sent_secrets(self.crawler)
        if not secrets or (request.meta.get("auth") in ("login", "refresh") and 200 <= response.status < 300):
            return response
        variants = self.variants(secrets)
        body = response.body
        for value in variants:
            if value in body:
                body = body.replace(value, b"[redacted]")
        headers = None
        for name, values in response.headers.items():
            if not any(value in v for v in values for value in variants):
                continue
            clean = list(values)
            for value in variants:
                clean = [v.replace(value, b"[redacted]") for v in clean]
            headers = headers or response.headers.copy()
            headers.setlist(name, clean)
        if body is response.body and headers is None:
            return response
        return response.replace(body=body, **({"headers": headers} if headers is not None else {}))


class BodyTooLarge(IgnoreRequest):
    """An answer whose body, decompressed, is larger than the crawl may parse (DOWNLOAD_MAXSIZE,
    set to crawl.max_body_bytes): not decompressed further, not retried, recorded missing."""


def take_credentials_off(request) -> None:
    """What BearerAuthMiddleware added to a request, taken off again."""
    request.headers.pop(b"Authorization", None)
    for name in request.meta.pop("auth_added", ()):
        request.headers.pop(name, None)


class DecodingMiddleware(HttpCompressionMiddleware):
    """Scrapy's decompression, placed above our middlewares (660) so that they read decoded
    answers, with two differences its new place calls for. An answer that does not decode
    (labelled gzip by a proxy that sent it plain, cut short) goes on as it came, counted: at
    Scrapy's 590 the rate limit and the session had seen it before decompression failed, and
    they must still (a 429 paused and retried, the spider reading the rest as a bad answer).
    One ignored for its size (DOWNLOAD_MAXSIZE) reaches none of them: the credentials
    BearerAuthMiddleware added are taken off here."""

    body_limit = 0  # DOWNLOAD_MAXSIZE, read here: Scrapy keeps its own copy private

    @classmethod
    def from_crawler(cls, crawler):
        middleware = super().from_crawler(crawler)
        middleware.body_limit = crawler.settings.getint("DOWNLOAD_MAXSIZE")
        return middleware

    def process_response(self, request, response, spider=None):
        try:
            # spider passed on only where Scrapy passed it (its floor, 2.15, requires it; 2.19 warns)
            return super().process_response(request, response, *(() if spider is None else (spider,)))
        except IgnoreRequest as exc:
            take_credentials_off(request)
            limit = request.meta.get("download_maxsize", self.body_limit)
            if is_robots_request(request) and self.stats is not None:
                # Scrapy reads an ignored robots.txt as none at all (everything allowed); one
                # too large to read is unreadable: nothing on that host is fetched
                return unreadable_robots(self.stats, request, f"over the limit of {limit:,} bytes once decompressed")
            encoding = b",".join(response.headers.getlist("Content-Encoding")).decode("latin-1")
            raise BodyTooLarge(f"body of {len(response.body):,} bytes ({encoding}) is over the limit of {limit:,} "
                               "(crawl.max_body_bytes) once decompressed") from exc
        except (OSError, EOFError, ValueError, zlib.error) as exc:  # BadGzipFile is an OSError
            if self.stats is not None:
                self.stats.inc_value("microscout/undecodable_answers")
            logger.warning("%s: its %s body does not decode (%s): read as it came", response,
                           b",".join(response.headers.getlist("Content-Encoding")).decode("latin-1"),
                           type(exc).__name__)
            return response


# A renewal not asked for: its host asked (a 429) not to be asked before a time still to come.
HOST_CLOSED = "host_closed"
# A renewal the crawl's stop caught waiting (StoppedWaiting): the requests it held are missing.
STOPPED = "stopped"


class BearerAuthMiddleware:
    """The Bluesky session on requests marked meta["auth"], added at the very last moment.

    meta["auth"] is True for an authenticated call (the access token), "refresh" for
    refreshSession (the refresh token) and "login" for createSession (no token; the
    credentials are in the body of a request that only this middleware makes and that never
    reaches the scheduler or JOBDIR). The tokens live on the spider's ``session`` (a
    bsky_session.Login), in memory.

    On ExpiredToken (400 or 401) to an authenticated call the session is refreshed with
    com.atproto.server.refreshSession, downloaded through Scrapy (engine.download_async),
    and the request is sent again; concurrent expiries share one refresh. A refused refresh
    (ExpiredToken, InvalidToken) falls back to one new login per crawl. What cannot be
    fixed is left on the response's meta["session_problem"] for the spider to report.

    The token's own exp, read on this machine's clock, says whether an expiry is plain. A token
    that still had EXPIRY_SLACK seconds to live when the request left, yet was refused, is
    counted: MAX_RENEWALS of those for one request mean the PDS refuses the tokens it has just
    issued (or this clock is wrong). A token that had run out is a plain expiry (the request
    waited in the queue longer than the token lives), renewed without counting; but MAX_UNUSED
    renewals in a row that no request could use mean tokens live less than a request waits.
    """

    MAX_RENEWALS = 2  # per request: a server that refuses tokens this clock calls live is reported
    MAX_UNUSED = 3    # renewals in a row without one answer to their token: reported
    EXPIRY_SLACK = 5.0  # seconds: a request's time on the wire and a small drift between clocks

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.generation = 0          # renewals so far; a request remembers the one it was sent with
        self.waiting: list | None = None  # Deferreds of requests waiting for the renewal under way
        self.logins = 0
        self.unused = 0              # renewals since a request last got an answer to its token
        self._expiry: tuple[str, float | None] = ("", None)  # the access token and its exp

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _login(self):
        spider = getattr(self.crawler, "spider", None)
        return getattr(spider, "session", None)

    def process_request(self, request, spider=None):
        kind = request.meta.get("auth")
        owner = getattr(self.crawler, "spider", None)
        if kind and hasattr(owner, "auth_headers"):
            # an API platform's key or token (YouTube, Instagram, TikTok): added here, on the
            # way out, and taken off again on the way back, so that it is never written to the
            # job folder's queue with a retried request
            added = owner.auth_headers(request)
            sent_secrets(self.crawler).update(v.removeprefix("Bearer ") for v in added.values() if v)
            for name, value in added.items():
                request.headers[name] = value
            request.meta["auth_added"] = list(added)
            return None
        login = self._login() if kind else None
        if kind == "login" and login is not None:
            sent_secrets(self.crawler).add(login.credentials()["password"])
        session = getattr(login, "session", None)
        if session is None:
            return None
        token = {True: session.access_jwt, "refresh": session.refresh_jwt}.get(kind)
        if token:
            sent_secrets(self.crawler).add(token)
            request.headers[b"Authorization"] = f"Bearer {token}"
        request.meta["session_generation"] = self.generation
        if kind is True and token:
            request.meta["session_token_left"] = self._seconds_left(token)
        return None

    def _seconds_left(self, token: str) -> float | None:
        """How long the access token lives yet by this machine's clock (None: no exp to read)."""
        from microscout.crawlers.bsky_session import jwt_expiry

        if self._expiry[0] != token:
            self._expiry = (token, jwt_expiry(token))
        expiry = self._expiry[1]
        return None if expiry is None else expiry - time.time()

    def process_response(self, request, response, spider=None):
        take_credentials_off(request)
        if request.meta.get("auth") is not True:
            return response
        if response.status not in (400, 401):
            if request.meta.get("session_generation") == self.generation:
                self.unused = 0  # the latest token was of use
            return response
        from microscout.crawlers.bsky_session import error_from

        err = error_from("", response.status, response.body)
        if err.name != "ExpiredToken" or self._login() is None:
            return response
        return self._expired(request, response)  # a coroutine only on this rare path

    def process_exception(self, request, exception, spider=None):
        take_credentials_off(request)
        return None

    async def _expired(self, request, response):
        renewals = request.meta.get("session_renewals", 0)
        left = request.meta.get("session_token_left")
        if left is None or left >= self.EXPIRY_SLACK:
            # not an expiry by this machine's clock: counted
            if renewals >= self.MAX_RENEWALS:
                had = "" if left is None else f", for a token that by this machine's clock had {round(left)} s to live"
                request.meta["session_problem"] = (
                    "session_lost", f"Bluesky kept answering ExpiredToken right after the session was "
                    f"refreshed{had}; check the clock of this machine; if it is right, the PDS refuses "
                    "the sessions it has just issued: run the crawl again later")
                return response
            renewals += 1
        problem = await self._renew(request.meta.get("session_generation", 0))
        if problem is not None and problem[0] == STOPPED:
            raise StoppedWaiting(problem[1])  # missing, as every request the stop caught waiting
        if problem is not None and problem[0] == HOST_CLOSED:
            # not the session's fault: this request waits for the host's time like every other
            # one it refused (missing, the run incomplete; --resume after then)
            raise RateLimitedOut(problem[1])
        if problem is not None:
            request.meta["session_problem"] = problem
            return response
        again = request.replace(dont_filter=True)
        again.meta["session_renewals"] = renewals
        return again

    async def _renew(self, sent_with: int):
        """Renew the session once for everyone who found it expired; (reason, message) or None."""
        if sent_with < self.generation:
            return None  # renewed since this request left
        if self.waiting is not None:
            waiter: Deferred[tuple[str, str] | None] = Deferred()
            self.waiting.append(waiter)
            return await maybe_deferred_to_future(waiter)
        self.waiting = []
        try:
            if self.unused >= self.MAX_UNUSED:
                problem = ("session_lost", f"Bluesky's access tokens expired before any request could use "
                           f"them, {self.unused} renewals in a row; check the clock of this machine, then "
                           "run the crawl again (with a lower [crawl] download_delay, if it is set)")
            else:
                problem = await self._refresh_or_login()
        except RateLimitedOut as exc:  # the PDS asked earlier in the crawl not to be asked before a time
            problem = (HOST_CLOSED, f"Bluesky session could not be renewed: {exc}")
        except StoppedWaiting as exc:  # the crawl was stopped while the renewal waited: no session problem
            problem = (STOPPED, str(exc))
        except Exception as exc:  # noqa: BLE001 - whatever happened, the waiters must wake up
            problem = ("session_lost", f"Bluesky session could not be renewed: {type(exc).__name__}")
        if problem is None:
            self.generation += 1
            self.unused += 1
        waiting, self.waiting = self.waiting, None
        for waiter in waiting:
            waiter.callback(problem)
        return problem

    async def _download(self, request):
        engine = self.crawler.engine
        if hasattr(engine, "download_async"):
            return await engine.download_async(request)
        return await maybe_deferred_to_future(engine.download(request))

    async def _refresh_or_login(self):
        from scrapy import Request

        from microscout.crawlers.bsky_session import SessionProblem, XrpcError, error_from, explain_login, session_from

        login = self._login()
        stats = self.crawler.stats
        method = "com.atproto.server.refreshSession"
        meta = {"auth": "refresh", "handle_httpstatus_all": True}  # 5xx and 429 are retried as usual
        response = await self._download(Request(f"{login.pds}/xrpc/{method}", method="POST", meta=meta,
                                                headers={"Accept": "application/json"}, dont_filter=True))
        try:
            if response.status == 200:
                login.replace(session_from(_json(response), login.pds, login.handle, "refreshSession"))
                stats.inc_value("microscout/session_refreshes")
                logger.info("Bluesky session refreshed at %s", login.pds)
                return None
            if response.meta.get("rate_limited"):
                # a 429 asking for longer than the crawl may wait: the PDS is left alone until
                # then (RateLimitMiddleware), and what needed the session waits with it
                return HOST_CLOSED, f"Bluesky session could not be renewed: {response.meta['rate_limited']}"
            err = error_from("refreshSession", response.status, response.body, response.headers)
            if err.name not in ("ExpiredToken", "InvalidToken") and response.status != 401:
                raise err
            if self.logins >= 1:
                raise err
            self.logins += 1
            method = "com.atproto.server.createSession"
            logger.info("Bluesky refused to refresh the session (%s): logging in again", err)
            response = await self._download(Request(
                f"{login.pds}/xrpc/{method}", method="POST", body=json.dumps(login.credentials()),
                headers={"Content-Type": "application/json", "Accept": "application/json"},
                # not retried: createSession's limits are per account and their reset may be a day away
                meta={"auth": "login", "handle_httpstatus_all": True, "dont_retry": True}, dont_filter=True))
            if response.status != 200:
                raise error_from("createSession", response.status, response.body, response.headers)
            login.replace(session_from(_json(response), login.pds, login.handle, "createSession"))
            stats.inc_value("microscout/session_logins")
            return None
        except XrpcError as err:
            problem = explain_login(err, login.pds, login.handle, login.login_help)
            return problem.reason, str(problem)
        except SessionProblem as problem:
            return problem.reason, str(problem)


def _json(response) -> dict:
    try:
        data = json.loads(response.body)
    except (ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}
