"""A campaign's old shortlist runs are pruned: only its newest `shortlists.keep_runs`
finished runs keep their verdicts and entries, so a campaign judged every week does not add
every candidate's verdicts to the store each week; what users read keeps working."""
import json
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
    """Each run: (status, its verdict rows, its entry rows)."""
    return {run_id: (status,
                     db.execute("SELECT count(*) FROM verdicts WHERE run_id = ?", [run_id]).fetchone()[0],
                     db.execute("SELECT count(*) FROM shortlist_entries WHERE run_id = ?", [run_id]).fetchone()[0])
            for run_id, status in db.execute("SELECT id, status FROM shortlist_runs ORDER BY id")}


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
    path = tmp_path / "store.db"
    shutil.copy(population, path)
    (tmp_path / "config.toml").write_text('[shortlists]\n# keep one\nkeep_runs = 1\n'
                                          '[campaigns.demo]\n# both\nplatforms = ["mastodon", "bluesky"]\n')
    runner = CliRunner()
    base = ["--config", str(tmp_path / "config.toml"), "--db", str(path)]
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
            db.execute("DELETE FROM verdicts WHERE run_id = ?", [first.run_id])
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
