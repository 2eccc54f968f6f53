"""Candidates per second of a shortlist run, and proof that the verdicts did not change.

Copies a generated store (so the source stays untouched), runs the "demo" campaign with a
fixed clock, prints candidates/s and dumps every verdict and shortlist entry of the run
(evidence and reasons as the json module writes their JSON value, so that a change of
spacing alone is not a change). Given a reference dump, it checks the new dump is
byte-identical. It re-runs itself with PYTHONHASHSEED=0: tie order among
niche_relevance's top terms depends on set iteration order.
To measure the code before a change, put a copy of that package first on PYTHONPATH.

    python -m microscout sandbox generate --size 2000 --posts 30 --out /tmp/perf/bench.db
    python benchmarks/shortlist_speed.py --db /tmp/perf/bench.db --dump /tmp/perf/ref.txt
    # ... change code ...
    python benchmarks/shortlist_speed.py --db /tmp/perf/bench.db --dump /tmp/perf/new.txt \\
        --reference /tmp/perf/ref.txt
    # judging across cores (issue #12): the same dump, from 2 worker processes
    python benchmarks/shortlist_speed.py --db /tmp/perf/bench.db --workers 2 --reference /tmp/perf/ref.txt
"""
from __future__ import annotations

import cProfile
import hashlib
import json
import pstats
import resource
import shutil
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from store_args import store_parser, verdicts_of_runs

REPO = Path(__file__).resolve().parent.parent
FIXED_NOW = datetime(2026, 11, 1, 12, 0, tzinfo=timezone.utc)


def canonical(text: str | None) -> str | None:
    """JSON text as the json module writes its value: evidence and reasons compare as the
    JSON they hold, not as their spacing (microscout.jsontext writes them compact)."""
    return None if text is None else json.dumps(json.loads(text), ensure_ascii=False)


def dump(db, run_id: int, out: Path) -> str:
    """Every verdict and entry of one run, one line each, in a fixed order; returns its SHA-256."""
    h = hashlib.sha256()
    with out.open("w", encoding="utf-8") as f:
        for *row, evidence in db.execute(f"SELECT profile_id, rule, outcome, score, reason, evidence FROM "
                                         f"{verdicts_of_runs(db)} "
                                         "WHERE run_id = ? ORDER BY 1, 2", [run_id]):
            line = "V\t" + "\t".join(repr(v) for v in [*row, canonical(evidence)]) + "\n"
            f.write(line)
            h.update(line.encode())
        for row in db.execute("SELECT profile_id, platform, handle, tier, followers, engagement_rate, score, "
                              "excluded_by, reasons, rank FROM shortlist_entries WHERE run_id = ? ORDER BY 1",
                              [run_id]):
            row = (*row[:8], canonical(row[8]), row[9])
            line = "E\t" + "\t".join(repr(v) for v in row) + "\n"
            f.write(line)
            h.update(line.encode())
    return h.hexdigest()


def main() -> int:
    parser = store_parser(__doc__)
    parser.add_argument("--campaign", default="demo")
    parser.add_argument("--dump", help="write the run's verdicts and entries here")
    parser.add_argument("--reference", help="a dump to compare with; exit 1 when it differs")
    parser.add_argument("--profile", action="store_true", help="run under cProfile and print the top functions")
    parser.add_argument("--workers", type=int, default=1,
                        help="processes that judge at once (shortlist --workers; default 1: in this process)")
    parser.add_argument("--batch-size", type=int, default=500, help="candidates per batch (default 500)")
    args = parser.parse_args()

    import microscout
    from microscout.config import load_config
    from microscout.engine.plugins import collect_rules, plugin_manager_for
    from microscout.engine.shortlist import run_shortlist
    from microscout.store import open_store
    print(f"microscout from {Path(microscout.__file__).parent}")
    config = load_config(args.config)
    rules = collect_rules(plugin_manager_for(config))
    tmp = tempfile.mkdtemp(prefix="microscout-speed-")
    try:
        copy = Path(tmp) / "bench.db"
        shutil.copyfile(args.db, copy)
        for suffix in ("-wal", "-shm"):
            if Path(args.db + suffix).exists():
                shutil.copyfile(args.db + suffix, str(copy) + suffix)
        db = open_store(str(copy), create=False)
        profiler = cProfile.Profile() if args.profile else None
        t, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        # Code from before --workers (measured for comparison) takes no such argument.
        pool = {"workers": args.workers} if args.workers != 1 else {}
        summary = run_shortlist(db, config, rules, args.campaign, now=FIXED_NOW, batch_size=args.batch_size, **pool)
        if profiler:
            profiler.disable()
        seconds, cpu = time.perf_counter() - t, time.process_time() - cpu
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        if args.workers > 1:
            # The workers' CPU and peak memory (reaped children), beside this process's.
            kids = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu_text = f"CPU {cpu:.2f} s here + {kids.ru_utime + kids.ru_stime:.2f} s in workers"
            rss_text = f"{rss:.0f} MB here, {kids.ru_maxrss / 1024:.0f} MB the largest worker"
        else:
            cpu_text = f"CPU {cpu:.2f} s: {summary.candidates / cpu:,.1f} candidates per CPU second"
            rss_text = f"{rss:.0f} MB"
        print(f"{summary.candidates:,} candidates in {seconds:.2f} s with --workers {args.workers}: "
              f"{summary.candidates / seconds:,.1f} candidates/s ({cpu_text}; excluded {summary.excluded}, "
              f"errors {summary.errors}); peak RSS {rss_text}")
        if profiler:
            pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(30)
        status = 0
        if args.dump or args.reference:
            out = Path(args.dump) if args.dump else Path(tmp) / "dump.txt"
            digest = dump(db, summary.run_id, out)
            print(f"dump {out}: sha256 {digest}")
            if args.reference:
                same = Path(args.reference).read_bytes() == out.read_bytes()
                print(f"identical to {args.reference}: {'yes' if same else 'NO'}")
                status = 0 if same else 1
        db.close()
        return status
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
