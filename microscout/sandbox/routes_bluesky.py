"""Bluesky XRPC methods: query in, (status, body, headers) out. Cursors are opaque strings;
absent on the last page, as the lexicons say.

One port plays two servers, as on the real network:
- the AppView (app.bsky.*): public calls without a token. A bearer token sent to it
  directly is refused (401 InvalidToken "Malformed token": an AppView cannot verify a
  PDS's session), and searchPosts without a session answers 401 AuthenticationRequired.
- the PDS (com.atproto.server.* sessions, and app.bsky.* calls carrying
  ``atproto-proxy: <AppView DID>#bsky_appview`` with a valid access token, which it
  "proxies" to the AppView). Access tokens expire (``access_lifetime`` seconds of wall
  clock), refreshSession rotates both tokens, createSession is rate-limited per account.
"""
from __future__ import annotations

import base64
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any, Callable

from microscout.sandbox import bluesky_wire as wire
from microscout.sandbox import ids

# The one account that may log in (documented in the CLI's banner and the README).
IDENTIFIER = "scout.bsky.sandbox"
PASSWORD = "sandbox-app-password"
SCOUT_DID = ids.did(ids.DID_BRAND, 999)
APPVIEW_DID = "did:web:api.bsky.app"   # the AppView's DID the PDS proxies to
APPVIEW_SERVICE = "#bsky_appview"
ACCESS_LIFETIME = 7200.0               # 2 hours, like Bluesky's PDS
REFRESH_LIFETIME = 90 * 86400.0
LOGIN_LIMITS = ((30, 300.0), (300, 86400.0))  # createSession per account: 30 / 5 min, 300 / day


@dataclass
class Grant:
    """A token the PDS issued."""

    kind: str          # "access" or "refresh"
    expires: float     # epoch seconds
    revoked: bool = False


def _bad(message: str, name: str = "InvalidRequest", status: int = 400):
    return status, wire.error(name, message), {}


class _Params(Exception):
    """Parameters the lexicon refuses: 400 InvalidRequest "Invalid <nsid> params: ...",
    as the real AppView answers (it never clamps a limit)."""


def _int(query, name, default, top):
    raw = query.get(name, [default])[0]
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise _Params(f"Expected integer value type (got \"{raw}\")") from None
    if value > top:
        raise _Params(f"integer too big (maximum {top}, got {value})")
    if value < 1:
        raise _Params(f"integer too small (minimum 1, got {value})")
    return value


def _checked(nsid: str, func):
    def answer(app, query, *args):
        try:
            return func(app, query, *args)
        except _Params as exc:
            return _bad(f"Invalid {nsid} params: {exc}")
    return answer


def _offset(query) -> int:
    try:
        return max(0, int(query.get("cursor", ["0"])[0] or 0))
    except ValueError:
        return 0


def _jwt(kind: str, lifetime: float) -> str:
    # Shaped like a JWT (clients may decode the payload for its expiry); never verified
    # beyond "this server issued it".
    def part(obj):
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")
    now = time.time()
    payload = {"scope": kind, "sub": SCOUT_DID, "iat": int(now), "exp": int(now + lifetime)}
    return f"{part({'typ': 'at+jwt', 'alg': 'ES256K'})}.{part(payload)}.{secrets.token_urlsafe(32)}"


def _issue(app) -> dict:
    now = time.time()
    access = _jwt("com.atproto.access", app.access_lifetime)
    refresh = _jwt("com.atproto.refresh", REFRESH_LIFETIME)
    with app._lock:
        app.tokens[access] = Grant("access", now + app.access_lifetime)
        app.tokens[refresh] = Grant("refresh", now + REFRESH_LIFETIME)
    body = {"accessJwt": access, "refreshJwt": refresh, "handle": IDENTIFIER, "did": SCOUT_DID, "active": True}
    if app.account_status:
        body.update(active=False, status=app.account_status)
    return body


def verify(app, token: str | None, kind: str = "access"):
    """None when the token is a live one of this kind, else the PDS's error answer."""
    if not token:
        return _bad("Authentication Required", "AuthMissing", 401)
    grant = app.tokens.get(token)
    if grant is None or grant.kind != kind:
        return _bad("Token could not be verified", "InvalidToken")
    if grant.revoked:
        return _bad("Token has been revoked", "ExpiredToken")
    if grant.expires <= time.time():
        return _bad("Token has expired", "ExpiredToken")
    return None


def _count(app, method: str) -> None:
    with app._lock:
        app.session_calls[method] = app.session_calls.get(method, 0) + 1


def create_session(app, query, body, token=None):
    _count(app, "createSession")
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        return _bad("Request body must be JSON")
    if not isinstance(data, dict) or not data.get("identifier") or not data.get("password"):
        return _bad("Input must have the properties identifier, password")
    verdicts = [limiter.hit(str(data["identifier"]).lower()) for limiter in app.login_limiters]
    for (allowed, remaining, reset), limiter in zip(verdicts, app.login_limiters):
        if not allowed:
            headers = {"RateLimit-Limit": str(limiter.limit), "RateLimit-Remaining": str(remaining),
                       "RateLimit-Reset": str(int(reset)),
                       "RateLimit-Policy": f"{limiter.limit};w={int(limiter.window)}"}
            return 429, wire.error("RateLimitExceeded", "Rate Limit Exceeded"), headers
    if data["identifier"] not in (IDENTIFIER, SCOUT_DID) or data["password"] != PASSWORD:
        return _bad("Invalid identifier or password", "AuthenticationRequired", 401)
    if app.account_status == "takendown":
        return _bad("Account has been taken down", "AccountTakedown", 401)
    return 200, _issue(app), {}


def refresh_session(app, query, body, token=None):
    _count(app, "refreshSession")
    refused = verify(app, token, "refresh")
    if refused:
        return refused
    if app.account_status == "takendown":
        return _bad("Account has been taken down", "AccountTakedown", 401)
    with app._lock:
        app.tokens[token].revoked = True  # rotated: the old refresh token is spent
    return 200, _issue(app), {}


def delete_session(app, query, body, token=None):
    _count(app, "deleteSession")
    refused = verify(app, token, "refresh")
    if refused:
        return refused
    with app._lock:
        app.tokens[token].revoked = True
    return 200, {}, {}


def get_session(app, query, token=None):
    _count(app, "getSession")
    refused = verify(app, token, "access")
    if refused:
        return refused
    body = {"handle": IDENTIFIER, "did": SCOUT_DID, "active": True}
    if app.account_status:
        body.update(active=False, status=app.account_status)
    return 200, body, {}


def proxied(app, nsid: str, query, token: str | None, proxy: str):
    """The PDS's side of an app.bsky.* call with atproto-proxy: check the session and the
    proxy target, then answer as the AppView would for this viewer."""
    refused = verify(app, token, "access")
    if refused:
        return refused
    if app.account_status == "takendown":
        return _bad("Account has been taken down", "AccountTakedown", 401)
    if app.account_status == "deactivated":
        return _bad("Account is deactivated", "AccountDeactivated", 401)
    did, sep, service = proxy.partition("#")
    if not did:
        return _bad("no did specified in proxy header")
    if not sep or not service:
        return _bad("no service id specified in proxy header")
    if " " in proxy or "#" in service:
        return _bad("invalid proxy header format")
    if did != app.appview_did:
        return _bad("could not resolve proxy did")
    if f"#{service}" != APPVIEW_SERVICE:
        return _bad("could not resolve proxy did service url")
    if not app.appview_trusts_pds:  # an AppView on another network: it cannot verify this PDS
        return _bad("Malformed token", "InvalidToken", 401)
    func = GET[nsid]
    return func(app, query, SCOUT_DID) if nsid in NEEDS_VIEWER else func(app, query)


def _actor(app, actor: str):
    """A creator (Person) or a follower/pod account, by DID or handle."""
    parsed = ids.parse_did(actor) if actor.startswith("did:") else None
    if parsed:
        kind, a, b = parsed
        if kind == ids.DID_PROFILE and a < app.pop.size and app.pop.person(a).platform == "bluesky":
            return app.pop.person(a)
        if kind in (ids.DID_FOLLOWER, ids.DID_PODSTER):
            return app.pop.account("follower" if kind == ids.DID_FOLLOWER else "podster", a, b)
        return None
    i = app.pop.index_of_username(actor)
    if i is not None and app.pop.person(i).platform == "bluesky":
        return app.pop.person(i)
    return None


def _profile(app, who) -> dict:
    if hasattr(who, "archetype"):
        return wire.profile_detailed(app.pop, who, app.clock, app.url)
    return wire.account_view(who, app.clock, app.url, detailed=True)


def get_profile(app, query):
    who = _actor(app, query.get("actor", [""])[0])
    if who is None:
        return _bad("Profile not found")
    return 200, _profile(app, who), {}


def get_profiles(app, query):
    actors = query.get("actors", [])
    if len(actors) > 25:
        raise _Params(f"array too big (maximum 25, got {len(actors)})")
    found = [w for w in (_actor(app, a) for a in actors) if w is not None]
    return 200, {"profiles": [_profile(app, w) for w in found]}, {}


def search_posts(app, query, viewer=None):
    # Bluesky's AppView refuses anonymous search since 2025; a session reaches it only
    # through the PDS (see proxied()).
    if viewer is None:
        return _bad("Authentication Required", "AuthenticationRequired", 401)
    q = query.get("q", [""])[0]
    if "q" not in query:
        raise _Params('Missing required key "q"')
    words = [w.lower() for w in q.split()]
    terms = [w.lstrip("#") for w in words] + [t.lstrip("#").lower() for t in query.get("tag", [])]
    limit = _int(query, "limit", 25, 100)
    offset = _offset(query)
    found = app.bluesky_index.page(terms, app.clock.day, None, offset + limit + 1)
    page = found[offset:offset + limit]
    posts = []
    for sid in page:
        i, k = ids.parse_status_id(sid)
        posts.append(wire.post_view(app.pop, app.pop.post_by_id(i, k), app.clock, app.url))
    body = {"posts": posts, "hitsTotal": app.bluesky_index.count(terms, app.clock.day)}
    if len(found) > offset + limit:
        body = {"cursor": str(offset + limit), **body}
    return 200, body, {}


def author_feed(app, query):
    who = _actor(app, query.get("actor", [""])[0])
    if who is None:
        return _bad("Profile not found")
    limit = _int(query, "limit", 50, 100)
    offset = _offset(query)
    if not hasattr(who, "archetype"):
        return 200, {"feed": []}, {}
    posts = app.pop.visible_posts(who.i, app.clock.day)  # no replies among a creator's posts
    feed = [{"post": wire.post_view(app.pop, x, app.clock, app.url)} for x in posts[offset:offset + limit]]
    body = {"feed": feed}
    if offset + limit < len(posts):
        body = {"cursor": str(offset + limit), **body}
    return 200, body, {}


def followers(app, query):
    actor = query.get("actor", [""])[0]
    who = _actor(app, actor)
    if who is None:
        return _bad(f"Actor not found: {actor}")
    limit = _int(query, "limit", 50, 100)
    offset = _offset(query)
    if not hasattr(who, "archetype"):
        return 200, {"subject": _profile(app, who), "followers": []}, {}
    ms = list(app.pop.follower_indexes(who, app.clock.day))
    page = ms[offset:offset + limit]
    subject = wire.profile_basic(who, app.clock, app.url)
    body = {"subject": subject,
            "followers": [wire.account_view(app.pop.follower(who, m), app.clock, app.url) for m in page]}
    if offset + limit < len(ms):
        body = {"cursor": str(offset + limit), **body}
    return 200, body, {}


def post_thread(app, query):
    uri = query.get("uri", [""])[0]
    parts = uri.removeprefix("at://").split("/")
    if len(parts) != 3 or parts[1] != "app.bsky.feed.post":
        return _bad(f"Invalid uri: {uri}")
    who, n = _actor(app, parts[0]), ids.parse_tid(parts[2])
    parsed = ids.parse_status_id(n) if n is not None else None
    post = app.pop.post_by_id(*parsed) if parsed and hasattr(who, "archetype") and parsed[0] == who.i else None
    if post is None or post.id != n or post.t > app.clock.day * 86_400:
        return _bad(f"Post not found: {uri}", "NotFound")
    return 200, wire.thread(app.pop, post, app.clock, app.url), {}


GET: dict[str, Callable[..., Any]] = {nsid: _checked(nsid, func) for nsid, func in {
    "app.bsky.actor.getProfile": get_profile,
    "app.bsky.actor.getProfiles": get_profiles,
    "app.bsky.feed.searchPosts": search_posts,
    "app.bsky.feed.getAuthorFeed": author_feed,
    "app.bsky.graph.getFollowers": followers,
    "app.bsky.feed.getPostThread": post_thread,
}.items()}
NEEDS_VIEWER = {"app.bsky.feed.searchPosts"}
# The PDS's own methods: (status, body, headers) from (app, query, body, token) for POST,
# (app, query, token) for GET.
POST = {
    "com.atproto.server.createSession": create_session,
    "com.atproto.server.refreshSession": refresh_session,
    "com.atproto.server.deleteSession": delete_session,
}
PDS_GET = {"com.atproto.server.getSession": get_session}
