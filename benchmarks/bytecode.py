"""Compile the measured microscout package before timing it, as pip does for an installed copy.

Run from a checkout with PYTHONDONTWRITEBYTECODE set (as on CI machines) or from a fresh
worktree, every timed child process would otherwise compile each module it imports (~0.13 s
for ``microscout --help``, ~5% of a 10,000-profile shortlist's CPU), a cost no installed copy
pays. Python still reads the .pyc files compileall writes while that variable is set.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def compile_package(package: Path) -> None:
    """Write the .pyc files of every module under ``package`` (a microscout directory)."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True,
                   stdout=subprocess.DEVNULL)
