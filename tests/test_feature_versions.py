"""Every stored per-item feature is kept under a version that hashes the code computing it:
all of it, every microscout module the detector imports (directly or through another), so
that editing any of them makes stored values stale instead of wrong."""
from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from microscout.heuristics import (
    accounts,
    comment_features,
    comments,
    feature_version,
    follower_features,
    niche,
    post_features,
    sponsored,
)

# Each kind of stored feature: the module that versions it, and the detector computing it.
STORED = [(post_features, sponsored), (comment_features, comments), (follower_features, accounts), (niche, niche)]


def imported(module) -> set[str]:
    """The microscout modules ``module`` imports, at module level or inside functions, and theirs."""
    seen: set[str] = set()
    todo = [module.__name__]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        tree = ast.parse(Path(importlib.import_module(name).__file__).read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("microscout"):
                candidates = [f"{node.module}.{a.name}" for a in node.names] + [node.module]
            elif isinstance(node, ast.Import):
                candidates = [a.name for a in node.names if a.name.startswith("microscout")]
            else:
                continue
            for candidate in candidates:
                try:
                    found = importlib.import_module(candidate)
                except ImportError:
                    continue
                if getattr(found, "__file__", None) and not found.__file__.endswith("__init__.py"):
                    todo.append(found.__name__)
    return seen


def hashed_files(feature_module, monkeypatch) -> set[str]:
    files: list[str] = []
    monkeypatch.setattr(feature_version, "code_hash", lambda *fs: files.extend(fs) or "x")
    feature_module._code_hash.cache_clear()
    try:
        feature_module._code_hash()
    finally:
        feature_module._code_hash.cache_clear()
    return {str(Path(f).resolve()) for f in files}


@pytest.mark.parametrize("feature_module, detector", STORED, ids=lambda m: m.__name__.rpartition(".")[2])
def test_the_version_hashes_every_module_the_detector_reads(feature_module, detector, monkeypatch):
    # Modules that only count and report (measure: intervals for the audience estimate) or
    # record versions (feature_version) do not shape a stored value.
    needed = {str(Path(importlib.import_module(m).__file__).resolve()) for m in imported(detector)
              if m not in ("microscout.heuristics.measure", "microscout.heuristics.feature_version")}
    assert needed - hashed_files(feature_module, monkeypatch) == set()
