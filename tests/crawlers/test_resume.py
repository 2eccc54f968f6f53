"""A crawl stopped part-way (SIGINT, or SIGKILL) and resumed with --resume ends with exactly
the rows of an uninterrupted crawl."""
from __future__ import annotations

import json
import signal
import subprocess
import time

import pytest

from tests.crawlers.conftest import MICROSCOUT, content, crawl_env, rows, run_crawl, write_config
from tests.crawlers.fakeserver import FakeServer

ARGS = ("mastodon", "--hashtag", "coffee", "--pages", "20")


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    """The uninterrupted crawl: its table contents and its request count."""
    folder = tmp_path_factory.mktemp("baseline")
    with FakeServer(extra=30) as server:
        config = write_config(folder, server.url)
        result = run_crawl(config, *ARGS)
    assert result.returncode == 0, result.stderr
    (run,) = rows(folder / "scout.db", "SELECT * FROM crawl_runs")
    return content(folder / "scout.db", server.url.removeprefix("http://")), run["requests"]


def interrupted(tmp_path, sig: int, after: int):
    folder = tmp_path / f"stopped-{sig}"
    folder.mkdir()
    with FakeServer(extra=30, latency=0.03) as server:
        config = write_config(folder, server.url)
        process = subprocess.Popen([MICROSCOUT, "crawl", *ARGS, "--config", str(config)], cwd=folder,
                                   env=crawl_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 60
        while len(server.log) < after and time.time() < deadline and process.poll() is None:
            time.sleep(0.02)
        assert process.poll() is None, "the crawl ended before it could be interrupted"
        process.send_signal(sig)
        out, err = process.communicate(timeout=60)
        db = folder / "scout.db"
        (run,) = rows(db, "SELECT * FROM crawl_runs")
        host = server.url.removeprefix("http://")
        partial = content(db, host)
        server.fake.latency = 0
        resumed = run_crawl(config, *ARGS, "--resume")
    assert resumed.returncode == 0, resumed.stderr
    return process.returncode, run, partial, content(folder / "scout.db", host), resumed


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_graceful_stop_then_resume_matches_an_uninterrupted_crawl(tmp_path, sig, baseline):
    expected, requests = baseline
    code, run, partial, resumed_content, resumed = interrupted(tmp_path, sig, after=60)
    db = tmp_path / f"stopped-{sig}" / "scout.db"
    assert run["status"] == "interrupted" and code == 1
    assert len(partial["posts"]) < len(expected["posts"])  # it really was cut short
    assert resumed_content == expected
    runs = rows(db, "SELECT * FROM crawl_runs")
    assert len(runs) == 1 and runs[0]["status"] == "finished"  # the same run, continued
    # it continued from the saved frontier instead of starting over
    assert (tmp_path / f"stopped-{sig}" / ".microscout" / "crawls" / "mastodon-1" / "spider.state").exists()
    assert 60 < runs[0]["requests"] <= requests + 8
    per_profile = rows(db, "SELECT profile_id, count(*) AS n FROM profile_snapshots GROUP BY profile_id")
    assert all(r["n"] == 1 for r in per_profile)  # still one snapshot per profile for this crawl


def test_killed_crawl_is_marked_interrupted_and_resumes(tmp_path, baseline):
    expected, _ = baseline
    code, run, partial, resumed_content, resumed = interrupted(tmp_path, signal.SIGKILL, after=60)
    db = tmp_path / f"stopped-{signal.SIGKILL}" / "scout.db"
    assert code == -signal.SIGKILL and run["status"] == "running"  # nobody could write it down…
    (final,) = rows(db, "SELECT * FROM crawl_runs")
    assert final["status"] == "finished"  # …until --resume found the process gone and took over
    assert resumed_content == expected
    assert json.loads(final["arguments"])["hashtags"] == ["coffee"]
