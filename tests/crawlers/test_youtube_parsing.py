"""parse_youtube on every real recording in shared/fixtures/youtube, errors included."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from microscout.crawlers import parse_youtube as yp
from microscout.crawlers.parse_common import Malformed, load_json

FIXTURES = Path(os.environ.get("MICROSCOUT_SHARED_FIXTURES", Path(__file__).parents[2].parent / "shared" / "fixtures"))
FOLDER = FIXTURES / "youtube"
COVERED: set[str] = set()


def body(name: str):
    path = FOLDER / name
    if not path.exists():
        pytest.skip(f"{path} not present")
    COVERED.add(name)
    return load_json(path.read_bytes())


def test_search_pages_give_channels_videos_and_the_next_token():
    first, second = body("search_by_keywords_p1.json"), body("search_by_keywords_p2.json")
    channels, videos = yp.search_page(first)
    assert len(videos) == 25 and videos[0] == "gQ_1zX-F_No"
    assert channels[0] == "UCo_q6aOlvPH7M-j_XGWVgXg" and len(channels) == len(set(channels)) <= 25
    assert yp.next_token(first) == "CBkQAA" and yp.next_token(second) == "CDIQAA"
    assert yp.search_page(second)[1][0] == "-2IlD-x8wvY"
    news_channels, news_videos = yp.search_page(body("search_by_developer.json"))
    assert news_videos[0] == "WuyFniRMrxY" and news_channels[0] == "UCeY0bbntWzzVIaj2z3QigXg"


def test_channels_map_to_profiles_with_counts_from_strings():
    google, second = yp.parse_channels(body("channels_info_multiple.json"))
    assert google.platform == "youtube" and google.platform_id == "UCK8sQmJBp8GCxrOtXWBpyEA"
    assert google.handle == "@google" and google.url == "https://www.youtube.com/@google"
    assert google.followers == 10_700_000 and google.posts_count == 2678 and google.following is None
    assert google.api_id == "UUK8sQmJBp8GCxrOtXWBpyEA" and google.has_avatar is True
    assert google.created_at == "2005-09-18T22:37:10Z" and google.display_name == "Google"
    assert google.bio.startswith("Experience the world of Google")
    assert second.platform_id != google.platform_id and isinstance(second.followers, int)


def test_hidden_subscriber_count_is_unknown_not_zero():
    data = body("channels_info_multiple.json")
    item = dict(data["items"][0])
    item["statistics"] = {"viewCount": "5", "hiddenSubscriberCount": True, "subscriberCount": "0", "videoCount": "3"}
    assert yp.parse_channel(item).followers is None
    del item["statistics"]
    profile = yp.parse_channel(item)
    assert profile.followers is None and profile.posts_count is None


def test_a_handle_nobody_has_gives_no_items():
    assert yp.parse_channels({"kind": "youtube#channelListResponse", "etag": "x",
                              "pageInfo": {"totalResults": 0, "resultsPerPage": 5}}) == []


def test_playlist_items_give_video_ids_over_two_pages():
    first, second = body("playlist_items_paged_1.json"), body("playlist_items_paged_2.json")
    ids = yp.uploads_page(first)
    assert len(ids) == 10 and ids[0] == "CvTApw9X8aA" and yp.next_token(first) == "CAoQAA"
    assert yp.uploads_page(second)[0] == "6aSG8SdvkoU" and len(yp.uploads_page(second)) == 3
    assert yp.next_token(second) is None  # the last page: prevPageToken only


def test_video_with_statistics():
    (post,) = yp.parse_videos(body("video_api_response.json"), "UC_x5XG1OV2P6uZZ5FSM9Ttw")
    assert post.platform_id == "D-lhorsDlUQ" and post.url == "https://www.youtube.com/watch?v=D-lhorsDlUQ"
    assert (post.likes, post.replies, post.views) == (190, 32, 7920)
    assert post.paid_flag is None  # not asked for in that call: unknown
    assert post.text.startswith("What are Actions on Google (Assistant on Air)\nIn the first episode")
    assert post.created_at == "2019-03-21T20:37:49.000Z" and post.language == "en"
    assert post.profile_platform_id == "UC_x5XG1OV2P6uZZ5FSM9Ttw"
    assert all(link.startswith("http") for link in post.links) and post.links


def test_videos_of_several_channels_keep_their_owner():
    data = body("videos_2019_stats_with_next.json")
    posts = yp.parse_videos(data)
    assert len(posts) == 5 and yp.next_token(data)
    assert {p.profile_platform_id for p in posts} == {i["snippet"]["channelId"] for i in data["items"]}
    assert posts[0].platform_id == "XXhc5UTxv5I" and posts[0].views == 2_699_558 and posts[0].replies == 8259


def test_videos_without_statistics_have_unknown_counts():
    posts = yp.parse_videos(body("videos_info_multi.json"))
    assert len(posts) == 2
    assert all(p.likes is None and p.replies is None and p.views is None for p in posts)


def test_paid_product_placement_flag():
    data = body("video_api_response.json")
    item = {**data["items"][0], "paidProductPlacementDetails": {"hasPaidProductPlacement": True}}
    assert yp.parse_video(item).paid_flag is True
    item["paidProductPlacementDetails"] = {"hasPaidProductPlacement": False}
    assert yp.parse_video(item).paid_flag is False


def test_comment_threads_by_video():
    data = body("comment_threads_by_video_paged_1.json")
    comments = yp.parse_comment_threads(data, "UC_x5XG1OV2P6uZZ5FSM9Ttw", "F1UP7wRCPH8", 20)
    assert len(comments) == 5 and yp.next_token(data)
    first = comments[0]
    assert first.platform_id == "UgyZ1jqkHKYvi1-ruOZ4AaABAg" and first.author_handle == "himani agarwal"
    assert first.author_id == "UCzj-CjKYmGlZ7vTL-vOe57A" and first.likes == 0
    assert first.text == "Google.com"  # textOriginal, not textDisplay's HTML
    assert first.post_platform_id == "F1UP7wRCPH8" and first.author_followers is None
    assert len(yp.parse_comment_threads(data, "UC_x", "F1UP7wRCPH8", 2)) == 2


def test_comment_threads_by_channel():
    data = body("comment_threads_by_channel.json")
    comments = yp.parse_comment_threads(data, "UC_x5XG1OV2P6uZZ5FSM9Ttw", "someVideo", 20)
    assert [c.text for c in comments][0] == "Hello" and comments[0].author_id == "UCTWlvHQQXUs-4IVfdnGOUbw"
    with pytest.raises(Malformed):  # a channel discussion names no video: not a video's comment
        yp.parse_comment_threads(data, "UC_x5XG1OV2P6uZZ5FSM9Ttw", None, 20)


def test_error_bodies():
    code, reason, message = yp.error_of(body("error_key_invalid.json"))
    assert (code, reason) == (400, "keyInvalid") and yp.key_refused(code, reason, message)
    code, reason, message = yp.error_of(body("error_quota_exceeded.json"))
    assert (code, reason) == (403, "quotaExceeded") and "quota" in message
    assert not yp.key_refused(code, reason, message)
    # today's wire form of a bad key (reason badRequest, details API_KEY_INVALID)
    newer = {"error": {"code": 400, "message": "API key not valid. Please pass a valid API key.",
                       "errors": [{"message": "API key not valid.", "domain": "global", "reason": "badRequest"}],
                       "status": "INVALID_ARGUMENT", "details": [{"reason": "API_KEY_INVALID"}]}}
    assert yp.key_refused(*yp.error_of(newer))
    assert yp.error_of({"items": []}) == (None, "", "")


def test_counts_are_strings_and_garbage_is_malformed():
    assert yp.count("12", "x") == 12 and yp.count(7, "x") == 7 and yp.count(None, "x") is None
    for bad in ("12k", True, 1.5, "", [1]):
        with pytest.raises(Malformed):
            yp.count(bad, "x")
    with pytest.raises(Malformed):
        yp.parse_videos({"items": [{"id": "x", "snippet": {"channelId": "UC", "publishedAt": "2020-01-01T00:00:00Z"},
                                    "statistics": {"likeCount": "many"}}]})
    with pytest.raises(Malformed):
        yp.search_page({"items": [{"id": {"kind": "youtube#video", "videoId": "a"}, "snippet": {}}]})


def test_description_hashtags_mentions_links():
    tags, mentions, links = yp.description_parts(
        "New #VeganRecipes video with @chef.anna!\nShop: https://shop.example/a#frag, mail me@x.org #plantbased")
    assert tags == ["veganrecipes", "plantbased"] and mentions == ["chef.anna"]
    assert links == ["https://shop.example/a#frag"]
    # a link ends before an emoji, a zero-width space or a full stop glued to it (a review: they
    # were stored as part of it); letters of any script stay in it
    _, _, links = yp.description_parts("🔗https://shop.example/x🔥🔥 https://ja.example/店\u200b。 "
                                       "(https://de.example/Müller).")
    assert links == ["https://shop.example/x", "https://ja.example/店", "https://de.example/Müller"]


@pytest.mark.parametrize("text, mentions", [
    # handles are case-insensitive: stored lower-case, as every other platform's mentions
    ("Thanks @AnnaCooks and @annacooks!", ["annacooks"]),
    ("Filmed with @chef.anna. Music by @beat-lab", ["chef.anna", "beat-lab"]),
    ("(@josé_cocina) and @料理ちゃん", ["josé_cocina", "料理ちゃん"]),  # any script
    ("@jose\u0301_cocina", ["josé_cocina"]),  # an accent typed as a mark of its own names the same handle
    ("@ab is too short; @" + "a" * 31 + " too long", []),  # a handle is 3 to 30 characters
    ("mail anna@cook.example, see https://youtube.com/@other", []),
])
def test_description_mentions_are_youtube_handles(text, mentions):
    assert yp.description_parts(text)[1] == mentions


def test_every_fixture_is_parsed():
    """Runs last in this module: a recording added to shared/fixtures/youtube needs a test."""
    if not FOLDER.exists():
        pytest.skip(f"{FOLDER} not present")
    assert {p.name for p in FOLDER.glob("*.json")} <= COVERED


def test_a_restricted_key_is_told_from_a_refused_one():
    # the two wire forms quoted in public issues: today's (details[].reason) and the older
    # errors[].reason of a referrer restriction; neither is a wrong key, nor quotaExceeded
    from microscout.sandbox.youtube_wire import KEY_REFERRER_BLOCKED
    older = {"error": {"errors": [{"domain": "usageLimits", "reason": "ipRefererBlocked",
                                   "message": "The request did not specify any referer. Please ensure that the "
                                              "client is sending referer or use the API Console to remove the "
                                              "referer restrictions."}], "code": 403,
                       "message": "The request did not specify any referer. Please ensure that the client is "
                                  "sending referer or use the API Console to remove the referer restrictions."}}
    for answer in (KEY_REFERRER_BLOCKED[1], older):
        code, reason, message = yp.error_of(answer)
        assert code == 403 and yp.key_blocked(reason, message) and not yp.key_refused(code, reason, message)
    for name in ("error_key_invalid.json", "error_quota_exceeded.json"):
        assert not yp.key_blocked(*yp.error_of(body(name))[1:])


def test_a_rate_limit_is_told_from_the_days_quota():
    """Google's per-time limits (403 userRateLimitExceeded, 403 or 429 rateLimitExceeded; today's
    form with details[].reason RATE_LIMIT_EXCEEDED) are waited out; quotaExceeded is not one."""
    for status, reason, message in ((403, "userRateLimitExceeded", "User Rate Limit Exceeded"),
                                    (403, "rateLimitExceeded", "Rate Limit Exceeded"),
                                    (429, "rateLimitExceeded", "Rate Limit Exceeded")):
        answer = {"error": {"errors": [{"domain": "usageLimits", "reason": reason, "message": message}],
                            "code": status, "message": message}}
        assert yp.rate_limited(yp.error_of(answer)[1]) == reason
    newer = {"error": {"code": 429, "message": "Quota exceeded for quota metric 'Queries' and limit 'Queries per "
                       "minute'", "status": "RESOURCE_EXHAUSTED",
                       "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                                    "reason": "RATE_LIMIT_EXCEEDED", "domain": "googleapis.com"}]}}
    assert yp.rate_limited(yp.error_of(newer)[1]) == "RATE_LIMIT_EXCEEDED"
    for name in ("error_quota_exceeded.json", "error_key_invalid.json"):
        assert yp.rate_limited(yp.error_of(body(name))[1]) is None
    assert yp.rate_limited("") is None


def test_a_rate_limit_has_its_own_tries_apart_from_a_5xxs():
    """rate_retry counted its tries in retry_times, which the retries of a 5xx count too: a call
    retried 3 times for a 503 then got 2 rate-limit retries (the first after 16 s, not 2 s), and
    one retried 3 times for a rate limit was not retried at all for its next 503 (RETRY_TIMES 3):
    missing, where the docs say a rate limit is asked again up to 5 times, after 2 s, 4, 8…"""
    import json
    import time

    from scrapy import Request
    from scrapy.http import TextResponse
    from scrapy.utils.test import get_crawler

    from microscout.crawlers.middlewares import BackoffRetryMiddleware
    from microscout.crawlers.settings import RETRY_CODES
    from microscout.crawlers.spiders.youtube import RATE_RETRIES, YouTubeSpider

    crawler = get_crawler(YouTubeSpider, {"RETRY_ENABLED": True, "RETRY_TIMES": 3, "RETRY_HTTP_CODES": RETRY_CODES,
                                          "MICROSCOUT_MAX_RATE_WAIT": 900.0})
    spider = YouTubeSpider.from_crawler(crawler, base_url="http://api.test/youtube/v3", unit_budget=10_000)
    crawler.spider = spider
    limited = json.dumps({"error": {"code": 403, "message": "User Rate Limit Exceeded", "errors": [
        {"domain": "usageLimits", "reason": "userRateLimitExceeded", "message": "User Rate Limit Exceeded"}]}})

    def refused(request):
        return TextResponse(request.url, status=403, body=limited.encode(), encoding="utf-8", request=request)

    request = spider.req(spider.api("videos", part="snippet", id="v1"), spider.parse_channels, {"acct": "ann"})
    request.meta["retry_times"] = 3  # a 503 asked again 3 times, then the rate limit
    for tries in range(RATE_RETRIES):
        before = time.time()
        retry = spider.rate_retry(refused(request), "userRateLimitExceeded")
        assert isinstance(retry, Request), tries
        assert 2.0 * 2 ** tries <= retry.meta["backoff_until"] - before <= 2.0 * 2 ** tries + 1.1
        assert retry.meta["retry_times"] == 3
        request = retry
    assert spider.rate_retry(refused(request), "userRateLimitExceeded") is None  # 6 tries: missing
    # a 503 after rate-limit retries is still retried as a 5xx is
    again = spider.req(spider.api("videos", part="snippet", id="v2"), spider.parse_channels, {"acct": "bob"})
    for _ in range(3):
        again = spider.rate_retry(refused(again), "userRateLimitExceeded")
    middleware = BackoffRetryMiddleware.from_crawler(crawler)
    answer = TextResponse(again.url, status=503, body=b"{}", request=again)
    assert isinstance(middleware.process_response(again, answer), Request)
