"""Import throughput: `microscout import` of a profiles export against raw executemany (issue #12).

A creator tool's export (a CSV of N profiles: handle, display name, counts, a bio; every tenth
bio with a line break and an emoji, as benchmarks/import_memory.py writes it) is imported into
a fresh store, and the rows that import stored (profiles with their snapshots) are written
again by raw `executemany` into another fresh store (same schema, indexes and triggers), 500
profiles a transaction as import writes them, values ready:

  raw     INSERT … ON CONFLICT DO UPDATE of ready tuples, read back from the imported store
          before timing (the floor: what storing these rows costs SQLite)
  import  `microscout --db NEW import FILE --platform linkedin`, run in process by click (its
          modules imported before timing), so the CSV's reading, the checks of every cell,
          the duplicate check's first pass and the writes are timed, not Python's start-up

Each side runs in a child process of its own, rounds alternating which goes first; CPU time
(`time.process_time`) is the figure to read on a shared machine, wall time is printed beside.
Budget (issue #12, "ingest ≥ 70% of raw executemany throughput for the same rows").

    PYTHONPATH=. .venv/bin/python benchmarks/import_speed.py --rows 50000 --rounds 3
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BATCH = 500

IMPORT = """
import json, sys, time
from microscout.cli import cli
import microscout.cli.import_cmd, microscout.importers.read, microscout.importers.rows, microscout.importers.store
import microscout.store, microscout.store.writes
db, path = sys.argv[1], sys.argv[2]
wall, cpu = time.perf_counter(), time.process_time()
cli.main(["--db", db, "import", path, "--platform", "linkedin", "--json"], standalone_mode=False)
print(json.dumps({"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}), file=sys.stderr)
"""

RAW = """
import json, sqlite3, sys, time
from microscout.store import open_store
source, db = sys.argv[1], sys.argv[2]
src = sqlite3.connect(source)
src.row_factory = sqlite3.Row
profiles = [dict(r) for r in src.execute("SELECT * FROM profiles ORDER BY id")]
snapshots = {}
for r in src.execute("SELECT * FROM profile_snapshots"):
    snapshots.setdefault(r["profile_id"], []).append(dict(r))
run = dict(src.execute("SELECT * FROM crawl_runs").fetchone())
src.close()
store = open_store(db)
conn = store.conn
with conn:
    conn.execute(f"INSERT INTO crawl_runs ({', '.join(run)}) VALUES ({', '.join('?' * len(run))})", list(run.values()))

def statement(table, rows, keys):
    columns = list(rows[0])
    updates = ", ".join(f"{c}=excluded.{c}" for c in columns if c not in keys)
    return (f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "
            f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}", [tuple(r.values()) for r in rows])

work = []
for start in range(0, len(profiles), %(batch)d):
    chunk = profiles[start:start + %(batch)d]
    snaps = [s for p in chunk for s in snapshots.get(p["id"], ())]
    work.append([statement("profiles", chunk, ("platform", "platform_id")),
                 *([statement("profile_snapshots", snaps, ("profile_id", "observed_at"))] if snaps else [])])
wall, cpu = time.perf_counter(), time.process_time()
for batch in work:
    with conn:
        for sql, values in batch:
            conn.executemany(sql, values)
print(json.dumps({"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}), file=sys.stderr)
""" % {"batch": BATCH}


def write_export(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("handle,display_name,followers,following,posts_count,bio\n")
        for n in range(rows):
            bio = (f"Plant-based recipes and slow cooking, batch {n % 97}; collabs by email"
                   + ("\nnew line 🌱" if n % 10 == 0 else ""))
            out.write(f"creator{n:08d},Creator {n},{1000 + n % 50_000},{200 + n % 900},{n % 400},\"{bio}\"\n")


def child(script: str, *args: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    done = subprocess.run([sys.executable, "-c", script, *args], env=env, capture_output=True, text=True, cwd=REPO)
    if done.returncode != 0:
        sys.exit(f"child exited {done.returncode}: {done.stderr[-800:]}")
    return json.loads(done.stderr.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    times: dict[str, list[dict]] = {"raw": [], "import": []}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        export = folder / "profiles.csv"
        write_export(export, args.rows)
        reference = folder / "reference.db"
        child(IMPORT, str(reference), str(export))  # the rows raw writes, and a warm file cache
        for r in range(args.rounds):
            order = ("raw", "import") if r % 2 == 0 else ("import", "raw")
            for side in order:
                target = folder / f"{side}-{r}.db"
                got = (child(RAW, str(reference), str(target)) if side == "raw"
                       else child(IMPORT, str(target), str(export)))
                times[side].append(got)
                target.unlink()
    print(f"{args.rows:,} profiles (each with its snapshot), {BATCH} a transaction; median of {args.rounds} "
          f"alternating rounds; load {os.getloadavg()[0]:.1f}")
    raw = {k: statistics.median(t[k] for t in times["raw"]) for k in ("wall", "cpu")}
    for side, ts in times.items():
        wall, cpu = (statistics.median(t[k] for t in ts) for k in ("wall", "cpu"))
        print(f"{side:<7} wall {wall:7.3f} s {args.rows / wall:9,.0f} profiles/s {raw['wall'] / wall:5.0%} of raw | "
              f"cpu {cpu:7.3f} s {args.rows / cpu:9,.0f} profiles/s {raw['cpu'] / cpu:5.0%} of raw "
              f"(rounds: {', '.join(format(t['cpu'], '.3f') for t in ts)} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
