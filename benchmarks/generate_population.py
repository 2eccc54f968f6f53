"""Time and peak RSS of `microscout sandbox generate` against plain inserts of the same rows.

1. generate: N profiles (30 posts, replies on the newest 5, 80 sampled followers each, as
   the shortlist benchmarks use) written into generated.db by storewriter.generate.
2. baseline: a second process reads those very rows back from generated.db, a batch of
   profiles at a time (not timed), and times only plain `executemany` INSERTs of them into a
   fresh store with the same schema (open_store): the same batches, one transaction each,
   the same tables in the same order (profiles, snapshots, posts and their stored features,
   comments and theirs, follower samples and theirs). The ratio is the cost of generating
   the data over merely storing it.

Each side runs in its own process so peak RSS is its own; CPU time (generate's includes
its worker processes', which build the rows while it writes them) is reported beside wall
time because other work on the machine inflates wall time.

    python benchmarks/generate_population.py --size 20000
    python benchmarks/generate_population.py --size 20000 --workers 0   # all in one process
    python benchmarks/generate_population.py --size 100000
    python benchmarks/generate_population.py                  # 1,000,000 profiles (long)
"""
from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

from microscout.sandbox.storewriter import default_workers

REPO = Path(__file__).resolve().parent.parent

MEASURE = r'''
import json, os, resource, sys, time
args = json.loads(sys.argv[1])
load = os.getloadavg()[0]
wall, cpu = time.perf_counter(), time.process_time()
timed = None  # the baseline sets it: only its INSERTs count
{body}
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
children = resource.getrusage(resource.RUSAGE_CHILDREN)  # worker processes, once they have ended
if timed:
    wall, cpu = timed
print(json.dumps({{"seconds": wall, "cpu": cpu + children.ru_utime + children.ru_stime,
                  "load": [load, os.getloadavg()[0]],
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "child_peak_rss_mb": children.ru_maxrss / 1024}}))
'''

GENERATE = '''
from microscout.sandbox.storewriter import generate
generate(args["db"], args["size"], args["seed"], posts=args["posts"], posts_with_replies=args["posts_with_replies"],
         followers=args["followers"], batch=args["batch"], workers=args["workers"])
'''

# Profile ids were given in generation order, a batch at a time, so each batch of the
# generator is a range of ids; every other table is read by its profile_id.
BASELINE = '''
import sqlite3
from microscout.sandbox.storewriter import batch_size
from microscout.store import open_store
source = sqlite3.connect(f"file:{args['source']}?mode=ro", uri=True)
db = open_store(args["db"])
READS = {
    "profiles": "SELECT {c} FROM profiles WHERE id BETWEEN ? AND ? ORDER BY id",
    "profile_snapshots": "SELECT {c} FROM profile_snapshots WHERE profile_id BETWEEN ? AND ? ORDER BY rowid",
    "posts": "SELECT {c} FROM posts WHERE profile_id BETWEEN ? AND ? ORDER BY id",
    "post_features": "SELECT {c} FROM post_features WHERE post_id IN "
                     "(SELECT id FROM posts WHERE profile_id BETWEEN ? AND ?) ORDER BY post_id, version",
    "niche_features": "SELECT {c} FROM niche_features WHERE post_id IN "
                      "(SELECT id FROM posts WHERE profile_id BETWEEN ? AND ?) ORDER BY post_id, version",
    "comments": "SELECT {c} FROM comments WHERE profile_id BETWEEN ? AND ? ORDER BY id",
    "comment_features": "SELECT {c} FROM comment_features WHERE comment_id IN "
                        "(SELECT id FROM comments WHERE profile_id BETWEEN ? AND ?) ORDER BY comment_id, version",
    "follower_samples": "SELECT {c} FROM follower_samples WHERE profile_id BETWEEN ? AND ? ORDER BY rowid",
    "follower_features": "SELECT {c} FROM follower_features WHERE profile_id BETWEEN ? AND ? "
                         "ORDER BY profile_id, platform_id, version",
}
plan = []
for table, read in READS.items():
    columns = [r[1] for r in source.execute(f"PRAGMA table_info({table})")]
    plan.append((read.format(c=", ".join(columns)),
                 f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"))
runs = source.execute("SELECT * FROM crawl_runs").fetchall()
with db.conn:
    db.conn.executemany(f"INSERT INTO crawl_runs VALUES ({', '.join('?' * len(runs[0]))})", runs)
step = batch_size(args["batch"], args["posts"], args["posts_with_replies"], args["followers"])
spent_wall = spent_cpu = 0.0
for lo in range(1, args["size"] + 1, step):
    rows = [(insert, source.execute(read, [lo, lo + step - 1]).fetchall()) for read, insert in plan]
    w, c = time.perf_counter(), time.process_time()
    with db.conn:
        for insert, batch in rows:
            db.conn.executemany(insert, batch)
    spent_wall += time.perf_counter() - w
    spent_cpu += time.process_time() - c
    del rows
timed = (spent_wall, spent_cpu)
'''

COUNTS = ("profiles", "profile_snapshots", "posts", "post_features", "niche_features", "comments", "comment_features",
          "follower_samples", "follower_features")


def measure(body: str, args: dict) -> dict:
    out = subprocess.run([sys.executable, "-c", MEASURE.format(body=body), json.dumps(args)],
                         capture_output=True, text=True, cwd=REPO)
    if out.returncode:
        sys.exit(f"benchmark step failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--posts", type=int, default=30)
    parser.add_argument("--posts-with-replies", type=int, default=5)
    parser.add_argument("--followers", type=int, default=80)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--workers", type=int, default=None,
                        help="processes building rows (default: generate's, one per core; 0: none)")
    parser.add_argument("--dir", help="where to write the databases (default: a temporary folder)")
    ns = parser.parse_args()
    folder = Path(ns.dir or tempfile.mkdtemp(prefix="microscout-gen-"))
    generated, baseline = folder / "generated.db", folder / "baseline.db"
    for path in (generated, baseline):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    common = {"size": ns.size, "seed": ns.seed, "posts": ns.posts, "batch": ns.batch,
              "posts_with_replies": ns.posts_with_replies, "followers": ns.followers}
    gen = measure(GENERATE, {**common, "db": str(generated), "workers": ns.workers})
    base = measure(BASELINE, {**common, "db": str(baseline), "source": str(generated)})
    conn = sqlite3.connect(generated)
    counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in COUNTS}
    rows = sum(counts.values())
    print(f"{ns.size:,} profiles x {ns.posts} posts, replies on {ns.posts_with_replies} posts, "
          f"{ns.followers} followers each; batch {ns.batch}; db {os.path.getsize(generated) / 1e6:,.0f} MB in {folder}")
    print("rows: " + ", ".join(f"{t} {n:,}" for t, n in counts.items()) + f" = {rows:,}")
    workers = default_workers(ns.size) if ns.workers is None else ns.workers
    for name, m in (("baseline (plain INSERTs of the same rows)", base),
                    (f"generate ({workers} worker processes)", gen)):
        print(f"{name:42} {m['seconds']:8.1f} s wall {m['cpu']:8.1f} s CPU {m['peak_rss_mb']:6.0f} MB peak RSS "
              f"{rows / m['seconds']:>9,.0f} rows/s  (load {m['load'][0]:.1f} -> {m['load'][1]:.1f})")
    if gen["child_peak_rss_mb"]:
        print(f"{'':42} peak RSS of the largest worker: {gen['child_peak_rss_mb']:.0f} MB")
    print(f"ratio: {gen['seconds'] / base['seconds']:.2f}x the wall time, {gen['cpu'] / base['cpu']:.2f}x the CPU "
          f"time, {gen['peak_rss_mb'] / base['peak_rss_mb']:.2f}x the peak RSS of plain inserts")


if __name__ == "__main__":
    main()
