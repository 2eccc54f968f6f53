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
scheduler and job folder). It lives in memory on the spider and reaches each request as
``Authorization: Bearer`` through BearerAuthMiddleware (``auth_headers``). It lives 2 h:
it is renewed shortly before it expires, and on a 401 access_token_invalid the request
is sent again once with a new one.
"""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlencode, urlsplit

from microscout.crawlers import parse_tiktok as pt
from microscout.crawlers.credentials import CrawlProblem, redact, secret
from microscout.crawlers.items import ProfileItem
from microscout.crawlers.middlewares import origin
from microscout.crawlers.parse_common import Malformed
from microscout.crawlers.spiders.base import CrawlSpider

KEY_VAR, SECRET_VAR = "MICROSCOUT_TIKTOK_CLIENT_KEY", "MICROSCOUT_TIKTOK_CLIENT_SECRET"
CHECK_CREDENTIALS = f"check {KEY_VAR} and {SECRET_VAR} (a Research API client key and secret)"
VIDEO_FIELDS = "id,username,video_description,create_time,like_count,comment_count,share_count,view_count,hashtag_names"
USER_FIELDS = ("display_name,bio_description,avatar_url,is_verified,follower_count,following_count,"
               "likes_count,video_count")
COMMENT_FIELDS = "id,video_id,text,like_count,reply_count,create_time"
TOKEN_CODES = {"access_token_invalid", "access_token_expired", "invalid_token"}
PERMISSION_CODES = {"scope_not_authorized", "scope_permission_missed", "permission_denied"}
RENEW_BEFORE = 120  # seconds: a token this close to its end is renewed before it is sent
MAX_COUNT = 100     # the Research API's largest page


class Token:
    """The client credentials and the access token they gave, in memory only (repr hides them)."""

    def __init__(self, token_url: str, client_key: str, client_secret: str, timeout: float = 30.0):
        self.token_url, self._key, self._secret, self.timeout = token_url, client_key, client_secret, timeout
        self.value = ""
        self.expires_at = 0.0
        self.generation = 0  # tokens obtained so far; a request remembers the one it was sent with

    def __repr__(self) -> str:
        return f"Token({self.token_url}, generation {self.generation})"

    def renew(self) -> None:
        """A new access token, or CrawlProblem with one line (never the secret)."""
        form = urlencode({"client_key": self._key, "client_secret": self._secret,
                          "grant_type": "client_credentials"}).encode()
        request = urllib.request.Request(self.token_url, data=form, method="POST", headers={
            "Content-Type": "application/x-www-form-urlencoded", "Cache-Control": "no-cache"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # noqa: S310 - the configured API
                status, raw = answer.status, answer.read(1_000_000)
        except urllib.error.HTTPError as exc:
            status, raw = exc.code, exc.read(1_000_000)
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
            raise CrawlProblem(f"TikTok refused the client credentials ({what[:200]}): {CHECK_CREDENTIALS}")
        if status != 200 or problem:
            raise CrawlProblem(f"TikTok's token endpoint answered HTTP {status}"
                               f"{' (' + problem[0] + ')' if problem else ''}; try again later", exit_code=1)
        try:
            self.value, expires_in = pt.parse_token(body)
        except (Malformed, ValueError) as exc:
            raise CrawlProblem(f"TikTok's token endpoint gave no access token ({exc}); check --api", 1) from None
        self.expires_at = time.time() + max(expires_in, 1)
        self.generation += 1


class TikTokSpider(CrawlSpider):
    name = "tiktok"
    platform = "tiktok"
    url_option = "--api (or platforms.tiktok.base_url in the config)"
    api_name = "the TikTok Research API"

    def __init__(self, *args, base_url: str = "https://open.tiktokapis.com", token: Token | None = None,
                 search_days: int = 30, **kwargs):
        super().__init__(*args, **kwargs)
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.search_days = search_days
        self.allowed_origins = {origin(self.base_url)}

    @classmethod
    def preflight(cls, config, spec, db_path=None) -> dict:
        """The client credentials (environment or config) and a first access token: a missing
        or refused credential stops here with one line naming the variables."""
        tiktok = config.platforms.tiktok
        key = secret(tiktok.client_key, KEY_VAR, "platforms.tiktok.client_key", "The TikTok Research API client key")
        value = secret(tiktok.client_secret, SECRET_VAR, "platforms.tiktok.client_secret",
                       "The TikTok Research API client secret")
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
            return {"username": ctx["pid"], "max_count": min(MAX_COUNT, self.bounds.follower_sample),
                    "cursor": cursor.get("cursor", 0)}
        return None

    def req(self, url, callback, ctx=None, auth=False, errback=None, **kw):
        body = self.body_for(getattr(callback, "__name__", ""), ctx or {}, url)
        if body is not None:
            kw.update(method="POST", body=json.dumps(body, separators=(",", ":")),
                      headers={**(kw.get("headers") or {}), "Content-Type": "application/json"})
            auth = True
        return super().req(url, callback, ctx, auth=auth, errback=errback, **kw)

    def auth_headers(self, request) -> dict[str, str]:
        """The access token, renewed first when it is about to expire (BearerAuthMiddleware
        adds it at download time and takes it off again on the way back)."""
        if self.token is None:
            return {}
        if time.time() > self.token.expires_at - RENEW_BEFORE:
            self._renew(stop=False)  # if it fails, the old token's 401 says so (parsed)
        request.meta["token_generation"] = self.token.generation
        return {"Authorization": f"Bearer {self.token.value}"}

    def _renew(self, stop: bool = True) -> None:
        # urllib, blocking: a token lives 2 h, so this happens once in a long crawl, and
        # the client secret it sends must never reach a Scrapy request (the job folder)
        assert self.token is not None
        try:
            self.token.renew()
        except CrawlProblem as exc:
            if stop:
                self.fail("token_refused" if exc.exit_code == 2 else "unreachable", str(exc))
            self.logger.warning("%s", exc)
            return
        self.crawler.stats.inc_value("microscout/token_renewals")

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
            if request.meta.get("token_retried") or self.token is None:
                self.error(f"http_{response.status}", response.url, code)
                self.fail("token_refused", f"TikTok refused a new access token ({code}): {CHECK_CREDENTIALS}")
            if request.meta.get("token_generation") == self.token.generation:
                self._renew()
            again = request.replace(dont_filter=True)
            again.meta["token_retried"] = True
            return again
        if code in PERMISSION_CODES:
            self.error(f"http_{response.status}", response.url, code)
            self.fail("permission_missing", f"TikTok refused {what} ({code}): the client is not approved for this "
                                            f"part of the Research API; {CHECK_CREDENTIALS}")
        if code == "invalid_params":
            # invalid_params: the API will not take this request as it is (a cursor it
            # stopped accepting mid-pagination, …): counted, and named as missing
            self.error(code, response.url, f"{what}: {message[:200]}")
            self.lose(request, f"{code}: {message[:200]}")
            self.api_ok.add(origin(response.url))
            return None
        return super().parsed(response, what, func, *args)  # 429 after its retries, 5xx: the base's way

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
        if page is None or not isinstance(page, tuple):
            if page is not None:
                yield page  # tried again
            return
        posts, cursor, has_more, search_id = page
        for author in dict.fromkeys(p.profile_platform_id for p in posts):
            if self.claim_author(author) and self.allow():
                yield self.req(self.api("user/info", USER_FIELDS), self.parse_user, {"acct": author})
        # a page can be empty and still have more: the API searches the window in chunks
        if has_more and cursor is not None and ctx["page"] < self.bounds.hashtag_pages and self.allow():
            yield self.req(self.api("video/query", VIDEO_FIELDS, cursor=cursor, search_id=search_id),
                           self.parse_search, {**ctx, "page": ctx["page"] + 1})

    def parse_user(self, response, ctx):
        name = ctx["acct"]
        problem = self.problem(response) if response.status != 200 else None
        if problem and problem[0] in ("invalid_params", "user_not_found", "not_found"):
            # a private, deleted or unknown account: the API says so; nothing is missing
            outcome = "private" if "private" in problem[1].lower() else "not_found"
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
        return {**super().new_ctx(item), **self.dates()}

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
        comments, _, _ = pt.parse_comments(body, ctx["pid"], post_id)
        return comments[: self.bounds.replies_per_post]

    def followers_url(self, ctx):
        return self.api("user/followers")

    def followers_page(self, body, response, ctx):
        followers, cursor, has_more = pt.parse_followers(body, ctx["pid"])
        return followers, self.api("user/followers", cursor=cursor) if has_more and cursor is not None else None
