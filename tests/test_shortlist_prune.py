"""A campaign's old shortlist runs are pruned: only its newest `shortlists.keep_runs`
finished runs keep their verdicts and entries, so a campaign judged every week does not add
every candidate's verdicts to the store each week; what users read keeps working."""
import json
import shutil

import pytest
from click.testing import CliRunner

from microscout.cli import cli
from microscout.config import parse_config
from microscout.engine.plugins import collect_rules, make_plugin_manager
from microscout.engine.shortlist import latest_run, run_shortlist
from microscout.sandbox.storewriter import generate
from microscout.store import open_store, runs
from tests.engine.test_batch_rules import NOW


@pytest.fixture(scope="module")
def population(tmp_path_factory):
    path = tmp_path_factory.mktemp("prune") / "store.db"
    generate(path, 30, 5, posts=6, posts_with_replies=2, followers=30)
    return path


@pytest.fixture(scope="module")
def rules():
    return collect_rules(make_plugin_manager())


@pytest.fixture
def db(population, tmp_path):
    shutil.copy(population, tmp_path / "store.db")
    store = open_store(str(tmp_path / "store.db"))
    yield store
    store.close()


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
