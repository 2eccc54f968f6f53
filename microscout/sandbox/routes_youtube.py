"""YouTube Data API v3 endpoints of the sandbox, under /youtube/v3/: (status, body, headers) out, no HTTP plumbing.

search, channels (id= and forHandle=), playlistItems, videos and commentThreads over the
whole population (youtube_wire). The API key is checked (``X-Goog-Api-Key`` header or
``key`` parameter; a wrong one gets the real 400 keyInvalid body) and every call is
charged to a per-key quota (search 100 units, the others 1): past
``app.platform_state["youtube"]["quota"]`` (default: large) the answer is the real 403
quotaExceeded body, as YouTube gives it until its day ends. Like Google, the sandbox
charges every call it answers with a valid key, a failed one too: the server calls
``charge_fault`` for the 5xx and rate-limit answers it gives before routing (its fault
injection and rate limit: Google's 429 rateLimitExceeded and 403 userRateLimitExceeded,
server.throttled); a dropped connection (no answer) is not charged. ``state["spent"][key]``
is what the key spent, ``state["calls"][endpoint]`` how many calls were charged.

``maxResults`` is ignored with ``id=`` (videos, channels), as the real API does: its docs
say the parameter "is not supported for use in conjunction with the id parameter" and
list no error for it.

``state["withheld"]`` {video id}: videos search.list leaves out of its pages (after paging,
so a page may be short or empty with a nextPageToken, as the real one's may).

``state["unavailable"]`` {video id}: private or deleted uploads. playlistItems still lists
them, as the real API lists a playlist's private and deleted videos ("Private video",
"Deleted video"), but videos.list leaves them out, as it does any video it cannot show, so
the videos.list answer for an uploads page may be short, or empty, with more uploads to come.

``state["referrer_keys"]`` {key}: valid keys restricted to HTTP referrers (browser keys), which
the real API refuses from a server with a 403 ``API_KEY_HTTP_REFERRER_BLOCKED`` ("Requests from
referer <empty> are blocked."), uncharged.

Faults a test may switch on in ``state``: ``stuck_token`` how many of the next search or
playlistItems pages past the first answer with the very pageToken they were asked with as their
nextPageToken (a stuck cursor: a misbehaving server, or a client that reads it wrong, would
ask for the same page for ever); ``endless_comments``: commentThreads gives a nextPageToken past
the end of a video's comment threads, so the pages after it come back empty with a next page
announced for ever, as a misbehaving server.
"""
from __future__ import annotations

import base64

from microscout.sandbox import ids
from microscout.sandbox import youtube_wire as wire
from microscout.sandbox.index import PostIndex

PREFIX = "/youtube/v3/"
API_KEY = "AIzaSyA-sandbox-0123456789-microscout-yt"
DEFAULT_QUOTA = 10**9
COST = {"search": 100, "channels": 1, "playlistItems": 1, "videos": 1, "commentThreads": 1}


def _state(app) -> dict:
    state = app.platform_state.setdefault("youtube", {})
    state.setdefault("spent", {})
    state.setdefault("calls", {})
    return state


def _index(app) -> PostIndex:
    state = _state(app)
    with app._lock:
        if "index" not in state:  # built once, on the first search (the whole population)
            state["index"] = PostIndex(app.pop, None, keywords=False)
    return state["index"]


def _arg(query: dict, name: str, default: str = "") -> str:
    return (query.get(name) or [default])[0]


def _limit(query: dict, default: int, top: int) -> int:
    try:
        return max(0, min(int(_arg(query, "maxResults", str(default))), top))
    except ValueError:
        return default


def _token(n: int) -> str:
    return base64.urlsafe_b64encode(f"sbx:{n}".encode()).decode().rstrip("=")


def _untoken(token: str) -> int | None:
    if not token:
        return None
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        return int(text.removeprefix("sbx:")) if text.startswith("sbx:") else None
    except ValueError:
        return None


def route(app, method: str, path: str, query: dict, body: bytes, headers: dict):
    """The answer to a request under PREFIX, or None for any other path."""
    if not path.startswith(PREFIX):
        return None
    endpoint = path[len(PREFIX):].strip("/")
    if endpoint not in COST or method != "GET":
        return 404, wire.error(404, "notFound", "Not Found", "global"), {}
    refused = _charge(app, endpoint, query, headers)
    if refused is not None:
        return refused
    return ENDPOINTS[endpoint](app, query)


def _charge(app, endpoint: str, query: dict, headers: dict):
    """Charge a call to its key's quota: None, or the answer that refuses it (no key, a
    wrong key, the quota spent: none of them is charged)."""
    state = _state(app)
    key = headers.get("x-goog-api-key") or _arg(query, "key")
    if not key:
        return wire.KEY_MISSING[0], wire.KEY_MISSING[1], {}
    if key not in state.get("keys", {API_KEY}):
        return wire.KEY_INVALID[0], wire.KEY_INVALID[1], {}
    if key in state.get("referrer_keys", ()):  # a browser key: refused from a server, not charged
        return wire.KEY_REFERRER_BLOCKED[0], wire.KEY_REFERRER_BLOCKED[1], {}
    with app._lock:
        spent = state["spent"].get(key, 0)
        if spent + COST[endpoint] > state.get("quota", DEFAULT_QUOTA):
            return wire.QUOTA_EXCEEDED[0], wire.QUOTA_EXCEEDED[1], {}
        state["spent"][key] = spent + COST[endpoint]
        state["calls"][endpoint] = state["calls"].get(endpoint, 0) + 1
    return None


def charge_fault(app, method: str, path: str, query: dict, headers) -> None:
    """A call the server answered with a fault (5xx, 429) before routing it: Google charges
    a failed call too, so its units are spent (for a YouTube call with a valid key)."""
    if not path.startswith(PREFIX) or method != "GET":
        return
    endpoint = path[len(PREFIX):].strip("/")
    if endpoint in COST:
        _charge(app, endpoint, query, {k.lower(): v for k, v in headers.items()})


def search(app, query):
    terms = [t.lstrip("#").lower() for t in _arg(query, "q").split() if t.strip("#")]
    limit = _limit(query, 5, 50)
    below = _untoken(_arg(query, "pageToken"))
    found = _index(app).page(terms, app.clock.day, below, limit) if terms and limit else []
    # Results are filtered after paging (withheld: video ids a test lists, as removed or
    # restricted videos are): a page comes back short, or empty, and its nextPageToken still
    # leads on, as the real search.list's pages do.
    withheld = _state(app).get("withheld") or set()
    items = []
    for sid in found:
        i, k = ids.parse_status_id(sid) or (0, 0)
        post = app.pop.post_by_id(i, k)
        if post is not None and wire.video_id(i, k) not in withheld:
            items.append(wire.search_result(post, app.clock, app.pop.person(i)))
    more = len(found) == limit and limit > 0
    return 200, wire.listing("search", items, limit, total=1_000_000 if more else len(items),
                             next_token=_following(app, query, _token(found[-1]) if more else None),
                             regionCode="US"), {}


def _following(app, query: dict, token: str | None) -> str | None:
    """A page's nextPageToken: the token it was asked with, while state["stuck_token"] says so
    (pages past the first that have a next one)."""
    asked = _arg(query, "pageToken")
    with app._lock:
        if asked and token and _state(app).get("stuck_token", 0) > 0:
            _state(app)["stuck_token"] -= 1
            return asked  # the page asked, again
    return token


def _person(app, i: int | None):
    return app.pop.person(i) if i is not None and 0 <= i < app.pop.size else None


def channels(app, query):
    people = []
    handle = _arg(query, "forHandle")
    if handle:
        name = handle.lstrip("@").lower()
        i = app.pop.index_of_username(name)
        p = _person(app, i)
        if p is not None and wire.custom_url(p) == "@" + name:
            people.append(p)
    else:
        for cid in _arg(query, "id").split(",")[:50]:
            p = _person(app, wire.channel_index(cid.strip()))
            if p is not None:
                people.append(p)
    items = [wire.channel(app.pop, p, app.clock) for p in people]
    out = wire.listing("channel", items, 5)
    if not items:
        del out["items"]  # YouTube leaves "items" out when nothing matched
    return 200, out, {}


def playlist_items(app, query):
    p = _person(app, wire.uploads_index(_arg(query, "playlistId")))
    if p is None:
        return wire.PLAYLIST_NOT_FOUND[0], wire.PLAYLIST_NOT_FOUND[1], {}
    # the real cap is 50 a page; tests lower it (state["playlist_page_cap"]) to page small channels
    limit = _limit(query, 5, _state(app).get("playlist_page_cap", 50))
    start = _untoken(_arg(query, "pageToken")) or 0
    posts = app.pop.visible_posts(p.i, app.clock.day)
    page = posts[start:start + limit]
    more = start + limit < len(posts)
    items = [wire.playlist_item(post, app.clock, p) for post in page]
    following = _following(app, query, _token(start + limit) if more else None)
    return 200, wire.listing("playlistItem", items, limit, total=len(posts), next_token=following,
                             prev_token=_token(max(start - limit, 0)) if start else None), {}


def _visible_post(app, video: str):
    found = wire.video_index(video.strip())
    if found is None or not 0 <= found[0] < app.pop.size:
        return None
    post = app.pop.post_by_id(*found)
    return post if post is not None and post.t <= app.clock.day * 86_400 else None


def videos(app, query):
    items = []
    unavailable = _state(app).get("unavailable") or set()
    for video in _arg(query, "id").split(",")[:50]:
        post = _visible_post(app, video) if video.strip() not in unavailable else None
        if post is not None:
            items.append(wire.video(app.pop, post, app.clock, app.pop.person(post.i)))
    return 200, wire.listing("video", items, len(items)), {}


def comment_threads(app, query):
    post = _visible_post(app, _arg(query, "videoId"))
    if post is None:
        return wire.VIDEO_NOT_FOUND[0], wire.VIDEO_NOT_FOUND[1], {}
    if wire.comments_disabled(post):
        return wire.COMMENTS_DISABLED[0], wire.COMMENTS_DISABLED[1], {}
    p = app.pop.person(post.i)
    replies = app.pop.replies(post, app.clock.day)
    if _arg(query, "order", "time") == "time":
        replies = list(reversed(replies))  # newest first
    # the real cap is 100 a page; tests lower it (state["comment_page_cap"]) to page small videos
    limit = _limit(query, 20, _state(app).get("comment_page_cap", 100))
    start = _untoken(_arg(query, "pageToken")) or 0
    page = replies[start:start + limit]
    more = start + limit < len(replies) or bool(_state(app).get("endless_comments"))
    items = [wire.comment_thread(r, post, app.clock, p) for r in page]
    return 200, wire.listing("commentThread", items, limit, next_token=_token(start + limit) if more else None), {}


ENDPOINTS = {"search": search, "channels": channels, "playlistItems": playlist_items, "videos": videos,
             "commentThreads": comment_threads}
