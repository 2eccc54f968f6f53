"""Instagram (Graph API): seed handles (--handle, --handles FILE) -> business_discovery
(profile and recent media, one request); ig_hashtag_search -> top_media / recent_media.

What the Graph API cannot give, and what the crawl does about it:
- hashtag media carry no owner, and captions come without the "@" of their mentions (unless
  the app user administers the creator's Page): hashtags give media only, creators come from
  the seeds. A caption that does hold @mentions still gives its accounts; when hashtag pages
  give media and no author at all, the run's summary says so once;
- business_discovery sees professional (business/creator) accounts only: a personal or
  private account, or a username that does not exist, answers "Invalid user id" (110) and
  is counted as not found, not as a failure;
- no follower list and no comments on other accounts' media: neither is fetched (the
  FetchedItem never claims them), so rules that need them say unknown;
- 30 unique hashtags per account in a rolling 7 days: every search is remembered in the
  api_usage table; preflight also asks the API which hashtags the account searched this week
  (recently_searched_hashtags: searches made by other tools count too), and a crawl that
  would go over refuses before it starts.

The token travels in the Authorization header only (BearerAuthMiddleware), never in a
URL: the ``next`` links the API writes contain access_token, which is taken out first.
"""
from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlencode

from scrapy import Request

from microscout.crawlers import parse_instagram as pi
from microscout.crawlers.credentials import CrawlProblem, origin_of, redact, secret, urlopen
from microscout.crawlers.items import UsageItem
from microscout.crawlers.middlewares import origin
from microscout.crawlers.parse_common import Malformed
from microscout.crawlers.spiders.base import CrawlSpider

TOKEN_ENV, TOKEN_KEY = "MICROSCOUT_INSTAGRAM_TOKEN", "platforms.instagram.access_token"
USER_ENV = "MICROSCOUT_INSTAGRAM_USER_ID"
MEDIA_FIELDS = "id,caption,like_count,comments_count,timestamp,permalink,media_type"
PROFILE_FIELDS = ("id,username,name,biography,followers_count,follows_count,media_count,profile_picture_url,"
                  "website")
EDGES = ("top_media", "recent_media")
WEEK = timedelta(days=7)
RATE_RETRIES = 5          # tries of one request the Graph API answered with a rate-limit code
RATE_WAIT = 60.0          # first wait after a rate-limit code, doubled each time (capped by MICROSCOUT_MAX_RATE_WAIT)
NEEDS = "instagram_basic and the Instagram Public Content Access feature"
NO_AUTHORS = ("Instagram's Graph API removes the @ from captions and names no author for hashtag media: the "
              "hashtags gave media only (counts and metrics), no creators; Instagram creators are found from "
              "seeds: --handle NAME or --handles FILE")
PREFLIGHT_TIMEOUT = 30.0


def _when(value: str) -> datetime | None:
    try:
        stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=timezone.utc)


def searched_this_week(db_path, now: datetime) -> dict[str, datetime]:
    """hashtag -> its oldest search in the last 7 days (the api_usage table)."""
    if not db_path or not Path(db_path).exists():
        return {}
    from microscout.store import open_store

    db = open_store(db_path)
    try:
        rows = list(db.query("SELECT key, at FROM api_usage WHERE platform = 'instagram' AND usage = 'hashtag_search'"))
    finally:
        db.conn.close()
    out: dict[str, datetime] = {}
    for row in rows:
        at = _when(row["at"])
        if at is not None and at > now - WEEK and (row["key"] not in out or at < out[row["key"]]):
            out[row["key"]] = at
    return out


def searched_elsewhere(base_url: str, ig_user_id: str, token: str,
                       timeout: float = PREFLIGHT_TIMEOUT) -> set[str]:
    """The hashtags the account searched in the last 7 days, as the Graph API counts them
    (GET /{ig-user-id}/recently_searched_hashtags: searches made by any tool with this
    account). The token goes in the Authorization header; the ``next`` links the API writes
    lose their access_token first. CrawlProblem with one line on any failure."""
    base = base_url.rstrip("/")
    url: str | None = (f"{base}/{ig_user_id}/recently_searched_hashtags?"
                       + urlencode({"fields": "id,name", "limit": 30}))
    names: set[str] = set()
    unnamed: list[str] = []
    for _ in range(10):  # 30 a week, 30 a page: one page, a few more at most
        if url is None:
            break
        body = _graph_get(url, token, timeout, "the hashtags this account searched this week")
        try:
            page = pi.recently_searched(body)
        except Malformed as exc:
            raise CrawlProblem(f"the Graph API's recently_searched_hashtags answer was not understood ({exc}); "
                               "check --api (or platforms.instagram.base_url)", exit_code=1) from None
        for ident, name in page.hashtags:
            if name:
                names.add(name)
            else:
                unnamed.append(ident)
        url = page.next_url if page.next_url and origin(page.next_url) == origin(base) else None
    for ident in unnamed:  # the edge gave ids only: the IG Hashtag node names them
        body = _graph_get(f"{base}/{ident}?fields=id,name", token, timeout, f"the name of hashtag {ident}")
        name = body.get("name") if isinstance(body, dict) else None
        names.add(name.lower() if isinstance(name, str) and name else f"(hashtag id {ident})")
    return names


# A preflight request is tried this many times when the server errs (5xx), the connection
# drops or the answer does not parse, as the crawl's own requests are (crawl.retry_times).
PREFLIGHT_TRIES = 3


def _graph_get(url: str, token: str, timeout: float, what: str, tries: int = PREFLIGHT_TRIES):
    """GET a Graph API URL with the token in the header: the JSON body, or CrawlProblem (one line,
    never the token): a refused token or a missing permission exit 2, anything else exit 1. A
    server error, a dropped connection or an answer that does not parse is tried again."""
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}", "Accept": "application/json"})
    backoff = float(os.environ.get("MICROSCOUT_RETRY_BACKOFF", "0.5"))
    redirected = ""
    for attempt in range(tries):
        last = attempt == tries - 1
        try:
            with urlopen(request, timeout=timeout) as answer:
                status, raw = answer.status, answer.read(2_000_000)
        except urllib.error.HTTPError as exc:
            status, raw = exc.code, exc.read(2_000_000)
            redirected = f" ({exc.reason})" if 300 <= status < 400 else ""
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            if not last and not isinstance(reason, ConnectionRefusedError):
                time.sleep(backoff * 2 ** attempt)
                continue
            raise CrawlProblem(f"cannot reach {origin(url)} to read {what}: {redact(str(reason), token)[:200]}; "
                               "check --api (or platforms.instagram.base_url) and that the server is up",
                               exit_code=1) from None
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            body = None
        if (status >= 500 or (status == 200 and body is None)) and not last:
            time.sleep(backoff * 2 ** attempt)
            continue
        break
    if status >= 500 and pi.graph_error(body) is None:
        raise CrawlProblem(f"the Graph API answered HTTP {status} (a server error, {tries} times) when asked for "
                           f"{what}; try again later", exit_code=1)
    err = pi.graph_error(body)
    if err is not None:
        detail = redact(err.message, token)[:200]
        if err.kind == "token":
            raise CrawlProblem(f"the Instagram Graph API refused the access token (code {err.code}: expired, revoked "
                               f"or invalid): set {origin_of(TOKEN_KEY, TOKEN_ENV)} to a new user access token")
        if err.kind == "permission":
            named = err.permission()
            raise CrawlProblem(f"the Instagram access token lacks a permission (code {err.code}) to read {what}: "
                               f"it needs {named or NEEDS!r}; grant it to the app and set "
                               f"{origin_of(TOKEN_KEY, TOKEN_ENV)} again")
        if err.kind == "rate_limit":
            raise CrawlProblem(f"the Graph API's rate limit was reached (code {err.code}) while reading {what}; "
                               "try again later", exit_code=1)
        raise CrawlProblem(f"the Graph API refused to give {what} (HTTP {status}, code {err.code}: {detail})",
                           exit_code=1)
    if status != 200 or body is None:
        raise CrawlProblem(f"the Graph API answered HTTP {status}{redirected} when asked for {what}; check --api "
                           "(or platforms.instagram.base_url)", exit_code=1)
    return body


def check_hashtag_limit(hashtags, used: dict[str, datetime | None], limit: int, now: datetime) -> None:
    """CrawlProblem when searching ``hashtags`` would go over ``limit`` unique hashtags in 7 days.
    ``used``: hashtag -> when it was searched (None: searched this week by another tool, when
    is not known)."""
    new = sorted({h.lstrip("#").lower() for h in hashtags} - set(used))
    if len(used) + len(new) <= limit:
        return
    known = {tag: at for tag, at in used.items() if at is not None}
    elsewhere = len(used) - len(known)
    if known:
        oldest, at = min(known.items(), key=lambda kv: kv[1])
        frees = (f"the oldest (#{oldest}) frees up at "
                 f"{(at + WEEK).astimezone(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}")
    else:
        frees = "each frees up 7 days after it was searched"
    others = (f" ({elsewhere} of them by another tool with this account, as Instagram's "
              "recently_searched_hashtags says)" if elsewhere else "")
    raise CrawlProblem(
        f"Instagram allows {limit} unique hashtags per account in 7 days: {len(used)} searched since "
        f"{(now - WEEK).strftime('%Y-%m-%d')}{others}, and this crawl would add {len(new)} "
        f"({', '.join('#' + h for h in new)}); {frees} "
        "(hashtags searched this week do not count again)")


class InstagramSpider(CrawlSpider):
    name = "instagram"
    platform = "instagram"
    url_option = "--api (or platforms.instagram.base_url in the config)"
    api_name = "the Instagram Graph API"
    # Meta's paging docs: a page can come back empty (privacy filtering) and still lead on, so
    # an empty page does not end a profile's media (posts_page decides by media_count); a few
    # in a row at most (base.BARE_PAGES)
    empty_page_ends = False

    @classmethod
    def preflight(cls, config, spec, db_path=None) -> dict:
        ig = config.platforms.instagram
        token = secret(ig.access_token, TOKEN_ENV, TOKEN_KEY, "An Instagram Graph API user access token", config)
        user_id = secret(ig.ig_user_id or None, USER_ENV, "platforms.instagram.ig_user_id",
                         "The id of the Instagram professional account the crawl runs as")
        if spec.hashtags:
            now = datetime.now(timezone.utc)
            used: dict[str, datetime | None] = dict(searched_this_week(db_path, now))
            # what Instagram itself counts: searches made by other tools with this account too
            for tag in searched_elsewhere(spec.base_url or ig.base_url, user_id, token):
                used.setdefault(tag, None)
            check_hashtag_limit(spec.hashtags, used, ig.hashtags_per_week, now)
        return {"token": token, "ig_user_id": user_id}

    def __init__(self, *args, base_url: str = "https://graph.facebook.com/v21.0", token: str = "",
                 ig_user_id: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.base_url = base_url.rstrip("/")
        self._token = token  # in memory only: added to each request by BearerAuthMiddleware
        self.ig_user_id = ig_user_id
        self.allowed_origins = {origin(self.base_url)}
        # No follower list and no comments on other accounts' media: never fetched, never claimed.
        self.bounds = replace(self.bounds, follower_sample=0, posts_with_replies=0)
        self._first_pages: dict[str, object] = {}  # pid -> the business_discovery answer holding its first media page
        self._hashtag_authors = 0  # accounts named by the @mentions of hashtag media captions

    def auth_headers(self, request) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token}"}

    def req(self, url, callback, ctx=None, auth=True, errback=None, **kw):
        # every Graph API call needs the token, the base class's next pages of posts too
        return super().req(url, callback, ctx, auth=auth, errback=errback, **kw)

    def url(self, path: str, **params) -> str:
        return f"{self.base_url}/{path}?{urlencode(params)}"

    def discovery_url(self, username: str, cursor: str | None = None, profile: bool = True) -> str:
        limit = max(1, min(50, self.bounds.posts_per_profile))
        media = f"media.limit({limit})" + (f".after({cursor})" if cursor else "") + f"{{{MEDIA_FIELDS}}}"
        fields = f"{PROFILE_FIELDS},{media}" if profile else f"id,{media}"
        return self.url(self.ig_user_id, fields=f"business_discovery.username({username}){{{fields}}}")

    async def start(self):
        for request in self.begin():
            yield request
        for handle in self.handles:
            name = handle.lower()
            if not pi.USERNAME.match(name):
                self.note(f"@{handle} is not an Instagram username: skipped")
                self.seed_not_found(name)
            elif self.claim_author(name) and self.allow():
                yield self.req(self.discovery_url(name), self.parse_profile, {"acct": name}, auth=True)
        for tag in self.hashtags:
            if self.allow():
                yield self.req(self.url("ig_hashtag_search", user_id=self.ig_user_id, q=tag), self.parse_search,
                               {"tag": tag, "page": 0}, auth=True)
        if self.handles or self.hashtags:
            self.note("Instagram gives no follower list and no comments on other accounts' media: audience and "
                      "comment rules say unknown for Instagram candidates")

    # -- Graph API errors --------------------------------------------------------------
    def graph_problem(self, response, ctx):
        """Deal with a Graph API error answer: None when the answer is not one (or is left to
        the usual HTTP error handling), else a list of what to yield (possibly empty)."""
        if response.status < 400:
            return None
        try:
            err = pi.graph_error(response.json())
        except (ValueError, AttributeError):
            return None
        if err is None:
            return None
        kind = err.kind
        if kind == "token":
            self.error("token_refused", response.url)
            self.fail("token_refused", f"the Instagram Graph API refused the access token (code {err.code}: expired, "
                                       f"revoked or invalid): set {origin_of(TOKEN_KEY, TOKEN_ENV)} to a new "
                                       "user access token")
        if kind == "permission":
            named = err.permission()
            self.error("permission_missing", response.url)
            self.fail("permission_missing", f"the Instagram access token lacks a permission (code {err.code}): "
                      f"{('it needs ' + repr(named)) if named else 'it needs ' + NEEDS}; grant it to the app and "
                      f"set {origin_of(TOKEN_KEY, TOKEN_ENV)} again")
        if kind == "rate_limit":
            retry = self.rate_retry(response, err)
            return [retry] if retry is not None else []
        if kind == "not_found" and ctx.get("acct"):
            # a personal or private account, or no such username: business_discovery cannot see it
            self.crawler.stats.inc_value("microscout/instagram_not_professional")
            self.seed_not_found(ctx["acct"])
            self.note("some accounts are not professional (business or creator) Instagram accounts, are private or "
                      "do not exist: business_discovery cannot see them (counted as instagram_not_professional)")
            return []
        if kind == "hashtag_limit":
            self.error("hashtag_limit", response.url)
            self.note(f"Instagram refused #{ctx.get('tag')}: the account reached its limit of unique hashtags in "
                      "7 days; run the crawl again with --resume when it frees up")
            self.lose(response.request, "hashtag limit")
            return []
        return None

    def seed_not_found(self, name: str) -> None:
        """A --handle business_discovery cannot see, for the per-handle report (Instagram gives the
        same answer for a personal or private account and for no account at all)."""
        seed = next((h for h in self.handles if h.lower() == name), None)
        if seed and hasattr(self, "handle_outcome"):
            self.handle_outcome(seed, "not_found")

    def rate_retry(self, response, err):
        request = response.request
        tries = request.meta.get("graph_rate_retries", 0)
        self.crawler.stats.inc_value("microscout/instagram_rate_limited")
        if tries >= RATE_RETRIES:
            self.error("rate_limited", response.url, f"code {err.code}")
            self.lose(request, f"rate limited (code {err.code})")
            return None
        cap = self.crawler.settings.getfloat("MICROSCOUT_MAX_RATE_WAIT", 900.0)
        _, regain = pi.usage(self._header(response, "X-Business-Use-Case-Usage"), self._header(response, "X-App-Usage"))
        wait = min(cap, regain or RATE_WAIT * 2 ** tries)
        # a rate-limit wait like a 429's (RateLimitMiddleware._pause): the summary's "rate-limit
        # waits" and the run's wait seconds count it, or a crawl that waited out code 4 said 0;
        # when the answer's usage headers paused the host (counted there), only what this wait
        # adds to that pause, or one wait would be counted twice
        extra = wait - response.meta.get("rate_paused_for", 0.0)
        if extra > 0.001:
            self.crawler.stats.inc_value("microscout/rate_limit_waits")
            self.crawler.stats.inc_value("microscout/rate_limit_wait_seconds",
                                         round(extra, 3))  # type: ignore[arg-type]
        self.note(f"the Graph API said its rate limit was reached (code {err.code}): waited and asked again")
        retry = request.replace(dont_filter=True)
        retry.meta["graph_rate_retries"] = tries + 1
        retry.meta["backoff_until"] = time.time() + wait
        retry.headers.pop(b"Authorization", None)
        return retry

    @staticmethod
    def _header(response, name: str) -> str | None:
        value = response.headers.get(name)
        return value.decode("latin-1") if value else None

    def _answer(self, response, ctx, what, func, *args):
        """(handled, result): a Graph error dealt with, or the parsed body (see base.parsed)."""
        problem = self.graph_problem(response, ctx)
        if problem is not None:
            return True, problem
        return False, self.parsed(response, what, func, *args)

    # -- hashtags -----------------------------------------------------------------------
    # The order the authors of hashtag media take the --max-profiles places in (base.tag_page):
    # each hashtag's two lists are chains of their own, top_media before recent_media, so page 1
    # of #a's top, of #a's recent, of #b's top, of #b's recent, then page 2 of each.

    def tag_chains(self) -> int:
        return len(self.hashtags) * len(EDGES)

    def tag_index(self, ctx: dict) -> int | None:
        index = super().tag_index(ctx)
        if index is None or ctx.get("edge") not in EDGES:
            return None
        return index * len(EDGES) + EDGES.index(ctx["edge"])

    def describe(self, callback: str, ctx: dict) -> dict:
        """A hashtag page names its list too ("top media", "recent media"): each list has a page
        1, and the run's report said "hashtag #x: page 1" twice when both were missing."""
        what = super().describe(callback, ctx)
        if "hashtag" in what and ctx.get("edge") in EDGES:
            what["list"] = ctx["edge"].replace("_", " ")
        return what

    def tag_ended(self, ctx: dict):
        if "edge" not in ctx:  # the hashtag's search itself: neither of its lists will come
            for edge in EDGES:
                yield from super().tag_ended({**ctx, "page": 1, "edge": edge})
            return
        yield from super().tag_ended(ctx)

    def parse_search(self, response, ctx):
        handled, found = self._answer(response, ctx, "ig_hashtag_search", lambda body: (pi.hashtag_id(body),))
        if handled:
            yield from self._refused(found, ctx)
            return
        if isinstance(found, Request):
            yield found
            return
        if found is None:
            yield from self.tag_ended(ctx)
            return
        tag, result = ctx["tag"], found[0]
        from microscout.store.writes import now_iso

        # the search counts against the weekly limit whether or not the hashtag exists
        yield UsageItem(platform="instagram", usage="hashtag_search", key=tag.lower(), at=now_iso())
        if result is None:
            self.note(f"Instagram knows no hashtag #{tag}")
            yield from self.tag_ended(ctx)
            return
        for edge in EDGES:
            media = {"tag": tag, "page": 1, "edge": edge}
            if self.bounds.hashtag_pages > 0 and self.allow():
                yield self.req(self.url(f"{result}/{edge}", user_id=self.ig_user_id, fields=MEDIA_FIELDS, limit=50),
                               self.parse_media, media, auth=True)
            else:
                yield from self.tag_ended(media)  # never asked for: the lists after it are taken

    def parse_media(self, response, ctx):
        self.crawler.stats.inc_value("microscout/hashtag_pages")
        handled, page = self._answer(response, ctx, ctx["edge"], pi.hashtag_media)
        if handled:
            yield from self._refused(page, ctx)
            return
        if isinstance(page, Request):
            yield page
            return
        if page is None:
            yield from self.tag_ended(ctx)
            return
        self.no_authors_note(page)
        following = None
        if page.media and page.next_url and ctx["page"] < self.bounds.hashtag_pages:
            following = self.req(page.next_url, self.parse_media, {**ctx, "page": ctx["page"] + 1,
                                                                   "pages": [*ctx.get("pages", ()), response.url]},
                                 auth=True)
            # a next link to a page read before is a loop (missing, said): Scrapy's duplicate
            # filter dropped the page without a word and the run said finished
            if self.loops(ctx, response, following, "the hashtag media") or not self.allow():
                following = None
        # the authors are taken in the hashtags' order, not as the pages come (base.tag_page)
        yield from self.tag_page(ctx, [name for name in page.authors if pi.USERNAME.match(name)],
                                 more=following is not None)
        yield from self.next_tag_page(following)

    def take_authors(self, authors):
        for name in authors:
            if self.claim_author(name) and self.allow():
                yield self.req(self.discovery_url(name), self.parse_profile, {"acct": name}, auth=True)

    def _refused(self, answer: list, ctx: dict):
        """A hashtag search or page the Graph API refused: what graph_problem gave, and when
        that is no retry (a limit, rate limits past their tries) the hashtag's turn is over."""
        yield from answer
        if not any(isinstance(each, Request) for each in answer):
            yield from self.tag_ended(ctx)

    def no_authors_note(self, page) -> None:
        """One note in the summary while hashtag pages have given media and no author at all
        (the real API's answer: no owner, captions without "@"); taken back if a later page
        names one (captions an admin of the creator's Page reads keep their @mentions)."""
        self._hashtag_authors += len(page.authors)
        notes = list(self.crawler.stats.get_value("microscout/notes") or [])
        if self._hashtag_authors:
            if NO_AUTHORS in notes:
                self.crawler.stats.set_value("microscout/notes", [n for n in notes if n != NO_AUTHORS])
        elif page.media:
            self.note(NO_AUTHORS)

    # -- profiles -----------------------------------------------------------------------
    def parse_profile(self, response, ctx):
        handled, item = self._answer(response, ctx, "business_discovery", pi.profile)
        if handled:
            yield from item
            return
        if isinstance(item, Request):
            yield item
            return
        if item is None:
            return
        # the answer holds the first page of media too: the posts branch starts from it
        self._first_pages[item.platform_id] = response
        try:
            yield from self.handle_profile(item)
        finally:
            self._first_pages.pop(item.platform_id, None)

    def _launch(self, ctx, branch, url, callback, **extra):
        first = self._first_pages.pop(ctx["pid"], None) if branch == "posts" else None
        if first is None:
            yield from super()._launch(ctx, branch, url, callback, **extra)
            return
        # the first media page came with the profile: no request, the chain goes on from it
        self._open(ctx)["pending"] += 1
        yield from self.parse_posts(first, {**ctx, "branch": branch, **extra})

    def posts_url(self, ctx):
        return self.discovery_url(ctx["handle"], profile=False)

    def posts_page(self, body, response, ctx):
        posts, after = pi.media_page(body, ctx["pid"])
        limit = max(1, min(50, self.bounds.posts_per_profile))
        # Meta: a page may hold fewer than the limit and still have more (privacy filtering),
        # so a short page ends the list only once the posts read reach the profile's
        # media_count; a full one always goes on, as a count can lag behind new posts.
        more = after and (len(posts) >= limit or ctx["seen"] + len(posts) < (ctx.get("posts_count") or 0))
        return posts, (self.discovery_url(ctx["handle"], after, profile=False) if more else None)

    def new_ctx(self, item):
        return {**super().new_ctx(item), "posts_count": item.posts_count}

    def parse_posts(self, response, ctx):
        problem = self.graph_problem(response, ctx)
        if problem is None:
            yield from super().parse_posts(response, ctx)
            return
        if problem:  # asked again after a rate limit: the branch is still open
            yield from problem
            return
        self._failed(ctx, "posts")
        yield from self._done(ctx)

    def replies_url(self, ctx, post_id):
        return None  # the Graph API gives comments only on the caller's own media

    def replies_page(self, body, ctx, post_id):
        return []

    def followers_url(self, ctx):
        return None  # the Graph API gives no follower list

    def followers_page(self, body, response, ctx):
        return [], None
