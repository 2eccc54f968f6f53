"""The inspection commands as a user runs them: explain, rules, plugins, db."""
import json
import sqlite3

import pytest
from click.testing import CliRunner

from microscout.cli import cli
from microscout.store import open_store
from tests.conftest import REPO, sigint_default
from tests.engine.helpers import add_profile

CONFIG = REPO / "config.toml"


def invoke(*args):
    return CliRunner().invoke(cli, [*map(str, args)])


@pytest.fixture
def judged(tmp_path):
    db = tmp_path / "t.db"
    store = open_store(db)
    add_profile(store, "cook", 5_000, posts=12, likes=200, bio="vegan recipes, hi@cook.org")
    add_profile(store, "giant", 500_000, posts=12, likes=200)
    result = invoke("shortlist", "demo", "--db", db, "--config", CONFIG)
    assert result.exit_code == 0, result.output
    return db


def test_explain_prints_every_verdict_with_evidence(judged):
    result = invoke("explain", "@cook", "--json", "--db", judged, "--config", CONFIG)
    assert result.exit_code == 0, result.output
    (data,) = json.loads(result.output)  # a list, one item per matching profile
    assert data["handle"] == "cook" and data["campaign"] == "demo" and data["rank"] == 1
    assert data["contact"] == "hi@cook.org" and data["profile_url"]
    rules = {v["rule"]: v for v in data["verdicts"]}
    assert set(rules) >= {"tier_bounds", "engagement", "disclosure", "niche_relevance", "contact_in_bio"}
    assert rules["tier_bounds"]["outcome"] == "pass" and rules["tier_bounds"]["evidence"]["followers"] == 5_000
    assert rules["contact_in_bio"]["evidence"]["found"] == ["hi@cook.org"]
    table = invoke("explain", "giant", "--db", judged, "--config", CONFIG)
    assert table.exit_code == 0 and "excluded by tier_bounds" in table.output


def test_explain_finds_a_handle_written_in_another_case(judged):
    # Handles ignore case on every platform: "Cook" is cook (it was "no stored profile").
    result = invoke("explain", "@Cook", "--json", "--db", judged, "--config", CONFIG)
    assert result.exit_code == 0, result.output
    assert [p["handle"] for p in json.loads(result.output)] == ["cook"]


def test_explain_unknown_handle_is_exit_2(judged):
    result = invoke("explain", "nobody", "--db", judged, "--config", CONFIG)
    assert result.exit_code == 2 and "no stored profile matches 'nobody'" in result.output


def test_explain_and_try_take_the_profile_url_an_export_shows(tmp_path):
    # A marketer pastes the export's Profile URL: it was "no stored profile matches".
    db = tmp_path / "t.db"
    store = open_store(db)
    add_profile(store, "cook", 5_000, posts=12, likes=200, url="http://127.0.0.1:8080/@cook")
    add_profile(store, "june.bsky.social", 5_000, platform="bluesky", posts=12, likes=200)
    assert invoke("shortlist", "demo", "--db", db, "--config", CONFIG).exit_code == 0
    for given, handle in [("http://127.0.0.1:8080/@cook", "cook"), ("http://127.0.0.1:8080/@cook/", "cook"),
                          ("https://bsky.app/profile/june.bsky.social", "june.bsky.social")]:
        result = invoke("explain", given, "--json", "--db", db, "--config", CONFIG)
        assert result.exit_code == 0, (given, result.output)
        assert [p["handle"] for p in json.loads(result.output)] == [handle]
        tried = invoke("try", "engagement", given, "--json", "--db", db, "--config", CONFIG)
        assert tried.exit_code == 0, (given, tried.output)
    result = invoke("explain", "https://bsky.app/profile/nobody.bsky.social", "--db", db, "--config", CONFIG)
    assert result.exit_code == 2
    assert "no stored profile matches 'https://bsky.app/profile/nobody.bsky.social'" in result.output


def test_a_ranked_creator_whose_gate_could_not_judge_says_so_in_its_reasons(tmp_path):
    # ranked with tier_bounds unknown (a hidden follower count), its reasons were two passes
    db = tmp_path / "t.db"
    store = open_store(db)
    add_profile(store, "cook", 5_000, posts=12, likes=200, bio="vegan recipes")
    add_profile(store, "shy", 5_000, posts=12, likes=200, bio="vegan recipes")
    with store.conn:
        store.conn.execute("UPDATE profiles SET followers = NULL WHERE handle = 'shy'")
    result = invoke("shortlist", "demo", "--json", "--db", db, "--config", CONFIG)
    assert result.exit_code == 0, result.output
    reasons = {r["handle"]: r["reasons"] for r in json.loads(result.stdout)["shortlist"]}
    # (neither has a follower sample or replies: those gates could not judge either)
    assert reasons["shy"][-1].startswith("gates not checked: tier_bounds (unknown), audience_authenticity"), reasons
    assert reasons["cook"][-1].startswith("gates not checked: audience_authenticity (unknown)"), reasons


def test_a_gate_no_creator_of_the_platform_can_be_judged_by_is_not_listed_on_each_row():
    # "gates not checked: audience_authenticity (unknown), automated (unknown)" ended every
    # YouTube and TikTok row: true of the platform, nothing about the creator (a review)
    from microscout import Verdict
    from microscout.config import load_config
    from microscout.engine.evaluate import Evaluator
    from microscout.engine.plugins import collect_rules, make_plugin_manager

    config = load_config(CONFIG)
    evaluator = Evaluator(config, collect_rules(make_plugin_manager()), "demo")
    verdicts = {"automated": Verdict.not_on_platform("youtube does not mark automated accounts"),
                "tier_bounds": Verdict.unknown("follower count is hidden"),
                "engagement": Verdict(outcome="pass", score=0.9, reason="4% engagement")}
    assert evaluator.score(verdicts).reasons[-1] == "gates not checked: tier_bounds (unknown)"
    del verdicts["tier_bounds"]
    assert not any("gates not checked" in r for r in evaluator.score(verdicts).reasons)


def test_missing_database_is_exit_2(tmp_path):
    result = invoke("shortlist", "demo", "--db", tmp_path / "none.db", "--config", CONFIG)
    assert result.exit_code == 2 and f"no database at {tmp_path / 'none.db'}; run a crawl first" in result.output
    assert not (tmp_path / "none.db").exists()


def test_unknown_campaign_is_exit_2(judged):
    result = invoke("shortlist", "spring", "--db", judged, "--config", CONFIG)
    assert result.exit_code == 2 and "no campaign 'spring' in [campaigns]; known: demo" in result.output


def test_rules_of_a_campaign_of_every_platform_show_where_each_is_enabled(tmp_path):
    # platforms = [] judges every platform: its "enabled" map was empty, and the table said "disabled"
    path = tmp_path / "config.toml"
    path.write_text('[campaigns.allp]\nplatforms = []\n[platforms.tiktok.rules.engagement]\nenabled = false\n')
    result = invoke("rules", "--json", "--campaign", "allp", "--config", path)
    assert result.exit_code == 0, result.output
    enabled = {r["name"]: r["enabled"] for r in json.loads(result.output)}["engagement"]
    assert enabled == {"mastodon": True, "bluesky": True, "youtube": True, "instagram": True, "tiktok": False,
                       "linkedin": True}


def test_rules_json_lists_options_and_campaign_roles():
    result = invoke("rules", "--json", "--campaign", "demo", "--config", CONFIG)
    assert result.exit_code == 0, result.output
    rules = {r["name"]: r for r in json.loads(result.output)}
    assert rules["tier_bounds"]["prefilter"] is True and rules["tier_bounds"]["gate"] is True
    assert rules["engagement"]["weight"] == 3
    # automated gates every campaign (Rule.gate) and scores only where weighted, as judged
    assert (rules["automated"]["gate"], rules["automated"]["weight"]) == (True, 0)
    assert {o["name"] for o in rules["engagement"]["options"]} >= {"formula", "window_posts", "statistic"}
    assert rules["contact_in_bio"]["plugin"] == "plugins_dir:contact_in_bio.py"


def test_plugins_json_names_sources():
    result = invoke("plugins", "--json", "--config", CONFIG)
    assert result.exit_code == 0, result.output
    sources = {p["name"]: p["source"] for p in json.loads(result.output)}
    assert sources["microscout.rules.engagement"] == "built-in"
    assert sources["plugins_dir:contact_in_bio.py"] == "plugins_dir"
    # what each adds: the demo's next steps and config.toml send users here for the formats
    adds = {p["name"]: (p["rules"], p["formats"]) for p in json.loads(result.output)}
    assert adds["microscout.engine.exporters"] == ([], ["csv", "html", "json", "jsonl", "xlsx"])
    assert adds["plugins_dir:contact_in_bio.py"] == (["contact_in_bio"], [])
    assert adds["microscout.rules.engagement"] == (["engagement"], [])
    table = CliRunner().invoke(cli, ["plugins", "--config", str(CONFIG)], env={"COLUMNS": "200"})
    assert "formats: csv, html, json, jsonl, xlsx" in table.output and "rules: contact_in_bio" in table.output


def test_db_migrate_and_stats(tmp_path):
    db = tmp_path / "new.db"
    result = invoke("db", "migrate", "--db", db, "--config", CONFIG)
    assert result.exit_code == 0 and "applied m001_initial" in result.output
    assert "up to date" in invoke("db", "migrate", "--db", db, "--config", CONFIG).output
    names = [r[0] for r in sqlite3.connect(db).execute(
        "SELECT name FROM _sqlite_migrations WHERE migration_set = 'microscout' ORDER BY id")]
    from microscout.store.migrations import migrations

    assert names == [m.name for m in migrations._migrations] and names[:2] == ["m001_initial", "m002_follower_bot_flag"]
    assert sqlite3.connect(db).execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    stats = invoke("db", "stats", "--db", db, "--config", CONFIG)
    assert stats.exit_code == 0 and "profiles" in stats.output and "migrations: m001_initial" in stats.output
    assert "m002_follower_bot_flag" in stats.output


def test_explain_shows_the_judged_profile_of_a_handle_on_two_platforms(judged):
    # "cook" on YouTube too, which the demo campaign (Mastodon and Bluesky) never judges: the
    # judged profile is shown and the other said, instead of an error and an empty --json.
    add_profile(open_store(judged), "cook", 8_000, platform="youtube", posts=3)
    result = invoke("explain", "cook", "--json", "--db", judged, "--config", CONFIG)
    assert result.exit_code == 0, result.output
    (data,) = json.loads(result.stdout)
    assert data["platform"] == "mastodon" and data["rank"] == 1
    assert "note: cook (youtube) has not been judged yet; run `microscout shortlist CAMPAIGN` first" in result.stderr
    only = invoke("explain", "cook", "--platform", "youtube", "--db", judged, "--config", CONFIG)
    assert only.exit_code == 2 and "cook (youtube) has not been judged yet" in only.output
    elsewhere = invoke("explain", "cook", "--platform", "bluesky", "--db", judged, "--config", CONFIG)
    assert elsewhere.exit_code == 2 and "'cook' is stored on mastodon, youtube, not on bluesky" in elsewhere.output


def test_explain_shows_what_excluded_first_and_names_the_other_failures(tmp_path):
    db = tmp_path / "t.db"
    store = open_store(db)
    add_profile(store, "tinybot", 200, posts=12, likes=20, bot=1)  # too small, and flagged automated
    store.conn.close()
    assert invoke("shortlist", "demo", "--db", db, "--config", CONFIG).exit_code == 0
    text = " ".join(invoke("explain", "tinybot", "--db", db, "--config", CONFIG).output.split())
    assert "run 1: excluded by tier_bounds (also failing: automated), score" in text, text[:300]
    # The verdicts in that order: the excluding gate first, then the other failure, then the rest.
    at = [text.index(f"({rule}, score") for rule in ("tier_bounds", "automated", "engagement")]
    assert at == sorted(at), text


def test_explain_of_a_gone_account_no_run_judged_says_it_is_gone(judged):
    # "has not been judged yet; run `microscout shortlist …` first": no shortlist ever will
    store = open_store(judged)
    add_profile(store, "ghost", 5_000, posts=3)
    with store.conn:
        store.execute("UPDATE profiles SET gone_since = '2026-11-20T08:00:00+00:00' WHERE handle = 'ghost'")
    result = invoke("explain", "ghost", "--db", judged, "--config", CONFIG)
    assert result.exit_code == 2
    assert "ghost (mastodon) is no longer on mastodon: a crawl on 2026-11-20 found no such account" in result.output
    assert "run `microscout shortlist" not in result.output


def test_a_shortlist_stopped_with_ctrl_c_says_so_and_exits_130(tmp_path):
    # A review: Ctrl-C printed click's bare "Aborted!" and exit 1, the code of a failure.
    import os
    import signal
    import subprocess
    import sys
    import time

    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "slow.py").write_text(
        "import time\nfrom microscout import Rule, Verdict, hookimpl\n\n\n"
        "def evaluate(candidate, options, context):\n    time.sleep(0.5)\n"
        "    return Verdict(outcome='pass', score=1.0, reason='slow')\n\n\n"
        "@hookimpl\ndef register_rules(register):\n"
        "    register(Rule(name='slow', summary='Takes its time', evaluate=evaluate))\n")
    config = tmp_path / "config.toml"
    config.write_text('plugins_dir = "plugins"\n[campaigns.c]\nplatforms = ["mastodon"]\n')
    db = tmp_path / "t.db"
    store = open_store(db)
    for n in range(20):
        add_profile(store, f"p{n}", 5_000, posts=3)
    store.conn.close()
    proc = subprocess.Popen([sys.executable, "-m", "microscout", "--db", str(db), "--config", str(config),
                             "shortlist", "c", "--workers", "1"], cwd=tmp_path, text=True,
                            env={**os.environ, "MICROSCOUT_STATE_DIR": str(tmp_path / "state")},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=sigint_default)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # judging has begun: the run is recorded
        try:
            if sqlite3.connect(db).execute("SELECT count(*) FROM shortlist_runs").fetchone()[0]:
                break
        except sqlite3.Error:
            pass
        time.sleep(0.05)
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, out + err
    assert "stopped (Ctrl-C): `microscout shortlist` did not finish" in err
    assert "Aborted!" not in err and "Traceback" not in err
    (run,) = sqlite3.connect(db).execute("SELECT status FROM shortlist_runs").fetchall()
    assert run == ("interrupted",)


@pytest.mark.parametrize("args, said", [
    (["--json", "--toml"], "--json and --toml: give one"),
    (["--toml", "--campaign", "nope"], "--toml prints every rule's default options, whatever the campaign"),
])
def test_rules_refuses_options_it_would_ignore(args, said):
    result = invoke("rules", *args, "--config", CONFIG)
    assert result.exit_code == 2 and said in result.output


def test_the_rules_table_shows_a_nested_option_table_as_such_not_a_python_repr():
    result = CliRunner(env={"COLUMNS": "250"}).invoke(cli, ["rules", "--config", str(CONFIG)])
    assert result.exit_code == 0
    assert "SponsoredSettings(" not in result.output
    assert "sponsored = (a table of" in result.output and "options: see --toml)" in result.output


@pytest.mark.parametrize("args, said", [
    (["shortlist", "dmeo"], "no campaign 'dmeo' in [campaigns]; did you mean 'demo'? known: demo"),
    (["try", "engagment", "cook"], "no rule named 'engagment'; did you mean 'engagement'? rules are:"),
])
def test_a_mistyped_name_gets_a_suggestion(judged, args, said):
    result = invoke(*args, "--db", judged, "--config", CONFIG)
    assert result.exit_code == 2 and said in result.output


def test_explain_for_a_campaign_that_does_not_judge_the_platform_says_so(judged):
    # "has not been judged yet for campaign 'demo'; run `microscout shortlist demo` first":
    # that shortlist never judges YouTube, so the advice repeated itself after being followed
    add_profile(open_store(judged), "vlogger", 8_000, platform="youtube", posts=3)
    result = invoke("explain", "vlogger", "--campaign", "demo", "--db", judged, "--config", CONFIG)
    assert result.exit_code == 2
    line = " ".join(result.output.split())
    assert "campaign 'demo' judges mastodon, bluesky, not youtube" in line, line
    assert "add youtube to campaigns.demo.platforms in" in line and "run `microscout shortlist" not in line


def test_shortlist_json_and_explain_give_the_profiles_website_when_the_bio_has_no_email(tmp_path):
    # Instagram's website and a verified Mastodon link are stored in profiles.website: the
    # contact a marketer is handed when the bio gives no email, never a javascript: link.
    db = tmp_path / "t.db"
    store = open_store(db)
    add_profile(store, "cook", 5_000, posts=12, likes=200, bio="vegan recipes at cook.example",
                website="https://cook.example/")
    add_profile(store, "baker", 6_000, posts=12, likes=200, bio="vegan bakes", website="javascript:alert(1)")
    assert invoke("shortlist", "demo", "--db", db, "--config", CONFIG).exit_code == 0
    result = invoke("shortlist", "demo", "--json", "--db", db, "--config", CONFIG)
    assert result.exit_code == 0, result.output
    rows = {r["handle"]: r for r in json.loads(result.output)["shortlist"]}
    assert rows["cook"]["contact"] == "https://cook.example/" and rows["baker"]["contact"] is None
    (data,) = json.loads(invoke("explain", "cook", "--json", "--db", db, "--config", CONFIG).output)
    assert data["contact"] == "https://cook.example/"
