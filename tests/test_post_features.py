"""Per-post features (issue #12): a post's sponsored analysis is computed when the post is
written, stored beside it per settings version, refreshed when the settings change, and
read by the rules instead of analysing again, with the same verdicts."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from microscout.cli import cli
from microscout.config import parse_config
from microscout.engine import features
from microscout.engine.plugins import collect_rules, make_plugin_manager
from microscout.engine.shortlist import run_shortlist
from microscout.heuristics import post_features
from microscout.heuristics.sponsored import SponsoredSettings, analyse_post
from microscout.sandbox.storewriter import generate
from microscout.store import features as store_features
from microscout.store import open_store
from microscout.store.writes import upsert_posts
from tests.engine.helpers import NOW, add_profile, verdict_rows
from tests.test_import import POSTS_CSV, PROFILES_CSV
from tests.test_import import run as run_import

DEFAULT = post_features.settings_version(SponsoredSettings())
CAMPAIGN = {"campaigns": {"demo": {"platforms": ["mastodon", "bluesky"], "keywords": ["vegan"]}}}


def _stored(db) -> dict[tuple[int, str], str | None]:
    return {(r[0], r[1]): r[2] for r in db.execute("SELECT post_id, version, analysis FROM post_features")}


def _expected(db, post_id: int, settings: SponsoredSettings) -> str | None:
    text, tags, paid = db.execute("SELECT text, hashtags, paid_flag FROM posts WHERE id = ?", [post_id]).fetchone()
    return post_features.encode(analyse_post(text or "", json.loads(tags or "[]"),
                                             None if paid is None else bool(paid), settings))


def _rules():
    return collect_rules(make_plugin_manager(None, entry_points=False))


def test_the_generator_stores_every_posts_analysis(tmp_path):
    generate(tmp_path / "g.db", 12, seed=3, posts=10)
    db = open_store(tmp_path / "g.db")
    stored = _stored(db)
    posts = [r[0] for r in db.execute("SELECT id FROM posts")]
    assert posts and set(stored) == {(p, DEFAULT) for p in posts}
    assert any(v is not None for v in stored.values())  # some sponsored posts among them
    for (post_id, version), value in stored.items():
        assert value == _expected(db, post_id, SponsoredSettings())


def test_import_stores_the_features_of_imported_posts(tmp_path):
    (tmp_path / "profiles.csv").write_text(PROFILES_CSV)
    (tmp_path / "posts.csv").write_text(POSTS_CSV)
    result = run_import(tmp_path, "import", str(tmp_path / "profiles.csv"), str(tmp_path / "posts.csv"),
                        "--platform", "linkedin")
    assert "3 profiles, 3 posts stored" in result.output  # and bad rows listed (exit 1)
    db = open_store(tmp_path / "scout.db")
    stored = _stored(db)
    ids = [r[0] for r in db.execute("SELECT id FROM posts")]
    assert ids and set(stored) == {(i, DEFAULT) for i in ids}
    ad = db.execute("SELECT id FROM posts WHERE platform_id = 'a3'").fetchone()[0]
    assert post_features.decode(stored[(ad, DEFAULT)]).sponsored


def test_an_edited_post_is_analysed_again_an_unchanged_one_is_not(tmp_path):
    db = open_store(tmp_path / "t.db")
    pid = add_profile(db, "a", 5000, posts=2)
    first = _stored(db)
    post = db.execute("SELECT id FROM posts WHERE platform_id = 'a-0'").fetchone()[0]
    assert first[(post, DEFAULT)] is None
    row = {"platform": "mastodon", "platform_id": "a-0", "profile_id": pid, "created_at": NOW.isoformat(),
           "text": "post 0 #vegan", "hashtags": ["vegan"], "likes": 12}
    with db.conn:
        upsert_posts(db, [row])  # same text: the trigger leaves its features alone
    assert _stored(db) == first
    with db.conn:
        upsert_posts(db, [{**row, "text": "Use code GLOW20 for 20% off #ad", "hashtags": ["ad"]}])
    assert post_features.decode(_stored(db)[(post, DEFAULT)]).disclosure == "adequate"
    with db.conn:
        db.execute("DELETE FROM posts WHERE id = ?", [post])
    assert all(k[0] != post for k in _stored(db))


def test_a_changed_setting_recomputes_only_the_version_it_makes(tmp_path):
    db = open_store(tmp_path / "t.db")
    for handle in ("a", "b"):
        add_profile(db, handle, 5000, posts=3)
    rules = _rules()
    base = parse_config(CAMPAIGN)
    features.refresh(db, base, rules)  # the campaign's niche terms: not known when the posts were written
    assert features.prepare(db, base, rules) == 0  # the post features' defaults: written with the posts
    before = _stored(db)

    changed = parse_config({**CAMPAIGN, "rules": {"disclosure": {"sponsored": {"fold_chars": 60}}}})
    new = post_features.settings_version(SponsoredSettings(fold_chars=60))
    assert features.prepare(db, changed, rules) == 6  # six posts, one new version
    result = features.refresh(db, changed, rules)
    assert (result.computed, result.versions, result.removed) == (6, {new: 6}, 0)
    after = _stored(db)
    assert {k: v for k, v in after.items() if k[1] == DEFAULT} == before  # the others untouched
    assert {k for k in after if k[1] == new} == {(p, new) for p, _ in before}
    # Posts written now get both versions.
    add_profile(db, "c", 5000, posts=1)
    c_post = db.execute("SELECT id FROM posts WHERE platform_id = 'c-0'").fetchone()[0]
    assert {k[1] for k in _stored(db) if k[0] == c_post} == {DEFAULT, new}
    # Back to the defaults: the unused version goes.
    result = features.refresh(db, base, rules)
    assert (result.computed, result.removed) == (0, 7)
    assert {k[1] for k in _stored(db)} == {DEFAULT}


def test_refresh_features_command_says_what_it_did_and_is_idempotent(tmp_path):
    db_path = tmp_path / "g.db"
    generate(db_path, 6, seed=1, posts=5)
    with sqlite3.connect(db_path) as con:
        con.execute("DELETE FROM post_features")  # as a store written before features existed
    config = tmp_path / "config.toml"
    config.write_text('database = "g.db"\nplugins_dir = "none"\n')
    runner = CliRunner()
    args = ["--config", str(config), "--db", str(db_path)]
    posts = sqlite3.connect(db_path).execute("SELECT count(*) FROM posts").fetchone()[0]
    first = runner.invoke(cli, ["db", "refresh-features", *args])
    assert first.exit_code == 0, first.output
    assert first.output == f"{db_path}: computed {posts:,} stored features ({posts:,} for settings {DEFAULT})\n"
    again = runner.invoke(cli, ["db", "refresh-features", "--json", *args])
    assert again.exit_code == 0, again.output
    assert json.loads(again.output) == {"database": str(db_path.resolve()), "computed": 0, "versions": {},
                                        "removed": 0}
    assert runner.invoke(cli, ["db", "refresh-features", *args]).output == f"{db_path}: stored features up to date\n"


def test_shortlist_refreshes_stale_features_itself_and_says_so(tmp_path):
    db_path = tmp_path / "g.db"
    generate(db_path, 6, seed=1, posts=5)
    config = tmp_path / "config.toml"
    config.write_text('database = "g.db"\nplugins_dir = "none"\n[campaigns.demo]\nplatforms = ["mastodon"]\n'
                      '[rules.ad_frequency.sponsored]\nfold_chars = 90\n')
    runner = CliRunner()
    result = runner.invoke(cli, ["shortlist", "demo", "--config", str(config), "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    assert "Computing 30 stored features for the current settings" in " ".join(result.output.split())
    new = post_features.settings_version(SponsoredSettings(fold_chars=90))
    assert store_features.stale_count(open_store(db_path)) == 0
    assert new in {r[0] for r in sqlite3.connect(db_path).execute("SELECT DISTINCT version FROM post_features")}
    again = runner.invoke(cli, ["shortlist", "demo", "--rejudge", "--config", str(config), "--db", str(db_path)])
    assert "stored features" not in again.output


def test_verdicts_are_the_same_with_and_without_stored_features(tmp_path):
    generate(tmp_path / "g.db", 40, seed=11, posts=20)
    db = open_store(tmp_path / "g.db")
    config, rules = parse_config(CAMPAIGN), _rules()
    with_features = run_shortlist(db, config, rules, "demo", now=NOW)
    assert db.execute("SELECT count(*) FROM post_features WHERE analysis IS NOT NULL").fetchone()[0] > 0
    with db.conn:
        db.execute("DELETE FROM post_features")
    post_features.detach()
    without = run_shortlist(db, config, rules, "demo", now=NOW)
    assert verdict_rows(db, with_features.run_id) == verdict_rows(db, without.run_id)
    assert any(r[1] == "disclosure" and r[2] != "pass" for r in verdict_rows(db, without.run_id))


def test_a_stored_analysis_is_used_only_for_the_unchanged_post_it_was_loaded_with(tmp_path):
    db = open_store(tmp_path / "t.db")
    add_profile(db, "a", 5000, posts=1)
    from microscout.heuristics.posts import analyse
    from microscout.store.queries import iter_candidates

    post = next(iter_candidates(db)).posts[0]
    fake = '[1,[],["#ad"],[],"adequate",[],[]]'
    post_features.attach([(post, {DEFAULT: fake})])
    assert analyse(post).adequate_labels == ["#ad"]  # read from the store, not recomputed
    post.text = "something else"
    assert analyse(post).sponsored is False  # changed since loading: analysed afresh
    post_features.detach()


def test_features_live_in_a_named_migration(tmp_path):
    db = open_store(tmp_path / "t.db")
    assert "m008_post_features" in [r[0] for r in db.execute("SELECT name FROM _sqlite_migrations")]
    assert {"post_features", "feature_settings"} <= set(db.table_names())
    assert Path(db.conn.execute("PRAGMA database_list").fetchone()[2]).exists()
