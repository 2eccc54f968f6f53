"""`crawl --known` re-crawls stored candidates, so their follower history continues even
when hashtag discovery no longer finds them."""
from __future__ import annotations

import urllib.request

from tests.crawlers.conftest import crawl_env, rows, run_crawl, write_config
from microscout.sandbox import SandboxServer
from microscout.sandbox.text import CAMPAIGN_TAGS


def test_known_candidates_get_a_new_snapshot_without_any_hashtag(tmp_path):
    with SandboxServer(size=100, seed=3, lifetime=120) as server:
        config = write_config(tmp_path, server.url, extra="max_profiles = 6\n")
        first = run_crawl(config, "mastodon", "--hashtag", CAMPAIGN_TAGS[0], "--tier", "nano", "--tier", "micro",
                          env=crawl_env())
        assert first.returncode == 0, first.stderr[-2000:]
        db = tmp_path / "scout.db"
        known = rows(db, "SELECT id, platform_id, followers FROM profiles WHERE opted_out = 0")
        assert known
        urllib.request.urlopen(urllib.request.Request(f"{server.url}/_sandbox/advance?days=7", method="POST")).close()
        second = run_crawl(config, "mastodon", "--known", "--tier", "nano", "--tier", "micro", env=crawl_env())
        assert second.returncode == 0, second.stderr[-2000:]
    for profile in known:
        snaps = rows(db, "SELECT observed_at FROM profile_snapshots WHERE profile_id = ?", [profile["id"]])
        assert len(snaps) == 2, profile["platform_id"]
    assert len(rows(db, "SELECT * FROM profiles WHERE opted_out = 0")) == len(known)  # nothing new discovered


def test_crawl_without_hashtag_handle_or_known_is_refused(tmp_path):
    config = write_config(tmp_path, "http://127.0.0.1:9")
    result = run_crawl(config, "mastodon", env=crawl_env())
    assert result.returncode == 2
    assert "give at least one --hashtag TAG, --handle @USER, --handles FILE or --known" in result.stderr


def test_data_no_enabled_rule_reads_is_not_fetched(tmp_path):
    rules_off = ("\n[rules.audience_authenticity]\nenabled = false\n"
                 "\n[rules.comment_quality]\nenabled = false\n")
    with SandboxServer(size=100, seed=3, lifetime=120) as server:
        lean = tmp_path / "lean"
        lean.mkdir()
        result = run_crawl(write_config(lean, server.url, extra="max_profiles = 4\n" + rules_off), "mastodon",
                           "--hashtag", CAMPAIGN_TAGS[0], "--tier", "nano", "--tier", "micro", env=crawl_env())
        full = tmp_path / "full"
        full.mkdir()
        baseline = run_crawl(write_config(full, server.url, extra="max_profiles = 4\n"), "mastodon",
                             "--hashtag", CAMPAIGN_TAGS[0], "--tier", "nano", "--tier", "micro", env=crawl_env())
    assert result.returncode == 0 and baseline.returncode == 0, result.stderr[-2000:] + baseline.stderr[-2000:]
    assert "mastodon: not fetching follower samples or replies: no enabled rule reads them" in result.stdout
    lean_db, full_db = lean / "scout.db", full / "scout.db"
    assert rows(lean_db, "SELECT 1 FROM follower_samples") == [] and rows(lean_db, "SELECT 1 FROM comments") == []
    assert rows(lean_db, "SELECT 1 FROM posts")  # engagement and the rest still read posts
    for p in rows(lean_db, "SELECT fetched FROM profiles WHERE opted_out = 0 AND prefilter_reason IS NULL"):
        assert "followers" not in p["fetched"] and "comments" not in p["fetched"]
    # the same crawl with every rule on fetches both, and spends more requests doing so
    assert rows(full_db, "SELECT 1 FROM follower_samples") and rows(full_db, "SELECT 1 FROM comments")
    spent = lambda db: rows(db, "SELECT requests FROM crawl_runs")[0]["requests"]  # noqa: E731
    assert spent(lean_db) < spent(full_db)


def test_two_runs_started_in_one_second_keep_two_snapshots_apart(tmp_path):
    """A run stamps its snapshots with its start, to the second: a --known crawl started in the
    second the last one started in wrote its snapshot over the last one's (CI saw it)."""
    from datetime import datetime, timedelta, timezone

    from microscout.crawlers.runner import _run_stamp
    from microscout.store import open_store

    db = open_store(tmp_path / "scout.db")
    assert _run_stamp(db, "mastodon") <= datetime.now(timezone.utc).isoformat(timespec="seconds")
    now = datetime.now(timezone.utc).replace(microsecond=0)
    db["crawl_runs"].insert({"platform": "mastodon", "started_at": now.isoformat(), "status": "finished"})
    assert _run_stamp(db, "mastodon") == (now + timedelta(seconds=1)).isoformat()
    # a third run in that second takes the next free second, not the first run's
    db["crawl_runs"].insert({"platform": "mastodon", "started_at": (now + timedelta(seconds=1)).isoformat(),
                             "status": "finished"})
    assert _run_stamp(db, "mastodon") == (now + timedelta(seconds=2)).isoformat()
    # a run stamped far ahead of this clock (another machine's) moves nothing: only a taken second does
    db["crawl_runs"].insert({"platform": "youtube", "started_at": (now + timedelta(hours=1)).isoformat(),
                             "status": "finished"})
    assert now <= datetime.fromisoformat(_run_stamp(db, "youtube")) <= datetime.now(timezone.utc)
    # another platform's runs write other profiles' snapshots: its stamp is the clock's
    stamp = datetime.fromisoformat(_run_stamp(db, "bluesky"))
    assert now <= stamp <= datetime.now(timezone.utc)
    # a run a second old or older is no reason to move: the clock is used as it is
    db["crawl_runs"].insert({"platform": "tiktok", "started_at": (now - timedelta(seconds=2)).isoformat(),
                             "status": "finished"})
    assert now <= datetime.fromisoformat(_run_stamp(db, "tiktok")) <= datetime.now(timezone.utc)
