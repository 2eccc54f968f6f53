"""Peak memory of `microscout import` on a large CSV export, against holding its rows.

A profiles export of SIZE MB (handle, display_name, followers, following, posts_count and a
bio, every tenth one with a quoted line break and an emoji) is written once. Each round then
runs, in child processes of their own (peak RSS from wait4, so each is the child's alone):

- the baseline: Python's csv.DictReader reading the same file into a list of dicts, the least
  a reader that keeps every row holds;
- `python -m microscout import FILE --platform linkedin` into a fresh database, with the code
  of each --code folder (default: this checkout) first on PYTHONPATH.

Rounds alternate the order. Peak RSS and wall time are printed per round, then medians and
each code's ratio to the baseline of the same run.

    PYTHONPATH=. .venv/bin/python benchmarks/import_memory.py --size 200 --rounds 3
    PYTHONPATH=. .venv/bin/python benchmarks/import_memory.py --size 200 --rounds 3 --code /tmp/base --code .
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

BASELINE = ("import csv, sys\n"
            "with open(sys.argv[1], newline='', encoding='utf-8-sig') as f:\n"
            "    rows = list(csv.DictReader(f))\n"
            "print(len(rows))\n")


def write_export(path: Path, megabytes: int) -> int:
    """A profiles CSV of about ``megabytes`` MB; returns its row count."""
    target = megabytes * 1_000_000
    written = rows = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("handle,display_name,followers,following,posts_count,bio\n")
        while written < target:
            bio = (f"Plant-based recipes and slow cooking, batch {rows % 97}; collabs by email"
                   + ("\nnew line 🌱" if rows % 10 == 0 else ""))
            line = (f"creator{rows:08d},Creator {rows},{1000 + rows % 50_000},{200 + rows % 900},"
                    f"{rows % 400},\"{bio}\"\n")
            out.write(line)
            written += len(line.encode())
            rows += 1
    return rows


def timed(argv: list[str], env: dict, cwd: Path) -> tuple[float, int, int]:
    """(wall seconds, peak RSS in MB, exit code) of one child."""
    start = time.monotonic()
    child = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.monotonic() - start
    err = child.stderr.read().decode(errors="replace") if child.stderr else ""
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"{' '.join(argv[:4])}… exited {code}: {err[-500:]}")
    return wall, usage.ru_maxrss // 1024, code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=200, help="MB of CSV (default 200)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--code", action="append", help="a checkout whose microscout to run (repeatable)")
    args = parser.parse_args()
    codes = [Path(c).resolve() for c in (args.code or [str(REPO)])]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        export = work / "profiles.csv"
        count = write_export(export, args.size)
        print(f"{export.stat().st_size / 1e6:,.0f} MB, {count:,} rows")
        base_env = {k: v for k, v in os.environ.items() if not k.startswith("MICROSCOUT_")}
        runs: dict[str, list[tuple[float, int]]] = {"baseline": [], **{str(c): [] for c in codes}}
        for n in range(args.rounds):
            order = ["baseline", *map(str, codes)]
            if n % 2:
                order.reverse()
            for name in order:
                if name == "baseline":
                    wall, rss, _ = timed([sys.executable, "-c", BASELINE, str(export)], base_env, work)
                else:
                    db = work / f"round{n}-{len(runs[name])}.db"
                    env = {**base_env, "PYTHONPATH": name}
                    wall, rss, _ = timed([sys.executable, "-m", "microscout", "--db", str(db), "import", str(export),
                                          "--platform", "linkedin"], env, work)
                    db.unlink()
                runs[name].append((wall, rss))
                print(f"round {n + 1}: {name}: {wall:.1f} s, peak RSS {rss:,} MB")
        base_rss = statistics.median(r for _, r in runs["baseline"])
        print(f"\nbaseline (csv.DictReader into a list): peak RSS {base_rss:,.0f} MB, "
              f"{statistics.median(w for w, _ in runs['baseline']):.1f} s")
        for code in map(str, codes):
            rss = statistics.median(r for _, r in runs[code])
            wall = statistics.median(w for w, _ in runs[code])
            print(f"import ({code}): peak RSS {rss:,.0f} MB ({rss / base_rss:.2f}x the baseline), {wall:.1f} s")


if __name__ == "__main__":
    main()
