"""The sandbox's YouTube Data API answers have the keys of the real recordings
(shared/fixtures/youtube), and its key check and quota answer like YouTube's."""
from __future__ import annotations

import http.client
import json
import os
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from microscout.crawlers import parse_youtube as yp
from microscout.sandbox import SandboxServer
from microscout.sandbox import youtube_wire as wire
from microscout.sandbox.faults import Faults
from microscout.sandbox.routes_youtube import API_KEY

FIXTURES = Path(os.environ.get("MICROSCOUT_SHARED_FIXTURES", Path(__file__).parents[2].parent / "shared" / "fixtures"))
# parts of a resource only served when asked for a part the crawler never asks for
UNASKED = {"brandingSettings", "player", "contentDetails", "status"}


def real(name: str) -> dict:
    path = FIXTURES / "youtube" / name
    if not path.exists():
        pytest.skip(f"{path} not present")
    return json.loads(path.read_text())


@pytest.fixture(scope="module")
def sb():
    with SandboxServer(size=120, seed=7) as server:
        yield server


def get(sb, path: str, key: str | None = API_KEY, **params) -> tuple[int, dict]:
    from urllib.parse import urlencode

    request = urllib.request.Request(f"{sb.url}/youtube/v3/{path}?{urlencode(params)}")
    if key:
        request.add_header("X-Goog-Api-Key", key)
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def keys_cover(ours: dict, theirs: dict, skip=frozenset()) -> None:
    """Every key of the recording (recursively, first list element) is in ours."""
    for key, value in theirs.items():
        if key in skip:
            continue
        assert key in ours, key
        if isinstance(value, dict) and isinstance(ours[key], dict) and key not in ("thumbnails", "localized"):
            keys_cover(ours[key], value, skip)


def test_search_channels_playlist_videos_comments_have_the_recorded_keys(sb):
    status, search = get(sb, "search", part="snippet", q="#plantbased", type="video", order="date", maxResults=5)
    assert status == 200
    recorded = real("search_by_keywords_p1.json")
    keys_cover(search, recorded, skip={"prevPageToken"})
    keys_cover(search["items"][0], recorded["items"][0])
    channel_id = search["items"][0]["snippet"]["channelId"]

    status, channels = get(sb, "channels", part="snippet,statistics,contentDetails", id=channel_id)
    recorded = real("channels_info_multiple.json")
    keys_cover(channels, recorded)
    keys_cover(channels["items"][0], recorded["items"][0], skip={"brandingSettings"})
    assert channels["items"][0]["contentDetails"]["relatedPlaylists"]["uploads"].startswith("UU")

    uploads = channels["items"][0]["contentDetails"]["relatedPlaylists"]["uploads"]
    status, items = get(sb, "playlistItems", part="contentDetails", playlistId=uploads, maxResults=10)
    keys_cover(items, real("playlist_items_paged_1.json"))
    assert set(real("playlist_items_paged_1.json")["items"][0]) - {"snippet"} <= set(items["items"][0])
    video_ids = yp.uploads_page(items)

    status, videos = get(sb, "videos", part="snippet,statistics,paidProductPlacementDetails", id=",".join(video_ids))
    recorded = real("video_api_response.json")
    keys_cover(videos, recorded)
    keys_cover(videos["items"][0], recorded["items"][0], skip=UNASKED | {"dislikeCount", "defaultLanguage"})
    assert all(isinstance(v, str) for v in videos["items"][0]["statistics"].values())  # counts are strings
    assert {"hasPaidProductPlacement"} == set(videos["items"][0]["paidProductPlacementDetails"])

    video = next(v for v in videos["items"] if v["statistics"].get("commentCount", "0") != "0")
    status, threads = get(sb, "commentThreads", part="snippet", videoId=video["id"], maxResults=5)
    recorded = real("comment_threads_by_video_paged_1.json")
    keys_cover(threads, recorded, skip={"nextPageToken"})
    keys_cover(threads["items"][0], recorded["items"][0])
    # and the crawler's parsers read all of it
    assert yp.parse_comment_threads(threads, channel_id, video["id"], 5)
    assert yp.parse_videos(videos, channel_id) and yp.parse_channels(channels)


def test_error_bodies_have_the_recorded_shape(sb):
    status, body = get(sb, "search", key="AIzaSy-not-the-key", q="#x")
    recorded = real("error_key_invalid.json")
    assert status == 400 and body == recorded  # byte for byte the recorded (older) wire form
    assert yp.key_refused(*yp.error_of(body))
    quota = real("error_quota_exceeded.json")
    assert wire.QUOTA_EXCEEDED[1] == quota and wire.QUOTA_EXCEEDED[0] == quota["error"]["code"]


def test_quota_is_charged_per_call_and_then_refused(sb):
    state = sb.platform_state["youtube"]
    state.setdefault("spent", {})[API_KEY] = 0
    state["quota"] = 102
    try:
        assert get(sb, "search", q="#plantbased", maxResults=1)[0] == 200  # 100 units
        assert get(sb, "channels", id="UCsandbox000000000000001")[0] == 200  # 1
        assert get(sb, "channels", id="UCsandbox000000000000002")[0] == 200  # 1
        status, body = get(sb, "channels", id="UCsandbox000000000000003")
        assert status == 403 and yp.error_of(body)[1] == "quotaExceeded"
        assert get(sb, "search", q="#plantbased", maxResults=1)[0] == 403
        assert state["spent"][API_KEY] == 102
    finally:
        state["quota"] = 10**9


def test_missing_key_handle_lookup_hidden_counts_and_disabled_comments(sb):
    status, body = get(sb, "channels", key=None, id="UCsandbox000000000000001")
    assert status == 403 and "API key" in yp.error_of(body)[2]
    hidden = next(sb.pop.person(i) for i in range(120) if wire.hides_subscribers(sb.pop.person(i)))
    status, found = get(sb, "channels", part="snippet,statistics", forHandle=wire.custom_url(hidden))
    (channel,) = found["items"]
    assert channel["id"] == wire.channel_id(hidden.i)
    assert channel["statistics"]["hiddenSubscriberCount"] is True and "subscriberCount" not in channel["statistics"]
    assert yp.parse_channel(channel).followers is None
    status, nobody = get(sb, "channels", forHandle="@nobody_here")
    assert status == 200 and "items" not in nobody and nobody["pageInfo"]["totalResults"] == 0
    post = next(x for i in range(120) for x in sb.pop.visible_posts(i, 0) if wire.comments_disabled(x))
    vid = wire.video_id(post.i, post.k)
    status, body = get(sb, "commentThreads", part="snippet", videoId=vid)
    assert status == 403 and yp.error_of(body)[1] == "commentsDisabled"
    status, videos = get(sb, "videos", part="statistics", id=vid)
    assert "commentCount" not in videos["items"][0]["statistics"]
    assert yp.parse_videos(videos)[0].replies is None


def test_faulted_calls_are_charged_and_a_dropped_one_is_not():
    """Google charges a call it answers even when the answer is a 5xx or a 429; a
    connection closed without an answer was not answered, and a wrong key is not charged."""
    faults = Faults(fail_first={"/youtube/v3/search": 1, "/youtube/v3/videos": (1, "429"),
                                "/youtube/v3/channels": (1, "drop"), "/youtube/v3/commentThreads": 1})
    with SandboxServer(size=120, seed=7, faults=faults) as server:
        state = server.platform_state["youtube"]
        assert get(server, "search", q="#plantbased", maxResults=1)[0] >= 500
        assert get(server, "search", q="#plantbased", maxResults=1)[0] == 200
        assert get(server, "videos", id="vAAAAAAAAOE")[0] == 429
        with pytest.raises((urllib.error.URLError, ConnectionError, http.client.HTTPException)):
            get(server, "channels", id="UCsandbox000000000000001")
        assert get(server, "commentThreads", key="AIzaSyC-wrong", videoId="vAAAAAAAAOE")[0] >= 500
        assert state["spent"] == {API_KEY: 201} and state["calls"] == {"search": 2, "videos": 1}


def test_max_results_with_id_is_ignored_like_the_real_api(sb):
    """videos.list and channels.list: maxResults "is not supported for use in conjunction
    with the id parameter" (no error is documented: the ids say how many)."""
    ids = [wire.channel_id(i) for i in range(3)]
    status, channels = get(sb, "channels", part="snippet", id=",".join(ids), maxResults=1)
    assert status == 200 and [c["id"] for c in channels["items"]] == ids
    videos = [wire.video_id(x.i, x.k) for x in sb.pop.visible_posts(5, sb.day)[:3]]
    status, found = get(sb, "videos", part="snippet", id=",".join(videos), maxResults=1)
    assert len(videos) == 3 and status == 200 and [v["id"] for v in found["items"]] == videos


def test_subscriber_counts_are_rounded_down_to_three_significant_figures(sb):
    """The channels reference: statistics.subscriberCount "is rounded down to three
    significant figures" (PLATFORMS.md: rounded); the recording has 10700000, never 21810."""
    shown = [p for p in (sb.pop.person(i) for i in range(120)) if not wire.hides_subscribers(p)]
    status, found = get(sb, "channels", part="statistics", id=",".join(wire.channel_id(p.i) for p in shown[:50]))
    assert status == 200 and len(found["items"]) == len(shown[:50])
    for p, item in zip(shown, found["items"]):
        served = item["statistics"]["subscriberCount"]
        exact = wire.followers(p, sb.clock.day)
        assert len(served.rstrip("0")) <= 3 and int(served) <= exact, (served, exact)
        assert exact - int(served) < 10 ** max(len(str(exact)) - 3, 0)
    assert any(wire.followers(p, sb.clock.day) >= 1000 for p in shown[:50])
    assert wire.three_figures(21_810) == 21_800 and wire.three_figures(987) == 987
    assert wire.three_figures(1_987_654) == 1_980_000
