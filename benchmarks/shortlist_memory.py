"""Peak memory and time of `microscout shortlist` on a large generated store.

Budget (issue #2): 100,000 profiles with 30 posts each shortlist under 300 MB peak RSS.
Baseline, measured in the same run: a process that imports microscout, loads the rules
and opens the same database without judging anything, so the figure reads as
"judging costs N MB over just being loaded".

    python benchmarks/shortlist_memory.py --size 100000 --posts 30
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

MEASURE = r'''
import json, resource, sys, time
t = time.perf_counter()
{body}
print(json.dumps({{"seconds": time.perf_counter() - t,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
'''

BASELINE = '''
from microscout.config import load_config
from microscout.engine.plugins import collect_rules, plugin_manager_for
from microscout.store import open_store
config = load_config(sys.argv[1])
rules = collect_rules(plugin_manager_for(config))
db = open_store(sys.argv[2], create=False)
db.execute("SELECT COUNT(*) FROM profiles").fetchone()
'''

SHORTLIST = BASELINE + '''
from microscout.engine.shortlist import run_shortlist
summary = run_shortlist(db, config, rules, "demo")
print(f"judged {summary.candidates}, excluded {summary.excluded}, errors {summary.errors}", file=sys.stderr)
'''


def measure(body: str, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-c", MEASURE.format(body=body), *args], capture_output=True,
                         text=True, check=True, cwd=REPO)
    sys.stderr.write(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--posts", type=int, default=30)
    parser.add_argument("--db", help="reuse this generated database instead of generating one")
    args = parser.parse_args()
    config = str(REPO / "config.toml")
    tmp = tempfile.mkdtemp(prefix="microscout-bench-")
    db = args.db or os.path.join(tmp, "bench.db")
    if not args.db:
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "microscout", "sandbox", "generate", "--size", str(args.size),
                        "--posts", str(args.posts), "--out", db], check=True, cwd=REPO)
        print(f"generated {args.size:,} profiles x {args.posts} posts in {time.perf_counter() - t:.0f} s "
              f"({os.path.getsize(db) / 1e6:,.0f} MB)")
    base = measure(BASELINE, config, db)
    run = measure(SHORTLIST, config, db)
    print(f"baseline (load rules, open db): {base['peak_rss_mb']:.0f} MB peak RSS")
    print(f"shortlist {args.size:,} profiles: {run['peak_rss_mb']:.0f} MB peak RSS "
          f"({run['peak_rss_mb'] - base['peak_rss_mb']:.0f} MB over baseline, "
          f"{run['peak_rss_mb'] / base['peak_rss_mb']:.2f}x), {run['seconds']:.0f} s, "
          f"{args.size / run['seconds']:,.0f} profiles/s; budget 300 MB: "
          f"{'within' if run['peak_rss_mb'] < 300 else 'OVER'}")


if __name__ == "__main__":
    main()
