"""The sandbox HTTP server: Mastodon REST and Bluesky XRPC on one port, 127.0.0.1.

    with SandboxServer(size=400, seed=7) as sb:
        sb.url                       # http://127.0.0.1:PORT
        sb.advance(7)                # or POST /_sandbox/advance?days=7

URL layout: /api/v1/..., /api/v2/instance (Mastodon); /xrpc/<nsid> (Bluesky: the AppView
for public calls, the PDS for sessions and for calls carrying atproto-proxy, so
appview = pds = sb.url; see routes_bluesky); /robots.txt;
/_sandbox/state and POST /_sandbox/advance?days=N (control, never faulted or limited).
The server thread is a daemon and stops on exit, on ``stop()`` or after ``lifetime`` s.
"""
from __future__ import annotations

import gzip
import json
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from microscout.sandbox import (
    instagram_wire,
    routes_bluesky,
    routes_instagram,
    routes_mastodon,
    routes_tiktok,
    routes_youtube,
    tiktok_wire,
    youtube_wire,
)
from microscout.sandbox.clock import Clock
from microscout.sandbox.faults import FaultInjector, Faults, RateLimiter
from microscout.sandbox.index import DEFAULT_CAP, PostIndex
from microscout.sandbox.population import Population

ROBOTS = b"User-agent: *\nAllow: /api/\nAllow: /xrpc/\nDisallow: /_sandbox/\n"
MALFORMED_HTML = (b"<!DOCTYPE html><html><head><title>We're sorry, but something went wrong (500)</title>"
                  b"</head><body><h1>Something went wrong</h1></body></html>")


class SandboxServer:
    def __init__(self, size: int = 400, seed: int = 7, host: str = "127.0.0.1", port: int = 0,
                 faults: Faults | None = None, day: int = 0, rate_limit: int = 100_000,
                 rate_window: float = 300.0, lifetime: float | None = None, index_cap: int = DEFAULT_CAP,
                 access_lifetime: float = routes_bluesky.ACCESS_LIFETIME,
                 appview_did: str = routes_bluesky.APPVIEW_DID,
                 login_limits: tuple = routes_bluesky.LOGIN_LIMITS, gzip_min_bytes: int | None = 20):
        # The default limit is generous so a demo crawl never stalls; tests lower it.
        # Answers of at least gzip_min_bytes are gzipped for a client that accepts it, errors
        # too, as the real servers' proxies do (Mastodon's nginx.conf: gzip on, JSON among
        # its gzip_types, nginx's gzip_min_length 20); None never compresses.
        self.gzip_min_bytes = gzip_min_bytes
        self.pop = Population(size, seed)
        self.clock = Clock(day=day)
        self.faults = FaultInjector(faults or Faults())
        self.limiter = RateLimiter(rate_limit, rate_window)
        self.rate_limit, self.lifetime = rate_limit, lifetime
        # Bluesky sessions (the PDS's side): every token issued, the calls of each session
        # method, createSession's limits per account, and what tests may change: the
        # account's status (None, "takendown", "deactivated") and whether the AppView
        # accepts this PDS's proxied calls.
        self.tokens: dict[str, routes_bluesky.Grant] = {}
        self.access_lifetime = access_lifetime
        self.appview_did = appview_did
        self.session_calls: dict[str, int] = {}
        self.login_limiters = [RateLimiter(n, window) for n, window in login_limits]
        self.account_status: str | None = None
        self.appview_trusts_pds = True
        self.requests = 0
        # State of the API platforms' routes (quota spent, tokens issued, hashtags searched),
        # one dict per platform, owned by its routes module.
        self.platform_state: dict[str, dict] = {"youtube": {}, "instagram": {}, "tiktok": {}}
        self.mastodon_index = PostIndex(self.pop, "mastodon", keywords=False, cap=index_cap)
        self.bluesky_index = PostIndex(self.pop, "bluesky", keywords=True, cap=index_cap)
        self._lock = threading.Lock()
        self._httpd = _HTTPServer((host, port), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.app = self
        self._thread: threading.Thread | None = None
        self._timer: threading.Timer | None = None
        h, p = self._httpd.server_address[:2]
        assert isinstance(h, str)  # a TCP server's address is (host, port)
        self.host, self.port = h, p
        self.url = f"http://{h}:{p}"

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> "SandboxServer":
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="sandbox", daemon=True)
        self._thread.start()
        if self.lifetime:
            self._timer = threading.Timer(self.lifetime, self.stop)
            self._timer.daemon = True
            self._timer.start()
        return self

    def stop(self) -> None:
        if self._timer:
            self._timer.cancel()
        if self._thread and self._thread.is_alive():
            self._httpd.shutdown()
        self._httpd.server_close()

    def wait(self) -> None:
        """Block until stopped (by lifetime, stop() or KeyboardInterrupt in the caller)."""
        while self._thread and self._thread.is_alive():
            self._thread.join(0.5)

    def __enter__(self) -> "SandboxServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def advance(self, days: int) -> int:
        with self._lock:
            self.clock.day += days
            return self.clock.day

    @property
    def day(self) -> int:
        return self.clock.day

    # -- dispatch ----------------------------------------------------------------------------

    def dispatch(self, method: str, path: str, query: dict, body: bytes, token: str | None,
                 proxy: str | None = None, headers: dict | None = None):
        # The API platforms each answer their own path prefix (/youtube/v3/, /v21.0/, /v2/):
        # a route returns None for a path that is not its own.
        for routes in (routes_youtube, routes_instagram, routes_tiktok):
            answer = routes.route(self, method, path, query, body, headers or {})
            if answer is not None:
                return answer
        if path.startswith("/xrpc/"):
            nsid = path[len("/xrpc/"):]
            if method == "POST" and nsid in routes_bluesky.POST:
                return routes_bluesky.POST[nsid](self, query, body, token)
            if method == "GET" and nsid in routes_bluesky.PDS_GET:
                return routes_bluesky.PDS_GET[nsid](self, query, token)
            if method == "GET" and nsid in routes_bluesky.GET:
                if proxy is not None:  # the PDS, proxying for a logged-in user
                    return routes_bluesky.proxied(self, nsid, query, token, proxy)
                if token:  # the AppView cannot verify a PDS's session token
                    return 401, {"error": "InvalidToken", "message": "Malformed token"}, {}
                return routes_bluesky.GET[nsid](self, query)
            return 501, {"error": "MethodNotImplemented", "message": f"Method Not Implemented: {nsid}"}, {}
        if method != "GET":
            return 404, {"error": "Not found"}, {}
        for pattern, func in routes_mastodon.ROUTES:
            args = _match(pattern, path)
            if args is not None:
                return func(self, query, *args)
        return 404, {"error": "Not found"}, {}


def platform_of(path: str) -> str:
    """Whose API a path is: "youtube", "instagram", "tiktok", "bluesky" or "mastodon"."""
    if path.startswith("/xrpc/"):
        return "bluesky"
    for name, routes in (("youtube", routes_youtube), ("instagram", routes_instagram), ("tiktok", routes_tiktok)):
        if path.startswith(routes.PREFIX):
            return name
    return "mastodon"


def throttled(path: str, wait: int, window: bool = False) -> tuple[int, dict, dict]:
    """(status, body, headers of its own) of an answer refused for the rate limit (``window``:
    the server's per-client window, else an injected "429" fault), ``wait`` seconds before
    asking again, in the words of the platform whose path it is:

    - YouTube (Google's error format, no Retry-After, no X-RateLimit-*: Google says back off
      exponentially): the window, a per-client limit like Google's per-user one, answers 403
      userRateLimitExceeded; the fault 429 rateLimitExceeded (youtube_wire.RATE_LIMITED);
    - Instagram: 400 with the Graph API's code 4 (the body of
      shared/fixtures/instagram/error_rate_limit_4.json, no Retry-After), its usage headers at
      100 % with access back in ``wait`` rounded up to minutes (routes_instagram.throttle_headers);
    - TikTok: 429 in its error shape (that of shared/fixtures/tiktok/error_invalid_params.json,
      as its own rate limit answers), an AT Protocol server 429 RateLimitExceeded, Mastodon
      429 {"error": …}; these three with Retry-After."""
    platform = platform_of(path)
    if platform == "youtube":
        status, body = youtube_wire.USER_RATE_LIMITED if window else youtube_wire.RATE_LIMITED
        return status, body, {}
    if platform == "instagram":
        return 400, instagram_wire.rate_limited(), routes_instagram.throttle_headers(max(1, -(-wait // 60)))
    retry = {"Retry-After": str(wait)}
    if platform == "tiktok":
        return 429, tiktok_wire.error("rate_limit_exceeded", routes_tiktok.RATE_LIMITED), retry
    if platform == "bluesky":
        return 429, {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}, retry
    return 429, {"error": "Too many requests"}, retry


def server_error(path: str, code: int) -> dict:
    """The body of an injected 5xx: Google's error format on YouTube paths, the Graph API's
    (code 2) on Instagram's, else Mastodon's {"error": …} (as before, for TikTok and Bluesky too)."""
    platform = platform_of(path)
    if platform == "youtube":
        return youtube_wire.backend_error(code)
    if platform == "instagram":
        return instagram_wire.unexpected_error()
    return {"error": "Internal server error"}


def _match(pattern: str, path: str) -> list[str] | None:
    want, got = pattern.strip("/").split("/"), path.strip("/").split("/")
    if len(want) != len(got):
        return None
    args = []
    for w, g in zip(want, got):
        if w == "{}":
            args.append(unquote(g))
        elif w != g:
            return None
    return args


def _accepts_gzip(header: str | None) -> bool:
    """Whether an Accept-Encoding header takes gzip: named (or as ``*``) and not with q=0."""
    quality: dict[str, float] = {}
    for part in (header or "").split(","):
        name, _, params = part.partition(";")
        params = params.strip().lower()
        try:
            quality[name.strip().lower()] = float(params[2:]) if params.startswith("q=") else 1.0
        except ValueError:
            quality[name.strip().lower()] = 0.0
    for name in ("gzip", "x-gzip", "*"):
        if name in quality:
            return quality[name] > 0
    return False


class _HTTPServer(ThreadingHTTPServer):
    app: SandboxServer  # set by SandboxServer, read by every request's handler


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    protocol_version = "HTTP/1.1"  # keep-alive: crawlers reuse connections
    server_version = "microscout-sandbox/0.1"

    def log_message(self, *args) -> None:  # quiet: tests and the demo print their own
        pass

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def _serve(self, method: str) -> None:
        app: SandboxServer = self.server.app
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if path.startswith("/_sandbox/"):
            return self._control(app, method, path, query)
        if path == "/robots.txt":
            return self._send(200, ROBOTS, {"Content-Type": "text/plain"})
        with app._lock:
            app.requests += 1
        platform = platform_of(path)
        allowed, remaining, reset = app.limiter.hit(self.client_address[0])
        limits: dict[str, str] = {}  # YouTube and Instagram send no such headers (Instagram: its usage headers)
        if platform == "bluesky":
            limits = {"RateLimit-Limit": str(app.rate_limit), "RateLimit-Remaining": str(remaining),
                      "RateLimit-Reset": str(int(reset)),
                      "RateLimit-Policy": f"{app.rate_limit};w={int(app.limiter.window)}"}
        elif platform in ("mastodon", "tiktok"):
            stamp = datetime.fromtimestamp(reset, timezone.utc).isoformat(timespec="milliseconds")
            limits = {"X-RateLimit-Limit": str(app.rate_limit), "X-RateLimit-Remaining": str(remaining),
                      "X-RateLimit-Reset": stamp.replace("+00:00", "Z")}
        if app.faults.faults.latency:
            time.sleep(app.faults.faults.latency)
        held = app.faults.delay(unquote(self.path), body) if app.faults.faults.slow else 0.0
        if held:
            time.sleep(held)  # this request's thread only: the others are answered meanwhile
        if not allowed:
            routes_youtube.charge_fault(app, method, path, query, self.headers)  # answered: charged
            status, payload, own = throttled(path, max(1, int(reset - time.time() + 0.999)), window=True)
            return self._json(status, payload, {**limits, **own})
        fault, rng = app.faults.decide(path)
        if fault in ("429", "throttle", "5xx"):
            routes_youtube.charge_fault(app, method, path, query, self.headers)  # answered: charged
        if fault == "drop":
            self.close_connection = True
            return
        if fault in ("429", "throttle"):
            status, payload, own = throttled(path, app.faults.faults.retry_after, window=fault == "throttle")
            return self._json(status, payload, {**limits, **own})
        if fault == "5xx":
            code = rng.choice((500, 502, 503))
            return self._json(code, server_error(path, code), limits)
        auth = self.headers.get("Authorization", "")
        token = auth[7:].strip() if auth.lower().startswith("bearer ") else None
        try:
            status, payload, headers = app.dispatch(method, path, query, body, token,
                                                    self.headers.get("atproto-proxy"),
                                                    {k.lower(): v for k, v in self.headers.items()})
        except Exception as exc:  # a sandbox bug must still answer like a server
            status, payload, headers = 500, {"error": f"sandbox error: {exc!r}"}, {}
        if fault in ("malformed", "html"):
            style = rng.randrange(3) if fault == "malformed" else 1
            if style == 0:  # cut mid-document, still labelled JSON
                data = json.dumps(payload).encode()
                return self._send(200, data[:max(1, len(data) // 2)], {**limits, **headers,
                                  "Content-Type": "application/json; charset=utf-8"})
            return self._send(200 if style == 1 else 502, MALFORMED_HTML,
                              {**limits, "Content-Type": "text/html; charset=utf-8"})
        self._json(status, payload, {**limits, **headers})

    def _control(self, app: SandboxServer, method: str, path: str, query: dict) -> None:
        if path == "/_sandbox/advance" and method == "POST":
            try:
                days = int(query.get("days", ["1"])[0])
            except ValueError:
                return self._json(400, {"error": "days must be an integer"}, {})
            if days < 0:
                return self._json(400, {"error": "days must be >= 0 (time only moves forward)"}, {})
            app.advance(days)
        if path in ("/_sandbox/advance", "/_sandbox/state"):
            return self._json(200, {"day": app.day, "size": app.pop.size, "seed": app.pop.seed,
                                    "requests": app.requests, "faults": app.faults.injected}, {})
        self._json(404, {"error": "Not found"}, {})

    def _json(self, status: int, payload, headers: dict) -> None:
        data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        self._send(status, data, {"Content-Type": "application/json; charset=utf-8", **headers})

    def _send(self, status: int, data: bytes, headers: dict) -> None:
        least = self.server.app.gzip_min_bytes
        if least is not None and len(data) >= least and _accepts_gzip(self.headers.get("Accept-Encoding")):
            data = gzip.compress(data, compresslevel=1)
            headers = {**headers, "Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
