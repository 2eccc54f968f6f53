"""Shortlist runs: every verdict persisted, gates exclude, errors stay with one candidate."""
import gc
import json

import pytest

from microscout import Rule, Verdict, hookimpl
from microscout.config import parse_config
from microscout.engine.plugins import collect_rules, make_plugin_manager
from microscout.engine.shortlist import ranked_entries, run_shortlist
from microscout.store import open_store
from tests.engine.helpers import NOW, RulesForTests, add_profile


@pytest.fixture
def pm():
    pm = make_plugin_manager(None, entry_points=False, defaults=False)
    plugin = RulesForTests()
    pm.register(plugin)
    yield pm
    pm.unregister(plugin)


@pytest.fixture
def db(tmp_path):
    db = open_store(tmp_path / "t.db")
    add_profile(db, "small", 200, posts=3, likes=50)
    add_profile(db, "good", 5_000, posts=3, likes=80)
    add_profile(db, "better", 6_000, posts=3, likes=95)
    add_profile(db, "boom", 7_000, posts=3, likes=90)
    add_profile(db, "hidden", 8_000, opted_out=1)
    return db


def config(**campaign):
    return parse_config({"campaigns": {"c": {"platforms": ["mastodon"], "gates": ["min_followers"],
                                             "weights": {"engagement": 3}, **campaign}}})


def test_gates_exclude_and_scores_rank(db, pm):
    summary = run_shortlist(db, config(), collect_rules(pm), "c", now=NOW)
    assert (summary.candidates, summary.excluded) == (4, 1)  # the opted-out profile is never judged
    assert summary.excluded_by == {"min_followers": 1}
    ranked = [e["handle"] for e in ranked_entries(db, summary.run_id)]
    assert ranked == ["better", "boom", "good"]
    small = db.execute("SELECT excluded_by, rank, reasons FROM shortlist_entries WHERE handle = 'small'").fetchone()
    assert small[0] == "min_followers" and small[1] is None
    assert json.loads(small[2])[0] == "min_followers (fail): 200 followers vs minimum 1000"


def test_every_verdict_is_persisted_with_evidence(db, pm):
    summary = run_shortlist(db, config(), collect_rules(pm), "c", now=NOW)
    rows = db.execute("SELECT COUNT(*) FROM verdicts WHERE run_id = ?", [summary.run_id]).fetchone()[0]
    assert rows == 4 * 3
    ev = db.execute("SELECT evidence FROM verdicts WHERE rule = 'engagement' AND profile_id = "
                    "(SELECT id FROM profiles WHERE handle = 'good')").fetchone()[0]
    assert json.loads(ev) == {"engagement_rate": 80 / 5000}
    rate = db.execute("SELECT engagement_rate FROM shortlist_entries WHERE handle = 'good'").fetchone()[0]
    assert rate == pytest.approx(0.016)


def test_a_raising_rule_is_an_error_for_that_candidate_only(db, pm):
    summary = run_shortlist(db, config(), collect_rules(pm), "c", now=NOW)
    assert summary.errors == 1 and summary.errors_by_rule == {"fragile": 1}
    outcome, reason = db.execute("SELECT outcome, reason FROM verdicts v JOIN profiles p ON p.id = v.profile_id "
                                 "WHERE p.handle = 'boom' AND rule = 'fragile'").fetchone()
    assert outcome == "error" and "RuntimeError: cannot judge boom" in reason
    others = db.execute("SELECT COUNT(*) FROM verdicts WHERE rule = 'fragile' AND outcome = 'pass'").fetchone()[0]
    assert others == 3
    assert db.execute("SELECT status, errors FROM shortlist_runs").fetchone() == ("finished", 1)


def test_disabling_a_rule_from_config(db, pm):
    cfg = parse_config({"rules": {"min_followers": {"enabled": False}},
                        "campaigns": {"c": {"platforms": ["mastodon"], "gates": ["min_followers"]}}})
    summary = run_shortlist(db, cfg, collect_rules(pm), "c", now=NOW)
    assert summary.excluded == 0
    assert db.execute("SELECT COUNT(*) FROM verdicts WHERE rule = 'min_followers'").fetchone()[0] == 0


def test_campaign_options_override_global_ones(db, pm):
    cfg = parse_config({"rules": {"min_followers": {"minimum": 100}},
                        "campaigns": {"c": {"platforms": ["mastodon"], "gates": ["min_followers"],
                                            "rules": {"min_followers": {"minimum": 5_500}}}}})
    summary = run_shortlist(db, cfg, collect_rules(pm), "c", now=NOW)
    assert summary.excluded == 2  # small and good fall under the campaign's own minimum


def test_streams_in_batches(db, pm):
    """A batch size of one must give the same ranks as one big batch."""
    a = run_shortlist(db, config(), collect_rules(pm), "c", now=NOW, batch_size=1)
    b = run_shortlist(db, config(), collect_rules(pm), "c", now=NOW, batch_size=1000)
    assert [e["handle"] for e in ranked_entries(db, a.run_id)] == [e["handle"] for e in ranked_entries(db, b.run_id)]


def test_day_precision_dates_come_out_aware(tmp_path):
    from microscout.store.queries import iter_candidates

    db = open_store(tmp_path / "d.db")
    add_profile(db, "daily", 5000, last_post_at="2026-08-01", created_at="2026-01-02T03:04:05Z")
    profile = next(iter_candidates(db)).profile
    assert profile.last_post_at.tzinfo is not None and profile.created_at.tzinfo is not None
    assert (NOW - profile.last_post_at).days == 92


def test_the_engine_asks_for_a_metric_not_for_a_rule_by_name(db):
    """engagement_rate comes from whichever rule declares it in Rule.metrics."""
    from microscout import Need, Rule, hookimpl
    from tests.engine.helpers import _likes

    class Renamed:
        @hookimpl
        def register_rules(self, register):
            register(Rule(name="likes_per_follower", summary="Likes per post", evaluate=_likes,
                          needs=frozenset({Need.POSTS}), metrics=frozenset({"engagement_rate"})))
            register(Rule(name="engagement", summary="Same evidence, no metric declared", evaluate=_likes,
                          needs=frozenset({Need.POSTS})))

    pm = make_plugin_manager(None, entry_points=False, defaults=False)
    pm.register(Renamed())
    run_shortlist(db, parse_config({"campaigns": {"c": {"platforms": ["mastodon"]}}}), collect_rules(pm), "c", now=NOW)
    rate = db.execute("SELECT engagement_rate FROM shortlist_entries WHERE handle = 'good'").fetchone()[0]
    assert rate == pytest.approx(80 / 5000)


def test_an_unknown_metric_is_refused_naming_the_plugin():
    from microscout import Rule, hookimpl
    from microscout.engine.plugins import PluginError

    class Typo:
        @hookimpl
        def register_rules(self, register):
            register(Rule(name="x", summary="x", evaluate=lambda c, o, ctx: None, metrics=frozenset({"engagment"})))

    pm = make_plugin_manager(None, entry_points=False, defaults=False)
    pm.register(Typo(), name="typo_plugin")
    with pytest.raises(PluginError, match=r"plugin typo_plugin: rule 'x' declares unknown metrics \['engagment'\]"):
        collect_rules(pm)


class CollectorWatch:
    """A rule that records, for each candidate, whether Python's cyclic collector was on."""

    def __init__(self):
        self.seen: list[bool] = []

    @hookimpl
    def register_rules(self, register):
        def evaluate(candidate, options, context):
            self.seen.append(gc.isenabled())
            if candidate.profile.handle == "boom":
                raise RuntimeError("a plugin's bug")
            return Verdict(outcome="pass", score=1.0, reason="watched")

        register(Rule(name="collector_watch", summary="Whether the collector ran", evaluate=evaluate))


@pytest.mark.parametrize("enabled", [True, False], ids=["collector on", "collector off before"])
def test_the_collector_is_held_off_while_a_batch_is_judged_and_left_as_it_was(db, enabled):
    watch = CollectorWatch()
    pm = make_plugin_manager(None, entry_points=False, defaults=False)
    pm.register(watch)
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        summary = run_shortlist(db, parse_config({"campaigns": {"c": {"platforms": ["mastodon"]}}}),
                                collect_rules(pm), "c", now=NOW, batch_size=2)
        after = gc.isenabled()
    finally:
        gc.enable() if was else gc.disable()
    assert (summary.candidates, summary.errors) == (4, 1)  # two batches; the engine caught the rule that raised
    assert watch.seen == [False] * 4
    assert after is enabled


def test_the_collector_is_on_again_after_a_batch_that_stops_the_run(db, monkeypatch):
    from microscout.engine.evaluate import Evaluator

    def broken(self, store, rows, batch_forms=None):
        assert not gc.isenabled()
        raise KeyboardInterrupt

    monkeypatch.setattr(Evaluator, "evaluate_rows", broken)
    pm = make_plugin_manager(None, entry_points=False, defaults=False)
    pm.register(CollectorWatch())
    assert gc.isenabled()
    with pytest.raises(KeyboardInterrupt):
        run_shortlist(db, parse_config({"campaigns": {"c": {"platforms": ["mastodon"]}}}), collect_rules(pm), "c",
                      now=NOW)
    assert gc.isenabled()
    assert db.execute("SELECT status FROM shortlist_runs").fetchall() == [("interrupted",)]


class GivesUp:
    """A rule whose library calls sys.exit() on one candidate."""

    @hookimpl
    def register_rules(self, register):
        def evaluate(candidate, options, context):
            if candidate.profile.handle == "good":
                import sys
                sys.exit("library gave up")
            return Verdict(outcome="pass", score=1.0, reason="fine")

        register(Rule(name="gives_up", summary="Exits on one handle", evaluate=evaluate))


def test_a_rule_calling_sys_exit_fails_that_candidate_only(db, pm):
    plugin = GivesUp()
    pm.register(plugin)
    try:
        summary = run_shortlist(db, config(), collect_rules(pm), "c", now=NOW)
    finally:
        pm.unregister(plugin)
    assert summary.errors_by_rule == {"fragile": 1, "gives_up": 1}
    outcome, reason = db.execute("SELECT outcome, reason FROM verdicts v JOIN profiles p ON p.id = v.profile_id "
                                 "WHERE p.handle = 'good' AND rule = 'gives_up'").fetchone()
    assert outcome == "error" and "SystemExit: library gave up" in reason
    assert [e["handle"] for e in ranked_entries(db, summary.run_id)] == ["better", "boom", "good"]


def test_a_reason_shown_beside_a_rank_says_its_outcome_unless_a_pass():
    # "Ad frequency: 4 of 30 … above one in eight" in an export read as praise (a review, 2026-12-04).
    from microscout import Verdict
    from microscout.engine.evaluate import _said
    from microscout.engine.export_html import _reason

    warn = Verdict(outcome="warn", score=0.5, reason="4 of 30 posts sponsored: above one in eight")
    good = Verdict(outcome="pass", score=1.0, reason="6.45% engagement: above peers")
    assert _said("ad_frequency", warn) == "ad_frequency (warn): 4 of 30 posts sponsored: above one in eight"
    assert _said("engagement", good) == "engagement: 6.45% engagement: above peers"
    rules = {"ad_frequency", "engagement"}
    assert _reason(_said("ad_frequency", warn), rules) == \
        "<b>Ad frequency</b> (warn): 4 of 30 posts sponsored: above one in eight"
    assert _reason(_said("engagement", good), rules) == "<b>Engagement</b>: 6.45% engagement: above peers"
