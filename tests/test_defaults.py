"""The defaults the package carries (microscout/defaults.toml): the same as the repository's
config.toml, packaged, the configuration when there is no config file; a rule that is not
installed may be named with a zero weight; the demo's choice of database."""
import fnmatch
import json
import tomllib

import pytest
from click.testing import CliRunner

from microscout.cli import cli
from microscout.config import DEFAULTS_FILE, Config, ConfigError, Schedule, load_config, parse_config, read_toml
from tests.conftest import REPO

REPO_CONFIG = REPO / "config.toml"


def test_the_packaged_defaults_and_config_toml_are_the_same_config():
    packaged = parse_config(read_toml(DEFAULTS_FILE)).model_dump(mode="json")
    documented = parse_config(read_toml(REPO_CONFIG)).model_dump(mode="json")
    assert packaged == documented, "run python scripts/update_config_rules.py (it copies config.toml)"
    # ... and the same commented text, so the package documents itself as the repository does.
    assert DEFAULTS_FILE.read_text() == REPO_CONFIG.read_text(), \
        "microscout/defaults.toml differs from config.toml: run python scripts/update_config_rules.py"


def test_the_defaults_file_is_package_data():
    assert DEFAULTS_FILE.parent.name == "microscout" and DEFAULTS_FILE.name == "defaults.toml"
    patterns = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["microscout"]
    assert any(fnmatch.fnmatch(DEFAULTS_FILE.name, p) for p in patterns), patterns


def test_without_a_config_file_the_packaged_defaults_apply(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MICROSCOUT_CONFIG", raising=False)
    config = load_config()
    assert not config.from_file and config.root == str(tmp_path)
    assert "demo" in config.campaigns and config.campaigns["demo"].hashtags == ["veganrecipes", "plantbased"]
    assert config.path(config.database) == tmp_path / "microscout.db"
    assert config.schedules["demo-weekly"].enabled is False
    # The demo campaign names the example plugin's rule with weight 0: fine where it is not installed.
    result = CliRunner().invoke(cli, ["config", "check"])
    assert result.exit_code == 0, result.output


def test_every_schedule_key_is_in_config_toml_with_its_default():
    example = tomllib.loads(REPO_CONFIG.read_text())["schedules"]["demo-weekly"]
    chosen = {"enabled", "cron", "campaign"}  # the example's own values (cron and campaign have no default)
    defaults = Schedule(cron="* * * * *", campaign="demo").model_dump(mode="json")
    for name in Schedule.model_fields:
        assert name in example, f"config.toml [schedules.demo-weekly] does not set {name}"
        if name not in chosen:
            assert example[name] == defaults[name], f"config.toml schedules.demo-weekly.{name} is not the default"


RULES_BASE = {"campaigns": {"c": {"platforms": ["mastodon"]}}}


def _check(campaign: dict):
    from microscout.engine.evaluate import check_rule_config
    from microscout.engine.plugins import collect_rules, make_plugin_manager

    config = parse_config({"campaigns": {"c": {"platforms": ["mastodon"], **campaign}}}, source="c.toml")
    check_rule_config(config, collect_rules(make_plugin_manager(None, entry_points=False)))


def test_a_zero_weight_may_name_a_rule_that_is_not_installed():
    _check({"weights": {"contact_in_bio": 0, "engagement": 2}})


@pytest.mark.parametrize("campaign, message", [
    ({"weights": {"contact_in_bio": 1}}, "campaigns.c.weights.contact_in_bio: no rule named 'contact_in_bio'"),
    ({"gates": ["contact_in_bio"]}, "campaigns.c.gates: no rule named 'contact_in_bio'"),
    ({"weights": {"engagment": 0}}, "no rule named 'engagment'; did you mean 'engagement'?"),
    ({"rules": {"contact_in_bio": {"require_email": True}}}, "campaigns.c.rules.contact_in_bio: no rule named"),
])
def test_any_other_mention_of_an_absent_rule_is_an_error(campaign, message):
    with pytest.raises(ConfigError) as err:
        _check(campaign)
    assert message in str(err.value)


def test_the_demo_names_the_way_out_when_a_config_lacks_its_campaign(tmp_path):
    (tmp_path / "config.toml").write_text('[campaigns.spring]\nhashtags = ["x"]\n')
    result = CliRunner().invoke(cli, ["--config", str(tmp_path / "config.toml"), "demo"])
    assert result.exit_code == 2
    assert f"the demo needs [campaigns.demo]; copy it from {DEFAULTS_FILE}" in result.output
    assert "run the demo in a folder without config.toml" in result.output


def test_the_demo_never_wipes_a_database_holding_other_data(tmp_path):
    from microscout.cli.common import Env
    from microscout.cli.demo import FALLBACK_DB, _mark, choose_database, demo_mark
    from microscout.store import open_store

    (tmp_path / "config.toml").write_text(REPO_CONFIG.read_text().replace('database = "microscout.db"',
                                                                          'database = "scout.db"'))
    env = Env(str(tmp_path / "config.toml"), None)
    default = tmp_path / "scout.db"
    assert choose_database(env) == (default, True)  # nothing there yet
    db = open_store(default)
    _mark(db, 400, 7, None)
    assert demo_mark(default)["seed"] == 7 and choose_database(env) == (default, True)
    with db.conn:  # someone crawls into it after the demo: it now holds other data
        db.execute("INSERT INTO crawl_runs (platform, status) VALUES ('mastodon', 'finished')")
    _mark(db, 400, 7, 0)
    assert demo_mark(default) is False
    assert choose_database(env) == (tmp_path / FALLBACK_DB, False)
    # So does one where someone shortlisted (the tutorial's campaign, say) or exported since:
    # their runs and the exports' rank history are not the demo's to wipe.
    _mark(db, 400, 7, 1, shortlist_runs=0, exports=0)
    assert demo_mark(default)["seed"] == 7  # the demo's own, stopped before it shortlisted
    with db.conn:
        db.execute("INSERT INTO shortlist_runs (campaign, started_at, status) VALUES ('demo', '2026-11-01', 'finished')")
    assert demo_mark(default) is False  # stopped after shortlisting: its run counts as someone's (the safe side)
    _mark(db, 400, 7, 1, shortlist_runs=1, exports=0)
    assert demo_mark(default)["seed"] == 7  # the demo's shortlist
    with db.conn:
        db.execute("INSERT INTO shortlist_runs (campaign, started_at, status) VALUES ('spring', '2026-11-02', "
                   "'finished')")
    assert demo_mark(default) is False
    _mark(db, 400, 7, 1, shortlist_runs=2, exports=0)
    with db.conn:
        db.execute("INSERT INTO exports (campaign, shortlist_run_id, format, path, rows, written_at) "
                   "VALUES ('demo', 2, 'csv', 'x.csv', 1, '2026-11-02')")
    assert demo_mark(default) is False
    # A mark the demo wrote before it recorded shortlists and exports: that demo made one of
    # each, so a second of either is someone's.
    with db.conn:
        db.execute("UPDATE store_info SET value = json_remove(value, '$.shortlist_runs', '$.exports', "
                   "'$.schedule_runs') WHERE key = 'demo'")
    assert demo_mark(default) is False  # two shortlist runs
    with db.conn:
        db.execute("DELETE FROM shortlist_runs WHERE campaign = 'spring'")
    assert demo_mark(default)["seed"] == 7  # the old demo's own shortlist run and export
    # A database without the mark (an ordinary one) is never taken either.
    other = tmp_path / "mine.db"
    open_store(other).conn.close()
    assert demo_mark(other) is False
    with pytest.raises(Exception) as err:
        choose_database(Env(str(tmp_path / "config.toml"), str(other)))
    assert "holds data the demo did not write" in str(err.value)
    (tmp_path / "junk.db").write_bytes(b"not a database at all")
    assert demo_mark(tmp_path / "junk.db") is False


def test_the_next_commands_carry_what_the_defaults_would_not_find(tmp_path):
    from microscout.cli.common import Env
    from microscout.cli.demo import next_commands

    env = Env(str(REPO_CONFIG), None)
    lines = [c for c, _ in next_commands(env, tmp_path / "x.db", False, "cook", 60, 7)]
    assert lines[0] == f"microscout shortlist demo --config {REPO_CONFIG} --db {tmp_path / 'x.db'}"
    assert lines[1].startswith("microscout explain @cook --config")
    assert lines[-1].endswith("--size 60")
    plain = Env(None, None)
    plain._config = Config()
    assert [c for c, _ in next_commands(plain, tmp_path / "x.db", True, None, 400, 7)][:2] == [
        "microscout shortlist demo", "microscout explain HANDLE"]


def test_the_next_commands_start_as_this_shell_reaches_microscout(monkeypatch):
    # The README runs `.venv/bin/microscout demo` without activating the venv; the demo
    # printed `microscout shortlist demo` and the rest, "command not found" there.
    import os
    import shlex
    import shutil
    import sys
    from pathlib import Path

    from microscout.cli.common import Env
    from microscout.cli.demo import next_commands, program

    here = Path(sys.executable).parent
    mine = shutil.which("microscout", path=str(here))
    if mine is None:
        pytest.skip("no microscout script beside this interpreter")
    elsewhere = [p for p in os.environ.get("PATH", "").split(os.pathsep)
                 if p and Path(p).resolve() != here.resolve()]
    monkeypatch.setenv("PATH", os.pathsep.join(elsewhere))
    plain = Env(None, None)
    plain._config = Config()
    commands = [c for c, _ in next_commands(plain, Path("x.db"), True, "cook", 400, 7, microscout=program())]
    assert shlex.split(commands[0]) == [str(Path(mine).absolute()), "shortlist", "demo"]
    monkeypatch.setenv("PATH", os.pathsep.join([str(here), *elsewhere]))  # the venv activated
    assert program() == "microscout"



def test_a_per_platform_rule_table_can_be_added_to_the_shipped_config(tmp_path):
    # The documented way (config.toml's comments, README, docs/PLUGINS.md): append a
    # [platforms.P.rules.NAME] table; a `rules = {}` line in [platforms.P] made that invalid TOML.
    text = REPO_CONFIG.read_text()
    platforms = [name for name in tomllib.loads(text)["platforms"]]
    assert len(platforms) >= 5, platforms
    path = tmp_path / "config.toml"
    path.write_text(text + "".join(f"\n[platforms.{p}.rules.engagement]\nwindow_posts = 10\n" for p in platforms))
    config = load_config(path)
    for platform in platforms:
        assert getattr(config.platforms, platform).rules["engagement"] == {"window_posts": 10}


def test_a_config_flag_beats_microscout_config_wherever_it_is_given(tmp_path, monkeypatch):
    # `microscout --config b.toml CMD` with MICROSCOUT_CONFIG set read the variable's file
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.toml").write_text('database = "a.db"\n')
    (tmp_path / "b.toml").write_text('database = "b.db"\n')
    monkeypatch.setenv("MICROSCOUT_CONFIG", str(tmp_path / "a.toml"))
    for args, name in [(["config", "show"], "a.db"), (["--config", "b.toml", "config", "show"], "b.db"),
                       (["config", "show", "--config", "b.toml"], "b.db")]:
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["database"] == str(tmp_path / name), args
