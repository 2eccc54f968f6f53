"""Per-follower features (issue #12): a sampled follower's class is computed when it is
written, stored per version of the thresholds, refreshed when they change, and counted in
SQL by audience_authenticity's batch form, with the same verdicts."""
from __future__ import annotations

import json
import sqlite3

from click.testing import CliRunner

from microscout.cli import cli
from microscout.config import parse_config
from microscout.engine.plugins import collect_rules, make_plugin_manager
from microscout.engine.shortlist import run_shortlist
from microscout.heuristics import follower_features
from microscout.heuristics.accounts import AccountThresholds, classify_account
from microscout.rules import audience_authenticity
from microscout.sandbox.storewriter import generate
from microscout.store import features as store_features
from microscout.store import open_store
from microscout.store.writes import upsert_followers
from tests.engine.helpers import NOW, demo_verdicts, verdict_rows

RULE = "audience_authenticity"

DEFAULT = follower_features.settings_version(AccountThresholds())


def _stored(db) -> dict[tuple[int, str, str], str]:
    return {(r[0], r[1], r[2]): r[3] for r in
            db.execute("SELECT profile_id, platform_id, version, label FROM follower_features")}


def _expected(db, profile_id: int, platform_id: str) -> str:
    row = db.execute("SELECT handle, followers, following, posts_count, has_avatar, bio, bot FROM follower_samples "
                     "WHERE profile_id = ? AND platform_id = ?", [profile_id, platform_id]).fetchone()
    return follower_features.label(follower_features.Inputs.from_row(*row), AccountThresholds())


def test_the_generator_stores_every_followers_class(tmp_path):
    generate(tmp_path / "g.db", 12, seed=3, posts=2, posts_with_replies=0, followers=30)
    db = open_store(tmp_path / "g.db")
    stored = _stored(db)
    followers = db.execute("SELECT profile_id, platform_id FROM follower_samples").fetchall()
    assert followers and set(stored) == {(p, f, DEFAULT) for p, f in followers}
    assert {"real", "suspicious"} <= set(stored.values())
    for (profile_id, platform_id, _), label in stored.items():
        assert label == _expected(db, profile_id, platform_id)


def test_a_changed_follower_is_classified_again_a_follower_without_counts_is_undescribed(tmp_path):
    generate(tmp_path / "g.db", 4, seed=2, posts=2, posts_with_replies=0, followers=10)
    db = open_store(tmp_path / "g.db")
    profile_id, platform_id = db.execute("SELECT profile_id, platform_id FROM follower_samples "
                                         "ORDER BY rowid LIMIT 1").fetchone()
    with db.conn:
        db.execute("UPDATE follower_features SET label = 'unchanged-marker'")
        upsert_followers(db, [{"profile_id": profile_id, "platform_id": platform_id, "handle": "newname",
                               "followers": 3, "following": 2000, "has_avatar": 0, "bio": ""},
                              {"profile_id": profile_id, "platform_id": "names-only", "handle": "nameonly"}])
    stored = _stored(db)
    assert stored[(profile_id, platform_id, DEFAULT)] == "suspicious"
    assert stored[(profile_id, "names-only", DEFAULT)] == "undescribed"
    assert set(stored.values()) == {"suspicious", "undescribed", "unchanged-marker"}
    with db.conn:
        db.execute("DELETE FROM follower_samples WHERE profile_id = ? AND platform_id = ?", [profile_id, platform_id])
    assert (profile_id, platform_id, DEFAULT) not in _stored(db)


def test_changed_thresholds_are_a_new_version(tmp_path):
    db_path = tmp_path / "g.db"
    generate(db_path, 4, seed=1, posts=2, posts_with_replies=0, followers=10)
    config = tmp_path / "config.toml"
    config.write_text('database = "g.db"\nplugins_dir = "none"\n'
                      '[rules.audience_authenticity.accounts]\nmass_following = 900\n')
    followers = sqlite3.connect(db_path).execute("SELECT count(*) FROM follower_samples").fetchone()[0]
    result = CliRunner().invoke(cli, ["db", "refresh-features", "--json", "--config", str(config),
                                      "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    new = follower_features.settings_version(AccountThresholds(mass_following=900))
    assert f'"{new}": {followers}' in result.output
    versions = {r[0] for r in sqlite3.connect(db_path).execute("SELECT DISTINCT version FROM follower_features")}
    assert versions == {new}
    assert store_features.stale_count(open_store(db_path)) == 0


def test_verdicts_are_the_same_with_and_without_stored_classes(tmp_path):
    generate(tmp_path / "g.db", 40, seed=11, posts=2, posts_with_replies=0, followers=40)
    db = open_store(tmp_path / "g.db")
    config = parse_config({"plugins_dir": "none",
                           "campaigns": {"demo": {"platforms": ["mastodon", "bluesky"], "keywords": ["vegan"]}}})
    rules = collect_rules(make_plugin_manager(None, entry_points=False))
    with_classes = run_shortlist(db, config, rules, "demo", now=NOW)
    with db.conn:  # half the candidates without stored classes: tallied from their rows
        db.execute("DELETE FROM follower_features WHERE profile_id % 2 = 0")
    half = run_shortlist(db, config, rules, "demo", now=NOW)
    with db.conn:  # wrong stored classes would show: the counts must come from them
        db.execute("UPDATE follower_features SET label = 'real'")
    tampered = run_shortlist(db, config, rules, "demo", now=NOW)
    with db.conn:
        db.execute("DELETE FROM follower_features")
    without = run_shortlist(db, config, rules, "demo", now=NOW)
    reference = verdict_rows(db, without.run_id, RULE)
    assert verdict_rows(db, with_classes.run_id, RULE) == reference == verdict_rows(db, half.run_id, RULE)
    assert verdict_rows(db, tampered.run_id, RULE) != verdict_rows(db, without.run_id, RULE)
    outcomes = {r[2] for r in verdict_rows(db, without.run_id, RULE)}
    assert {"pass", "fail"} <= outcomes


def test_a_follower_a_verdict_may_show_stores_its_reasons(tmp_path):
    generate(tmp_path / "g.db", 12, seed=3, posts=2, posts_with_replies=0, followers=30)
    db = open_store(tmp_path / "g.db")
    rows = db.execute(f"SELECT f.label, f.detail, {audience_authenticity._ROW} FROM follower_features f "
                      "JOIN follower_samples s USING (profile_id, platform_id)").fetchall()
    assert {"real", "suspicious", "bot"} <= {r[0] for r in rows}
    for label, detail, *values in rows:
        if label in ("real", "dormant", "undescribed"):
            assert detail is None
        else:
            expected = classify_account(audience_authenticity._features(audience_authenticity._row(tuple(values))))
            assert expected.label == label and json.loads(detail) == expected.reasons and expected.reasons


def test_the_examples_shown_are_the_stored_reasons_not_classified_again(tmp_path, monkeypatch):
    generate(tmp_path / "g.db", 30, seed=11, posts=2, posts_with_replies=0, followers=40)
    db = open_store(tmp_path / "g.db")
    reference = demo_verdicts(db, RULE)
    assert any(json.loads(row[-1]).get("examples") for row in reference)
    with db.conn:  # reasons changed by hand show in the examples: they are read, not worked out again
        db.execute("UPDATE follower_features SET detail = json_array('stored reason') WHERE detail IS NOT NULL")
    monkeypatch.setattr(audience_authenticity, "classify_account", None)  # any call would fail the batch form
    marked = demo_verdicts(db, RULE)
    shown = [e for row in marked for e in json.loads(row[-1]).get("examples", [])]
    assert shown and all(e["reasons"] == ["stored reason"] for e in shown)
    assert [row[:-1] for row in marked] == [row[:-1] for row in reference]


def test_follower_features_live_in_a_named_migration(tmp_path):
    db = open_store(tmp_path / "new.db")
    assert "m011_follower_features" in [m for (m,) in db.execute("SELECT name FROM _sqlite_migrations")]
