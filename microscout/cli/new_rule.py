"""`microscout new-rule NAME`: a rule plugin to start from, with a test that passes."""
from __future__ import annotations

import keyword
import re
from pathlib import Path

import click

from microscout.cli.common import Env, UsageProblem, warn_of_config_rules, with_env

RULE = '''"""Rule {name}: {summary}

Written by `microscout new-rule`; docs/PLUGINS.md has the contract. Configure it in
config.toml under [rules.{name}], use it in a campaign's gates or weights, and try it on
a stored creator with `microscout try {name} HANDLE`.
"""
from pydantic import BaseModel, ConfigDict, Field

from microscout import Need, Rule, Verdict, hookimpl


class Options(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a typo in config.toml is an error, not ignored
    min_posts: int = Field(10, ge=1, description="Default 10: fewest own posts (not replies) in the crawl that pass.")


def evaluate(candidate, options: Options, context) -> Verdict:
    if "posts" not in candidate.fetched:
        # no data is not a fail: say so, and the shortlist treats it as unknown
        return Verdict.unknown("posts were not fetched for this profile")
    own = [p for p in candidate.posts if not p.is_reply]
    evidence = {{"posts": len(own), "minimum": options.min_posts}}
    if len(own) >= options.min_posts:
        return Verdict(outcome="pass", score=1.0, evidence=evidence,
                       reason=f"{{len(own)}} recent posts (at least {{options.min_posts}})")
    return Verdict(outcome="fail", score=len(own) / options.min_posts, evidence=evidence,
                   reason=f"only {{len(own)}} recent posts (fewer than {{options.min_posts}})")


@hookimpl
def register_rules(register):
    register(Rule(name="{name}", summary="{summary}", options=Options,
                  needs=frozenset({{Need.POSTS}}), evaluate=evaluate))
'''

TEST = '''"""Tests of the {name} rule, built with microscout.testing (run: pytest {test_path})."""
{import_line}
from microscout.testing import candidate, evaluate, post


def test_enough_posts_pass():
    verdict = evaluate({module}, "{name}", candidate(posts=[post(days_ago=d) for d in range(10)]))
    assert verdict.outcome == "pass" and verdict.evidence["posts"] == 10


def test_too_few_posts_fail_with_the_count():
    verdict = evaluate({module}, "{name}", candidate(posts=[post(), post()]), min_posts=3)
    assert verdict.outcome == "fail" and "only 2 recent posts" in verdict.reason


def test_posts_not_fetched_is_unknown_not_a_fail():
    assert evaluate({module}, "{name}", candidate()).outcome == "unknown"
'''

LOAD_BESIDE = '''import pathlib

from microscout.testing import plugin_file

# loaded as plugins_dir loads it: `from . import _helpers` in the rule works here too
{name} = plugin_file(pathlib.Path(__file__).with_name("{name}.py"))
'''

PYPROJECT = '''[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "{dist}"
version = "0.1.0"
description = "{summary}"
requires-python = ">=3.11"
dependencies = ["microscout>={version}"]

[project.entry-points.microscout]
{name} = "{package}.rules"

[tool.setuptools]
packages = ["{package}"]

[tool.pytest.ini_options]
pythonpath = ["."]  # the tests run before the package is installed too
'''


def _importable(name: str) -> str | None:
    """Where an installed or standard library module NAME is imported from (not the current
    folder, which is on sys.path only as this command runs), or None; a built-in or frozen
    module comes before any file, so no file hides it."""
    import importlib.util
    import os
    import sys

    if name in sys.modules:
        spec = getattr(sys.modules[name], "__spec__", None)
    else:
        saved = sys.path[:]
        sys.path[:] = [p for p in saved if p not in ("", ".", os.getcwd())]
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        finally:
            sys.path[:] = saved
    if spec is None or spec.origin in (None, "namespace", "built-in", "frozen"):  # a folder hides no module
        return None
    return spec.origin


@click.command("new-rule", short_help="Write a rule plugin to start from, with its test.")
@click.argument("name")
@click.option("--summary", default="A rule written for our campaigns", show_default=True,
              help="The one-line summary `microscout rules` shows.")
@click.option("--package", "as_package", is_flag=True,
              help="Write an installable package (pyproject.toml with an entry point, the rule, a test) "
                   "instead of a file in plugins_dir.")
@click.option("--dir", "folder", type=click.Path(file_okay=False), default=None,
              help="Where to write (default: the config's plugins_dir; with --package, the current folder).")
@with_env
def command(env: Env, name: str, summary: str, as_package: bool, folder: str | None) -> None:
    """Write a rule plugin NAME to start from, with a test that passes."""
    from microscout import __version__

    if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        raise UsageProblem(f"rule name {name!r}: use lower_snake_case, e.g. min_posts")
    if keyword.iskeyword(name):
        raise UsageProblem(f"rule name {name!r}: a Python keyword cannot name a rule; pick another, e.g. {name}_rule")
    if '"' in summary or "\\" in summary:
        raise UsageProblem("--summary: write it without quotes or backslashes")
    if not summary.strip() or any(ord(c) < 32 or ord(c) == 127 for c in summary):
        # the file written would not load, and every command loading plugins would stop on it
        raise UsageProblem("--summary: give one line of text (not empty, no line breaks or tabs)")
    # Not env.rules: a config still naming the rule of a deleted plugin must not stop its re-creation.
    loaded = env.loaded_rules
    if name in loaded:
        raise UsageProblem(f"a rule named {name!r} is already registered (by {loaded[name].plugin}); pick another")
    warn_of_config_rules(env, creating=name)
    if as_package:
        root = Path(folder or ".") / f"microscout-{name.replace('_', '-')}"
        package = f"microscout_{name}"
        files = {
            root / "pyproject.toml": PYPROJECT.format(dist=root.name, summary=summary, version=__version__,
                                                      name=name, package=package),
            root / package / "__init__.py": "",
            root / package / "rules.py": RULE.format(name=name, summary=summary),
            root / "tests" / f"test_{name}.py": TEST.format(
                name=name, module="rules", import_line=f"from {package} import rules",
                test_path=f"tests/test_{name}.py"),
        }
    else:
        shadowed = _importable(name)
        if shadowed:
            # pytest puts the test's folder first on sys.path: NAME.py there would be imported
            # instead of the module (`new-rule pydantic` broke every test in plugins_dir)
            raise UsageProblem(f"rule name {name!r}: the module {name!r} ({shadowed}) is imported by that name, "
                               f"and a file {name}.py in plugins_dir would hide it from the tests there (pytest "
                               f"puts that folder first on sys.path); pick another, e.g. {name}_rule (or write a "
                               f"package: --package)")
        if folder:
            root = Path(folder)
        elif env.config.plugins_dir:
            root = env.config.path(env.config.plugins_dir)
        else:
            raise UsageProblem("no plugins_dir in the config: set plugins_dir or pass --dir FOLDER")
        files = {
            root / f"{name}.py": RULE.format(name=name, summary=summary),
            # plugins_dir skips _-prefixed files: the test sits beside the rule without being loaded as one
            root / f"_test_{name}.py": TEST.format(
                name=name, module=name, test_path=root / f"_test_{name}.py", import_line=LOAD_BESIDE.format(name=name)),
        }
    taken = [str(p) for p in files if p.exists()]
    if taken:
        raise UsageProblem(f"{', '.join(taken)} already exists: nothing written")
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        click.echo(f"wrote {path}")
    test = next(p for p in files if p.name.endswith(f"test_{name}.py"))
    if as_package:
        # A package's rule loads through its entry point, which exists once it is installed.
        click.echo(f"next: pytest {test}   then: pip install -e {root}   then: microscout try {name} HANDLE")
    else:
        plugins_dir = env.config.path(env.config.plugins_dir) if env.config.plugins_dir else None
        if plugins_dir is None or root.resolve() != Path(plugins_dir).resolve():
            # Only plugins_dir's files load: `try` would say there is no such rule.
            where = env.config.source if env.config.from_file else "config.toml"
            now = f"plugins_dir is {plugins_dir}" if plugins_dir else "no plugins_dir is set"
            # plugins_dir is read relative to the config's folder, not to where this command ran
            shown = root
            if not root.is_absolute():
                shown = root.resolve()
                if shown.is_relative_to(Path(env.config.root).resolve()):
                    shown = shown.relative_to(Path(env.config.root).resolve())
            click.echo(f"next: pytest {test}   then: set plugins_dir = \"{shown}\" in {where} ({now})   "
                       f"then: microscout try {name} HANDLE")
        else:
            click.echo(f"next: pytest {test}   then: microscout try {name} HANDLE")
