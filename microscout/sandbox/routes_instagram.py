"""Instagram Graph API endpoints of the sandbox, under /v21.0/: (status, body, headers) out, no HTTP plumbing.

    GET /v21.0/ig_hashtag_search?user_id=&q=          -> {"data": [{"id"}]}  (30 unique hashtags / 7 days)
    GET /v21.0/{hashtag-id}/top_media|recent_media     -> media, paged (paging.next carries access_token,
                                                          as the real API's does)
    GET /v21.0/{ig-user-id}?fields=business_discovery.username(NAME){...,media.limit(N).after(C){...}}
    GET /v21.0/{ig-user-id}/recently_searched_hashtags?limit=&fields=id,name
                                                       -> the hashtags searched in the last 7 days, from the
                                                          sandbox's own memory of searches (state["searched"])
    GET /v21.0/{hashtag-id}?fields=id,name             -> the IG Hashtag

Captions come as the real API serves them: mentions without their "@", and hashtag media
name no owner (instagram_wire.caption).

The token is read from ``Authorization: Bearer`` (or, as the real API also allows, from
``access_token=`` in the URL, which is counted in state["token_in_url"] so that tests can
check the crawler never does that). Every answer carries X-Business-Use-Case-Usage.

What tests may set in ``app.platform_state["instagram"]``: "tokens" (accepted tokens),
"expired" (tokens that have expired), "inject" (a list of errors served to the next
requests: "rate_limit", "permission", "bad_token"), "missing_permission" (every call answers
code 10 naming it), "busy" (the next N answers report 96 % usage), "regain" (minutes: the next "busy" answers
also say access comes back in that long, estimated_time_to_regain_access, as the real header
in shared/fixtures/instagram/response_headers_buc_usage.json says 20), "hashtag_limit" (30),
"calls_per_hour" (the usage header's 100 %), "searched" ({hashtag: when, in sandbox time
``now(app)``}: searches made "elsewhere" with the same account count too), "admin" (True:
captions keep their "@", as the API serves them to an admin of the creator's Page),
"withheld" (media ids business_discovery leaves out of its pages, as Meta's privacy filtering
does: the page comes back short and its cursor still leads on).
"""
from __future__ import annotations

import json
import re
import time
from urllib.parse import urlencode

from microscout.sandbox import ids
from microscout.sandbox import instagram_wire as wire
from microscout.sandbox.clock import DAY
from microscout.sandbox.index import PostIndex

PREFIX = "/v21.0/"
TOKEN = "sandbox-instagram-token"
WEEK = 7 * DAY
TOP_POOL = 200   # top_media ranks the newest this many media of a hashtag by engagement


def _state(app) -> dict:
    state = app.platform_state["instagram"]
    for key, default in (("tokens", {TOKEN}), ("expired", set()), ("inject", []), ("searched", {}),
                         ("hashtags", {}), ("calls", []), ("token_in_url", 0), ("busy", 0),
                         ("withheld", set())):
        if key not in state:
            state[key] = default
    return state


def now(app) -> float:
    """The sandbox's clock (wall time moved on by the days the sandbox was advanced)."""
    return time.time() + app.day * DAY


def _hashtag_id(state: dict, tag: str) -> str:
    """Hashtag ids are static and global: one per hashtag, given when first needed."""
    if tag not in state["hashtags"]:
        state["hashtags"][tag] = str(wire.HASHTAG_BASE + len(state["hashtags"]))
    return state["hashtags"][tag]


def _index(app) -> PostIndex:
    state = _state(app)
    if "index" not in state:
        state["index"] = PostIndex(app.pop, None, keywords=False)
    return state["index"]


def _usage_header(state: dict, now: float) -> dict:
    calls = [t for t in state["calls"] if t > now - 3600]
    state["calls"] = calls
    pct = min(100, len(calls) * 100 // max(1, state.get("calls_per_hour", 4800)))
    regain = 0
    if state["busy"] > 0:
        state["busy"] -= 1
        pct, regain = 96, state.get("regain", 0)
    usage = {wire.OWN_ACCOUNT: [{"type": "instagram", "call_count": pct, "total_cputime": max(0, pct - 2),
                                 "total_time": max(0, pct - 1), "estimated_time_to_regain_access": regain}]}
    return {"X-Business-Use-Case-Usage": json.dumps(usage, separators=(",", ":")),
            "X-App-Usage": json.dumps({"call_count": pct, "total_time": max(0, pct - 1),
                                       "total_cputime": max(0, pct - 2)}, separators=(",", ":"))}


def throttle_headers(minutes: int) -> dict:
    """The usage headers of an answer the rate limit refused (the server's window or an injected
    "429" fault, answered 400 with code 4 by server.throttled): every limit at 100 %, and access
    back in ``minutes``, estimated_time_to_regain_access, which the real header gives in minutes
    (response_headers_buc_usage.json says 20)."""
    usage = {wire.OWN_ACCOUNT: [{"type": "instagram", "call_count": 100, "total_cputime": 100, "total_time": 100,
                                 "estimated_time_to_regain_access": minutes}]}
    return {"X-Business-Use-Case-Usage": json.dumps(usage, separators=(",", ":")),
            "X-App-Usage": json.dumps({"call_count": 100, "total_time": 100, "total_cputime": 100},
                                      separators=(",", ":"))}


def route(app, method: str, path: str, query: dict, body: bytes, headers: dict):
    """The answer to a request under PREFIX, or None for any other path."""
    if not path.startswith(PREFIX):
        return None
    state = _state(app)
    now = time.time()
    state["calls"].append(now)
    q = {k: v[-1] for k, v in query.items()}
    status, payload = _answer(app, state, method, path[len(PREFIX):], q, headers)
    return status, payload, _usage_header(state, now)


def _answer(app, state: dict, method: str, rest: str, q: dict, headers: dict):
    auth = headers.get("authorization", "")
    token = auth[7:].strip() if auth.lower().startswith("bearer ") else None
    if "access_token" in q:
        state["token_in_url"] += 1
        token = token or q["access_token"]
    if not token:
        return 400, wire.no_token()
    if token in state["expired"]:
        return 400, wire.error(190, "Error validating access token: Session has expired.", subcode=463)
    if token not in state["tokens"]:
        return 400, wire.bad_token()
    if state["inject"]:
        kind = state["inject"].pop(0)
        return {"rate_limit": (400, wire.rate_limited()), "bad_token": (400, wire.bad_token()),
                "permission": (400, wire.missing_permission("instagram_basic"))}[kind]
    if state.get("missing_permission"):
        return 400, wire.missing_permission(state["missing_permission"])
    if method != "GET":
        return 400, wire.unsupported(rest)
    parts = rest.strip("/").split("/")
    if parts == ["ig_hashtag_search"]:
        return _hashtag_search(app, state, q)
    if len(parts) == 2 and parts[1] in ("top_media", "recent_media"):
        return _hashtag_media(app, state, parts[0], parts[1], q, headers, token)
    if parts == [wire.OWN_ACCOUNT] and q.get("fields", "").startswith("business_discovery"):
        return _discovery(app, q["fields"], state)
    if len(parts) == 2 and parts[1] == "recently_searched_hashtags":
        return _recently_searched(app, state, parts[0], q, headers, token)
    if len(parts) == 1 and parts[0] in state["hashtags"].values():
        tag = next(t for t, i in state["hashtags"].items() if i == parts[0])
        node = {"id": parts[0], "name": tag}
        return 200, {k: node[k] for k in ["id", *_fields(q.get("fields"))] if k in node}
    return 400, wire.unsupported(rest)


def _own(q: dict):
    if not q.get("user_id"):
        return 400, wire.error(100, "(#100) The parameter user_id is required")
    if q["user_id"] != wire.OWN_ACCOUNT:
        return 400, wire.unsupported(q["user_id"])
    return None


def _hashtag_search(app, state: dict, q: dict):
    refused = _own(q)
    if refused:
        return refused
    tag = (q.get("q") or "").strip().lstrip("#").lower()
    if not tag:
        return 400, wire.error(100, "(#100) The parameter q is required")
    # the 30-unique-hashtags-in-7-days limit, on the sandbox's clock
    at = now(app)
    recent = {t for t, when in state["searched"].items() if when > at - WEEK}
    if tag not in recent and len(recent) >= state.get("hashtag_limit", 30):
        return 400, wire.hashtag_limit()
    if tag not in recent:
        state["searched"][tag] = at
    hid = _hashtag_id(state, tag)  # remembered even when unknown: recently_searched_hashtags names it
    if tag not in _index(app).terms:
        return 200, {"data": []}
    return 200, {"data": [{"id": hid}]}


def _recently_searched(app, state: dict, user: str, q: dict, headers: dict, token: str):
    """The unique hashtags the account searched in the last 7 days (id by default; name when asked)."""
    if user != wire.OWN_ACCOUNT:
        return 400, wire.unsupported(f"{user}/recently_searched_hashtags")
    try:
        limit = max(1, min(30, int(q.get("limit", 25))))
    except ValueError:
        return 400, wire.error(100, "(#100) Param limit must be a number")
    offset = wire.uncursor(q.get("after"))
    if offset is None:
        return 400, wire.error(100, "(#100) Invalid cursor")
    at = now(app)
    recent = sorted((when, tag) for tag, when in state["searched"].items() if when > at - WEEK)
    fields = _fields(q.get("fields"))
    data = []
    for _, tag in recent[offset:offset + limit]:
        node = {"id": _hashtag_id(state, tag), "name": tag}
        data.append({k: node[k] for k in ["id", *fields] if k in node})
    body: dict = {"data": data}
    if offset + limit < len(recent):
        after = wire.cursor(offset + limit)
        query = {**q, "access_token": token, "limit": limit, "after": after}
        host = headers.get("host", "127.0.0.1")
        body["paging"] = {"cursors": {"after": after},
                          "next": f"http://{host}{PREFIX}{user}/recently_searched_hashtags?{urlencode(query)}"}
    return 200, body


def _fields(text: str | None) -> list[str]:
    return [f.strip() for f in (text or "id").split(",") if f.strip()]


def _hashtag_media(app, state: dict, hid: str, edge: str, q: dict, headers: dict, token: str):
    tag = next((t for t, i in state["hashtags"].items() if i == hid), None)
    if tag is None:
        return 400, wire.unsupported(hid)
    refused = _own(q)
    if refused:
        return refused
    try:
        limit = max(1, min(50, int(q.get("limit", 25))))
    except ValueError:
        return 400, wire.error(100, "(#100) Param limit must be a number")
    offset = wire.uncursor(q.get("after"))
    if offset is None:
        return 400, wire.error(100, "(#100) Invalid cursor")
    sids = _index(app).page([tag], app.day, None, TOP_POOL)
    posts = [post for post in (_post(app, sid) for sid in sids) if post is not None]
    if edge == "recent_media":  # the last 24 hours only
        posts = [post for post in posts if post.t > app.day * DAY - DAY]
    else:
        posts.sort(key=lambda post: -(post.likes + post.replies))
    page = posts[offset:offset + limit]
    fields = _fields(q.get("fields"))
    keep_at = bool(state.get("admin"))
    body: dict = {"data": [wire.media(app.pop, post, app.clock, fields, keep_at) for post in page]}
    if offset + limit < len(posts):
        after = wire.cursor(offset + limit)
        # like the real API: the next link repeats the query, the caller's token included
        query = {**q, "access_token": token, "limit": limit, "after": after}
        host = headers.get("host", "127.0.0.1")
        body["paging"] = {"cursors": {"after": after},
                          "next": f"http://{host}{PREFIX}{hid}/{edge}?{urlencode(query)}"}
    return 200, body


def _post(app, sid: int):
    parsed = ids.parse_status_id(sid)
    return app.pop.post_by_id(*parsed) if parsed else None


_DISCOVERY = re.compile(r"^business_discovery\.username\(([^)]*)\)\{(.*)\}$", re.S)
_MEDIA = re.compile(r"^media((?:\.\w+\([^)]*\))*)(?:\{(.*)\})?$", re.S)
_MODIFIER = re.compile(r"\.(\w+)\(([^)]*)\)")


def _split(text: str) -> list[str]:
    """Top-level comma-separated fields (commas inside braces belong to a sub-field)."""
    out, depth, start = [], 0, 0
    for pos, char in enumerate(text):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if char == "," and depth == 0:
            out.append(text[start:pos].strip())
            start = pos + 1
    out.append(text[start:].strip())
    return [f for f in out if f]


def _discovery(app, fields_param: str, state: dict):
    match = _DISCOVERY.match(fields_param.strip())
    if not match:
        return 400, wire.error(100, "(#100) Syntax error: expected business_discovery.username(NAME){fields}")
    name, inner = match.group(1).strip().lstrip("@"), match.group(2)
    person = wire.person_by_username(app.pop, name)
    if person is None or not wire.professional(person):
        return 400, wire.not_found(name)
    fields, media = [], None
    for field in _split(inner):
        found = _MEDIA.match(field)
        if found:
            media = (dict(_MODIFIER.findall(found.group(1) or "")), _fields(found.group(2)))
        else:
            fields.append(field)
    out = wire.user(app.pop, person, app.day, fields)
    if media is not None:
        modifiers, media_fields = media
        try:
            limit = max(1, min(50, int(modifiers.get("limit", 25))))
        except ValueError:
            return 400, wire.error(100, "(#100) Param limit must be a number")
        offset = wire.uncursor(modifiers.get("after"))
        if offset is None:
            return 400, wire.error(100, "(#100) Invalid cursor")
        posts = app.pop.visible_posts(person.i, app.day)
        # Media the API may not show (Meta: privacy filtering) leave a page short while the
        # cursor still moves by the limit: a short page is not the end.
        page = [post for post in posts[offset:offset + limit] if str(post.id) not in state["withheld"]]
        cursors = {"before": wire.cursor(offset)}
        if offset + limit < len(posts):
            cursors["after"] = wire.cursor(offset + limit)
        keep_at = bool(state.get("admin"))
        out["media"] = {"data": [wire.media(app.pop, post, app.clock, media_fields, keep_at) for post in page],
                        "paging": {"cursors": cursors}}
    return 200, {"business_discovery": out, "id": wire.OWN_ACCOUNT}
