"""The sandbox's Graph API JSON has the keys the real API sends (shared/fixtures/instagram)."""
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from microscout.sandbox import SandboxServer
from microscout.sandbox import instagram_wire as wire
from microscout.sandbox.routes_instagram import TOKEN

FIXTURES = Path(os.environ.get("MICROSCOUT_SHARED_FIXTURES", "/work/shared/fixtures")) / "instagram"
MEDIA = "id,caption,like_count,comments_count,timestamp,permalink,media_type,media_url"


def fixture(name):
    path = FIXTURES / name
    if not path.exists():
        pytest.skip(f"{path} not present")
    return json.loads(path.read_text())


@pytest.fixture(scope="module")
def sb():
    with SandboxServer(size=100, seed=7) as server:
        yield server


def get(sb, path, token=TOKEN, **query):
    request = urllib.request.Request(f"{sb.url}/v21.0/{path}?{urllib.parse.urlencode(query)}",
                                     headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request) as r:
            return r.status, json.load(r), r.headers
    except urllib.error.HTTPError as e:
        return e.code, json.load(e), e.headers


def keys(items):
    return set().union(*(set(i) for i in items))


def test_hashtag_search_and_media_pages(sb):
    status, body, headers = get(sb, "ig_hashtag_search", user_id=wire.OWN_ACCOUNT, q="plantbased")
    assert status == 200 and set(body["data"][0]) <= set(fixture("hashtag_search.json")["data"][0])
    hid = body["data"][0]["id"]
    status, page, _ = get(sb, f"{hid}/top_media", user_id=wire.OWN_ACCOUNT, fields=MEDIA, limit=5)
    real = fixture("hashtag_top_media_p1.json")
    assert keys(real["data"]) - {"children"} - keys(page["data"]) <= {"timestamp"} and "timestamp" in keys(page["data"])
    assert set(page["paging"]) == set(real["paging"]) and set(page["paging"]["cursors"]) == {"after"}
    assert "access_token=" in page["paging"]["next"]  # like the real API: the crawler must strip it
    status, recent, _ = get(sb, f"{hid}/recent_media", user_id=wire.OWN_ACCOUNT, fields=MEDIA, limit=50)
    assert status == 200 and all(set(m) <= keys(real["data"]) | {"timestamp"} for m in recent["data"])


def test_business_discovery_user_and_media(sb):
    person = next(p for p in sb.pop if wire.professional(p) and p.has_avatar and p.archetype == "ad_heavy")
    inner = ("id,username,name,biography,followers_count,follows_count,media_count,profile_picture_url,website,"
             "media.limit(2){id,caption,like_count,comments_count,timestamp,permalink,media_type,media_url}")
    name = wire.username(person)
    status, body, _ = get(sb, wire.OWN_ACCOUNT, fields=f"business_discovery.username({name}){{{inner}}}")
    assert status == 200 and set(body) == {"business_discovery", "id"}
    real = fixture("business_discovery_user_facebook.json")["business_discovery"]
    assert set(real) - {"ig_id"} <= set(body["business_discovery"])
    media = fixture("business_discovery_media_p1.json")["business_discovery"]["media"]
    ours = body["business_discovery"]["media"]
    assert keys(ours["data"]) <= keys(media["data"]) and "after" in ours["paging"]["cursors"]
    after = ours["paging"]["cursors"]["after"]
    _, more, _ = get(sb, wire.OWN_ACCOUNT, fields=f"business_discovery.username({wire.username(person)})"
                                                 f"{{media.after({after}).limit(2){{id}}}}")
    assert [m["id"] for m in more["business_discovery"]["media"]["data"]] != [m["id"] for m in ours["data"]]


def test_errors_have_the_real_keys(sb):
    real = fixture("error_rate_limit_4.json")["error"]
    assert set(wire.rate_limited()["error"]) == set(real)
    assert set(fixture("error_oauth_100.json")["error"]) <= set(wire.bad_token()["error"])
    status, body, _ = get(sb, "ig_hashtag_search", token="nope", user_id=wire.OWN_ACCOUNT, q="x")
    assert status == 400 and body["error"]["code"] == 190 and body["error"]["type"] == "OAuthException"
    private = next(p for p in sb.pop if not wire.professional(p))
    status, body, _ = get(sb, wire.OWN_ACCOUNT, fields=f"business_discovery.username({wire.username(private)}){{id}}")
    assert status == 400 and (body["error"]["code"], body["error"]["error_subcode"]) == (110, 2207013)


def test_usage_header_on_every_answer(sb):
    real = fixture("response_headers_buc_usage.json")["x-business-use-case-usage"]
    (entry,) = next(iter(json.loads(real).values()))
    for token in (TOKEN, "bad"):
        _, _, headers = get(sb, "ig_hashtag_search", token=token, user_id=wire.OWN_ACCOUNT, q="vegan")
        (ours,) = next(iter(json.loads(headers["X-Business-Use-Case-Usage"]).values()))
        assert set(ours) == set(entry)


def test_thirty_hashtags_a_week(sb):
    state = sb.platform_state["instagram"]
    state["searched"].clear()
    tags = [f"tag{n}" for n in range(31)]  # unknown hashtags count too: the search itself is what counts
    for tag in tags[:30]:
        assert get(sb, "ig_hashtag_search", user_id=wire.OWN_ACCOUNT, q=tag)[0] == 200
    status, body, _ = get(sb, "ig_hashtag_search", user_id=wire.OWN_ACCOUNT, q=tags[30])
    assert status == 400 and body["error"]["error_subcode"] == 2207024
    assert get(sb, "ig_hashtag_search", user_id=wire.OWN_ACCOUNT, q=tags[0])[0] == 200  # searched already
    sb.advance(8)
    assert get(sb, "ig_hashtag_search", user_id=wire.OWN_ACCOUNT, q=tags[30])[0] == 200
