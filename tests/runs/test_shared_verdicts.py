"""A run that keeps a candidate's verdicts names them instead of copying them (migration
m017): the rows stay with the run that judged them for as long as a run not pruned names
them, and every run shows its candidates' verdicts through run_verdicts."""
from __future__ import annotations

import json

from click.testing import CliRunner

from microscout.cli import cli
from microscout.config import parse_config
from microscout.engine.shortlist import run_shortlist
from microscout.store import open_store
from tests.engine.test_batch_rules import NOW
from tests.runs.test_incremental import profile, same_runs
from tests.runs.test_prune import keep_one


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
    assert entry["run_id"] == second["run_id"] and len(entry["verdicts"]) > 5
    assert all(v["outcome"] in ("pass", "warn", "fail", "unknown", "error") for v in entry["verdicts"])
