"""The Bluesky spider against a real HTTP server on 127.0.0.1: login, searchPosts with the
token, everything else without; rows checked one by one; secrets nowhere."""
from __future__ import annotations

import json
import sqlite3

from tests.crawlers.conftest import crawl_env, rows, run_crawl, write_config
from tests.crawlers.fakeserver import BSKY_IDENTIFIER, BSKY_PASSWORD, BSKY_TOKEN


def login_env(**extra):
    return crawl_env(MICROSCOUT_BSKY_HANDLE=BSKY_IDENTIFIER, MICROSCOUT_BSKY_APP_PASSWORD=BSKY_PASSWORD, **extra)


def test_bluesky_crawl_rows(tmp_path, server):
    config = write_config(tmp_path, server.url)
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

    followers = rows(db, "SELECT * FROM follower_samples WHERE profile_id = ? ORDER BY platform_id", [amy["id"]])
    assert [f["platform_id"] for f in followers] == [f"did:plc:f{k}" for k in range(5)]
    assert followers[0]["followers"] is None  # profileView has no counts: unknown, not 0

    (run,) = rows(db, "SELECT * FROM crawl_runs")
    assert run["status"] == "finished" and run["rate_limit_waits"] >= 1 and run["errors"] == "{}"

    # the token rides on searchPosts only; getProfiles came in batches of at most 25
    for entry in server.log:
        if entry["path"] == "/xrpc/app.bsky.feed.searchPosts":
            assert entry["auth"] == f"Bearer {BSKY_TOKEN}"
            assert "tag=kaffee" in entry["query"] and "sort=latest" in entry["query"]
        else:
            assert entry["auth"] is None, entry
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
    for secret in (BSKY_PASSWORD, BSKY_TOKEN):
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
    assert "refused (401)" in result.stderr
    assert wrong not in result.stdout + result.stderr
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
    server.fake.reject_search = True
    config = write_config(tmp_path, server.url)
    result = run_crawl(config, "bluesky", "--hashtag", "kaffee", env=login_env())
    assert result.returncode == 2
    assert "MICROSCOUT_BSKY_APP_PASSWORD" in result.stderr and BSKY_PASSWORD not in result.stderr
    (run,) = rows(tmp_path / "scout.db", "SELECT * FROM crawl_runs")
    assert run["status"] == "failed" and json.loads(run["errors"]) == {"http_403": 1}
