"""The store's size under a weekly schedule: the same campaign judged again and again, a
share of the candidates changed before each run (a re-crawl moving their follower count), so
every run after the first keeps the others' verdicts (copied into it) and judges the changed.

Each run is `python -m microscout shortlist demo --json --workers 1` in its own process, on
a copy of --db (never changed), with the repository's config.toml and its
`[shortlists] keep_runs` (--keep-runs writes a config with another value). After each run
the WAL is checkpointed and the file's size read, with the store's verdict rows.

    python benchmarks/run_growth.py --db W/store-10000.db --runs 10 --workdir W
"""
from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path

from bytecode import compile_package
from shortlist_scale import timed_child  # each run in its own child: its own CPU (wait4)

REPO = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, required=True, help="a store to copy (left unchanged)")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--changed-every", type=int, default=100,
                        help="change the candidates whose id modulo this is the run's number (100: 1%%)")
    parser.add_argument("--keep-runs", type=int, default=None, help="[shortlists] keep_runs (default: config.toml's)")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()))
    args = parser.parse_args()
    if not args.db.is_file():
        print(f"{args.db}: not found; generate one first (see the docstring of shortlist_scale.py)", file=sys.stderr)
        return 2
    db = args.workdir / "run-growth.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    shutil.copy(args.db, db)
    config = REPO / "config.toml"
    if args.keep_runs is not None:
        text = config.read_text()
        if "keep_runs = 5\n" not in text:
            print(f"{config}: no 'keep_runs = 5' line to replace; give the config without --keep-runs",
                  file=sys.stderr)
            return 2
        config = args.workdir / "run-growth.toml"
        config.write_text(text.replace("keep_runs = 5\n", f"keep_runs = {args.keep_runs}\n"))
    compile_package(REPO / "microscout")
    print("| run | changed | kept | pruned | wall s | CPU s | file MB | verdict rows |")
    print("|---:|---:|---:|---|---:|---:|---:|---:|")
    for run in range(1, args.runs + 1):
        changed = 0
        if run > 1:
            conn = sqlite3.connect(db)
            changed = conn.execute("UPDATE profiles SET followers = followers + 1 WHERE opted_out = 0 AND id % ? = ?",
                                   [args.changed_every, run % args.changed_every]).rowcount
            conn.commit()
            conn.close()
        output = args.workdir / "run-growth.json"
        timing = timed_child([sys.executable, "-m", "microscout", "--config", str(config), "--db", str(db),
                              "shortlist", "demo", "--json", "--workers", "1"], output)
        result = json.loads(output.read_text())
        conn = sqlite3.connect(db)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        verdicts = conn.execute("SELECT count(*) FROM verdicts").fetchone()[0]
        conn.close()
        pruned = ", ".join(map(str, result.get("pruned_runs", []))) or "–"
        print(f"| {run} | {changed:,} | {result.get('kept', 0):,} | {pruned} | {timing['wall_s']:.2f} | "
              f"{timing['cpu_s']:.2f} | {db.stat().st_size / 1e6:,.0f} | {verdicts:,} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
