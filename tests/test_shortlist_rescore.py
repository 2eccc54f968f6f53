"""`shortlist` re-scores the last run's verdicts, without running the rules, when only the
weights or gates changed; the result is the one a full re-judge gives."""
from datetime import timedelta

from click.testing import CliRunner

from microscout.cli import cli
from microscout.config import parse_config
from microscout.engine.shortlist import run_shortlist
from microscout.store import open_store
from tests.conftest import REPO
from tests.engine.helpers import NOW, add_profile
from tests.test_shortlist_reuse import SETTINGS, setup

ENTRY = "profile_id, platform, handle, tier, followers, engagement_rate, score, rank, excluded_by, reasons"
VERDICT = "profile_id, rule, outcome, score, reason, evidence"


def rows(db, run_id: int, what: str, table: str) -> list:
    return db.execute(f"SELECT {what} FROM {table} WHERE run_id = ? ORDER BY 1, 2", [run_id]).fetchall()


def test_weights_and_gates_re_score_the_last_verdicts_as_a_re_judge_would(tmp_path):
    db, rules = setup(tmp_path)
    for i in range(20):
        add_profile(db, f"p{i}", 500 * i, posts=i % 4, likes=7 * i)
    first = run_shortlist(db, parse_config(SETTINGS), rules, "c", now=NOW, reuse=True)
    changed = parse_config({"campaigns": {"c": {"platforms": ["mastodon"], "gates": ["fragile"],
                                                "weights": {"engagement": 2.5, "min_followers": 0.3}}},
                            "scoring": {"unknown_score": 0.35, "warn_penalty": 0.1}})
    rescored = run_shortlist(db, changed, rules, "c", now=NOW + timedelta(hours=1), reuse=True)
    assert rescored.rescored_from == first.run_id and not rescored.reused and rescored.run_id != first.run_id
    rejudged = run_shortlist(db, changed, rules, "c", now=NOW + timedelta(hours=1))
    assert rejudged.rescored_from is None
    entries = rows(db, rescored.run_id, ENTRY, "shortlist_entries")
    assert entries == rows(db, rejudged.run_id, ENTRY, "shortlist_entries")
    assert rows(db, rescored.run_id, VERDICT, "run_verdicts") == rows(db, rejudged.run_id, VERDICT, "run_verdicts")
    assert (rescored.candidates, rescored.excluded, rescored.errors, rescored.excluded_by, rescored.errors_by_rule) == (
        rejudged.candidates, rejudged.excluded, rejudged.errors, rejudged.excluded_by, rejudged.errors_by_rule)
    assert rows(db, rescored.run_id, ENTRY, "shortlist_entries") != rows(db, first.run_id, ENTRY, "shortlist_entries")
    # The re-scored run carries the new settings; asked again, it is given back whole.
    again = run_shortlist(db, changed, rules, "c", now=NOW + timedelta(hours=2), reuse=True)
    assert again.reused and again.run_id == rejudged.run_id


def test_what_the_verdicts_read_judges_again(tmp_path):
    db, rules = setup(tmp_path)
    config = parse_config(SETTINGS)
    last = run_shortlist(db, config, rules, "c", now=NOW, reuse=True)
    weights = parse_config({"campaigns": {"c": {"platforms": ["mastodon"], "gates": ["min_followers"],
                                                "weights": {"engagement": 2}}}})
    for cfg, now in [(parse_config({**SETTINGS, "rules": {"min_followers": {"minimum": 10}}}), NOW),
                     (parse_config({"campaigns": {"c": {**SETTINGS["campaigns"]["c"], "keywords": ["vegan"]}}}), NOW),
                     (weights, NOW + timedelta(days=1))]:
        new = run_shortlist(db, cfg, rules, "c", now=now, reuse=True)
        assert new.run_id != last.run_id and new.rescored_from is None and not new.reused
        last = new
    with db.conn:
        db.execute("UPDATE profiles SET followers = 5001 WHERE handle = 'a'")
    new = run_shortlist(db, config, rules, "c", now=NOW + timedelta(days=1), reuse=True)
    assert new.rescored_from is None and not new.reused


def test_the_command_re_scores_the_demo_campaign_as_rejudge_would(tmp_path):
    db = open_store(tmp_path / "t.db")
    for i in range(12):
        add_profile(db, f"cook{i}", 2_000 + 900 * i, posts=3 + i, likes=20 + 13 * i, bio="vegan recipes")
    text = (REPO / "config.toml").read_text()
    weights = "weights = { engagement = 3, audience_authenticity = 3, niche_relevance = 2, comment_quality = 2, "
    gates = 'gates = ["tier_bounds", "audience_authenticity", "disclosure", "comment_quality", "ad_frequency", '
    assert weights in text and gates in text
    (tmp_path / "a.toml").write_text(text)
    (tmp_path / "b.toml").write_text(text.replace(weights, weights.replace("engagement = 3", "engagement = 1"), 1)
                                     .replace(gates, gates.replace('"tier_bounds", ', ""), 1))

    def shortlist(conf: str, *extra: str):
        result = CliRunner().invoke(cli, ["shortlist", "demo", "--db", str(tmp_path / "t.db"),
                                          "--config", str(tmp_path / conf), *extra])
        assert result.exit_code == 0, result.output
        return result.output

    assert "re-used" not in shortlist("a.toml")
    out = shortlist("b.toml")
    assert "Verdicts re-used from run 1: only weights/gates changed; re-scored" in out
    assert "Shortlist: demo (run 2)" in out
    assert "Shortlist: demo (run 3)" in shortlist("b.toml", "--rejudge")
    assert rows(db, 2, ENTRY, "shortlist_entries") == rows(db, 3, ENTRY, "shortlist_entries")
    assert rows(db, 2, VERDICT, "run_verdicts") == rows(db, 3, VERDICT, "run_verdicts")
    assert rows(db, 2, ENTRY, "shortlist_entries") != rows(db, 1, ENTRY, "shortlist_entries")


def test_a_re_score_lists_the_unjudging_gates_as_a_re_judge_does(tmp_path):
    # The re-score reads stored verdicts without their evidence: Verdict.not_on_platform's mark
    # must come with them, or a YouTube creator's re-scored reasons list "automated" where a
    # re-judge does not (the re-score raised on it, before it was read).
    from microscout.engine.plugins import collect_rules, make_plugin_manager

    db = open_store(tmp_path / "t.db")
    rules = collect_rules(make_plugin_manager(None, entry_points=False))
    for i, followers in enumerate([20_000, 30_000, None]):
        add_profile(db, f"y{i}", followers or 25_000, platform="youtube", posts=12, likes=900)
    with db.conn:
        db.execute("UPDATE profiles SET followers = NULL WHERE handle = 'y2'")
    settings = {"campaigns": {"c": {"platforms": ["youtube"], "gates": ["tier_bounds", "automated"]}}}
    first = run_shortlist(db, parse_config(settings), rules, "c", now=NOW, reuse=True)
    changed = parse_config({"campaigns": {"c": {**settings["campaigns"]["c"], "weights": {"engagement": 4}}}})
    rescored = run_shortlist(db, changed, rules, "c", now=NOW + timedelta(hours=1), reuse=True)
    assert rescored.rescored_from == first.run_id
    rejudged = run_shortlist(db, changed, rules, "c", now=NOW + timedelta(hours=1))
    assert rows(db, rescored.run_id, ENTRY, "shortlist_entries") == rows(db, rejudged.run_id, ENTRY, "shortlist_entries")
    reasons = dict(db.execute("SELECT handle, reasons FROM shortlist_entries WHERE run_id = ?", [rescored.run_id]))
    assert "gates not checked: tier_bounds (unknown)" in reasons["y2"] and "automated" not in reasons["y2"]
    assert "gates not checked" not in reasons["y0"]
