"""The Bluesky spider against a real HTTP server on 127.0.0.1: login, searchPosts with the
token through the PDS (atproto-proxy), everything else without; rows checked one by one;
secrets nowhere."""
from __future__ import annotations

import json
import sqlite3

from tests.crawlers.conftest import crawl_env, rows, run_crawl, write_config
from tests.crawlers.fakeserver import (
    APPVIEW_DID, B_FOLLOWER_GONE, B_FOLLOWERS, BSKY_IDENTIFIER, BSKY_PASSWORD, BSKY_REFRESH, BSKY_TOKEN, T0, b_follower,
    FakeServer, FaultMix, iso)

COUNTS = ("followers", "following", "posts_count")


def follower_row(k: int, hydrated: bool) -> dict:
    """The follower_samples row of follower k from what the server served: getProfiles'
    profileViewDetailed when it was asked and answered, else getFollowers' profileView."""
    gone = f"did:plc:f{k}" == B_FOLLOWER_GONE
    view = b_follower(k, detailed=hydrated and not gone)
    return {"platform_id": view["did"], "handle": view["handle"], "display_name": view["displayName"],
            "bio": view.get("description", ""), "has_avatar": int(bool(view.get("avatar"))),
            "followers": view.get("followersCount"), "following": view.get("followsCount"),
            "posts_count": view.get("postsCount"), "created_at": view["createdAt"], "last_post_at": None}


def follower_rows(db, profile_id: int) -> list[dict]:
    return rows(db, f"SELECT platform_id, handle, display_name, bio, has_avatar, {', '.join(COUNTS)}, created_at, "
                    "last_post_at FROM follower_samples WHERE profile_id = ? ORDER BY platform_id", [profile_id])


def login_env(**extra):
    return crawl_env(MICROSCOUT_BSKY_HANDLE=BSKY_IDENTIFIER, MICROSCOUT_BSKY_APP_PASSWORD=BSKY_PASSWORD, **extra)


def test_bluesky_crawl_rows(tmp_path, server):
    # dot is bot-labelled: stored with bot = 1 and, with the automated rule (which gates bots
    # out during the crawl) switched off here, fetched in full like amy, so that the two
    # creators' shared followers show their counts are fetched for each
    config = write_config(tmp_path, server.url, extra="\n[rules.automated]\nenabled = false\n")
    result = run_crawl(config, "bluesky", "--hashtag", "#kaffee", env=login_env())
    assert result.returncode == 0, result.stderr
    db = tmp_path / "scout.db"
    profiles = {r["platform_id"]: r for r in rows(db, "SELECT * FROM profiles")}
    assert set(profiles) == {"did:plc:amy000", "did:plc:ben000", "did:plc:cat000", "did:plc:dot000"}

    amy = profiles["did:plc:amy000"]
    assert amy["handle"] == "amy.bsky.test" and amy["api_id"] == "did:plc:amy000"
    assert (amy["followers"], amy["following"], amy["posts_count"]) == (2200, 80, 210)
    assert amy["bio"] == "amy brews coffee ☕" and amy["bot"] == 0
    assert json.loads(amy["fetched"]) == ["profile", "posts", "comments", "followers"]
    assert profiles["did:plc:dot000"]["bot"] == 1

    cat = profiles["did:plc:cat000"]  # label !no-unauthenticated
    assert cat["opted_out"] == 1 and cat["opt_out_reason"] == "label !no-unauthenticated"
    assert cat["handle"] == "" and cat["bio"] is None and cat["followers"] is None
    ben = profiles["did:plc:ben000"]
    assert ben["prefilter_reason"] and json.loads(ben["fetched"]) == ["profile"]

    posts = rows(db, "SELECT * FROM posts WHERE profile_id = ? ORDER BY created_at DESC", [amy["id"]])
    assert [p["platform_id"].rpartition("/")[2] for p in posts] == [f"3kamy{k:04d}" for k in range(5)]  # repost skipped
    p0 = posts[0]
    assert p0["text"] == "Café ☕ nº0 #kaffee und mehr @ben.bsky.test https://beans.example/0"
    assert json.loads(p0["hashtags"]) == ["kaffee", "barista"]
    assert json.loads(p0["mentions"]) == ["ben.bsky.test"]
    assert json.loads(p0["links"]) == ["https://beans.example/0"]
    assert p0["url"] == "https://bsky.app/profile/amy.bsky.test/post/3kamy0000"
    assert (p0["likes"], p0["reposts"], p0["replies"], p0["language"]) == (5, 1, 1, "de")

    comments = rows(db, "SELECT * FROM comments WHERE profile_id = ? ORDER BY platform_id", [amy["id"]])
    assert [c["platform_id"].rpartition("/")[2] for c in comments] == [
        "3kamy0000-r1", "3kamy0000-r2", "3kamy0001-r1", "3kamy0001-r2"]  # notFoundPost skipped
    assert comments[0]["text"] == "so good ✨" and comments[0]["author_handle"] == "rep.bsky.test"

    # getFollowers' profileViews carry no counts: every page of the sample was completed
    # with getProfiles, row by row as served; the deleted follower getProfiles left out
    # keeps unknown (NULL, not 0) counts
    for creator in ("did:plc:amy000", "did:plc:dot000"):
        assert follower_rows(db, profiles[creator]["id"]) == [follower_row(k, True) for k in range(B_FOLLOWERS)]
        assert json.loads(profiles[creator]["fetched"])[-1] == "followers"
    gone = rows(db, "SELECT * FROM follower_samples WHERE platform_id = ?", [B_FOLLOWER_GONE])
    assert len(gone) == 2 and all(r[c] is None for r in gone for c in COUNTS)
    assert rows(db, "SELECT count(*) AS n FROM follower_samples WHERE followers = 0")[0]["n"] == 0  # unknown is never 0
    # one getProfiles per getFollowers page (pages of 2, 2, 1), for both creators, even though
    # their followers are the same (the requests are not dropped as duplicates)
    follower_dids = {f"did:plc:f{k}" for k in range(B_FOLLOWERS)}
    asked = sorted(tuple(a) for a in server.fake.profiles_asked if set(a) <= follower_dids)
    assert asked == sorted([("did:plc:f0", "did:plc:f1"), ("did:plc:f2", "did:plc:f3"), ("did:plc:f4",)] * 2)

    (run,) = rows(db, "SELECT * FROM crawl_runs")
    assert run["status"] == "finished" and run["rate_limit_waits"] >= 1 and run["errors"] == "{}"
    # last_post_at: Bluesky's profiles have none, so it is the newest post fetched (the
    # repost is not amy's post); profiles whose posts were not fetched keep it unknown
    assert amy["last_post_at"] == iso(T0) and ben["last_post_at"] is None
    # first seen and last seen: both the crawl's start, the first time a profile is seen
    assert all(p["first_seen"] == p["last_seen"] for p in profiles.values())

    # every request the server saw (the session's aside, they are not Scrapy's, and robots.txt,
    # no API call) is in the run's count, the follower getProfiles included, and in requests
    # per candidate
    crawled = [e for e in server.log if "com.atproto.server." not in e["path"] and e["path"] != "/robots.txt"]
    assert run["requests"] == len(crawled)
    stats = json.loads(run["stats"])
    assert stats["requests_per_candidate"] == round(len(crawled) / 3, 2)  # amy, ben, dot (cat opted out)

    # the token rides on searchPosts only, sent to the PDS for the AppView named by
    # atproto-proxy; every other call is the AppView's, with no token and no proxying;
    # getProfiles came in batches of at most 25
    assert server.fake.session_calls == {"createSession": 1}
    for entry in crawled:
        if entry["path"] == "/xrpc/app.bsky.feed.searchPosts":
            assert entry["auth"] == f"Bearer {BSKY_TOKEN}"
            assert entry["proxy"] == f"{APPVIEW_DID}#bsky_appview"
            assert "tag=kaffee" in entry["query"] and "sort=latest" in entry["query"]
        else:
            assert entry["auth"] is None and entry["proxy"] is None, entry
    assert [e["query"].count("actors=") for e in server.log if e["path"].endswith("getProfiles")][-1] <= 25
    feed_queries = [e["query"] for e in server.log if e["path"].endswith("getAuthorFeed")]
    assert feed_queries and all("filter=posts_no_replies" in q for q in feed_queries)


def test_secrets_never_reach_db_logs_or_output(tmp_path, server):
    config = write_config(tmp_path, server.url)
    result = run_crawl(config, "bluesky", "--hashtag", "kaffee", env=login_env(MICROSCOUT_LOG_LEVEL="DEBUG"))
    assert result.returncode == 0, result.stderr[-2000:]
    assert "searchPosts" in result.stderr  # DEBUG logging did run
    db = tmp_path / "scout.db"
    con = sqlite3.connect(db)
    dump = "\n".join(con.iterdump())
    con.close()
    jobdir_files = b"".join(p.read_bytes() for p in (tmp_path / ".microscout").rglob("*") if p.is_file())
    for secret in (BSKY_PASSWORD, BSKY_TOKEN, BSKY_REFRESH):
        assert secret not in result.stdout and secret not in result.stderr
        assert secret not in dump
        assert secret.encode() not in jobdir_files


def test_missing_credentials_exit_2_saying_what_to_set(tmp_path, server):
    config = write_config(tmp_path, server.url)
    result = run_crawl(config, "bluesky", "--hashtag", "kaffee")
    assert result.returncode == 2
    assert "MICROSCOUT_BSKY_HANDLE" in result.stderr and "MICROSCOUT_BSKY_APP_PASSWORD" in result.stderr
    assert "platforms.bluesky.app_password" in result.stderr


def test_refused_login_exit_2_without_echoing_the_password(tmp_path, server):
    config = write_config(tmp_path, server.url)
    wrong = "wrong-pass-do-not-print"
    result = run_crawl(config, "bluesky", "--hashtag", "kaffee",
                       env=crawl_env(MICROSCOUT_BSKY_HANDLE=BSKY_IDENTIFIER, MICROSCOUT_BSKY_APP_PASSWORD=wrong))
    assert result.returncode == 2
    assert "refused (401 AuthenticationRequired: Invalid identifier or password): check the handle and app " \
           "password" in result.stderr
    assert wrong not in result.stdout + result.stderr and "Traceback" not in result.stderr
    assert not any(e["path"].endswith("searchPosts") for e in server.log)


def test_credentials_from_config(tmp_path, server):
    config = write_config(tmp_path, server.url)
    text = config.read_text().replace('pds = "', f'handle = "{BSKY_IDENTIFIER}"\napp_password = {{"$env" = "MY_PW"}}\npds = "')
    config.write_text(text)
    result = run_crawl(config, "bluesky", "--handle", "amy.bsky.test", "--hashtag", "kaffee",
                       env=crawl_env(MY_PW=BSKY_PASSWORD))
    assert result.returncode == 0, result.stderr
    assert len(rows(tmp_path / "scout.db", "SELECT * FROM profiles")) == 4


def test_search_refused_after_login_exit_2(tmp_path, server):
    server.fake.reject_search = (403, {"error": "Forbidden", "message": "Forbidden"})
    config = write_config(tmp_path, server.url)
    result = run_crawl(config, "bluesky", "--hashtag", "kaffee", env=login_env())
    assert result.returncode == 2
    assert "refused searchPosts (403 Forbidden: Forbidden)" in result.stderr
    assert "MICROSCOUT_BSKY_APP_PASSWORD" in result.stderr and BSKY_PASSWORD not in result.stderr
    (run,) = rows(tmp_path / "scout.db", "SELECT * FROM crawl_runs")
    assert run["status"] == "failed" and json.loads(run["errors"]) == {"http_403": 1}


def test_follower_counts_take_from_the_request_budget(tmp_path, server):
    """--max-requests 4 for amy alone: getProfile, getFollowers page 1, its getProfiles,
    getFollowers page 2; page 2's getProfiles is over budget, so its followers are stored
    without counts (NULL, never 0) and page 3 is not fetched. The sample is then 4 of the 5
    followers asked for: stored, but not called fetched (it was, so the rules judged a cut
    sample as the whole one)."""
    config = write_config(tmp_path, server.url)
    result = run_crawl(config, "bluesky", "--handle", "amy.bsky.test", "--posts", "0", "--max-requests", "4",
                       env=login_env())
    assert result.returncode == 0, result.stderr
    db = tmp_path / "scout.db"
    (amy,) = rows(db, "SELECT * FROM profiles")
    assert follower_rows(db, amy["id"]) == [follower_row(0, True), follower_row(1, True),
                                            follower_row(2, False), follower_row(3, False)]
    assert json.loads(amy["fetched"]) == ["profile"]
    (run,) = rows(db, "SELECT * FROM crawl_runs")
    stats = json.loads(run["stats"])
    assert stats["budget_exhausted"] is True
    # the spider's own requests (robots.txt, login and the retry after getProfiles' 429 aside)
    spider_requests = list(dict.fromkeys(
        (e["path"].rpartition(".")[2], e["query"]) for e in server.log
        if e["path"] != "/robots.txt" and not e["path"].endswith("createSession")))
    assert sorted(name for name, _ in spider_requests) == ["getFollowers", "getFollowers", "getProfile", "getProfiles"]
    assert server.fake.profiles_asked == [["did:plc:f0", "did:plc:f1"]]


def test_posts_the_request_budget_cut_are_not_called_fetched(tmp_path):
    """amy's feed comes 4 entries a page (3 posts and a repost, then 2 posts): --max-requests 2
    (getProfile, the feed's page 1) leaves page 2 unasked. Her 3 posts read are stored, but 3 of
    5 are not her last posts: "posts" is not in her fetched column. Nothing is missing (the
    bound chose it, as for a part never begun): exit 0."""
    from tests.crawlers.fakeserver import FakeServer

    with FakeServer(faults=False) as server:
        config = write_config(tmp_path, server.url)
        result = run_crawl(config, "bluesky", "--handle", "amy.bsky.test", "--posts", "10", "--replied-posts", "0",
                           "--followers", "0", "--no-prefilter", "--max-requests", "2", env=login_env())
        feeds = [e for e in server.log if e["path"].endswith("getAuthorFeed")]
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(feeds) == 1 and "stopped at the request budget" in result.stdout
    db = tmp_path / "scout.db"
    (amy,) = rows(db, "SELECT * FROM profiles")
    assert len(rows(db, "SELECT * FROM posts")) == 3
    assert json.loads(amy["fetched"]) == ["profile"]
    (run,) = rows(db, "SELECT * FROM crawl_runs")
    assert run["status"] == "finished" and not json.loads(run["stats"]).get("missing")


def test_follower_counts_lost_keep_the_followers(tmp_path, server):
    """getProfiles for followers fails for good (every try a 503): the sample is stored as
    getFollowers gave it, counts unknown, the profile's chain still ends, and the run says
    the counts are missing (exit 1); once the AppView answers again, --resume fetches just
    those counts."""
    server.fake.fail_follower_profiles = True
    config = write_config(tmp_path, server.url)
    args = ("bluesky", "--handle", "amy.bsky.test", "--posts", "0")
    result = run_crawl(config, *args, env=login_env())
    assert result.returncode == 1, result.stderr
    assert "    amy.bsky.test (did:plc:amy000): follower counts (http_503)" in result.stderr.splitlines()
    db = tmp_path / "scout.db"
    (amy,) = rows(db, "SELECT * FROM profiles")
    assert follower_rows(db, amy["id"]) == [follower_row(k, False) for k in range(B_FOLLOWERS)]
    assert json.loads(amy["fetched"]) == ["profile", "followers"]
    (run,) = rows(db, "SELECT * FROM crawl_runs")
    assert json.loads(run["errors"]) == {"http_5xx": 3}  # three getProfiles (each after its retries)
    assert run["status"] == "incomplete"

    server.fake.fail_follower_profiles = False
    before = len(server.log)
    resumed = run_crawl(config, *args, "--resume", env=login_env())
    assert resumed.returncode == 0, resumed.stderr
    assert {e["path"] for e in server.log[before:]} <= {"/xrpc/app.bsky.actor.getProfiles", "/robots.txt"}
    assert follower_rows(db, amy["id"]) == [follower_row(k, True) for k in range(B_FOLLOWERS)]
    # the chain reopened for the counts still says what the first session fetched
    (amy,) = rows(db, "SELECT * FROM profiles")
    assert json.loads(amy["fetched"]) == ["profile", "followers"]
    assert rows(db, "SELECT status FROM crawl_runs") == [{"status": "finished"}]


def test_a_seed_also_found_by_its_hashtag_is_fetched_once(tmp_path, server):
    """amy is both a --handle seed and an author of #kaffee, so her profile comes back twice
    (getProfile by handle, getProfiles by did): stored once, one chain of requests, and her
    fetched parts are the whole chain's."""
    config = write_config(tmp_path, server.url, extra="\n[rules.automated]\nenabled = false\n")
    result = run_crawl(config, "bluesky", "--hashtag", "#kaffee", "--handle", "amy.bsky.test", env=login_env())
    assert result.returncode == 0, result.stderr
    db = tmp_path / "scout.db"
    (amy,) = rows(db, "SELECT * FROM profiles WHERE platform_id = 'did:plc:amy000'")
    assert json.loads(amy["fetched"]) == ["profile", "posts", "comments", "followers"]
    assert len(rows(db, "SELECT 1 FROM profile_snapshots WHERE profile_id = ?", [amy["id"]])) == 1
    first_pages = [e for e in server.log if e["path"].endswith(("getAuthorFeed", "getFollowers"))
                   and "did%3Aplc%3Aamy000" in e["query"] and "cursor" not in e["query"]]
    assert sorted(e["path"].rpartition(".")[2] for e in first_pages) == ["getAuthorFeed", "getFollowers"]


def test_a_repeated_cursor_is_said_and_nothing_is_left_open(tmp_path):
    from tests.crawlers.fakeserver import FakeServer

    with FakeServer(faults=False) as server:
        server.fake.looping = True  # getAuthorFeed and getFollowers give their cursor back
        config = write_config(tmp_path, server.url, extra="\n[rules.automated]\nenabled = false\n")
        result = run_crawl(config, "bluesky", "--hashtag", "#kaffee", env=login_env())
    # The rest of each list was not read: missing, named, exit 1 (it was a note and exit 0,
    # with posts called fetched after their first page).
    assert result.returncode == 1, result.stdout + result.stderr
    assert "could not be fetched (the server's pages looped)" in result.stdout + result.stderr
    db = tmp_path / "scout.db"
    fetched = {r["platform_id"]: json.loads(r["fetched"]) for r in rows(
        db, "SELECT platform_id, fetched FROM profiles WHERE opted_out = 0 AND prefilter_reason IS NULL")}
    assert fetched and all("followers" not in f for f in fetched.values()), fetched
    (run,) = rows(db, "SELECT status, stats FROM crawl_runs")
    missing = json.loads(run["stats"])["missing"]["profiles"]
    assert run["status"] == "incomplete" and {p["profile"] for p in missing} == set(fetched)
    assert all("follower sample" in p["parts"] and p["why"][0].startswith("pagination loop") for p in missing)


def test_an_unreadable_robots_txt_leaves_the_crawl_incomplete_not_quietly_allowed(tmp_path):
    # A review: the AppView's robots.txt dropped the connection every time and the crawl fetched
    # every profile as if it had said "allow all". Now nothing is fetched there (RFC 9309), and
    # since that is no choice of the server's, what was not fetched is missing: exit 1, --resume.
    with FakeServer(faults=False) as server:
        server.fake.robots_failing = "drop"
        config = write_config(tmp_path, server.url)
        result = run_crawl(config, "bluesky", "--handle", "amy.bsky.test")
        assert {e["path"] for e in server.fake.log} == {"/robots.txt"}
        server.fake.robots_failing = None
        resumed = run_crawl(config, "bluesky", "--handle", "amy.bsky.test", "--resume")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "robots.txt could not be read" in result.stdout + result.stderr
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert rows(tmp_path / "scout.db", "SELECT handle FROM profiles") == [{"handle": "amy.bsky.test"}]


def test_a_429_page_from_a_proxy_on_the_first_answer_is_a_rate_limit_not_another_server(tmp_path):
    # A review: a 429 with an HTML body (a proxy's or CDN's page) as the AppView's first answer,
    # asking for longer than the crawl may wait, stopped the crawl saying the server "does not
    # look like" Bluesky's API, and to check --appview: it is the right server, rate limiting.
    mix = FaultMix(rate_429=1.0, retry_after="30", html_429=True)
    with FakeServer(faults=False, mix=mix) as server:
        config = write_config(tmp_path, server.url)
        result = run_crawl(config, "bluesky", "--handle", "amy.bsky.test",
                           env=login_env(MICROSCOUT_MAX_RATE_WAIT="0.2"))
    said = result.stdout + result.stderr
    assert result.returncode == 1, said
    assert "does not look like" not in said
    (run,) = rows(tmp_path / "scout.db", "SELECT status, stats FROM crawl_runs")
    assert run["status"] == "incomplete"
    whys = [w for p in json.loads(run["stats"])["missing"]["profiles"] for w in p["why"]]
    assert whys and all(w == "http_429" or w.startswith("rate limited: the server asked to wait 30 s") for w in whys)
