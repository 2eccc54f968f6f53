"""TikTok Research API: video/query by hashtag -> authors -> user/info -> the author's
recent videos (video/query by username), a follower sample (user/followers) and the
comments of the most recent videos (video/comment/list).

Every call is a POST with a JSON body. The body is never kept on its own: it is rebuilt
by ``req()`` from what the request was for (its callback), its ctx and the page's
``#cursor=…&search_id=…`` URL fragment (a fragment is never sent to the server). So a
request that failed for good and is recorded as missing (base.lose keeps url, callback
and ctx) is sent again by ``--resume`` as an equal POST.

The client access token comes from ``POST /v2/oauth/token/`` (client_credentials; the
client secret is in that form body, so the call is made with urllib, outside Scrapy's
scheduler and job folder, in a thread: the reactor never waits for it). It lives in memory
on the spider and reaches each request as ``Authorization: Bearer`` through
BearerAuthMiddleware (``auth_headers``). It lives 2 h: TikTokMiddleware renews it shortly
before it expires, holding the requests that need it (not the reactor) until the new one is
there, and on a 401 access_token_invalid the request is sent again once with a new one.

The Research API allows a fixed number of requests a day, reset at 00:00 UTC, and answers
429 rate_limit_exceeded when they are spent, as it does for its per-minute limit. A 429
whose words say "daily"/"quota", or one still there after RateLimitMiddleware's retries,
means the day's quota is spent: nothing more is sent, every request left is recorded as
missing (--resume sends them), and the run's summary says when the quota resets.

invalid_params is TikTok's generic 400: a refusal of the request as it is. A page whose
cursor the API dropped mid-pagination is missing (--resume asks once more); any other
refusal, or the same one again, is counted and named in the summary, and not sent again.
"""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred
from twisted.internet.threads import deferToThread

from microscout.crawlers import parse_tiktok as pt
from microscout.crawlers.credentials import CrawlProblem, origin_of, redact, secret, urlopen
from microscout.crawlers.items import ProfileItem
from microscout.crawlers.middlewares import origin
from microscout.crawlers.parse_common import Malformed
from microscout.crawlers.spiders.base import CrawlSpider, asked_url

KEY_VAR, SECRET_VAR = "MICROSCOUT_TIKTOK_CLIENT_KEY", "MICROSCOUT_TIKTOK_CLIENT_SECRET"
KEY_KEY, SECRET_KEY = "platforms.tiktok.client_key", "platforms.tiktok.client_secret"


def check_credentials() -> str:
    """What to check when TikTok refuses the client credentials, named where they came from."""
    return (f"check {origin_of(KEY_KEY, KEY_VAR)} and {origin_of(SECRET_KEY, SECRET_VAR)} (a Research API client "
            f"key and secret)")
VIDEO_FIELDS = "id,username,video_description,create_time,like_count,comment_count,share_count,view_count,hashtag_names"
USER_FIELDS = ("display_name,bio_description,avatar_url,is_verified,follower_count,following_count,"
               "likes_count,video_count")
COMMENT_FIELDS = "id,video_id,text,like_count,reply_count,create_time"
TOKEN_CODES = {"access_token_invalid", "access_token_expired", "invalid_token"}
PERMISSION_CODES = {"scope_not_authorized", "scope_permission_missed", "permission_denied"}
RENEW_BEFORE = 120  # seconds: a token this close to its end is renewed before it is sent
MAX_COUNT = 100     # the Research API's largest page
TOKEN_RETRIES = 3   # times a request refused for its token is sent again with a new one
RENEW_AGAIN = 10.0  # seconds before a failed renewal is tried again while the old token still works
QUOTA_WHY = "not sent: TikTok's daily quota is spent (it resets at 00:00 UTC)"
MIDDLEWARE = f"{__name__}.TikTokMiddleware"


def next_reset(now: datetime | None = None) -> datetime:
    """The next 00:00 UTC, when the Research API's daily quota resets."""
    now = now or datetime.now(timezone.utc)
    return (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)


class QuotaSpent(IgnoreRequest):
    """Not sent: the day's quota is spent (the request is recorded as missing)."""


class TokenUnavailable(IgnoreRequest):
    """Not sent: no access token could be had (the crawl stops with the renewal's problem)."""

    def __init__(self, problem: CrawlProblem):
        super().__init__(str(problem))
        self.problem = problem


class Token:
    """The client credentials and the access token they gave, in memory only (repr hides them)."""

    def __init__(self, token_url: str, client_key: str, client_secret: str, timeout: float = 30.0):
        self.token_url, self._key, self._secret, self.timeout = token_url, client_key, client_secret, timeout
        self.value = ""
        self.expires_at = 0.0
        self.generation = 0  # tokens obtained so far; a request remembers the one it was sent with

    def __repr__(self) -> str:
        return f"Token({self.token_url}, generation {self.generation})"

    # A failing answer that may pass (the endpoint unreachable, a 5xx, a body that is no token)
    # is tried again this many times, waiting RENEW_WAIT seconds more each time, before the
    # crawl gives up: one proxy hiccup must not stop a crawl before it starts.
    RENEW_TRIES, RENEW_WAIT = 3, 1.0

    def renew(self) -> None:
        """A new access token (blocking: preflight only, before the reactor runs)."""
        for attempt in range(1, self.RENEW_TRIES + 1):
            try:
                self.apply(*self.fetch())
                return
            except CrawlProblem as exc:
                if exc.exit_code != 1 or attempt == self.RENEW_TRIES:  # refused credentials: no use asking again
                    raise
                time.sleep(self.RENEW_WAIT * attempt)

    def apply(self, value: str, expires_in: int) -> None:
        self.value = value
        self.expires_at = time.time() + max(expires_in, 1)
        self.generation += 1

    def fetch(self) -> tuple[str, int]:
        """(token, expires_in) from the token endpoint, or CrawlProblem with one line (never
        the secret). Touches nothing of the spider: it may run in a thread."""
        form = urlencode({"client_key": self._key, "client_secret": self._secret,
                          "grant_type": "client_credentials"}).encode()
        request = urllib.request.Request(self.token_url, data=form, method="POST", headers={
            "Content-Type": "application/x-www-form-urlencoded", "Cache-Control": "no-cache"})
        try:
            with urlopen(request, timeout=self.timeout) as answer:
                status, raw = answer.status, answer.read(1_000_000)
        except urllib.error.HTTPError as exc:
            status, raw = exc.code, exc.read(1_000_000)
            if 300 <= status < 400:  # to another server: not followed (credentials.urlopen)
                raise CrawlProblem(f"TikTok's token endpoint answered HTTP {status} ({exc.reason}); check --api "
                                   "(or platforms.tiktok.base_url)", exit_code=1) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise CrawlProblem(f"cannot reach {origin(self.token_url)} for a TikTok access token: "
                               f"{redact(str(reason), self._key, self._secret)[:200]}; check --api "
                               "(or platforms.tiktok.base_url) and that the server is up", exit_code=1) from None
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = None
        problem = pt.api_error(body)
        if status in (400, 401, 403) or (problem and problem[0] in ("invalid_client", "unauthorized_client")):
            what = redact(f"{problem[0]}: {problem[1]}" if problem else f"HTTP {status}", self._key, self._secret)
            raise CrawlProblem(f"TikTok refused the client credentials ({what[:200]}): {check_credentials()}")
        if status != 200 or problem:
            raise CrawlProblem(f"TikTok's token endpoint answered HTTP {status}"
                               f"{' (' + problem[0] + ')' if problem else ''}; try again later", exit_code=1)
        try:
            return pt.parse_token(body)
        except (Malformed, ValueError) as exc:
            raise CrawlProblem(f"TikTok's token endpoint gave no access token ({exc}); check --api", 1) from None


class TikTokMiddleware:
    """Downloader middleware of the TikTok spider (added by its update_settings), between
    RateLimitMiddleware (620) and BearerAuthMiddleware (650): once the daily quota is spent
    no request goes out (QuotaSpent, recorded as missing); a token about to expire is
    renewed first, the requests that need it waiting (a coroutine, not the reactor); a 429
    that says the day's quota is spent is not retried."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _spider(self, request) -> TikTokSpider | None:
        owner = getattr(self.crawler, "spider", None)
        return owner if isinstance(owner, TikTokSpider) and request.meta.get("auth") is True else None

    def process_request(self, request, spider=None):
        owner = self._spider(request)
        if owner is None:
            return None
        if owner.quota_spent:
            raise QuotaSpent(QUOTA_WHY)
        if owner.token is not None and owner.token_due():
            return owner.hold_for_token()
        return None

    def process_response(self, request, response, spider=None):
        owner = self._spider(request)
        if owner is None or response.status != 429:
            return response
        code, message = owner.problem(response) or ("", "")
        if owner.quota_spent or pt.daily_quota(code, message):
            owner.spend_quota(f"429 {code or 'Too Many Requests'}: {message[:120]}".rstrip(": "))
            raise QuotaSpent(QUOTA_WHY)
        return response


class TikTokSpider(CrawlSpider):
    name = "tiktok"
    platform = "tiktok"
    url_option = "--api (or platforms.tiktok.base_url in the config)"
    api_name = "the TikTok Research API"
    # video/query: the cursor moves by max_count and the API leaves videos out of a page
    # (deleted, withheld), so a page may be short or empty with has_more; the cursor always
    # moves on, a repeated one is a loop (base.loops). has_more ends the list, or empty pages
    # do, a few in a row or past the profile's video_count (bare_pages_end): then the rest is
    # missing (bare_pages_ended)
    empty_page_ends = False

    def __init__(self, *args, base_url: str = "https://open.tiktokapis.com", token: Token | None = None,
                 search_days: int = 30, **kwargs):
        super().__init__(*args, **kwargs)
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.search_days = search_days
        self.allowed_origins = {origin(self.base_url)}
        self.quota_spent = ""        # why the day's quota is known to be spent; then nothing is sent
        self.quota_lost = 0          # requests recorded as missing because of it
        self._renewal: list[Deferred] | None = None  # requests waiting for the renewal under way
        self._renew_failed_at = 0.0

    @classmethod
    def update_settings(cls, settings):
        super().update_settings(settings)
        chain = settings.getdict("DOWNLOADER_MIDDLEWARES")
        chain.setdefault(MIDDLEWARE, 640)
        settings.set("DOWNLOADER_MIDDLEWARES", chain, priority="spider")

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.idle, signal=signals.spider_idle)
        return spider

    @classmethod
    def preflight(cls, config, spec, db_path=None) -> dict:
        """The client credentials (environment or config) and a first access token: a missing
        or refused credential stops here with one line naming the variables."""
        tiktok = config.platforms.tiktok
        key = secret(tiktok.client_key, KEY_VAR, KEY_KEY, "The TikTok Research API client key", config)
        value = secret(tiktok.client_secret, SECRET_VAR, SECRET_KEY, "The TikTok Research API client secret", config)
        token = Token(f"{(spec.base_url or tiktok.base_url).rstrip('/')}/v2/oauth/token/", key, value)
        token.renew()
        return {"token": token, "search_days": tiktok.search_days}

    # -- requests --------------------------------------------------------------------
    def api(self, path: str, fields: str | None = None, **page) -> str:
        """The endpoint's URL; a later page's cursor and search_id ride in the fragment."""
        url = f"{self.base_url}/v2/research/{path}/" + (f"?fields={fields}" if fields else "")
        page = {k: v for k, v in page.items() if v is not None}
        return url + ("#" + urlencode(page) if page else "")

    def dates(self) -> dict:
        """The video/query window: the last search_days days (the API allows at most 30)."""
        today = datetime.now(timezone.utc).date()
        return {"since": (today - timedelta(days=self.search_days)).strftime("%Y%m%d"),
                "until": today.strftime("%Y%m%d")}

    def body_for(self, callback: str, ctx: dict, url: str) -> dict | None:
        """The JSON body of a request, from what it is for: equal for equal (callback, ctx, url)."""
        page = {k: v[0] for k, v in parse_qs(urlsplit(url).fragment).items()}
        cursor: dict[str, int | str] = {"cursor": int(page["cursor"])} if page.get("cursor", "").isdigit() else {}
        if page.get("search_id"):
            cursor["search_id"] = page["search_id"]
        if callback == "parse_search":
            query = {"operation": "IN", "field_name": "hashtag_name", "field_values": [ctx["tag"]]}
            return {"query": {"and": [query]}, "start_date": ctx["since"], "end_date": ctx["until"],
                    "max_count": MAX_COUNT, **cursor}
        if callback == "parse_user":
            return {"username": ctx["acct"]}
        if callback == "parse_posts":
            query = {"operation": "EQ", "field_name": "username", "field_values": [ctx["pid"]]}
            return {"query": {"and": [query]}, "start_date": ctx["since"], "end_date": ctx["until"],
                    "max_count": min(MAX_COUNT, self.bounds.posts_per_profile), **cursor}
        if callback == "parse_replies":
            return {"video_id": int(ctx["post_id"]), "max_count": min(MAX_COUNT, self.bounds.replies_per_post),
                    "cursor": cursor.get("cursor", 0)}
        if callback == "parse_followers":
            # the cursor is a Unix timestamp ("followed on or before"), not an index: the first
            # page sends none (the API's default: now); a cursor of 0 would ask for the followers
            # of 1970, none, and the list would pass for hidden
            return {"username": ctx["pid"], "max_count": min(MAX_COUNT, self.bounds.follower_sample),
                    **({"cursor": cursor["cursor"]} if "cursor" in cursor else {})}
        return None

    def req(self, url, callback, ctx=None, auth=False, errback=None, **kw):
        body = self.body_for(getattr(callback, "__name__", ""), ctx or {}, url)
        if body is not None:
            kw.update(method="POST", body=json.dumps(body, separators=(",", ":")),
                      headers={**(kw.get("headers") or {}), "Content-Type": "application/json"})
            auth = True
        return super().req(url, callback, ctx, auth=auth, errback=errback, **kw)

    def auth_headers(self, request) -> dict[str, str]:
        """The access token (TikTokMiddleware renewed it first when it was about to expire;
        BearerAuthMiddleware adds it at download time and takes it off on the way back)."""
        if self.token is None:
            return {}
        request.meta["token_generation"] = self.token.generation
        return {"Authorization": f"Bearer {self.token.value}"}

    def token_due(self) -> bool:
        """The token is about to expire (or a 401 said it is dead) and may be renewed now."""
        assert self.token is not None
        now = time.time()
        if now <= self.token.expires_at - RENEW_BEFORE:
            return False
        # a renewal that just failed is not tried again at once while the old token still works
        return now >= self.token.expires_at or now - self._renew_failed_at >= RENEW_AGAIN

    async def hold_for_token(self) -> None:
        """Wait (this request only) for the renewal; TokenUnavailable when it failed and the
        old token no longer works."""
        assert self.token is not None
        problem = await maybe_deferred_to_future(self.renewal())
        if problem is not None and time.time() >= self.token.expires_at:
            raise TokenUnavailable(problem)
        return None

    def renewal(self) -> Deferred:
        """One renewal for every request that needs it: a Deferred firing None, or the
        CrawlProblem. The urllib call runs in a thread (the client secret it sends never
        reaches a Scrapy request, so never the job folder); the token is changed here, in
        the reactor's thread."""
        assert self.token is not None
        token = self.token
        waiter: Deferred = Deferred()
        if self._renewal is not None:
            self._renewal.append(waiter)
            return waiter
        self._renewal = [waiter]

        def done(result: Any) -> None:
            problem: CrawlProblem | None = None
            if isinstance(result, tuple):
                token.apply(*result)
                self.crawler.stats.inc_value("microscout/token_renewals")
            else:
                value = getattr(result, "value", result)
                problem = value if isinstance(value, CrawlProblem) else CrawlProblem(
                    f"TikTok's access token could not be renewed ({type(value).__name__}); try again later", 1)
                self._renew_failed_at = time.time()
                self.logger.warning("%s", problem)
            waiting, self._renewal = self._renewal or [], None
            for each in waiting:
                each.callback(problem)

        deferToThread(token.fetch).addBoth(done)
        return waiter

    # -- the daily quota ---------------------------------------------------------------
    def spend_quota(self, why: str) -> None:
        """The day's quota is spent: from now on nothing is sent (TikTokMiddleware)."""
        if not self.quota_spent:
            self.quota_spent = why
            self.crawler.stats.set_value("microscout/quota_stopped", True)
            self.logger.warning("TikTok's daily quota is spent (%s): nothing more is sent", why)

    def on_error(self, failure):
        request = failure.request
        ctx = request.cb_kwargs.get("ctx")
        if failure.check(QuotaSpent):
            self.quota_lost += 1
            self.lose(request, QUOTA_WHY)
            if ctx and ctx.get("branch"):
                yield from self.branch_failed(ctx)
                yield from self._done(ctx)
            elif ctx and "tag" in ctx:
                yield from self.tag_ended(ctx)  # not sent: the pages after it in the order are taken
            return
        if failure.check(TokenUnavailable):
            problem = failure.value.problem
            self.fail("token_refused" if problem.exit_code == 2 else "unreachable", str(problem))
        yield from super().on_error(failure)

    def idle(self, spider=None):
        """The crawl is over: say once that the quota stopped it, and when it resets."""
        if not self.quota_spent or getattr(self, "_reported", False):
            return
        self._reported = True
        reset = next_reset()
        left = reset - datetime.now(timezone.utc)
        hours, minutes = divmod(int(left.total_seconds()) // 60, 60)
        self.note(f"TikTok's daily quota of Research API requests is spent ({self.quota_spent}): "
                  f"{self.quota_lost} request{'s' if self.quota_lost != 1 else ''} left unfetched and recorded as "
                  "missing; "
                  f"the quota resets at 00:00 UTC ({reset:%Y-%m-%d %H:%M} UTC, in {hours} h {minutes} min): run "
                  "the same command with --resume then")

    # -- answers -----------------------------------------------------------------------
    @staticmethod
    def problem(response) -> tuple[str, str] | None:
        try:
            return pt.api_error(json.loads(response.body))
        except (ValueError, UnicodeDecodeError, RecursionError):
            return None

    def parsed(self, response, what, func, *args):
        """TikTok's errors before the base's handling: an expired token is renewed and the
        request sent again (once); refused credentials or scopes stop the crawl with one
        line; invalid_params is counted and the request recorded as missing."""
        # (a 200 whose error.code is not "ok" is refused by the parser: retried like any
        # answer that cannot be parsed)
        problem = self.problem(response) if response.status != 200 else None
        if problem is None:
            return super().parsed(response, what, func, *args)
        code, message = problem
        request = response.request
        if code in TOKEN_CODES or (response.status == 401 and code not in PERMISSION_CODES):
            # sent again with a new token and refused again: a token that died in the meantime
            # (one living far less than announced) is renewed again, a few times; then the
            # crawl stops (TikTok refuses the new tokens)
            if self.token is None or request.meta.get("token_retried", 0) >= TOKEN_RETRIES:
                self.error(f"http_{response.status}", response.url, code)
                self.fail("token_refused", f"TikTok refused a new access token ({code}): {check_credentials()}")
            if request.meta.get("token_generation") == self.token.generation:
                # dead although not yet expired: TikTokMiddleware renews it before this is sent again
                self.token.expires_at = 0.0
                self._renew_failed_at = 0.0
            again = request.replace(dont_filter=True)
            again.meta["token_retried"] = request.meta.get("token_retried", 0) + 1
            return again
        if code in PERMISSION_CODES:
            self.error(f"http_{response.status}", response.url, code)
            self.fail("permission_missing", f"TikTok refused {what} ({code}): the client is not approved for this "
                                            f"part of the Research API; {check_credentials()}")
        if response.status == 429 and response.meta.get("rate_limited"):
            # a wait longer than MICROSCOUT_MAX_RATE_WAIT: not retried, and the host is left alone
            # until then (RateLimitMiddleware); missing, not the day's quota
            self.error(code or "http_429", response.url, f"{what}: {response.meta['rate_limited']}")
            self.api_ok.add(origin(response.url))
            self.lose(request, f"rate limited: {response.meta['rate_limited']}")
            return None
        if response.status == 429:
            # still 429 after RateLimitMiddleware's retries: the day's quota, not a short limit
            self.error(code, response.url, f"{what}: {message[:200]}")
            self.api_ok.add(origin(response.url))
            self.spend_quota(f"429 {code} after {self.crawler.settings.getint('MICROSCOUT_RETRY_429_TIMES', 5)} "
                             "retries")
            self.quota_lost += 1
            self.lose(request, QUOTA_WHY)
            return None
        if code == "invalid_params":
            self.error(code, response.url, f"{what}: {message[:200]}")
            self.api_ok.add(origin(response.url))
            self.refused(request, what, message)
            return None
        return super().parsed(response, what, func, *args)  # 5xx: the base's way

    def refused(self, request, what: str, message: str) -> None:
        """invalid_params: TikTok will not take this request as it is. A cursor it dropped
        mid-pagination (or a user/info refusal not about the user) is missing: --resume asks
        once more. Any other refusal, or the same request refused again, is named in the
        run's summary and not sent again (asking again would be refused again)."""
        callback = getattr(request.callback, "__name__", "")
        ctx = request.cb_kwargs.get("ctx") or {}
        body = self.body_for(callback, ctx, request.url)
        key = f"{callback}|{json.dumps(body, sort_keys=True, separators=(',', ':'))}"
        refusals = self._state().setdefault("refused", {})
        refusals[key] = refusals.get(key, 0) + 1
        paged = "cursor=" in urlsplit(request.url).fragment
        if refusals[key] == 1 and (callback == "parse_user" or (paged and pt.cursor_refusal(message))):
            self.lose(request, f"invalid_params: {message[:200]}")
            return
        self.crawler.stats.inc_value("microscout/refused_requests")
        self.note(f"TikTok refused the query for {self.for_what(callback, ctx)} ({what}, invalid_params): "
                  f"{message[:200]}; not sent again")

    def for_what(self, callback: str, ctx: dict) -> str:
        what = self.describe(callback, ctx)
        if "hashtag" in what:
            return f"#{what['hashtag']} page {what.get('page', 1)}"
        if "profiles" in what:
            return ", ".join(what["profiles"])
        if "profile" in what:
            return f"{what['profile']}'s {what.get('part', '?')}" + (f" of video {what['post']}" if "post" in what
                                                                      else "")
        return callback

    # -- discovery -----------------------------------------------------------------------
    async def start(self):
        for request in self.begin():
            yield request
        for handle in self.handles:
            if self.claim_author(handle) and self.allow():
                yield self.req(self.api("user/info", USER_FIELDS), self.parse_user, {"acct": handle, "seed": True})
        for tag in self.hashtags:
            if self.allow():
                yield self.req(self.api("video/query", VIDEO_FIELDS), self.parse_search,
                               {"tag": tag, "page": 1, **self.dates()})

    def parse_search(self, response, ctx):
        self.crawler.stats.inc_value("microscout/hashtag_pages")
        page = self.parsed(response, "video/query (hashtag)", pt.parse_videos)
        if page is None:
            yield from self.tag_ended(ctx)  # failed for good: the pages after it in the order are taken
            return
        if not isinstance(page, tuple):
            yield page  # tried again
            return
        posts, cursor, has_more, search_id = page
        # a page can be empty and still have more: the API searches the window in chunks
        following = None
        if has_more and cursor is not None and ctx["page"] < self.bounds.hashtag_pages:
            following = self.req(self.api("video/query", VIDEO_FIELDS, cursor=cursor, search_id=search_id),
                                 self.parse_search, {**ctx, "page": ctx["page"] + 1,
                                                     "pages": [*ctx.get("pages", ()), asked_url(response)]})
            # a cursor that leads to a page read before is a loop (missing, said): Scrapy's
            # duplicate filter dropped the page without a word and the run said finished
            if self.loops(ctx, response, following, "the hashtag search") or not self.allow():
                following = None
        # the authors are taken in the hashtags' order, not as the pages come (base.tag_page)
        yield from self.tag_page(ctx, list(dict.fromkeys(p.profile_platform_id for p in posts)),
                                 more=following is not None)
        yield from self.next_tag_page(following)

    def take_authors(self, authors):
        for author in authors:
            if self.claim_author(author) and self.allow():
                yield self.req(self.api("user/info", USER_FIELDS), self.parse_user, {"acct": author})

    def parse_user(self, response, ctx):
        name = ctx["acct"]
        problem = self.problem(response) if response.status != 200 else None
        outcome = pt.user_refusal(*problem) if problem else None
        if problem and outcome:
            # a private, deleted or unknown account: the API says so; nothing is missing
            # (an invalid_params whose words are not about the user is parsed(): missing)
            self.crawler.stats.inc_value(f"microscout/users_{outcome}")
            self.logger.info("TikTok user %s: %s (%s)", name, outcome, problem[1][:200])
            if ctx.get("seed"):
                self.handle_outcome(name, outcome)
            return
        item = self.parsed(response, "user/info", pt.parse_user, name)
        if isinstance(item, ProfileItem):
            yield from self.handle_profile(item, seed=name if ctx.get("seed") else None)
        elif item is not None:
            yield item

    # -- the chain ------------------------------------------------------------------------
    def new_ctx(self, item):
        # video_count (user/info): how many videos the profile has, the most its list can hold
        return {**super().new_ctx(item), **self.dates(), "video_count": item.posts_count}

    def bare_pages_end(self, ctx, next_url):
        """Empty pages with has_more end a profile's videos after BARE_PAGES in a row, or as
        soon as the next page would start past the video_count user/info gave (the cursor is
        an index into the profile's videos and moves by max_count whatever a page held, so
        such a page can hold none): a server answering has_more with empty pages for ever
        costs a few requests, not the budget."""
        if self._past_the_videos(ctx, next_url):
            return "past the profile's videos"
        why = super().bare_pages_end(ctx, next_url)
        return f"{ctx['bare_pages']} pages in a row held no video, though has_more said more follow" if why else None

    @staticmethod
    def _cursor_past(next_url: str, total) -> bool:
        """Whether the next page's cursor (an index into the list) starts at or past ``total``."""
        cursor = parse_qs(urlsplit(next_url).fragment).get("cursor", [""])[0]
        return cursor.isdigit() and isinstance(total, int) and int(cursor) >= total

    def _past_the_videos(self, ctx, next_url: str) -> bool:
        return self._cursor_past(next_url, ctx.get("video_count"))

    def bare_pages_ended(self, ctx, response, next_url, seen, why):
        """Past the profile's video_count the list is whole, has_more or not: no page there can
        hold a video, and a real API saying has_more on its last page would otherwise end every
        crawl of such a creator incomplete. Empty pages before it say nothing of the end (has_more
        said more follow): the next page is recorded as missing (the run ends incomplete and
        names it; --resume reads on from it, a few empty pages at most again) and the posts as
        not fetched whole."""
        if self._past_the_videos(ctx, next_url):
            self.crawler.stats.inc_value("microscout/has_more_past_the_videos")
            return
        self.lose_the_rest(ctx, response, next_url, self.parse_posts, "posts",
                           f"empty pages: {why}; the rest of the videos was not read",
                           "TikTok: a profile's videos came back as empty pages with has_more, a few in a row: the "
                           "rest of its videos is recorded as missing (the run's missing list names the profiles); "
                           "--resume reads on from there", "microscout/bare_pages_stops",
                           branch="posts", seen=seen, bare_pages=0)

    def posts_url(self, ctx):
        return self.api("video/query", VIDEO_FIELDS)

    def posts_page(self, body, response, ctx):
        posts, cursor, has_more, search_id = pt.parse_videos(body, ctx["pid"])
        posts = [p for p in posts if p.profile_platform_id.lower() == ctx["pid"].lower()]
        for post in posts:
            post.profile_platform_id = ctx["pid"]
        more = has_more and cursor is not None
        return posts, self.api("video/query", VIDEO_FIELDS, cursor=cursor, search_id=search_id) if more else None

    def replies_url(self, ctx, post_id):
        return self.api("video/comment/list", COMMENT_FIELDS)

    def replies_page(self, body, ctx, post_id):
        # The docs: a page may hold fewer comments than max_count (comments deleted by users…)
        # with more to come, so a short page is not the end (the base class reads on).
        comments, cursor, has_more = pt.parse_comments(body, ctx["pid"], post_id)
        more = has_more and cursor is not None
        # every comment the page held is kept (the API names no commenter, so none is left out
        # as opted out): what it held is what it gives (base.parse_replies)
        ctx["held_replies"] = len(comments)
        return comments, self.api("video/comment/list", COMMENT_FIELDS, cursor=cursor) if more else None

    # Empty pages of a video's comments, as of a profile's videos: the research-api-specs-query-
    # video-comments page says the API may return fewer comments than max_count "due to reasons
    # such as comments deleted by users" and that the cursor is "the starting index of the
    # comments", so an empty page with has_more is no end, and a few of them in a row say nothing
    # of what follows: the rest is missing (base.bare_replies_ended), unless the next page would
    # start past the video's comment_count (video/query), where no page can hold a comment.
    BARE_REPLIES_NOTE = ("TikTok: a video's comments came back as empty pages with has_more, a few in a row: the "
                         "rest of its comments is recorded as missing (the run's missing list names the profiles "
                         "and videos); --resume reads on from there")

    def bare_replies_end(self, ctx, next_url):
        """Empty pages with has_more end a video's comments after BARE_PAGES in a row, or as soon
        as the next page would start past the comment_count video/query gave (the cursor indexes
        the video's comments and moves by max_count whatever a page held)."""
        if self._past_the_comments(ctx, next_url):
            return "past the video's comments"
        why = super().bare_replies_end(ctx, next_url)
        return f"{ctx['bare_reply_pages']} pages in a row held no comment, though has_more said more follow" \
            if why else None

    def _past_the_comments(self, ctx, next_url: str) -> bool:
        return self._cursor_past(next_url, ctx.get("post_replies"))

    def bare_replies_ended(self, ctx, response, next_url, read, why):
        """Past the video's comment_count its comments are whole, has_more or not (as a
        profile's videos past its video_count: bare_pages_ended); before it, the base's way:
        the next page is missing and the comments not fetched whole."""
        if self._past_the_comments(ctx, next_url):
            self.crawler.stats.inc_value("microscout/has_more_past_the_comments")
            return
        super().bare_replies_ended(ctx, response, next_url, read, why)

    def followers_url(self, ctx):
        return self.api("user/followers")

    def followers_page(self, body, response, ctx):
        followers, cursor, has_more = pt.parse_followers(body, ctx["pid"])
        return followers, self.api("user/followers", cursor=cursor) if has_more and cursor is not None else None
