"""YouTube, TikTok and Instagram take the --max-profiles places in the same fixed order as
Mastodon and Bluesky (test_discovery_order): page 1 of each hashtag as given, then page 2 of
each, within a page as listed, whichever hashtag's answer the server sends first.

Each crawl runs twice against one sandbox, once with the first hashtag's searches answered
late and once with the second's (Faults.slow), and must store what the fixed order gives:
the first --max-profiles authors of the hashtag pages read in that order from the sandbox
itself (through its routes, no crawler involved beyond the parsers of one page)."""
from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest

from microscout.crawlers import parse_instagram as pi
from microscout.crawlers import parse_tiktok as pt
from microscout.crawlers import parse_youtube as yp
from microscout.crawlers.spiders.tiktok import VIDEO_FIELDS
from microscout.sandbox import SandboxServer
from microscout.sandbox import instagram_wire as iw
from microscout.sandbox.faults import Faults
from microscout.sandbox.routes_instagram import TOKEN as IG_TOKEN
from microscout.sandbox.routes_tiktok import CLIENT_KEY, CLIENT_SECRET
from microscout.sandbox.routes_youtube import API_KEY
from tests.crawlers.conftest import crawl_env, rows, run_crawl

TAGS = ("veganrecipes", "plantbased")
SLOW = 1.5  # seconds the slowed hashtag's answers wait: the other's pages are all in before them
SMALL = ("--posts", "1", "--replied-posts", "0", "--followers", "0", "--no-prefilter", "--pages", "2")
EDGES = ("top_media", "recent_media")
PLATFORMS = ["youtube", "tiktok", "instagram"]


@pytest.fixture(scope="module")
def sandbox():
    with SandboxServer(size=80, seed=7, faults=Faults(), lifetime=600) as sb:
        sb.platform_state["instagram"]["admin"] = True  # captions keep their @: hashtag media name authors
        yield sb


# -- the fixed order, read from the sandbox ---------------------------------------------

def youtube_pages(sb, tag: str, pages: int) -> list[list[str]]:
    out, token = [], None
    for _ in range(pages):
        query = {"part": ["snippet"], "q": [f"#{tag}"], "type": ["video"], "order": ["date"], "maxResults": ["50"],
                 **({"pageToken": [token]} if token else {})}
        _, body, _ = sb.dispatch("GET", "/youtube/v3/search", query, b"", None, headers={"x-goog-api-key": API_KEY})
        channels, _ = yp.search_page(body)
        out.append(channels)
        token = yp.next_token(body)
        if not (token and channels):
            break
    return out


def tiktok_pages(sb, tag: str, pages: int) -> list[list[str]]:
    sb.platform_state["tiktok"].setdefault("tokens", {})["order-test"] = time.time()
    today = datetime.now(timezone.utc).date()
    window = {"start_date": (today - timedelta(days=30)).strftime("%Y%m%d"), "end_date": today.strftime("%Y%m%d")}
    out, page = [], {}
    for _ in range(pages):
        body = {"query": {"and": [{"operation": "IN", "field_name": "hashtag_name", "field_values": [tag]}]},
                **window, "max_count": 100, **page}
        _, answer, _ = sb.dispatch("POST", "/v2/research/video/query/", {"fields": [VIDEO_FIELDS]},
                                   json.dumps(body).encode(), None, headers={"authorization": "Bearer order-test"})
        posts, cursor, more, search_id = pt.parse_videos(answer)
        out.append(list(dict.fromkeys(p.profile_platform_id for p in posts)))
        if not (more and cursor is not None):
            break
        page = {"cursor": cursor, **({"search_id": search_id} if search_id else {})}
    return out


def instagram_pages(sb, tag: str, edge: str, pages: int) -> list[list[str]]:
    auth = {"authorization": f"Bearer {IG_TOKEN}"}
    _, found, _ = sb.dispatch("GET", "/v21.0/ig_hashtag_search", {"user_id": [iw.OWN_ACCOUNT], "q": [tag]}, b"",
                              None, headers=auth)
    query = {"user_id": [iw.OWN_ACCOUNT], "fields": ["id,caption"], "limit": ["50"]}
    out = []
    for _ in range(pages):
        _, body, _ = sb.dispatch("GET", f"/v21.0/{found['data'][0]['id']}/{edge}", query, b"", None, headers=auth)
        page = pi.hashtag_media(body)
        out.append([name for name in page.authors if pi.USERNAME.match(name)])
        if not (page.media and page.next_url):
            break
        query = parse_qs(urlsplit(page.next_url).query)
    return out


def first_authors(chains: list[list[list[str]]], n: int) -> list[str]:
    """The first n distinct authors of the chains' pages taken page 1 of each chain, then page 2 …"""
    taken: list[str] = []
    for page in range(max(len(c) for c in chains)):
        for chain in chains:
            for author in chain[page] if page < len(chain) else ():
                if author not in taken and len(taken) < n:
                    taken.append(author)
    return taken


# -- the crawls -------------------------------------------------------------------------

def write_config(folder, url: str) -> None:
    (folder / "config.toml").write_text(f"""
database = "scout.db"
plugins_dir = "none"

[platforms.youtube]
base_url = "{url}/youtube/v3"

[platforms.tiktok]
base_url = "{url}"

[platforms.instagram]
base_url = "{url}/v21.0"

[crawl]
concurrency_per_host = 4
retry_times = 1
""")


def api_env() -> dict:
    """The sandbox's keys and tokens for the three API platforms."""
    return crawl_env(MICROSCOUT_YOUTUBE_API_KEY=API_KEY, MICROSCOUT_TIKTOK_CLIENT_KEY=CLIENT_KEY,
                     MICROSCOUT_TIKTOK_CLIENT_SECRET=CLIENT_SECRET, MICROSCOUT_INSTAGRAM_TOKEN=IG_TOKEN,
                     MICROSCOUT_INSTAGRAM_USER_ID=iw.OWN_ACCOUNT)


def stored(tmp_path, sb, name: str, platform: str, slow: dict, max_profiles: int) -> set[str]:
    folder = tmp_path / name
    folder.mkdir()
    write_config(folder, sb.url)
    env = api_env()
    sb.faults.faults.slow = slow
    try:
        result = run_crawl(folder / "config.toml", platform, *[a for t in TAGS for a in ("--hashtag", t)], *SMALL,
                           "--max-profiles", str(max_profiles), env=env)
    finally:
        sb.faults.faults.slow = {}
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    key = "handle" if platform == "instagram" else "platform_id"
    return {r[key] for r in rows(folder / "scout.db", f"SELECT {key} FROM profiles WHERE platform = ?", [platform])}


# What makes each hashtag's answers late: its text in the search's query (YouTube's q=, the
# Instagram hashtag search that leads to both its edges) or in the video/query POST's body.
SLOWED = {
    "youtube": lambda tag: f"q=#{tag}&",
    "tiktok": lambda tag: f'"field_values":["{tag}"]',
    "instagram": lambda tag: f"ig_hashtag_search?user_id={iw.OWN_ACCOUNT}&q={tag}",
}


def expected(sb, platform: str, max_profiles: int) -> set[str]:
    if platform == "youtube":
        chains = [youtube_pages(sb, tag, 2) for tag in TAGS]
    elif platform == "tiktok":
        chains = [tiktok_pages(sb, tag, 2) for tag in TAGS]
    else:  # each hashtag's two edges, top_media before recent_media
        chains = [instagram_pages(sb, tag, edge, 2) for tag in TAGS for edge in EDGES]
    taken = first_authors(chains, max_profiles)
    assert len(taken) == max_profiles  # the pages hold more authors than the crawl may take
    if platform == "instagram":  # business_discovery sees professional accounts only
        return {n for n in taken if (p := iw.person_by_username(sb.pop, n)) is not None and iw.professional(p)}
    return set(taken)


# the bound falls inside the second hashtag's page 1 (YouTube, TikTok) or the first hashtag's
# recent_media (Instagram, whose pages name a few authors each): the other order changes the set
BOUND = {"youtube": 30, "tiktok": 40, "instagram": 8}


@pytest.mark.parametrize("platform", PLATFORMS)
def test_the_max_profiles_places_go_in_the_fixed_order_whichever_hashtag_answers_first(tmp_path, sandbox, platform):
    want = expected(sandbox, platform, BOUND[platform])
    first_late = stored(tmp_path, sandbox, "first-late", platform, {SLOWED[platform](TAGS[0]): SLOW}, BOUND[platform])
    second_late = stored(tmp_path, sandbox, "second-late", platform, {SLOWED[platform](TAGS[1]): SLOW},
                         BOUND[platform])
    assert first_late == want
    assert second_late == want


# -- a hashtag page that fails for good ends its hashtag's turn ----------------------------

def api_spider(platform: str):
    from scrapy.utils.test import get_crawler

    from microscout.crawlers.spiders.base import Bounds
    from microscout.crawlers.spiders.instagram import InstagramSpider
    from microscout.crawlers.spiders.tiktok import TikTokSpider
    from microscout.crawlers.spiders.youtube import YouTubeSpider

    cls, extra = {"youtube": (YouTubeSpider, {"base_url": "http://api.test/youtube/v3", "unit_budget": 10_000}),
                  "tiktok": (TikTokSpider, {"base_url": "http://api.test"}),
                  "instagram": (InstagramSpider, {"base_url": "http://api.test/v21.0", "ig_user_id": "1"})}[platform]
    return cls.from_crawler(get_crawler(cls), hashtags=("a", "b"), bounds=Bounds(hashtag_pages=2), **extra)


def failed_for_good(spider, url: str, ctx: dict):
    """What the spider's hashtag callback yields for a page the server keeps answering 500."""
    from scrapy.http import TextResponse

    request = spider.req(url, spider.parse_media if "edge" in ctx else spider.parse_search, ctx)
    request.meta["max_retry_times"] = 0  # no retry left: failed for good
    response = TextResponse(request.url, status=500, body=b"{}", encoding="utf-8", request=request)
    return list(request.callback(response, **request.cb_kwargs))


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_hashtag_page_that_fails_for_good_lets_the_pages_after_it_take_their_authors(platform):
    from scrapy import Request

    spider = api_spider(platform)
    # b's page 1 is in first: its author waits for a's page 1
    later = {"tag": "b", "page": 1, **({"edge": "top_media"} if platform == "instagram" else {})}
    assert [r for r in spider.tag_page(later, ["bobby_b"], more=False) if isinstance(r, Request)] == []
    # a's page 1 (Instagram: a's search, which both its lists come from) fails: b's author is
    # looked up now, not only when the crawl goes idle
    first = {"tag": "a", "page": 0 if platform == "instagram" else 1,
             **(spider.dates() if platform == "tiktok" else {})}  # (TikTok's body names the search window)
    out = failed_for_good(spider, "http://api.test/search?a", first)
    looked_up = [r for r in out if isinstance(r, Request)]
    assert len(looked_up) == 1 and "bobby_b" in (looked_up[0].url + looked_up[0].body.decode())
    assert spider.state["missing"]  # a's page is missing, for --resume


# -- a hashtag page whose next page is itself --------------------------------------------

def repeating_page(spider, platform: str):
    """(request, response) of a hashtag's page 2 whose next cursor (TikTok) or next link
    (Instagram) leads to that very page again."""
    from scrapy.http import TextResponse

    author = {"username": "bobby_b", "id": 7, "create_time": 1_700_000_000}
    if platform == "tiktok":
        url = spider.api("video/query", VIDEO_FIELDS, cursor=100, search_id="s1")
        ctx = {"tag": "a", "page": 2, **spider.dates()}
        body = {"data": {"videos": [author], "cursor": 100, "has_more": True, "search_id": "s1"},
                "error": {"code": "ok", "message": ""}}
    else:
        url = "http://api.test/v21.0/17843/top_media?user_id=1&fields=id%2Ccaption&limit=50&after=QVFI"
        ctx = {"tag": "a", "page": 2, "edge": "top_media"}
        body = {"data": [{"id": "1", "caption": "hi @bobby_b"}], "paging": {"next": url + "&access_token=T"}}
    request = spider.req(url, spider.parse_search if platform == "tiktok" else spider.parse_media, ctx)
    return request, TextResponse(url, status=200, body=json.dumps(body).encode(), encoding="utf-8", request=request)


@pytest.mark.parametrize("platform", ["tiktok", "instagram"])
def test_a_hashtag_page_that_leads_to_itself_is_a_loop_not_a_silent_end(platform):
    """TikTok's video/query and Instagram's hashtag media had no loop check (YouTube's,
    Mastodon's and Bluesky's hashtag pages have): a next page equal to the page read was sent,
    Scrapy's duplicate filter dropped it without a word, the hashtag's pages after it were never
    read and the run said finished. It is a pagination loop: the next page is missing."""
    from scrapy import Request
    from w3lib.url import canonicalize_url

    spider = api_spider(platform)
    spider.bounds.hashtag_pages = 5
    request, response = repeating_page(spider, platform)
    out = list(request.callback(response, **request.cb_kwargs))
    same = canonicalize_url(request.url, keep_fragments=True)
    assert not [r for r in out if isinstance(r, Request) and canonicalize_url(r.url, keep_fragments=True) == same]
    assert [m["what"]["hashtag"] for m in spider.state["missing"].values()] == ["a"]
    assert spider.crawler.stats.get_value("microscout/pagination_loops") == 1
    # page 2 was read: the words name page 3, the one missing; the request keeps page 2's ctx,
    # so a --resume that meets the same loop records the same entry (not a growing page number)
    (entry,) = spider.state["missing"].values()
    # Instagram's two lists each have their pages: the entry names the list (85ec1e4)
    listed = {"list": "top media"} if platform == "instagram" else {}
    assert entry["what"] == {"hashtag": "a", "page": 3, **listed} and entry["ctx"]["page"] == 2


def test_an_instagram_hashtag_page_whose_next_link_is_on_another_host_is_missing_not_the_end():
    """Graph API paging.next is a whole URL (the other platforms' cursors and page tokens go back
    to the configured server): one on another origin was refused and the hashtag's list read as
    ended, its later pages never read and nothing missing. It is not sent, and the next page is
    missing, named with the host; the request budget does not pay for it."""
    from scrapy import Request
    from scrapy.http import TextResponse

    spider = api_spider("instagram")
    spider.bounds.hashtag_pages = 5
    url = "http://api.test/v21.0/17843/top_media?user_id=1&fields=id%2Ccaption&limit=50"
    elsewhere = "https://graph.other.test/v21.0/17843/top_media?user_id=1&limit=50&after=QVFI&access_token=T"
    body = {"data": [{"id": "1", "caption": "hi @bobby_b"}], "paging": {"next": elsewhere}}
    request = spider.req(url, spider.parse_media, {"tag": "a", "page": 1, "edge": "top_media"})
    response = TextResponse(url, status=200, body=json.dumps(body).encode(), encoding="utf-8", request=request)
    out = list(request.callback(response, **request.cb_kwargs))
    assert not [r for r in out if isinstance(r, Request) and "other.test" in r.url]
    (entry,) = spider.state["missing"].values()
    assert entry["what"] == {"hashtag": "a", "page": 2, "list": "top media"}
    assert entry["why"] == "next page on another host: graph.other.test, not followed"
    assert "access_token" not in entry["url"]
    assert spider.state["requests"] == 1  # bobby_b's lookup; not the page
    assert spider.crawler.stats.get_value("microscout/offsite_refused") == 1


@pytest.mark.parametrize("platform", PLATFORMS)
def test_no_hashtag_page_is_asked_once_every_place_is_taken(tmp_path, sandbox, platform):
    # A review: TikTok and Instagram read the hashtags' next pages after the --max-profiles
    # places were all taken (requests of TikTok's daily quota, of Instagram's hourly rate) for
    # authors the crawl could no longer take; YouTube already stopped (100 units a page).
    chains = 2 if platform == "instagram" else 1  # Instagram reads two lists a hashtag, side by side
    folder = tmp_path / platform
    folder.mkdir()
    write_config(folder, sandbox.url)
    env = api_env()
    result = run_crawl(folder / "config.toml", platform, "--hashtag", TAGS[0], *SMALL[:-2], "--pages", "4",
                       "--max-profiles", "2", env=env)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    (run,) = rows(folder / "scout.db", "SELECT stats FROM crawl_runs")
    stats = json.loads(run["stats"])
    assert stats["max_profiles_reached"] is True
    assert stats["hashtag_pages"] == chains

