"""`microscout shortlist` against the SQL floor in CPU instructions (issue #12), counted by valgrind.

CPU seconds on a shared machine swing by ±20% from one run to the next (other sessions,
the host), more than most single changes save. The number of instructions a program runs
does not: cachegrind counts them (`valgrind --tool=cachegrind --cache-sim=no`, the "I refs"
total), the same to within 0.01% on every run of the same code and store. It leaves out
the kernel's work (reading pages, writing the WAL) and the cost of cache misses, so a
ratio in instructions is lower than the one in CPU seconds of benchmarks/shortlist_scale.py;
it is the figure to compare code with.

Each side runs in its own valgrind, on a fresh copy of the store, with PYTHONHASHSEED=0:
the floor (benchmarks/shortlist_scale.py's, the same SQL), then
`python -m microscout --config CONFIG --db COPY shortlist demo --json --workers 1` from
each code directory given (its own package first on the path: a `git worktree` of another
commit, say). Under valgrind a shortlist runs ~30x slower: ~40 s for 1,000 profiles, ~5 min
for 10,000.

    python benchmarks/shortlist_instructions.py --db /tmp/s1k.db
    python benchmarks/shortlist_instructions.py --db /tmp/s1k.db --code /tmp/basewt --code .
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bytecode import compile_package

REPO = Path(__file__).resolve().parent.parent


def instructions(cmd: list[str], cwd: Path, pythonpath: Path | None) -> int:
    """The instructions valgrind counts for ``cmd`` (user space, every thread)."""
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    done = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
                           *cmd], cwd=cwd, env=env, capture_output=True, text=True)
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if done.returncode != 0 or not found:
        tail = done.stderr.strip().splitlines()[-3:]
        raise SystemExit(f"{' '.join(cmd)} failed under valgrind (exit {done.returncode}): {' / '.join(tail)}")
    return int(found.group(1).replace(",", ""))


def fresh_copy(store: Path, into: Path) -> Path:
    copy = into / "store.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{copy}{suffix}").unlink(missing_ok=True)
        if Path(f"{store}{suffix}").exists():
            shutil.copyfile(f"{store}{suffix}", f"{copy}{suffix}")
    return copy


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="a store generated as shortlist_scale.py makes them")
    parser.add_argument("--config", type=Path, default=REPO / "config.toml")
    parser.add_argument("--code", type=Path, action="append",
                        help="a directory holding the microscout package to measure (repeatable; default: this "
                             "repository)")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        print("valgrind is not installed: apt-get install valgrind", file=sys.stderr)
        return 2
    for path, what in ((args.db, "--db"), (args.config, "--config")):
        if not path.is_file():
            print(f"{what} {path}: no such file", file=sys.stderr)
            return 2
    codes = [c.resolve() for c in (args.code or [REPO])]
    for code in codes:
        if not (code / "microscout" / "__init__.py").is_file():
            print(f"--code {code}: no microscout package there", file=sys.stderr)
            return 2
    for code in codes:
        compile_package(code / "microscout")  # else each measured run compiles (~250 million instructions)
    with tempfile.TemporaryDirectory(prefix="microscout-instructions-") as tmp:
        work = Path(tmp)
        floor = instructions([sys.executable, str(REPO / "benchmarks" / "shortlist_scale.py"), "--run-floor",
                              str(fresh_copy(args.db, work)), "--config", str(args.config.resolve())], REPO, None)
        print(f"floor: {floor:,} instructions")
        for code in codes:
            shortlist = instructions([sys.executable, "-m", "microscout", "--config", str(args.config.resolve()),
                                      "--db", str(fresh_copy(args.db, work)), "shortlist", "demo", "--json",
                                      "--workers", "1"], code, code)
            print(f"shortlist from {code}: {shortlist:,} instructions, {shortlist / floor:.2f}x the floor")
    return 0


if __name__ == "__main__":
    sys.exit(main())
