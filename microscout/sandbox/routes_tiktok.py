"""TikTok Research API endpoints of the sandbox, under /v2/: (status, body, headers) out, no HTTP plumbing.

- ``POST /v2/oauth/token/`` (form: client_key, client_secret, grant_type=client_credentials)
- ``POST /v2/research/video/query/`` (hashtag_name IN, username EQ/IN; cursor, search_id, has_more)
- ``POST /v2/research/user/info/``, ``/user/followers/``, ``/video/comment/list/``

State, in ``app.platform_state["tiktok"]`` (tests may set the first four):
``clients`` {client_key: client_secret} accepted (default CLIENT_KEY/CLIENT_SECRET);
``token_lifetime`` seconds a token works (default 7200) and ``announced_lifetime`` the
``expires_in`` the token answer gives (default: the same; larger = tokens that die early);
``token_uses`` how many research calls a token answers before it dies (default: no limit;
expiry that does not depend on the machine's speed);
``rate_limited`` how many of the next research calls answer 429 rate_limit_exceeded;
``refuse_cursor`` how many of the next video/query pages past the first answer
invalid_params "Invalid count or cursor" (as the real API does now and then, mid-pagination);
``refuse_users`` {username: message} and ``refuse_tags`` {hashtag: message}: user/info of
that user, or every video/query of that hashtag, answers 400 invalid_params with the message
(a refusal that is not about the account, or a query the API will never take);
``daily_quota`` research calls a "day" allows (default: no limit): past it every research
call answers 429 rate_limit_exceeded with the same words as the short limit (TikTok's
documented answer does not tell them apart); ``quota_used`` counts them (set it to 0 for
"the next day", after 00:00 UTC);
``withheld`` {video or comment id as a string}: videos video/query (comments
video/comment/list) leaves out of its pages, as the real API does with deleted or withheld
ones: the page comes back short (or empty) while its cursor still moves by max_count and
has_more says more follow;
``endless`` (a fault): video/query answers ``has_more`` true past the end of its results,
so the pages after it come back empty with more announced for ever, as a misbehaving server;
``endless_comments`` (a fault): video/comment/list does the same past the end of a video's
comments (with ``withheld``, before it too: empty pages with has_more for ever);
``tokens`` {token: issued at}; ``calls`` {endpoint: count}.
user/followers pages by time, as the real endpoint does: its ``cursor`` is a Unix timestamp
(followers who followed on or before it; by default the time of the request), not an index.
Opted-out people are private accounts here: user/info and user/followers refuse them and
their videos are in no search.
"""
from __future__ import annotations

import bisect
import hashlib
import json
import time
from datetime import datetime, timezone
from urllib.parse import parse_qs

from microscout.sandbox import ids
from microscout.sandbox import tiktok_wire as wire
from microscout.sandbox.clock import DAY
from microscout.sandbox.index import PostIndex

PREFIX = "/v2/"
CLIENT_KEY, CLIENT_SECRET = "sandbox-tiktok-client", "sandbox-tiktok-secret"
LIFETIME = 7200
MAX_COUNT = 100
MAX_DAYS = 30
FOLLOW_STEP = 3_600  # seconds between two follows of a listed follower (user/followers' time cursor)
INVALID_TOKEN = "The access token is invalid or not found in the request."
RATE_LIMITED = "API rate limit was exceeded, please try again later."


def _state(app) -> dict:
    return app.platform_state.setdefault("tiktok", {})


def _index(app) -> PostIndex:
    state = _state(app)
    if "index" not in state:
        state["index"] = PostIndex(app.pop, None, keywords=False)  # every person, projected onto TikTok
    return state["index"]


def route(app, method: str, path: str, query: dict, body: bytes, headers: dict):
    """The answer to a request under PREFIX, or None for any other path."""
    if not path.startswith(PREFIX):
        return None
    state = _state(app)
    with app._lock:
        state.setdefault("calls", {})[path] = state.setdefault("calls", {}).get(path, 0) + 1
    if path == "/v2/oauth/token/":
        return token(app, method, body)
    handler = ROUTES.get(path)
    if handler is None:
        return 404, wire.error("not_found", f"{path} is not an endpoint of the Research API"), {}
    if method != "POST":
        return 405, wire.error("invalid_params", "The request method must be POST."), {}
    if not _authorized(app, headers.get("authorization", "")):
        return 401, wire.error("access_token_invalid", INVALID_TOKEN), {}
    with app._lock:
        if state.get("rate_limited", 0) > 0:
            state["rate_limited"] -= 1
            # Retry-After: the server's X-RateLimit-Reset is its whole-window reset (minutes away)
            return 429, wire.error("rate_limit_exceeded", RATE_LIMITED), {"Retry-After": "1"}
        quota = state.get("daily_quota")
        if quota is not None:
            if state.get("quota_used", 0) >= quota:
                return 429, wire.error("rate_limit_exceeded", RATE_LIMITED), {"Retry-After": "1"}
            state["quota_used"] = state.get("quota_used", 0) + 1
    try:
        payload = json.loads(body or b"{}")
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        return 400, wire.error("invalid_params", "The request body must be a JSON object."), {}
    fields = [f for f in (query.get("fields") or [""])[0].split(",") if f]
    return handler(app, payload, fields)


def token(app, method: str, body: bytes):
    if method != "POST":
        return 405, {"error": "invalid_request", "error_description": "The request method must be POST."}, {}
    form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
    state = _state(app)
    clients = state.get("clients") or {CLIENT_KEY: CLIENT_SECRET}
    if form.get("grant_type") != "client_credentials":
        return 400, {"error": "invalid_grant", "error_description": "Grant type is invalid.",
                     "log_id": wire.log_id("grant")}, {}
    key = form.get("client_key", "")
    if key not in clients or clients[key] != form.get("client_secret"):
        return 401, {"error": "invalid_client", "error_description": "Client key or secret is incorrect.",
                     "log_id": wire.log_id("client")}, {}
    issued = "clt." + hashlib.sha256(f"{key}:{time.time()}:{len(state.get('tokens', {}))}".encode()).hexdigest()[:40]
    lifetime = state.get("token_lifetime", LIFETIME)
    with app._lock:
        state.setdefault("tokens", {})[issued] = time.time()
    return 200, {"access_token": issued, "expires_in": int(state.get("announced_lifetime", lifetime)),
                 "token_type": "Bearer"}, {}


def _authorized(app, header: str) -> bool:
    if not header.lower().startswith("bearer "):
        return False
    state = _state(app)
    token = header[7:].strip()
    issued = state.get("tokens", {}).get(token)
    if issued is None or time.time() - issued >= state.get("token_lifetime", LIFETIME):
        return False
    uses = state.get("token_uses")
    if uses is not None:  # a token that dies after so many calls: expiry a test can count on
        with app._lock:
            used = state.setdefault("uses", {})
            used[token] = used.get(token, 0) + 1
            return used[token] <= uses
    return True


def _invalid(message: str):
    return 400, wire.error("invalid_params", message), {}


def _count(payload: dict) -> int | None:
    count = payload.get("max_count", 20)
    return count if isinstance(count, int) and 0 < count <= MAX_COUNT else None


def _cursor(payload: dict) -> int | None:
    cursor = payload.get("cursor", 0)
    return cursor if isinstance(cursor, int) and cursor >= 0 else None


def _person(app, username):
    """(person, problem): the person with this username, or why user/info refuses it."""
    i = app.pop.index_of_username(username) if isinstance(username, str) and username else None
    p = app.pop.person(i) if i is not None else None
    if p is None or p.username != username:
        return None, _invalid(f"The user {username!r} does not exist.")
    if p.opt_out:
        return None, _invalid(f"The user {username!r} is private; the Research API serves public accounts only.")
    return p, None


def _day_bounds(app, start, end) -> tuple[int, int] | None:
    """The window as sandbox seconds [t0, t1), from YYYYMMDD dates (UTC)."""
    try:
        d0 = datetime.strptime(start, "%Y%m%d").replace(tzinfo=timezone.utc)
        d1 = datetime.strptime(end, "%Y%m%d").replace(tzinfo=timezone.utc)
    except (TypeError, ValueError):
        return None
    if d1 < d0 or (d1 - d0).days > MAX_DAYS:
        return None
    # clock.wall(t) = start + t - day*DAY, so t = wall - start + day*DAY
    shift = app.clock.day * DAY - app.clock.start
    return int(d0.timestamp() + shift), int(d1.timestamp() + DAY + shift)


def video_query(app, payload: dict, fields: list[str]):
    count, cursor = _count(payload), _cursor(payload)
    if count is None or cursor is None:
        return _invalid("Invalid count or cursor")
    window = _day_bounds(app, payload.get("start_date"), payload.get("end_date"))
    if window is None:
        return _invalid("start_date and end_date must be YYYYMMDD dates at most 30 days apart.")
    conditions = (payload.get("query") or {}).get("and") if isinstance(payload.get("query"), dict) else None
    if not isinstance(conditions, list) or not conditions:
        return _invalid("The query must have an 'and' list of conditions.")
    tags, users = [], []
    for cond in conditions:
        values = cond.get("field_values") if isinstance(cond, dict) else None
        if not isinstance(values, list) or cond.get("operation") not in ("IN", "EQ"):
            return _invalid("Each condition needs an operation (IN, EQ) and field_values.")
        if cond.get("field_name") == "hashtag_name":
            tags += [str(v).lstrip("#").lower() for v in values]
        elif cond.get("field_name") == "username":
            users += [str(v) for v in values]
        else:
            return _invalid(f"Field {cond.get('field_name')!r} is not supported by the sandbox.")
    refused = [(_state(app).get("refuse_tags") or {}).get(tag) for tag in tags]
    if any(refused):
        return _invalid(next(m for m in refused if m))
    with app._lock:
        if cursor and _state(app).get("refuse_cursor", 0) > 0:
            _state(app)["refuse_cursor"] -= 1
            return _invalid("Invalid count or cursor")
    query_key = json.dumps([conditions, payload.get("start_date"), payload.get("end_date")], sort_keys=True)
    search_id = str(int(hashlib.sha256(query_key.encode()).hexdigest()[:15], 16))
    if cursor and payload.get("search_id") not in (None, search_id):
        return _invalid("Invalid search_id")
    found = _videos(app, tags, users, window)
    # The cursor moves by max_count, whatever the page held (the real recording
    # video_query_page1.json: 27 videos, cursor 100, has_more): videos the API leaves out
    # (deleted, withheld) leave a page short, or empty, with more to come.
    withheld = _state(app).get("withheld") or set()
    page = [post for post in found[cursor:cursor + count] if str(post.id) not in withheld]
    videos = [wire.video(app.pop, post, app.clock, fields or ["id"]) for post in page]
    more = cursor + count < len(found) or bool(_state(app).get("endless"))
    return 200, wire.ok({"videos": videos, "cursor": cursor + count, "has_more": more, "search_id": search_id},
                        search_id), {}


def _videos(app, tags: list[str], users: list[str], window: tuple[int, int]) -> list:
    """The matching public posts in the window, newest first."""
    t0, t1 = window
    t1 = min(t1, app.clock.day * DAY + 1)  # nothing after the sandbox's now
    pop = app.pop
    posts = []
    if tags:
        lo, hi = ids.status_id(t0, 0, 0), ids.status_id(t1, 0, 0)
        index = _index(app)
        sids: set[int] = set()
        for tag in tags:
            terms = index.terms.get(tag, [])
            sids.update(terms[bisect.bisect_left(terms, lo):bisect.bisect_left(terms, hi)])
        for sid in sids:
            i, k = ids.parse_status_id(sid) or (-1, -1)
            post = pop.post_by_id(i, k)
            if post is not None and not pop.person(i).opt_out and (not users or pop.person(i).username in users):
                posts.append(post)
    else:
        for name in users:
            i = pop.index_of_username(name)
            if i is None or pop.person(i).username != name or pop.person(i).opt_out:
                continue
            posts += [post for post in pop.visible_posts(i, app.clock.day) if t0 <= post.t < t1]
    return sorted(posts, key=lambda post: post.id, reverse=True)


def user_info(app, payload: dict, fields: list[str]):
    message = (_state(app).get("refuse_users") or {}).get(payload.get("username"))
    if message:
        return _invalid(message)
    p, problem = _person(app, payload.get("username"))
    if problem:
        return problem
    return 200, wire.ok(wire.user_info(app.pop, p, app.clock, app.url, fields or ["display_name"]), p.username), {}


def follow_times(app, listed) -> list[int]:
    """When each listed follower (newest first) followed, in Unix seconds: the newest a
    minute before the sandbox's now, each one FOLLOW_STEP before the next."""
    newest = int(app.clock.wall(app.clock.day * DAY)) - 60
    return [newest - j * FOLLOW_STEP for j in range(len(listed))]


def user_followers(app, payload: dict, fields: list[str]):
    """The docs: ``cursor`` is a Unix timestamp (UTC seconds), "followers followed on or before
    this time will be returned", by default the time of the request; the answer's cursor is
    the next page's. So a cursor of 0 gives no follower at all."""
    count = _count(payload)
    cursor = payload.get("cursor", int(time.time()))
    if count is None or isinstance(cursor, bool) or not isinstance(cursor, int) or cursor < 0:
        return _invalid("Invalid count or cursor")
    p, problem = _person(app, payload.get("username"))
    if problem:
        return problem
    listed = app.pop.follower_indexes(p, app.clock.day)  # empty when the person hides them
    times = follow_times(app, listed)
    start = bisect.bisect_left([-t for t in times], -cursor)  # the first followed on or before cursor
    page = listed[start:start + count]
    rows = [wire.follower(app.pop.follower(p, m)) for m in page]
    more = start + count < len(listed)
    return 200, wire.ok({"user_followers": rows, "cursor": times[start + len(rows) - 1] - 1 if rows else cursor,
                         "has_more": more}, f"{p.username}:{cursor}"), {}


def comment_list(app, payload: dict, fields: list[str]):
    count, cursor = _count(payload), _cursor(payload)
    if count is None or cursor is None:
        return _invalid("Invalid count or cursor")
    video_id = payload.get("video_id")
    where = ids.parse_status_id(video_id) if isinstance(video_id, int) else None
    post = app.pop.post_by_id(*where) if where else None
    if post is None or post.t > app.clock.day * DAY or app.pop.person(post.i).opt_out:
        return _invalid(f"The video {video_id!r} does not exist or is not public.")
    replies = app.pop.replies(post, app.clock.day)
    # The docs: the API may return fewer comments than max_count (comments deleted by users,
    # etc.) with more to come; the cursor is an index and moves by max_count.
    withheld = _state(app).get("withheld") or set()
    page = [r for r in replies[cursor:cursor + count] if str(r.id) not in withheld]
    rows = [wire.comment(r, post, app.clock, fields or ["id"]) for r in page]
    more = cursor + count < len(replies) or bool(_state(app).get("endless_comments"))
    return 200, wire.ok({"comments": rows, "cursor": cursor + count, "has_more": more},
                        f"{video_id}:{cursor}"), {}


ROUTES = {
    "/v2/research/video/query/": video_query,
    "/v2/research/user/info/": user_info,
    "/v2/research/user/followers/": user_followers,
    "/v2/research/video/comment/list/": comment_list,
}
