"""Bluesky XRPC methods (AppView + the PDS's createSession): query in, (status, body,
headers) out. Cursors are opaque strings; absent on the last page, as the lexicons say."""
from __future__ import annotations

import base64
import json
import secrets
import time

from microscout.sandbox import bluesky_wire as wire
from microscout.sandbox import ids

# The one account that may log in (documented in the CLI's banner and the README).
IDENTIFIER = "scout.bsky.sandbox"
PASSWORD = "sandbox-app-password"
SCOUT_DID = ids.did(ids.DID_BRAND, 999)


def _bad(message: str, name: str = "InvalidRequest", status: int = 400):
    return status, wire.error(name, message), {}


def _int(query, name, default, top):
    try:
        return max(1, min(int(query.get(name, [default])[0]), top))
    except ValueError:
        return default


def _offset(query) -> int:
    try:
        return max(0, int(query.get("cursor", ["0"])[0] or 0))
    except ValueError:
        return 0


def _jwt(kind: str) -> str:
    # Shaped like a JWT (clients may decode the payload for its expiry); never verified
    # beyond "this server issued it".
    def part(obj):
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")
    payload = {"scope": kind, "sub": SCOUT_DID, "iat": int(time.time()), "exp": int(time.time()) + 7200}
    return f"{part({'typ': 'at+jwt', 'alg': 'ES256K'})}.{part(payload)}.{secrets.token_urlsafe(32)}"


def create_session(app, query, body):
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        return _bad("Request body must be JSON")
    if not isinstance(data, dict) or not data.get("identifier") or not data.get("password"):
        return _bad("Input must have the properties identifier, password")
    if data["identifier"] not in (IDENTIFIER, SCOUT_DID) or data["password"] != PASSWORD:
        return _bad("Invalid identifier or password", "AuthenticationRequired", 401)
    access, refresh = _jwt("com.atproto.access"), _jwt("com.atproto.refresh")
    app.tokens.update({access: "access", refresh: "refresh"})
    return 200, {"accessJwt": access, "refreshJwt": refresh, "handle": IDENTIFIER, "did": SCOUT_DID,
                 "active": True}, {}


def refresh_session(app, query, body, token=None):
    if app.tokens.get(token or "") != "refresh":
        return _bad("Token could not be verified", "InvalidToken", 400)
    access, refresh = _jwt("com.atproto.access"), _jwt("com.atproto.refresh")
    app.tokens.update({access: "access", refresh: "refresh"})
    return 200, {"accessJwt": access, "refreshJwt": refresh, "handle": IDENTIFIER, "did": SCOUT_DID,
                 "active": True}, {}


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
        return _bad("actors must not have more than 25 elements")
    found = [w for w in (_actor(app, a) for a in actors) if w is not None]
    return 200, {"profiles": [_profile(app, w) for w in found]}, {}


def search_posts(app, query, token=None):
    # The public AppView refuses anonymous search since 2025: 403 without a token.
    if not token:
        return _bad("Search requires authentication; log in with createSession", "AuthenticationRequired", 403)
    if app.tokens.get(token) != "access":
        return _bad("Token could not be verified", "InvalidToken", 401)
    q = query.get("q", [""])[0]
    if not q:
        return _bad("Error: Params must have the property \"q\"")
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
    who = _actor(app, query.get("actor", [""])[0])
    if who is None:
        return _bad("Profile not found")
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


GET = {
    "app.bsky.actor.getProfile": get_profile,
    "app.bsky.actor.getProfiles": get_profiles,
    "app.bsky.feed.searchPosts": search_posts,
    "app.bsky.feed.getAuthorFeed": author_feed,
    "app.bsky.graph.getFollowers": followers,
    "app.bsky.feed.getPostThread": post_thread,
}
POST = {
    "com.atproto.server.createSession": create_session,
    "com.atproto.server.refreshSession": refresh_session,
}
NEEDS_TOKEN = {"app.bsky.feed.searchPosts", "com.atproto.server.refreshSession"}
