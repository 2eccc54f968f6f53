"""Mastodon REST endpoints: query in, (status, body, headers) out. No HTTP plumbing."""
from __future__ import annotations

from itertools import islice
from typing import Any, Callable
from urllib.parse import urlencode

from microscout.sandbox import ids
from microscout.sandbox import mastodon_wire as wire
from microscout.sandbox.population import Person

NOT_FOUND: tuple[int, dict, dict[str, str]] = (404, wire.error("Record not found"), {})


def _int(query: dict, name: str, default: int | None, top: int | None = None) -> int | None:
    raw = query.get(name, [None])[0]
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        return default
    return max(1, min(value, top)) if top else value


def _link(app, path: str, query: dict, first: str, last: str) -> dict:
    """Link header like Mastodon's: next by max_id, prev by min_id, other params kept."""
    keep = {k: v[0] for k, v in query.items() if k not in ("max_id", "min_id", "since_id")}
    nxt = urlencode({**keep, "max_id": last})
    prev = urlencode({**keep, "min_id": first})
    return {"Link": f'<{app.url}{path}?{nxt}>; rel="next", <{app.url}{path}?{prev}>; rel="prev"'}


def _person(app, account_id: str) -> Person | None:
    try:
        found = ids.classify_account_id(int(account_id))
    except ValueError:
        return None
    if not found or found[0] != "profile" or found[1] >= app.pop.size:
        return None
    p = app.pop.person(found[1])
    return p if p.platform == "mastodon" else None


def instance(app, query):
    return 200, wire.instance(app.url, app.rate_limit), {}


def tag_timeline(app, query, tag):
    limit = _int(query, "limit", 20, 40)
    max_id = _int(query, "max_id", None)
    local = query.get("local", ["false"])[0] in ("true", "1")

    def keep(sid: int) -> bool:
        parsed = ids.parse_status_id(sid)
        assert parsed is not None, sid  # the Mastodon index holds status ids only
        return not local or app.pop.person(parsed[0]).host == ids.LOCAL_DOMAIN

    found = app.mastodon_index.page([tag], app.clock.day, max_id, limit, keep)
    out = []
    for sid in found:
        i, k = ids.parse_status_id(sid)
        out.append(wire.status(app.pop, app.pop.post_by_id(i, k), app.clock, app.url))
    headers = _link(app, f"/api/v1/timelines/tag/{tag}", query, str(found[0]), str(found[-1])) if found else {}
    return 200, out, headers


def lookup(app, query):
    acct = query.get("acct", [""])[0]
    i = app.pop.index_of_username(acct)
    if i is None or app.pop.person(i).platform != "mastodon":
        return NOT_FOUND
    return 200, wire.account(app.pop, app.pop.person(i), app.clock, app.url), {}


def account(app, query, account_id):
    p = _person(app, account_id)
    if p:
        return 200, wire.account(app.pop, p, app.clock, app.url), {}
    try:
        found = ids.classify_account_id(int(account_id))
    except ValueError:
        found = None
    acc = app.pop.account(*found) if found and found[0] != "profile" else None
    if acc is None:
        return NOT_FOUND
    return 200, wire.other_account(acc, app.clock, app.url), {}


def statuses(app, query, account_id):
    p = _person(app, account_id)
    if p is None:
        return (200, [], {}) if account(app, query, account_id)[0] == 200 else NOT_FOUND
    limit = _int(query, "limit", 20, 40)
    max_id = _int(query, "max_id", None)
    posts = [x for x in app.pop.visible_posts(p.i, app.clock.day) if max_id is None or x.id < max_id][:limit]
    acct_json = wire.account(app.pop, p, app.clock, app.url)
    out = [wire.status(app.pop, x, app.clock, app.url, acct_json) for x in posts]
    headers = _link(app, f"/api/v1/accounts/{account_id}/statuses", query, out[0]["id"], out[-1]["id"]) if out else {}
    return 200, out, headers


def followers(app, query, account_id):
    p = _person(app, account_id)
    if p is None:
        return (200, [], {}) if account(app, query, account_id)[0] == 200 else NOT_FOUND
    limit = _int(query, "limit", 40, 80)
    max_id = _int(query, "max_id", None)
    # Pages go by follow-relation id (m + 1), not by account id: never guessable.
    found = (m for m in app.pop.follower_indexes(p, app.clock.day) if max_id is None or m + 1 < max_id)
    if p.remote or p.bridged:
        # A server lists the follows it holds (Follow.where(target_account: …)), and a follow
        # between two remote accounts is not held here: of a remote account's followers only
        # this instance's own users are listed. (Empty when it hides them, as for anyone.)
        found = (m for m in found if app.pop.follower(p, m).host == ids.LOCAL_DOMAIN)
    ms = list(islice(found, limit))
    out = [wire.other_account(app.pop.follower(p, m), app.clock, app.url) for m in ms]
    path = f"/api/v1/accounts/{account_id}/followers"
    headers = _link(app, path, query, str(ms[0] + 1), str(ms[-1] + 1)) if ms else {}
    return 200, out, headers


def _post_of(app, status_id):
    try:
        n = int(status_id)
    except ValueError:
        return None, None
    reply = ids.parse_reply_id(n)
    if reply:
        i, k, r = reply
        post = app.pop.post_by_id(i, k)
        if post and app.pop.person(i).platform == "mastodon":
            found = [x for x in app.pop.replies(post, app.clock.day) if x.r == r]
            return post, (found[0] if found else None)
        return None, None
    parsed = ids.parse_status_id(n)
    if not parsed:
        return None, None
    post = app.pop.post_by_id(*parsed)
    if not post or post.id != n or app.pop.person(post.i).platform != "mastodon" or \
            post.t > app.clock.day * 86_400:
        return None, None
    return post, None


def status(app, query, status_id):
    post, reply = _post_of(app, status_id)
    if reply:
        return 200, wire.reply_status(app.pop, reply, post, app.clock, app.url), {}
    if post:
        return 200, wire.status(app.pop, post, app.clock, app.url), {}
    return NOT_FOUND


def context(app, query, status_id):
    post, reply = _post_of(app, status_id)
    if post is None:
        return NOT_FOUND
    if reply:
        return 200, {"ancestors": [wire.status(app.pop, post, app.clock, app.url)], "descendants": []}, {}
    replies = app.pop.replies(post, app.clock.day)
    return 200, {"ancestors": [], "descendants": [
        wire.reply_status(app.pop, r, post, app.clock, app.url) for r in replies]}, {}


# (path pattern, handler of (app, query, *the pattern's {} parts))
ROUTES: list[tuple[str, Callable[..., Any]]] = [
    ("/api/v2/instance", instance),
    ("/api/v1/timelines/tag/{}", tag_timeline),
    ("/api/v1/accounts/lookup", lookup),
    ("/api/v1/accounts/{}/statuses", statuses),
    ("/api/v1/accounts/{}/followers", followers),
    ("/api/v1/accounts/{}", account),
    ("/api/v1/statuses/{}/context", context),
    ("/api/v1/statuses/{}", status),
]
