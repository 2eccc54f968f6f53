"""Nothing may rely on what happens to be installed: every library the package imports is a
dependency pyproject.toml declares (with its floor, checked by .ci/min-versions)."""
from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0]).lower()


def test_every_library_the_package_imports_is_a_declared_dependency():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    declared = {_name(r) for r in project["dependencies"]}
    declared |= {_name(r) for extra in project.get("optional-dependencies", {}).values() for r in extra}
    providers = importlib.metadata.packages_distributions()
    undeclared = {}
    for path in sorted((REPO / "microscout").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in sys.stdlib_module_names or top in ("microscout", "__future__"):
                    continue
                if not {_name(d) for d in providers.get(top, [top])} & declared:
                    undeclared.setdefault(top, str(path.relative_to(REPO)))
    # e.g. {'twisted': 'microscout/crawlers/extensions.py'}: installed only because scrapy needs it
    assert not undeclared, undeclared
