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


HASHTAG_PAGES = ["hashtag_top_media_p1.json", "hashtag_top_media_p2.json", "hashtag_recent_media_last_page.json"]


@pytest.mark.parametrize("name", HASHTAG_PAGES)
def test_real_hashtag_pages_name_no_author(name):
    """What the real API sends: no owner on hashtag media, captions without "@" (the IG Media
    reference: unless the app user administers the creator's Page). So: no authors."""
    body = load(name)
    assert body["data"] and all("owner" not in m and "username" not in m for m in body["data"])
    assert not any("@" in (m.get("caption") or "") for m in body["data"])
    page = pi.hashtag_media(body)
    assert page.media == 25 and page.authors == []


def test_top_media_pages_give_a_next_link_without_the_token():
    page = pi.hashtag_media(load("hashtag_top_media_p1.json"))
    assert page.next_url and "access_token" not in page.next_url
    assert "after=after" in page.next_url and "/top_media?" in page.next_url
    assert pi.hashtag_media(load("hashtag_top_media_p2.json")).next_url is None


def test_recent_media_last_page_with_captions_in_several_languages():
    body = load("hashtag_recent_media_last_page.json")
    assert pi.hashtag_media(body).next_url is None
    assert pi.hashtags(body["data"][0]["caption"])[:2] == ["mutlulukkadarözel", "nobiliscikolata"]


@pytest.mark.parametrize("caption, expected", [
    ("Lunch with @Anna.Cooks and @vegan_bob! #vegan", ["anna.cooks", "vegan_bob"]),
    ("@first at the start, @first again, then @second.", ["first", "second"]),
    ("write to hello@example.com or x@y", []),             # e-mail addresses are no mention
    ("dots end no name: @trailing. and @a_b.c_d", ["trailing", "a_b.c_d"]),
    ("Lunch with anna.cooks and vegan_bob #vegan", []),    # as the real API serves it: no "@"
    # a name in letters no Instagram username holds, or longer than one (30), is no mention
    # of the account its first letters would name (@josé_cooks is not @jos)
    ("cooking with @josé_cooks and @müller and @ana.béa", []),
    # the same names with each accent typed as a mark of its own after the letter (as macOS
    # and some keyboards write it): no mention either
    ("cooking with @jose\u0301_cooks and @mu\u0308ller and @ana.be\u0301a", []),
    ("@" + "a" * 31 + " and @" + "b" * 30, ["b" * 30]),
    ("thanks (@ana_cooks) and @user’s recipe, @zoe's too.", ["ana_cooks", "user", "zoe"]),
    ("ask me@mail.example, see https://x.example/@nope or @ana.", ["ana"]),
    ("", []),
    (None, []),
])
def test_mentions_in_hand_written_captions(caption, expected):
    assert pi.mentions(caption) == expected


def test_hashtag_page_authors_from_captions_that_hold_mentions():
    body = {"data": [{"id": "1", "caption": "thanks @Sam_Babo #plantbased"},
                     {"id": "2", "caption": "with @zoe.cooks and @sam_babo"},
                     {"id": "3"},
                     {"id": "4", "caption": "no mention, only sam_babo"}],
            "paging": {"cursors": {"after": "QVFI"},
                       "next": "https://graph.facebook.com/v21.0/17843/top_media?access_token=SECRET&after=QVFI"}}
    page = pi.hashtag_media(body)
    assert (page.media, page.authors) == (4, ["sam_babo", "zoe.cooks"])
    assert page.next_url == "https://graph.facebook.com/v21.0/17843/top_media?after=QVFI"


def test_recently_searched_hashtags():
    # the documentation's sample answer: ids only
    page = pi.recently_searched({"data": [{"id": "17841562906103814"}, {"id": "17841563587120501"}]})
    assert page.hashtags == [("17841562906103814", None), ("17841563587120501", None)] and page.next_url is None
    named = pi.recently_searched({"data": [{"id": "1", "name": "PlantBased"}], "paging": {
        "next": "https://graph.facebook.com/v21.0/17841/recently_searched_hashtags?access_token=SECRET&after=x"}})
    assert named.hashtags == [("1", "plantbased")]
    assert named.next_url == "https://graph.facebook.com/v21.0/17841/recently_searched_hashtags?after=x"
    for bad in ({"data": [{"name": "x"}]}, {"data": "x"}, []):
        with pytest.raises(Malformed):
            pi.recently_searched(bad)
    with pytest.raises(Malformed):
        pi.hashtag_media({"data": [{"caption": "no id"}]})


def test_hashtag_limit_counts_searches_made_elsewhere():
    from datetime import datetime, timedelta, timezone

    from microscout.crawlers.credentials import CrawlProblem
    from microscout.crawlers.spiders.instagram import check_hashtag_limit

    now = datetime(2025, 3, 10, 12, tzinfo=timezone.utc)
    used = {"ours": now - timedelta(days=2), "theirs": None}
    check_hashtag_limit(["ours", "#New"], used, 3, now)  # 2 used + 1 new
    with pytest.raises(CrawlProblem) as refused:
        check_hashtag_limit(["new", "other"], used, 3, now)
    assert str(refused.value) == (
        "Instagram allows 3 unique hashtags per account in 7 days: 2 searched since 2025-03-03 (1 of them by another "
        "tool with this account, as Instagram's recently_searched_hashtags says), and this crawl would add 2 "
        "(#new, #other); the oldest (#ours) frees up at 2025-03-15 12:00 UTC (hashtags searched this week do not "
        "count again)")
    with pytest.raises(CrawlProblem, match="each frees up 7 days after it was searched"):
        check_hashtag_limit(["new"], {"theirs": None}, 1, now)


def test_business_discovery_user():
    item = pi.profile(load("business_discovery_user.json"))
    assert (item.platform, item.platform_id, item.handle) == ("instagram", "17841407673135339", "facebookfordevelopers")
    assert item.display_name == "Facebook for Developers" and item.followers == 64976 and item.posts_count == 436
    assert item.following is None  # not asked for: unknown, not 0
    assert item.has_avatar is True and item.url == "https://www.instagram.com/facebookfordevelopers/"


def test_business_discovery_user_with_website_and_follows():
    item = pi.profile(load("business_discovery_user_facebook.json"))
    assert item.following == 9 and item.followers == 3502538
    # the profile link the exports give is the account's page, not the website it links to;
    # the website is a contact of its own
    assert item.url == "https://www.instagram.com/facebook/"
    assert item.website == "http://www.facebook.com/"


def test_business_discovery_without_a_website_or_with_one_that_is_no_http_link():
    assert pi.profile(load("business_discovery_user.json")).website is None  # the recording has none
    body = load("business_discovery_user_facebook.json")
    body["business_discovery"]["website"] = "javascript:alert(document.cookie)"
    assert pi.profile(body).website is None


@pytest.mark.parametrize("given, stored", [
    # typed into the profile without its scheme: a contact all the same (it was dropped)
    ("linktr.ee/anna.cooks", "https://linktr.ee/anna.cooks"),
    ("anna-cooks.example", "https://anna-cooks.example"),
    ("  https://anna.example/shop  ", "https://anna.example/shop"),
    ("anna cooks", None), ("mailto:anna@example.com", None), ("annacooks", None),
])
def test_a_website_written_without_its_scheme_is_read_as_https(given, stored):
    body = load("business_discovery_user_facebook.json")
    body["business_discovery"]["website"] = given
    assert pi.profile(body).website == stored


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
