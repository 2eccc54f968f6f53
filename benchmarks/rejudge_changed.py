"""A shortlist after a re-crawl of some candidates against the first shortlist and a full
re-judge, in the same run, and proof that the partial run equals the full one (issue #12:
only what changed is re-judged).

Copies a generated store (the source stays untouched), refreshes its stored features as
`shortlist` does (not timed), then, for each ``--changed`` share, on a fresh copy: times the
first shortlist of the "demo" campaign; changes that share of the candidates as a re-crawl
would (a new snapshot with one more follower, the likes of their posts updated: every
chosen candidate's verdicts may move); times the next shortlist (it judges only those);
times a full re-judge with ``--rejudge``'s engine call; and compares every entry and
verdict of the last two. Wall and CPU time (``time.process_time``) of this process.

    python -m microscout sandbox generate --size 10000 --seed 7 --posts 30 --posts-with-replies 5 \\
        --followers 80 --out /tmp/scale/store-10000.db
    python benchmarks/rejudge_changed.py --db /tmp/scale/store-10000.db --changed 1 10
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from rescore import ENTRY, FIXED_NOW, VERDICT, rows
from store_args import store_parser, verdicts_of_runs


def timed(call):
    wall, cpu = time.perf_counter(), time.process_time()
    result = call()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def main() -> int:
    parser = store_parser(__doc__)
    parser.add_argument("--changed", type=float, nargs="+", default=[1.0, 10.0],
                        help="percentages of the candidates a re-crawl changes")
    parser.add_argument("--workers", type=int, default=1, help="judging processes (default 1: CPU is this process')")
    args = parser.parse_args()

    import microscout
    from microscout.config import load_config
    from microscout.engine import features
    from microscout.engine.plugins import collect_rules, plugin_manager_for
    from microscout.engine.shortlist import run_shortlist
    from microscout.store import open_store
    print(f"microscout from {Path(microscout.__file__).parent}; load {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    tmp = Path(tempfile.mkdtemp(prefix="microscout-rejudge-"))
    ok = True
    try:
        config = load_config(args.config)
        rules = collect_rules(plugin_manager_for(config))
        source = tmp / "source.db"
        shutil.copyfile(args.db, source)
        db = open_store(str(source), create=False)
        features.refresh(db, config, rules)
        db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.close()
        print("| changed | candidates judged again | first shortlist wall / CPU | after the re-crawl wall / CPU "
              "| full re-judge wall / CPU | ratio to the first (CPU) | identical to the full re-judge |")
        print("|---:|---:|---:|---:|---:|---:|---|")
        for n, share in enumerate(args.changed):
            copy = tmp / f"bench{n}.db"
            shutil.copyfile(source, copy)
            db = open_store(str(copy), create=False)

            def shortlist(reuse: bool = True):
                return run_shortlist(db, config, rules, "demo", now=FIXED_NOW, reuse=reuse, workers=args.workers)

            first, first_wall, first_cpu = timed(shortlist)
            every = round(100 / share) if share else 0
            with db.conn:
                chosen = [pid for (pid,) in db.execute(
                    "SELECT profile_id FROM shortlist_entries WHERE run_id = ? AND profile_id % ? = 0",
                    [first.run_id, every])] if every else []
                db.conn.executemany(
                    "INSERT INTO profile_snapshots (profile_id, observed_at, followers, following, posts_count) "
                    "SELECT id, ?, followers + 1, following, posts_count FROM profiles WHERE id = ?",
                    [(FIXED_NOW.isoformat(), pid) for pid in chosen])
                db.conn.executemany("UPDATE posts SET likes = coalesce(likes, 0) + 1 WHERE profile_id = ?",
                                    [(pid,) for pid in chosen])
            kept, kept_wall, kept_cpu = timed(shortlist)
            # Nothing changed: the first run is given back whole.
            assert kept.kept_from == first.run_id or (not chosen and kept.reused), "the partial change judged everyone"
            full, full_wall, full_cpu = timed(lambda: shortlist(reuse=False))
            same = all(rows(db, kept.run_id, what, table) == rows(db, full.run_id, what, table)
                       for what, table in ((ENTRY, "shortlist_entries"), (VERDICT, verdicts_of_runs(db))))
            ok = ok and same
            db.close()
            again = 0 if kept.reused else kept.candidates - kept.kept
            print(f"| {share:g}% | {again:,} of {kept.candidates:,} | {first_wall:.2f} / "
                  f"{first_cpu:.2f} s | {kept_wall:.2f} / {kept_cpu:.2f} s | {full_wall:.2f} / {full_cpu:.2f} s | "
                  f"{kept_cpu / first_cpu:.3f}x | {'yes' if same else 'NO'} |", flush=True)
        return 0 if ok else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
