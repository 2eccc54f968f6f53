"""The sandbox's TikTok Research API: shapes checked against shared/fixtures/tiktok, and the
behaviour the crawler relies on (tokens that expire, cursors, errors, private accounts)."""
import json
import os
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlencode

import pytest

from microscout.sandbox import SandboxServer
from microscout.sandbox import tiktok_wire as wire
from microscout.sandbox.routes_tiktok import CLIENT_KEY, CLIENT_SECRET

FIXTURES = Path(os.environ.get("MICROSCOUT_SHARED_FIXTURES", Path(__file__).parents[2].parent / "shared" / "fixtures")) / "tiktok"
VIDEO_FIELDS = "id,username,video_description,create_time,like_count,comment_count,share_count,view_count,hashtag_names"
USER_FIELDS = ("display_name,bio_description,avatar_url,is_verified,follower_count,following_count,"
               "likes_count,video_count")
TAG = "veganrecipes"


def recorded(name):
    path = FIXTURES / name
    if not path.exists():
        pytest.skip(f"{path} not present")
    return json.loads(path.read_text())


@pytest.fixture(scope="module")
def sb():
    with SandboxServer(size=200, seed=7) as server:
        yield server


def post(sb, path, body=None, token=None, form=None):
    data = urlencode(form).encode() if form is not None else json.dumps(body or {}).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded" if form is not None else "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(sb.url + path, data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def new_token(sb):
    status, body = post(sb, "/v2/oauth/token/", form={"client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET,
                                                       "grant_type": "client_credentials"})
    assert status == 200
    return body["access_token"]


@pytest.fixture(scope="module")
def token(sb):
    return new_token(sb)


def window(days=30):
    today = datetime.now(timezone.utc).date()
    return {"start_date": (today - timedelta(days=days)).strftime("%Y%m%d"), "end_date": today.strftime("%Y%m%d")}


def hashtag_query(tag=TAG, **extra):
    return {"query": {"and": [{"operation": "IN", "field_name": "hashtag_name", "field_values": [tag]}]},
            **window(), "max_count": 100, **extra}


def user_query(name, **extra):
    return {"query": {"and": [{"operation": "EQ", "field_name": "username", "field_values": [name]}]},
            **window(), "max_count": 100, **extra}


def public_person(sb, **want):
    return next(p for p in sb.pop if not p.opt_out and all(getattr(p, k) == v for k, v in want.items()))


def test_token_answer_has_the_documented_keys(sb):
    status, body = post(sb, "/v2/oauth/token/", form={"client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET,
                                                       "grant_type": "client_credentials"})
    assert status == 200 and set(body) == set(recorded("oauth_token.doc-example.json"))
    assert body["expires_in"] == 7200 and body["token_type"] == "Bearer"


def test_wrong_client_secret_is_refused(sb):
    status, body = post(sb, "/v2/oauth/token/", form={"client_key": CLIENT_KEY, "client_secret": "nope",
                                                       "grant_type": "client_credentials"})
    assert status == 401 and body["error"] == "invalid_client" and "access_token" not in body


def test_video_query_shape_matches_the_recording(sb, token):
    real = recorded("video_query_page1.json")
    status, body = post(sb, f"/v2/research/video/query/?fields={VIDEO_FIELDS}", hashtag_query(), token)
    assert status == 200
    assert set(body) == set(real) and set(body["data"]) == set(real["data"])
    assert set(body["error"]) == set(real["error"]) and body["error"]["code"] == "ok"
    asked = set(VIDEO_FIELDS.split(","))
    real_keys = set().union(*(v.keys() for v in real["data"]["videos"])) & asked
    assert body["data"]["videos"] and all(set(v) == real_keys for v in body["data"]["videos"])
    for video in body["data"]["videos"]:
        assert isinstance(video["id"], int) and video["id"] > 2 ** 53  # int64 ids, like TikTok's
        assert TAG in video["hashtag_names"] and video["view_count"] >= video["like_count"]


def test_fields_select_what_is_answered(sb, token):
    status, body = post(sb, "/v2/research/video/query/?fields=id,like_count", hashtag_query(), token)
    assert status == 200 and all(set(v) == {"id", "like_count"} for v in body["data"]["videos"])


def test_hashtag_pages_follow_cursor_and_search_id(sb, token):
    url = "/v2/research/video/query/?fields=id"
    _, whole = post(sb, url, hashtag_query(), token)
    total = len(whole["data"]["videos"])
    assert total > 10
    _, first = post(sb, url, hashtag_query(max_count=10), token)
    data = first["data"]
    assert data["cursor"] == 10 and data["has_more"] is True
    _, second = post(sb, url, hashtag_query(max_count=10, cursor=data["cursor"], search_id=data["search_id"]), token)
    ids = [v["id"] for v in data["videos"] + second["data"]["videos"]]
    assert ids == [v["id"] for v in whole["data"]["videos"][:20]]
    status, bad = post(sb, url, hashtag_query(max_count=10, cursor=10, search_id="123"), token)
    assert status == 400 and bad["error"]["code"] == "invalid_params"


def test_a_page_short_of_withheld_videos_still_moves_the_cursor_by_max_count(sb, token):
    """As the real recording (video_query_page1.json: 27 videos, cursor 100, has_more): the
    cursor moves by max_count, and a page the API leaves videos out of is short, or empty,
    with more to come."""
    real = recorded("video_query_page1.json")["data"]
    assert len(real["videos"]) < real["cursor"] and real["has_more"] is True
    url = "/v2/research/video/query/?fields=id"
    _, whole = post(sb, url, hashtag_query(max_count=20), token)
    ids = [v["id"] for v in whole["data"]["videos"]]
    state = sb.platform_state["tiktok"]
    state["withheld"] = {str(i) for i in ids[:10]} | {str(ids[12])}
    try:
        _, first = post(sb, url, hashtag_query(max_count=10), token)
        _, second = post(sb, url, hashtag_query(max_count=10, cursor=10, search_id=first["data"]["search_id"]),
                         token)
    finally:
        state.pop("withheld", None)
    assert first["data"]["videos"] == [] and first["data"]["cursor"] == 10 and first["data"]["has_more"] is True
    assert [v["id"] for v in second["data"]["videos"]] == ids[10:12] + ids[13:20]
    assert second["data"]["cursor"] == 20


def test_username_query_gives_that_users_recent_videos(sb, token):
    p = public_person(sb)
    status, body = post(sb, f"/v2/research/video/query/?fields={VIDEO_FIELDS}", user_query(p.username), token)
    assert status == 200
    videos = body["data"]["videos"]
    since = datetime.now(timezone.utc) - timedelta(days=31)
    assert videos and {v["username"] for v in videos} == {p.username}
    assert all(datetime.fromtimestamp(v["create_time"], timezone.utc) > since for v in videos)
    assert [v["create_time"] for v in videos] == sorted((v["create_time"] for v in videos), reverse=True)


def test_user_info_shape_matches_the_doc(sb, token):
    real = recorded("user_info.doc-example.json")
    p = public_person(sb)
    status, body = post(sb, f"/v2/research/user/info/?fields={USER_FIELDS}", {"username": p.username}, token)
    assert status == 200
    assert set(body["data"]) == set(real["data"]) and set(body["error"]) == set(real["error"])
    assert body["data"]["follower_count"] == wire.followers(p, sb.day)
    assert body["data"]["likes_count"] == wire.total_likes(sb.pop, p, sb.day)


def test_private_and_unknown_users_answer_invalid_params(sb, token):
    real = recorded("error_invalid_params.json")
    private = next(p for p in sb.pop if p.opt_out)
    status, body = post(sb, f"/v2/research/user/info/?fields={USER_FIELDS}", {"username": private.username}, token)
    assert status == 400 and set(body) == set(real) and set(body["error"]) == set(real["error"])
    assert body["error"]["code"] == "invalid_params" and "private" in body["error"]["message"]
    status, body = post(sb, f"/v2/research/user/info/?fields={USER_FIELDS}", {"username": "nobody_zzzz"}, token)
    assert status == 400 and body["error"]["code"] == "invalid_params" and "private" not in body["error"]["message"]


def test_followers_shape_matches_the_doc(sb, token):
    real = recorded("user_followers.doc-example.json")
    p = public_person(sb, hide_collections=False)
    status, body = post(sb, "/v2/research/user/followers/", {"username": p.username, "max_count": 5}, token)
    assert status == 200 and set(body["data"]) == set(real["data"])
    rows = body["data"]["user_followers"]
    assert len(rows) == 5 and all(set(r) == set(real["data"]["user_followers"][0]) for r in rows)
    assert body["data"]["has_more"] is True


def test_followers_page_by_a_time_cursor_as_the_doc_says(sb, token):
    """research-api-specs-query-user-followers: ``cursor`` is a Unix timestamp, "followers
    followed on or before this time", by default the time of the request (the doc example
    answers cursor 1706837834): no cursor is the newest followers, cursor 0 none at all."""
    p = next(q for q in sb.pop if not q.opt_out and len(sb.pop.follower_indexes(q, sb.day)) > 12)
    names = [sb.pop.follower(p, m).username for m in sb.pop.follower_indexes(p, sb.day)]
    status, first = post(sb, "/v2/research/user/followers/", {"username": p.username, "max_count": 5}, token)
    assert status == 200 and [r["username"] for r in first["data"]["user_followers"]] == names[:5]
    cursor = first["data"]["cursor"]
    assert first["data"]["has_more"] is True and cursor > datetime(2020, 1, 1, tzinfo=timezone.utc).timestamp()
    status, second = post(sb, "/v2/research/user/followers/", {"username": p.username, "max_count": 5,
                                                               "cursor": cursor}, token)
    assert status == 200 and [r["username"] for r in second["data"]["user_followers"]] == names[5:10]
    status, none = post(sb, "/v2/research/user/followers/", {"username": p.username, "max_count": 5, "cursor": 0},
                        token)
    assert status == 200 and none["data"]["user_followers"] == [] and none["data"]["has_more"] is False


def test_comment_list(sb, token):
    p = public_person(sb)
    video = next(v for v in sb.pop.visible_posts(p.i, sb.day) if v.replies)
    status, body = post(sb, "/v2/research/video/comment/list/?fields=id,video_id,text,like_count,create_time",
                        {"video_id": video.id, "max_count": 3}, token)
    assert status == 200 and set(body["data"]) == {"comments", "cursor", "has_more"}
    comments = body["data"]["comments"]
    assert comments and all(c["video_id"] == video.id for c in comments)
    assert set(comments[0]) == {"id", "video_id", "text", "like_count", "create_time"}


def test_a_comment_page_may_be_short_with_more_to_come(sb, token):
    """The docs: "the API returns less comments than the max count due to reasons such as
    comments deleted by users"; the cursor is an index and moves by max_count."""
    video = next(v for q in sb.pop if not q.opt_out for v in sb.pop.visible_posts(q.i, sb.day)
                 if len(sb.pop.replies(v, sb.day)) >= 8)
    replies = sb.pop.replies(video, sb.day)
    state = sb.platform_state["tiktok"]
    state["withheld"] = {str(replies[0].id)}
    try:
        status, body = post(sb, "/v2/research/video/comment/list/?fields=id", {"video_id": video.id, "max_count": 3},
                            token)
    finally:
        state.pop("withheld", None)
    assert status == 200 and [c["id"] for c in body["data"]["comments"]] == [r.id for r in replies[1:3]]
    assert body["data"]["cursor"] == 3 and body["data"]["has_more"] is True


@pytest.mark.parametrize("change", [{"max_count": 101}, {"cursor": -1}, {"start_date": "2024-01-01"}])
def test_invalid_params_in_the_real_shape(sb, token, change):
    real = recorded("error_invalid_params.json")
    status, body = post(sb, "/v2/research/video/query/?fields=id", {**hashtag_query(), **change}, token)
    assert status == 400 and set(body) == set(real) and set(body["error"]) == set(real["error"])
    assert body["error"]["code"] == "invalid_params"


def test_tokens_expire_and_a_missing_token_is_refused(sb):
    status, body = post(sb, "/v2/research/user/info/", {"username": "x"})
    assert status == 401 and body["error"]["code"] == "access_token_invalid"
    state = sb.platform_state["tiktok"]
    state["token_lifetime"] = 0.5
    try:
        short = new_token(sb)
        assert post(sb, "/v2/research/video/query/?fields=id", hashtag_query(), short)[0] == 200
        time.sleep(0.6)
        status, body = post(sb, "/v2/research/video/query/?fields=id", hashtag_query(), short)
        assert status == 401 and body["error"]["code"] == "access_token_invalid"
    finally:
        state.pop("token_lifetime")


def test_rate_limit_answers_429(sb, token):
    sb.platform_state["tiktok"]["rate_limited"] = 1
    status, body = post(sb, "/v2/research/video/query/?fields=id", hashtag_query(), token)
    assert status == 429 and body["error"]["code"] == "rate_limit_exceeded"
    assert post(sb, "/v2/research/video/query/?fields=id", hashtag_query(), token)[0] == 200


def test_daily_quota_answers_429_until_the_counter_is_reset(sb, token):
    state = sb.platform_state["tiktok"]
    state.update(daily_quota=1, quota_used=0)
    try:
        assert post(sb, "/v2/research/video/query/?fields=id", hashtag_query(), token)[0] == 200
        status, body = post(sb, "/v2/research/user/info/", {"username": public_person(sb).username}, token)
        assert status == 429 and body["error"]["code"] == "rate_limit_exceeded"
        state["quota_used"] = 0  # the next day
        assert post(sb, "/v2/research/video/query/?fields=id", hashtag_query(), token)[0] == 200
    finally:
        state.pop("daily_quota")


def test_refusals_that_are_not_about_the_user_or_the_cursor(sb, token):
    state = sb.platform_state["tiktok"]
    p = public_person(sb)
    state.update(refuse_users={p.username: "Invalid parameter: fields"}, refuse_tags={TAG: "Invalid query"})
    try:
        status, body = post(sb, "/v2/research/user/info/?fields=display_name", {"username": p.username}, token)
        assert status == 400 and body["error"] == {**body["error"], "code": "invalid_params",
                                                   "message": "Invalid parameter: fields"}
        status, body = post(sb, "/v2/research/video/query/?fields=id", hashtag_query(), token)
        assert status == 400 and body["error"]["message"] == "Invalid query"
    finally:
        state.pop("refuse_users")
        state.pop("refuse_tags")
