"""Judging a shortlist across cores (issue #12): `shortlist --workers N` forks N processes
that judge the batches; the run it stores is the one judging in process stores."""
from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from microscout.cli import cli
from microscout.cli.shortlist import candidate_count
from microscout.config import load_config
from microscout.engine import features
from microscout.engine.plugins import collect_rules, plugin_manager_for
from microscout.engine.pool import WorkerDied, WorkerPool, can_fork
from microscout.engine.shortlist import batch_bounds, run_shortlist
from microscout.sandbox.storewriter import generate
from microscout.store import open_store
from tests.conftest import REPO
from tests.engine.helpers import NOW

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux") or not can_fork(),
                                reason="workers are forked; the tests read /proc for child processes")

BATCH = "20"  # 146 candidates: 8 batches, so that several workers each judge several

# A plugins_dir rule that says which process judged each candidate; loaded once, in the
# main process, before any worker is forked.
WHO = '''
import os
from microscout import Rule, Verdict, hookimpl

MAIN = os.getpid()

def evaluate(candidate, options, context):
    return Verdict(outcome="pass", score=1.0, reason="judged", evidence={"pid": os.getpid(), "main": MAIN})

@hookimpl
def register_rules(register):
    register(Rule(name="who_judged", summary="Which process judged", evaluate=evaluate))
'''

# One that kills the worker judging one candidate of the last batch (never the main process).
CRASH = '''
import faulthandler, os, signal
from microscout import Rule, Verdict, hookimpl

MAIN = os.getpid()

def evaluate(candidate, options, context):
    if candidate.profile.id == {victim} and os.getpid() != MAIN:
        faulthandler.disable()  # pytest's, inherited: its dump of the worker's stack is noise here
        {how}
    return Verdict(outcome="pass", score=1.0, reason="alive")

@hookimpl
def register_rules(register):
    register(Rule(name="crashes", summary="Kills its worker on one candidate", evaluate=evaluate))
'''


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("pool") / "generated.db"
    generate(path, 150, 7, posts=10)
    db = open_store(path)
    # The stored features the shipped config's rules read (its demo campaign's niche terms),
    # so a shortlist has nothing to compute first and prints only its own lines.
    config = load_config(REPO / "config.toml")
    features.refresh(db, config, collect_rules(plugin_manager_for(config)))
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # all in the one file each test copies
    db.close()
    return path


@pytest.fixture
def store(generated, tmp_path) -> Path:
    """A copy of the generated store, with the shipped config beside it (its demo campaign;
    plugins from the folder's own plugins/)."""
    shutil.copyfile(generated, tmp_path / "scout.db")
    (tmp_path / "plugins").mkdir()
    config = (REPO / "config.toml").read_text()
    assert 'database = "microscout.db"' in config and 'plugins_dir = "plugins"' in config
    (tmp_path / "config.toml").write_text(config.replace('database = "microscout.db"', 'database = "scout.db"'))
    return tmp_path


def shortlist(folder: Path, *args: str):
    return CliRunner().invoke(cli, ["--config", str(folder / "config.toml"), "shortlist", "demo",
                                    "--batch-size", BATCH, *args])


def rows(db, run_id: int) -> tuple[list, list]:
    verdicts = db.execute("SELECT profile_id, rule, outcome, score, reason, evidence FROM verdicts "
                          "WHERE run_id = ? ORDER BY profile_id, rule", [run_id]).fetchall()
    entries = db.execute("SELECT profile_id, platform, handle, tier, followers, engagement_rate, score, rank, "
                         "excluded_by, reasons FROM shortlist_entries WHERE run_id = ? ORDER BY profile_id",
                         [run_id]).fetchall()
    return verdicts, entries


def children() -> list[int]:
    """The pids of this process's child processes, alive or not yet reaped."""
    mine = str(os.getpid())
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue  # it ended while we looked
        if fields[1] == mine and not _resource_tracker(stat.parent):
            found.append(int(stat.parent.name))
    return found


def _resource_tracker(proc: Path) -> bool:
    # multiprocessing's resource tracker lives as long as this process once any test in it
    # has used a spawn pool (the sandbox generator does): it is not one of shortlist's workers.
    try:
        return b"resource_tracker" in (proc / "cmdline").read_bytes()
    except OSError:
        return False


def loaded(folder: Path):
    db = open_store(folder / "scout.db")
    config = load_config(folder / "config.toml")
    return db, config, collect_rules(plugin_manager_for(config))


def test_two_workers_store_the_run_one_process_stores(store):
    # A fixed clock: rules measure time from the run's start (posting cadence: the days
    # since the last post), so two runs a second apart may differ in the fourth decimal.
    (store / "plugins" / "who.py").write_text(WHO)
    db, config, rules = loaded(store)
    one = run_shortlist(db, config, rules, "demo", now=NOW, batch_size=int(BATCH), workers=1)
    two = run_shortlist(db, config, rules, "demo", now=NOW, batch_size=int(BATCH), workers=2)
    judges = [{json.loads(e)["pid"] for (e,) in db.execute(
        "SELECT evidence FROM verdicts WHERE run_id = ? AND rule = 'who_judged'", [run])}
        for run in (one.run_id, two.run_id)]
    assert judges[0] == {os.getpid()} and len(judges[1]) == 2 and os.getpid() not in judges[1]
    db.execute("DELETE FROM verdicts WHERE rule = 'who_judged'")  # the one verdict that differs, by design
    first, second = rows(db, one.run_id), rows(db, two.run_id)
    assert len(first[1]) == candidate_count(db, ["mastodon", "bluesky"]) == one.candidates > int(BATCH) * 2
    assert len(first[0]) > 10 * len(first[1])  # every rule's verdict on every candidate
    assert first == second  # every verdict and every entry, rank included
    # the tallies the command prints, in the order it prints them
    assert (one.candidates, one.excluded, one.errors) == (two.candidates, two.excluded, two.errors)
    assert list(one.excluded_by.items()) == list(two.excluded_by.items()) and len(one.excluded_by) > 1
    assert list(one.errors_by_rule.items()) == list(two.errors_by_rule.items())
    assert children() == []


def test_a_plugins_dir_rule_runs_inside_the_workers(store):
    (store / "plugins" / "who.py").write_text(WHO)
    result = shortlist(store, "--workers", "2")
    assert result.exit_code == 0, result.output
    db = open_store(store / "scout.db")
    evidence = [json.loads(e) for (e,) in db.execute(
        "SELECT evidence FROM verdicts WHERE run_id = 1 AND rule = 'who_judged'")]
    assert len(evidence) == candidate_count(db, ["mastodon", "bluesky"])
    judges = {e["pid"] for e in evidence}
    assert len(judges) == 2 and os.getpid() not in judges  # two workers, not this process
    assert {e["main"] for e in evidence} == {os.getpid()}  # the rule was loaded here, before the fork
    assert children() == []


@pytest.mark.parametrize("how, said", [("os._exit(3)", "exited with status 3"),
                                       ("os.kill(os.getpid(), signal.SIGSEGV)", "was killed by signal SIGSEGV")])
def test_a_worker_that_dies_fails_the_run_cleanly(store, how, said):
    db = open_store(store / "scout.db")
    first, last = batch_bounds(db, ["mastodon", "bluesky"], int(BATCH))[-1]
    (store / "plugins" / "crash.py").write_text(CRASH.format(victim=last, how=how))
    result = shortlist(store, "--workers", "2")
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert f"{said} while judging the candidates with profile ids {first}–{last};" in lines[0]
    assert lines[0].startswith("Error: a judging worker (process ") and lines[0].endswith("the run was discarded")
    assert db.execute("SELECT status FROM shortlist_runs").fetchall() == [("failed",)]
    assert db.execute("SELECT COUNT(*) FROM verdicts").fetchone()[0] == 0
    assert db.execute("SELECT COUNT(*) FROM shortlist_entries").fetchone()[0] == 0
    assert children() == []


def test_ctrl_c_discards_the_run_and_ends_the_workers(store):
    db, config, rules = loaded(store)

    def interrupt(done):
        if done > int(BATCH):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_shortlist(db, config, rules, "demo", now=NOW, batch_size=int(BATCH), workers=2, progress=interrupt)
    assert db.execute("SELECT status FROM shortlist_runs").fetchall() == [("interrupted",)]
    assert db.execute("SELECT COUNT(*) FROM verdicts").fetchone()[0] == 0
    assert children() == []


def test_the_progress_counts_every_candidate_as_batches_come_back(store):
    db, config, rules = loaded(store)
    seen: list[int] = []
    summary = run_shortlist(db, config, rules, "demo", now=NOW, batch_size=int(BATCH), workers=3,
                            progress=seen.append)
    total = candidate_count(db, ["mastodon", "bluesky"])
    assert summary.candidates == total and seen[-1] == total
    assert len(seen) == -(-total // int(BATCH)) and seen == sorted(set(seen))  # once a batch, always up


def test_one_batch_is_judged_in_process(store):
    (store / "plugins" / "who.py").write_text(WHO)
    result = shortlist(store, "--workers", "2", "--batch-size", "500")
    assert result.exit_code == 0, result.output
    db = open_store(store / "scout.db")
    pids = {e for (e,) in db.execute("SELECT json_extract(evidence, '$.pid') FROM verdicts WHERE rule = 'who_judged'")}
    assert pids == {os.getpid()}


@pytest.mark.parametrize("value", ["0", "-2", "two"])
def test_a_bad_workers_value_is_one_line_and_exit_2(store, value):
    result = shortlist(store, "--workers", value)
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"Error: --workers must be a whole number of processes, 1 or more (got {value!r}); 1 judges in this process"]


def test_an_error_in_a_worker_is_raised_here_as_itself(generated):
    def work(db, task):
        return db.execute(f"SELECT * FROM {task}").fetchall()  # a worker's own read of the store

    with pytest.raises(sqlite3.OperationalError, match="no such table: nowhere"):
        with WorkerPool(generated, work, 2) as workers:
            list(workers.run(["crawl_runs", "nowhere", "crawl_runs"]))
    with WorkerPool(generated, work, 2) as workers:
        results = dict(workers.run(["crawl_runs"] * 5))
    assert sorted(results) == [0, 1, 2, 3, 4] and len({repr(r) for r in results.values()}) == 1
    assert children() == []


def test_a_worker_that_cannot_open_the_store_stops_the_pool_instead_of_hanging_it(generated, monkeypatch):
    from microscout import store as store_module
    from microscout.engine import pool

    # As a worker forked while another thread held one of SQLite's locks would: stuck in the open.
    monkeypatch.setattr(store_module, "open_store", lambda *a, **kw: time.sleep(3600))
    monkeypatch.setattr(pool, "READY_SECONDS", 1)
    started = time.monotonic()
    with pytest.raises(WorkerDied, match=r"^worker process \d+ did not open the store within 1 s$"):
        with WorkerPool(generated, lambda db, task: task, 2) as workers:
            list(workers.run([1, 2]))
    assert time.monotonic() - started < 10
    assert children() == []


def in_session(sid: int) -> list[int]:
    """The pids of the processes of session ``sid``."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if fields[3] == str(sid) and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def test_workers_end_when_the_command_is_killed(store):
    """kill -9 gives the command no chance to end its workers: each ends by itself when it
    finds its pipe closed, instead of judging on as an orphan."""
    command = subprocess.Popen([sys.executable, "-m", "microscout", "--config", str(store / "config.toml"),
                                "shortlist", "demo", "--workers", "2", "--batch-size", "2"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                               env={**os.environ, "PYTHONPATH": str(REPO)})
    watch = sqlite3.connect(store / "scout.db", timeout=10)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not watch.execute("SELECT COUNT(*) FROM verdicts").fetchone()[0]:
            time.sleep(0.01)
        assert len(in_session(command.pid)) == 3, "the command and its two workers"
        command.kill()
        command.wait(10)
        deadline = time.monotonic() + 20
        while in_session(command.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert in_session(command.pid) == []
        assert watch.execute("SELECT status FROM shortlist_runs").fetchall() == [("running",)], \
            "the run finished before it could be killed"
    finally:
        watch.close()
        for pid in in_session(command.pid):
            os.kill(pid, signal.SIGKILL)
