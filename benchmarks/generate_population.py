"""Time and peak RSS of `microscout sandbox generate`: N profiles × 30 posts into a store.

Baseline, measured in the same run: a process that writes the same number of profile
and post rows of constant data through the same store code (open_store + writes.upsert,
same batches, same transactions), so the figure reads as "generating costs N× plain
writing". Each side runs in its own process so peak RSS is its own.

    python benchmarks/generate_population.py                  # 1,000,000 profiles (long)
    python benchmarks/generate_population.py --size 20000
    python benchmarks/generate_population.py --size 100000 --followers 80 --posts-with-replies 5
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

MEASURE = r'''
import json, resource, sys, time
args = json.loads(sys.argv[1])
t = time.perf_counter()
{body}
print(json.dumps({{"seconds": time.perf_counter() - t,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
'''

GENERATE = '''
from microscout.sandbox.storewriter import generate
generate(args["db"], args["size"], args["seed"], posts=args["posts"],
         posts_with_replies=args["posts_with_replies"], followers=args["followers"], batch=args["batch"])
'''

BASELINE = '''
from microscout.store import open_store
from microscout.store.writes import upsert_posts, upsert_profiles
db = open_store(args["db"])
for start in range(0, args["size"], args["batch"]):
    end = min(start + args["batch"], args["size"])
    with db.conn:
        keys = upsert_profiles(db, [{"platform": "mastodon", "platform_id": f"u{i}@x", "handle": f"u{i}",
                                     "followers": 1000, "following": 100, "posts_count": 50}
                                    for i in range(start, end)])
        upsert_posts(db, [{"platform": "mastodon", "platform_id": f"{i}:{k}", "profile_id": keys[("mastodon", f"u{i}@x")],
                           "created_at": "2026-01-01T00:00:00+00:00", "text": "constant text #tag",
                           "hashtags": ["tag"], "likes": 10, "replies": 1, "reposts": 1}
                          for i in range(start, end) for k in range(args["posts"])])
'''


def measure(body: str, args: dict) -> dict:
    out = subprocess.run([sys.executable, "-c", MEASURE.format(body=body), json.dumps(args)],
                         capture_output=True, text=True, cwd=REPO, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--posts", type=int, default=30)
    parser.add_argument("--posts-with-replies", type=int, default=0)
    parser.add_argument("--followers", type=int, default=0)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--dir", help="where to write the databases (default: a temporary folder)")
    ns = parser.parse_args()
    folder = Path(ns.dir or tempfile.mkdtemp(prefix="microscout-gen-"))
    common = {"size": ns.size, "seed": ns.seed, "posts": ns.posts, "batch": ns.batch,
              "posts_with_replies": ns.posts_with_replies, "followers": ns.followers}
    base = measure(BASELINE, {**common, "db": str(folder / "baseline.db")})
    gen = measure(GENERATE, {**common, "db": str(folder / "generated.db")})
    size_mb = os.path.getsize(folder / "generated.db") / 1e6
    rows = ns.size * (1 + ns.posts)
    print(f"{ns.size:,} profiles x {ns.posts} posts (replies on {ns.posts_with_replies} posts, "
          f"{ns.followers} followers each), batch {ns.batch}; db {size_mb:,.0f} MB in {folder}")
    print(f"baseline (constant rows, same writes): {base['seconds']:8.1f} s  {base['peak_rss_mb']:6.0f} MB peak RSS "
          f" {rows / base['seconds']:>9,.0f} rows/s")
    print(f"generate (seeded population):          {gen['seconds']:8.1f} s  {gen['peak_rss_mb']:6.0f} MB peak RSS "
          f" {rows / gen['seconds']:>9,.0f} profile+post rows/s")
    print(f"ratio: {gen['seconds'] / base['seconds']:.1f}x the time, "
          f"{gen['peak_rss_mb'] / base['peak_rss_mb']:.2f}x the peak RSS of plain writing")


if __name__ == "__main__":
    main()
