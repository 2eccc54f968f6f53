"""The exporter and command hooks, exercised the way a plugin author would use them."""
import json
import os
import subprocess
import sys
import textwrap

import pytest
from click.testing import CliRunner

from microscout.cli import cli
from microscout.config import parse_config
from microscout.engine.shortlist import run_shortlist
from microscout.store import open_store
from tests.engine.helpers import NOW, RulesForTests, add_profile

PLUGIN = '''
import click
from microscout import hookimpl
from microscout.engine.exporters import Exporter

def write_tsv(rows, columns, out):
    out.write("\\t".join(columns[:4]) + "\\n")
    for r in rows:
        out.write("\\t".join(str(r.get(c, "")) for c in columns[:4]) + "\\n")

@hookimpl
def register_exporters(register):
    register(Exporter("tsv", "tsv", "Tab-separated (a plugin's exporter).", write_tsv))

@hookimpl
def register_commands(cli):
    @cli.command(name="hello")
    @click.argument("name")
    def hello(name):
        """Say hello (a plugin's command)."""
        click.echo(f"hello {name} from a plugin")
'''


def make_config(tmp_path):
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "extras.py").write_text(PLUGIN)
    path = tmp_path / "config.toml"
    path.write_text(textwrap.dedent(f'''
        database = "t.db"
        plugins_dir = "plugins"
        [campaigns.c]
        platforms = ["mastodon"]
    '''))
    return path


def test_plugin_command_is_added_to_the_cli(tmp_path):
    path = make_config(tmp_path)
    env = {"MICROSCOUT_CONFIG": str(path), "PATH": ""}
    out = subprocess.run([sys.executable, "-m", "microscout", "hello", "world"], capture_output=True, text=True,
                         env=env, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "hello world from a plugin"


def test_plugin_exporter_is_used_by_export(tmp_path, monkeypatch):
    from microscout.engine import plugins as plugins_module

    path = make_config(tmp_path)
    db = open_store(tmp_path / "t.db")
    add_profile(db, "a", 5000, posts=2)
    pm = plugins_module.make_plugin_manager(None, entry_points=False, defaults=False)
    pm.register(RulesForTests())
    run_shortlist(db, parse_config({"campaigns": {"c": {"platforms": ["mastodon"]}}}),
                  plugins_module.collect_rules(pm), "c", now=NOW)
    out = tmp_path / "short.tsv"
    result = CliRunner().invoke(cli, ["export", "c", "--format", "tsv", "--out", str(out), "--config", str(path)])
    assert result.exit_code == 0, result.output
    assert out.read_text().splitlines() == ["status\trank\tplatform\thandle", "new\t1\tmastodon\ta"]
    result = CliRunner().invoke(cli, ["export", "c", "--format", "pdf", "--config", str(path)])
    assert result.exit_code == 2 and "no exporter 'pdf' (--format); available: csv, html, json, jsonl, tsv, xlsx" in result.output


# -- plugins load once, after --config is read (issue #13) -------------------------------

COUNTING = '''
import os
from pathlib import Path

from microscout import hookimpl

# every execution of this file leaves a line: the test counts them
with open(Path(__file__).with_name("loads.txt"), "a") as log:
    log.write("loaded\\n")

@hookimpl
def register_commands(cli):
    import click

    @cli.command(name="hello")
    def hello():
        """Say hello (a plugin's command)."""
        click.echo("hello from a counted plugin")
'''


def counting_config(tmp_path):
    path = make_config(tmp_path)
    (tmp_path / "plugins" / "counting.py").write_text(COUNTING)
    (tmp_path / "plugins" / "extras.py").unlink()
    return path


def loads(tmp_path) -> int:
    log = tmp_path / "plugins" / "loads.txt"
    return len(log.read_text().splitlines()) if log.exists() else 0


def test_the_top_level_config_selects_the_plugins_a_command_sees(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path.parent)  # no ./config.toml to fall back on
    path = counting_config(tmp_path)
    result = CliRunner().invoke(cli, ["--config", str(path), "hello"])
    assert result.exit_code == 0, result.output
    assert result.output == "hello from a counted plugin\n"
    assert loads(tmp_path) == 1  # once for finding the command
    missing = CliRunner().invoke(cli, ["hello"])
    assert missing.exit_code == 2 and "No such command 'hello'" in missing.output


@pytest.mark.parametrize("args", [["rules", "--json"], ["plugins"], ["config", "check"]])
def test_each_plugins_dir_file_runs_once_per_command(tmp_path, args):
    path = counting_config(tmp_path)
    result = CliRunner().invoke(cli, ["--config", str(path), *args])
    assert result.exit_code == 0, result.output
    assert loads(tmp_path) == 1


@pytest.mark.parametrize("switch, listed", [(None, True), ("", False), ("counting", True), ("counting.py", True),
                                            ("plugins_dir:counting.py", True),  # as `microscout plugins` names it
                                            ("something_else", False),
                                            # a helper file, which plugins_dir never loads (a review)
                                            ("_helpers", False)])
def test_an_environment_switch_chooses_which_plugins_load(tmp_path, monkeypatch, switch, listed):
    path = counting_config(tmp_path)
    (tmp_path / "plugins" / "_helpers.py").write_text("")
    if switch is None:
        monkeypatch.delenv("MICROSCOUT_LOAD_PLUGINS", raising=False)
    else:
        monkeypatch.setenv("MICROSCOUT_LOAD_PLUGINS", switch)
    result = CliRunner().invoke(cli, ["--config", str(path), "plugins", "--json"])
    assert result.exit_code == 0, result.output
    names = [p["name"] for p in json.loads(result.stdout)]
    assert ("plugins_dir:counting.py" in names) is listed
    assert "microscout.rules.engagement" in names  # built-ins always load
    # A name nothing has (a typo) loads nothing: said on stderr, the JSON left clean.
    warned = f"warning: MICROSCOUT_LOAD_PLUGINS names {switch!r}, which is no installed plugin"
    assert (warned in result.stderr) is (switch in ("something_else", "_helpers"))


def test_a_broken_config_does_not_break_help(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config.toml").write_text("this is = not [toml")
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0 and "shortlist" in result.output


def test_a_crawl_loads_each_plugins_dir_file_once(tmp_path):
    """The crawl reuses the command's plugins for its prefilter instead of loading them again."""
    import socket

    path = counting_config(tmp_path)
    with socket.socket() as s:  # a port nothing listens on: the crawl ends at once, after loading plugins
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = subprocess.run([sys.executable, "-m", "microscout", "crawl", "mastodon", "--instance",
                          f"http://127.0.0.1:{port}", "--hashtag", "x", "--config", str(path)],
                         capture_output=True, text=True, cwd=tmp_path, timeout=120,
                         env={**os.environ, "MICROSCOUT_RETRY_BACKOFF": "0.01"})
    assert out.returncode == 1 and "Traceback" not in out.stderr, out.stderr
    assert loads(tmp_path) == 1


def test_a_plugin_command_named_as_a_built_in_is_refused_naming_the_plugin(tmp_path):
    # The built-in would always be found first: the plugin's command could never run.
    path = make_config(tmp_path)
    (tmp_path / "plugins" / "extras.py").write_text(PLUGIN.replace('name="hello"', 'name="rules"'))
    result = CliRunner().invoke(cli, ["--config", str(path), "rules"])
    assert result.exit_code == 2, result.output
    assert "plugin plugins_dir:extras.py: command 'rules' is already a microscout command; pick another name" \
        in result.output


def test_plugins_lists_the_commands_a_plugin_adds(tmp_path):
    path = make_config(tmp_path)
    listed = CliRunner().invoke(cli, ["plugins", "--json", "--config", str(path)])
    assert listed.exit_code == 0, listed.output
    adds = {p["name"]: (p["rules"], p["formats"], p["commands"]) for p in json.loads(listed.output)}
    assert adds["plugins_dir:extras.py"] == ([], ["tsv"], ["hello"])
    assert adds["microscout.rules.engagement"] == (["engagement"], [], [])
    table = CliRunner().invoke(cli, ["plugins", "--config", str(path)], env={"COLUMNS": "200"})
    assert "formats: tsv; commands: hello" in table.output, table.output
