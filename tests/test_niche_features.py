"""Per-post niche terms (issue #12): the campaign terms a post uses are stored per version
of a campaign's terms, for the campaigns that judge niche relevance, and read by
niche_relevance's batch form instead of matching again, with the same verdicts."""
from __future__ import annotations

import json

from microscout.config import parse_config
from microscout.engine import features
from microscout.engine.plugins import collect_rules, make_plugin_manager
from microscout.engine.shortlist import run_shortlist
from microscout.heuristics import niche
from microscout.heuristics.niche import NicheTerms, matcher
from microscout.sandbox.storewriter import generate
from microscout.store import open_store
from microscout.store.writes import upsert_posts
from tests.engine.helpers import NOW, verdict_rows

RULE = "niche_relevance"

VEGAN = {"platforms": ["mastodon", "bluesky"], "keywords": ["vegan", "tofu"], "hashtags": ["plantbased"]}


def _config(**campaigns):
    return parse_config({"plugins_dir": "none", "campaigns": campaigns})


def _rules():
    return collect_rules(make_plugin_manager(None, entry_points=False))


def _stored(db) -> dict[tuple[int, str], str | None]:
    return {(r[0], r[1]): r[2] for r in db.execute("SELECT post_id, version, terms FROM niche_features")}


def test_terms_are_stored_for_the_campaigns_that_judge_niche_relevance(tmp_path):
    generate(tmp_path / "g.db", 10, seed=3, posts=6, posts_with_replies=0, followers=0)
    db = open_store(tmp_path / "g.db")
    assert _stored(db) == {}  # nothing registered: no campaign's terms to look for
    off = {**VEGAN, "keywords": ["python"], "hashtags": [], "rules": {"niche_relevance": {"enabled": False}}}
    config = _config(vegan=VEGAN, tech=off)
    result = features.refresh(db, config, _rules())
    version = niche.settings_version(NicheTerms(**{k: VEGAN[k] for k in ("keywords", "hashtags")}))
    posts = db.execute("SELECT id, text, hashtags FROM posts").fetchall()
    assert result.versions[version] == len(posts)
    stored = _stored(db)
    assert {v for _, v in stored} == {version}  # the tech campaign does not judge niche relevance
    terms = matcher(VEGAN["keywords"], VEGAN["hashtags"])
    for post_id, text, tags in posts:
        expected = terms(text or "", json.loads(tags or "[]"))
        assert stored[(post_id, version)] == (json.dumps(sorted(expected), ensure_ascii=False,
                                                         separators=(",", ":")) if expected else None)
    assert any(v for v in stored.values()) and any(v is None for v in stored.values())
    # A post written now gets the registered campaign's terms at once.
    profile_id = db.execute("SELECT id FROM profiles LIMIT 1").fetchone()[0]
    with db.conn:
        upsert_posts(db, [{"platform": "mastodon", "platform_id": "new-post", "profile_id": profile_id,
                           "created_at": "2026-10-30T10:00:00+00:00", "text": "Crispy TOFU tonight #PlantBased"}])
    new_id = db.execute("SELECT id FROM posts WHERE platform_id = 'new-post'").fetchone()[0]
    assert json.loads(_stored(db)[(new_id, version)]) == ["#plantbased", "tofu"]


def test_verdicts_are_the_same_with_and_without_stored_terms(tmp_path):
    generate(tmp_path / "g.db", 40, seed=11, posts=12, posts_with_replies=0, followers=0)
    db = open_store(tmp_path / "g.db")
    config, rules = _config(demo=VEGAN), _rules()
    without = run_shortlist(db, config, rules, "demo", now=NOW)
    assert features.refresh(db, config, rules).computed > 0
    stored = run_shortlist(db, config, rules, "demo", now=NOW)
    with db.conn:  # wrong stored terms would show: the counts must come from them
        db.execute("UPDATE niche_features SET terms = NULL")
    tampered = run_shortlist(db, config, rules, "demo", now=NOW)
    assert verdict_rows(db, stored.run_id, RULE) == verdict_rows(db, without.run_id, RULE)
    assert verdict_rows(db, tampered.run_id, RULE) != verdict_rows(db, without.run_id, RULE)
    assert {"pass", "fail"} <= {r[2] for r in verdict_rows(db, without.run_id, RULE)}


def test_niche_features_live_in_a_named_migration(tmp_path):
    db = open_store(tmp_path / "new.db")
    assert "m012_niche_features" in [m for (m,) in db.execute("SELECT name FROM _sqlite_migrations")]


def test_a_campaign_of_every_platform_has_its_terms_and_settings_stored_too():
    # platforms = [] judges every platform's profiles (as shortlist does): its niche terms and
    # its own sponsored settings are in use on each, not on none (matched again at every run).
    every = {"platforms": [], "keywords": ["vegan"], "rules": {"ad_frequency": {"sponsored": {"fold_chars": 77}}}}
    config, rules = _config(every=every), _rules()
    terms = features.niche_terms_in_use(config, rules)
    assert set(terms) == set(config.platforms.names())
    assert all(NicheTerms(keywords=["vegan"]) in found for found in terms.values())
    sponsored = features.post_settings_in_use(config, rules)
    assert all(any(s.fold_chars == 77 for s in sponsored[p]) for p in config.platforms.names())
