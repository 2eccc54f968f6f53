"""Plugins load the same way from everywhere: built-in, entry points, plugins_dir."""
import textwrap

import pytest

from microscout import Need, Rule, Verdict, hookimpl
from microscout.engine.plugins import (DEFAULT_PLUGINS, PluginError, collect_exporters, collect_rules,
                                       make_plugin_manager, plugin_source)
from tests.conftest import REPO

ENTRY_POINT_MODULE = '''
from microscout import Rule, Verdict, hookimpl

@hookimpl
def register_rules(register):
    register(Rule(name="from_entry_point", summary="Registered by an installed package",
                  evaluate=lambda c, o, ctx: Verdict(outcome="pass", score=1.0, reason="ok")))
'''


@pytest.fixture
def installed_package(tmp_path, monkeypatch):
    """A tiny distribution on sys.path with an entry point in group "microscout",
    exactly as pip leaves one in site-packages."""
    (tmp_path / "ms_example_plugin.py").write_text(ENTRY_POINT_MODULE)
    info = tmp_path / "ms_example_plugin-1.2.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: ms-example-plugin\nVersion: 1.2\n")
    (info / "entry_points.txt").write_text("[microscout]\nexample = ms_example_plugin\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield
    import sys
    sys.modules.pop("ms_example_plugin", None)


def test_entry_point_plugin_is_loaded_and_named(installed_package):
    pm = make_plugin_manager(None, defaults=False)
    rules = collect_rules(pm)
    assert "from_entry_point" in rules
    plugin = pm.get_plugin("example")
    assert plugin_source(pm, plugin) == "entry point (ms-example-plugin 1.2)"


def test_plugins_dir_file_is_loaded(tmp_path):
    (tmp_path / "mine.py").write_text(textwrap.dedent('''
        from microscout import Rule, Verdict, hookimpl
        @hookimpl
        def register_rules(register):
            register(Rule(name="local_rule", summary="From a file",
                          evaluate=lambda c, o, ctx: Verdict(outcome="warn", score=0.4, reason="meh")))
    '''))
    (tmp_path / "_private.py").write_text("raise SystemExit('must not be imported')\n")
    pm = make_plugin_manager(tmp_path, entry_points=False, defaults=False)
    assert "local_rule" in collect_rules(pm)
    assert plugin_source(pm, pm.get_plugin("plugins_dir:mine.py")) == "plugins_dir"


def test_the_shipped_example_plugin_works():
    pm = make_plugin_manager(REPO / "plugins", entry_points=False, defaults=False)
    rule = collect_rules(pm)["contact_in_bio"]
    from microscout.engine.candidate import Candidate, Profile
    with_mail = Candidate(Profile(id=1, platform="mastodon", platform_id="a@b", handle="a", bio="hi@cook.org"))
    without = Candidate(Profile(id=2, platform="mastodon", platform_id="c@b", handle="c", bio="I cook"))
    assert rule.evaluate(with_mail, rule.options(), None).outcome == "pass"
    assert rule.evaluate(without, rule.options(), None).outcome == "warn"


def test_broken_plugins_dir_file_names_the_file(tmp_path):
    (tmp_path / "broken.py").write_text("import no_such_module_anywhere\n")
    with pytest.raises(PluginError, match=r"broken.py: the plugin failed to load: ModuleNotFoundError"):
        make_plugin_manager(tmp_path, entry_points=False, defaults=False)


@pytest.mark.parametrize("source, message", [
    ("register_rule", "'register_rule' is not a microscout hook; did you mean 'register_rules'?"),
    ("register_exporter", "did you mean 'register_exporters'?"),
    ("frobnicate", "'frobnicate' is not a microscout hook; the hooks are register_commands, register_exporters, "
                   "register_rules"),
])
def test_a_misnamed_hook_fails_naming_the_plugin_and_the_nearest_hook(tmp_path, source, message):
    (tmp_path / "typo.py").write_text(f"from microscout import hookimpl\n\n@hookimpl\ndef {source}(register):\n"
                                      f"    pass\n")
    with pytest.raises(PluginError, match="^plugin plugins_dir:typo.py: ") as caught:
        make_plugin_manager(tmp_path, entry_points=False, defaults=False)
    assert message in str(caught.value)


def test_a_misnamed_hook_is_one_line_and_exit_2_on_the_command_line(tmp_path):
    from click.testing import CliRunner

    from microscout.cli import cli

    (tmp_path / "plugins").mkdir()
    (tmp_path / "plugins" / "typo.py").write_text("from microscout import hookimpl\n\n@hookimpl\n"
                                                  "def register_rule(register):\n    pass\n")
    (tmp_path / "config.toml").write_text('plugins_dir = "plugins"\n')
    result = CliRunner().invoke(cli, ["plugins", "--config", str(tmp_path / "config.toml")])
    assert result.exit_code == 2, result.output
    assert "did you mean 'register_rules'?" in result.output and "Traceback" not in result.output


class Registers:
    def __init__(self, *rules):
        self.rules = rules

    @hookimpl
    def register_rules(self, register):
        for r in self.rules:
            register(r)


def ok(c, o, ctx):
    return Verdict(outcome="pass", score=1.0, reason="ok")


@pytest.mark.parametrize("rule, message", [
    ("not a rule", "register() takes a microscout.Rule, got str"),
    (Rule(name="Bad-Name", summary="x", evaluate=ok), "must be lower_snake_case"),
    (Rule(name="no_summary", summary="", evaluate=ok), "needs a one-line summary"),
    (Rule(name="loose", summary="x", evaluate=ok, options=type("Loose", (__import__("pydantic").BaseModel,), {})),
     "must set model_config = ConfigDict(extra='forbid')"),
    (Rule(name="pre", summary="x", evaluate=ok, prefilter=True, needs=frozenset({Need.POSTS})),
     "is a prefilter, so it may need only the profile"),
])
def test_invalid_rules_are_refused_naming_the_plugin(rule, message):
    pm = make_plugin_manager(None, entry_points=False, defaults=False)
    pm.register(Registers(rule), name="badplugin")
    with pytest.raises(PluginError) as err:
        collect_rules(pm)
    assert "plugin badplugin" in str(err.value)
    assert message in str(err.value)


def test_duplicate_rule_names_are_refused():
    pm = make_plugin_manager(None, entry_points=False, defaults=False)
    pm.register(Registers(Rule(name="same", summary="x", evaluate=ok)), name="first")
    pm.register(Registers(Rule(name="same", summary="y", evaluate=ok)), name="second")
    with pytest.raises(PluginError, match="plugin first: rule 'same' is already registered by second"):
        collect_rules(pm)


def test_builtins_are_plugins_like_any_other():
    pm = make_plugin_manager(None, entry_points=False)
    names = {pm.get_name(p) for p in pm.get_plugins()}
    assert {n for n in DEFAULT_PLUGINS if n in names} == names  # nothing but the defaults
    assert {"csv", "json", "jsonl"} <= set(collect_exporters(pm))
    for rule in collect_rules(pm).values():
        assert rule.plugin in DEFAULT_PLUGINS


def test_the_plugins_table_folds_long_names_on_a_narrow_terminal_instead_of_cutting_them(tmp_path):
    from click.testing import CliRunner

    from microscout.cli import cli

    (tmp_path / "config.toml").write_text("")
    result = CliRunner(env={"COLUMNS": "80"}).invoke(cli, ["plugins", "--config", str(tmp_path / "config.toml")])
    assert result.exit_code == 0, result.output
    assert "…" not in result.output  # was "microscout.rules.a…" for each of three rules
    names = "".join(line.split("│")[1].strip() for line in result.output.splitlines() if line.startswith("│"))
    assert "microscout.rules.audience_authenticity" in names and "microscout.engine.exporters" in names


def options_model(**fields):
    """An options model forbidding unknown keys, with these (annotation, FieldInfo or default) fields."""
    import pydantic

    return pydantic.create_model("Options", __config__=pydantic.ConfigDict(extra="forbid"), **fields)


@pytest.mark.parametrize("rule, message", [
    (Rule(name="odd_need", summary="x", evaluate=ok, needs=frozenset({"posts", "likes"})),
     "rule 'odd_need' needs unknown data 'likes'; the data a rule may need: Need.PROFILE, Need.POSTS"),
    (Rule(name="str_need", summary="x", evaluate=ok, needs="posts"),
     "rule 'str_need' needs must be a set of Need values, e.g. frozenset({Need.POSTS}), not 'posts'"),
    (Rule(name="no_default", summary="x", evaluate=ok, options=options_model(threshold=(int, ...))),
     "rule 'no_default' option 'threshold' needs a default"),
    (Rule(name="no_description", summary="x", evaluate=ok, options=options_model(threshold=(int, 5))),
     "rule 'no_description' option 'threshold' needs a description"),
    # `enabled = true` in [rules.flag] switched the rule on and never reached the option: the
    # rule judged with its default while `config check` said OK.
    (Rule(name="flag", summary="x", evaluate=ok, options=options_model(
        enabled=(bool, __import__("pydantic").Field(False, description="also the pinned post")))),
     "rule 'flag' option 'enabled': the engine reads `enabled` in [rules.flag] (the rule switched on or off), "
     "so the option could never be set; name it otherwise"),
])
def test_rules_the_config_could_not_set_are_refused_naming_the_plugin(rule, message):
    pm = make_plugin_manager(None, entry_points=False, defaults=False)
    pm.register(Registers(rule), name="badplugin")
    with pytest.raises(PluginError, match="^plugin badplugin: ") as err:
        collect_rules(pm)
    assert message in str(err.value)


@pytest.mark.parametrize("body, message", [
    # A typo in the plugin's own call: the plugin is named, not left as "unexpected error".
    ("register(Rule(name='kw', summary='s', option=None, evaluate=None))",
     "register_rules failed: TypeError: Rule.__init__() got an unexpected keyword argument 'option'"),
    ("raise RuntimeError('cannot read my model file')",
     "register_rules failed: RuntimeError: cannot read my model file"),
    # A review: sys.exit(0) in the hook ended `microscout rules` with exit 0 and no output.
    ("import sys; sys.exit(0)", "register_rules failed: SystemExit: 0"),
])
def test_a_registration_hook_that_raises_is_named_and_exit_2(tmp_path, body, message):
    from click.testing import CliRunner

    from microscout.cli import cli

    (tmp_path / "plugins").mkdir()
    (tmp_path / "plugins" / "fails.py").write_text(
        f"from microscout import Rule, hookimpl\n\n@hookimpl\ndef register_rules(register):\n    {body}\n")
    (tmp_path / "config.toml").write_text('plugins_dir = "plugins"\n')
    result = CliRunner().invoke(cli, ["rules", "--config", str(tmp_path / "config.toml")])
    assert result.exit_code == 2, result.output
    assert f"plugin plugins_dir:fails.py: {message}" in result.output
    assert "Traceback" not in result.output and "unexpected error" not in result.output


def test_a_plugins_dir_file_that_exits_as_it_loads_is_named_and_exit_2(tmp_path):
    # A review: a file calling sys.exit("bye") as it loads printed "bye" and exit 1, naming nothing.
    from click.testing import CliRunner

    from microscout.cli import cli

    (tmp_path / "plugins").mkdir()
    (tmp_path / "plugins" / "leaves.py").write_text("raise SystemExit('bye')\n")
    (tmp_path / "config.toml").write_text('plugins_dir = "plugins"\n')
    result = CliRunner().invoke(cli, ["plugins", "--config", str(tmp_path / "config.toml")])
    assert result.exit_code == 2
    assert result.output == f"Error: {tmp_path / 'plugins' / 'leaves.py'}: the plugin failed to load: SystemExit: bye\n"


def test_a_hook_with_a_wrong_argument_name_is_named_with_the_hooks_signature(tmp_path):
    from click.testing import CliRunner

    from microscout.cli import cli

    (tmp_path / "plugins").mkdir()
    (tmp_path / "plugins" / "argname.py").write_text(
        "from microscout import hookimpl\n\n@hookimpl\ndef register_rules(reg):\n    pass\n")
    (tmp_path / "config.toml").write_text('plugins_dir = "plugins"\n')
    result = CliRunner().invoke(cli, ["rules", "--config", str(tmp_path / "config.toml")])
    assert result.exit_code == 2, result.output
    assert "argname.py: " in result.output and "register_rules(reg)" in result.output
    assert "the hook is register_rules(register) (microscout/engine/hookspecs.py)" in result.output
    assert len(result.output.strip().splitlines()) == 1 and "unexpected error" not in result.output


@pytest.mark.parametrize("hook, call, collect, message", [
    ("register_rules", "Rule(name='engagement', summary='s', evaluate=lambda c, o, x: None)", collect_rules,
     r"rule 'engagement' is already registered by microscout.rules.engagement \(built-in\); pick another name"),
    ("register_exporters", "Exporter('csv', 'csv', 'My CSV', lambda rows, columns, stream: None)", collect_exporters,
     r"exporter 'csv' is already registered by microscout.engine.exporters \(built-in\)"),
])
def test_a_third_party_plugin_taking_a_builtins_name_is_the_one_blamed(tmp_path, hook, call, collect, message):
    (tmp_path / "dup.py").write_text(f"from microscout import Exporter, Rule, hookimpl\n\n@hookimpl\n"
                                     f"def {hook}(register):\n    register({call})\n")
    pm = make_plugin_manager(tmp_path, entry_points=False)
    with pytest.raises(PluginError, match=r"^plugin plugins_dir:dup.py: " + message):
        collect(pm)


@pytest.mark.parametrize("name, extension, message", [
    ("tsv", ".tsv", r"exporter 'tsv' extension '.tsv' must be the file name's ending without its leading dot"),
    ("tsv", "../../escape", r"exporter 'tsv' extension '../../escape' must be"),
    ("tsv", "", r"exporter 'tsv' extension '' must be"),
    ("my tsv", "tsv", r"exporter name 'my tsv' must be letters, digits"),
    ("a/b", "tsv", r"exporter name 'a/b' must be"),
])
def test_an_exporter_whose_name_or_extension_makes_no_file_name_is_refused(tmp_path, name, extension, message):
    # A review: extension ".tsv" wrote "demo-STAMP..tsv" and refused every --out x.tsv
    # ("name the file ..tsv"); "../../escape" wrote outside the exports folder.
    (tmp_path / "exp.py").write_text(f"from microscout import Exporter, hookimpl\n\n@hookimpl\n"
                                     f"def register_exporters(register):\n"
                                     f"    register(Exporter({name!r}, {extension!r}, 's', lambda r, c, s: None))\n")
    pm = make_plugin_manager(tmp_path, entry_points=False)
    with pytest.raises(PluginError, match=r"^plugin plugins_dir:exp.py: " + message):
        collect_exporters(pm)


def test_an_exporter_with_a_dotted_extension_is_taken(tmp_path):
    (tmp_path / "exp.py").write_text("from microscout import Exporter, hookimpl\n\n@hookimpl\n"
                                     "def register_exporters(register):\n"
                                     "    register(Exporter('tgz', 'tar.gz', 's', lambda r, c, s: None))\n")
    assert collect_exporters(make_plugin_manager(tmp_path, entry_points=False))["tgz"].extension == "tar.gz"


@pytest.fixture
def broken_package(tmp_path, monkeypatch):
    """An installed distribution whose entry point's module cannot be imported."""
    (tmp_path / "ms_broken_plugin.py").write_text("import no_such_dependency_anywhere\n")
    info = tmp_path / "ms_broken_plugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: ms-broken-plugin\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[microscout]\nbroken = ms_broken_plugin\n")
    monkeypatch.syspath_prepend(str(tmp_path))


def test_an_installed_plugin_that_fails_to_import_is_named(broken_package):
    with pytest.raises(PluginError, match=r"^entry point 'broken' \(ms-broken-plugin\): the plugin failed to load: "
                                          r"ModuleNotFoundError: .*MICROSCOUT_LOAD_PLUGINS"):
        make_plugin_manager(None, defaults=False)


@pytest.mark.parametrize("switch", ["ms-example-plugin", "ms_example_plugin", "MS.Example_Plugin", "example"])
def test_the_switch_matches_a_distribution_name_as_pip_does(installed_package, switch):
    pm = make_plugin_manager(None, defaults=False, only={switch})
    assert "from_entry_point" in collect_rules(pm)


def test_two_plugins_dirs_in_one_process_keep_their_own_helper_files(tmp_path):
    # A review: loading a second plugins_dir made it the package of the first one's files too,
    # so a helper the first imported when judging came from the second folder.
    rule = textwrap.dedent('''
        from microscout import Rule, Verdict, hookimpl

        def evaluate(candidate, options, context):
            from . import _shared  # imported when judging, after both folders loaded
            return Verdict(outcome="pass", score=1.0, reason=_shared.WHO)

        @hookimpl
        def register_rules(register):
            register(Rule(name="from_{who}", summary="x", evaluate=evaluate))
    ''')
    managers = []
    for who in ("a", "b"):
        folder = tmp_path / who
        folder.mkdir()
        (folder / f"rule_{who}.py").write_text(rule.replace("{who}", who))
        (folder / "_shared.py").write_text(f"WHO = {who!r}\n")
        managers.append(make_plugin_manager(folder, entry_points=False, defaults=False))
    for who, pm in zip("ab", managers):
        (found,) = collect_rules(pm).values()
        assert found.evaluate(None, None, None).reason == who


def _loose_nested(where):
    """An options model whose nested table (``where``: as a field, optional, or in a dict)
    is a model that does not forbid unknown keys."""
    import pydantic

    sub = pydantic.create_model("Sub", a=(int, pydantic.Field(1, description="a")))
    annotation = {"field": sub, "optional": sub | None, "dict": dict[str, sub]}[where]
    default = {"dict": pydantic.Field(default_factory=dict, description="s")}.get(
        where, pydantic.Field(default_factory=sub, description="s"))
    return options_model(sub=(annotation, default))


@pytest.mark.parametrize("where", ["field", "optional", "dict"])
def test_a_nested_options_table_that_ignores_typos_is_refused(where):
    # [rules.nested.sub] aa = 5 passed `config check` and the rule judged with a = 1.
    from microscout.config import parse_config
    from microscout.engine.evaluate import check_rule_options

    rule = Rule(name="nested", summary="x", evaluate=ok, options=_loose_nested(where))
    pm = make_plugin_manager(None, entry_points=False, defaults=False)
    pm.register(Registers(rule), name="badplugin")
    with pytest.raises(PluginError, match="^plugin badplugin: ") as err:
        collect_rules(pm)
    assert "rule 'nested' option 'sub': its model Sub must set model_config = ConfigDict(extra='forbid')" \
        in str(err.value)
    # The built-in rules' nested tables (sponsored, accounts…) all forbid unknown keys.
    builtins = collect_rules(make_plugin_manager(None, entry_points=False))
    config = parse_config({"rules": {"ad_frequency": {"sponsored": {"no_such_key": 1}}}})
    with pytest.raises(Exception, match="no_such_key"):
        check_rule_options(config, builtins)


def test_rules_toml_writes_a_plugins_option_defaults_as_toml_that_reads_back(tmp_path):
    # `rules --toml` is pasted into config.toml: a dict key with a space was written bare
    # (invalid TOML), one with a dot as a dotted key (another table), and a None inside a
    # dict or list ended the command with "unexpected error: TypeError".
    import tomllib

    from click.testing import CliRunner

    from microscout.cli import cli

    (tmp_path / "plugins").mkdir()
    (tmp_path / "plugins" / "phrases.py").write_text(textwrap.dedent('''
        from typing import Optional
        from pydantic import BaseModel, ConfigDict, Field
        from microscout import Rule, Verdict, hookimpl

        class Options(BaseModel):
            model_config = ConfigDict(extra="forbid")
            boosts: dict[str, float] = Field(default_factory=lambda: {"plant based": 2.0, "tofu.dishes": 1.5},
                                             description="Phrase weights.")
            caps: dict[str, Optional[int]] = Field(default_factory=lambda: {"micro": 10, "mega": None},
                                                   description="Cap per tier (None: no cap).")

        @hookimpl
        def register_rules(register):
            register(Rule(name="phrases", summary="Phrases", options=Options,
                          evaluate=lambda c, o, x: Verdict(outcome="pass", score=1.0, reason="ok")))
    '''))
    (tmp_path / "config.toml").write_text('plugins_dir = "plugins"\n')
    result = CliRunner().invoke(cli, ["rules", "--toml", "--config", str(tmp_path / "config.toml")])
    assert result.exit_code == 0, result.output
    options = tomllib.loads(result.output)["rules"]["phrases"]
    assert options["boosts"] == {"plant based": 2.0, "tofu.dishes": 1.5}
    assert "caps" not in options and '# caps: default {"micro": 10, "mega": null}' in result.output


def test_a_plugins_dir_file_with_postponed_annotations_and_a_dataclass_loads(tmp_path):
    # "the plugin failed to load: AttributeError: 'NoneType' object has no attribute '__dict__'":
    # the file ran before it was in sys.modules, where dataclasses (and typing.get_type_hints)
    # look a class's module up; a failed file is still not left there.
    import sys

    from microscout.engine.plugins import plugins_dir_package
    from microscout.testing import candidate, plugin_file
    from microscout.testing import evaluate as evaluate_rule

    (tmp_path / "counted.py").write_text(textwrap.dedent('''
        from __future__ import annotations

        import typing
        from dataclasses import dataclass

        from microscout import Rule, Verdict, hookimpl

        @dataclass
        class Counted:
            n: int
            label: typing.Optional[str] = None

        def evaluate(candidate, options, context) -> Verdict:
            return Verdict(outcome="pass", score=1.0, reason=f"{Counted(len(candidate.posts)).n} posts")

        @hookimpl
        def register_rules(register):
            register(Rule(name="counted", summary="x", evaluate=evaluate))
    '''))
    pm = make_plugin_manager(tmp_path, entry_points=False, defaults=False)
    assert collect_rules(pm)["counted"].evaluate(candidate(), None, None).reason == "0 posts"
    assert evaluate_rule(plugin_file(tmp_path / "counted.py"), "counted", candidate()).reason == "0 posts"
    (tmp_path / "broken.py").write_text("X = 1\nraise ValueError('no')\n")
    with pytest.raises(PluginError, match="broken.py: the plugin failed to load: ValueError: no"):
        make_plugin_manager(tmp_path, entry_points=False, defaults=False)
    assert f"{plugins_dir_package(tmp_path)}.broken" not in sys.modules


def test_a_plugin_command_that_fails_is_said_naming_the_plugin_and_exit_1(tmp_path):
    # A plugin-author review: `microscout boom` said "unexpected error: RuntimeError: kaput",
    # naming neither the plugin nor its command, so a user could not tell whom to ask.
    from click.testing import CliRunner

    from microscout.cli import cli

    (tmp_path / "plugins").mkdir()
    (tmp_path / "plugins" / "cmds.py").write_text(
        "from microscout import hookimpl\n\n@hookimpl\ndef register_commands(cli):\n"
        "    @cli.command('boom')\n    def boom():\n        raise RuntimeError('kaput')\n")
    (tmp_path / "config.toml").write_text('plugins_dir = "plugins"\n')
    env = {"MICROSCOUT_LOG_DIR": str(tmp_path / "logs")}
    result = CliRunner(env=env).invoke(cli, ["--config", str(tmp_path / "config.toml"), "boom"])
    assert result.exit_code == 1, result.output
    assert "Error: plugin plugins_dir:cmds.py: command 'boom' failed: RuntimeError: kaput" in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1


def test_a_root_model_option_holds_no_table_of_its_own_and_loads():
    # A RootModel (a list or a dict given a type of its own) cannot set extra='forbid' (pydantic
    # refuses it: "RootModel does not support setting model_config['extra']"), so a plugin with
    # one, which loaded before nested models were checked, was refused with a fix it cannot
    # make. Its root has no keys of its own; the models in it are still checked.
    import pydantic

    from microscout.config import parse_config
    from microscout.engine.evaluate import check_rule_options

    class Tags(pydantic.RootModel[list[str]]):
        pass

    rule = Rule(name="tags", summary="x", evaluate=ok, options=options_model(
        tags=(Tags, pydantic.Field(default_factory=lambda: Tags(["vegan"]), description="tags"))))
    pm = make_plugin_manager(None, entry_points=False, defaults=False)
    pm.register(Registers(rule), name="tagsplugin")
    rules = collect_rules(pm)
    check_rule_options(parse_config({"rules": {"tags": {"tags": ["tofu"]}}}), rules)
    # `rules --toml` writes its default as the value it is (it called Tags() as a table's model)
    import tomllib

    from microscout.engine.tomlout import rules_toml
    assert tomllib.loads(rules_toml(rules))["rules"]["tags"] == {"tags": ["vegan"]}

    sub = pydantic.create_model("Sub", a=(int, pydantic.Field(1, description="a")))

    class Subs(pydantic.RootModel[dict[str, sub]]):  # type: ignore[valid-type]
        pass

    loose = Rule(name="subs", summary="x", evaluate=ok, options=options_model(
        subs=(Subs, pydantic.Field(default_factory=lambda: Subs({}), description="s"))))
    pm = make_plugin_manager(None, entry_points=False, defaults=False)
    pm.register(Registers(loose), name="subsplugin")
    with pytest.raises(PluginError, match="option 'subs': its model Sub must set model_config"):
        collect_rules(pm)
