"""Meta-tests that keep the docs honest: commands, hooks and config keys."""
import inspect
import re
import tomllib
from pathlib import Path

import click
import pytest

from microscout.cli import cli
from microscout.config import Config
from microscout.engine import hookspecs
from tests.conftest import REPO


def all_commands(group: click.Group, prefix=""):
    for name, cmd in group.commands.items():
        yield f"{prefix}{name}", cmd
        if isinstance(cmd, click.Group):
            yield from all_commands(cmd, f"{prefix}{name} ")


@pytest.mark.parametrize("name, cmd", list(all_commands(cli)), ids=lambda x: x if isinstance(x, str) else "")
def test_every_command_has_one_line_help(name, cmd):
    short = cmd.get_short_help_str(limit=80)
    assert cmd.help, f"`microscout {name}` has no help text"
    assert not short.endswith("..."), f"`microscout {name}`: first line of help is too long for one line: {short}"


def test_microscout_help_shows_every_summary_whole():
    """What `microscout --help` (and each group's --help) prints, at click's 80 columns."""
    from click.testing import CliRunner

    for args in ([], *([name] for name, cmd in all_commands(cli) if isinstance(cmd, click.Group))):
        listing = CliRunner().invoke(cli, [*args, "--help"], terminal_width=80).output
        commands = listing.split("Commands:", 1)[1] if "Commands:" in listing else ""
        assert "..." not in commands, f"`microscout {' '.join(args)} --help` cuts a summary:\n{commands}"


def test_every_command_is_in_the_readme():
    readme = (REPO / "README.md").read_text()
    for name, _ in all_commands(cli):
        assert f"microscout {name}" in readme, f"README.md does not mention `microscout {name}`"


HOOKS = [name for name, f in inspect.getmembers(hookspecs, inspect.isfunction) if hasattr(f, "microscout_spec")]


def test_hooks_are_found():
    assert set(HOOKS) >= {"register_rules", "register_exporters", "register_commands"}


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_is_documented_and_tested(hook):
    assert getattr(hookspecs, hook).__doc__, f"hook {hook} has no docstring"
    assert hook in (REPO / "docs" / "PLUGINS.md").read_text(), f"docs/PLUGINS.md does not document {hook}"
    tests = "".join(p.read_text() for p in (REPO / "tests").rglob("test_*.py") if p.name != "test_docs.py")
    assert f"def {hook}" in tests, f"no test implements the hook {hook}"


def test_the_plugin_reference_is_generated_from_the_code():
    """Hook signatures, Rule, Verdict, Need, RuleContext and every candidate field, with
    meaning and units, as the code has them (scripts/update_plugin_docs.py rewrites it)."""
    from microscout.engine.reference import replace_in

    page = (REPO / "docs" / "PLUGINS.md").read_text()
    assert replace_in(page) == page, "docs/PLUGINS.md's reference is stale: run python scripts/update_plugin_docs.py"
    for hook in HOOKS:
        signature = str(inspect.signature(getattr(hookspecs, hook))).replace("'", "")
        assert f"#### `{hook}{signature}`" in page


def test_every_field_of_the_contract_says_what_it_holds():
    import dataclasses

    from microscout.engine import candidate, rules

    for cls in (candidate.Candidate, candidate.Profile, candidate.Post, candidate.Comment, candidate.Follower,
                candidate.Snapshot, rules.Rule, rules.RuleContext, rules.Batch):
        for f in dataclasses.fields(cls):
            assert f.metadata.get("doc"), f"{cls.__name__}.{f.name} has no doc"
    for name, f in rules.Verdict.model_fields.items():
        assert f.description, f"Verdict.{name} has no description"
    assert {n.value for n in rules.Need} == set(rules.NEED_DOCS)


def test_the_package_ships_its_type_information():
    import microscout

    assert (Path(microscout.__file__).parent / "py.typed").is_file()
    assert "py.typed" in (REPO / "pyproject.toml").read_text()


def keys_of(model, prefix=""):
    """Dotted keys of the fixed-shape parts of the config (not dicts of user-named tables)."""
    for name, field in model.model_fields.items():
        if field.exclude:
            continue
        ann = field.annotation
        if isinstance(ann, type) and issubclass(ann, __import__("pydantic").BaseModel):
            yield from keys_of(ann, f"{prefix}{name}.")
        else:
            yield f"{prefix}{name}"


CONFIG_TEXT = (REPO / "config.toml").read_text()
CONFIG_DATA = tomllib.loads(CONFIG_TEXT)


def lookup(data, dotted):
    for part in dotted.split("."):
        if not isinstance(data, dict) or part not in data:
            return KeyError
        data = data[part]
    return data


USER_TABLES = {"rules", "campaigns", "schedules"}  # tables of user-chosen names, checked elsewhere
# (schedules: tests/test_defaults.py checks the example schedule's keys)
# never defaulted in a file
SECRETS = {"platforms.bluesky.handle", "platforms.bluesky.app_password", "platforms.youtube.api_key",
           "platforms.instagram.access_token", "platforms.tiktok.client_key", "platforms.tiktok.client_secret"}


@pytest.mark.parametrize("key", [k for k in keys_of(Config)
                                 if k.split(".")[-1] not in USER_TABLES and k not in SECRETS])
def test_every_config_key_is_in_config_toml_with_its_default(key):
    from microscout.config import parse_config

    assert lookup(CONFIG_DATA, key) is not KeyError, f"config.toml does not set {key}"
    in_file = lookup(parse_config(CONFIG_DATA).model_dump(mode="json"), key)
    default = lookup(Config().model_dump(mode="json"), key)
    assert in_file == default, f"config.toml {key} = {in_file!r} but the built-in default is {default!r}"


def test_every_line_of_config_toml_is_commented():
    """Each key line has a comment on it or on a line just above it."""
    lines = CONFIG_TEXT.splitlines()
    for i, line in enumerate(lines):
        if re.match(r"^\s*[A-Za-z_\"]", line) and "=" in line and "#" not in line:
            j = i - 1
            while j >= 0 and lines[j].strip() and not lines[j].lstrip().startswith(("#", "[")):
                j -= 1
            assert j >= 0 and lines[j].lstrip().startswith("#"), f"config.toml line {i + 1} has no comment: {line}"


def test_every_rule_option_default_is_in_config_toml():
    from microscout.engine.plugins import collect_rules, make_plugin_manager

    for rule in collect_rules(make_plugin_manager(None, entry_points=False)).values():
        table = CONFIG_DATA.get("rules", {}).get(rule.name)
        assert table is not None, f"config.toml has no [rules.{rule.name}] table"
        for name, field in rule.options.model_fields.items():
            assert field.description, f"option {rule.name}.{name} has no description"
            assert name in table, f"config.toml [rules.{rule.name}] does not set {name}"
            default = rule.options().model_dump(mode="json")[name]
            assert table[name] == default or (isinstance(default, list) and list(table[name]) == default), \
                f"config.toml [rules.{rule.name}] {name} = {table[name]!r}, default is {default!r}"


def leaf_commands(group: click.Group, prefix=""):
    for name, cmd in group.commands.items():
        if isinstance(cmd, click.Group):
            yield from leaf_commands(cmd, f"{prefix}{name} ")
        else:
            yield f"{prefix}{name}", cmd


@pytest.mark.parametrize("name, cmd", list(leaf_commands(cli)), ids=lambda x: x if isinstance(x, str) else "")
def test_every_command_takes_config_and_db(name, cmd):
    options = {opt for p in cmd.params for opt in getattr(p, "opts", [])}
    assert {"--config", "--db"} <= options, f"`microscout {name}` lacks --config or --db"


def test_the_command_table_holds_each_commands_own_summary():
    """`microscout --help` lists built-in commands from microscout.cli.COMMANDS without
    importing them: each summary there is the one the command itself gives."""
    from click.testing import CliRunner

    from microscout.cli import COMMANDS, SUMMARY_FROM_HELP, LazyCommands

    assert list(cli.commands) == list(COMMANDS)
    for name, cmd in all_commands(cli):
        if " " not in name:
            assert cmd.name == name and cmd.get_short_help_str(limit=1000) == COMMANDS[name][1], name
            assert (name in SUMMARY_FROM_HELP) == (not cmd.short_help), name
    loaded = dict(cli.commands.items())
    for width in (60, 80, 120):
        cli.commands = LazyCommands({name: module for name, (module, _) in COMMANDS.items()})
        from_table = CliRunner().invoke(cli, ["--help"], terminal_width=width).output
        cli.commands = LazyCommands({})
        cli.commands.update(loaded)
        assert CliRunner().invoke(cli, ["--help"], terminal_width=width).output == from_table


def test_microscout_help_imports_no_command_module():
    import subprocess
    import sys

    code = ("import sys; from click.testing import CliRunner; from microscout.cli import cli; "
            "CliRunner().invoke(cli, ['--help'], catch_exceptions=False); "
            "print(sorted(m for m in sys.modules if m.startswith('microscout.cli.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO,
                         env={**__import__("os").environ, "PYTHONPATH": str(REPO)}).stdout
    assert "microscout.cli.shortlist" not in out and "microscout.cli.crawl" not in out, out


def test_microscout_rules_compiles_no_heuristic_regex_and_opens_no_store():
    # `microscout rules` lists rules and their options: the heuristics' regexes (compiled on
    # first use), the store (sqlite-utils) and the data classes of microscout.models are not
    # needed for that, and loading them made the command slow to start (issue #12).
    import subprocess
    import sys

    code = ("import sys; from click.testing import CliRunner; from microscout.cli import cli; "
            "r = CliRunner().invoke(cli, ['rules'], catch_exceptions=False); assert r.exit_code == 0, r.output; "
            "from microscout.heuristics.lazy_regex import _compiled; "
            "print(_compiled.cache_info().currsize, 'sqlite_utils' in sys.modules, "
            "'microscout.store' in sys.modules, 'microscout.models' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO,
                         env={**__import__("os").environ, "PYTHONPATH": str(REPO)}).stdout
    assert out.split() == ["0", "False", "False", "False"], out


@pytest.mark.parametrize("name", ["shortlist", "explain", "export"])
def test_the_command_table_names_every_option_of_the_commands_a_marketer_runs(name):
    # `shortlist --limit`, `explain --campaign` and `export --limit` were in --help only
    rows = [line for line in (REPO / "README.md").read_text().splitlines()
            if line.startswith(f"| `microscout {name} ")]
    for param in cli.commands[name].params:
        if not isinstance(param, click.Option) or {"--db", "--config", "--help"} & set(param.opts):
            continue
        names = [o for o in [*param.opts, *param.secondary_opts] if o.startswith("--")]
        assert any(o in row for o in names for row in rows), f"README.md's command table lacks `{name} {names[0]}`"


def test_every_campaign_key_is_in_the_demo_campaign_of_config_toml():
    # campaigns.C.budget was read by `shortlist` (its --budget default) yet named nowhere
    from microscout.config import Campaign

    section = CONFIG_TEXT.split("[campaigns.demo]", 1)[1].split("\n[", 1)[0]
    for name in Campaign.model_fields:
        assert re.search(rf"^(# )?{name} = ", section, re.M) or f"[campaigns.demo.{name}." in section, \
            f"config.toml [campaigns.demo] neither sets nor shows {name}"


@pytest.mark.parametrize("name", ["accounts", "posts", "comments"])
def test_every_option_of_the_check_commands_is_in_the_docs(name):
    # --records (a JSON page's list) was added with its docs; --half, --fold-chars and
    # --hashtag-block had been in --help only
    docs = "".join(p.read_text() for p in [REPO / "README.md", *(REPO / "docs").glob("*.md")])
    for param in cli.commands["check"].commands[name].params:
        if not isinstance(param, click.Option) or {"--db", "--config", "--help"} & set(param.opts):
            continue
        names = [o for o in [*param.opts, *param.secondary_opts] if o.startswith("--")]
        assert any(o in docs for o in names), f"neither README.md nor docs/ names `check {name} {names[0]}`"
