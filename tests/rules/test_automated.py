"""automated: the platform's own bot flag excludes a candidate in every campaign."""
import importlib
import json

import pytest

from microscout.config import parse_config
from microscout.engine.plugins import collect_rules, make_plugin_manager
from microscout.engine.shortlist import ranked_entries, run_shortlist
from microscout.store import open_store
from tests.engine.helpers import NOW, RulesForTests, add_profile
from tests.rules.conftest import make_candidate, registered_rule, run


@pytest.mark.parametrize("platform, bot, outcome, says", [
    ("mastodon", True, "fail", 'automated account: mastodon marks it with the account\'s "bot" flag'),
    ("bluesky", True, "fail", 'automated account: bluesky marks it with the "bot" label on its profile'),
    ("mastodon", False, "pass", "not marked as automated"),
])
def test_the_flag_is_the_evidence(platform, bot, outcome, says):
    verdict = run("automated", make_candidate(platform=platform, bot=bot))
    assert verdict.outcome == outcome and says in verdict.reason
    assert verdict.evidence["bot"] is bot


def test_registered_as_a_profile_only_prefilter_gate():
    rule = registered_rule("automated")
    assert rule.gate and rule.prefilter and {n.value for n in rule.needs} == {"profile"}


@pytest.fixture
def rules():
    pm = make_plugin_manager(None, entry_points=False, defaults=False)
    pm.register(RulesForTests())
    pm.register(importlib.import_module("microscout.rules.automated"))
    return collect_rules(pm)


def shortlist(tmp_path, rules, **rules_config):
    db = open_store(tmp_path / "t.db")
    add_profile(db, "person", 5_000, posts=3, likes=80)
    add_profile(db, "feedbot", 6_000, posts=3, likes=95, bot=1)
    config = parse_config({"rules": rules_config, "campaigns": {"c": {"platforms": ["mastodon"], "gates": []}}})
    summary = run_shortlist(db, config, rules, "c", now=NOW)
    return db, summary


def test_a_bot_is_excluded_although_the_campaign_names_no_gate(tmp_path, rules):
    db, summary = shortlist(tmp_path, rules)
    assert summary.excluded_by == {"automated": 1}
    assert [e["handle"] for e in ranked_entries(db, summary.run_id)] == ["person"]
    reasons = db.execute("SELECT reasons FROM shortlist_entries WHERE handle = 'feedbot'").fetchone()[0]
    assert json.loads(reasons)[0].startswith("automated (fail): automated account")
    # it only excludes: a pass adds nothing to the score unless the campaign weighs it
    run_settings = json.loads(db.execute("SELECT settings FROM shortlist_runs").fetchone()[0])
    assert run_settings["weights"]["automated"] == 0 and "automated" in run_settings["gates"]


def test_switched_off_the_bot_is_judged_like_anyone(tmp_path, rules):
    db, summary = shortlist(tmp_path, rules, automated={"enabled": False})
    assert summary.excluded == 0
    assert sorted(e["handle"] for e in ranked_entries(db, summary.run_id)) == ["feedbot", "person"]
