"""A shortlist run whose process died is recognised, marked interrupted and its partial
verdicts removed, at the next shortlist, export or `db migrate`; live runs are left alone."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from microscout.cli import cli
from microscout.config import parse_config
from microscout.engine.export import export_shortlist
from microscout.engine.shortlist import run_shortlist
from microscout.sandbox.storewriter import generate
from microscout.store import open_store
from microscout.store.runs import process_alive, process_owner, stale_shortlist_runs
from tests.conftest import REPO
from tests.engine.helpers import NOW, add_profile, exporting_plugins

CONFIG = parse_config({"campaigns": {"c": {"platforms": ["mastodon"], "gates": ["min_followers"]}}})


@pytest.fixture
def setup(tmp_path):
    rules, exporters = exporting_plugins()
    db = open_store(tmp_path / "t.db")
    for handle, followers in [("a", 5000), ("b", 6000), ("c", 7000)]:
        add_profile(db, handle, followers, posts=2)
    return db, rules, exporters


def dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def killed_run(db, pid: int | None, owner: str | None = None) -> int:
    """A run as a process killed mid-way leaves it: `running`, with some verdicts and entries."""
    run_id = db.execute("INSERT INTO shortlist_runs (campaign, started_at, status, pid, owner) "
                        "VALUES ('c', '2026-11-01', 'running', ?, ?)", [pid, owner]).lastrowid
    profiles = [r[0] for r in db.execute("SELECT id FROM profiles")]
    db.conn.executemany("INSERT INTO verdicts VALUES (?, ?, 'engagement', 'pass', 1.0, 'r', '{}')",
                        [(run_id, p) for p in profiles])
    db.conn.executemany("INSERT INTO shortlist_entries (run_id, profile_id, score) VALUES (?, ?, 0.5)",
                        [(run_id, p) for p in profiles])
    db.conn.commit()
    return run_id


def rows_of(db, run_id: int) -> tuple[str, int, int]:
    status = db.execute("SELECT status FROM shortlist_runs WHERE id = ?", [run_id]).fetchone()[0]
    verdicts = db.execute("SELECT COUNT(*) FROM verdicts WHERE run_id = ?", [run_id]).fetchone()[0]
    entries = db.execute("SELECT COUNT(*) FROM shortlist_entries WHERE run_id = ?", [run_id]).fetchone()[0]
    return status, verdicts, entries


def test_a_run_records_its_process(setup):
    db, rules, _ = setup
    summary = run_shortlist(db, CONFIG, rules, "c", now=NOW)
    row = db.execute("SELECT status, pid, owner FROM shortlist_runs WHERE id = ?", [summary.run_id]).fetchone()
    assert row == ("finished", os.getpid(), process_owner())
    assert process_alive(os.getpid(), process_owner()) is True
    assert process_alive(dead_pid(), process_owner()) is False
    assert process_alive(os.getpid(), "another-host.example:123") is None  # cannot tell from here


def test_the_next_shortlist_interrupts_runs_of_dead_processes(setup):
    db, rules, _ = setup
    dead = killed_run(db, dead_pid(), process_owner())
    legacy = killed_run(db, None)  # left by a version that recorded no process
    assert sorted(stale_shortlist_runs(db)) == [dead, legacy]
    run_shortlist(db, CONFIG, rules, "c", now=NOW)
    assert rows_of(db, dead) == ("interrupted", 0, 0)
    assert rows_of(db, legacy) == ("interrupted", 0, 0)


def test_live_and_foreign_runs_are_left_alone(setup):
    db, rules, exporters = setup
    sleeper = subprocess.Popen(["sleep", "30"])
    try:
        alive = killed_run(db, sleeper.pid, process_owner(sleeper.pid))
        foreign = killed_run(db, dead_pid(), "another-host.example:1")
        reused = killed_run(db, sleeper.pid, process_owner(sleeper.pid).rpartition(":")[0] + ":1")
        run_shortlist(db, CONFIG, rules, "c", now=NOW)
        export_shortlist(db, "c", 5, exporters["csv"], db_path(db).parent / "out.csv")
        assert rows_of(db, alive) == ("running", 3, 3)
        assert rows_of(db, foreign) == ("running", 3, 3)
        assert rows_of(db, reused)[0] == "interrupted"  # the pid now belongs to another process
    finally:
        sleeper.kill()
        sleeper.wait()
    assert stale_shortlist_runs(db) == [alive]


def db_path(db) -> Path:
    return Path(db.execute("PRAGMA database_list").fetchone()[2])


def test_export_and_db_migrate_interrupt_stale_runs(setup, tmp_path):
    db, rules, exporters = setup
    run_shortlist(db, CONFIG, rules, "c", now=NOW)
    first = killed_run(db, dead_pid(), process_owner())
    export_shortlist(db, "c", 5, exporters["csv"], tmp_path / "out.csv")
    assert rows_of(db, first) == ("interrupted", 0, 0)
    second = killed_run(db, dead_pid(), process_owner())
    result = CliRunner().invoke(cli, ["--config", str(REPO / "config.toml"), "--db", str(db_path(db)),
                                      "db", "migrate"])
    assert result.exit_code == 0 and "1 shortlist runs left by killed processes marked interrupted" in result.output
    assert rows_of(db, second) == ("interrupted", 0, 0)


def test_a_run_stopped_by_ctrl_c_or_an_error_leaves_no_partial_rows(setup):
    db, rules, _ = setup

    def interrupt(done):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_shortlist(db, CONFIG, rules, "c", now=NOW, batch_size=1, progress=interrupt)
    run_id = db.execute("SELECT MAX(id) FROM shortlist_runs").fetchone()[0]
    assert rows_of(db, run_id) == ("interrupted", 0, 0)

    def fail(done):
        raise RuntimeError("disk trouble")

    with pytest.raises(RuntimeError):
        run_shortlist(db, CONFIG, rules, "c", now=NOW, batch_size=1, progress=fail)
    assert rows_of(db, run_id + 1) == ("failed", 0, 0)


def test_a_shortlist_killed_with_sigkill_is_cleaned_up_by_the_next_command(tmp_path):
    path = tmp_path / "scout.db"
    generate(path, 800, 7, posts=2, posts_with_replies=0, followers=0)
    config = str(REPO / "config.toml")
    judge = subprocess.Popen([sys.executable, "-m", "microscout", "--config", config, "--db", str(path),
                              "shortlist", "demo", "--batch-size", "1"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    watch = sqlite3.connect(path, timeout=10)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            row = watch.execute("SELECT MAX(id) FROM shortlist_runs").fetchone()
            if row[0] is not None and watch.execute("SELECT COUNT(*) FROM verdicts WHERE run_id = ?",
                                                    row).fetchone()[0] > 0:
                break
            time.sleep(0.01)
        judge.send_signal(signal.SIGKILL)  # mid-run: verdicts written, ranking not yet
        judge.wait(timeout=30)
        run_id = row[0]
        status, verdicts, _ = rows_of(watch, run_id)
        assert status == "running" and verdicts > 0, "the shortlist finished before it could be killed"
    finally:
        if judge.poll() is None:
            judge.kill()
        watch.close()
    result = CliRunner().invoke(cli, ["--config", config, "--db", str(path), "db", "migrate"])
    assert result.exit_code == 0, result.output
    assert "1 shortlist runs left by killed processes marked interrupted" in result.output
    db = open_store(path)
    assert rows_of(db, run_id) == ("interrupted", 0, 0)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
