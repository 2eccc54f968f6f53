"""What both spiders share: what happens after a profile (posts and the follower sample
side by side, replies once the posts are known), the request budget, the prefilter and
error counting.

Everything that rides on a request (cb_kwargs) is a plain dict and every callback is a
method, so JOBDIR can pickle the pending requests; the spider's own progress lives in
``self.state``, which JOBDIR keeps between runs.

Nothing is lost quietly: an answer that cannot be parsed is retried like a 5xx, within the
same retry budget (``get_retry_request``); a request that fails for good is recorded in
``self.state["missing"]`` (what it was for: a hashtag page, a profile, a profile's posts,
the replies of a post, the follower sample), so that the run ends ``incomplete`` naming
what is missing, and ``--resume`` sends exactly those requests again.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from pydantic import ValidationError
from scrapy import Request, Spider, signals
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import (
    CannotResolveHostError,
    CloseSpider,
    DontCloseSpider,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from twisted.internet.error import ConnectError, ConnectionDone, ConnectionLost, DNSLookupError

from microscout.crawlers.items import FetchedItem, ItemBatch, OptOutItem, ProfileItem
from microscout.crawlers.middlewares import (
    BodyTooLarge,
    CrawlDelayTooLong,
    OffsiteRefused,
    RateLimitedOut,
    StoppedWaiting,
    UsageTooLong,
    backoff_until,
    crawl_stopping,
    host_key,
    origin,
    refuse_offsite,
    robots_unavailable,
)
from microscout.crawlers.parse_common import Malformed
from microscout.crawlers.platforms import ELSEWHERE, LOOP
from microscout.crawlers.spider_request import SpiderRequest
from microscout.models import Profile

# How Scrapy says it cancelled a download larger than DOWNLOAD_MAXSIZE (2.15 to 2.19).
DOWNLOAD_TOO_LARGE = "larger than download max size"
PARSE_ERRORS = (Malformed, ValidationError, KeyError, TypeError, ValueError, AttributeError, IndexError)


@dataclass
class Bounds:
    hashtag_pages: int = 5
    posts_per_profile: int = 30
    posts_with_replies: int = 5
    replies_per_post: int = 20
    follower_sample: int = 80
    max_profiles: int = 500
    max_requests: int = 5000
    max_units: int = 0  # API quota units this crawl may spend (YouTube); 0 = what the daily quota has left

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
        website=item.website or "", has_avatar=item.has_avatar if item.has_avatar is not None else True,
        followers=item.followers, following=item.following, posts_count=item.posts_count,
        created_at=_dt(item.created_at), last_post_at=_dt(item.last_post_at), bot=item.bot,
        instance=item.instance or "", bridged=item.bridged, collections_hidden=item.collections_hidden)


# Why a request could not reach its server at all: the crawl's base URL is wrong or the
# server is down (as opposed to a connection dropped mid-answer, which is retried and, if it
# keeps happening, recorded as missing). It stops the crawl only for a server that never
# answered the run (reached): one that did is down for now, and the request is missing.
UNREACHABLE = (DownloadConnectionRefusedError, CannotResolveHostError, DNSLookupError, ConnectError)
ROBOTS_KEPT = 200  # what robots.txt refused, named in the run's record (the count is the errors' "robots")
# Parts of a profile's chain, by the branch that fetches them.
PARTS = {"posts": "posts", "replies": "replies", "followers": "follower sample",
         "follower_counts": "follower counts"}


def asked_url(response) -> str:
    """The URL of the request a response answers, fragment included (response.url has none:
    a fragment is never sent, but the TikTok spider keeps a page's cursor there)."""
    request = getattr(response, "request", None)
    return getattr(request, "url", None) or response.url


def refused_by_robots_txt(failure) -> bool:
    """Whether a request failed because the server's robots.txt refuses it (Scrapy's
    RobotsTxtMiddleware; its other IgnoreRequests are for other reasons, a Crawl-delay too
    long to wait for among them, whose words name robots.txt too)."""
    return (bool(failure.check(IgnoreRequest)) and not failure.check(RateLimitedOut, StoppedWaiting)
            and "robots.txt" in str(failure.value))


def failure_text(failure) -> str:
    """What went wrong on the network, in words."""
    if failure.check(DownloadConnectionRefusedError, *_twisted_refused()):
        return "connection refused"
    if failure.check(CannotResolveHostError, DNSLookupError):
        return "the host name does not resolve (DNS lookup failed)"
    if failure.check(DownloadTimeoutError, *_twisted_timeouts()):
        return "no answer in time (timed out)"
    if failure.check(ConnectError):
        return f"could not connect ({type(failure.value).__name__})"
    value = failure.value
    if isinstance(value, DownloadFailedError) and value.__cause__ is not None:
        value = value.__cause__  # Scrapy's wrapper of twisted's ResponseFailed
    reasons = getattr(value, "reasons", None)
    if isinstance(reasons, list) and reasons:
        # twisted's ResponseFailed / ResponseNeverReceived: str() is the repr of a list of
        # Failures, no words for a summary; what the first one was is
        value = getattr(reasons[0], "value", reasons[0])
        if isinstance(value, (ConnectionDone, ConnectionLost)):
            return f"the server closed the connection without an answer ({type(value).__name__})"
    name = type(value).__name__
    text = str(value).strip().splitlines()[0][:160] if str(value).strip() else ""
    if "SSL" in name or "TLS" in name or "ssl" in text.lower():
        return f"the TLS handshake failed ({text or name})"
    return f"{name}: {text}" if text else name


def _twisted_refused():
    from twisted.internet.error import ConnectionRefusedError
    return (ConnectionRefusedError,)


def _twisted_timeouts():
    from twisted.internet.error import TCPTimedOutError, TimeoutError
    return (TCPTimedOutError, TimeoutError)


class CrawlSpider(Spider):
    platform = ""
    # what to tell the user to check when the server cannot be reached
    url_option = "the base URL"
    # whether a page of a profile's posts that holds none ends the list even when the server
    # gives a next one; False where an empty page may still have more (TikTok's video/query,
    # Instagram's filtered media)
    empty_page_ends = True
    # what the server should be; when set, a request that fails for good with an HTML page
    # or a 404 from a server that never gave the run an API answer stops the crawl with one line
    api_name: str | None = None

    def __init__(self, *args, hashtags=(), handles=(), bounds=None, prefilter=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.hashtags = [h.lstrip("#") for h in hashtags]
        self.handles = [h.lstrip("@") for h in handles]
        self.bounds = bounds if isinstance(bounds, Bounds) else Bounds.from_dict(bounds)
        self.prefilter = prefilter
        self.failure_message: str | None = None
        self.allowed_origins: set[str] = set()  # the configured servers; nothing else is fetched
        if not hasattr(self, "state"):
            self.state: dict = {}

    # The origins the run has heard from, kept in self.state with the rest of its progress: a
    # --resume whose first answer is a proxy's HTML page, or whose first request meets the
    # server down for now, is a lost request (missing, for the next --resume), not "not the API"
    # or "cannot reach" (the run failed, and --resume refused it, its progress stranded).
    @property
    def reached(self) -> set[str]:
        """Origins that answered (anything) in any session of this run."""
        return self._state().setdefault("reached", set())

    @property
    def api_ok(self) -> set[str]:
        """Origins that gave an API answer (JSON) in any session of this run."""
        return self._state().setdefault("api_ok", set())

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.release_waiting, signal=signals.spider_idle)
        return spider

    @classmethod
    def preflight(cls, config, spec, db_path=None) -> dict:
        """Before the run is recorded: check what the crawl needs (credentials, a limit not
        yet reached) and return extra keyword arguments for the spider (secrets stay in
        memory). Raise credentials.CrawlProblem to stop with one line (exit 2, or 1)."""
        return {}

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

    # -- the order authors are taken in ---------------------------------------------
    # The hashtags' pages come back in whatever order the server and the downloader make:
    # authors taken as each page arrives gave the max_profiles slots to whichever hashtag's
    # page came first, so the same crawl of the same server stored another set of profiles
    # from run to run. Pages are still fetched side by side, but their authors are taken in
    # a fixed order: page 1 of every hashtag in the order they were given, then page 2 of
    # each, and so on; within a page, in the order it lists them. A page that arrives early
    # waits (its authors in self.state, so an interrupted crawl keeps them) until the pages
    # before it are in or known not to come.

    def _order(self) -> dict:
        return self._state().setdefault("tag_order", {"at": [1, 0], "pages": {}, "last": {}})

    def tag_page(self, ctx: dict, authors: list, more: bool):
        """A hashtag page's authors, in the order the page lists them (``more``: its next page
        was asked for). Yields the requests for the authors whose turn it is (take_authors)."""
        order = self._order()
        index = self.tag_index(ctx)
        if index is None or self._passed(order, ctx["page"], index):
            # a page the order went past (a tag not in this session's list, or a page an
            # earlier session lost and --resume fetched): its authors are taken now
            yield from self.take_authors(authors)
            if index is not None and more:
                self._goes_on(order, index, ctx["page"])
            return
        order["pages"][f"{index}|{ctx['page']}"] = list(authors)
        if more:
            self._goes_on(order, index, ctx["page"])
        else:
            order["last"][index] = ctx["page"]
        yield from self._release(order)

    def tag_ended(self, ctx: dict):
        """A hashtag page that failed for good or was not fetched: that hashtag has no more
        authors (in this session), and the pages after it in the order are taken."""
        order = self._order()
        index = self.tag_index(ctx)
        if index is None or self._passed(order, ctx.get("page", 1), index):
            return
        order["pages"][f"{index}|{ctx.get('page', 1)}"] = []
        order["last"][index] = ctx.get("page", 1)
        yield from self._release(order)

    def next_tag_page(self, following):
        """A hashtag's next page, asked for after tag_page took this one's authors (allow()
        paid for it): not sent once every --max-profiles place is taken, as it could bring no
        author the crawl may take (it would cost a request of TikTok's daily quota, Instagram's
        hourly rate, the request budget); its turn is ended instead, so nothing waits for it."""
        if following is None:
            return
        if self._state()["profiles"] >= self.bounds.max_profiles:
            self.crawler.stats.set_value("microscout/max_profiles_reached", True)
            self._state()["requests"] -= 1  # taken by allow() for this page, which is not sent
            yield from self.tag_ended(following.cb_kwargs["ctx"])
            return
        if self.elsewhere(following):
            # a next link to another origin: missing, not sent (nor paid for)
            self._state()["requests"] -= 1
            yield from self.tag_ended(following.cb_kwargs["ctx"])
            return
        yield following

    def take_authors(self, authors: list):
        """The requests that look the authors of a hashtag page up (claim_author, allow)."""
        return ()

    def tag_index(self, ctx: dict) -> int | None:
        """The place of a hashtag page's chain in the order (None: not one of this session's)."""
        tag = ctx.get("tag")
        return self.hashtags.index(tag) if tag in self.hashtags else None

    def tag_chains(self) -> int:
        """How many chains of pages the order goes through: one a hashtag, unless a platform
        reads several lists of each (Instagram: top_media and recent_media; see tag_index)."""
        return len(self.hashtags)

    @staticmethod
    def _passed(order: dict, page: int, index: int) -> bool:
        return (page, index) < tuple(order["at"])

    @staticmethod
    def _goes_on(order: dict, index: int, page: int) -> None:
        if order["last"].get(index, page + 1) <= page:
            del order["last"][index]  # a page --resume fetched again: the hashtag goes on

    def _release(self, order: dict, force: bool = False):
        """Take the waiting pages whose turn it is (``force``: every waiting page, in order,
        past those that will not come)."""
        tags, pages = self.tag_chains(), max(self.bounds.hashtag_pages, 1)
        while order["pages"] and tags:
            page, index = order["at"]
            if page > pages:
                break
            key = f"{index}|{page}"
            if key in order["pages"]:
                yield from self.take_authors(order["pages"].pop(key))
            elif not force and order["last"].get(index, page) >= page:
                break  # its turn, and not in yet
            order["at"] = [page, index + 1] if index + 1 < tags else [page + 1, 0]
        if force:
            order["pages"].clear()

    def release_waiting(self, spider=None) -> None:
        """spider_idle: nothing left to fetch, yet pages wait for one that never came (a
        request Scrapy dropped, or one an interrupted session had under way): their authors
        are taken now, in order, rather than never."""
        order = self._state().get("tag_order")
        if not order or not order["pages"]:
            return
        # pages that failed leave an empty entry (tag_ended, on every spider): only pages with
        # authors are news
        waiting = sum(1 for authors in order["pages"].values() if authors)
        if waiting:
            self.logger.info("taking the authors of %d hashtag pages that waited for pages that did not come",
                             waiting)
        requests = list(self._release(order, force=True))
        for request in requests:
            self.crawler.engine.crawl(request)
        if requests:
            raise DontCloseSpider

    def error(self, kind: str, url: str, detail: str = "") -> None:
        self.crawler.stats.inc_value(f"microscout/errors/{kind}")
        self.logger.info("%s on %s%s", kind, url, f": {detail}" if detail else "")

    def note(self, message: str, whole_run: bool = False) -> None:
        """Something the user should read in the run's summary (the log goes to a file).
        ``whole_run``: it speaks for the whole run, so it replaces an earlier session's note that
        starts the same way (up to its first ':'), kept with the run's record."""
        self.logger.warning(message)
        if whole_run:
            heads = list(self.crawler.stats.get_value("microscout/whole_run_notes") or [])
            self.crawler.stats.set_value("microscout/whole_run_notes", [*heads, message.partition(":")[0] + ":"])
        notes = list(self.crawler.stats.get_value("microscout/notes") or [])
        if message not in notes:
            self.crawler.stats.set_value("microscout/notes", [*notes, message])

    HANDLE_OUTCOMES = ("found", "not_found", "moved", "suspended", "private", "opted_out", "prefiltered", "bridged")

    def handle_outcome(self, handle: str, outcome: str) -> None:
        """What became of a handle given with --handle/--handles, for the report printed
        after the crawl (stats key ``microscout/handles`` = {handle: outcome}, carried into
        crawl_runs.stats["handles"]). Outcomes:

        - ``found``: the profile was stored (and its chain fetched)
        - ``not_found``: the platform says there is no such account (404, missing from a batch)
        - ``moved``, ``suspended``: the account moved to another (which is crawled) or its
          server suspended it (Mastodon) or took it down (Bluesky): no creator any more, as one not found
        - ``private``: the account exists but hides its data (private / protected)
        - ``opted_out``: the account asks not to be crawled (stored as an opt-out only)
        - ``prefiltered``: stored, but skipped by the prefilter (out of tier, …)
        - ``bridged``: a bridged account, skipped

        handle_profile() records found / opted_out / prefiltered / bridged itself when it is
        given ``seed=`` (the handle as the user wrote it) or when the profile's handle matches
        a seed; platform spiders only report not_found and private themselves. Handles are
        stored as given (without a leading @); a later outcome replaces an earlier one."""
        handle = handle.lstrip("@")
        outcomes = dict(self.crawler.stats.get_value("microscout/handles") or {})
        outcomes[handle] = outcome
        self.crawler.stats.set_value("microscout/handles", outcomes)

    def seed_for(self, item, seed: str | None = None) -> str | None:
        """The --handle seed a profile answers (the one given, or the seed its handle matches
        case-insensitively, with or without an @instance suffix); None for a discovered author."""
        if seed:
            return seed.lstrip("@")
        if not self.handles:
            return None
        handle = (getattr(item, "handle", "") or "").lstrip("@").lower()
        pid = (getattr(item, "platform_id", "") or "").lower()
        for given in self.handles:
            low = given.lower()
            if low in (handle, pid) or (handle and handle.split("@")[0] == low and "@" not in low):
                return given
        return None

    def fail(self, reason: str, message: str):
        self.failure_message = message
        self.logger.error(message)
        crawler = getattr(self, "crawler", None)
        if crawler is not None:
            # Scrapy closes the spider only once every request in the downloader is done: those
            # waiting in our middlewares (a 429's Retry-After, a Crawl-delay turn, up to
            # MICROSCOUT_MAX_RATE_WAIT) end now, as on Ctrl-C (missing; the run stays failed)
            crawler.signals.send_catch_log(signal=crawl_stopping)
        raise CloseSpider(reason)

    def on_host(self, url: str | None) -> bool:
        """True for a URL on one of the configured origins; any other is counted as refused."""
        if not url:
            return False
        if not self.allowed_origins or origin(url) in self.allowed_origins:
            return True
        refuse_offsite(self.crawler.stats, url)
        return False

    def next_link(self, response) -> str | None:
        """The Link header's rel="next", made absolute (None when there is none). It may lead
        to another origin: that is no end of the list (elsewhere())."""
        from microscout.crawlers.parse_common import link_next

        try:
            link = link_next(response.headers.get("Link"))
        except (ValueError, TypeError):
            link = None
        return response.urljoin(link) if link else None

    def elsewhere(self, following: Request) -> bool:
        """Whether a list's next page (a Link header's, a Graph API paging.next) is on another
        origin than the configured servers. It is not fetched (refused and counted: the crawl
        goes nowhere else), and the list does not end there either: the server says more
        follows. That page is recorded as missing (the run ends incomplete, exit 1, naming the
        list and the host); --resume cannot fetch it (missing_requests keeps it unsent), as it
        asks the same servers. The caller ends the list (a profile's part as failed, a hashtag's
        turn)."""
        if self.on_host(following.url):
            return False
        host = host_key(following.url)
        self.error("offsite_next_page", following.url[:300], host)
        self.lose(following, f"{ELSEWHERE}: {host}, not followed")
        return True

    # -- answers -------------------------------------------------------------------
    def body(self, response, what: str):
        """The JSON body, or raises Malformed / returns None after counting an HTTP error."""
        from microscout.crawlers import parse_common

        if response.status >= 400:
            kind = "http_5xx" if response.status >= 500 else f"http_{response.status}"
            self.error(kind, response.url)
            return None
        loader = getattr(parse_common, "load_json", None)
        if loader is not None:
            limit = self.crawler.settings.getint("MICROSCOUT_MAX_BODY_BYTES", 0)
            try:
                return loader(response.body, **({"max_bytes": limit} if limit else {}))
            except Malformed as exc:
                if exc.kind == "bad_json" and response.body.lstrip()[:1] == b"<":
                    exc.kind = "html_error_page"
                raise
        try:
            return json.loads(response.body)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            looks_html = response.body.lstrip()[:1] == b"<"
            raise Malformed("html_error_page" if looks_html else "bad_json", str(exc)) from None

    def parsed(self, response, what: str, func, *args):
        """func(body, *args); or a Request that tries again (an answer that could not be
        parsed is retried like a 5xx, from the same budget); or None when the request failed
        for good (counted, and recorded as missing)."""
        self.reached.add(origin(response.url))
        if 300 <= response.status < 400:
            return self.redirected(response)
        try:
            body = self.body(response, what)
        except Malformed as exc:
            self.error(exc.kind, response.url, f"{what}: {exc}")
            return self.retry_or_lose(response, exc.kind)
        if body is None:
            self.not_the_api(response)
            self.lose(response.request, f"http_{response.status}")
            return None
        self.api_ok.add(origin(response.url))
        try:
            return func(body, *args)
        except ValidationError as exc:
            self.error("validation", response.url, f"{what}: {exc.error_count()} invalid fields")
            kind = "validation"
        except (*PARSE_ERRORS, RecursionError) as exc:
            kind = getattr(exc, "kind", "missing_fields")
            self.error(kind, response.url, f"{what}: {type(exc).__name__}: {str(exc)[:200]}")
        return self.retry_or_lose(response, kind)

    MAX_REDIRECTS = 5

    def redirected(self, response):
        """A redirect: followed on the same origin (a few times at most); to another origin
        refused and counted, and what was asked for is missing (None)."""
        location = response.headers.get("Location")
        if not location:
            self.error("redirect_without_location", response.url)
            return self.retry_or_lose(response, "redirect_without_location")
        target = response.urljoin(location.decode("latin-1").strip())
        if not self.on_host(target):
            # Not fetched, so missing, and the run ends incomplete: a server that moved (or that
            # names itself by another address) ended "finished, errors: none" with nothing fetched.
            elsewhere = origin(target) or target[:100]
            self.logger.info("refused a redirect from %s to another origin: %s", response.url, target[:300])
            self.error("offsite_redirect", response.url, elsewhere)
            # (a --resume asks the same server again: it helps once the server is mended; a server
            # that moved is a new crawl with its address, as a --resume keeps the arguments)
            self.lose(response.request, f"redirected to another server ({elsewhere}), not followed; if the "
                                        f"server moved, crawl anew with {self.url_option} set to its address")
            return None
        hops = response.meta.get("redirects", 0)
        if hops >= self.MAX_REDIRECTS:
            self.error("redirect_loop", response.url)
            self.lose(response.request, "redirect_loop")
            return None
        follow = response.request.replace(url=target, dont_filter=True)
        follow.meta["redirects"] = hops + 1
        return follow

    def not_the_api(self, response) -> None:
        """Stop the crawl when a server that never gave an API answer (in any session of the
        run: api_ok) fails for good with an HTML page or a 404: it is not the server the crawl
        is configured for."""
        where = origin(response.url)
        if not self.api_name or where in self.api_ok or response.status == 429:
            return  # a rate limit's page (a proxy's, a CDN's) says nothing of what serves behind it
        html = response.body.lstrip()[:1] == b"<"
        if html or response.status == 404:
            from urllib.parse import urlsplit

            self.fail("not_api", f"{where} does not look like {self.api_name}: {urlsplit(response.url).path} "
                                 f"answered {response.status} with {'an HTML page' if html else 'no API answer'}; "
                                 f"check {self.url_option}")

    def retry_or_lose(self, response, kind: str):
        request = response.request
        retry = get_retry_request(request, spider=self, reason=kind)
        if retry is None:
            self.not_the_api(response)
            self.lose(request, kind)
            return None
        settings = self.crawler.settings
        retry.meta["backoff_until"] = backoff_until(retry.meta.get("retry_times", 1),
                                                    settings.getfloat("MICROSCOUT_RETRY_BACKOFF", 0.5),
                                                    settings.getfloat("MICROSCOUT_RETRY_BACKOFF_MAX", 30.0))
        retry.headers.pop(b"Authorization", None)
        return retry

    def req(self, url: str, callback, ctx: dict | None = None, auth: bool = False, errback=None, **kw) -> Request:
        meta = {"handle_httpstatus_all": True}
        if auth:
            meta["auth"] = True
        return SpiderRequest(url, callback=callback, errback=errback or self.on_error,
                             cb_kwargs={"ctx": ctx} if ctx is not None else {}, meta=meta, **kw)

    def on_error(self, failure):
        request = failure.request
        ctx = request.cb_kwargs.get("ctx")
        if failure.check(OffsiteRefused):
            # a request of ours to another origin (redirects are answers, read in redirected()):
            # refused and counted by OriginGuardMiddleware
            self.logger.info("refused a request to another origin: %s", request.url)
        elif failure.check(BodyTooLarge) or DOWNLOAD_TOO_LARGE in str(failure.value):
            # (the second: Scrapy cancelled a download that outgrew DOWNLOAD_MAXSIZE, which is
            # crawl.max_body_bytes; its exception's name differs between versions, its words not)
            self.error("body_too_large", request.url, str(failure.value))
            self.lose(request, f"body_too_large: {failure.value}")
        elif failure.check(StoppedWaiting):
            # the crawl was stopped while this request waited for its time (a 429, a
            # Crawl-delay): not sent, and no error; missing, so --resume sends it
            self.logger.info("not sent (the crawl is stopping): %s", request.url)
            self.lose(request, f"not sent: {failure.value}")
        elif failure.check(RateLimitedOut):
            # the host asked for a longer wait than the crawl may take: missing, asked by --resume
            kind = ("crawl_delay" if failure.check(CrawlDelayTooLong) else
                    "rate_limited" if failure.check(UsageTooLong) else "http_429")
            self.error(kind, request.url, str(failure.value))
            self.lose(request, f"rate limited: {failure.value}")
        elif refused_by_robots_txt(failure) and robots_unavailable(self.crawler.stats, request.url):
            # robots.txt could not be read: nothing is fetched (RFC 9309), but that is no
            # choice of the server's: missing, so the run ends incomplete and --resume asks again
            why = robots_unavailable(self.crawler.stats, request.url)
            self.error("robots_unavailable", request.url, why or "")
            self.lose(request, f"the server's robots.txt could not be read ({why}), so nothing was fetched there")
        elif refused_by_robots_txt(failure):
            # The server's choice, honoured as an opt-out is: not fetched, never asked again,
            # and named in the run's summary (not "missing": no --resume may fetch it).
            self.error("robots", request.url, type(failure.value).__name__)
            self.refused_by_robots(request)
            if ctx and ctx.get("branch"):
                self.unasked(ctx, ctx["branch"])
                yield from self._done(ctx)
            elif ctx and "tag" in ctx:
                yield from self.tag_ended(ctx)
            return
        else:
            self.error("network", request.url, type(failure.value).__name__)
            where = origin(request.url)
            if failure.check(*UNREACHABLE) and where not in self.reached:
                self.fail("unreachable", f"cannot reach {where}: {failure_text(failure)}; check "
                                         f"{self.url_option} and that the server is up")
            self.lose(request, f"network: {failure_text(failure)}")
        if ctx and ctx.get("branch"):
            yield from self.branch_failed(ctx)
            yield from self._done(ctx)
        elif ctx and "tag" in ctx:
            yield from self.tag_ended(ctx)

    def branch_failed(self, ctx):
        """A request of the profile's chain could not be made; what is left to store."""
        if ctx["branch"] in ("posts", "replies", "followers"):
            self._failed(ctx, ctx["branch"])
        return ()

    # -- what is missing, and fetching it again --------------------------------------
    def describe(self, callback: str, ctx: dict) -> dict:
        """What a request was for: {"hashtag", "page"}, {"profiles": [...]} or
        {"profile", "part", "post"?}."""
        if ctx.get("branch"):
            what = {"profile": ctx["pid"], "part": PARTS.get(ctx["branch"], ctx["branch"])}
            if ctx.get("handle") and ctx["handle"] != ctx["pid"]:
                what["handle"] = ctx["handle"]
            if ctx.get("post_id"):
                what["post"] = ctx["post_id"]
            return what
        if "tag" in ctx:
            return {"hashtag": ctx["tag"], "page": ctx.get("page", 1)}
        for key in ("acct", "actor"):
            if ctx.get(key):
                return {"profiles": [ctx[key]]}
        if ctx.get("actors"):
            return {"profiles": list(ctx["actors"])}
        return {"request": callback}

    def refused_by_robots(self, request) -> None:
        """What a request robots.txt refused was for, for the run's summary (stats key
        ``microscout/robots_refused``, carried into crawl_runs.stats["robots_refused"])."""
        callback = getattr(request.callback, "__name__", None) or "request"
        refused = list(self.crawler.stats.get_value("microscout/robots_refused") or [])
        if len(refused) < ROBOTS_KEPT:
            refused.append(self.describe(callback, request.cb_kwargs.get("ctx") or {}))
            self.crawler.stats.set_value("microscout/robots_refused", refused)

    def lose(self, request, why: str, what: dict | None = None) -> None:
        """A request failed for good: remember it (and what it was for: ``what``, else
        describe() of its ctx) so the run can say what is missing and --resume can send it
        again."""
        ctx = request.cb_kwargs.get("ctx") or {}
        callback = getattr(request.callback, "__name__", None)
        if callback is None or not hasattr(self, callback):
            return
        key = f"{callback}|{ctx.get('pid', '')}|{request.url}"
        if request.body:
            # a POST's body says what it asks for: TikTok sends every user/info, and every
            # hashtag's first video/query page, to one URL, and keyed by the URL alone each lost
            # one replaced the last (never sent again, the run "finished" without it)
            key += "|" + request.body.decode("utf-8", "replace")
        headers = {}
        for name in ("atproto-proxy",):
            value = request.headers.get(name)
            if value:
                headers[name] = value.decode("latin-1")
        state = self._state()
        if ctx.get("branch") and ctx.get("pid") in state.get("open", {}):
            # the chain is kept when it ends, so that --resume reopens it with what it fetched
            state["open"][ctx["pid"]]["lost"] = True
        state.setdefault("missing", {})[key] = {
            "url": request.url, "callback": callback, "ctx": ctx, "auth": request.meta.get("auth") is True,
            "headers": headers, "why": why, "what": what or self.describe(callback, ctx)}
        self.crawler.stats.inc_value("microscout/lost_requests")

    def missing_requests(self) -> list[Request]:
        """The requests an earlier session of this run lost, to send again (and the profile
        chains they belong to, reopened so that each ends with one FetchedItem)."""
        state = self._state()
        missing = state.pop("missing", None) or {}
        requests = []
        open_ = state.setdefault("open", {})
        chains = state.setdefault("chains", {})
        for key, entry in missing.items():
            if self.allowed_origins and origin(entry["url"]) not in self.allowed_origins:
                # a next page on another origin (elsewhere()): this session may not fetch it
                # either, so it stays missing, unsent, and its chain as it ended
                state.setdefault("missing", {})[key] = entry
                continue
            ctx = entry["ctx"]
            if ctx.get("branch"):
                pid = ctx["pid"]
                if pid not in open_:
                    saved = chains.get(pid) or {}
                    open_[pid] = {"pending": 0, "fetched": list(saved.get("fetched", ["profile"])), "failed": [],
                                  "hidden": saved.get("hidden", False), "replies_asked": saved.get("replies_asked", 0),
                                  "replies_expected": saved.get("replies_expected", False),
                                  "unasked": list(saved.get("unasked", []))}
                entry_open = open_[pid]
                entry_open.pop("lost", None)  # sent again: lost only if it fails once more
                entry_open["pending"] += 1
                if ctx["branch"] in entry_open["failed"]:
                    entry_open["failed"].remove(ctx["branch"])
            requests.append(self.req(entry["url"], getattr(self, entry["callback"]), ctx, auth=entry.get("auth", False),
                                     headers=entry.get("headers") or None, dont_filter=True))
        if requests:
            self.crawler.stats.inc_value("microscout/requests_repaired", len(requests))
            self.logger.info("Sending again %d requests an earlier session could not make", len(requests))
        return requests

    def begin(self):
        """First of every session: forget the saved state on disk (a session killed before it
        closes must not leave a stale one for the next), then what earlier sessions lost."""
        jobdir = self.crawler.settings.get("JOBDIR")
        if jobdir:
            Path(jobdir, "spider.state").unlink(missing_ok=True)
        return self.missing_requests()

    # -- a profile ---------------------------------------------------------------
    # After the profile, its posts and its follower sample are fetched side by side, and
    # the replies of the most recent posts as soon as those posts are known. A profile's
    # open requests are counted in self.state["open"][pid]; when the last one is back,
    # the profile's FetchedItem says what was fetched.

    def handle_profile(self, item, seed: str | None = None):
        """Store a profile, prefilter it and start fetching the rest. ``seed``: the
        --handle it answers, for the per-handle report (see handle_outcome)."""
        seed = self.seed_for(item, seed)
        if isinstance(item, OptOutItem):
            self.crawler.stats.inc_value("microscout/opted_out")
            if seed:
                self.handle_outcome(seed, "opted_out")
            yield item
            return
        if item.bridged:
            self.crawler.stats.inc_value("microscout/skipped_bridged")
            if seed:
                self.handle_outcome(seed, "bridged")
            return
        reason = self.prefilter.check(engine_profile(item)) if self.prefilter else None
        if reason:
            item.prefilter_reason = reason
            self.crawler.stats.inc_value("microscout/prefiltered")
            if seed:
                self.handle_outcome(seed, "prefiltered")
            yield item
            return
        if seed:
            self.handle_outcome(seed, "found")
        started = self._state().setdefault("chained", set())
        if item.platform_id in started:
            # found again (a --handle seed and a hashtag's author, say): stored once, and
            # a second chain would overwrite the first's bookkeeping while it runs
            return
        started.add(item.platform_id)
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
        """A request of the profile's chain (a part's first page, or its next one), taken from
        the request budget. One the budget cannot pay for is not sent, and its part is unasked:
        the pages read before it are kept, but a list cut there is no whole list, and the
        fetched column must not call it one (as for a part whose first page was never asked)."""
        if url and self.on_host(url):
            if self.allow():
                self._open(ctx)["pending"] += 1
                yield self.req(url, callback, {**ctx, "branch": branch, **extra})
            else:
                self.unasked(ctx, branch)

    def loops(self, ctx, response, following: Request, kind: str) -> bool:
        """Whether the next page is one this chain has read already (a server repeating its
        cursor or Link header): Scrapy's duplicate filter would drop that request without a
        word. The pages read are kept, but the rest of the list was not read: the next page
        is recorded as missing (the run ends incomplete and names it; --resume asks for it
        once more, in case the server has mended its links) and a profile's part as failed,
        so that nothing says it was fetched whole."""
        from w3lib.url import canonicalize_url  # as Scrapy's duplicate filter compares them

        # with their fragments: TikTok's pages differ only there (a POST's cursor and search_id
        # ride in the fragment, its body is built from it), so without them every next page
        # of a profile's videos or followers looked like the first one again
        seen = {canonicalize_url(u, keep_fragments=True) for u in (*ctx.get("pages", ()), asked_url(response))}
        if canonicalize_url(following.url, keep_fragments=True) not in seen:
            return False
        self.crawler.stats.inc_value("microscout/pagination_loops")
        self.logger.info("%s of %s: the next page %s was read before", kind, ctx.get("pid") or ctx.get("tag"),
                         following.url)
        # Lost with this page's own ctx (its counts before it): a --resume that finds the same
        # loop records the same page again, where the next page's counts would grow with every
        # resume until the crawl called the list whole (a review's fourth resume "finished").
        # What it stands for is the next page's, though: the page missing is the one after
        # this (a hashtag's page 3 when page 2 was read), and it is the same at every resume.
        callback = getattr(following.callback, "__name__", "") or ""
        self.lose(following.replace(cb_kwargs={"ctx": ctx}),
                  f"{LOOP}: the server sent a page again (a repeated cursor or link), so the rest was "
                  "not read", what=self.describe(callback, following.cb_kwargs.get("ctx") or ctx))
        if ctx.get("branch"):
            self._failed(ctx, ctx["branch"])
        return True

    def _next_page(self, ctx, response, branch: str, next_url: str, callback, seen: int):
        """The next page of a profile's posts or followers, unless it is one read already (loops)."""
        pages = [*ctx.get("pages", ()), asked_url(response)]
        following = self.req(next_url, callback, {**ctx, "branch": branch, "seen": seen, "pages": pages})
        if self.elsewhere(following):
            self._failed(ctx, branch)  # the rest of the list is missing: not fetched whole
        elif not self.loops(ctx, response, following, branch):
            yield from self._launch(ctx, branch, next_url, callback, seen=seen, pages=pages)

    def _fetched(self, ctx, kind):
        entry = self._open(ctx)
        if kind not in entry["fetched"]:
            entry["fetched"].append(kind)

    def _failed(self, ctx, kind):
        self._open(ctx)["failed"].append(kind)

    def unasked(self, ctx, kind):
        """A part the crawl did not ask for (its budget spent): not fetched, and kept so when
        --resume reopens the profile's chain for another part (``failed`` is what it resends)."""
        entry = self._open(ctx)
        if kind not in entry.setdefault("unasked", []):
            entry["unasked"].append(kind)

    def _done(self, ctx):
        """One of the profile's requests is back; the FetchedItem once all are. A part with a
        request that failed for good is not in ``fetched``. A chain that lost a request (a
        failed part, or follower counts kept without them) is kept in state["chains"], so that
        --resume reopens it with what it had fetched and its FetchedItem still names that."""
        entry = self._open(ctx)
        entry["pending"] -= 1
        if entry["pending"] > 0:
            return
        state = self._state()
        del state["open"][ctx["pid"]]
        failed = set(entry["failed"]) | set(entry.get("unasked", ()))
        fetched = [k for k in ("profile", "posts", "comments", "followers")
                   if k in entry["fetched"] and k not in failed]
        if entry["replies_expected"] and "posts" in fetched and "replies" not in failed:
            fetched.insert(fetched.index("posts") + 1, "comments")
        chains = state.setdefault("chains", {})
        if failed or entry.get("lost"):
            chains[ctx["pid"]] = {k: v for k, v in entry.items() if k not in ("pending", "failed", "lost")}
        else:
            chains.pop(ctx["pid"], None)
        yield FetchedItem(platform=self.platform, platform_id=ctx["pid"], fetched=fetched,
                          collections_hidden=entry["hidden"])

    BARE_PAGES = 3  # pages in a row without a post of the profile's read on (all reposts, say)

    def parse_posts(self, response, ctx):
        b = self.bounds
        result = self.parsed(response, "posts", self.posts_page, response, ctx)
        if isinstance(result, Request):
            yield result  # tried again: the chain's request is still open
            return
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
                    # post_replies: the replies the platform counts on the post (bare_replies_end)
                    asked = list(self._launch(ctx, "replies", self.replies_url(ctx, post.platform_id),
                                              self.parse_replies, post_id=post.platform_id,
                                              post_replies=post.replies))
                    if not asked:
                        # Not asked (the request budget is spent, or the link leads off the
                        # server): the replies are not fetched, and "comments" must not say
                        # they were, or "no replies" and "not fetched" would read alike.
                        self.unasked(ctx, "replies")
                    yield from asked
            seen = ctx["seen"] + len(posts)
            # A page can hold entries that are no posts of the profile's (reposts, another's
            # posts), as many as it asked for, with more to come: the entries it held decide
            # whether to read on (posts_page says so where it skips some), not the posts kept.
            # Pages with none of the profile's posts are read a few times in a row at most
            # (bare_pages_end): a server giving such pages for ever costs a few requests, not
            # the budget.
            held = ctx.pop("held_posts", len(posts))
            ctx["bare_pages"] = 0 if posts else ctx.get("bare_pages", 0) + 1
            if (held or not self.empty_page_ends) and next_url and seen < b.posts_per_profile:
                why = self.bare_pages_end(ctx, next_url) if not posts else None
                if why is None:
                    yield from self._next_page(ctx, response, "posts", next_url, self.parse_posts, seen)
                else:
                    self.bare_pages_ended(ctx, response, next_url, seen, why)
        yield from self._done(ctx)

    def bare_pages_end(self, ctx, next_url: str) -> str | None:
        """Why the pages in a row without a post of the profile's end its list although the
        server gives a next page (None: the next page is read)."""
        if ctx["bare_pages"] > self.BARE_PAGES:
            return f"{ctx['bare_pages']} pages in a row held none of its posts"
        return None

    def bare_pages_ended(self, ctx, response, next_url: str, seen: int, why: str) -> None:
        """A list bare_pages_end ended. Here nothing is missing: pages that hold only reposts
        or another's posts are the profile's list as the server keeps it. A platform whose
        empty pages say nothing of the end (TikTok) records the next page as missing."""

    def parse_replies(self, response, ctx):
        """A page of a post's replies. ``replies_page`` gives the replies, or (replies, the next
        page's URL) where the platform pages them (TikTok, YouTube): the next page is read
        while fewer than replies_per_post are in, as a short page need not be the last. Pages
        in a row that held no reply although the server gives a next one are read BARE_PAGES + 1
        times at most (bare_replies_end): a server answering empty pages that promise more for
        ever costs a few requests, not the request budget; what then becomes of the rest is
        bare_replies_ended's to say."""
        result = self.parsed(response, "replies", self.replies_page, ctx, ctx["post_id"])
        if isinstance(result, Request):
            yield result  # tried again: the chain's request is still open
            return
        if result is None:
            self._failed(ctx, "replies")
        else:
            comments, next_url = result if isinstance(result, tuple) else (result, None)
            # The entries the server's page held, those we leave out among them (replies_page
            # says so where it leaves some out, an opted-out replier's, say): a page emptied by
            # our own filtering is no empty page of the server's, and resets the count.
            held = ctx.pop("held_replies", len(comments))
            read = ctx.get("replies_read", 0)
            comments = comments[: max(self.bounds.replies_per_post - read, 0)]
            if comments:
                yield ItemBatch.of(comments)
            read += len(comments)
            # (its own key: a replies chain starts from a posts page's ctx, whose bare_pages
            # counts the posts pages)
            ctx["bare_reply_pages"] = 0 if held else ctx.get("bare_reply_pages", 0) + 1
            if next_url and read < self.bounds.replies_per_post:
                why = self.bare_replies_end(ctx, next_url) if not held else None
                if why is not None:
                    self.bare_replies_ended(ctx, response, next_url, read, why)
                else:
                    pages = [*ctx.get("pages", ()), asked_url(response)]
                    following = self.req(next_url, self.parse_replies, {**ctx, "replies_read": read, "pages": pages})
                    if self.elsewhere(following):
                        self._failed(ctx, "replies")
                    elif not self.loops(ctx, response, following, "replies"):
                        yield from self._launch(ctx, "replies", next_url, self.parse_replies, replies_read=read,
                                                pages=pages)
        yield from self._done(ctx)

    def bare_replies_end(self, ctx, next_url: str) -> str | None:
        """Why the pages in a row without a reply end a post's replies although the server
        gives a next page (None: the next page is read)."""
        if ctx["bare_reply_pages"] > self.BARE_PAGES:
            return f"{ctx['bare_reply_pages']} pages in a row held no reply, though the server gave a next page"
        return None

    # what the run's notes say when bare_replies_ended records replies as missing
    BARE_REPLIES_NOTE = ("a post's replies came back as empty pages that promised more, a few in a row: the rest "
                         "of its replies is recorded as missing (the run's missing list names the profiles and "
                         "posts); --resume reads on from there")

    def bare_replies_ended(self, ctx, response, next_url: str, read: int, why: str) -> None:
        """Replies bare_replies_end ended. The server said a next page follows and the crawl
        set out to read up to replies_per_post: the next page is recorded as missing (the run
        ends incomplete and names the profile and the post; --resume reads on from it, a few
        empty pages at most again) and the replies as not fetched whole, rather than a stop
        that calls them fetched. (Where the platform says how many there are and the next page
        starts past them, a platform ends them whole instead: TikTok.)"""
        self.lose_the_rest(ctx, response, next_url, self.parse_replies, "replies",
                           f"empty pages: {why}; the rest of its replies was not read", self.BARE_REPLIES_NOTE,
                           "microscout/bare_reply_pages_stops", replies_read=read, bare_reply_pages=0)

    def lose_the_rest(self, ctx, response, next_url: str, callback, part: str, why: str, note: str, stat: str,
                      **progress) -> None:
        """A list that empty pages ended though the server gave a next page: that page is
        recorded as missing (with ``progress``, the chain's counts at it, so --resume reads on
        from there), the profile's ``part`` as not fetched whole, and the run's notes say why."""
        pages = [*ctx.get("pages", ()), asked_url(response)]
        following = self.req(next_url, callback, {**ctx, "pages": pages, **progress})
        self.crawler.stats.inc_value(stat)
        self.lose(following, why)
        self._failed(ctx, part)
        self.note(note)

    def parse_followers(self, response, ctx):
        b = self.bounds
        result = self.parsed(response, "followers", self.followers_page, response, ctx)
        if isinstance(result, Request):
            yield result
            return
        if result is None:
            self._failed(ctx, "followers")
        else:
            followers, next_url = result
            # the accounts the page held, those left out because they opted out among them
            # (followers_page says so where it leaves some out): a page of only those is no
            # hidden list, and the next page is read
            held = ctx.pop("held", len(followers))
            if not held and ctx["seen"] == 0 and self.empty_list_is_hidden(ctx):
                self._open(ctx)["hidden"] = True
            followers = followers[: b.follower_sample - ctx["seen"]]
            self._fetched(ctx, "followers")
            if followers:
                yield from self.store_followers(ctx, followers)
            seen = ctx["seen"] + len(followers)
            if held and next_url and seen < b.follower_sample:
                yield from self._next_page(ctx, response, "followers", next_url, self.parse_followers, seen)
        yield from self._done(ctx)

    # -- per platform --------------------------------------------------------------
    def new_ctx(self, item: ProfileItem) -> dict:
        return {"pid": item.platform_id, "api_id": item.api_id, "handle": item.handle,
                "followers_count": item.followers}

    def empty_list_is_hidden(self, ctx) -> bool:
        """Whether a first follower page with nobody on it means the account hides its list:
        yes when the account has followers (a platform that lists only part of them says
        otherwise)."""
        return (ctx.get("followers_count") or 0) > 0

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

