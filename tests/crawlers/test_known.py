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
    assert "give at least one --hashtag TAG, --handle @USER or --known" in result.stderr
