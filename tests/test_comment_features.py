"""Per-comment features (issue #12): a comment's class is computed when the comment is
written, stored per version of the thresholds, refreshed when they change, and read by
comment_quality's batch form instead of classifying again, with the same verdicts."""
from __future__ import annotations

import json
import sqlite3

from click.testing import CliRunner

from microscout.cli import cli
from microscout.config import parse_config
from microscout.engine.plugins import collect_rules, make_plugin_manager
from microscout.engine.shortlist import run_shortlist
from microscout.heuristics import comment_features
from microscout.heuristics.comments import CommentThresholds, classify_comment
from microscout.sandbox.storewriter import generate
from microscout.store import features as store_features
from microscout.store import open_store
from microscout.store.writes import upsert_comments
from tests.engine.helpers import NOW, demo_verdicts, verdict_rows

DEFAULT = comment_features.settings_version(CommentThresholds())


def _stored(db) -> dict[tuple[int, str], str]:
    return {(r[0], r[1]): r[2] for r in db.execute("SELECT comment_id, version, label FROM comment_features")}


def test_the_generator_stores_every_comments_class(tmp_path):
    generate(tmp_path / "g.db", 12, seed=3, posts=6, posts_with_replies=4, followers=0)
    db = open_store(tmp_path / "g.db")
    stored = _stored(db)
    comments = dict(db.execute("SELECT id, text FROM comments").fetchall())
    assert comments and set(stored) == {(c, DEFAULT) for c in comments}
    assert {v for v in stored.values()} == {"genuine", "generic", "spam"}
    for (comment_id, _), label in stored.items():
        assert label == classify_comment(comments[comment_id] or "").label


def test_an_edited_comment_is_classified_again_an_unchanged_one_is_not(tmp_path):
    generate(tmp_path / "g.db", 6, seed=2, posts=4, posts_with_replies=4, followers=0)
    db = open_store(tmp_path / "g.db")
    row = db.execute("SELECT platform, platform_id, profile_id, post_platform_id, id FROM comments "
                     "ORDER BY id LIMIT 1").fetchone()
    with db.conn:
        db.execute("UPDATE comment_features SET label = 'unchanged-marker' WHERE comment_id != ?", [row[4]])
        upsert_comments(db, [{"platform": row[0], "platform_id": row[1], "profile_id": row[2],
                              "post_platform_id": row[3], "text": "sub 4 sub, check out my channel"}])
    stored = _stored(db)
    assert stored[(row[4], DEFAULT)] == "spam"
    assert set(stored.values()) == {"spam", "unchanged-marker"}


def test_changed_thresholds_add_their_version_and_drop_the_unused_one(tmp_path):
    db_path = tmp_path / "g.db"
    generate(db_path, 6, seed=1, posts=4, posts_with_replies=4, followers=0)
    config = tmp_path / "config.toml"
    config.write_text('database = "g.db"\nplugins_dir = "none"\n[rules.comment_quality.comments]\nshort_words = 4\n')
    comments = sqlite3.connect(db_path).execute("SELECT count(*) FROM comments").fetchone()[0]
    result = CliRunner().invoke(cli, ["db", "refresh-features", "--json", "--config", str(config),
                                      "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    new = comment_features.settings_version(CommentThresholds(short_words=4))
    assert f'"{new}": {comments}' in result.output
    versions = {r[0] for r in sqlite3.connect(db_path).execute("SELECT DISTINCT version FROM comment_features")}
    assert versions == {new}
    assert store_features.stale_count(open_store(db_path)) == 0


def test_verdicts_are_the_same_with_and_without_stored_classes(tmp_path):
    generate(tmp_path / "g.db", 40, seed=11, posts=10, posts_with_replies=6, followers=0)
    db = open_store(tmp_path / "g.db")
    config = parse_config({"plugins_dir": "none",
                           "campaigns": {"demo": {"platforms": ["mastodon", "bluesky"], "keywords": ["vegan"]}}})
    rules = collect_rules(make_plugin_manager(None, entry_points=False))
    with_classes = run_shortlist(db, config, rules, "demo", now=NOW)
    # Wrong stored classes would show: the verdicts must come from the stored ones.
    with db.conn:
        db.execute("UPDATE comment_features SET label = 'spam'")
    tampered = run_shortlist(db, config, rules, "demo", now=NOW)
    with db.conn:
        db.execute("DELETE FROM comment_features")
    without = run_shortlist(db, config, rules, "demo", now=NOW)
    assert verdict_rows(db, with_classes.run_id) == verdict_rows(db, without.run_id)
    assert verdict_rows(db, tampered.run_id) != verdict_rows(db, without.run_id)
    quality = db.execute("SELECT count(*) FROM verdicts WHERE run_id = ? AND rule = 'comment_quality' "
                         "AND outcome != 'unknown'", [without.run_id]).fetchone()[0]
    assert quality > 0


def test_a_comment_not_genuine_stores_what_a_verdict_shows_of_it(tmp_path):
    generate(tmp_path / "g.db", 12, seed=3, posts=6, posts_with_replies=4, followers=0)
    db = open_store(tmp_path / "g.db")
    rows = db.execute("SELECT c.text, f.label, f.detail FROM comments c JOIN comment_features f "
                      "ON f.comment_id = c.id").fetchall()
    assert {label for _, label, _ in rows} == {"genuine", "generic", "spam"}
    for text, label, detail in rows:
        verdict = classify_comment(text or "")
        if label == "genuine":
            assert detail is None
        else:
            assert json.loads(detail) == [verdict.label, verdict.matched, verdict.reasons]
    assert all(json.loads(detail)[2] for *_, detail in rows if detail)  # every one says why


def test_the_examples_shown_are_the_stored_details_not_classified_again(tmp_path, monkeypatch):
    generate(tmp_path / "g.db", 30, seed=11, posts=10, posts_with_replies=6, followers=0)
    db = open_store(tmp_path / "g.db")
    reference = demo_verdicts(db, "comment_quality")
    assert any(json.loads(row[-1]).get("examples") for row in reference)
    # A detail changed by hand shows in the examples: they are read, not worked out again.
    with db.conn:
        db.execute("UPDATE comment_features SET detail = json_array(label, json_array('marker'), "
                   "json_array('stored reason')) WHERE detail IS NOT NULL")
    from microscout.rules import comment_quality

    monkeypatch.setattr(comment_quality, "classify_comment", None)  # any call would fail the batch form
    marked = demo_verdicts(db, "comment_quality")
    shown = [e for row in marked for e in json.loads(row[-1]).get("examples", [])]
    assert shown and all(e["matched"] == ["marker"] and e["reasons"] == ["stored reason"] for e in shown)
    assert [row[:-1] for row in marked] == [row[:-1] for row in reference]


def test_comment_features_live_in_a_named_migration(tmp_path):
    db = open_store(tmp_path / "new.db")
    assert "m010_comment_features" in [m for (m,) in db.execute("SELECT name FROM _sqlite_migrations")]
