"""Fault injection and rate limiting: the sandbox misbehaves the way real servers do.

Faults are deterministic by request order: each request draws exactly one number from
a generator seeded with ``seed``, so the same request sequence meets the same faults.
``fail_first`` forces faults on chosen paths regardless of the rates, for tests:
``Faults(fail_first={"/api/v1/timelines/tag/": 2})`` fails the first two hashtag pages
with a 503; ``{"/xrpc/app.bsky.feed.searchPosts": (1, "429")}`` answers the first
search with a 429 (a "429" is the platform's own rate-limit answer: on a YouTube path a 429
rateLimitExceeded in Google's error format, on an Instagram path a 400 with the Graph API's
code 4; server.throttled), and ``(1, "throttle")`` as the server's per-client window does
when it is full (the same, but 403 userRateLimitExceeded on a YouTube path); ``(1, "html")``
answers the first matching request with a 200 HTML page (a proxy's or CDN's page in front of
the API, for once). ``slow`` delays chosen requests without failing them: a query that takes
the server longer (one hashtag's search, say), so that answers come back in another order
than they were asked: ``{"q=#plantbased": 1.0}`` answers every request whose decoded path
and query, or whose body, holds that text a second late.
"""
from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field

KINDS = ("429", "throttle", "5xx", "malformed", "drop", "html")


@dataclass
class Faults:
    latency: float = 0.0          # seconds added to every response
    rate_429: float = 0.0         # rate-limit answers, in each platform's words (server.throttled)
    retry_after: int = 1          # seconds: the 429's Retry-After (Instagram: its usage headers' minutes,
                                  # rounded up; YouTube gives no time, as Google's answers give none)
    rate_5xx: float = 0.0
    rate_malformed: float = 0.0   # truncated JSON, or an HTML error page (200 or 502)
    rate_drop: float = 0.0        # close the connection without answering
    seed: int = 0
    # path prefix -> n, or (n, kind): the first n matching requests fail that way.
    fail_first: dict[str, int | tuple[int, str]] = field(default_factory=dict)
    # text -> seconds: requests whose decoded path and query, or body, hold the text are
    # answered that much later (on top of latency); nothing else about them changes
    slow: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        total = self.rate_429 + self.rate_5xx + self.rate_malformed + self.rate_drop
        if not 0 <= total <= 1 or min(self.rate_429, self.rate_5xx, self.rate_malformed, self.rate_drop) < 0:
            raise ValueError(f"fault rates must be >= 0 and sum to at most 1 (got {total})")
        for prefix, spec in self.fail_first.items():
            kind = spec[1] if isinstance(spec, tuple) else "5xx"
            if kind not in KINDS:
                raise ValueError(f"fail_first[{prefix!r}]: kind must be one of {', '.join(KINDS)}")
        if any(not 0 <= seconds < 3600 for seconds in self.slow.values()):
            raise ValueError("slow: delays must be between 0 and 3600 seconds")


class FaultInjector:
    """Decides, per request and in arrival order, whether and how to misbehave."""

    def __init__(self, faults: Faults):
        self.faults = faults
        self._rng = random.Random(f"faults:{faults.seed}")
        self._forced = {p: (s if isinstance(s, tuple) else (s, "5xx")) for p, s in faults.fail_first.items()}
        self._seen: dict[str, int] = {}
        self._lock = threading.Lock()
        self.injected: dict[str, int] = {}

    def delay(self, target: str, body: bytes) -> float:
        """Seconds to hold a request back: the largest ``slow`` delay whose text it holds."""
        text = body.decode("utf-8", "replace") if body else ""
        return max((s for part, s in self.faults.slow.items() if part in target or part in text), default=0.0)

    def decide(self, path: str) -> tuple[str | None, random.Random]:
        """(kind or None, a generator for the fault's details) for the next request."""
        f = self.faults
        with self._lock:
            roll = self._rng.random()
            detail = random.Random(self._rng.random())
            kind = None
            for prefix, (n, forced) in self._forced.items():
                if path.startswith(prefix):
                    self._seen[prefix] = self._seen.get(prefix, 0) + 1
                    if self._seen[prefix] <= n:
                        kind = forced
                    break
            if kind is None:
                edges = ((f.rate_429, "429"), (f.rate_5xx, "5xx"), (f.rate_malformed, "malformed"),
                         (f.rate_drop, "drop"))
                acc = 0.0
                for rate, name in edges:
                    acc += rate
                    if roll < acc:
                        kind = name
                        break
            if kind:
                self.injected[kind] = self.injected.get(kind, 0) + 1
            return kind, detail


class RateLimiter:
    """A fixed window per client, like Mastodon's 300 requests / 5 minutes per IP."""

    def __init__(self, limit: int, window: float):
        self.limit, self.window = limit, window
        self._windows: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def hit(self, client: str) -> tuple[bool, int, float]:
        """(allowed, remaining, reset epoch seconds) after counting this request."""
        now = time.time()
        with self._lock:
            start, used = self._windows.get(client, (now, 0))
            if now >= start + self.window:
                start, used = now, 0
            used += 1
            self._windows[client] = (start, used)
        return used <= self.limit, max(self.limit - used, 0), start + self.window
