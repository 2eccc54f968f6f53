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

FIXTURES = Path(os.environ.get("MICROSCOUT_SHARED_FIXTURES", Path(__file__).parents[2].parent / "shared" / "fixtures")) / "instagram"
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


def test_captions_come_without_the_at_and_media_without_owner(sb):
    """As the real API serves them: of 75 recorded hashtag captions none holds "@", and
    hashtag media name no owner."""
    real = [m for name in ("hashtag_top_media_p1.json", "hashtag_top_media_p2.json",
                           "hashtag_recent_media_last_page.json") for m in fixture(name)["data"]]
    assert len(real) == 75 and not any("@" in (m.get("caption") or "") for m in real)
    _, body, _ = get(sb, "ig_hashtag_search", user_id=wire.OWN_ACCOUNT, q="plantbased")
    hid = body["data"][0]["id"]
    _, page, _ = get(sb, f"{hid}/top_media", user_id=wire.OWN_ACCOUNT, fields=MEDIA, limit=50)
    assert page["data"] and not any("@" in m.get("caption", "") for m in page["data"])
    assert all("owner" not in m and "username" not in m for m in page["data"])
    # the mentions are there, as bare names: the same post as an admin of the Page reads it
    post = next(p for person in sb.pop for p in sb.pop.visible_posts(person.i, sb.day)
                if any(kind == "mention" for kind, _ in p.segments))
    plain, admin = wire.caption(sb.pop, post), wire.caption(sb.pop, post, keep_at=True)
    assert "@" not in plain and "@" in admin and admin.replace("@", "") == plain.replace("@", "")


def test_recently_searched_hashtags_from_the_sandbox_memory(sb):
    from microscout.sandbox.routes_instagram import now

    state = sb.platform_state["instagram"]
    state["searched"].clear()
    state["searched"].update({"elsewhere": now(sb) - 3600, "old": now(sb) - 8 * 86400})
    assert get(sb, "ig_hashtag_search", user_id=wire.OWN_ACCOUNT, q="vegan")[0] == 200
    status, body, _ = get(sb, f"{wire.OWN_ACCOUNT}/recently_searched_hashtags", limit=30)
    assert status == 200 and all(set(h) == {"id"} for h in body["data"])  # ids only, as the docs' sample
    ids = [h["id"] for h in body["data"]]
    assert len(ids) == 2 and "paging" not in body
    names = {get(sb, i, fields="id,name")[1]["name"] for i in ids}
    assert names == {"elsewhere", "vegan"}  # older than 7 days: not counted
    _, named, _ = get(sb, f"{wire.OWN_ACCOUNT}/recently_searched_hashtags", fields="id,name", limit=1)
    assert [h["name"] for h in named["data"]] == ["elsewhere"] and "access_token=" in named["paging"]["next"]
    assert get(sb, "12345/recently_searched_hashtags")[0] == 400
