"""The TikTok spider against the sandbox's Research API on 127.0.0.1: one shared crawl
(tokens that die early, two 429s on the way) checked row by row against the population,
judged by `microscout shortlist`; credentials refused or missing; invalid_params lost and
sent again, as an equal POST, by --resume; secrets nowhere."""
from __future__ import annotations

import json
import sqlite3
import subprocess
from datetime import datetime, timedelta, timezone

import pytest

from microscout.crawlers.parse_tiktok import video_url
from microscout.sandbox import SandboxServer
from microscout.sandbox import tiktok_wire as wire
from microscout.sandbox.clock import DAY
from microscout.sandbox.routes_tiktok import CLIENT_KEY, CLIENT_SECRET
from microscout.sandbox.text import plain
from tests.crawlers.conftest import MICROSCOUT, crawl_env, rows, run_crawl

TAG = "veganrecipes"
BOUNDS = """
[crawl]
concurrency_per_host = 4
retry_times = 2
hashtag_pages = 2
max_profiles = 25
follower_sample = 30
posts_with_replies = 2
replies_per_post = 10
"""


def write_config(folder, url, bounds=BOUNDS):
    config = folder / "config.toml"
    config.write_text(f"""
database = "scout.db"
plugins_dir = "none"

[platforms.tiktok]
base_url = "{url}"
{bounds}
[campaigns.tt]
description = "TikTok plant-based creators"
platforms = ["tiktok"]
hashtags = ["{TAG}"]
keywords = ["vegan", "recipe", "tofu"]
target_tier = "micro"
""")
    return config


def creds(**extra):
    return crawl_env(MICROSCOUT_TIKTOK_CLIENT_KEY=CLIENT_KEY, MICROSCOUT_TIKTOK_CLIENT_SECRET=CLIENT_SECRET, **extra)


def cli(config, *args):
    return subprocess.run([MICROSCOUT, *args, "--config", str(config)], capture_output=True, text=True,
                          cwd=config.parent, env=creds(), timeout=120)


@pytest.fixture(scope="module")
def sb():
    with SandboxServer(size=200, seed=7) as server:
        yield server


@pytest.fixture(scope="module")
def crawled(sb, tmp_path_factory):
    """One crawl: every token dies after 1.5 s although the API announced 2 h (the crawler
    learns it from 401 access_token_invalid), and the first two research calls answer 429."""
    folder = tmp_path_factory.mktemp("tiktok")
    state = sb.platform_state["tiktok"]
    state.update(token_lifetime=1.5, announced_lifetime=7200, rate_limited=2)
    config = write_config(folder, sb.url)
    try:
        result = run_crawl(config, "tiktok", "--hashtag", TAG, "--json", env=creds(MICROSCOUT_LOG_LEVEL="DEBUG"),
                           timeout=60)
    finally:
        for key in ("token_lifetime", "announced_lifetime", "rate_limited"):
            state.pop(key, None)
    shortlist = cli(config, "shortlist", "tt", "--json")
    export = cli(config, "export", "tt", "--format", "csv", "--out", str(folder / "tt.csv"))
    return sb, folder, result, shortlist, export


def test_crawl_finishes_through_expired_tokens_and_429s(crawled):
    sb, folder, result, _, _ = crawled
    assert result.returncode == 0, result.stderr[-3000:]
    (run,) = rows(folder / "scout.db", "SELECT status, stats FROM crawl_runs")
    stats = json.loads(run["stats"])
    assert run["status"] == "finished"
    # announced for 2 h, each token died after 1.5 s: only the 401s can have renewed it
    assert sb.platform_state["tiktok"]["calls"]["/v2/oauth/token/"] >= 2
    assert stats["rate_limit_wait_seconds"] >= 1 and stats["reason"] == "finished"


def test_profiles_row_by_row(crawled):
    sb, folder, _, _, _ = crawled
    db = folder / "scout.db"
    profiles = rows(db, "SELECT * FROM profiles WHERE platform = 'tiktok'")
    assert 5 <= len(profiles) <= 25
    for row in profiles:
        i = sb.pop.index_of_username(row["platform_id"])
        p = sb.pop.person(i)
        assert not p.opt_out  # private accounts are never in a search
        assert (row["handle"], row["display_name"], row["bio"]) == (p.username, p.display_name, p.bio)
        assert (row["followers"], row["following"]) == (wire.followers(p, sb.day), p.following)
        assert row["posts_count"] == sb.pop.statuses_count(p, sb.day)
        assert row["has_avatar"] == int(p.has_avatar) and row["url"] == f"https://www.tiktok.com/@{p.username}"


def test_posts_comments_and_followers_row_by_row(crawled):
    sb, folder, _, _, _ = crawled
    db = folder / "scout.db"
    full = [r for r in rows(db, "SELECT * FROM profiles WHERE prefilter_reason IS NULL AND platform = 'tiktok'")]
    assert full, "no profile was fetched in full"
    since = sb.clock.day * DAY - (datetime.now(timezone.utc) - (datetime.now(timezone.utc).replace(
        hour=0, minute=0, second=0, microsecond=0) - timedelta(days=30))).total_seconds()
    for prof in full:
        assert json.loads(prof["fetched"]) == ["profile", "posts", "comments", "followers"]
        p = sb.pop.person(sb.pop.index_of_username(prof["platform_id"]))
        expected = [v for v in sorted(sb.pop.visible_posts(p.i, sb.day), key=lambda v: v.id, reverse=True)
                    if v.t >= since + 60][:30]
        got = {r["platform_id"]: r for r in rows(db, "SELECT * FROM posts WHERE profile_id = ?", [prof["id"]])}
        assert {str(v.id) for v in expected} <= set(got) and len(got) <= 30
        for v in expected:
            row = got[str(v.id)]
            assert (row["likes"], row["replies"], row["reposts"], row["views"]) == (
                wire.likes(v), wire.comments(v), wire.shares(v), wire.views(v))
            assert row["text"] == plain(v.segments) and json.loads(row["hashtags"]) == [t.lower() for t in v.tags]
            assert row["url"] == video_url(p.username, str(v.id))
            assert datetime.fromisoformat(row["created_at"].replace("Z", "+00:00")).timestamp() == pytest.approx(
                int(sb.clock.wall(v.t)), abs=1)
        # comments of the most recent videos with comments, as the API listed them
        with_comments = [v for v in sorted(got.values(), key=lambda r: r["created_at"], reverse=True)][:2]
        for post_row in with_comments:
            post = next(v for v in sb.pop.visible_posts(p.i, sb.day) if str(v.id) == post_row["platform_id"])
            stored = rows(db, "SELECT platform_id, text, likes, author_id FROM comments WHERE post_platform_id = ?",
                          [post_row["platform_id"]])
            replies = sb.pop.replies(post, sb.day)[:10]
            assert sorted((c["platform_id"], c["text"], c["likes"]) for c in stored) == sorted(
                (str(r.id), r.text, r.likes) for r in replies)
            assert all(c["author_id"] is None for c in stored)  # the Research API names no commenter
        followers = rows(db, "SELECT platform_id, display_name, followers, following, posts_count "
                             "FROM follower_samples WHERE profile_id = ?", [prof["id"]])
        listed = [sb.pop.follower(p, m) for m in list(sb.pop.follower_indexes(p, sb.day))[:30]]
        assert sorted((f["platform_id"], f["display_name"]) for f in followers) == sorted(
            (a.username, a.display_name) for a in listed)
        assert all(f["followers"] is None and f["following"] is None and f["posts_count"] is None
                   for f in followers)  # user/followers gives names only: unknown, not 0


def test_shortlist_judges_tiktok_per_view(crawled):
    sb, folder, _, shortlist, export = crawled
    assert shortlist.returncode == 0, shortlist.stderr[-2000:]
    data = json.loads(shortlist.stdout)
    assert data["shortlist"] and {e["platform"] for e in data["shortlist"]} == {"tiktok"}
    db = folder / "scout.db"
    verdicts = rows(db, "SELECT v.rule, v.outcome, v.reason, v.evidence FROM verdicts v "
                        "JOIN profiles p ON p.id = v.profile_id WHERE p.prefilter_reason IS NULL")
    engagement = [v for v in verdicts if v["rule"] == "engagement" and v["outcome"] != "unknown"]
    assert engagement and all(json.loads(v["evidence"])["per"] == "views" for v in engagement)
    assert all("/views" in v["reason"] for v in engagement)
    assert export.returncode == 0, export.stderr[-2000:]


def test_secrets_never_reach_output_logs_db_jobdir_or_exports(crawled):
    sb, folder, result, shortlist, export = crawled
    secrets = [CLIENT_SECRET, *sb.platform_state["tiktok"]["tokens"]]
    con = sqlite3.connect(folder / "scout.db")
    dump = "\n".join(con.iterdump())
    con.close()
    files = b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file() and not p.name.startswith("scout.db"))
    assert "video/query" in result.stderr or b"video/query" in files  # DEBUG logging did run somewhere
    for value in secrets:
        for text in (result.stdout, result.stderr, shortlist.stdout, shortlist.stderr, export.stdout, export.stderr):
            assert value not in text
        assert value not in dump and value.encode() not in files


def test_missing_credentials_exit_2_naming_the_variable(tmp_path, sb):
    config = write_config(tmp_path, sb.url)
    result = run_crawl(config, "tiktok", "--hashtag", TAG)
    assert result.returncode == 2
    assert "MICROSCOUT_TIKTOK_CLIENT_KEY" in result.stderr and "Traceback" not in result.stderr
    result = run_crawl(config, "tiktok", "--hashtag", TAG, env=crawl_env(MICROSCOUT_TIKTOK_CLIENT_KEY=CLIENT_KEY))
    assert result.returncode == 2 and "MICROSCOUT_TIKTOK_CLIENT_SECRET" in result.stderr


def test_refused_credentials_exit_2_without_echoing_the_secret(tmp_path, sb):
    config = write_config(tmp_path, sb.url)
    wrong = "not-the-secret-1234"
    result = run_crawl(config, "tiktok", "--hashtag", TAG, env=crawl_env(
        MICROSCOUT_TIKTOK_CLIENT_KEY=CLIENT_KEY, MICROSCOUT_TIKTOK_CLIENT_SECRET=wrong))
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "MICROSCOUT_TIKTOK_CLIENT_SECRET" in lines[0] and "invalid_client" in lines[0]
    assert wrong not in result.stderr + result.stdout and "Traceback" not in result.stderr
    assert not (tmp_path / "scout.db").exists() or not rows(tmp_path / "scout.db", "SELECT * FROM crawl_runs")


def test_invalid_params_is_missing_then_resume_sends_the_same_post(tmp_path, sb):
    """The second hashtag page answers invalid_params: counted, lost, the run incomplete;
    --resume sends that page again (same cursor and search_id in the body) and finishes."""
    state = sb.platform_state["tiktok"]
    config = write_config(tmp_path, sb.url, BOUNDS.replace("max_profiles = 25", "max_profiles = 200")
                          .replace("follower_sample = 30", "follower_sample = 0")
                          .replace("posts_with_replies = 2", "posts_with_replies = 0"))
    state["refuse_cursor"] = 1
    first = run_crawl(config, "tiktok", "--hashtag", TAG, "--json", env=creds())
    state.pop("refuse_cursor", None)
    assert first.returncode == 1, first.stderr[-2000:]
    (run,) = rows(tmp_path / "scout.db", "SELECT id, status, stats FROM crawl_runs")
    assert run["status"] == "incomplete"
    assert "hashtag" in first.stdout + first.stderr and "invalid_params" in first.stdout + first.stderr
    before = {r["platform_id"] for r in rows(tmp_path / "scout.db", "SELECT platform_id FROM profiles")}
    again = run_crawl(config, "tiktok", "--hashtag", TAG, "--resume", env=creds())
    assert again.returncode == 0, again.stderr[-2000:]
    after = {r["platform_id"] for r in rows(tmp_path / "scout.db", "SELECT platform_id FROM profiles")}
    assert before < after  # page 2's authors arrived
    statuses = [r["status"] for r in rows(tmp_path / "scout.db", "SELECT status FROM crawl_runs")]
    assert statuses == ["finished"]


def test_handles_report_found_private_and_not_found(tmp_path, sb):
    public = next(p for p in sb.pop if not p.opt_out)
    private = next(p for p in sb.pop if p.opt_out)
    config = write_config(tmp_path, sb.url, BOUNDS + "prefilter = false\n")
    result = run_crawl(config, "tiktok", "--handle", public.username, "--handle", private.username,
                       "--handle", "nobody_zzzz", env=creds())
    assert result.returncode == 0, result.stderr[-2000:]  # refused users are not a crawl failure
    (run,) = rows(tmp_path / "scout.db", "SELECT status, stats FROM crawl_runs")
    assert run["status"] == "finished"
    assert json.loads(run["stats"])["handles"] == {
        public.username: "found", private.username: "private", "nobody_zzzz": "not_found"}
    assert [r["platform_id"] for r in rows(tmp_path / "scout.db", "SELECT platform_id FROM profiles")] == [
        public.username]
