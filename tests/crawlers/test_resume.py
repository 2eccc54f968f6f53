"""A crawl stopped part-way (SIGINT, or SIGKILL) and resumed with --resume ends with exactly
the rows of an uninterrupted crawl."""
from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from tests.crawlers.conftest import (
    COFFEE, POPULATION, content, integrity, rows, run_crawl, start_crawl, write_config)
from tests.crawlers.fakeserver import FakeServer, FaultMix

ARGS = COFFEE


@pytest.fixture
def baseline(clean_crawl):
    """The uninterrupted crawl: its table contents and its request count."""
    return clean_crawl


def interrupted(tmp_path, sig: int, after: int):
    folder = tmp_path / f"stopped-{sig}"
    folder.mkdir()
    with FakeServer(extra=POPULATION, latency=0.03, faults=False) as server:
        config = write_config(folder, server.url)
        process = start_crawl(config, *ARGS)
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
    # it continued from the saved frontier instead of starting over (which would cost 60 + all)
    assert 60 < runs[0]["requests"] <= requests + 8
    # the job folder is this database's; finished, it keeps only its log and owner
    (jobdir,) = (tmp_path / f"stopped-{sig}" / ".microscout" / "crawls").glob("scout-*/mastodon-1")
    assert sorted(p.name for p in jobdir.iterdir()) == ["crawl.log", "owner.json"]
    per_profile = rows(db, "SELECT profile_id, count(*) AS n FROM profile_snapshots GROUP BY profile_id")
    assert all(r["n"] == 1 for r in per_profile)  # still one snapshot per profile for this crawl


def start(config, *args: str):
    # Popen's stand-in, forked from the crawl zygote as run_crawl's crawls are (each of these
    # 14 crawls paid ~1 CPU-s of Python, Scrapy and microscout start-up before its first request)
    return start_crawl(config, *args)


def signal_after(process: subprocess.Popen, server, hits: int, sig: int, timeout: float = 60) -> bool:
    """Send ``sig`` once the server has answered ``hits`` more requests; False when the
    crawl ended before that."""
    target = len(server.log) + hits
    deadline = time.time() + timeout
    while len(server.log) < target and time.time() < deadline and process.poll() is None:
        time.sleep(0.005)
    if process.poll() is not None:
        return False
    process.send_signal(sig)
    return True


@pytest.mark.slow
def test_kill_9_soak_five_random_kills_each_resumed_ends_identical(tmp_path, baseline):
    """kill -9 at five random points (the first crawl, then each --resume), then a last
    --resume: the rows are those of an uninterrupted crawl and the database is sound."""
    expected, requests = baseline
    # MICROSCOUT_SOAK_SEED picks other kill points for longer trials by hand
    rng = random.Random(int(os.environ.get("MICROSCOUT_SOAK_SEED", "20")))
    with FakeServer(extra=POPULATION, faults=False, broken=False) as server:
        config = write_config(tmp_path, server.url)
        for n in range(5):
            process = start(config, *ARGS, *(["--resume"] if n else []))
            assert signal_after(process, server, rng.randint(3, requests - 40), signal.SIGKILL), \
                "the crawl ended before the kill"
            process.wait(timeout=30)
            assert process.returncode == -signal.SIGKILL
            # nobody could write the run down: it stays "running" until the next crawl finds
            # its process gone, marks it interrupted and takes it over
            assert rows(tmp_path / "scout.db", "SELECT status FROM crawl_runs") == [{"status": "running"}]
        final = run_crawl(config, *ARGS, "--resume")
        host = server.url.removeprefix("http://")
    db = tmp_path / "scout.db"
    assert final.returncode == 0, final.stderr
    assert content(db, host) == expected
    assert integrity(db) == "ok"
    (run,) = rows(db, "SELECT * FROM crawl_runs")
    assert run["status"] == "finished" and json.loads(run["arguments"])["hashtags"] == ["coffee"]
    per_profile = rows(db, "SELECT profile_id, count(*) AS n FROM profile_snapshots GROUP BY profile_id")
    assert per_profile and all(r["n"] == 1 for r in per_profile)


def test_two_databases_from_one_folder_keep_their_own_job_state(tmp_path, baseline):
    """Run ids count per database: crawls into a.db and b.db from one folder are both run 1.
    Their job folders are the databases' own; a copy of a.db may not resume a.db's state."""
    expected, _ = baseline
    a, b, c = (tmp_path / f"{name}.db" for name in "abc")
    with FakeServer(extra=POPULATION, faults=False, latency=0.03, broken=False) as server:
        config = write_config(tmp_path, server.url)
        process = start(config, *ARGS, "--db", str(a))
        assert signal_after(process, server, 60, signal.SIGINT)
        _, err = process.communicate(timeout=60)
        assert process.returncode == 1 and "--resume" in err
        server.fake.latency = 0
        other = run_crawl(config, *ARGS, "--db", str(b))  # b's run 1, while a's run 1 waits
        assert other.returncode == 0, other.stderr
        with sqlite3.connect(a) as source, sqlite3.connect(c) as copy:
            source.backup(copy)
        refused = run_crawl(config, *ARGS, "--db", str(c), "--resume")
        resumed = run_crawl(config, *ARGS, "--db", str(a), "--resume")
        host = server.url.removeprefix("http://")
    assert refused.returncode == 2, refused.stderr
    assert f"belongs to the database {a.resolve()}, not {c.resolve()}" in refused.stderr
    assert "Traceback" not in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
    assert resumed.returncode == 0, resumed.stderr
    assert content(a, host) == expected and content(b, host) == expected  # neither lost a row
    assert [r["status"] for r in rows(a, "SELECT status FROM crawl_runs")] == ["finished"]
    jobdirs = list((tmp_path / ".microscout" / "crawls").glob("*/mastodon-1"))
    owners = {json.loads((d / "owner.json").read_text())["database"]: d for d in jobdirs}
    assert set(owners) == {str(a.resolve()), str(b.resolve())}  # one folder each, neither deleted
    assert rows(a, "SELECT jobdir FROM crawl_runs")[0]["jobdir"] == str(owners[str(a.resolve())])


def test_replies_the_budget_left_unasked_stay_unfetched_when_resume_reopens_the_profile():
    # A profile whose replies the budget never asked for and whose follower sample failed:
    # --resume reopens its chain to send the follower request again, and when that comes
    # back its fetched column must still not say "comments".
    from scrapy.utils.test import get_crawler

    from microscout.crawlers.spiders.mastodon import MastodonSpider

    spider = MastodonSpider.from_crawler(get_crawler(MastodonSpider), base_url="http://x.test")
    ctx = {"pid": "ana@x.test", "api_id": "1", "handle": "ana", "followers_count": 5}
    spider._state().setdefault("open", {})["ana@x.test"] = {
        "pending": 2, "fetched": ["profile", "posts"], "failed": [], "hidden": False, "replies_asked": 1,
        "replies_expected": True}
    spider.unasked(ctx, "replies")
    spider.lose(spider.req("http://x.test/api/v1/accounts/1/followers", spider.parse_followers,
                           {**ctx, "branch": "followers", "seen": 0}), "http_503")
    spider._failed(ctx, "followers")
    assert [item.fetched for _ in range(2) for item in spider._done(ctx)] == [["profile", "posts"]]
    (resent,) = spider.missing_requests()
    assert resent.url.endswith("/followers")
    spider._fetched(ctx, "followers")  # the follower sample comes back this time
    assert [item.fetched for item in spider._done(ctx)] == [["profile", "posts", "followers"]]


def test_a_resumed_run_counts_its_retries_and_hashtag_pages_with_the_first_sessions(tmp_path):
    """The record's counts are the run's, not its last session's: hashtag pages and retries
    add up over the sessions as requests and errors do."""
    (tmp_path / "clean").mkdir()
    with FakeServer(extra=POPULATION, faults=True, broken=False) as server:  # its faults fire once a server
        clean = run_crawl(write_config(tmp_path / "clean", server.url), *ARGS)
    assert clean.returncode == 0, clean.stderr
    with FakeServer(extra=POPULATION, faults=True, broken=False, latency=0.03) as server:
        config = write_config(tmp_path, server.url)
        process = start(config, *ARGS)
        assert signal_after(process, server, 60, signal.SIGINT)
        process.communicate(timeout=60)
        (first,) = rows(tmp_path / "scout.db", "SELECT * FROM crawl_runs")
        server.fake.latency = 0
        resumed = run_crawl(config, *ARGS, "--resume")
    assert first["status"] == "interrupted" and resumed.returncode == 0, resumed.stderr
    before = json.loads(first["stats"])
    assert before["hashtag_pages"] > 0 and before["retries"] > 0  # the first session read and retried
    (whole,) = rows(tmp_path / "clean" / "scout.db", "SELECT stats FROM crawl_runs")
    (run,) = rows(tmp_path / "scout.db", "SELECT * FROM crawl_runs")
    after = json.loads(run["stats"])
    assert after["hashtag_pages"] == json.loads(whole["stats"])["hashtag_pages"]  # each page read once
    assert after["retries"] >= before["retries"]
    assert f"retries {after['retries']}\n" in resumed.stdout


def test_a_known_crawl_stopped_part_way_resumes_although_it_stored_new_candidates(tmp_path):
    """`crawl --known --hashtag …` takes the candidates stored when it begins; stopped, it has
    stored more, and the same command with --resume continues that run (not 'no interrupted
    crawl with these arguments')."""
    with FakeServer(extra=POPULATION, faults=False, broken=False, latency=0.03) as server:
        config = write_config(tmp_path, server.url)
        seeded = run_crawl(config, "mastodon", "--handle", "alice")
        assert seeded.returncode == 0, seeded.stderr
        process = start(config, *ARGS, "--known")
        assert signal_after(process, server, 60, signal.SIGINT)
        _, err = process.communicate(timeout=60)
        assert process.returncode == 1 and "--resume" in err
        db = tmp_path / "scout.db"
        assert len(rows(db, "SELECT id FROM profiles")) > 1  # the stopped run stored new candidates
        server.fake.latency = 0
        resumed = run_crawl(config, *ARGS, "--known", "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert [(r["id"], r["status"]) for r in rows(db, "SELECT id, status FROM crawl_runs")] == [
        (1, "finished"), (2, "finished")]


def test_a_crawl_whose_job_folder_cannot_be_written_is_not_left_running(tmp_path):
    # A review: the run was recorded 'running' and stayed so after the one-line error, and the
    # next crawl then marked it interrupted, though it never ran.
    (tmp_path / "blocker").write_text("a file, so no folder can be made under it")
    config = write_config(tmp_path, "http://127.0.0.1:9", 'jobdir = "blocker/jobs"')  # never contacted
    first = run_crawl(config, *COFFEE)
    assert first.returncode == 2 and "cannot write the crawl's job folder" in first.stderr, first.stderr
    (run,) = rows(tmp_path / "scout.db", "SELECT status, arguments, stats FROM crawl_runs")
    assert run["status"] == "failed"
    assert "cannot write the crawl's job folder" in json.loads(run["stats"])["message"]

    # A run being resumed stays as resumable as it was.
    con = sqlite3.connect(tmp_path / "scout.db")
    with con:
        con.execute("INSERT INTO crawl_runs (platform, arguments, status, stats) VALUES ('mastodon', ?, "
                    "'incomplete', '{}')", [run["arguments"]])
    con.close()
    resumed = run_crawl(config, *COFFEE, "--resume")
    assert resumed.returncode == 2 and "cannot write the crawl's job folder" in resumed.stderr, resumed.stderr
    assert [r["status"] for r in rows(tmp_path / "scout.db", "SELECT status FROM crawl_runs ORDER BY id")] == [
        "failed", "interrupted"]


def test_job_folders_of_old_runs_no_resume_can_use_are_deleted(tmp_path):
    # A scheduled crawl adds a job folder (its log, and an incomplete run's whole frontier) at
    # every cron time; none was ever deleted.
    from microscout.crawlers.runner import job_folder, prune_job_folders
    from microscout.store import open_store

    db_path = tmp_path / "scout.db"
    db = open_store(db_path)
    a, b = json.dumps({"hashtags": ["a"]}), json.dumps({"hashtags": ["b"]})
    runs = [("finished", a), ("failed", a), ("incomplete", a), ("interrupted", b), ("incomplete", a),
            ("finished", a), ("finished", a)]
    folders = {}
    for status, arguments in runs:
        run_id = db["crawl_runs"].insert({"platform": "mastodon", "arguments": arguments, "status": status,
                                          "started_at": "2026-01-01T00:00:00+00:00"}).last_pk
        folders[run_id] = job_folder(tmp_path / "crawls", db_path, "mastodon", run_id)
        folders[run_id].mkdir(parents=True)
        (folders[run_id] / "crawl.log").write_text("log")
        (folders[run_id] / "owner.json").write_text(json.dumps({"database": str(db_path.resolve())}))
        db["crawl_runs"].update(run_id, {"jobdir": str(folders[run_id])})
    db.conn.close()
    removed = prune_job_folders(db_path, folders[1].parent, keep=2)
    # the newest two stay; of the older ones, only the latest run of its arguments, resumable (4)
    assert sorted(removed) == sorted([folders[1], folders[2], folders[3], folders[5]])
    assert [i for i, f in folders.items() if f.exists()] == [4, 6, 7]


def test_a_resumed_run_older_than_the_kept_runs_keeps_the_log_it_just_wrote(tmp_path):
    # A review: a run resumed after 20 newer runs (a schedule's, with other arguments) writes
    # its log in its own, old, job folder; finished, the crawl's pruning deleted that folder
    # at once, the log of the crawl that had just run (and that its record names) with it.
    with FakeServer(extra=POPULATION, faults=False, latency=0.03, broken=False) as server:
        config = write_config(tmp_path, server.url)
        process = start(config, *ARGS)
        assert signal_after(process, server, 40, signal.SIGINT)
        _, err = process.communicate(timeout=60)
        assert process.returncode == 1 and "--resume" in err
        db = tmp_path / "scout.db"
        with sqlite3.connect(db) as con:
            con.executemany("INSERT INTO crawl_runs (platform, arguments, started_at, status) VALUES (?, ?, ?, ?)",
                            [("mastodon", json.dumps({"hashtags": [f"t{i}"]}), "2026-01-01T00:00:00+00:00",
                              "finished") for i in range(25)])
        con.close()
        server.fake.latency = 0
        resumed = run_crawl(config, *ARGS, "--resume")
    assert resumed.returncode == 0, resumed.stderr
    (run,) = rows(db, "SELECT status, jobdir, stats FROM crawl_runs WHERE id = 1")
    assert run["status"] == "finished"
    assert Path(json.loads(run["stats"])["log"]).is_file(), resumed.stderr


def stopped_while_waiting(process: subprocess.Popen, server, sig: int) -> tuple[float, list[dict], str]:
    """Send ``sig`` to a crawl whose requests wait (for minutes); (seconds it took to end, the
    requests the server was sent after the signal, its stderr). A crawl still running 30 s later is a
    failure of its own (it would have waited out its timers)."""
    signalled = time.monotonic()
    process.send_signal(sig)
    try:
        _, err = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        pytest.fail(f"the crawl was still running 30 s after {signal.Signals(sig).name}: it waited out its timers")
    return time.monotonic() - signalled, [e for e in server.log if e["t"] > signalled], err


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_stop_while_requests_wait_out_a_429_ends_at_once_and_resume_sends_them(tmp_path, sig, baseline):
    # A review: Ctrl-C while requests waited out a 429's Retry-After (up to MICROSCOUT_MAX_RATE_WAIT,
    # 900 s) did not stop the crawl before the wait was over: Scrapy closes the spider only once
    # every request in the downloader is done, and these were asleep in RateLimitMiddleware.
    expected, _ = baseline
    with FakeServer(extra=POPULATION, faults=False, broken=False) as server:
        config = write_config(tmp_path, server.url)
        process = start(config, *ARGS)
        deadline = time.time() + 60
        while len(server.log) < 40 and time.time() < deadline and process.poll() is None:
            time.sleep(0.005)
        assert process.poll() is None, "the crawl ended before the server began to answer 429"
        # part-way: from now on every request is answered 429, asking to wait ten minutes
        server.fake.mix = FaultMix(rate_429=1.0, retry_after="600")
        limited = len(server.log)
        while len(server.log) == limited and time.time() < deadline:
            time.sleep(0.005)
        # what was under way is answered; then a second without a request: the rest waits
        while time.time() < deadline:
            asked = len(server.log)
            time.sleep(1.0)
            if len(server.log) == asked:
                break
        took, asked_after, err = stopped_while_waiting(process, server, sig)
        db = tmp_path / "scout.db"
        (run,) = rows(db, "SELECT * FROM crawl_runs")
        server.fake.mix = None  # the server answers again
        resumed = run_crawl(config, *ARGS, "--resume")
        host = server.url.removeprefix("http://")
    assert took < 15, f"the crawl took {took:.1f} s to stop"
    assert asked_after == []  # nothing that waited was sent before its time
    assert run["status"] == "interrupted" and process.returncode == 1, (run, err)
    assert resumed.returncode == 0, resumed.stderr
    assert content(db, host) == expected  # what waited was sent by --resume
    assert [r["status"] for r in rows(db, "SELECT status FROM crawl_runs")] == ["finished"]


def test_a_stop_while_a_request_waits_for_its_crawl_delay_turn_ends_at_once_and_resume_sends_it(
        tmp_path, baseline):
    # A review: Ctrl-C while a request waited for its turn under a robots.txt Crawl-delay kept
    # the crawl running until that turn came (40 s after SIGINT, with a long Crawl-delay).
    expected, _ = baseline
    with FakeServer(extra=POPULATION, faults=False, broken=False) as server:
        server.fake.robots = "User-agent: *\nCrawl-delay: 600\n"  # within MICROSCOUT_MAX_RATE_WAIT's 900 s
        config = write_config(tmp_path, server.url)
        process = start(config, *ARGS)
        deadline = time.time() + 60
        while not server.log and time.time() < deadline and process.poll() is None:
            time.sleep(0.005)
        assert [e["path"] for e in server.log] == ["/robots.txt"]
        time.sleep(1.0)  # the instance check waits for its turn, ten minutes on
        assert process.poll() is None, "the crawl ended before it could be stopped"
        took, asked_after, err = stopped_while_waiting(process, server, signal.SIGINT)
        db = tmp_path / "scout.db"
        (run,) = rows(db, "SELECT * FROM crawl_runs")
        server.fake.robots = None  # the server no longer asks for a delay
        resumed = run_crawl(config, *ARGS, "--resume")
        host = server.url.removeprefix("http://")
    assert took < 15, f"the crawl took {took:.1f} s to stop"
    assert asked_after == []
    assert run["status"] == "interrupted" and process.returncode == 1, (run, err)
    stats = json.loads(run["stats"])
    assert not stats.get("message"), stats  # stopped, not "cannot reach the instance"
    assert resumed.returncode == 0, resumed.stderr
    assert content(db, host) == expected
    assert [r["status"] for r in rows(db, "SELECT status FROM crawl_runs")] == ["finished"]
