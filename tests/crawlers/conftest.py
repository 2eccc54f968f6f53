"""Helpers for the end-to-end crawler tests: a config pointing at a 127.0.0.1 server,
`microscout crawl` in a subprocess (a fresh reactor each), table dumps without timestamps."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.crawlers import zygote
from tests.crawlers.fakeserver import FakeServer

MICROSCOUT = str(Path(sys.executable).with_name("microscout"))


def write_config(folder: Path, url: str, extra: str = "") -> Path:
    config = folder / "config.toml"
    config.write_text(f"""
database = "scout.db"
plugins_dir = "none"

[platforms.mastodon]
base_url = "{url}"

[platforms.bluesky]
base_url = "{url}"
pds = "{url}"

[crawl]
concurrency_per_host = 4
retry_times = 2
{extra}
""")
    return config


def crawl_env(**extra: str) -> dict:
    # MICROSCOUT_STATE_DIR is the test's own (tests/conftest.py): saved sessions stay there
    env = {k: v for k, v in os.environ.items() if not k.startswith("MICROSCOUT_") or k == "MICROSCOUT_STATE_DIR"}
    env.update({"MICROSCOUT_RETRY_BACKOFF": "0.05", "PYTHONUNBUFFERED": "1", **extra})
    return env


def run_crawl(config: Path, *args: str, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    # forked from a zygote that has Python, Scrapy and microscout imported already (the
    # start-up was most of a test crawl's CPU); MICROSCOUT_TEST_ZYGOTE=0 runs it as a plain
    # subprocess.run(capture_output=True, text=True, ...), with the same results
    return zygote.run([MICROSCOUT, "crawl", *args, "--config", str(config)], cwd=config.parent,
                      env=env or crawl_env(), timeout=timeout)


def run_microscout(*args: str, cwd: Path, env: dict | None = None, timeout: float | None = 120):
    """Any other `microscout` command (shortlist, explain, export, import...) run as
    subprocess.run([MICROSCOUT, *args], capture_output=True, text=True, ...) would run it,
    forked from the zygote as run_crawl's crawls are: it runs the console script's main as
    they do (a real subprocess of each entry point stays in tests/test_demo.py)."""
    return zygote.run([MICROSCOUT, *args], cwd=cwd, env=env or crawl_env(), timeout=timeout)


def start_crawl(config: Path, *args: str, env: dict | None = None):
    """`microscout crawl` started as subprocess.Popen(..., stdout=PIPE, stderr=PIPE, text=True)
    would start it, for a test that signals it part-way: forked from the zygote as run_crawl's
    are (a zygote.Started: pid, poll, wait, send_signal, kill, communicate, returncode)."""
    return zygote.start([MICROSCOUT, "crawl", *args, "--config", str(config)], cwd=config.parent,
                        env=env or crawl_env())


def rows(db: Path, sql: str, params=()) -> list[dict]:
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute(sql, params)]
    finally:
        con.close()


def content(db: Path, host: str | None = None) -> dict[str, list]:
    """Every crawled table by natural keys, without row ids and timestamps of the crawl
    (and with the server's host:port written as HOST when given)."""
    tables = _content(db)
    if host:
        fix = lambda v: v.replace(host, "HOST") if isinstance(v, str) else v  # noqa: E731
        tables = {t: sorted(tuple(fix(v) for v in row) for row in rs) for t, rs in tables.items()}
    return tables


def _content(db: Path) -> dict[str, list]:
    return {
        "profiles": sorted(tuple(r.values()) for r in rows(db, """
            SELECT platform, platform_id, handle, display_name, bio, url, has_avatar, followers, following,
                   posts_count, created_at, last_post_at, bot, instance, api_id, bridged, collections_hidden,
                   opted_out, opt_out_reason, prefilter_reason, fetched FROM profiles""")),
        "snapshots": sorted(tuple(r.values()) for r in rows(db, """
            SELECT p.platform_id, s.followers, s.following, s.posts_count FROM profile_snapshots s
            JOIN profiles p ON p.id = s.profile_id""")),
        "posts": sorted(tuple(r.values()) for r in rows(db, """
            SELECT p.platform_id AS owner, x.platform, x.platform_id, x.created_at, x.text, x.url, x.hashtags,
                   x.mentions, x.links, x.likes, x.replies, x.reposts, x.quotes, x.is_reply, x.language
            FROM posts x JOIN profiles p ON p.id = x.profile_id""")),
        "comments": sorted(tuple(r.values()) for r in rows(db, """
            SELECT p.platform_id AS owner, c.platform_id, c.post_platform_id, c.author_id, c.author_handle,
                   c.text, c.created_at, c.likes, c.author_followers
            FROM comments c JOIN profiles p ON p.id = c.profile_id""")),
        "followers": sorted(tuple(r.values()) for r in rows(db, """
            SELECT p.platform_id AS owner, f.platform_id, f.handle, f.display_name, f.bio, f.has_avatar,
                   f.followers, f.following, f.posts_count, f.created_at
            FROM follower_samples f JOIN profiles p ON p.id = f.profile_id""")),
    }


@pytest.fixture
def server():
    with FakeServer() as s:
        yield s


# The population most end-to-end crawl tests use, and what an uninterrupted, fault-free
# crawl of it stores: the yardstick for crawls that were faulted, killed or resumed.
POPULATION = 30
COFFEE = ("mastodon", "--hashtag", "coffee", "--pages", "20")


@pytest.fixture(scope="session")
def clean_crawl(tmp_path_factory):
    """(table contents with the server's host:port as HOST, requests made) of a clean crawl."""
    folder = tmp_path_factory.mktemp("clean-crawl")
    with FakeServer(extra=POPULATION, faults=False) as server:
        config = write_config(folder, server.url)
        result = run_crawl(config, *COFFEE)
    assert result.returncode == 0, result.stderr
    (run,) = rows(folder / "scout.db", "SELECT * FROM crawl_runs")
    assert run["status"] == "finished"
    return content(folder / "scout.db", server.url.removeprefix("http://")), run["requests"]


def integrity(db: Path) -> str:
    con = sqlite3.connect(db)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


@contextmanager
def withholding(sandbox, platform: str, ids):
    """The sandbox's API leaves these ids out of its pages for the block, as real APIs'
    filtering does: pages come back short or empty with more to come."""
    state = sandbox.platform_state[platform]
    state["withheld"] = set(ids)
    try:
        yield
    finally:
        state.pop("withheld", None)
