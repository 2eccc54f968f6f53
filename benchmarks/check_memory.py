"""Peak memory of `microscout check posts|accounts` on a large JSONL file, and its figures.

A JSONL file of ROWS posts (id, a caption, hashtags, a sponsored/organic label; every third row a
paid-partnership flag, every fifth a nested owner object, so keys differ from row to row) or
accounts (handle, followers, following, posts, a bio, a 1/0 label; every fourth row a nested
public_metrics object) is written once. Each round then runs `python -m microscout check KIND
FILE --label-column label --quiet --json` in a child process of its own (peak RSS from wait4)
with the code of each --code folder (default: this checkout) first on PYTHONPATH, alternating
the order. Peak RSS and wall time are printed per round, then medians, and whether every code
printed the same --json output. --print-rows runs it without --quiet: check accounts then prints a
JSON line a row, reading the file once first to check its rows (check posts holds every result).

    PYTHONPATH=. .venv/bin/python benchmarks/check_memory.py --kind posts --rows 200000 --rounds 2 \\
        --code /tmp/base --code .
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WORDS = ("morning", "coffee", "recipe", "garden", "travel", "sunset", "workout", "studio", "vintage", "market")


def write_posts(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        for n in range(rows):
            words = " ".join(WORDS[(n * 7 + k) % len(WORDS)] for k in range(10 + n % 9))
            caption = f"{words} #{WORDS[n % 10]}" + (" #ad use code SAVE10" if n % 6 == 0 else "") \
                + (" thanks @brand for the gift" if n % 11 == 0 else "")
            row: dict = {"id": f"p{n:07d}", "caption": caption, "hashtags": [WORDS[n % 10], WORDS[(n + 3) % 10]],
                         "label": "sponsored" if n % 6 == 0 or n % 11 == 0 else "organic"}
            if n % 3 == 0:
                row["paid_partnership"] = n % 2 == 0
            if n % 5 == 0:
                row["owner"] = {"username": f"creator{n % 997}", "id": n % 997}
            out.write(json.dumps(row) + "\n")


def write_accounts(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        for n in range(rows):
            row: dict = {"handle": f"user{n:07d}", "bio": f"{WORDS[n % 10]} and {WORDS[(n * 3) % 10]} lover {n % 89}",
                         "label": n % 2}
            counts = {"followers": n % 5000, "following": (n * 37) % 7000, "posts": n % 300}
            if n % 4 == 0:
                row["public_metrics"] = {f"{k}_count": v for k, v in counts.items()}
            else:
                row.update(counts)
            out.write(json.dumps(row) + "\n")


def timed(argv: list[str], env: dict, cwd: Path) -> tuple[float, int, str]:
    """(wall seconds, peak RSS in MB, sha256 of stdout) of one child."""
    start = time.monotonic()
    with tempfile.TemporaryFile() as stdout:
        child = subprocess.Popen(argv, env=env, cwd=cwd, stdout=stdout, stderr=subprocess.PIPE)
        err = child.stderr.read().decode(errors="replace") if child.stderr else ""
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.monotonic() - start
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            sys.exit(f"{' '.join(argv[:6])}… exited {code}: {err[-500:]}")
        stdout.seek(0)
        # a chunk at a time: the next child's peak RSS counts this process's memory when it is
        # started (its fork), and 200,000 printed rows read whole made every later child 35 MB bigger
        digest = hashlib.file_digest(stdout, "sha256").hexdigest()[:12]
    return wall, usage.ru_maxrss // 1024, digest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kind", choices=["posts", "accounts"], default="posts")
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--code", action="append", help="a checkout whose microscout to run (repeatable)")
    parser.add_argument("--dir", help="where to write the file (default: a temporary folder)")
    parser.add_argument("--print-rows", action="store_true", help="without --quiet: every row printed too")
    args = parser.parse_args()
    codes = [str(Path(c).resolve()) for c in (args.code or [str(REPO)])]
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        work = Path(tmp)
        data = work / f"{args.kind}.jsonl"
        (write_posts if args.kind == "posts" else write_accounts)(data, args.rows)
        print(f"{data.stat().st_size / 1e6:,.0f} MB, {args.rows:,} rows")
        base_env = {k: v for k, v in os.environ.items() if not k.startswith("MICROSCOUT_")}
        runs: dict[str, list[tuple[float, int, str]]] = {c: [] for c in codes}
        for n in range(args.rounds):
            for code in (codes if n % 2 == 0 else codes[::-1]):
                env = {**base_env, "PYTHONPATH": code}
                run = timed([sys.executable, "-m", "microscout", "check", args.kind, str(data), "--label-column",
                             "label", *([] if args.print_rows else ["--quiet"]), "--json"], env, work)
                runs[code].append(run)
                print(f"round {n + 1}: {code}: {run[0]:.1f} s, peak RSS {run[1]:,} MB, output {run[2]}")
        for code in codes:
            print(f"{code}: peak RSS {statistics.median(r for _, r, _ in runs[code]):,.0f} MB, "
                  f"{statistics.median(w for w, _, _ in runs[code]):.1f} s")
        outputs = {d for code in codes for _, _, d in runs[code]}
        print("same --json output from every code" if len(outputs) == 1 else f"outputs differ: {outputs}")


if __name__ == "__main__":
    main()
