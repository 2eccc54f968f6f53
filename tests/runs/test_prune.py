"""A campaign's old shortlist runs are pruned: only its newest `shortlists.keep_runs`
finished runs keep their verdicts and entries, so a campaign judged every week does not add
every candidate's verdicts to the store each week; what users read keeps working."""
import json
import os
import shutil
import sqlite3

import pytest
from click.testing import CliRunner

from microscout.cli import cli
from microscout.config import parse_config
from microscout.engine import rejudge, shortlist
from microscout.engine.shortlist import latest_run, run_shortlist
from microscout.store import open_store, runs
from tests.engine.test_batch_rules import NOW
from tests.runs.test_incremental import same_runs


def config(keep: int, campaigns=("demo",)):
    return parse_config({"shortlists": {"keep_runs": keep},
                         "campaigns": {name: {"platforms": ["mastodon", "bluesky"]} for name in campaigns}})


def rows_by_run(db) -> dict[int, tuple[str, int, int]]:
    """Each run: (status, the verdicts it shows, its entry rows)."""
    return {run_id: (status,
                     db.execute("SELECT count(*) FROM run_verdicts WHERE run_id = ?", [run_id]).fetchone()[0],
                     db.execute("SELECT count(*) FROM shortlist_entries WHERE run_id = ?", [run_id]).fetchone()[0])
            for run_id, status in db.execute("SELECT id, status FROM shortlist_runs ORDER BY id")}


def another_connection(db):
    """A second connection to the store ``db`` is open on, as another process would have."""
    return open_store(db.conn.execute("PRAGMA database_list").fetchone()[2])


def keep_one(population, tmp_path) -> tuple[list[str], object]:
    """A copy of the population and a config keeping one run: (the CLI's --config and --db
    arguments, the copy's path)."""
    path = tmp_path / "store.db"
    shutil.copy(population, path)
    (tmp_path / "config.toml").write_text('[shortlists]\n# keep one\nkeep_runs = 1\n'
                                          '[campaigns.demo]\n# both\nplatforms = ["mastodon", "bluesky"]\n')
    return ["--config", str(tmp_path / "config.toml"), "--db", str(path)], path


def test_only_the_newest_runs_keep_their_rows(db, rules):
    summaries = [run_shortlist(db, config(2), rules, "demo", now=NOW) for _ in range(4)]
    assert [s.pruned for s in summaries] == [[], [], [summaries[0].run_id], [summaries[1].run_id]]
    state = rows_by_run(db)
    first, second, third, fourth = (s.run_id for s in summaries)
    assert state[first] == ("pruned", 0, 0) and state[second] == ("pruned", 0, 0)
    for run_id in (third, fourth):
        status, verdicts, entries = state[run_id]
        assert status == "finished" and verdicts > 0 and entries == summaries[-1].candidates
    assert latest_run(db, "demo")["id"] == fourth


def test_other_campaigns_and_unfinished_runs_are_left_alone(db, rules):
    cfg = config(1, campaigns=("demo", "other"))
    other = run_shortlist(db, cfg, rules, "other", now=NOW).run_id
    db.execute("INSERT INTO shortlist_runs (campaign, status) VALUES ('demo', 'failed')")
    db.conn.commit()
    for _ in range(2):
        run_shortlist(db, cfg, rules, "demo", now=NOW)
    state = rows_by_run(db)
    assert state[other][0] == "finished" and state[other][1] > 0
    assert sorted(status for status, _, _ in state.values()) == ["failed", "finished", "finished", "pruned"]


def test_a_pruning_stopped_half_way_is_finished_by_the_next(db, rules, monkeypatch):
    monkeypatch.setattr(runs, "PRUNE_CHUNK", 7)  # many chunks, each its own transaction
    first = run_shortlist(db, config(1), rules, "demo", now=NOW).run_id
    # A pruning killed after its mark: the run is `pruned` (no reader shows it) with its rows left.
    db.execute("UPDATE shortlist_runs SET status = 'pruned' WHERE id = ?", [first])
    db.conn.commit()
    assert rows_by_run(db)[first][1] > 0
    second = run_shortlist(db, config(1), rules, "demo", now=NOW)
    assert second.pruned == []  # nothing newly marked...
    assert rows_by_run(db)[first] == ("pruned", 0, 0)  # ...and the rows left behind are gone


def test_a_run_after_pruning_still_keeps_the_unchanged_verdicts(db, rules):
    """The next run copies the verdicts of the newest finished run, which is never pruned."""
    for _ in range(3):
        run_shortlist(db, config(1), rules, "demo", now=NOW)
    db.execute("UPDATE profiles SET followers = followers + 1 WHERE id = (SELECT min(id) FROM profiles "
               "WHERE opted_out = 0)")
    db.conn.commit()
    summary = run_shortlist(db, config(1), rules, "demo", now=NOW, reuse=True)
    assert summary.kept_from is not None and summary.kept == summary.candidates - 1


def test_the_cli_says_what_it_pruned_and_explain_still_works(population, tmp_path):
    base, path = keep_one(population, tmp_path)
    runner = CliRunner()
    first = runner.invoke(cli, [*base, "shortlist", "demo", "--json", "--rejudge"])
    assert first.exit_code == 0, first.output
    assert json.loads(first.output)["pruned_runs"] == []
    second = runner.invoke(cli, [*base, "shortlist", "demo", "--rejudge"])
    assert second.exit_code == 0, second.output
    first_id = json.loads(first.output)["run_id"]
    assert f"Pruned 1 older run ({first_id}): the newest 1 keep their verdicts" in " ".join(second.output.split())
    handle = json.loads(first.output)["shortlist"][0]["handle"]
    explained = runner.invoke(cli, [*base, "explain", handle, "--json"])
    assert explained.exit_code == 0, explained.output
    assert json.loads(explained.output)[0]["run_id"] == first_id + 1


def test_keep_runs_must_be_at_least_one():
    with pytest.raises(Exception, match="keep_runs"):
        parse_config({"shortlists": {"keep_runs": 0}})


def test_a_run_that_finishes_after_a_newer_one_is_not_pruned_by_itself(db, rules):
    """Runs overlap (a scheduled and a manual one) and finish out of id order: the run
    pruning is kept with the newest, whatever their ids."""
    older, newer = (run_shortlist(db, config(2), rules, "demo", now=NOW).run_id for _ in range(2))
    assert runs.prune_runs(db, "demo", 1, older) == []  # `older` just finished; `newer` is the newest
    assert {run_id: status for run_id, (status, _, _) in rows_by_run(db).items()} == \
        {older: "finished", newer: "finished"}


def test_nothing_is_pruned_while_another_run_of_the_campaign_works(db, rules):
    first, second = (run_shortlist(db, config(2), rules, "demo", now=NOW).run_id for _ in range(2))
    db.execute("INSERT INTO shortlist_runs (campaign, status) VALUES ('demo', 'running')")
    working = db.execute("SELECT max(id) FROM shortlist_runs").fetchone()[0]
    db.conn.commit()
    # The working run may be copying `first`'s verdicts (it started when `first` was the newest).
    assert runs.prune_runs(db, "demo", 1, second) == []
    assert rows_by_run(db)[first][0] == "finished"
    db.execute("UPDATE shortlist_runs SET status = 'failed' WHERE id = ?", [working])
    db.conn.commit()
    assert runs.prune_runs(db, "demo", 1, second) == [first]


def test_a_kept_run_pruned_while_copied_from_leaves_its_candidates_judged(db, rules, monkeypatch):
    """Another run pruned the run this one keeps verdicts from before this one said it was
    running: the candidates not copied yet are judged, and the run is the full re-judge."""
    monkeypatch.setattr(rejudge, "CHUNK", 7)
    first = run_shortlist(db, config(5), rules, "demo", now=NOW)
    db.execute("UPDATE profiles SET followers = followers + 1 WHERE id = (SELECT min(id) FROM profiles "
               "WHERE opted_out = 0)")
    db.conn.commit()

    def pruned_by_another(done: int) -> None:
        if done == 7:  # after the first chunk was copied
            db.execute("UPDATE shortlist_runs SET status = 'pruned' WHERE id = ?", [first.run_id])
            db.conn.commit()
            # What its pruning deletes: every verdict no run but a pruned one names (the
            # chunk copied names its candidates'), and its entries.
            runs._delete_unnamed_verdicts(db, first.run_id)
            db.execute("DELETE FROM shortlist_entries WHERE run_id = ?", [first.run_id])
            db.conn.commit()

    kept = run_shortlist(db, config(5), rules, "demo", now=NOW, reuse=True, progress=pruned_by_another)
    assert kept.kept_from == first.run_id and kept.kept == 7
    full = run_shortlist(db, config(5), rules, "demo", now=NOW)
    same_runs(db, kept, full)


def test_a_pruning_that_fails_leaves_the_run_finished_and_says_why(db, rules, monkeypatch):
    for _ in range(2):
        run_shortlist(db, config(1), rules, "demo", now=NOW)

    def locked(*args, **kwargs):
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(shortlist, "prune_runs", locked)
    summary = run_shortlist(db, config(1), rules, "demo", now=NOW)
    assert summary.prune_error == "database is locked" and summary.pruned == []
    assert latest_run(db, "demo")["id"] == summary.run_id


def test_a_run_given_back_whole_prunes_after_keep_runs_is_lowered(db, rules):
    for _ in range(3):
        last = run_shortlist(db, config(5), rules, "demo", now=NOW)
    again = run_shortlist(db, config(1), rules, "demo", now=NOW, reuse=True)
    assert again.reused and again.run_id == last.run_id
    assert len(again.pruned) == 2 and rows_by_run(db)[last.run_id][0] == "finished"
    # Nothing left to prune: the next one only reads.
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    assert run_shortlist(db, config(1), rules, "demo", now=NOW, reuse=True).pruned == []
    db.conn.set_trace_callback(None)
    assert not [s for s in statements if s.lstrip().upper().startswith(("DELETE", "UPDATE SHORTLIST_RUNS"))]


def test_explain_says_when_a_creator_was_judged_only_by_pruned_runs(population, tmp_path):
    path = tmp_path / "store.db"
    shutil.copy(population, path)
    runner = CliRunner()
    for platforms in ('["mastodon", "bluesky"]', '["mastodon"]'):
        (tmp_path / "config.toml").write_text(f'[shortlists]\n# keep one\nkeep_runs = 1\n'
                                              f'[campaigns.demo]\n# where\nplatforms = {platforms}\n')
        base = ["--config", str(tmp_path / "config.toml"), "--db", str(path)]
        assert runner.invoke(cli, [*base, "shortlist", "demo", "--json"]).exit_code == 0
    store = open_store(str(path))
    handle = store.execute("SELECT handle FROM profiles WHERE platform = 'bluesky' AND opted_out = 0").fetchone()[0]
    store.close()
    explained = runner.invoke(cli, [*base, "explain", handle, "--campaign", "demo"])
    assert explained.exit_code == 2
    assert "or only by runs since pruned (shortlists.keep_runs)" in " ".join(explained.output.split())


def test_an_export_reads_the_run_it_picked_whole_while_another_run_prunes_it(population, tmp_path, rules,
                                                                             monkeypatch):
    """keep_runs = 1: a shortlist finishing in another process between the export's choice of
    run and its reads prunes that run; the export still reads it whole (one snapshot), and
    the next export compares with a complete record."""
    from microscout.engine import export
    from microscout.engine.plugins import collect_exporters, make_plugin_manager

    path = tmp_path / "store.db"
    shutil.copy(population, path)
    mine, other = open_store(str(path)), open_store(str(path))
    csv = collect_exporters(make_plugin_manager())["csv"]
    first = run_shortlist(mine, config(1), rules, "demo", now=NOW)
    before = export.export_shortlist(mine, "demo", 10, csv, tmp_path / "1.csv", schedule="weekly")
    picked = export.latest_run
    finished: list = []

    def another_run_finishes_meanwhile(db, campaign):
        run = picked(db, campaign)
        finished.append(run_shortlist(other, config(1), rules, "demo", now=NOW))
        return run

    monkeypatch.setattr(export, "latest_run", another_run_finishes_meanwhile)
    racing = export.export_shortlist(mine, "demo", 10, csv, tmp_path / "2.csv", schedule="weekly")
    monkeypatch.setattr(export, "latest_run", picked)
    assert finished[0].pruned == [first.run_id] and rows_by_run(other)[first.run_id] == ("pruned", 0, 0)
    assert racing["run_id"] == first.run_id and racing["rows"] == before["rows"] == 10
    assert racing["unchanged"] == 10 and racing["dropped"] == 0 and racing["new"] == 0
    after = export.export_shortlist(mine, "demo", 10, csv, tmp_path / "3.csv", schedule="weekly")
    assert after["run_id"] == finished[0].run_id and after["unchanged"] == 10 and after["new"] == 0
    mine.close()
    other.close()


def test_explain_reads_the_run_it_picked_whole_while_another_run_prunes_it(population, tmp_path, rules,
                                                                         monkeypatch):
    base, path = keep_one(population, tmp_path)
    runner = CliRunner()
    first = json.loads(runner.invoke(cli, [*base, "shortlist", "demo", "--json"]).output)
    other = open_store(str(path))
    read_verdicts = shortlist.verdicts_for
    finished: list = []

    def another_run_finishes_meanwhile(db, run_id, profile_id):
        finished.append(run_shortlist(other, config(1), rules, "demo", now=NOW))
        return read_verdicts(db, run_id, profile_id)

    monkeypatch.setattr(shortlist, "verdicts_for", another_run_finishes_meanwhile)
    explained = runner.invoke(cli, [*base, "explain", first["shortlist"][0]["handle"], "--json"])
    assert explained.exit_code == 0, explained.output
    assert finished[0].pruned == [first["run_id"]]
    shown = json.loads(explained.output)[0]
    assert shown["run_id"] == first["run_id"] and len(shown["verdicts"]) == len(rules)
    other.close()


def test_a_snapshot_keeps_what_it_first_read_while_another_connection_commits(db):
    from microscout.store.transaction import snapshot

    other = another_connection(db)
    count = "SELECT count(*) FROM profiles"
    (before,) = db.execute(count).fetchone()
    with snapshot(db):
        assert db.execute(count).fetchone() == (before,)
        other.execute("DELETE FROM profiles WHERE id = (SELECT max(id) FROM profiles)")
        other.conn.commit()
        assert db.execute(count).fetchone() == (before,)
    assert db.execute(count).fetchone() == (before - 1,)
    other.close()


def running_elsewhere(db, campaign="demo") -> int:
    """A run left `running` by a process on another machine sharing the store."""
    db.execute("INSERT INTO shortlist_runs (campaign, started_at, status, pid, owner) "
               "VALUES (?, '2026-10-30T09:00:00+00:00', 'running', 4242, 'laptop:123')", [campaign])
    db.conn.commit()
    return db.execute("SELECT max(id) FROM shortlist_runs").fetchone()[0]


def test_a_run_kept_from_pruning_by_a_running_one_says_which_and_how_to_clear_it(db, rules):
    first = run_shortlist(db, config(1), rules, "demo", now=NOW)
    stuck = running_elsewhere(db)
    second = run_shortlist(db, config(1), rules, "demo", now=NOW)
    assert second.pruned == [] and second.prune_error is None
    assert second.prune_blocked_by == {"run_id": stuck, "started_at": "2026-10-30T09:00:00+00:00", "host": "laptop"}
    said = shortlist.pruning_said(second, 1)
    assert f"run {stuck} of demo has been running since 2026-10-30T09:00:00+00:00 on laptop" in said
    assert f"`microscout db interrupt-run {stuck}`" in said
    assert rows_by_run(db)[first.run_id][0] == "finished"
    # Nothing to prune (within keep_runs): nothing is said, whatever is running.
    assert run_shortlist(db, config(5), rules, "demo", now=NOW).prune_blocked_by is None


def test_db_interrupt_run_clears_a_run_killed_elsewhere_and_refuses_what_it_must_not(population, tmp_path):
    base, path = keep_one(population, tmp_path)
    runner = CliRunner()
    assert runner.invoke(cli, [*base, "shortlist", "demo", "--json"]).exit_code == 0
    store = open_store(str(path))
    stuck = running_elsewhere(store)
    store.execute("INSERT INTO verdicts VALUES (?, 1, 'engagement', 'pass', 1.0, 'partial', '{}')", [stuck])
    store.conn.commit()
    judged = runner.invoke(cli, [*base, "shortlist", "demo", "--json", "--rejudge"])
    assert json.loads(judged.output)["prune_blocked_by"]["run_id"] == stuck
    text = runner.invoke(cli, [*base, "shortlist", "demo", "--rejudge"])
    assert f"microscout db interrupt-run {stuck}" in " ".join(text.output.split())

    done = runner.invoke(cli, [*base, "db", "interrupt-run", str(stuck)])
    assert done.exit_code == 0, done.output
    assert f"shortlist run {stuck} (demo) marked interrupted" in done.output
    assert rows_by_run(store)[stuck] == ("interrupted", 0, 0)
    after = json.loads(runner.invoke(cli, [*base, "shortlist", "demo", "--json", "--rejudge"]).output)
    assert after["prune_blocked_by"] is None and len(after["pruned_runs"]) == 3  # the three before it

    store.execute("INSERT INTO shortlist_runs (campaign, status, pid, owner) VALUES ('demo', 'running', ?, ?)",
                  [os.getpid(), runs.process_owner()])
    store.conn.commit()
    mine = store.execute("SELECT max(id) FROM shortlist_runs").fetchone()[0]
    for run_id, message in ((mine, f"is still being judged by process {os.getpid()} on this machine"),
                            (stuck, "is interrupted, not running"), (999, "no shortlist run 999")):
        refused = runner.invoke(cli, [*base, "db", "interrupt-run", str(run_id)])
        assert refused.exit_code == 2 and message in refused.output, refused.output
    assert rows_by_run(store)[mine][0] == "running"
    store.close()


def test_db_interrupt_run_clears_a_run_killed_on_this_machine_too(population, tmp_path):
    # Opening the store marked such a run interrupted before the command looked at it, and the
    # command then refused it ("is interrupted, not running: nothing to interrupt", exit 2).
    import socket

    base, path = keep_one(population, tmp_path)
    store = open_store(str(path))
    store.execute("INSERT INTO shortlist_runs (campaign, status, pid, owner) VALUES ('demo', 'running', ?, ?)",
                  [os.getpid(), f"{socket.gethostname()}:1"])  # this pid under another start time: a dead process
    store.conn.commit()
    killed = store.execute("SELECT max(id) FROM shortlist_runs").fetchone()[0]
    store.execute("INSERT INTO verdicts VALUES (?, 1, 'engagement', 'pass', 1.0, 'partial', '{}')", [killed])
    store.conn.commit()
    done = CliRunner().invoke(cli, [*base, "db", "interrupt-run", str(killed)])
    assert done.exit_code == 0, done.output
    assert f"shortlist run {killed} (demo) marked interrupted" in done.output
    assert rows_by_run(store)[killed][0] == "interrupted"
    assert store.execute("SELECT count(*) FROM verdicts WHERE run_id = ?", [killed]).fetchone() == (0,)
    store.close()


def test_a_scheduled_shortlist_says_what_it_pruned(db, rules):
    from types import SimpleNamespace

    from microscout.schedule.runner import shortlist_step

    job = SimpleNamespace(db=db, config=config(1), rules=rules, schedule=SimpleNamespace(campaign="demo"))
    first = shortlist_step(job)
    assert "pruned" not in first
    db.execute("UPDATE profiles SET followers = followers + 1 WHERE id = (SELECT min(id) FROM profiles "
               "WHERE opted_out = 0)")
    db.conn.commit()
    second = shortlist_step(job)
    assert second.endswith("; pruned 1 older run (1): the newest 1 keep their verdicts"), second


def test_a_re_score_whose_source_is_pruned_before_any_copy_says_it_judged_all(db, rules, monkeypatch):
    run_shortlist(db, config(5), rules, "demo", now=NOW)
    weights = config(5)
    weights.campaigns["demo"].weights["engagement"] = 0.5
    monkeypatch.setattr(rejudge, "_pruned_since", lambda db, run_id: True)
    again = run_shortlist(db, weights, rules, "demo", now=NOW, reuse=True)
    assert again.rescored_from is None and again.kept_from is None and again.kept == 0
    assert again.candidates == rows_by_run(db)[again.run_id][2] > 0


def test_a_run_marked_interrupted_while_it_judges_ends_interrupted_not_finished(db, rules):
    """`db interrupt-run` on a run whose process was judging after all (on another machine,
    nothing can tell): the rows it wrote before are gone, so it must not finish incomplete."""
    other = another_connection(db)

    def interrupted_elsewhere(done: int) -> None:
        if done <= 20:  # after the first batch
            (running,) = other.execute("SELECT id FROM shortlist_runs WHERE status = 'running'").fetchone()
            runs.discard_run(other, running)

    with pytest.raises(shortlist.RunInterrupted, match="was marked interrupted while it judged"):
        run_shortlist(db, config(5), rules, "demo", now=NOW, batch_size=20, progress=interrupted_elsewhere)
    assert list(rows_by_run(db).values()) == [("interrupted", 0, 0)]
    assert latest_run(db, "demo") is None
    other.close()


def test_a_re_score_whose_source_is_pruned_part_way_says_what_it_kept(db, rules, monkeypatch):
    monkeypatch.setattr(rejudge, "CHUNK", 20)
    first = run_shortlist(db, config(5), rules, "demo", now=NOW)
    weights = config(5)
    weights.campaigns["demo"].weights["engagement"] = 0.5
    checks = iter([False])
    monkeypatch.setattr(rejudge, "_pruned_since", lambda db, run_id: next(checks, True))
    again = run_shortlist(db, weights, rules, "demo", now=NOW, reuse=True)
    assert again.rescored_from is None and again.kept_from == first.run_id and again.kept == 20
    assert again.candidates == first.candidates > 20
