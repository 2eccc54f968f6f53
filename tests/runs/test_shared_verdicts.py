"""A run that keeps a candidate's verdicts names them instead of copying them (migration
m017): the rows stay with the run that judged them for as long as a run not pruned names
them, and every run shows its candidates' verdicts through run_verdicts."""
from __future__ import annotations

import json
import sqlite3

import pytest
from click.testing import CliRunner

from microscout.cli import cli
from microscout.config import parse_config
from microscout.engine import rejudge
from microscout.engine.shortlist import RunInterrupted, run_shortlist
from microscout.store import StoreError, open_store, runs
from tests.engine.test_batch_rules import NOW
from tests.runs.test_incremental import profile, same_runs
from tests.runs.test_prune import another_connection, keep_one


def config(keep: int, engagement: float = 3) -> object:
    return parse_config({"shortlists": {"keep_runs": keep},
                         "campaigns": {"demo": {"platforms": ["mastodon", "bluesky"],
                                                "weights": {"engagement": engagement}}}})


def stored(db, run_id: int) -> int:
    """Verdict rows judged in run ``run_id`` still in the store."""
    return db.execute("SELECT count(*) FROM verdicts WHERE run_id = ?", [run_id]).fetchone()[0]


def shown(db, run_id: int) -> int:
    return db.execute("SELECT count(*) FROM run_verdicts WHERE run_id = ?", [run_id]).fetchone()[0]


def unnamed_and_missing(db) -> tuple[int, int]:
    """(verdict rows no run but a pruned one shows, entries of runs not pruned showing none)."""
    unnamed = db.execute(
        "SELECT count(*) FROM verdicts v WHERE NOT EXISTS (SELECT 1 FROM run_verdicts s JOIN shortlist_runs r "
        "ON r.id = s.run_id WHERE r.status != 'pruned' AND s.judged_in = v.run_id AND s.profile_id = v.profile_id "
        "AND s.rule = v.rule)").fetchone()[0]
    missing = db.execute(
        "SELECT count(*) FROM shortlist_entries e JOIN shortlist_runs r ON r.id = e.run_id WHERE r.status != 'pruned' "
        "AND NOT EXISTS (SELECT 1 FROM run_verdicts s WHERE s.run_id = e.run_id AND s.profile_id = e.profile_id)"
    ).fetchone()[0]
    return unnamed, missing


def touch(db, offset: int) -> int:
    pid = profile(db, offset)["id"]
    db.execute("UPDATE profiles SET followers = followers + 1 WHERE id = ?", [pid])
    db.conn.commit()
    return pid


def test_a_re_score_names_the_judging_runs_verdicts_and_writes_none(db, rules):
    first = run_shortlist(db, config(5), rules, "demo", now=NOW)
    again = run_shortlist(db, config(5, engagement=1), rules, "demo", now=NOW, reuse=True)
    third = run_shortlist(db, config(5, engagement=2), rules, "demo", now=NOW, reuse=True)
    assert again.rescored_from == first.run_id and third.rescored_from == again.run_id
    assert stored(db, again.run_id) == stored(db, third.run_id) == 0
    # A re-score of a re-score names the run that judged, not the one between.
    assert db.execute("SELECT DISTINCT verdicts_run FROM shortlist_entries WHERE run_id = ?",
                      [third.run_id]).fetchall() == [(first.run_id,)]
    assert shown(db, third.run_id) == shown(db, first.run_id) == stored(db, first.run_id) > 0


def test_pruning_keeps_the_verdicts_a_kept_run_names_and_no_more(db, rules):
    first = run_shortlist(db, config(1), rules, "demo", now=NOW)
    a = touch(db, 0)
    second = run_shortlist(db, config(1), rules, "demo", now=NOW, reuse=True)
    assert second.kept_from == first.run_id and second.pruned == [first.run_id]
    # The pruned first run keeps the rows the second shows: all but those of the one it judged again.
    per_candidate = stored(db, second.run_id)
    assert stored(db, first.run_id) == shown(db, second.run_id) - per_candidate > 0
    assert db.execute("SELECT count(*) FROM verdicts WHERE run_id = ? AND profile_id = ?",
                      [first.run_id, a]).fetchone()[0] == 0
    assert unnamed_and_missing(db) == (0, 0)

    b = touch(db, 1)
    third = run_shortlist(db, config(1), rules, "demo", now=NOW, reuse=True)
    assert third.pruned == [second.run_id]
    # b's verdicts of the first run were named by the second alone: gone; a's of the second stay.
    assert db.execute("SELECT count(*) FROM verdicts WHERE run_id = ? AND profile_id = ?",
                      [first.run_id, b]).fetchone()[0] == 0
    assert stored(db, second.run_id) == per_candidate
    assert unnamed_and_missing(db) == (0, 0)
    full = run_shortlist(db, config(5), rules, "demo", now=NOW)  # judges everyone, prunes nothing
    same_runs(db, third, full)

    last = run_shortlist(db, config(1), rules, "demo", now=NOW)  # judges everyone, prunes the rest
    assert db.execute("SELECT count(*) FROM verdicts").fetchone()[0] == stored(db, last.run_id) == shown(db,
                                                                                                         last.run_id)
    assert unnamed_and_missing(db) == (0, 0)


def test_explain_shows_a_kept_creators_verdicts_after_the_run_that_judged_them_is_pruned(population, tmp_path):
    base, path = keep_one(population, tmp_path)
    runner = CliRunner()
    first = json.loads(runner.invoke(cli, [*base, "shortlist", "demo", "--json", "--rejudge"]).output)
    creator = first["shortlist"][0]
    db = open_store(str(path))
    other = db.execute("SELECT id FROM profiles WHERE opted_out = 0 AND handle != ? ORDER BY id LIMIT 1",
                       [creator["handle"]]).fetchone()[0]
    db.execute("UPDATE profiles SET followers = followers + 1 WHERE id = ?", [other])
    db.conn.commit()
    db.close()
    second = json.loads(runner.invoke(cli, [*base, "shortlist", "demo", "--json"]).output)
    assert second["pruned_runs"] == [first["run_id"]] and second["kept_from"] == first["run_id"]
    explained = runner.invoke(cli, [*base, "explain", creator["handle"], "--json"])
    assert explained.exit_code == 0, explained.output
    (entry,) = json.loads(explained.output)
    assert entry["run_id"] == second["run_id"] and entry["judged_in"] == first["run_id"]
    assert len(entry["verdicts"]) > 5
    assert all(v["outcome"] in ("pass", "warn", "fail", "unknown", "error") for v in entry["verdicts"])
    words = runner.invoke(cli, [*base, "explain", creator["handle"]]).output
    assert f"verdicts of run {first['run_id']}, kept: nothing of this creator changed since it judged them" in \
        " ".join(words.split())


def test_a_run_interrupted_while_it_names_kept_verdicts_stops_and_leaves_nothing(db, rules, monkeypatch):
    # `db interrupt-run` from another machine on a run whose process goes on copying, and
    # another run finishing meanwhile that prunes the run it copies from: the stray entries
    # must not keep those verdicts, and the process stops at its next chunk.
    monkeypatch.setattr(rejudge, "CHUNK", 10)
    elsewhere = another_connection(db)
    first = run_shortlist(db, config(1), rules, "demo", now=NOW)
    touch(db, 50)
    calls: list[int] = []
    late: list[int] = []

    def interrupted_elsewhere(done: int) -> None:
        calls.append(done)
        if len(calls) == 1:
            (run_id,) = elsewhere.execute("SELECT id FROM shortlist_runs WHERE status = 'running'").fetchone()
            runs.discard_run(elsewhere, run_id)
            late.append(touch(elsewhere, 15))  # a candidate of its next chunk changes
        elif len(calls) == 2:
            run_shortlist(elsewhere, config(1), rules, "demo", now=NOW, reuse=True)  # prunes the first run

    with pytest.raises(RunInterrupted):
        run_shortlist(db, config(1), rules, "demo", now=NOW, reuse=True, progress=interrupted_elsewhere)
    assert db.execute("SELECT count(*) FROM shortlist_entries e JOIN shortlist_runs r ON r.id = e.run_id "
                      "WHERE r.status = 'interrupted'").fetchone()[0] == 0
    for n in range(3):  # later weekly runs, each pruning the one before
        touch(db, 40 + n)
        run_shortlist(db, config(1, engagement=1 + n % 2), rules, "demo", now=NOW, reuse=True)
    assert db.execute("SELECT count(*) FROM verdicts WHERE run_id = ? AND profile_id = ?",
                      [first.run_id, late[0]]).fetchone()[0] == 0
    assert unnamed_and_missing(db) == (0, 0)


def test_a_run_finished_before_its_discard_keeps_its_rows(db, rules):
    # A late Ctrl-C reaching a run _finish has just committed: later runs may name its verdicts.
    first = run_shortlist(db, config(5), rules, "demo", now=NOW)
    runs.discard_run(db, first.run_id)
    assert db.execute("SELECT status FROM shortlist_runs WHERE id = ?", [first.run_id]).fetchone() == ("finished",)
    assert stored(db, first.run_id) > 0


def test_a_verdict_a_kept_run_shows_cannot_be_deleted(db, rules):
    # An older microscout sharing the store would prune rows a newer run names.
    first = run_shortlist(db, config(5), rules, "demo", now=NOW)
    run_shortlist(db, config(5, engagement=1), rules, "demo", now=NOW, reuse=True)
    with pytest.raises(sqlite3.IntegrityError, match="a verdict a kept shortlist run shows cannot be deleted"):
        db.execute("DELETE FROM verdicts WHERE run_id = ?", [first.run_id])
    db.conn.rollback()
    assert stored(db, first.run_id) > 0


def test_a_store_a_newer_microscout_migrated_is_refused_in_one_line(population, tmp_path):
    base, path = keep_one(population, tmp_path)
    db = open_store(str(path))
    with db.conn:
        db.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                   "VALUES ('microscout', 'm999_from_the_future', '2027-01-01')")
    db.close()
    with pytest.raises(StoreError, match="written by a newer microscout .its migration m999_from_the_future"):
        open_store(str(path))
    with pytest.raises(StoreError, match="upgrade microscout"):
        open_store(str(path), readonly=True)
    result = CliRunner().invoke(cli, [*base, "shortlist", "demo"])
    assert result.exit_code == 2 and "m999_from_the_future" in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1


def test_a_store_migrated_before_the_guards_were_added_gets_them(population, tmp_path):
    # m016 and m017 ran on stores before a review added these triggers: m018 adds them.
    _, path = keep_one(population, tmp_path)
    db = open_store(str(path))
    guards = ("verdicts_named_stay", "feature_settings_insert_mark", "feature_settings_update_mark",
              "feature_settings_delete_mark")
    with db.conn:
        for name in guards:
            db.execute(f"DROP TRIGGER {name}")
        db.execute("DELETE FROM _sqlite_migrations WHERE name = 'm018_marks_and_kept_verdicts_guarded'")
    db.close()
    db = open_store(str(path))
    assert {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")} >= set(guards)
    db.close()
