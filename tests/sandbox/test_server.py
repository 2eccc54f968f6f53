"""The server's wire format, fetched with urllib from a real SandboxServer on 127.0.0.1."""
import http.client
import json
import os
import re
import time
import urllib.error
import urllib.request
from datetime import datetime
from pathlib import Path

import pytest

from microscout.sandbox import IDENTIFIER, PASSWORD, Faults, SandboxServer
from microscout.sandbox import instagram_wire as wire_instagram
from microscout.sandbox.routes_bluesky import APPVIEW_DID


def fetch(base, path, data=None, headers=None, method=None):
    req = urllib.request.Request(base + path, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def get_json(base, path, **kw):
    status, headers, body = fetch(base, path, **kw)
    return status, headers, json.loads(body)


def next_link(headers):
    m = re.search(r'<([^>]+)>; rel="next"', headers.get("Link") or "")
    return m.group(1) if m else None


def session(base):
    body = json.dumps({"identifier": IDENTIFIER, "password": PASSWORD}).encode()
    status, _, data = get_json(base, "/xrpc/com.atproto.server.createSession", data=body,
                               headers={"Content-Type": "application/json"})
    assert status == 200
    return data


def login(base, did=APPVIEW_DID):
    """Headers of a logged-in call: the PDS's token, and the AppView the PDS proxies to."""
    return {"Authorization": f"Bearer {session(base)['accessJwt']}", "atproto-proxy": f"{did}#bsky_appview"}


def test_instance_says_hashtag_feeds_are_public_and_robots_allows_api(sandbox):
    status, headers, data = get_json(sandbox.url, "/api/v2/instance")
    assert status == 200 and data["domain"] == "sandbox.example"
    assert data["configuration"]["timelines_access"]["hashtag_feeds"] == {"local": "public", "remote": "public"}
    status, _, robots = fetch(sandbox.url, "/robots.txt")
    assert status == 200 and b"Allow: /api/" in robots and b"Allow: /xrpc/" in robots


def test_tag_timeline_pages_by_link_header_newest_first(sandbox):
    url, seen, pages = "/api/v1/timelines/tag/plantbased?limit=40", [], 0
    while url and pages < 100:
        status, headers, page = get_json(sandbox.url, url.replace(sandbox.url, ""))
        assert status == 200
        if not page:
            break
        assert len(page) <= 40
        seen += page
        url, pages = next_link(headers), pages + 1
        assert "max_id=" in url
    ids = [int(s["id"]) for s in seen]
    assert ids == sorted(ids, reverse=True) and len(ids) == len(set(ids)) > 40
    times = [s["created_at"] for s in seen]
    assert times == sorted(times, reverse=True)
    for s in seen:
        assert "plantbased" in [t["name"] for t in s["tags"]]
        assert 'class="mention hashtag"' in s["content"] and s["reblog"] is None
    # Opted-out accounts still appear on the timeline, with their flags.
    # (noindex: local accounts only, as a real server sends it)
    flags = [(s["account"].get("noindex", False), s["account"]["discoverable"], s["account"]["indexable"])
             for s in seen]
    assert any(f != (False, True, True) for f in flags)
    # Local accounts show a bare username; remote and bridged ones user@their-domain.
    from microscout.sandbox import ids

    for s in seen:
        acct = s["account"]["acct"]
        assert "@" not in acct or acct.split("@", 1)[1] in (ids.REMOTE_DOMAIN, ids.BRIDGE_DOMAIN), acct


def test_limit_is_capped_at_40(sandbox):
    _, _, page = get_json(sandbox.url, "/api/v1/timelines/tag/veganrecipes?limit=500")
    assert len(page) == 40


def test_account_statuses_followers_and_context(sandbox):
    _, _, page = get_json(sandbox.url, "/api/v1/timelines/tag/plantbased?limit=40")
    acct = next(s["account"] for s in page if s["account"]["followers_count"] > 200
                and not s["account"]["hide_collections"])
    status, _, looked = get_json(sandbox.url, f"/api/v1/accounts/lookup?acct={acct['acct']}")
    assert status == 200 and looked["id"] == acct["id"]
    status, _, again = get_json(sandbox.url, f"/api/v1/accounts/lookup?acct={acct['acct']}@sandbox.example")
    assert status == 200 and again["id"] == acct["id"]
    assert get_json(sandbox.url, "/api/v1/accounts/lookup?acct=nobody_here")[0] == 404
    _, _, one = get_json(sandbox.url, f"/api/v1/accounts/{acct['id']}")
    assert one["created_at"].endswith("T00:00:00.000Z") and one["note"].startswith("<p>")

    status, headers, posts = get_json(
        sandbox.url, f"/api/v1/accounts/{acct['id']}/statuses?limit=5&exclude_reblogs=true&exclude_replies=true")
    assert status == 200 and len(posts) == 5
    nxt = next_link(headers)
    _, _, more = get_json(sandbox.url, nxt.replace(sandbox.url, ""))
    assert int(more[0]["id"]) < int(posts[-1]["id"])

    status, headers, followers = get_json(sandbox.url, f"/api/v1/accounts/{acct['id']}/followers?limit=80")
    assert status == 200 and len(followers) == min(80, acct["followers_count"])
    nxt = next_link(headers)
    max_id = int(re.search(r"max_id=(\d+)", nxt).group(1))
    assert str(max_id) not in {f["id"] for f in followers}  # relation ids, not account ids
    follower = followers[0]
    assert {"followers_count", "following_count", "statuses_count", "avatar", "note", "created_at"} <= set(follower)
    assert get_json(sandbox.url, f"/api/v1/accounts/{follower['id']}")[2]["username"] == follower["username"]

    post = max(posts + more, key=lambda p: p["replies_count"])
    status, _, ctx = get_json(sandbox.url, f"/api/v1/statuses/{post['id']}/context")
    assert status == 200 and ctx["ancestors"] == [] and 0 < len(ctx["descendants"]) <= 20
    assert all(d["in_reply_to_id"] == post["id"] for d in ctx["descendants"])


def test_mastodon_rate_limit_headers_count_down(sandbox):
    _, h1, _ = fetch(sandbox.url, "/api/v2/instance")
    _, h2, _ = fetch(sandbox.url, "/api/v2/instance")
    assert int(h2["X-RateLimit-Remaining"]) == int(h1["X-RateLimit-Remaining"]) - 1
    assert datetime.fromisoformat(h1["X-RateLimit-Reset"].replace("Z", "+00:00")).timestamp() > time.time()


def test_rate_limit_window_answers_429_with_retry_after():
    with SandboxServer(size=50, seed=1, rate_limit=3, rate_window=60) as sb:
        codes = [fetch(sb.url, "/api/v2/instance")[0] for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        status, headers, _ = fetch(sb.url, "/xrpc/app.bsky.actor.getProfile?actor=x")
        assert status == 429 and int(headers["Retry-After"]) >= 1
        assert headers["RateLimit-Remaining"] == "0" and int(headers["RateLimit-Reset"]) > time.time()


def test_bluesky_search_needs_a_session(sandbox):
    search = "/xrpc/app.bsky.feed.searchPosts?q=%23plantbased"
    status, _, body = get_json(sandbox.url, search)
    assert (status, body["error"]) == (401, "AuthenticationRequired")
    bad = {"Authorization": "Bearer not-a-token", "atproto-proxy": f"{APPVIEW_DID}#bsky_appview"}
    status, _, body = get_json(sandbox.url, search, headers=bad)
    assert (status, body["error"]) == (400, "InvalidToken")
    wrong = json.dumps({"identifier": IDENTIFIER, "password": "nope"}).encode()
    status, _, body = get_json(sandbox.url, "/xrpc/com.atproto.server.createSession", data=wrong,
                               headers={"Content-Type": "application/json"})
    assert status == 401 and body["error"] == "AuthenticationRequired"


def test_bluesky_appview_refuses_a_pds_token_the_pds_proxies_it(sandbox):
    """Issue #8: the session token is the PDS's. Sent straight to the AppView it is refused
    (as the real AppView does: 401 InvalidToken "Malformed token"), on every route; the PDS
    takes it with atproto-proxy and answers for the AppView named there, and no other."""
    headers = login(sandbox.url)
    direct = {"Authorization": headers["Authorization"]}
    for path in ("/xrpc/app.bsky.feed.searchPosts?q=%23plantbased", "/xrpc/app.bsky.actor.getProfile?actor=x"):
        status, _, body = get_json(sandbox.url, path, headers=direct)
        assert (status, body) == (401, {"error": "InvalidToken", "message": "Malformed token"})
    status, _, body = get_json(sandbox.url, "/xrpc/app.bsky.feed.searchPosts?q=%23plantbased&limit=5", headers=headers)
    assert status == 200 and len(body["posts"]) == 5
    other = {**headers, "atproto-proxy": "did:web:appview.elsewhere.example#bsky_appview"}
    status, _, body = get_json(sandbox.url, "/xrpc/app.bsky.feed.searchPosts?q=%23plantbased", headers=other)
    assert (status, body["error"], body["message"]) == (400, "InvalidRequest", "could not resolve proxy did")
    status, _, body = get_json(sandbox.url, "/xrpc/app.bsky.feed.searchPosts?q=%23plantbased",
                               headers={**headers, "atproto-proxy": APPVIEW_DID})
    assert (status, body["message"]) == (400, "no service id specified in proxy header")
    # getSession: the PDS's own view of the session
    status, _, me = get_json(sandbox.url, "/xrpc/com.atproto.server.getSession",
                             headers={"Authorization": headers["Authorization"]})
    assert status == 200 and me["handle"] == IDENTIFIER and me["active"] is True


def test_bluesky_tokens_expire_and_refresh_rotates_them():
    with SandboxServer(size=50, seed=1, access_lifetime=1.0) as sb:
        first = session(sb.url)
        proxy = {"atproto-proxy": f"{APPVIEW_DID}#bsky_appview"}
        search = "/xrpc/app.bsky.feed.searchPosts?q=tofu&limit=1"
        assert fetch(sb.url, search, headers={**proxy, "Authorization": f"Bearer {first['accessJwt']}"})[0] == 200
        time.sleep(1.1)
        status, _, body = get_json(sb.url, search, headers={**proxy, "Authorization": f"Bearer {first['accessJwt']}"})
        assert (status, body) == (400, {"error": "ExpiredToken", "message": "Token has expired"})
        refresh = "/xrpc/com.atproto.server.refreshSession"
        status, _, second = get_json(sb.url, refresh, data=b"", headers={"Authorization": f"Bearer {first['refreshJwt']}"})
        assert status == 200 and {second["accessJwt"], second["refreshJwt"]}.isdisjoint(
            {first["accessJwt"], first["refreshJwt"]})
        assert fetch(sb.url, search, headers={**proxy, "Authorization": f"Bearer {second['accessJwt']}"})[0] == 200
        # the old refresh token is spent; an access token is no refresh token
        status, _, body = get_json(sb.url, refresh, data=b"", headers={"Authorization": f"Bearer {first['refreshJwt']}"})
        assert (status, body["error"]) == (400, "ExpiredToken")
        status, _, body = get_json(sb.url, refresh, data=b"", headers={"Authorization": f"Bearer {second['accessJwt']}"})
        assert (status, body["error"]) == (400, "InvalidToken")
        assert sb.session_calls == {"createSession": 1, "refreshSession": 3}


def test_bluesky_create_session_is_rate_limited_per_account():
    with SandboxServer(size=50, seed=1, login_limits=((3, 300.0), (300, 86400.0))) as sb:
        for _ in range(3):
            session(sb.url)
        body = json.dumps({"identifier": IDENTIFIER, "password": PASSWORD}).encode()
        status, headers, answer = get_json(sb.url, "/xrpc/com.atproto.server.createSession", data=body,
                                           headers={"Content-Type": "application/json"})
        assert (status, answer["error"]) == (429, "RateLimitExceeded")
        assert headers["RateLimit-Limit"] == "3" and headers["RateLimit-Remaining"] == "0"
        assert headers["RateLimit-Policy"] == "3;w=300" and int(headers["RateLimit-Reset"]) > time.time() + 200
        # per account: another identifier has its own count
        other = json.dumps({"identifier": "someone.else", "password": "x"}).encode()
        assert fetch(sb.url, "/xrpc/com.atproto.server.createSession", data=other,
                     headers={"Content-Type": "application/json"})[0] == 401


def test_bluesky_account_taken_down_or_deactivated():
    with SandboxServer(size=50, seed=1) as sb:
        sb.account_status = "deactivated"
        data = session(sb.url)
        assert data["active"] is False and data["status"] == "deactivated"
        headers = {"Authorization": f"Bearer {data['accessJwt']}", "atproto-proxy": f"{APPVIEW_DID}#bsky_appview"}
        status, _, body = get_json(sb.url, "/xrpc/app.bsky.feed.searchPosts?q=tofu", headers=headers)
        assert (status, body["error"]) == (401, "AccountDeactivated")
        sb.account_status = "takendown"
        body = json.dumps({"identifier": IDENTIFIER, "password": PASSWORD}).encode()
        status, _, answer = get_json(sb.url, "/xrpc/com.atproto.server.createSession", data=body,
                                     headers={"Content-Type": "application/json"})
        assert (status, answer["error"]) == (401, "AccountTakedown")


def test_bluesky_search_cursor_facets_and_profiles(sandbox):
    auth = login(sandbox.url)
    cursor, posts = None, []
    for _ in range(50):
        q = "/xrpc/app.bsky.feed.searchPosts?q=%23plantbased&sort=latest&limit=100" + (f"&cursor={cursor}" if cursor else "")
        status, headers, body = get_json(sandbox.url, q, headers=auth)
        assert status == 200 and "RateLimit-Remaining" in headers
        posts += body["posts"]
        cursor = body.get("cursor")
        if not cursor:
            break
    assert cursor is None and len(posts) == body["hitsTotal"] > 0
    for post in posts:
        record = post["record"]
        text = record["text"].encode("utf-8")
        tags = list(record.get("tags", []))
        for facet in record.get("facets", []):
            chunk = text[facet["index"]["byteStart"]:facet["index"]["byteEnd"]].decode("utf-8")
            for feature in facet["features"]:
                if feature["$type"] == "app.bsky.richtext.facet#tag":
                    assert chunk == "#" + feature["tag"]
                    tags.append(feature["tag"])
        assert "plantbased" in [t.lower() for t in tags]
    did = posts[0]["author"]["did"]
    status, _, profile = get_json(sandbox.url, f"/xrpc/app.bsky.actor.getProfile?actor={did}")
    assert status == 200 and {"followersCount", "followsCount", "postsCount", "labels", "createdAt"} <= set(profile)
    status, _, many = get_json(sandbox.url, "/xrpc/app.bsky.actor.getProfiles?" +
                               "&".join(f"actors={p['author']['did']}" for p in posts[:25]))
    assert status == 200 and 0 < len(many["profiles"]) <= 25
    # Keyword search as well as tags.
    status, _, body = get_json(sandbox.url, "/xrpc/app.bsky.feed.searchPosts?q=tofu&limit=5", headers=auth)
    assert status == 200 and body["posts"]
    assert all("tofu" in p["record"]["text"].lower() or "tofu" in p["record"].get("tags", []) for p in body["posts"])


def test_bluesky_feed_followers_thread_and_opt_out_label(sandbox):
    auth = login(sandbox.url)
    _, _, body = get_json(sandbox.url, "/xrpc/app.bsky.feed.searchPosts?q=%23veganrecipes&limit=100", headers=auth)
    labelled = [p for p in body["posts"] if any(lab["val"] == "!no-unauthenticated" for lab in p["author"]["labels"])]
    assert labelled, "opted-out Bluesky authors still show up in search, labelled"
    # A self-label, as the AppView hydrates one from the profile record (getSelfLabels): the
    # record's uri and cid, the account its source; the sandbox gave the DID as its uri, as a
    # labeler's label on the account would have it.
    did = labelled[0]["author"]["did"]
    (label,) = [lab for lab in labelled[0]["author"]["labels"] if lab["val"] == "!no-unauthenticated"]
    assert label["src"] == did and label["uri"] == f"at://{did}/app.bsky.actor.profile/self"
    assert label["cid"].startswith("bafyrei") and label["cts"]
    author = body["posts"][0]["author"]["did"]
    status, _, feed = get_json(sandbox.url, f"/xrpc/app.bsky.feed.getAuthorFeed?actor={author}&filter=posts_no_replies&limit=30")
    assert status == 200 and len(feed["feed"]) == 30 and feed["cursor"]
    _, _, rest = get_json(sandbox.url, f"/xrpc/app.bsky.feed.getAuthorFeed?actor={author}&limit=100&cursor={feed['cursor']}")
    assert "cursor" not in rest and rest["feed"][0]["post"]["uri"] not in {f["post"]["uri"] for f in feed["feed"]}
    status, _, fol = get_json(sandbox.url, f"/xrpc/app.bsky.graph.getFollowers?actor={author}&limit=50")
    assert status == 200 and fol["subject"]["did"] == author and len(fol["followers"]) == 50 and fol["cursor"]
    post = max((f["post"] for f in feed["feed"]), key=lambda p: p["replyCount"])
    status, _, thread = get_json(sandbox.url, f"/xrpc/app.bsky.feed.getPostThread?uri={post['uri']}")
    assert status == 200 and thread["thread"]["post"]["uri"] == post["uri"]
    assert all(r["post"]["record"]["reply"]["parent"]["uri"] == post["uri"] for r in thread["thread"]["replies"])


def test_advance_changes_counts_and_reveals_posts():
    with SandboxServer(size=200, seed=7) as sb:
        bought = next(p for p in sb.pop if p.archetype == "bought_followers" and p.platform == "mastodon")
        path = f"/api/v1/accounts/{109_000_000_000_000_000 + bought.i}"
        before = get_json(sb.url, path)[2]
        _, _, statuses0 = get_json(sb.url, path + "/statuses?limit=1")
        status, _, state = get_json(sb.url, "/_sandbox/advance?days=7", data=b"", method="POST")
        assert status == 200 and state["day"] == 7
        after = get_json(sb.url, path)[2]
        assert after["followers_count"] > before["followers_count"] * 1.25
        _, _, statuses7 = get_json(sb.url, path + "/statuses?limit=1")
        assert int(statuses7[0]["id"]) > int(statuses0[0]["id"])  # new posts appeared
        assert after["statuses_count"] > before["statuses_count"]


def test_faults_are_deterministic_by_request_order():
    def run():
        faults = Faults(rate_429=0.2, rate_5xx=0.2, rate_malformed=0.2, seed=3)
        out = []
        with SandboxServer(size=50, seed=1, faults=faults) as sb:
            for _ in range(30):
                status, headers, body = fetch(sb.url, "/api/v2/instance")
                try:
                    json.loads(body)
                    ok = True
                except ValueError:
                    ok = False
                out.append((status, ok, headers.get("Retry-After")))
        return out
    first = run()
    assert first == run()
    assert {s for s, _, _ in first} >= {200, 429}
    assert any(not ok for _, ok, _ in first)  # malformed bodies
    assert all(ra == "1" for s, _, ra in first if s == 429)


def test_fail_first_forces_faults_on_a_path_and_drop_closes_the_connection():
    faults = Faults(fail_first={"/api/v1/timelines/tag/": 2, "/api/v2/instance": (1, "drop")})
    with SandboxServer(size=50, seed=1, faults=faults) as sb:
        codes = [fetch(sb.url, "/api/v1/timelines/tag/plantbased")[0] for _ in range(3)]
        assert codes[:2] in ([503, 503], [500, 500], [502, 502]) or all(c >= 500 for c in codes[:2])
        assert codes[2] == 200
        conn = http.client.HTTPConnection(sb.host, sb.port, timeout=5)
        conn.request("GET", "/api/v2/instance")
        with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
            conn.getresponse()
        assert fetch(sb.url, "/api/v2/instance")[0] == 200


def test_slow_holds_back_only_the_requests_that_hold_its_text_and_answers_them_in_full():
    faults = Faults(slow={"/tag/plantbased": 0.6, '"field_values":["vegan"]': 0.6})
    with SandboxServer(size=50, seed=1, faults=faults) as sb:
        start = time.monotonic()
        assert fetch(sb.url, "/api/v1/timelines/tag/coffee")[0] == 200
        assert time.monotonic() - start < 0.5
        start = time.monotonic()
        status, _, body = fetch(sb.url, "/api/v1/timelines/tag/plantbased")
        assert status == 200 and isinstance(json.loads(body), list)
        assert time.monotonic() - start >= 0.6
        start = time.monotonic()  # a body holding the text (a TikTok query), whatever it answers
        fetch(sb.url, "/v2/research/video/query/", data=b'{"field_values":["vegan"]}', method="POST")
        assert time.monotonic() - start >= 0.6
    with pytest.raises(ValueError):
        Faults(slow={"x": -1})


def test_server_stops_by_itself_after_its_lifetime():
    sb = SandboxServer(size=20, seed=1, lifetime=0.3).start()
    time.sleep(1.0)
    with pytest.raises(OSError):
        urllib.request.urlopen(sb.url + "/api/v2/instance", timeout=1)


def test_remote_and_bridged_accounts_keep_their_domain_and_list_only_local_followers(sandbox):
    """A real server lists the follows it holds (FollowerAccountsController:
    Follow.where(target_account: @account)); a follow between two remote accounts is not
    held, so of a remote account's followers only this instance's users are listed, and
    none when the account hides them (hides_followers? is hide_collections?)."""
    remote = [p for p in sandbox.pop if p.platform == "mastodon" and (p.remote or p.bridged)]
    assert remote
    listed = 0
    for p in remote:
        status, _, acct = get_json(sandbox.url, f"/api/v1/accounts/lookup?acct={p.acct}")
        assert status == 200 and acct["acct"] == p.acct and "@" in acct["acct"]
        assert acct["url"].startswith("https://")  # their home, never reachable from here
        followers = get_json(sandbox.url, f"/api/v1/accounts/{acct['id']}/followers?limit=80")[2]
        assert all("@" not in f["acct"] for f in followers)  # this instance's own users only
        if p.hide_collections:
            assert acct["hide_collections"] is True and followers == []
        elif p.followers(0) >= 20:
            assert followers
        listed += len(followers)
    assert listed


def test_bluesky_only_profiles_are_not_on_mastodon(sandbox):
    p = next(p for p in sandbox.pop if p.platform == "bluesky")
    assert get_json(sandbox.url, f"/api/v1/accounts/lookup?acct={p.username}")[0] == 404
    status, _, body = get_json(sandbox.url, f"/xrpc/app.bsky.actor.getProfile?actor={p.handle}")
    assert status == 200 and body["did"] == p.did
    assert get_json(sandbox.url, "/xrpc/app.bsky.actor.getProfile?actor=nobody.bsky.sandbox")[0] == 400


def test_answers_are_gzipped_for_a_client_that_accepts_it_errors_too(sandbox):
    """As the real servers' proxies do (Mastodon's nginx gzips JSON): a crawler must read
    every answer, and every error, decoded."""
    import gzip

    status, headers, plain = fetch(sandbox.url, "/api/v1/timelines/tag/plantbased?limit=2")
    assert status == 200 and headers.get("Content-Encoding") is None and json.loads(plain)
    status, headers, packed = fetch(sandbox.url, "/api/v1/timelines/tag/plantbased?limit=2",
                                    headers={"Accept-Encoding": "gzip, deflate, br"})
    assert status == 200 and headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in headers["Vary"]
    assert json.loads(gzip.decompress(packed)) == json.loads(plain)
    status, headers, error = fetch(sandbox.url, "/xrpc/app.bsky.feed.searchPosts?q=x",
                                   headers={"Accept-Encoding": "gzip"})
    assert status == 401 and headers["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(error))["error"] == "AuthenticationRequired"
    for refused in ("gzip;q=0", "br", "identity", "*;q=1, gzip;q=0"):
        assert fetch(sandbox.url, "/api/v2/instance", headers={"Accept-Encoding": refused})[1].get(
            "Content-Encoding") is None, refused


def test_gzip_can_be_switched_off():
    with SandboxServer(size=20, seed=1, gzip_min_bytes=None) as sb:
        status, headers, body = fetch(sb.url, "/api/v2/instance", headers={"Accept-Encoding": "gzip"})
    assert status == 200 and headers.get("Content-Encoding") is None and json.loads(body)


def test_noindex_is_sent_for_local_accounts_only(sandbox):
    """Mastodon's REST::AccountSerializer has ``attribute :noindex, if: :local?``: the
    search-engine opt-out is a local user's setting and does not federate, so a real
    server leaves the key out of a remote account (a creator from elsewhere, a follower or
    a replier from another instance), where the sandbox sent ``noindex: false`` as if the
    account had said it may be indexed."""
    remote = [p for p in sandbox.pop if p.platform == "mastodon" and (p.remote or p.bridged)]
    local = next(p for p in sandbox.pop if p.platform == "mastodon" and not (p.remote or p.bridged)
                 and p.followers(0) > 30 and not p.hide_collections)
    assert remote
    for p in remote:
        acct = get_json(sandbox.url, f"/api/v1/accounts/lookup?acct={p.acct}")[2]
        assert "noindex" not in acct, acct["acct"]
    me = get_json(sandbox.url, f"/api/v1/accounts/lookup?acct={local.acct}")[2]
    assert me["noindex"] is False
    followers = get_json(sandbox.url, f"/api/v1/accounts/{me['id']}/followers?limit=80")[2]
    assert {("@" in f["acct"], "noindex" in f) for f in followers} == {(True, False), (False, True)}
    post = next(s for s in get_json(sandbox.url, f"/api/v1/accounts/{me['id']}/statuses?limit=40")[2]
                if s["replies_count"])
    for reply in get_json(sandbox.url, f"/api/v1/statuses/{post['id']}/context")[2]["descendants"]:
        assert ("noindex" in reply["account"]) == ("@" not in reply["account"]["acct"])


def test_bluesky_refuses_parameters_out_of_the_lexicon_as_the_real_appview(sandbox):
    """The real AppView (@atproto/bsky, test_atproto_network) answers a limit out of 1..100 or
    more than 25 actors with 400 InvalidRequest "Invalid <nsid> params: ..." (it never
    clamps), and getFollowers of an unknown actor with "Actor not found: <actor>"."""
    person = next(sandbox.pop.person(i) for i in range(200) if sandbox.pop.person(i).platform == "bluesky")
    for path, message in (
            (f"app.bsky.feed.getAuthorFeed?actor={person.did}&limit=101",
             "Invalid app.bsky.feed.getAuthorFeed params: integer too big (maximum 100, got 101)"),
            (f"app.bsky.graph.getFollowers?actor={person.did}&limit=0",
             "Invalid app.bsky.graph.getFollowers params: integer too small (minimum 1, got 0)"),
            (f"app.bsky.graph.getFollowers?actor={person.did}&limit=abc",
             'Invalid app.bsky.graph.getFollowers params: Expected integer value type (got "abc")'),
            ("app.bsky.actor.getProfiles?" + "&".join(f"actors=a{i}.test" for i in range(26)),
             "Invalid app.bsky.actor.getProfiles params: array too big (maximum 25, got 26)"),
            ("app.bsky.graph.getFollowers?actor=nobody.test", "Actor not found: nobody.test")):
        status, _, body = get_json(sandbox.url, f"/xrpc/{path}")
        assert (status, body) == (400, {"error": "InvalidRequest", "message": message}), path


FIXTURES = Path(os.environ.get("MICROSCOUT_SHARED_FIXTURES", Path(__file__).parents[2].parent / "shared" / "fixtures"))
MASTODON_LIMITS = {"x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"}
BLUESKY_LIMITS = {"ratelimit-limit", "ratelimit-remaining", "ratelimit-reset", "ratelimit-policy"}
GOOGLE_KEY = {"X-Goog-Api-Key": "AIzaSyA-sandbox-0123456789-microscout-yt"}
INSTAGRAM_TOKEN = {"Authorization": "Bearer sandbox-instagram-token"}


def recorded(name: str) -> dict:
    path = FIXTURES / name
    if not path.exists():
        pytest.skip(f"{path} not present")
    return json.loads(path.read_text())


def shape(value):
    """The keys of a JSON value, recursively (a list by its first element), and its leaves' types."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return type(value).__name__


def throttle(kind: str, path: str, method: str = "GET", data: bytes | None = None, headers: dict | None = None):
    """(status, headers in lower case, body) of one request that the server's per-client window
    refuses ("window": its 120 s have just begun), or that meets an injected fault of that kind
    ("429", "throttle", "5xx"; Retry-After 90 s)."""
    if kind == "window":
        server = SandboxServer(size=50, seed=1, rate_limit=1, rate_window=120)
    else:
        server = SandboxServer(size=50, seed=1, faults=Faults(retry_after=90, fail_first={"/": (1, kind)}))
    with server as sb:
        if kind == "window":
            fetch(sb.url, "/api/v2/instance")  # the window's one request
        status, got, body = get_json(sb.url, path, data=data, method=method,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    return status, {k.lower(): v for k, v in got.items()}, body


@pytest.mark.parametrize("kind", ["window", "429", "throttle"])
def test_youtube_is_throttled_in_googles_error_format(kind):
    """Google answers its per-time limits in its own error format: 403 userRateLimitExceeded or
    403/429 rateLimitExceeded, domain usageLimits (Google's error reference; the shape of the
    recorded error_quota_exceeded.json and error_key_invalid.json), with no Retry-After and none
    of Mastodon's X-RateLimit-* headers; Mastodon's {"error": "Too many requests"} it never says."""
    status, headers, body = throttle(kind, "/youtube/v3/videos?part=snippet&id=vAAAAAAAAOE", headers=GOOGLE_KEY)
    assert shape(body) == shape(recorded("youtube/error_quota_exceeded.json"))
    assert shape(body) == shape(recorded("youtube/error_key_invalid.json"))
    (entry,) = body["error"]["errors"]
    want = (403, "userRateLimitExceeded") if kind in ("window", "throttle") else (429, "rateLimitExceeded")
    assert (status, entry["reason"]) == want and body["error"]["code"] == status
    assert entry["domain"] == "usageLimits" and body["error"]["message"] == entry["message"]
    assert "retry-after" not in headers and not (MASTODON_LIMITS | BLUESKY_LIMITS) & set(headers)


@pytest.mark.parametrize("kind", ["window", "429", "throttle"])
def test_instagram_is_throttled_with_the_graph_apis_code_4(kind):
    """The Graph API answers its rate limit with an error body, code 4 (the recorded
    error_rate_limit_4.json, word for word but its fbtrace_id), status 400 as the sandbox's
    other Graph errors, and its usage headers at 100 % saying when access comes back (minutes,
    rounded up: the fault asked for 90 s, the window has 120 s to run): no Retry-After, no
    Mastodon headers."""
    status, headers, body = throttle(kind, f"/v21.0/{wire_instagram.OWN_ACCOUNT}?fields=business_discovery.username"
                                           "(x){followers_count}", headers=INSTAGRAM_TOKEN)
    real = recorded("instagram/error_rate_limit_4.json")
    assert status == 400 and shape(body) == shape(real)
    assert {k: v for k, v in body["error"].items() if k != "fbtrace_id"} == \
        {k: v for k, v in real["error"].items() if k != "fbtrace_id"}
    assert "retry-after" not in headers and not (MASTODON_LIMITS | BLUESKY_LIMITS) & set(headers)
    usage = json.loads(headers["x-business-use-case-usage"])[wire_instagram.OWN_ACCOUNT][0]
    assert usage["call_count"] == 100 and usage["estimated_time_to_regain_access"] == 2
    assert json.loads(headers["x-app-usage"])["call_count"] == 100
    buc = json.loads(recorded("instagram/response_headers_buc_usage.json")["x-business-use-case-usage"])
    assert set(usage) == set(buc["17841400455970028"][0])


@pytest.mark.parametrize("kind", ["window", "429", "throttle"])
@pytest.mark.parametrize("path, method, data, fixture, limits", [
    # TikTok's Research API answers in its own error shape (as its own rate limit does)
    ("/v2/research/video/query/", "POST", b"{}", "tiktok/error_invalid_params.json", MASTODON_LIMITS),
    ("/api/v2/instance", "GET", None, None, MASTODON_LIMITS),
    ("/xrpc/app.bsky.actor.getProfile?actor=x", "GET", None, None, BLUESKY_LIMITS),
])
def test_tiktok_mastodon_and_bluesky_are_throttled_with_a_429_as_before(kind, path, method, data, fixture, limits):
    status, headers, body = throttle(kind, path, method, data)
    assert status == 429 and int(headers["retry-after"]) >= 1 and limits <= set(headers)
    if fixture:
        assert shape(body) == shape(recorded(fixture)) and body["error"]["code"] == "rate_limit_exceeded"
        assert body["error"]["message"] == "API rate limit was exceeded, please try again later."
    elif path.startswith("/xrpc/"):
        assert body == {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}
    else:
        assert body == {"error": "Too many requests"}


def test_an_injected_5xx_speaks_the_platform_of_its_path():
    """YouTube's in Google's error format (backendError), Instagram's as a Graph API error
    (code 2, to be retried later), the others as before."""
    status, headers, body = throttle("5xx", "/youtube/v3/videos?id=x", headers=GOOGLE_KEY)
    assert status in (500, 502, 503) and shape(body) == shape(recorded("youtube/error_quota_exceeded.json"))
    assert body["error"]["code"] == status and body["error"]["errors"][0]["reason"] == "backendError"
    assert not MASTODON_LIMITS & set(headers)
    status, headers, body = throttle("5xx", "/v21.0/ig_hashtag_search?q=x", headers=INSTAGRAM_TOKEN)
    assert status >= 500 and set(body["error"]) == set(recorded("instagram/error_rate_limit_4.json")["error"])
    assert body["error"]["code"] == 2 and body["error"]["is_transient"] is True
    status, headers, body = throttle("5xx", "/api/v2/instance")
    assert status >= 500 and body == {"error": "Internal server error"} and MASTODON_LIMITS <= set(headers)


def test_youtube_and_instagram_answers_carry_no_mastodon_rate_limit_headers():
    with SandboxServer(size=50, seed=1) as sb:
        _, youtube, _ = fetch(sb.url, "/youtube/v3/videos?id=x", headers=GOOGLE_KEY)
        _, instagram, _ = fetch(sb.url, f"/v21.0/{wire_instagram.OWN_ACCOUNT}/recently_searched_hashtags",
                                headers=INSTAGRAM_TOKEN)
        _, mastodon, _ = fetch(sb.url, "/api/v2/instance")
    for headers in (youtube, instagram):
        assert not (MASTODON_LIMITS | BLUESKY_LIMITS) & {k.lower() for k in headers}
    assert "X-Business-Use-Case-Usage" in instagram and "X-RateLimit-Remaining" in mastodon
