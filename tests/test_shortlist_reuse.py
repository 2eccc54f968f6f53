"""`shortlist` re-uses the last run when neither the data nor the settings changed, and says so."""
from datetime import timedelta

from click.testing import CliRunner

from microscout.cli import cli
from microscout.config import parse_config
from microscout.engine.plugins import collect_rules, make_plugin_manager
from microscout.engine.shortlist import data_version, run_shortlist
from microscout.store import open_store
from tests.conftest import REPO
from tests.engine.helpers import NOW, RulesForTests, add_profile

SETTINGS = {"campaigns": {"c": {"platforms": ["mastodon"], "gates": ["min_followers"]}}}


def setup(tmp_path):
    pm = make_plugin_manager(None, entry_points=False, defaults=False)
    pm.register(RulesForTests(), name="tests")
    db = open_store(tmp_path / "t.db")
    for handle, followers in [("a", 5000), ("b", 6000), ("boom", 7000), ("tiny", 10)]:
        add_profile(db, handle, followers, posts=2)
    return db, collect_rules(pm)


def test_nothing_changed_gives_the_last_run_back(tmp_path):
    db, rules = setup(tmp_path)
    config = parse_config(SETTINGS)
    first = run_shortlist(db, config, rules, "c", now=NOW, reuse=True)
    again = run_shortlist(db, config, rules, "c", now=NOW + timedelta(hours=3), reuse=True)
    assert not first.reused and again.reused and again.run_id == first.run_id
    assert (again.candidates, again.excluded, again.errors) == (first.candidates, first.excluded, first.errors)
    assert again.errors_by_rule == first.errors_by_rule == {"fragile": 1}
    assert again.excluded_by == first.excluded_by == {"min_followers": 1}
    assert db.execute("SELECT count(*) FROM shortlist_runs").fetchone()[0] == 1
    # Without reuse (the engine's default), a run is a run.
    assert run_shortlist(db, config, rules, "c", now=NOW).run_id != first.run_id


def test_a_change_in_data_settings_rules_or_day_judges_again(tmp_path):
    db, rules = setup(tmp_path)
    config = parse_config(SETTINGS)
    run = run_shortlist(db, config, rules, "c", now=NOW, reuse=True)

    def judged_again(cfg=config, now=NOW) -> bool:
        nonlocal run
        new = run_shortlist(db, cfg, rules, "c", now=now, reuse=True)
        changed, run = new.run_id != run.run_id, new
        return changed and not new.reused

    version = data_version(db)
    with db.conn:  # a re-crawl updates a follower count in place: no new row, still a change
        db.execute("UPDATE profiles SET followers = 5001 WHERE handle = 'a'")
    assert data_version(db) > version
    assert judged_again()
    assert not judged_again()
    with db.conn:
        db.execute("DELETE FROM posts WHERE rowid = (SELECT max(rowid) FROM posts)")
    assert judged_again()
    assert judged_again(parse_config({**SETTINGS, "scoring": {"unknown_score": 0.4}}))
    assert judged_again(parse_config({"campaigns": {"c": {"platforms": ["mastodon"], "gates": ["min_followers"],
                                                          "weights": {"likes": 2}}}}))
    assert judged_again(parse_config({**SETTINGS, "rules": {"min_followers": {"minimum": 10}}}))
    assert judged_again(parse_config({**SETTINGS, "rules": {"min_followers": {"minimum": 10}}}), NOW + timedelta(days=1))


def test_the_command_says_it_reused_the_run(tmp_path):
    db = open_store(tmp_path / "t.db")
    add_profile(db, "cook", 5_000, posts=12, likes=200, bio="vegan recipes")
    args = ["shortlist", "demo", "--db", str(tmp_path / "t.db"), "--config", str(REPO / "config.toml")]
    first = CliRunner().invoke(cli, args)
    assert first.exit_code == 0 and "Nothing changed" not in first.output
    second = CliRunner().invoke(cli, args)
    assert second.exit_code == 0, second.output
    assert "Nothing changed since run 1 (same data, settings and rules, judged today)" in second.output
    assert "Shortlist: demo (run 1)" in second.output
    third = CliRunner().invoke(cli, [*args, "--rejudge"])
    assert third.exit_code == 0 and "Shortlist: demo (run 2)" in third.output


def test_new_tiers_judge_again_in_a_campaign_of_every_platform(tmp_path):
    # platforms = [] judges every platform's profiles: their tiers are its too, so new bounds
    # must not give back the run judged with the old ones (tier and tier_bounds differ).
    db, rules = setup(tmp_path)
    every = {"campaigns": {"c": {"platforms": [], "gates": ["min_followers"]}}}
    first = run_shortlist(db, parse_config(every), rules, "c", now=NOW, reuse=True)
    tiers = {"nano": {"min": 100, "max": 5500}, "micro": {"min": 5500, "max": 10000}}
    again = run_shortlist(db, parse_config({**every, "platforms": {"mastodon": {"tiers": tiers}}}), rules, "c",
                          now=NOW, reuse=True)
    assert not again.reused and again.run_id != first.run_id
    assert db.execute("SELECT tier FROM shortlist_entries WHERE run_id = ? AND handle = 'a'",
                      [again.run_id]).fetchone()[0] == "nano"
