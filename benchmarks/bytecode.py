"""Compile the measured microscout package before timing it, as pip does for an installed copy.

Run from a checkout with PYTHONDONTWRITEBYTECODE set (as on CI machines) or from a fresh
worktree, every timed child process would otherwise compile each module it imports, a cost
no installed copy pays: measured, ~0.07 s of CPU per `shortlist` (~1% at 10,000 profiles),
~0.015 s of `microscout --help` and ~0.05 s of `microscout rules` (BENCHMARKS.md). Python
still reads the .pyc files compileall writes while that variable is set.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def compile_package(package: Path) -> None:
    """Write the .pyc files of every module under ``package`` (a microscout directory)."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True,
                   stdout=subprocess.DEVNULL)
