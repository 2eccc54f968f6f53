"""parse_instagram on every recording in shared/fixtures/instagram (errors and the header file included)."""
import json
import os
from pathlib import Path

import pytest

from microscout.crawlers import parse_instagram as pi
from microscout.crawlers.parse_common import Malformed

FIXTURES = Path(os.environ.get("MICROSCOUT_SHARED_FIXTURES", Path(__file__).parents[2].parent / "shared" / "fixtures"))


def load(name):
    path = FIXTURES / "instagram" / name
    if not path.exists():
        pytest.skip(f"{path} not present")
    return json.loads(path.read_text())


def test_every_recording_is_covered():
    folder = FIXTURES / "instagram"
    if not folder.exists():
        pytest.skip(f"{folder} not present")
    covered = {"business_discovery_media_p1.json", "business_discovery_media_p2.json", "business_discovery_user.json",
               "business_discovery_user_facebook.json", "error_oauth_100.json", "error_oauth_100_permission.json",
               "error_rate_limit_4.json", "hashtag_recent_media_last_page.json", "hashtag_search.json",
               "hashtag_top_media_p1.json", "hashtag_top_media_p2.json", "response_headers_buc_usage.json"}
    assert {p.name for p in folder.iterdir()} <= covered


def test_hashtag_search():
    assert pi.hashtag_id(load("hashtag_search.json")) == "17841562426109234"
    assert pi.hashtag_id({"data": []}) is None


def test_top_media_pages_give_mentions_and_a_next_link_without_the_token():
    page = pi.hashtag_media(load("hashtag_top_media_p1.json"))
    assert page.media == 25
    assert page.next_url and "access_token" not in page.next_url
    assert "after=after" in page.next_url and "/top_media?" in page.next_url
    assert all(pi.USERNAME.match(a) for a in page.authors)
    last = pi.hashtag_media(load("hashtag_top_media_p2.json"))
    assert last.media == 25 and last.next_url is None


def test_recent_media_last_page_with_captions_in_several_languages():
    body = load("hashtag_recent_media_last_page.json")
    page = pi.hashtag_media(body)
    assert page.media == 25 and page.next_url is None
    expected = []
    for media in body["data"]:
        for name in pi.mentions(media.get("caption")):
            if name not in expected:
                expected.append(name)
    assert page.authors == expected
    assert pi.hashtags(body["data"][0]["caption"])[:2] == ["mutlulukkadarözel", "nobiliscikolata"]


def test_business_discovery_user():
    item = pi.profile(load("business_discovery_user.json"))
    assert (item.platform, item.platform_id, item.handle) == ("instagram", "17841407673135339", "facebookfordevelopers")
    assert item.display_name == "Facebook for Developers" and item.followers == 64976 and item.posts_count == 436
    assert item.following is None  # not asked for: unknown, not 0
    assert item.has_avatar is True and item.url == "https://www.instagram.com/facebookfordevelopers/"


def test_business_discovery_user_with_website_and_follows():
    item = pi.profile(load("business_discovery_user_facebook.json"))
    assert item.following == 9 and item.followers == 3502538 and item.url == "http://www.facebook.com/"


@pytest.mark.parametrize("name", ["business_discovery_media_p1.json", "business_discovery_media_p2.json"])
def test_business_discovery_media(name):
    body = load(name)
    posts, after = pi.media_page(body, "owner")
    assert after == "after"
    assert [p.platform_id for p in posts] == [m["id"] for m in body["business_discovery"]["media"]["data"]]
    first, raw = posts[0], body["business_discovery"]["media"]["data"][0]
    assert first.likes == raw["like_count"] and first.replies == raw["comments_count"]
    assert first.url == raw["permalink"] and first.text == raw["caption"]
    assert first.created_at.endswith("+00:00") and first.created_at[:19] == raw["timestamp"][:19]
    assert first.profile_platform_id == "owner"


def test_hidden_likes_are_unknown_and_bad_media_malformed():
    media = {"id": "1", "timestamp": "2024-01-02T03:04:05+0000", "caption": "hi @Some.One #Tag", "comments_count": 2}
    item = pi.post(media, "o")
    assert item.likes is None and item.replies == 2
    assert item.mentions == ["some.one"] and item.hashtags == ["tag"]
    with pytest.raises(Malformed):
        pi.post({"id": "1"}, "o")
    with pytest.raises(Malformed):
        pi.post({**media, "like_count": "12"}, "o")


def test_errors():
    e100 = pi.graph_error(load("error_oauth_100.json"))
    assert e100.code == 100 and e100.kind == "permission" and e100.permission() == "Pages Public Content Access"
    perm = pi.graph_error(load("error_oauth_100_permission.json"))
    assert perm.kind == "permission" and perm.permission() == "pages_read_engagement"
    rate = pi.graph_error(load("error_rate_limit_4.json"))
    assert rate.kind == "rate_limit" and rate.transient
    assert pi.graph_error({"error": {"code": 190, "message": "Invalid OAuth access token"}}).kind == "token"
    gone = {"error": {"code": 110, "error_subcode": 2207013, "message": "Invalid user id"}}
    assert pi.graph_error(gone).kind == "not_found"
    assert pi.graph_error({"error": {"code": 100, "error_subcode": 2207024, "message": "x"}}).kind == "hashtag_limit"
    assert pi.graph_error({"data": []}) is None


def test_usage_header():
    headers = load("response_headers_buc_usage.json")
    pct, regain = pi.usage(headers["x-business-use-case-usage"])
    assert pct == 72 and regain == 20 * 60
    assert pi.usage(None, '{"call_count":96,"total_time":3,"total_cputime":1}') == (96, 0)
    assert pi.usage("not json", None) == (0, 0)


def test_strip_token():
    url = pi.strip_token("https://graph.facebook.com/v4.0/1/top_media?access_token=SECRET&limit=25&after=x")
    assert "SECRET" not in url and "access_token" not in url and "after=x" in url
