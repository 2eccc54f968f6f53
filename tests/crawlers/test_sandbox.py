"""`microscout crawl CAMPAIGN` against the project's sandbox server (both platforms on one
port, random 429s, 5xx, malformed bodies and dropped connections, a tight rate limit)."""
from __future__ import annotations

import json
import sqlite3

import pytest

from tests.crawlers.conftest import crawl_env, rows, run_crawl, write_config

sandbox = pytest.importorskip("microscout.sandbox", reason="the sandbox server is not in this checkout")
if not hasattr(sandbox, "SandboxServer"):
    pytest.skip("the sandbox server is not in this checkout", allow_module_level=True)
from microscout.sandbox import IDENTIFIER, PASSWORD, Faults, SandboxServer  # noqa: E402
from microscout.sandbox.text import CAMPAIGN_TAGS  # noqa: E402

CAMPAIGN = f"""
[campaigns.vegan]
platforms = ["mastodon", "bluesky"]
hashtags = {json.dumps(list(CAMPAIGN_TAGS))}
target_tier = ["nano", "micro"]
"""


def test_campaign_crawl_of_both_platforms_under_faults(tmp_path):
    faults = Faults(rate_429=0.02, rate_5xx=0.03, rate_malformed=0.03, rate_drop=0.01, retry_after=1, seed=5,
                    fail_first={"/api/v1/timelines/tag/": (1, "429"), "/xrpc/app.bsky.feed.searchPosts": (1, "5xx")})
    with SandboxServer(size=120, seed=7, faults=faults, rate_limit=400, rate_window=3.0, lifetime=300) as server:
        config = write_config(tmp_path, server.url, extra="max_profiles = 25\nfollower_sample = 40\n" + CAMPAIGN)
        env = crawl_env(MICROSCOUT_BSKY_HANDLE=IDENTIFIER, MICROSCOUT_BSKY_APP_PASSWORD=PASSWORD)
        result = run_crawl(config, "vegan", env=env, timeout=240)
        db = tmp_path / "scout.db"
        if result.returncode == 1:
            # a request that failed on every try: the run names it, and --resume fetches it
            assert "is incomplete" in result.stderr, result.stdout + result.stderr[-3000:]
            assert {r["status"] for r in rows(db, "SELECT status FROM crawl_runs")} <= {"finished", "incomplete"}
            resumed = run_crawl(config, "vegan", "--resume", env=env, timeout=240)
            assert resumed.returncode == 0, resumed.stdout + resumed.stderr[-3000:]
            result.stdout += resumed.stdout
            result.stderr += resumed.stderr
    assert result.returncode in (0, 1), result.stdout + result.stderr[-3000:]
    runs = {r["platform"]: r for r in rows(db, "SELECT * FROM crawl_runs")}
    assert set(runs) == {"mastodon", "bluesky"}
    for platform, run in runs.items():
        assert run["status"] == "finished" and run["finished_at"] and run["duration"] > 0
        assert json.loads(run["arguments"])["campaign"] == "vegan"
        assert run["requests"] > 0 and run["profiles"] > 0
        assert 0 < len(rows(db, "SELECT * FROM profiles WHERE platform = ?", [platform])) <= 25
        stats = json.loads(run["stats"])
        assert stats["requests_per_candidate"] > 0
    assert sum(r["rate_limit_waits"] for r in runs.values()) >= 1  # the forced 429 at least
    # Every crawled post got its sponsored analysis when it was written (issue #12).
    assert rows(db, "SELECT count(*) AS n FROM posts")[0]["n"] > 0
    assert rows(db, "SELECT count(*) AS n FROM posts p WHERE NOT EXISTS "
                    "(SELECT 1 FROM post_features f WHERE f.post_id = p.id)")[0]["n"] == 0
    assert sum(sum(json.loads(r["errors"]).values()) for r in runs.values()) >= 1  # malformed bodies counted

    # opted-out profiles: id and reason only
    for p in rows(db, "SELECT * FROM profiles WHERE opted_out = 1"):
        assert p["handle"] == "" and p["opt_out_reason"] and p["bio"] is None and p["followers"] is None
        assert p["website"] is None and p["url"] is None
        for table in ("posts", "comments", "follower_samples", "profile_snapshots"):
            assert rows(db, f"SELECT 1 FROM {table} WHERE profile_id = ?", [p["id"]]) == []
    # prefiltered: the profile and its snapshot, nothing more fetched
    for p in rows(db, "SELECT * FROM profiles WHERE prefilter_reason IS NOT NULL"):
        assert json.loads(p["fetched"]) == ["profile"]
        assert rows(db, "SELECT 1 FROM posts WHERE profile_id = ?", [p["id"]]) == []
    # what was stored matches what fetched says
    for p in rows(db, "SELECT * FROM profiles WHERE opted_out = 0 AND prefilter_reason IS NULL"):
        fetched = json.loads(p["fetched"])
        assert fetched[0] == "profile"
        if rows(db, "SELECT 1 FROM posts WHERE profile_id = ?", [p["id"]]):
            assert "posts" in fetched
        if rows(db, "SELECT 1 FROM follower_samples WHERE profile_id = ?", [p["id"]]):
            assert "followers" in fetched
        assert len(rows(db, "SELECT 1 FROM profile_snapshots WHERE profile_id = ?", [p["id"]])) == 1
    # Bluesky's follower sample got its counts from getProfiles (getFollowers has none);
    # only a batch lost to the faults is left without them
    (bsky,) = rows(db, """SELECT count(*) AS n, count(f.followers) AS counted, count(f.following) AS following,
                                 count(f.posts_count) AS posts FROM follower_samples f
                          JOIN profiles p ON p.id = f.profile_id WHERE p.platform = 'bluesky'""")
    assert bsky["n"] > 0 and bsky["counted"] == bsky["following"] == bsky["posts"] >= 0.8 * bsky["n"]
    assert rows(db, "SELECT count(*) AS n FROM posts")[0]["n"] > 0
    assert rows(db, "SELECT count(*) AS n FROM posts WHERE profile_id NOT IN (SELECT id FROM profiles)")[0]["n"] == 0
    con = sqlite3.connect(db)
    dump = "\n".join(con.iterdump())
    con.close()
    job_files = b"".join(p.read_bytes() for p in (tmp_path / ".microscout").rglob("*") if p.is_file())
    assert any((tmp_path / ".microscout").rglob("crawl.log"))  # the log went to the job folder, not the console
    assert PASSWORD not in dump and PASSWORD not in result.stdout + result.stderr
    assert PASSWORD.encode() not in job_files
    assert server.tokens  # the crawl did log in
    for token in server.tokens:
        assert token not in dump and token not in result.stdout + result.stderr
        assert token.encode() not in job_files


def test_resume_of_a_campaign_resumes_the_platforms_cut_short_and_leaves_the_finished(tmp_path):
    """The first hashtag pages of Mastodon fail on every try; Bluesky's crawl finishes. The
    crawl says to run the same command with --resume, which must then fetch what Mastodon
    missed and leave the finished Bluesky run alone (it did refuse, exit 2, naming Bluesky)."""
    faults = Faults(fail_first={"/api/v1/timelines/tag/": 10})
    with SandboxServer(size=60, seed=7, faults=faults, lifetime=300) as server:
        config = write_config(tmp_path, server.url, extra="max_profiles = 8\nfollower_sample = 10\n" + CAMPAIGN)
        env = crawl_env(MICROSCOUT_BSKY_HANDLE=IDENTIFIER, MICROSCOUT_BSKY_APP_PASSWORD=PASSWORD)
        first = run_crawl(config, "vegan", env=env, timeout=240)
        assert first.returncode == 1, first.stdout + first.stderr[-3000:]
        assert "(mastodon) is incomplete" in first.stderr and "--resume" in first.stderr
        db = tmp_path / "scout.db"
        before = {r["platform"]: r for r in rows(db, "SELECT * FROM crawl_runs")}
        assert (before["mastodon"]["status"], before["bluesky"]["status"]) == ("incomplete", "finished")
        resumed = run_crawl(config, "vegan", "--resume", env=env, timeout=240)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr[-3000:]
    assert f"bluesky: nothing to resume (crawl run {before['bluesky']['id']} finished); resuming the others" \
        in resumed.stdout
    after = {r["platform"]: r for r in rows(db, "SELECT * FROM crawl_runs")}
    assert set(after) == {"mastodon", "bluesky"} and len(rows(db, "SELECT id FROM crawl_runs")) == 2
    assert after["mastodon"]["status"] == "finished" and after["mastodon"]["id"] == before["mastodon"]["id"]
    assert after["bluesky"] == before["bluesky"]  # not run again
    assert rows(db, "SELECT count(*) AS n FROM profiles WHERE platform = 'mastodon'")[0]["n"] > 0
