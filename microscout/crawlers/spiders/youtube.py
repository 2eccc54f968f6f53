"""YouTube Data API v3: search by hashtag -> channels -> uploads playlist -> videos ->
comment threads, within a quota of units.

Every call costs units from the project's daily quota (search.list 100; channels,
playlistItems, videos and commentThreads 1 each), which resets at midnight Pacific time.
A crawl may spend ``unit_budget`` units (preflight: --max-units, else what today's quota
has left after the units api_usage records for today). A request the budget cannot pay
for is not sent: it is recorded as missing, exactly like a request that failed for good,
so the run ends ``incomplete`` and ``--resume`` (tomorrow, or with more units) sends it.

Google charges every request it answers, a failed one or a retry too (a search tried
twice costs 200). So the units are counted where requests really leave, not where they
are queued: ``auth_headers`` (called by BearerAuthMiddleware for every outgoing request,
retries of the retry and rate-limit middlewares and the spider's own included, right
before it is downloaded) checks that the budget can pay for it, counting the units of the
requests still in flight, or refuses it (NotSent: recorded as missing); the
``response_downloaded`` signal charges the units of each request the server answered,
whatever the answer (a 5xx, a 429, a body that cannot be parsed), except the answers that
Google does not charge to the project (an invalid key, quotaExceeded). A request that
never reached the server (connection refused, no answer) costs nothing. The units charged
are written to api_usage (UsageItems, from the next callback or errback) so the next
crawl knows.

Google's per-time rate limits (403 or 429 rateLimitExceeded, 403 userRateLimitExceeded; not
the day's quota) are waited out and asked again, with exponential backoff as Google's error
reference asks (RATE_WAIT, doubled each time, capped by MICROSCOUT_MAX_RATE_WAIT), up to
RATE_RETRIES times; every wait is counted in the run's rate-limit waits. Each refused call was
answered, so it is charged, and its retry is a request like any other: auth_headers checks the
budget can pay for it (or it is not sent, and missing). A request still refused after its
retries is recorded as missing, "rate limited", and the run ends incomplete. Its 429s are the
spider's (meta max_retry_429_times = 0): RateLimitMiddleware pauses the host for the 429's
Retry-After if it has one (at least a second), and does not retry it on its own as well.

The key travels in the X-Goog-Api-Key header, added at download time by
BearerAuthMiddleware (auth_headers): never in a URL, the job folder or the log.
YouTube has no follower list: no follower sample is fetched (audience rules say unknown).
"""
from __future__ import annotations

import json
import random
import re
import sys
import time
import zlib
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

from scrapy import Request, signals
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import IgnoreRequest

from microscout.crawlers import parse_youtube as yp
from microscout.crawlers.credentials import CrawlProblem, origin_of, secret
from microscout.crawlers.items import UsageItem
from microscout.crawlers.middlewares import origin
from microscout.crawlers.spiders.base import CrawlSpider, asked_url

ENV_KEY, CONFIG_KEY = "MICROSCOUT_YOUTUBE_API_KEY", "platforms.youtube.api_key"
PACIFIC = ZoneInfo("America/Los_Angeles")
SEARCH_COST = 100
BATCH = 50  # channels.list and videos.list take at most 50 ids
CHANNEL_ID = re.compile(r"^UC[\w-]{22}$")
CHANNEL_PARTS = "snippet,statistics,contentDetails"
VIDEO_PARTS = "snippet,statistics,paidProductPlacementDetails"
QUOTA_REASONS = ("quotaExceeded", "dailyLimitExceeded")
REFUSED_FOR_QUOTA = "refused by the server"  # how a call answered quotaExceeded is recorded missing
RATE_RETRIES = 5     # tries of one request after the first that Google answered with a rate limit
RATE_WAIT = 2.0      # seconds before the first of them, doubled each time (2+4+8+16+32: past a minute's
                     # limit), plus up to a second at random (Google's backoff), within MICROSCOUT_MAX_RATE_WAIT
RATE_NOTE = ("the YouTube Data API said a rate limit was reached (rateLimitExceeded or userRateLimitExceeded: a "
             "limit per minute or per user, not the day's quota): the refused calls waited and were asked again, "
             "and were charged their units as every answered call is")


def quota_day(now: datetime | None = None) -> str:
    """The quota day (YYYY-MM-DD, Pacific time) a call made ``now`` is counted in."""
    return (now or datetime.now(timezone.utc)).astimezone(PACIFIC).date().isoformat()


def until_reset(now: datetime | None = None) -> str:
    here = (now or datetime.now(timezone.utc)).astimezone(PACIFIC)
    midnight = datetime.combine(here.date() + timedelta(days=1), datetime.min.time(), PACIFIC)
    hours, rest = divmod(int((midnight - here).total_seconds()), 3600)
    return f"{hours}h{rest // 60:02d}m"


def units_used_today(db_path) -> int:
    """Units the api_usage table records for today's quota day (0 without a database)."""
    from pathlib import Path

    from microscout.store import open_store

    if not db_path or not Path(db_path).exists():
        return 0
    db = open_store(db_path)
    try:
        row = db.execute("SELECT COALESCE(SUM(units), 0) FROM api_usage WHERE platform = 'youtube' "
                         "AND usage = 'quota_units' AND key = ?", [quota_day()]).fetchone()
    finally:
        db.conn.close()
    return int(row[0])


def cost(url: str) -> int:
    return SEARCH_COST if urlsplit(url).path.rstrip("/").endswith("/search") else 1


ERROR_BODY_LIMIT = 1_000_000  # an error body is a few hundred bytes; more is not one worth reading


def decoded_body(response) -> bytes:
    """The body of an answer as the server meant it. response_downloaded comes before the
    answer is decompressed (DecodingMiddleware), and Google compresses its answers, errors too,
    for a client that accepts it, as the crawl's requests do: read raw, a refused key's or a
    quotaExceeded's 403 was no JSON, and was charged as units spent. gzip and deflate are
    decoded here; any other coding is left as it came."""
    body = response.body
    encodings = [e.strip() for e in (response.headers.get("Content-Encoding") or b"").decode("latin-1")
                 .lower().split(",") if e.strip()]
    for encoding in reversed(encodings):
        try:
            if encoding in ("gzip", "x-gzip", "deflate"):
                # 47: a gzip or zlib header, found by zlib; a raw deflate stream is tried with -15
                try:
                    body = zlib.decompressobj(47).decompress(body, ERROR_BODY_LIMIT)
                except zlib.error:
                    body = zlib.decompressobj(-15).decompress(body, ERROR_BODY_LIMIT)
            else:
                # br or zstd (asked for when their libraries happen to be installed; microscout
                # does not depend on them): read as it came, so charged, on the safe side
                return response.body
        except zlib.error:  # not decodable: read as it came
            return response.body
    return body


class NotSent(IgnoreRequest):
    """A request (a first try or a retry) the unit budget cannot pay for, refused at download time."""


class YouTubeSpider(CrawlSpider):
    name = "youtube"
    platform = "youtube"
    url_option = "--api (or platforms.youtube.base_url in the config)"
    api_name = "the YouTube Data API v3"

    def __init__(self, *args, base_url: str = "https://www.googleapis.com/youtube/v3", api_key: str = "",
                 unit_budget: int = 0, quota_left: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key  # in memory only; see auth_headers
        self.unit_budget = unit_budget
        self.quota_left = quota_left
        self.units_spent = 0      # units of the requests the server answered (what Google charged)
        self.search_units = 0
        self.reserved = 0         # units of the requests on their way (sent, not yet answered)
        self.in_flight: dict[int, int] = {}  # id(request) -> its units, from auth_headers to its answer
        self.unrecorded = 0       # units charged and not yet written to api_usage (see usage())
        self.shelved = 0          # requests not sent: the budget could not pay, or the server had said quotaExceeded
        self.quota_refusals = 0   # requests sent and answered 403 quotaExceeded
        self.quota_refused = False  # the server said quotaExceeded: nothing more is sent
        self.allowed_origins = {origin(self.base_url)}

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.idle, signal=signals.spider_idle)
        crawler.signals.connect(spider.answered, signal=signals.response_downloaded)
        crawler.signals.connect(spider.left, signal=signals.request_left_downloader)
        return spider

    @classmethod
    def preflight(cls, config, spec, db_path=None) -> dict:
        yt = config.platforms.youtube
        key = secret(yt.api_key, ENV_KEY, CONFIG_KEY, "a YouTube Data API key", config)
        left = yt.daily_quota - units_used_today(db_path)
        asked = spec.bounds.max_units
        budget = min(asked, left) if asked else left
        if budget <= 0:
            raise CrawlProblem(f"today's YouTube quota is spent ({yt.daily_quota:,} units, "
                               f"platforms.youtube.daily_quota, all recorded in api_usage for {quota_day()}, "
                               f"Pacific time): it resets in {until_reset()}; run the crawl (or --resume) then",
                               exit_code=1)
        # The unit budget is not part of what was asked: a crawl stopped by it is resumed
        # with more units (tomorrow, or a larger --max-units) under the same arguments.
        spec.bounds = replace(spec.bounds, max_units=0)
        return {"api_key": key, "unit_budget": budget, "quota_left": left}

    def auth_headers(self, request) -> dict[str, str]:
        """The key, for a request about to be downloaded (a first try or any retry), once the
        unit budget is known to pay for it; NotSent (recorded as missing) when it cannot."""
        units = cost(request.url)
        if self.quota_refused:
            raise NotSent("the server's daily quota is exceeded (quotaExceeded)")
        if self.units_spent + self.reserved + units > self.unit_budget:
            raise NotSent(self.short_of(units))
        self.reserved += units
        self.in_flight[id(request)] = units
        return {"X-Goog-Api-Key": self.api_key}

    def req(self, url, callback, ctx=None, auth=True, errback=None, **kw) -> Request:
        request = super().req(url, callback, ctx, auth=auth, errback=errback, **kw)
        # its 429s are retried here, with 403 rateLimitExceeded (rate_retry), not also by RateLimitMiddleware
        request.meta["max_retry_429_times"] = 0
        return request

    def api(self, endpoint: str, **params) -> str:
        return f"{self.base_url}/{endpoint}?{urlencode({k: v for k, v in params.items() if v is not None})}"

    # -- units -------------------------------------------------------------------------
    def short_of(self, units: int) -> str:
        left = max(self.unit_budget - self.units_spent - self.reserved, 0)
        return (f"not sent: {units} unit{'s' if units > 1 else ''} needed, "
                f"{left} left of this crawl's {self.unit_budget}")

    def send(self, request: Request):
        """The request, queued; or, when the unit budget can no longer pay for it (the units
        already charged only grow), not queued and recorded as missing for --resume. The
        units are charged when the server answers (see answered)."""
        ctx = request.cb_kwargs.get("ctx") or {}
        units = cost(request.url)
        if self.quota_refused or self.units_spent + units > self.unit_budget:
            yield from self.shelve(request, "the server's daily quota is exceeded (quotaExceeded)"
                                   if self.quota_refused else self.short_of(units))
            return
        if not self.allow():  # the request budget (max_requests): not fetched, like any crawl
            if ctx.get("branch"):
                # a part's first page or its next (an uploads page, its videos.list, comments):
                # its list is not whole, and the fetched column must not say it is (CrawlSpider._launch)
                self.unasked(ctx, ctx["branch"])
                yield from self._done(ctx)
            elif "tag" in ctx:
                yield from self.tag_ended(ctx)  # a hashtag page never asked for: its turn is over
            return
        yield request

    def shelve(self, request: Request, why: str):
        """A request the quota cannot pay for: missing, for --resume (and its chain told, or
        its hashtag's turn ended, so that the pages after it in the order are taken)."""
        ctx = request.cb_kwargs.get("ctx") or {}
        self.shelved += 1
        self.crawler.stats.set_value("microscout/quota_stopped", True)
        self.lose(request, why)
        if ctx.get("branch"):
            self._failed(ctx, ctx["branch"])
            yield from self._done(ctx)
        elif "tag" in ctx:
            yield from self.tag_ended(ctx)

    def answered(self, response, request, spider=None):
        """response_downloaded: the server answered a request sent with the key; Google
        charges it (a 5xx, a 429 or a garbled body too), except a refused key or quotaExceeded."""
        units = self.in_flight.pop(id(request), None)
        if units is None:
            return
        self.reserved -= units
        if response.status in (400, 403):
            try:
                code, reason, message = yp.error_of(json.loads(decoded_body(response)))
            except (ValueError, UnicodeDecodeError, RecursionError):
                code, reason, message = None, "", ""
            if yp.key_refused(code, reason, message) or any(r in reason for r in QUOTA_REASONS) \
                    or "API key" in message or yp.key_blocked(reason, message):
                return
        self.units_spent += units
        self.unrecorded += units
        if units == SEARCH_COST:
            self.search_units += units
        # the whole run's, kept with the job's state: a resumed run's note said its last session's
        state = self._state()
        state["units_spent"] = state.get("units_spent", 0) + units
        state["search_units"] = state.get("search_units", 0) + (units if units == SEARCH_COST else 0)

    def left(self, request, spider=None):
        """request_left_downloader: a request that got no answer (connection refused, timed
        out, dropped) gives its reserved units back; it is not charged."""
        units = self.in_flight.pop(id(request), None)
        if units is not None:
            self.reserved -= units

    def usage(self):
        """The units charged since the last call, as one UsageItem for api_usage (every
        callback and errback starts with it, so every answer is recorded by the one that
        follows it at the latest)."""
        if self.unrecorded:
            now = datetime.now(timezone.utc)
            units, self.unrecorded = self.unrecorded, 0
            yield UsageItem(platform=self.platform, usage="quota_units", key=quota_day(now),
                            at=now.isoformat(timespec="seconds"), units=units)

    def on_error(self, failure):
        yield from self.usage()
        if failure.check(NotSent):
            yield from self.shelve(failure.request, str(failure.value))
            return
        yield from super().on_error(failure)

    def _launch(self, ctx, branch, url, callback, dont_filter: bool = False, **extra):
        if url and self.on_host(url):
            self._open(ctx)["pending"] += 1
            yield from self.send(self.req(url, callback, {**ctx, "branch": branch, **extra}, dont_filter=dont_filter))

    def idle(self, spider=None):
        """The crawl is over: say what its units bought and what is left (once)."""
        if getattr(self, "_reported", False):
            return
        self._reported = True
        left_today = max(self.quota_left - self.units_spent, 0)
        state = self._state()
        run_units, run_searches = state.get("units_spent", self.units_spent), state.get("search_units", 0)
        earlier = run_units - self.units_spent
        sessions = f", {earlier:,} of them before it was resumed" if earlier > 0 else ""
        # the server's word over this machine's count: other programs (or machines) spend the
        # project's quota too, and a quotaExceeded says that it is spent
        left = (f"is spent, the server says (this machine's count left about {left_today:,}: other programs use "
                f"the same project)" if self.quota_refused else f"has about {left_today:,} left")
        self.note(f"YouTube quota: this crawl spent {run_units:,} units ({run_searches:,} on searches{sessions}); "
                  f"this session's budget was {self.unit_budget:,}; today's quota ({quota_day()}, Pacific time) "
                  f"{left}, resetting in {until_reset()}", whole_run=True)
        if self.shelved or self.quota_refusals:
            plural = lambda n: f"{n} request{'s' if n != 1 else ''}"  # noqa: E731
            parts = []
            if self.quota_refusals:
                # sent and refused: the server said so, the crawl did not decide it
                parts.append(f"{plural(self.quota_refusals)} refused by the server (quotaExceeded: the project's "
                             "daily quota is spent)")
            if self.shelved:
                more = ("the server's daily quota is exceeded" if self.quota_refused else "the unit budget ran out")
                parts.append(f"{plural(self.shelved)} not sent because {more}")
            if self.quota_refused:
                # the project's quota, not this crawl's budget: a larger --max-units fetches nothing
                self.note(f"stopped at the server's daily quota: {' and '.join(parts)}; run the same command with "
                          "--resume tomorrow (after midnight Pacific time) to fetch them")
            else:
                self.note(f"stopped before the quota: {' and '.join(parts)}; run the same command with --resume "
                          "tomorrow (after midnight Pacific time) or with a larger --max-units to fetch them")

    # -- answers -----------------------------------------------------------------------
    def parsed(self, response, what, func, *args):
        """Google's error answers first: a refused key stops the crawl (one line naming the
        variable), quotaExceeded stops sending (what was not fetched is missing), a rate limit
        (any 429, a 403 rateLimitExceeded) is waited out and asked again (rate_retry)."""
        if response.status in (400, 401, 403, 429):
            try:
                code, reason, message = yp.error_of(response.json())
            except (ValueError, AttributeError):
                code, reason, message = None, "", ""
            if yp.key_refused(code, reason, message) or (response.status == 403 and "API key" in message):
                self.error(f"http_{response.status}", response.url, reason)
                self.fail("key_invalid", f"the YouTube Data API refused the API key ({reason or message}): set "
                                         f"{origin_of(CONFIG_KEY, ENV_KEY)} to a valid key")
            if response.status == 403 and yp.key_blocked(reason, message):
                # a restricted key (a browser key's referrer restriction, an IP address, an app, an
                # API it is limited to): every request is refused alike, and --resume would be too
                self.error(f"http_{response.status}", response.url, reason)
                self.fail("key_restricted", f"the YouTube Data API refused the API key in "
                                            f"{origin_of(CONFIG_KEY, ENV_KEY)} for its restrictions "
                                            f"({(message or reason)[:160]}): in the Google Cloud console, let the "
                                            "key call the YouTube Data API v3 from this machine (no HTTP-referrer, "
                                            "Android or iOS app restriction; an IP restriction must name this "
                                            "machine's address), or use a key made for servers")
            if "accessNotConfigured" in reason or "SERVICE_DISABLED" in reason:
                self.error(f"http_{response.status}", response.url, reason)
                self.fail("api_not_enabled", "the YouTube Data API v3 is not enabled for the project of the key in "
                                             f"{origin_of(CONFIG_KEY, ENV_KEY)}: enable it in the Google Cloud "
                                             "console")
            if any(r in reason for r in QUOTA_REASONS):
                self.error("quota_exceeded", response.url)
                self.quota_refused = True
                self.quota_refusals += 1
                # sent, and refused: the report tells it from a call the crawl did not send
                self.lose(response.request, f"{REFUSED_FOR_QUOTA}: its daily quota is exceeded (quotaExceeded)")
                return None
            limit = yp.rate_limited(reason)
            if limit or response.status == 429:
                return self.rate_retry(response, limit or "429 Too Many Requests")
        return super().parsed(response, what, func, *args)

    def rate_retry(self, response, reason: str) -> Request | None:
        """A call Google refused for a rate limit, asked again after an exponential backoff (a
        Request through the same unit budget as any, see auth_headers), or None once its tries are
        spent, or when RateLimitMiddleware found the host asking for a longer wait than the crawl
        may take: then it is missing, and the run incomplete."""
        request = response.request
        self.crawler.stats.inc_value("microscout/youtube_rate_limited")
        if response.meta.get("rate_limited"):  # a Retry-After beyond MICROSCOUT_MAX_RATE_WAIT
            self.error("rate_limited", response.url, reason)
            self.lose(request, f"rate limited: {response.meta['rate_limited']}")
            return None
        # its own count, not retry_times: a rate limit's tries are not taken from the retries a 5xx
        # or a dropped connection gets (RETRY_TIMES, BackoffRetryMiddleware), nor those from it
        tries = request.meta.get("rate_retries", 0)
        if tries >= RATE_RETRIES:
            self.error("rate_limited", response.url, reason)
            # (not "rate limited: …", which the report reads as a wait too long to take)
            self.lose(request, f"rate limited ({reason}, HTTP {response.status}): still refused after {tries + 1} "
                               "tries")
            return None
        # through get_retry_request (the run's retry count), its tries counted apart
        retry = get_retry_request(request, spider=self, reason="rate_limited", max_retry_times=sys.maxsize)
        assert retry is not None
        retry.meta["retry_times"] = request.meta.get("retry_times", 0)
        retry.meta["rate_retries"] = tries + 1
        cap = self.crawler.settings.getfloat("MICROSCOUT_MAX_RATE_WAIT", 900.0)
        # what RateLimitMiddleware already paused the host for (a 429's Retry-After, a second
        # without one), counted there: this wait counts only what it adds
        paused = retry.meta.pop("rate_paused_for", 0.0)
        wait = min(cap, max(paused, RATE_WAIT * 2 ** min(tries, 10) + random.random()))
        if paused <= 0:
            self.crawler.stats.inc_value("microscout/rate_limit_waits")
        if wait - paused > 0.001:
            self.crawler.stats.inc_value("microscout/rate_limit_wait_seconds",
                                         round(wait - paused, 3))  # type: ignore[arg-type]
        self.note(RATE_NOTE)
        retry.meta["backoff_until"] = time.time() + wait
        return retry

    @staticmethod
    def _reason(response) -> str:
        try:
            return yp.error_of(response.json())[1]
        except (ValueError, AttributeError):
            return ""

    # -- discovery ---------------------------------------------------------------------
    async def start(self):
        for request in self.begin():
            for out in self.send(request):
                yield out
        ids = []
        for handle in self.handles:
            if CHANNEL_ID.match(handle):
                if self.claim_author(handle):
                    ids.append(handle)
            elif self.claim_author(handle):
                url = self.api("channels", part=CHANNEL_PARTS, forHandle=f"@{handle}")
                for out in self.send(self.req(url, self.parse_channels, {"acct": handle})):
                    yield out
        for out in self.channel_batches(ids):
            yield out
        for tag in self.hashtags:
            for out in self.send(self.search(tag, None, 1)):
                yield out

    def channel_batches(self, ids: list[str]):
        for start in range(0, len(ids), BATCH):
            batch = ids[start:start + BATCH]
            # no maxResults: channels.list does not take it with id= (the ids say how many)
            url = self.api("channels", part=CHANNEL_PARTS, id=",".join(batch))
            yield from self.send(self.req(url, self.parse_channels, {"actors": batch}))

    def search(self, tag: str, token: str | None, page: int, **extra) -> Request:
        url = self.api("search", part="snippet", q=f"#{tag}", type="video", order="date", maxResults=50,
                       pageToken=token)
        return self.req(url, self.parse_search, {"tag": tag, "page": page, **extra})

    def parse_search(self, response, ctx):
        yield from self.usage()
        self.crawler.stats.inc_value("microscout/hashtag_pages")
        result = self.parsed(response, "search", lambda body: (yp.search_page(body), yp.next_token(body)))
        if isinstance(result, Request):
            yield result
            return
        if result is None:
            yield from self.tag_ended(ctx)
            return
        (channels, _videos), token = result
        following = self.next_search(response, ctx, token, bool(channels))
        # the channels are taken in the hashtags' order, not as the pages come (base.tag_page)
        yield from self.tag_page(ctx, channels, more=following is not None)
        full = self._state()["profiles"] >= self.bounds.max_profiles
        if full:
            self.crawler.stats.set_value("microscout/max_profiles_reached", True)
        if following is None:
            return
        # Full: another page would cost 100 units and find no author the crawl may take (the
        # places went to pages before it in the order), so it has no turn, and a page never to
        # be asked is no loop either (it was recorded as missing: exit 1 at every --resume).
        # A loop (base.loops) is missing, and the page's turn is over too.
        if full or self.loops(ctx, response, following, "search"):
            yield from self.tag_ended(following.cb_kwargs["ctx"])
            return
        yield from self.send(following)

    def take_authors(self, channels):
        # channels.list takes 50 ids a call: a page's channels go in as few calls as they fill
        yield from self.channel_batches([c for c in channels if self.claim_author(c)])

    def next_search(self, response, ctx, token: str | None, held: bool) -> Request | None:
        """The hashtag's next search page, within --pages (None: there is none to ask for).
        search.list filters its results after paging, so a page may come back short or even
        empty with a nextPageToken: an empty page is no end, but more than BARE_PAGES of them in
        a row are taken for one (as base.parse_posts does; each costs 100 units, and a server
        giving empty pages for ever would spend --pages of them) and the run's notes say so. It
        is no missing page: --resume would ask for one more empty page and stop there again. A
        token that leads to a page read before is a loop (base.loops: missing, said; Scrapy's
        duplicate filter would drop it without a word)."""
        if not token or ctx["page"] >= self.bounds.hashtag_pages:
            return None
        bare = 0 if held else ctx.get("bare_pages", 0) + 1
        if bare > self.BARE_PAGES:
            self.note(f"#{ctx['tag']}: {bare} search pages in a row held no video (pages {ctx['page'] - bare + 1} to "
                      f"{ctx['page']}), though the API gave a next page token: taken for the end of its results, the "
                      f"pages after them (up to --pages {self.bounds.hashtag_pages}) were not asked for")
            return None
        pages = [*ctx.get("pages", ()), asked_url(response)]
        # (whether it is a page read before is asked by parse_search, once it knows the page
        # would be asked for at all)
        return self.search(ctx["tag"], token, ctx["page"] + 1, bare_pages=bare, pages=pages)

    def parse_channels(self, response, ctx):
        yield from self.usage()
        items = self.parsed(response, "channels", yp.parse_channels)
        if isinstance(items, Request):
            yield items
            return
        if items is None:
            return
        asked = ctx.get("actors") or []
        found = {item.platform_id for item in items}
        if ctx.get("acct") and not items:
            self.error("not_found", response.url)  # the API says so: nothing is missing
            self.handle_outcome(ctx["acct"], "not_found")
        for gone in [a for a in asked if a not in found and a in self.handles]:
            self.handle_outcome(gone, "not_found")
        for item in items:
            # a channel looked up by handle is also known by its id (a search may find it)
            self._state()["seen"].add(item.platform_id)
            # asked for by its id: the id is the seed it answers, even when the same channel is
            # given by its @handle too (seed_for would name only the first of the two)
            by_id = item.platform_id if item.platform_id in asked and item.platform_id in self.handles else None
            yield from self.handle_profile(item, seed=ctx.get("acct") or by_id)

    # -- the chain: uploads -> videos -> comment threads ---------------------------------
    def posts_url(self, ctx):
        if not ctx.get("api_id"):
            return None
        return self.api("playlistItems", part="contentDetails", playlistId=ctx["api_id"],
                        maxResults=min(50, self.bounds.posts_per_profile))

    def parse_posts(self, response, ctx):
        """Two steps: a playlistItems page gives the video ids, videos.list their numbers
        (the base's parse_posts takes the videos page from there)."""
        yield from self.usage()
        if urlsplit(response.url).path.rstrip("/").endswith("/videos"):
            yield from super().parse_posts(response, ctx)
            return
        if response.status == 404 and "playlistNotFound" in self._reason(response):
            self._fetched(ctx, "posts")  # a channel without uploads has no uploads playlist yet
            yield from self._done(ctx)
            return
        result = self.parsed(response, "playlistItems", lambda body: (yp.uploads_page(body), yp.next_token(body)))
        if isinstance(result, Request):
            yield result
            return
        if result is None:
            self._failed(ctx, "posts")
        else:
            videos, token = result
            videos = videos[: self.bounds.posts_per_profile - ctx["seen"]]
            if videos:
                # no maxResults: videos.list does not support it with id= (the docs say so)
                url = self.api("videos", part=VIDEO_PARTS, id=",".join(videos))
                # The playlistItems page joins the pages read: the next one is asked from the
                # videos.list answer (base._next_page), whose loop check sees only the pages
                # listed, so without it a repeated nextPageToken passed for a new page.
                pages = [*ctx.get("pages", ()), asked_url(response)]
                # dont_filter: this step follows its page, which the loop check guards; a page
                # --resume asks again (one a loop ended) needs its videos again, and Scrapy's
                # duplicate filter (kept in the job folder) dropped them without a word.
                # held_posts: the uploads the page listed. videos.list leaves out a private or
                # deleted video, which playlistItems lists, so its answer may be empty with more
                # uploads to come: the page held entries, and the next one is read (a few such
                # pages in a row at most: base.parse_posts, bare_pages_end).
                yield from self._launch(ctx, "posts", url, self.parse_posts, dont_filter=True, seen=ctx["seen"],
                                        uploads_token=token, pages=pages, held_posts=len(videos))
            else:
                self._fetched(ctx, "posts")
        yield from self._done(ctx)

    def posts_page(self, body, response, ctx):
        posts = yp.parse_videos(body, ctx["pid"])
        token = ctx.get("uploads_token")
        next_url = self.api("playlistItems", part="contentDetails", playlistId=ctx["api_id"],
                            maxResults=min(50, self.bounds.posts_per_profile), pageToken=token) if token else None
        return posts, next_url

    def replies_url(self, ctx, post_id):
        return self.api("commentThreads", part="snippet", videoId=post_id, order="time", textFormat="plainText",
                        maxResults=max(1, min(100, self.bounds.replies_per_post)))

    def replies_page(self, body, ctx, post_id):
        # commentThreads gives at most 100 a page: more are read page by page (1 unit each)
        comments = yp.parse_comment_threads(body, ctx["pid"], post_id, self.bounds.replies_per_post)
        token = yp.next_token(body)
        # the threads the page held (parse_comment_threads keeps replies_per_post of them at most;
        # none is left out as opted out): whether the page was empty (base.parse_replies)
        items = body.get("items") if isinstance(body, dict) else None
        ctx["held_replies"] = len(items) if isinstance(items, list) else len(comments)
        return comments, (self.api("commentThreads", part="snippet", videoId=post_id, order="time",
                                   textFormat="plainText", pageToken=token,
                                   maxResults=max(1, min(100, self.bounds.replies_per_post))) if token else None)

    # Empty comment-thread pages that keep giving a nextPageToken end after BARE_PAGES + 1 in a
    # row, and the rest is missing (base.bare_replies_ended), unlike empty search pages (a note
    # only, next_search). The commentThreads.list reference gives nextPageToken as the token "to
    # retrieve the next page in the result set" and maxResults as a maximum, and speaks of no
    # filtering after paging, as search.list's results have: such pages are no known way of the
    # API's, the replies are a part of the profile that "comments" in its fetched column would
    # call whole, and a page costs 1 unit, so --resume asking on from there is cheap (a search
    # page costs 100 and is discovery, bounded by --pages, not a part fetched whole).
    BARE_REPLIES_NOTE = ("YouTube: a video's comment threads came back as empty pages with a nextPageToken, a few in "
                         "a row: the rest of its comments is recorded as missing (the run's missing list names the "
                         "channels and videos); --resume reads on from there")

    def bare_replies_end(self, ctx, next_url):
        why = super().bare_replies_end(ctx, next_url)
        return (f"{ctx['bare_reply_pages']} pages in a row held no comment thread, though a nextPageToken said more "
                "follow") if why else None

    def parse_replies(self, response, ctx):
        yield from self.usage()
        if response.status == 403 and "commentsDisabled" in self._reason(response):
            # the creator switched comments off: nothing to fetch, and nothing is missing
            self.crawler.stats.inc_value("microscout/comments_disabled")
            yield from self._done(ctx)
            return
        yield from super().parse_replies(response, ctx)

    def followers_url(self, ctx):
        return None  # YouTube has no follower list

    def followers_page(self, body, response, ctx):
        return [], None
