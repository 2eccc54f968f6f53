"""examples/microscout-language, the tutorial's packaged rule: its entry point registers the
rule as pip would install it, and its own tests pass (docs/TUTORIAL.md)."""
from __future__ import annotations

import subprocess
import sys
import tomllib

from microscout.engine.plugins import collect_rules, make_plugin_manager, plugin_source
from microscout.testing import candidate, evaluate, post
from tests.conftest import REPO

EXAMPLE = REPO / "examples" / "microscout-language"


def test_the_entry_point_registers_the_rule_as_an_installed_package(tmp_path, monkeypatch):
    project = tomllib.loads((EXAMPLE / "pyproject.toml").read_text())["project"]
    entry_points = project["entry-points"]["microscout"]
    assert entry_points == {"language": "microscout_language.rules"}
    # what pip leaves in site-packages: the package and a dist-info naming the entry point
    info = tmp_path / f"microscout_language-{project['version']}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n")
    (info / "entry_points.txt").write_text("[microscout]\n" + "".join(f"{k} = {v}\n" for k, v in entry_points.items()))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.syspath_prepend(str(EXAMPLE))
    try:
        pm = make_plugin_manager(None)
        rule = collect_rules(pm)["language"]
        assert plugin_source(pm, pm.get_plugin(rule.plugin)) == "entry point (microscout-language 0.1.0)"
        verdict = evaluate(rule, candidate(posts=[post(language="en"), post(language="fr")]), min_share=0.9)
        assert verdict.outcome == "fail" and verdict.evidence["other_languages"] == ["fr"]
    finally:
        for name in [m for m in sys.modules if m.startswith("microscout_language")]:
            del sys.modules[name]


def test_its_own_tests_pass():
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=EXAMPLE,
                         capture_output=True, text=True)
    assert run.returncode == 0 and "3 passed" in run.stdout, run.stdout + run.stderr
