"""What the engine does with what third-party rules, commands and exporters give it: a bad
verdict costs that candidate's verdict (`error`, naming the rule), never the run; options
merge into nested tables; a plugin's code, wherever it lives, is part of what a run
depends on. Each case is one a plugin author met (a review of 2026-12-04)."""
from __future__ import annotations

import functools
import json
import sys
from collections import Counter
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from microscout import Need, Rule, Verdict, hookimpl
from microscout.cli import cli
from microscout.config import ConfigError, parse_config
from microscout.engine.evaluate import rule_setup
from microscout.engine.exporters import Exporter
from microscout.engine.plugins import PluginError, PluginFailed, collect_exporters, collect_rules, make_plugin_manager
from microscout.engine.shortlist import _code_files, run_shortlist
from microscout.store import open_store
from microscout.testing import candidate, post
from microscout.testing import evaluate as evaluate_rule
from tests.conftest import REPO
from tests.engine.helpers import NOW, add_profile


def _plugin(**rule):
    class Plugin:
        @hookimpl
        def register_rules(self, register):
            register(Rule(name="probe", summary="A third-party rule", **rule))
    return Plugin()


def _shortlist(tmp_path, plugin):
    """A shortlist of two creators with the built-in rules and ``plugin``: the probe's verdicts."""
    db = open_store(tmp_path / "s.db")
    for handle in ("anna", "ben"):
        add_profile(db, handle, 5_000, posts=4, likes=80, bio="vegan recipes")
    config = parse_config({"plugins_dir": "none",
                           "campaigns": {"demo": {"platforms": ["mastodon"], "keywords": ["vegan"]}}})
    pm = make_plugin_manager(None, entry_points=False)
    pm.register(plugin, name="a_plugin")
    result = run_shortlist(db, config, collect_rules(pm), "demo", now=NOW)
    probe = db.execute("SELECT outcome, reason, evidence FROM run_verdicts WHERE run_id = ? AND rule = 'probe'",
                       [result.run_id]).fetchall()
    others = db.execute("SELECT count(*) FROM run_verdicts WHERE run_id = ? AND rule != 'probe' "
                        "AND outcome != 'error'", [result.run_id]).fetchone()[0]
    return probe, others, result, db


def test_evidence_keyed_by_dates_is_stored_with_the_dates_as_text(tmp_path):
    def per_day(candidate, options, context):
        return Verdict(outcome="pass", score=1.0, reason="counted",
                       evidence={"posts_per_day": dict(Counter(p.created_at.date() for p in candidate.posts)),
                                 "pair": {(1, 2): "a tuple key"}})

    probe, others, _, _ = _shortlist(tmp_path, _plugin(evaluate=per_day, needs=frozenset({Need.POSTS})))
    assert [outcome for outcome, _, _ in probe] == ["pass", "pass"]
    evidence = json.loads(probe[0][2])
    assert sum(evidence["posts_per_day"].values()) == 4
    assert all(len(day) == 10 and day[4] == "-" for day in evidence["posts_per_day"])  # 2026-10-30
    assert evidence["pair"] == {"(1, 2)": "a tuple key"}
    assert others > 0


@pytest.mark.parametrize("change, said", [
    (lambda v: setattr(v, "outcome", "Pass"), "outcome"),
    (lambda v: setattr(v, "score", 1.35), "score"),
])
def test_a_verdict_changed_after_it_was_made_is_checked_again(tmp_path, change, said):
    def changed(candidate, options, context):
        verdict = Verdict(outcome="pass", score=1.0, reason="ok")
        change(verdict)
        return verdict

    probe, others, result, db = _shortlist(tmp_path, _plugin(evaluate=changed))
    assert [outcome for outcome, _, _ in probe] == ["error", "error"]
    assert all(reason.startswith("rule probe failed: ValidationError") and said in reason for _, reason, _ in probe)
    # The other rules judged as ever, and no entry's score is above 1.
    assert others > 0
    assert db.execute("SELECT max(score) FROM shortlist_entries WHERE run_id = ?", [result.run_id]).fetchone()[0] <= 1


@pytest.mark.parametrize("batch", [False, True])
def test_a_metric_that_is_no_number_is_that_rules_error(tmp_path, batch):
    def as_text(candidate, options, context):
        return Verdict(outcome="pass", score=1.0, reason="rate", evidence={"engagement_rate": "4.2%"})

    def as_text_batch(batch, options, context):
        return {i: as_text(None, options, context) for i in batch.profiles}

    rule = dict(evaluate=as_text, metrics=frozenset({"engagement_rate"}),
                evaluate_batch=as_text_batch if batch else None)
    probe, _, result, db = _shortlist(tmp_path, _plugin(**rule))
    assert {(outcome, reason) for outcome, reason, _ in probe} == {
        ("error", "rule probe failed: TypeError: metric engagement_rate in its evidence must be a number or None "
                  "(got '4.2%')")}
    # The entries' metric comes from the built-in engagement rule instead, a number.
    rates = [r for (r,) in db.execute("SELECT engagement_rate FROM shortlist_entries WHERE run_id = ?",
                                      [result.run_id])]
    assert rates and all(isinstance(r, float) for r in rates)
    # microscout.testing says so too, where the author tests the rule.
    with pytest.raises(TypeError, match="metric engagement_rate"):
        evaluate_rule(_plugin(**rule), "probe", candidate())


def test_a_rule_that_needs_comments_sees_the_posts_they_answer():
    def count(candidate, options, context):
        return Verdict(outcome="pass", score=1.0, reason="seen", evidence={"posts": len(candidate.posts)})

    plugin = _plugin(evaluate=count, needs=frozenset({Need.COMMENTS}))
    pm = make_plugin_manager(None, entry_points=False, defaults=False)
    pm.register(plugin)
    assert collect_rules(pm)["probe"].needs == {Need.COMMENTS, Need.POSTS}
    assert evaluate_rule(plugin, "probe", candidate(posts=[post(), post()])).evidence == {"posts": 2}


def _nested_rule():
    from pydantic import BaseModel, ConfigDict, Field

    class Sub(BaseModel):
        model_config = ConfigDict(extra="forbid")
        a: int = Field(1, description="a")
        b: int = Field(2, description="b")

    class Options(BaseModel):
        model_config = ConfigDict(extra="forbid")
        sub: Sub = Field(default_factory=Sub, description="a nested table")
        limit: int = Field(5, description="a number")

    return Rule(name="nested", summary="Nested options", options=Options,
                evaluate=lambda c, o, x: Verdict(outcome="pass", score=1.0, reason="ok"))


def test_nested_option_tables_merge_key_by_key():
    config = parse_config({"rules": {"nested": {"sub": {"a": 10, "b": 20}}},
                           "platforms": {"mastodon": {"rules": {"nested": {"limit": 7}}}},
                           "campaigns": {"c": {"platforms": ["mastodon"], "keywords": ["x"],
                                               "rules": {"nested": {"sub": {"b": 99}}}}}})
    _, options = rule_setup(config, _nested_rule(), "mastodon", "c")
    assert (options.sub.a, options.sub.b, options.limit) == (10, 99, 7)
    # The shipped engagement benchmarks: one tier changed on one platform keeps the others.
    from microscout.config import load_config
    from microscout.engine.plugins import plugin_manager_for

    shipped = load_config(REPO / "config.toml")
    engagement = collect_rules(plugin_manager_for(shipped))["engagement"]
    raw = shipped.model_dump()
    raw["platforms"]["bluesky"].setdefault("rules", {})["engagement"] = {"benchmarks": {"micro": 0.05}}
    _, options = rule_setup(parse_config(raw), engagement, "bluesky", None)
    assert options.benchmarks["micro"] == 0.05 and options.benchmarks["nano"] == 0.0645


def test_a_bad_option_is_named_in_the_table_that_set_it():
    config = parse_config({"rules": {"nested": {"limit": "lots"}},
                           "platforms": {"mastodon": {"rules": {"nested": {"enabled": True}}}}})
    with pytest.raises(ConfigError, match=r": rules\.nested\.limit: Input should be a valid integer"):
        rule_setup(config, _nested_rule(), "mastodon", None)


def test_the_code_a_rule_depends_on_includes_what_its_function_wraps_and_its_plugins_dir(tmp_path):
    (tmp_path / "plugins").mkdir()
    (tmp_path / "plugins" / "_helpers.py").write_text("LIMIT = 5\n")
    (tmp_path / "plugins" / "limited.py").write_text('''
import functools
from microscout import Rule, Verdict, hookimpl

def _evaluate(candidate, options, context, limit):
    return Verdict(outcome="pass", score=1.0, reason=f"limit {limit}")

@hookimpl
def register_rules(register):
    register(Rule(name="limited", summary="A partial", evaluate=functools.partial(_evaluate, limit=5)))
''')
    rules = collect_rules(make_plugin_manager(tmp_path / "plugins", entry_points=False, defaults=False))
    files = {path.name for path in _code_files(rules["limited"].evaluate)}
    assert files == {"limited.py", "_helpers.py"}
    # A partial of a function in a package: that package's folder, to walk (here the tests').
    (folder,) = _code_files(functools.partial(_plugin))
    assert folder.is_dir() and (folder / "engine" / "test_plugin_contract.py").is_file()
    # The stamps a run keeps: the helper beside the plugin file among them.
    from microscout.engine.shortlist import _code_stamps

    stamped = {Path(path).name for path, _, _ in _code_stamps(rules)}
    assert {"limited.py", "_helpers.py", "shortlist.py"} <= stamped


def _command_plugin(word):
    class Plugin:
        @hookimpl
        def register_commands(self, cli):
            @cli.command("hello")
            def hello():
                click.echo(word)
    return Plugin()


def test_two_plugins_adding_one_command_are_refused_naming_both():
    from microscout.cli.common import plugin_commands

    pm = make_plugin_manager(None, entry_points=False, defaults=False)
    pm.register(_command_plugin("one"), name="first")
    pm.register(_command_plugin("two"), name="second")
    with pytest.raises(PluginError, match="command 'hello' is already added by plugin"):
        plugin_commands(pm)


def _tsv_export(tmp_path, write, binary=False):
    """A judged store, a plugin's "tsv" exporter writing with ``write``, and a previous export at
    the target: (db, exporter, target)."""
    class Plugin:
        @hookimpl
        def register_exporters(self, register):
            register(Exporter(name="tsv", extension="tsv", summary="Tab-separated", binary=binary, write=write))

    _, _, _, db = _shortlist(tmp_path, _plugin(evaluate=lambda c, o, x: Verdict(outcome="pass", score=1.0,
                                                                                 reason="ok")))
    pm = make_plugin_manager(None, entry_points=False, defaults=False)
    pm.register(Plugin(), name="tsv_plugin")
    target = tmp_path / "out.tsv"
    target.write_text("the previous export\n")
    return db, collect_exporters(pm)["tsv"], target


def test_a_plugin_exporter_that_fails_is_named_and_the_old_file_stays(tmp_path):
    from microscout.engine.export import export_shortlist

    def write(rows, columns, out):
        out.write("half")
        raise RuntimeError("disk on fire")

    db, exporter, target = _tsv_export(tmp_path, write)
    with pytest.raises(PluginFailed, match=r"^exporter tsv \(plugin tsv_plugin\) failed writing .*out\.tsv: "
                                           r"RuntimeError: disk on fire$"):
        export_shortlist(db, "demo", 5, exporter, target)
    assert target.read_text() == "the previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("out")) == ["out.tsv"]


@pytest.mark.parametrize("binary", [False, True])
def test_a_plugin_exporter_that_writes_nothing_is_named_and_no_empty_file_is_left(tmp_path, binary):
    # Found walking docs/PLUGINS.md: an exporter whose write() forgot the stream left a 0-byte
    # file, recorded as an export, and `export` said "Wrote 25 rows to ...".
    from microscout.engine.export import export_shortlist

    db, exporter, target = _tsv_export(tmp_path, lambda rows, columns, out: None, binary)
    with pytest.raises(PluginFailed, match=r"^exporter tsv \(plugin tsv_plugin\) wrote nothing to .*out\.tsv "
                                           r"for \d+ rows?: its write\(rows, columns, stream\) must write them to the "
                                           r"stream it is given$"):
        export_shortlist(db, "demo", 5, exporter, target)
    assert target.read_text() == "the previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("out")) == ["out.tsv"]
    assert db.execute("SELECT count(*) FROM exports").fetchone()[0] == 0


def test_schedule_run_once_runs_each_plugins_dir_file_once(tmp_path):
    from tests.engine.helpers import add_profile as add

    db = open_store(tmp_path / "scout.db")
    add(db, "cook", 5_000, posts=12, likes=200, bio="vegan recipes")
    db.conn.close()
    (tmp_path / "plugins").mkdir()
    (tmp_path / "plugins" / "counted.py").write_text(
        "from pathlib import Path\n"
        f"with open({str(tmp_path / 'loads')!r}, 'a') as f:\n    f.write('x')\n")
    text = (REPO / "config.toml").read_text().replace('database = "microscout.db"', 'database = "scout.db"')
    text += ('\n[schedules.daily]\ncron = "0 8 * * *"\ncampaign = "demo"\nsteps = ["shortlist", "export"]\n'
             'formats = ["csv"]\ndestination = "out"\nretries = 0\n')
    (tmp_path / "config.toml").write_text(text)
    result = CliRunner().invoke(cli, ["--config", str(tmp_path / "config.toml"), "schedule", "run-once", "daily"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "loads").read_text() == "x"


LIMITED = '''
from pydantic import BaseModel, ConfigDict, Field
from microscout import Rule, Verdict, hookimpl

class Options(BaseModel):
    model_config = ConfigDict(extra="forbid")
    limit: int = Field(5, description="a limit")

def evaluate(candidate, options, context):
    if candidate.profile.handle == "ben":
        raise RuntimeError("cannot judge ben")
    return Verdict(outcome="pass", score=1.0, reason="ok")

@hookimpl
def register_rules(register):
    register(Rule(name="limited", summary="A rule with an option", options=Options, evaluate=evaluate))
'''


@pytest.fixture
def project(tmp_path):
    (tmp_path / "plugins").mkdir()
    (tmp_path / "plugins" / "limited.py").write_text(LIMITED)
    (tmp_path / "config.toml").write_text(
        'database = "scout.db"\nplugins_dir = "plugins"\n[rules.limited]\nlimit = 3\n'
        '[campaigns.demo]\nplatforms = ["mastodon"]\nkeywords = ["vegan"]\n')
    db = open_store(tmp_path / "scout.db")
    for handle in ("anna", "ben"):
        add_profile(db, handle, 5_000, posts=4, likes=80, bio="vegan recipes")
    db.conn.close()
    return tmp_path


def test_options_of_a_plugin_the_switch_left_out_say_so(project, monkeypatch):
    monkeypatch.setenv("MICROSCOUT_LOAD_PLUGINS", "")
    result = CliRunner().invoke(cli, ["--config", str(project / "config.toml"), "config", "check"])
    assert result.exit_code == 2
    assert ("rules.limited: no rule named 'limited'; MICROSCOUT_LOAD_PLUGINS is set (it loads none besides the "
            "built-ins), so the plugin that registers it may be left out; rules are:") in result.output
    monkeypatch.delenv("MICROSCOUT_LOAD_PLUGINS")
    assert CliRunner().invoke(cli, ["--config", str(project / "config.toml"), "config", "check"]).exit_code == 0


def test_the_shortlist_names_a_creator_whose_verdict_is_an_error(project):
    result = CliRunner().invoke(cli, ["--config", str(project / "config.toml"), "shortlist", "demo"])
    assert result.exit_code == 0, result.output
    assert "1 rule errors: limited (1). See `microscout explain ben` for details." in " ".join(result.output.split())


def test_an_error_in_a_nested_table_names_the_table_that_set_the_value():
    config = parse_config({"rules": {"nested": {"sub": {"a": "ten"}}},
                           "campaigns": {"c": {"platforms": ["mastodon"], "keywords": ["x"],
                                               "rules": {"nested": {"sub": {"b": 99}}}}}})
    with pytest.raises(ConfigError, match=r": rules\.nested\.sub\.a: Input should be a valid integer"):
        rule_setup(config, _nested_rule(), "mastodon", "c")
    # A check of the whole table, merged from two: both are named.
    from microscout.config import load_config
    from microscout.engine.plugins import plugin_manager_for

    shipped = load_config(REPO / "config.toml")
    engagement = collect_rules(plugin_manager_for(shipped))["engagement"]
    raw = shipped.model_dump()
    raw["rules"]["engagement"]["benchmarks"]["nano"] = 0
    raw["platforms"]["bluesky"].setdefault("rules", {})["engagement"] = {"benchmarks": {"micro": 0.05}}
    with pytest.raises(ConfigError, match=r"engagement\.benchmarks \(merged with [a-z.]*rules\.engagement\): "
                                          r"benchmark for nano"):
        rule_setup(parse_config(raw), engagement, "bluesky", None)


@pytest.mark.parametrize("batch", [False, True])
@pytest.mark.parametrize("verdict, said", [
    (Verdict(outcome="error", score=0.0, reason="could not judge"),
     "returned outcome 'error', which the engine gives a rule that raised; one with nothing to judge by returns "
     "Verdict.unknown(reason)"),
    (Verdict(outcome="warn", score=0.5, reason="few posts\nsee the table below"),
     "returned a reason of several lines ('few posts\\nsee the table below'); a reason is one line"),
    (Verdict(outcome="pass", score=1.0, reason="fine\r\n"), "returned a reason of several lines"),
])
def test_the_engines_own_outcome_or_a_reason_of_several_lines_is_that_rules_error(tmp_path, batch, verdict, said):
    # A review: a plugin's outcome "error" was counted as if the rule had raised, with no word
    # of why, and a reason with line breaks broke the one-line cells of tables and exports.
    def judge(candidate, options, context):
        return verdict.model_copy()

    def judge_batch(batch, options, context):
        return {i: judge(None, options, context) for i in batch.profiles}

    rule = dict(evaluate=judge, evaluate_batch=judge_batch if batch else None)
    probe, others, _, _ = _shortlist(tmp_path, _plugin(**rule))
    assert probe and all(outcome == "error" and reason.startswith(f"rule probe failed: TypeError: {said}")
                         for outcome, reason, _ in probe), probe
    assert others > 0
    with pytest.raises(TypeError, match="returned"):
        evaluate_rule(_plugin(**rule), "probe", candidate())


@pytest.mark.parametrize("batch", [False, True])
@pytest.mark.parametrize("made, said", [
    (lambda: Verdict(outcome="pass", score=1.0, reason="ok").model_copy(update={"score": 1.35}),
     "returned a score of 1.35; a score is a number from 0 to 1"),
    (lambda: Verdict(outcome="pass", score=1.0, reason="ok").model_copy(update={"score": float("nan")}),
     "returned a score of nan; a score is a number from 0 to 1"),
    (lambda: Verdict.model_construct(outcome="Pass", score=1.0, reason="ok", evidence={}),
     "returned outcome 'Pass'; outcomes are pass, warn, fail, unknown"),
    (lambda: Verdict.model_construct(outcome="pass", score=1.0, reason=None, evidence={}),
     "returned a reason that is no text (None)"),
])
def test_a_verdict_pydantic_did_not_validate_is_that_rules_error(tmp_path, batch, made, said):
    # A review: model_copy(update=...) and model_construct skip pydantic's checks, so a score of
    # 1.35 or nan was stored as it was: the entry scored above 1 (ranked first) or NULL (ranked last).
    def judge(candidate, options, context):
        return made()

    def judge_batch(batch, options, context):
        return {i: judge(None, options, context) for i in batch.profiles}

    rule = dict(evaluate=judge, evaluate_batch=judge_batch if batch else None)
    probe, others, result, db = _shortlist(tmp_path, _plugin(**rule))
    assert probe and all(outcome == "error" and reason.startswith(f"rule probe failed: TypeError: {said}")
                         for outcome, reason, _ in probe), probe
    assert others > 0
    scores = [s for (s,) in db.execute("SELECT score FROM shortlist_entries WHERE run_id = ?", [result.run_id])]
    assert scores and all(s is not None and 0 <= s <= 1 for s in scores)
    with pytest.raises(TypeError, match="returned"):
        evaluate_rule(_plugin(**rule), "probe", candidate())


def test_a_helper_in_a_folder_of_plugins_dir_is_part_of_the_code_a_run_depends_on(tmp_path):
    # A review: a plugin importing its threshold from plugins/_lib/thresh.py (from ._lib.thresh
    # import LIMIT) kept the run judged with the old threshold after thresh.py was edited: only
    # the files directly in plugins_dir were stamped.
    lib = tmp_path / "plugins" / "_lib"
    lib.mkdir(parents=True)
    (lib / "__init__.py").write_text("")
    (lib / "thresh.py").write_text("LIMIT = 1\n")
    (tmp_path / "plugins" / "limited.py").write_text('''
from microscout import Rule, Verdict, hookimpl
from ._lib.thresh import LIMIT

def evaluate(candidate, options, context):
    return Verdict(outcome="pass", score=1.0, reason=f"limit {LIMIT}")

@hookimpl
def register_rules(register):
    register(Rule(name="limited", summary="A threshold from a helper folder", evaluate=evaluate))
''')
    rules = collect_rules(make_plugin_manager(tmp_path / "plugins", entry_points=False, defaults=False))
    assert {path.name for path in _code_files(rules["limited"].evaluate)} == {"limited.py", "__init__.py",
                                                                               "thresh.py"}
    _assert_judged_again_after(tmp_path, rules, lambda: (lib / "thresh.py").write_text("LIMIT = 1000\n"))


def _assert_judged_again_after(tmp_path, rules, edit) -> None:
    """A shortlist run, ``edit()`` of a plugin's code, and a run that judges anew, not re-used."""
    db = open_store(tmp_path / "s.db")
    add_profile(db, "anna", 5_000, posts=2)
    config = parse_config({"plugins_dir": "none", "campaigns": {"c": {"platforms": ["mastodon"]}}})
    first = run_shortlist(db, config, rules, "c", now=NOW, reuse=True)
    edit()
    again = run_shortlist(db, config, rules, "c", now=NOW, reuse=True)
    assert not again.reused and again.run_id != first.run_id


@pytest.mark.parametrize("listed_in", ["top_level.txt", "RECORD"])
def test_a_helper_module_of_an_installed_plugin_is_part_of_the_code_a_run_depends_on(tmp_path, monkeypatch,
                                                                                     listed_in):
    # A review: an installed plugin of two top-level modules (py-modules = ["flat_rule",
    # "flat_helpers"], the rule importing its threshold from the other) kept the run judged
    # with the old threshold after flat_helpers.py was edited: only the module holding the
    # rule's function was stamped, so `shortlist` showed verdicts `try` no longer gave.
    site = tmp_path / "site"
    info = site / "ms_flat-0.1.dist-info"
    info.mkdir(parents=True)
    (site / "flat_helpers.py").write_text("LIMIT = 1\n")
    (site / "flat_rule.py").write_text('''
from microscout import Rule, Verdict, hookimpl
import flat_helpers

def evaluate(candidate, options, context):
    return Verdict(outcome="pass", score=1.0, reason=f"limit {flat_helpers.LIMIT}")

@hookimpl
def register_rules(register):
    register(Rule(name="flat", summary="A threshold from a sibling module", evaluate=evaluate))
''')
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: ms-flat\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[microscout]\nflat = flat_rule\n")
    if listed_in == "top_level.txt":
        (info / "top_level.txt").write_text("flat_helpers\nflat_rule\n")
    else:  # a wheel built by another backend: RECORD alone says what it installed
        (info / "RECORD").write_text("flat_helpers.py,,\nflat_rule.py,,\nms_flat-0.1.dist-info/METADATA,,\n")
    monkeypatch.syspath_prepend(str(site))
    for name in ("flat_rule", "flat_helpers"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    rules = collect_rules(make_plugin_manager(None, defaults=False, only={"flat"}))
    assert {path.name for path in _code_files(rules["flat"].evaluate)} == {"flat_rule.py", "flat_helpers.py"}
    _assert_judged_again_after(tmp_path, rules, lambda: (site / "flat_helpers.py").write_text("LIMIT = 1000\n"))


def test_a_plugins_dir_is_walked_once_for_the_code_stamps_whatever_its_rules(tmp_path, monkeypatch):
    # A review: every rule of a plugins_dir walked the whole folder (its helper folders too)
    # for each of its functions, every run, reused or not: 8 rules and a 4,000-file vendored
    # helper folder took half a second before a run said 'Nothing changed'.
    from microscout.engine.shortlist import _code_stamps

    plugins = tmp_path / "plugins"
    (plugins / "_lib").mkdir(parents=True)
    (plugins / "_lib" / "__init__.py").write_text("")
    for i in range(4):
        (plugins / f"r{i}.py").write_text(f'''
from microscout import Rule, Verdict, hookimpl

def evaluate(candidate, options, context):
    return Verdict(outcome="pass", score=1.0, reason="ok")

@hookimpl
def register_rules(register):
    register(Rule(name="r{i}", summary="A rule of many in one plugins_dir", evaluate=evaluate))
''')
    rules = collect_rules(make_plugin_manager(plugins, entry_points=False, defaults=False))
    walks = []
    real = Path.rglob

    def counted(self, pattern):
        walks.append(self)
        return real(self, pattern)

    monkeypatch.setattr(Path, "rglob", counted)
    stamps = _code_stamps(rules)
    assert {Path(s[0]).name for s in stamps} >= {"r0.py", "r3.py", "__init__.py"}
    assert sum(1 for w in walks if w.resolve() == plugins.resolve()) == 1, walks


class _Unsayable:
    def __str__(self):
        raise ValueError("no words for it")

    __repr__ = __str__


class _UnsayableError(Exception):
    def __str__(self):
        raise RuntimeError("no words for it")


def _holds_itself():
    evidence: dict = {}
    evidence["self"] = evidence
    return evidence


@pytest.mark.parametrize("judge, said", [
    # Evidence the store cannot hold stopped the whole run: "input nested too deeply to read;
    # check the file or the server's answer" (exit 2), or "unexpected error: ValueError" (exit 1).
    (lambda: Verdict(outcome="pass", score=1.0, reason="x", evidence={"loop": _holds_itself()}),
     "rule probe failed: TypeError: returned evidence that cannot be stored as JSON (RecursionError: "),
    (lambda: Verdict(outcome="pass", score=1.0, reason="x", evidence={"thing": _Unsayable()}),
     "rule probe failed: TypeError: returned evidence that cannot be stored as JSON (ValueError: no words for it)"),
    # An exception whose message cannot be read: "unexpected error: RuntimeError", the run lost.
    (lambda: (_ for _ in ()).throw(_UnsayableError()),
     "rule probe failed: _UnsayableError: (its message could not be read: RuntimeError: no words for it)"),
])
def test_evidence_or_an_error_that_cannot_be_put_in_words_is_that_rules_error(tmp_path, judge, said):
    probe, others, result, db = _shortlist(tmp_path, _plugin(evaluate=lambda c, o, x: judge()))
    assert [outcome for outcome, _, _ in probe] == ["error", "error"]
    assert all(reason.startswith(said) for _, reason, _ in probe), probe
    assert others > 0 and result.errors == 2


def test_an_options_validator_that_raises_other_than_valueerror_names_the_table_and_the_rule(tmp_path):
    # A plugin's validator compiling a pattern from config: re.error is no ValueError, so pydantic
    # let it through and `config check`/`shortlist` said "unexpected error: error: missing ), …"
    # (exit 1), naming neither the key nor the rule.
    import re

    from pydantic import BaseModel, ConfigDict, Field, field_validator

    class Options(BaseModel):
        model_config = ConfigDict(extra="forbid")
        pattern: str = Field(r"\bvegan\b", description="a regular expression")

        @field_validator("pattern")
        @classmethod
        def _compiles(cls, value):
            re.compile(value)
            return value

    rule = Rule(name="pattern", summary="x", options=Options, plugin="plugins_dir:pattern.py",
                evaluate=lambda c, o, x: Verdict(outcome="pass", score=1.0, reason="ok"))
    config = parse_config({"rules": {"pattern": {"pattern": "(vegan"}}})
    with pytest.raises(ConfigError, match=r": rules\.pattern: rule pattern \(plugins_dir:pattern\.py\) refused its "
                                          r"options: error: missing \), unterminated subpattern"):
        rule_setup(config, rule, "mastodon", None)
    (tmp_path / "plugins").mkdir()
    (tmp_path / "plugins" / "pattern.py").write_text(
        "import re\nfrom pydantic import BaseModel, ConfigDict, Field, field_validator\n"
        "from microscout import Rule, Verdict, hookimpl\n\n"
        "class Options(BaseModel):\n    model_config = ConfigDict(extra='forbid')\n"
        "    pattern: str = Field('x', description='a regular expression')\n\n"
        "    @field_validator('pattern')\n    @classmethod\n    def _compiles(cls, value):\n"
        "        re.compile(value)\n        return value\n\n"
        "@hookimpl\ndef register_rules(register):\n"
        "    register(Rule(name='pattern', summary='x', options=Options,\n"
        "                  evaluate=lambda c, o, x: Verdict(outcome='pass', score=1.0, reason='ok')))\n")
    (tmp_path / "config.toml").write_text('plugins_dir = "plugins"\n[rules.pattern]\npattern = "(vegan"\n')
    result = CliRunner().invoke(cli, ["config", "check", "--config", str(tmp_path / "config.toml")])
    assert result.exit_code == 2, result.output
    assert "rules.pattern: rule pattern (plugins_dir:pattern.py) refused its options: error: missing )" \
        in result.output and "unexpected error" not in result.output


def test_a_batch_form_that_writes_to_the_store_writes_nothing_and_gives_way_to_the_simple_form(tmp_path):
    # A review: Batch.conn is "the store, to read from only", and a worker's connection is
    # read-only, but judged in the command's own process (--workers 1, or a run of one batch)
    # it was the command's writable connection: a batch form's UPDATE was committed with the
    # run's verdicts, and its verdicts stood, where a worker would have refused the write and
    # judged with the simple form (a result that depended on --workers).
    def simple(candidate, options, context):
        return Verdict(outcome="pass", score=1.0, reason="simple form")

    def writes(batch, options, context):
        marks, ids = batch.in_ids()
        batch.conn.execute(f"UPDATE profiles SET bio = 'written by a rule' WHERE id IN ({marks})", ids)
        return {i: Verdict(outcome="fail", score=0.0, reason="batch form") for i in ids}

    probe, others, _, db = _shortlist(tmp_path, _plugin(evaluate=simple, evaluate_batch=writes))
    assert [reason for _, reason, _ in probe] == ["simple form", "simple form"]
    assert db.execute("SELECT count(*) FROM profiles WHERE bio = 'written by a rule'").fetchone()[0] == 0
    assert others > 0
    # The command's connection writes again once the batch forms are done (the run was stored).
    assert not db.conn.in_transaction
    assert db.execute("PRAGMA query_only").fetchone()[0] == 0


def test_a_batch_form_that_changes_the_batchs_candidates_gives_way_to_the_simple_form(tmp_path):
    # A review: a batch form dropping the candidates it could not judge from batch.profiles
    # (and returning verdicts for the rest) stopped the whole run with "unexpected error:
    # KeyError: 1", naming neither rule nor plugin: the engine checked the verdicts against
    # the dict the rule had just changed, then looked up the candidate it had deleted.
    def simple(candidate, options, context):
        return Verdict(outcome="pass", score=1.0, reason="simple form")

    def drops(batch, options, context):
        del batch.profiles[next(iter(batch.profiles))]
        batch.fetched.clear()
        return {i: Verdict(outcome="fail", score=0.0, reason="batch form") for i in batch.profiles}

    probe, others, result, _ = _shortlist(tmp_path, _plugin(evaluate=simple, evaluate_batch=drops))
    assert [reason for _, reason, _ in probe] == ["simple form", "simple form"]
    assert result.candidates == 2 and others > 0
