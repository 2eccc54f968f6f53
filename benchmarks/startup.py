"""Start-up time of the command line: `microscout --help` and `microscout rules`.

Runs each command N times in fresh subprocesses, alternating commands so a busy machine
slows all of them alike, and prints the median wall time of each beside two baselines
measured in the same run: `python -c "pass"` (the interpreter) and `python -c "import
click"` (the least a click program loads). Budgets (issue #12): --help < 0.3 s, rules < 0.6 s.

    PYTHONPATH=. .venv/bin/python benchmarks/startup.py --runs 15
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bytecode import compile_package

REPO = Path(__file__).resolve().parent.parent

COMMANDS = {
    'python -c "pass"': [sys.executable, "-c", "pass"],
    'python -c "import click"': [sys.executable, "-c", "import click"],
    "microscout --help": [sys.executable, "-m", "microscout", "--help"],
    "microscout rules": [sys.executable, "-m", "microscout", "rules"],
}
BUDGETS = {"microscout --help": 0.3, "microscout rules": 0.6}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15, help="runs of each command (median reported)")
    parser.add_argument("--cwd", default=str(REPO), help="directory to run in (its config.toml is used)")
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    compile_package(REPO / "microscout")
    for name, argv in COMMANDS.items():  # one warm-up run each: the OS file cache
        subprocess.run(argv, cwd=args.cwd, env=env, stdout=subprocess.DEVNULL, check=True)
    for _ in range(args.runs):
        for name, argv in COMMANDS.items():
            start = time.perf_counter()
            subprocess.run(argv, cwd=args.cwd, env=env, stdout=subprocess.DEVNULL, check=True)
            times[name].append(time.perf_counter() - start)
    load = os.getloadavg()[0]
    print(f"{args.runs} runs each, alternating; load average {load:.1f}")
    print(f"{'command':<28} {'median':>8} {'min':>8} {'max':>8}  budget")
    ok = True
    for name, ts in times.items():
        median = statistics.median(ts)
        budget = BUDGETS.get(name)
        verdict = "" if budget is None else f"< {budget} s: {'ok' if median < budget else 'OVER'}"
        ok &= budget is None or median < budget
        print(f"{name:<28} {median:8.3f} {min(ts):8.3f} {max(ts):8.3f}  {verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
