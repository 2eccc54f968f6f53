"""A small, exact Mastodon + Bluesky server on 127.0.0.1 for the crawler tests.

It serves the documented wire formats (Link headers, cursors, rate-limit headers) with a
fixed population and deterministic faults: a 429 with Retry-After, a 503, an HTML error
page, a body with missing fields, a rate-limit window nearly spent, an opted-out,
a remote, a bridged and a hidden-followers account. Every request is logged, so tests
can check which calls carried the bearer token.

Bluesky plays the PDS and the AppView on one port, like the sandbox: searchPosts needs the
session, sent with atproto-proxy (the PDS's proxying); a bearer token sent without it is the
AppView's to refuse (401 InvalidToken "Malformed token"). Tokens rotate on refreshSession.

Beyond the fixed faults: a seeded fault mix (5xx, 429, malformed 200 bodies, dropped
connections) decided per request URL and attempt, so a crawl meets the same faults however
its requests interleave (FaultMix); a hostile mode whose Link headers, redirects, robots.txt
and cursors point at another origin (``hostile=[url, …]``); and a web server that is not an
API at all (``html_site``).
"""
from __future__ import annotations

import base64
import gzip
import json
import random
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

BSKY_IDENTIFIER = "scout.test"
BSKY_PASSWORD = "s3cret-app-pass-9f2k"
BSKY_TOKEN = "jwt-access-7c1d0e"      # the first session's access token; later ones get a suffix
BSKY_REFRESH = "jwt-refresh-3a9b52"
APPVIEW_DID = "did:web:api.bsky.app"

T0 = datetime(2026, 10, 1, 12, 0, tzinfo=timezone.utc)


def iso(dt: datetime) -> str:
    return dt.isoformat().replace("+00:00", "Z")


# -- Mastodon population -------------------------------------------------------------
def _m_account(i: int, username: str, acct: str, followers: int, **extra) -> dict:
    account = {
        "id": str(1000 + i), "username": username, "acct": acct, "display_name": username.title(),
        "locked": False, "bot": False, "discoverable": True, "indexable": True, "group": False,
        "created_at": "2024-01-01T00:00:00.000Z",
        "note": f"<p>I post about <a href=\"https://x/tags/coffee\" class=\"mention hashtag\" rel=\"tag\">#<span>coffee</span></a> &amp; more. "
                f"Shop: <a href=\"https://shop.example/{username}\" rel=\"nofollow noopener\">shop.example</a></p>",
        "url": f"https://x/@{username}", "avatar": f"https://x/avatars/{username}.png",
        "followers_count": followers, "following_count": 120, "statuses_count": 340,
        "last_status_at": "2026-09-30", "noindex": False, "fields": [],
    }
    account.update(extra)
    return account


def mastodon_population(extra: int = 0) -> list[dict]:
    people = [
        _m_account(1, "alice", "alice", 2500),
        _m_account(2, "bob", "bob", 50),                       # below every tier: prefiltered
        _m_account(3, "carol", "carol@remote.example", 3000),  # remote
        _m_account(4, "dan", "dan@bsky.brid.gy", 4000),        # bridged: not a Mastodon creator
        _m_account(5, "erin", "erin", 2000, noindex=True),     # opted out
        _m_account(6, "frank", "frank", 2000, discoverable=False),  # opted out
        _m_account(7, "gina", "gina", 1500, hide_collections=True),  # followers hidden
        _m_account(8, "hank", "hank", 1800),                   # statuses: an HTML error page
        _m_account(9, "zed", "zed", 1200),                     # lookup: missing fields
    ]
    for j in range(extra):
        people.append(_m_account(100 + j, f"user{j}", f"user{j}", 1000 + 37 * j))
    return people


def _m_status(sid: int, account: dict, n: int, reblog: dict | None = None, replies: int = 0) -> dict:
    return {
        "id": str(sid), "created_at": iso(T0 - timedelta(hours=n)), "in_reply_to_id": None,
        "visibility": "public", "language": "en", "url": f"https://x/@{account['username']}/{sid}",
        "uri": f"https://x/users/{account['username']}/statuses/{sid}",
        "replies_count": replies, "reblogs_count": 2, "favourites_count": 10 + n, "quotes_count": 0,
        "content": (f"<p>Morning brew number {n} <a href=\"https://x/tags/coffee\" class=\"mention hashtag\" rel=\"tag\">#<span>Coffee</span></a> "
                    f"with <span class=\"h-card\"><a href=\"https://x/@bob\" class=\"u-url mention\">@<span>bob</span></a></span>"
                    f"<br>see <a href=\"https://blog.example/post/{sid}\" rel=\"nofollow noopener\" target=\"_blank\">"
                    f"<span class=\"invisible\">https://</span><span>blog.example/post/{sid}</span></a></p>"),
        "tags": [{"name": "coffee", "url": "https://x/tags/coffee"}, {"name": "latte", "url": "https://x/tags/latte"}],
        "mentions": [{"id": "1002", "username": "bob", "acct": "bob", "url": "https://x/@bob"}],
        "reblog": reblog, "account": account,
    }


# -- Bluesky population --------------------------------------------------------------
def _b_profile(name: str, followers: int, labels: list[str] = (), **extra) -> dict:
    profile = {
        "did": f"did:plc:{name}000", "handle": f"{name}.bsky.test", "displayName": name.title(),
        "description": f"{name} brews coffee ☕", "avatar": f"https://cdn.example/{name}.jpg",
        "followersCount": followers, "followsCount": 80, "postsCount": 210,
        "createdAt": "2024-02-01T00:00:00.000Z", "indexedAt": "2024-02-01T00:00:00.000Z",
        "labels": [{"src": f"did:plc:{name}000", "uri": f"at://did:plc:{name}000/app.bsky.actor.profile/self",
                    "val": v, "cts": "2024-02-01T00:00:00.000Z"} for v in labels],
    }
    profile.update(extra)
    return profile


def bluesky_population(extra: int = 0) -> list[dict]:
    people = [_b_profile("amy", 2200), _b_profile("ben", 40), _b_profile("cat", 3100, ["!no-unauthenticated"]),
              _b_profile("dot", 1900, ["bot"])]
    for j in range(extra):
        people.append(_b_profile(f"b{j}", 1000 + 41 * j))
    return people


B_FOLLOWERS = 5                 # every Bluesky creator's followers: did:plc:f0 … f4
B_FOLLOWER_GONE = "did:plc:f3"  # deleted since it followed: getProfiles leaves it out


def b_follower(k: int, detailed: bool = False) -> dict:
    """A follower as getFollowers gives it (profileView: no counts) or, detailed, as
    getProfiles does (profileViewDetailed)."""
    view = {"did": f"did:plc:f{k}", "handle": f"f{k}.bsky.test", "displayName": "",
            "createdAt": "2025-01-01T00:00:00Z", "labels": []}
    if detailed:
        view.update({"displayName": f"Fan {k}", "description": f"fan number {k}",
                     "followersCount": 3 + 7 * k, "followsCount": 400 + k, "postsCount": 11 * k,
                     "createdAt": f"2024-0{k + 1}-15T00:00:00.000Z"})
        if k % 2 == 0:
            view["avatar"] = f"https://cdn.example/f{k}.jpg"
    return view


def _b_post(profile: dict, n: int, replies: int = 1) -> dict:
    text = f"Café ☕ nº{n} #kaffee und mehr @ben.bsky.test https://beans.example/{n}"
    data = text.encode()
    tag_start = data.index(b"#kaffee")
    men_start = data.index(b"@ben")
    link_start = data.index(b"https://")
    rkey = f"3k{profile['did'][8:11]}{n:04d}"
    return {
        "uri": f"at://{profile['did']}/app.bsky.feed.post/{rkey}", "cid": f"bafy{rkey}",
        "author": {k: profile[k] for k in ("did", "handle", "displayName", "avatar", "labels")},
        "record": {"$type": "app.bsky.feed.post", "text": text, "createdAt": iso(T0 - timedelta(hours=n)),
                   "langs": ["de"], "tags": ["Barista"],
                   "facets": [
                       {"index": {"byteStart": tag_start, "byteEnd": tag_start + len(b"#kaffee")},
                        "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "kaffee"}]},
                       {"index": {"byteStart": men_start, "byteEnd": men_start + len(b"@ben.bsky.test")},
                        "features": [{"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:ben000"}]},
                       {"index": {"byteStart": link_start, "byteEnd": len(data)},
                        "features": [{"$type": "app.bsky.richtext.facet#link", "uri": f"https://beans.example/{n}"}]}]},
        "replyCount": replies, "repostCount": 1, "likeCount": 5 + n, "quoteCount": 0,
        "indexedAt": iso(T0 - timedelta(hours=n)),
    }


@dataclass
class FaultMix:
    """Random faults at fixed rates, decided from (seed, request, attempt): the n-th request
    for a URL meets the same fault in every run, whatever the order of the others."""

    rate_5xx: float = 0.0
    rate_429: float = 0.0
    rate_malformed: float = 0.0   # a 200 whose body is truncated JSON, or an HTML page
    rate_drop: float = 0.0        # the connection closed without an answer
    seed: int = 0
    retry_after: str = "0.05"
    html_429: bool = False        # a 429 as a proxy or CDN sends it: an HTML page
    # never faulted: the crawl's first request (its failure is a test of its own) and the login
    exempt: tuple = ("/robots.txt", "/api/v2/instance", "/api/v1/instance", "/xrpc/com.atproto.server.")
    attempts: dict = field(default_factory=dict)
    injected: dict = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def decide(self, method: str, path: str, query: str) -> tuple[str | None, random.Random]:
        key = f"{method} {path}?{query}"
        with self.lock:
            n = self.attempts[key] = self.attempts.get(key, 0) + 1
        rng = random.Random(f"{self.seed}|{key}|{n}")
        if path.startswith(self.exempt):
            return None, rng
        roll, acc = rng.random(), 0.0
        for rate, kind in ((self.rate_5xx, "5xx"), (self.rate_429, "429"), (self.rate_malformed, "malformed"),
                           (self.rate_drop, "drop")):
            acc += rate
            if roll < acc:
                with self.lock:
                    self.injected[kind] = self.injected.get(kind, 0) + 1
                return kind, rng
        return None, rng


class Fake:
    def __init__(self, extra: int = 0, faults: bool = True, latency: float = 0.0, rate_headers: bool = True,
                 broken: bool | None = None, mix: FaultMix | None = None, hostile: list[str] | None = None,
                 html_site: bool = False):
        self.m_people = mastodon_population(extra)
        self.b_people = bluesky_population(extra)
        self.m_fans_opted_out: set[int] = set()  # fan{k} with indexable: false (Mastodon 4.6's default)
        self.faults = faults
        # hank's statuses are an HTML error page and zed's lookup lacks its id, every time
        self.broken = faults if broken is None else broken
        self.mix = mix
        self.hostile = hostile or []  # other origins the server points the crawler at
        self.html_site = html_site    # a web site, not an API: HTML for every path
        self.latency = latency
        self.rate_headers = rate_headers
        self.log: list[dict] = []
        self.hits: dict[str, int] = {}
        self.lock = threading.Lock()
        self.hidden_feeds = False
        self.instance_html_first = 0  # how many times /api/v2/instance first answers 200 with a proxy's HTML page
        self.robots: str | None = None  # a robots.txt to serve (None: 404, no rules)
        self.robots_failing: str | None = None  # robots.txt answers "503" or "drop"s the connection, every time
        self.domain: str | None = None  # the instance's domain (None: the host it is served from)
        self.reject_search = None  # (status, body): how the AppView answers a good proxied searchPosts
        # the PDS: the live tokens, every token issued, the calls of each session method
        self.access, self.refresh = BSKY_TOKEN, BSKY_REFRESH
        self.issued = [BSKY_TOKEN, BSKY_REFRESH]
        self.session_calls: dict[str, int] = {}
        self.appview_did = APPVIEW_DID
        self.expire_on_pages: set[int] = set()  # searchPosts offsets at which the access token expires (once)
        self.refuse_refresh = False  # refreshSession answers 400 ExpiredToken (the refresh token is spent)
        # searchPosts offset -> how many more times it answers ExpiredToken, whatever the token
        self.refuse_on_pages: dict[int, int] = {}
        # None: the tokens are plain strings; else JWT-shaped, their exp this many seconds after
        # they are issued by this machine's clock (negative: run out already, as for a request
        # that waited in the crawl's queue longer than its token lives)
        self.token_lifetime: float | None = None
        # errors (4xx, 5xx) gzipped with Content-Encoding, when the client accepts gzip, as a proxy
        # in front of a PDS (nginx's gzip_types application/json) sends them
        self.gzip_errors = False
        # alice's statuses: this body, gzipped (a decompression bomb) or not (a huge answer)
        self.bomb: bytes | None = None
        self.bomb_gzipped = True
        self.mislabelled_429 = False  # a 429 says Content-Encoding: gzip but comes plain (a proxy's own page)
        self.profiles_asked: list[list[str]] = []  # the actors of each getProfiles answered
        self.fail_follower_profiles = False  # answer getProfiles for followers 503, always
        self.looping = False  # statuses', followers' and feeds' next page is the page asked (a stuck cursor)
        # every lookup but alice's says the limit is spent for a second (the crawl pauses the host);
        # alice's answers late, 429 with Retry-After 30, while others wait out that pause
        self.pause_then_close = False
        self.alice_retry_after = "1"
        self.refresh_429 = False  # refreshSession answers 429 RateLimitExceeded, Retry-After an hour  # the Retry-After of alice's first lookup (a 429)

    def hit(self, key: str) -> int:
        with self.lock:
            self.hits[key] = self.hits.get(key, 0) + 1
            return self.hits[key]

    # Mastodon
    def m_by_acct(self, acct: str) -> dict | None:
        for a in self.m_people:
            if a["acct"] == acct:
                return a
        return None

    def m_by_id(self, aid: str) -> dict | None:
        for a in self.m_people:
            if a["id"] == aid:
                return a
        return None

    def m_statuses_of(self, account: dict) -> list[dict]:
        base = int(account["id"]) * 100
        statuses = [_m_status(base + k, account, k, replies=(2 if k % 2 == 0 else 0)) for k in range(6)]
        reblogged = _m_status(base + 50, self.m_people[0], 50)
        statuses.insert(2, {**_m_status(base + 99, account, 99), "reblog": reblogged})
        return statuses

    def m_tag_statuses(self) -> list[dict]:
        out = []
        for n, account in enumerate(self.m_people):
            out.append(_m_status(900000 + n, account, n))
        # a reblog on the timeline: its booster is not an author here
        out.insert(3, {**_m_status(990000, self.m_people[0], 1), "reblog": _m_status(990001, self.m_people[2], 1)})
        return out


def _page(items: list, offset: int, limit: int):
    return items[offset:offset + limit], (offset + limit if offset + limit < len(items) else None)


class Handler(BaseHTTPRequestHandler):
    server_version = "fake/1"
    fake: Fake

    def log_message(self, *args):
        pass

    malformed: random.Random | None = None  # set for a request whose 200 body is to be spoiled

    def _send(self, status: int, body, headers: dict | None = None, raw: bytes | None = None,
              content_type: str = "application/json; charset=utf-8"):
        data = raw if raw is not None else json.dumps(body).encode()
        if self.malformed is not None and status == 200:
            if self.malformed.random() < 0.5:
                data = data[: max(1, len(data) // 2)]  # cut off mid-answer
            else:
                data, content_type = b"<html><body><h1>Bad gateway</h1></body></html>", "text/html"
        if status == 429 and self.fake.mislabelled_429:
            headers = {**(headers or {}), "Content-Encoding": "gzip"}
        elif status >= 400 and self.fake.gzip_errors and "gzip" in (self.headers.get("Accept-Encoding") or ""):
            data = gzip.compress(data)
            headers = {**(headers or {}), "Content-Encoding": "gzip"}
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _rate(self, mastodon: bool, remaining: int = 290, reset_in: float = 300) -> dict:
        if not self.fake.rate_headers:
            return {}
        reset = time.time() + reset_in
        if mastodon:
            return {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": str(remaining),
                    "X-RateLimit-Reset": datetime.fromtimestamp(reset, timezone.utc).isoformat().replace("+00:00", "Z")}
        return {"RateLimit-Limit": "3000", "RateLimit-Remaining": str(remaining * 10),
                "RateLimit-Reset": str(int(reset))}

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def _handle(self, method: str):
        fake = self.fake
        url = urlparse(self.path)
        q = parse_qs(url.query)
        fake.log.append({"t": time.monotonic(), "method": method, "path": url.path, "query": url.query,
                         "auth": self.headers.get("Authorization"), "ua": self.headers.get("User-Agent"),
                         "proxy": self.headers.get("atproto-proxy")})
        if fake.latency:
            time.sleep(fake.latency)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.malformed = None
        if fake.html_site:
            page = b"<!doctype html><html><head><title>Welcome</title></head><body>A blog</body></html>"
            return self._send(200 if url.path == "/" else 404, None, raw=page, content_type="text/html")
        if fake.mix is not None:
            kind, rng = fake.mix.decide(method, url.path, url.query)
            if kind == "drop":
                self.close_connection = True  # no answer at all
                return
            if kind == "5xx":
                return self._send(503, {"error": "Service Unavailable"})
            if kind == "429" and fake.mix.html_429:
                return self._send(429, None, {"Retry-After": fake.mix.retry_after},
                                  raw=b"<html><body><h1>429 Too Many Requests</h1></body></html>",
                                  content_type="text/html")
            if kind == "429":
                return self._send(429, {"error": "Too many requests"}, {"Retry-After": fake.mix.retry_after})
            if kind == "malformed":
                self.malformed = rng
        if url.path == "/robots.txt" and fake.robots_failing == "drop":
            self.close_connection = True  # no answer at all
            return
        if url.path == "/robots.txt" and fake.robots_failing == "503":
            return self._send(503, None, raw=b"<html><body>503 Service Unavailable</body></html>",
                              content_type="text/html")
        try:
            if url.path.startswith("/xrpc/"):
                return self._bluesky(method, url.path[6:], q, body)
            return self._mastodon(url.path, q)
        except BrokenPipeError:
            pass

    def _rotate(self):
        fake = self.fake
        n = len(fake.issued) // 2
        fake.access, fake.refresh = f"{BSKY_TOKEN}-{n}", f"{BSKY_REFRESH}-{n}"
        if fake.token_lifetime is not None:
            claims = {"scope": "com.atproto.access", "exp": int(time.time() + fake.token_lifetime)}
            payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
            fake.access = f"eyJhbGciOiJFUzI1NksifQ.{payload}.{fake.access}"
        fake.issued += [fake.access, fake.refresh]

    def _session(self) -> dict:
        return {"did": "did:plc:scout", "handle": BSKY_IDENTIFIER, "accessJwt": self.fake.access,
                "refreshJwt": self.fake.refresh, "active": True}

    def _link(self, path: str, cursor) -> dict:
        """Like Mastodon: the request's own parameters with the server's max_id (in hostile
        mode: on another origin, written absolute or protocol-relative)."""
        if cursor is None:
            return {}
        host = self.headers.get("Host")
        if self.fake.looping and "max_id" in self.path:  # the second page points at itself
            return {"Link": f'<http://{host}{self.path}>; rel="next"'}
        if self.fake.hostile:
            other = self.fake.hostile[len(path) % len(self.fake.hostile)]
            if path.endswith("/statuses"):
                other = "//" + other.split("://", 1)[1]  # protocol-relative
            return {"Link": f'<{other}{path}?max_id=opaque{cursor}&limit=2>; rel="next"'}
        params = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items() if k not in ("max_id", "min_id")}
        params["limit"] = "2"
        query = urlencode({**params, "max_id": f"opaque{cursor}"})
        return {"Link": f'<http://{host}{path}?{query}>; rel="next", '
                        f'<http://{host}{path}?min_id=zz>; rel="prev"'}

    def _mastodon(self, path: str, q: dict):
        fake = self.fake
        rate = self._rate(True)
        offset = int(q.get("max_id", ["opaque0"])[0].removeprefix("opaque"))
        limit = int(q.get("limit", ["40"])[0])
        if path == "/robots.txt":
            if fake.hostile:
                return self._send(302, None, {"Location": f"{fake.hostile[0]}/robots.txt"}, raw=b"")
            if fake.robots is not None:
                return self._send(200, {}, raw=fake.robots.encode(), content_type="text/plain")
            return self._send(404, {}, raw=b"", content_type="text/plain")
        if path == "/api/v2/instance":
            if fake.hit("instance_html") <= fake.instance_html_first:
                return self._send(200, None, raw=b"<html><body>502 Bad Gateway (cached)</body></html>",
                                  content_type="text/html")
            access = "authenticated" if fake.hidden_feeds else "public"
            # Its accounts' domain is the host it is served from, as on most instances (the
            # sandbox's differs: sandbox.example, as LOCAL_DOMAIN and WEB_DOMAIN can).
            domain = fake.domain or self.headers.get("Host")
            return self._send(200, {"domain": domain, "version": "4.5.0", "configuration": {"timelines_access": {
                "hashtag_feeds": {"local": access, "remote": access}}}}, rate)
        if path.startswith("/api/v1/timelines/tag/"):
            statuses = fake.m_tag_statuses()
            if fake.faults and offset > 0 and fake.hit(f"tag503:{offset}") == 1:
                return self._send(503, {"error": "busy"}, rate)
            page, nxt = _page(statuses, offset, min(limit, 4))
            return self._send(200, page, {**rate, **self._link(path, nxt)})
        if path == "/api/v1/accounts/lookup":
            acct = q.get("acct", [""])[0]
            account = fake.m_by_acct(acct)
            if account is None:
                return self._send(404, {"error": "Record not found"}, rate)
            if fake.pause_then_close and acct == "alice":
                time.sleep(0.3)
                fake.closed_at = time.monotonic()
                return self._send(429, {"error": "Too many requests"}, {"Retry-After": "30"})
            if fake.pause_then_close:
                return self._send(200, account, self._rate(True, 0, 1))
            if fake.faults and acct == "alice" and fake.hit("alice429") == 1:
                return self._send(429, {"error": "Too many requests"}, {**self._rate(True, 0, 1), "Retry-After": fake.alice_retry_after})
            if acct == "zed" and fake.broken:
                return self._send(200, {"username": "zed", "note": "no id, no acct"}, rate)
            if fake.hostile and acct == "carol@remote.example":  # "ask her home instance"
                return self._send(302, None, {"Location": f"{fake.hostile[-1]}/api/v1/accounts/lookup?acct=carol"},
                                  raw=b"")
            return self._send(200, account, rate)
        parts = path.strip("/").split("/")
        if len(parts) == 5 and parts[:3] == ["api", "v1", "accounts"]:
            account = fake.m_by_id(parts[3])
            if account is None:
                return self._send(404, {"error": "Record not found"}, rate)
            if parts[4] == "statuses":
                if account["username"] == "alice" and fake.bomb is not None:
                    return self._send(200, None, {**rate, **({"Content-Encoding": "gzip"} if fake.bomb_gzipped else {})},
                                      raw=fake.bomb)
                if account["username"] == "hank" and fake.broken:
                    return self._send(200, None, rate, raw=b"<html><body>We're sorry, but something went wrong</body></html>",
                                      content_type="text/html")
                statuses = fake.m_statuses_of(account)
                if q.get("exclude_reblogs", [""])[0] == "true":
                    statuses = [s for s in statuses if not s["reblog"]]
                    statuses.insert(2, {**_m_status(1, account, 98), "reblog": _m_status(2, account, 97)})  # servers differ
                page, nxt = _page(statuses, offset, min(limit, 3))
                return self._send(200, page, {**rate, **self._link(path, nxt)})
            if parts[4] == "followers":
                if account.get("hide_collections"):
                    return self._send(200, [], rate)
                followers = [_m_account(5000 + k, f"fan{k}", f"fan{k}@fans.example", k * 3,
                                        avatar="https://x/avatars/original/missing.png",
                                        indexable=k not in fake.m_fans_opted_out) for k in range(5)]
                page, nxt = _page(followers, offset, min(limit, 2))
                if account["username"] == "carol" and offset == 0:
                    rate = self._rate(True, remaining=5, reset_in=1.0)  # nearly spent: slow down
                return self._send(200, page, {**rate, **self._link(path, nxt)})
        if len(parts) == 5 and parts[:3] == ["api", "v1", "statuses"] and parts[4] == "context":
            sid = int(parts[3])
            if fake.hostile and sid % 4 == 0:
                return self._send(301, None, {"Location": f"{fake.hostile[0]}{path}"}, raw=b"")
            replier = _m_account(7000, "replier", "replier@else.example", 12)
            descendants = [{**_m_status(sid * 10 + k, replier, k), "in_reply_to_id": str(sid),
                            "content": f"<p>Great pick {k}!</p>", "tags": [], "mentions": []} for k in range(2)]
            return self._send(200, {"ancestors": [], "descendants": descendants}, rate)
        return self._send(404, {"error": "Not found"}, rate)

    def _bluesky(self, method: str, nsid: str, q: dict, body: bytes):
        fake = self.fake
        rate = self._rate(False)
        auth = self.headers.get("Authorization") or ""
        token = auth[7:] if auth.startswith("Bearer ") else None
        if nsid.startswith("com.atproto.server."):
            fake.session_calls[nsid[19:]] = fake.session_calls.get(nsid[19:], 0) + 1
        if nsid == "com.atproto.server.createSession" and method == "POST":
            try:
                creds = json.loads(body)
            except ValueError:
                creds = {}
            if creds.get("identifier") == BSKY_IDENTIFIER and creds.get("password") == BSKY_PASSWORD:
                if fake.session_calls["createSession"] > 1 or fake.token_lifetime is not None:
                    self._rotate()
                return self._send(200, self._session(), rate)
            return self._send(401, {"error": "AuthenticationRequired", "message": "Invalid identifier or password"}, rate)
        if nsid == "com.atproto.server.getSession":
            if token != fake.access:
                return self._send(400, {"error": "InvalidToken", "message": "Token could not be verified"}, rate)
            return self._send(200, {"did": "did:plc:scout", "handle": BSKY_IDENTIFIER, "active": True}, rate)
        if nsid == "com.atproto.server.refreshSession" and method == "POST":
            if fake.refresh_429:
                return self._send(429, {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
                                  {"Retry-After": "3600"})
            if fake.refuse_refresh or token != fake.refresh:
                return self._send(400, {"error": "ExpiredToken", "message": "Token has been revoked"}, rate)
            self._rotate()
            return self._send(200, self._session(), rate)
        if nsid == "com.atproto.server.deleteSession" and method == "POST":
            if token != fake.refresh:
                return self._send(400, {"error": "InvalidToken", "message": "Token could not be verified"}, rate)
            fake.access = fake.refresh = None
            return self._send(200, {}, rate)
        if nsid == "app.bsky.feed.searchPosts":
            proxy = self.headers.get("atproto-proxy")
            if token is None:
                return self._send(401, {"error": "AuthenticationRequired", "message": "Authentication Required"}, rate)
            if proxy is None:  # straight to the AppView: it cannot verify the PDS's token
                return self._send(401, {"error": "InvalidToken", "message": "Malformed token"}, rate)
            offset = int(q.get("cursor", ["0"])[0])
            if token == fake.access and offset in fake.expire_on_pages:
                fake.expire_on_pages.discard(offset)
                fake.access = None  # this access token has expired
            if fake.refuse_on_pages.get(offset):
                fake.refuse_on_pages[offset] -= 1
                return self._send(400, {"error": "ExpiredToken", "message": "Token has expired"}, rate)
            if token != fake.access:
                expired = token in fake.issued
                return self._send(400, {"error": "ExpiredToken" if expired else "InvalidToken",
                                        "message": "Token has expired" if expired else "Token could not be verified"},
                                  rate)
            if proxy != f"{fake.appview_did}#bsky_appview":
                return self._send(400, {"error": "InvalidRequest", "message": "could not resolve proxy did"}, rate)
            if fake.reject_search:
                return self._send(*fake.reject_search, rate)
            posts = [_b_post(p, k) for k, p in enumerate(fake.b_people)]
            page, nxt = _page(posts, offset, 3)
            out = {"posts": page, "hitsTotal": len(posts)}
            if nxt is not None:
                out["cursor"] = str(nxt)
            return self._send(200, out, rate)
        if nsid == "app.bsky.actor.getProfiles":
            if fake.faults and fake.hit("profiles429") == 1:
                return self._send(429, {"error": "RateLimitExceeded"}, {**self._rate(False, 0, 1), "Retry-After": "1"})
            actors = q.get("actors", [])
            if len(actors) > 25:
                return self._send(400, {"error": "InvalidRequest", "message": "too many actors"}, rate)
            if fake.fail_follower_profiles and any(a.startswith("did:plc:f") for a in actors):
                return self._send(503, {"error": "UpstreamFailure"}, rate)
            fake.profiles_asked.append(actors)
            found = [p for p in fake.b_people if p["did"] in actors]
            found += [b_follower(k, detailed=True) for k in range(B_FOLLOWERS)
                      if f"did:plc:f{k}" in actors and f"did:plc:f{k}" != B_FOLLOWER_GONE]
            return self._send(200, {"profiles": found}, rate)
        if nsid == "app.bsky.actor.getProfile":
            actor = q.get("actor", [""])[0]
            for p in fake.b_people:
                if actor in (p["did"], p["handle"]):
                    return self._send(200, p, rate)
            return self._send(400, {"error": "InvalidRequest", "message": "Profile not found"}, rate)
        profile = next((p for p in fake.b_people if p["did"] == q.get("actor", [""])[0]), None)
        cursor = q.get("cursor", ["0"])[0]
        offset = int(cursor) if cursor.isdigit() else 10 ** 6  # a cursor this server did not give: the end
        if fake.hostile and nsid == "app.bsky.graph.getFollowers" and profile:
            return self._send(302, None, {"Location": f"{fake.hostile[0]}/xrpc/{nsid}?actor={profile['did']}"},
                              raw=b"")
        if nsid == "app.bsky.feed.getAuthorFeed" and profile:
            feed = [{"post": _b_post(profile, k, replies=1 if k < 2 else 0)} for k in range(5)]
            feed.insert(1, {"post": _b_post(fake.b_people[1], 77),
                            "reason": {"$type": "app.bsky.feed.defs#reasonRepost", "by": profile}})
            page, nxt = _page(feed, offset, 4)
            out = {"feed": page}
            if nxt is not None:
                out["cursor"] = f"{fake.hostile[0]}/xrpc/{nsid}?cursor={nxt}" if fake.hostile else str(nxt)
                if fake.looping and offset:
                    out["cursor"] = cursor  # the same cursor again
            return self._send(200, out, rate)
        if nsid == "app.bsky.feed.getPostThread":
            uri = q.get("uri", [""])[0]
            replier = _b_profile("rep", 9)
            reply = {"$type": "app.bsky.feed.defs#threadViewPost",
                     "post": {**_b_post(replier, 1), "uri": uri + "-r1", "record": {
                         "text": "so good ✨", "createdAt": iso(T0), "$type": "app.bsky.feed.post"}}, "replies": [
                         {"$type": "app.bsky.feed.defs#threadViewPost",
                          "post": {**_b_post(replier, 2), "uri": uri + "-r2", "record": {
                              "text": "agreed", "createdAt": iso(T0), "$type": "app.bsky.feed.post"}}},
                         {"$type": "app.bsky.feed.defs#notFoundPost", "uri": uri + "-gone", "notFound": True}]}
            return self._send(200, {"thread": {"$type": "app.bsky.feed.defs#threadViewPost",
                                               "post": {"uri": uri}, "replies": [reply]}}, rate)
        if nsid == "app.bsky.graph.getFollowers" and profile:
            followers = [b_follower(k) for k in range(B_FOLLOWERS)]
            page, nxt = _page(followers, offset, 2)
            out = {"subject": profile, "followers": page}
            if nxt is not None:
                out["cursor"] = cursor if fake.looping and offset else str(nxt)
            return self._send(200, out, rate)
        return self._send(400, {"error": "InvalidRequest", "message": f"unknown {nsid}"}, rate)


class FakeServer:
    def __init__(self, host: str = "127.0.0.1", **kwargs):
        self.fake = Fake(**kwargs)
        handler = type("BoundHandler", (Handler,), {"fake": self.fake})
        self.httpd = ThreadingHTTPServer((host, 0), handler)
        self.httpd.daemon_threads = True
        self.url = f"http://{host}:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> "FakeServer":
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

    @property
    def log(self) -> list[dict]:
        return self.fake.log
