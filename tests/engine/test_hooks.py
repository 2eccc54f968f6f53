"""The exporter and command hooks, exercised the way a plugin author would use them."""
import subprocess
import sys
import textwrap

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
    result = CliRunner().invoke(cli, ["export", "c", "--format", "xlsx", "--config", str(path)])
    assert result.exit_code == 2 and "no exporter 'xlsx'; available: csv, json, jsonl, tsv" in result.output
