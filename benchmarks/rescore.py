"""A weights- or gates-only change against the first shortlist, in the same run, and proof
that the re-scored run equals a full re-judge with the new settings.

Copies a generated store (the source stays untouched), refreshes its post features as
`shortlist` does (not timed), then times, alternating ``--rounds`` times on fresh copies:
the first shortlist of the "demo" campaign, and a second one after changing the campaign's
weights and gates (the verdicts are copied from the first run and scored again). Last, it
re-judges with the changed settings (``--rejudge``) and compares every entry and verdict.

    python -m microscout sandbox generate --size 2000 --posts 30 --out /tmp/perf5/bench.db
    python benchmarks/rescore.py --db /tmp/perf5/bench.db
"""
from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from store_args import store_parser, verdicts_of_runs

REPO = Path(__file__).resolve().parent.parent
FIXED_NOW = datetime(2026, 11, 1, 12, 0, tzinfo=timezone.utc)
ENTRY = "profile_id, platform, handle, tier, followers, engagement_rate, score, rank, excluded_by, reasons"
VERDICT = "profile_id, rule, outcome, score, reason, evidence"
WEIGHTS = "weights = { engagement = 3, audience_authenticity = 3, "
GATES = 'gates = ["tier_bounds", '


def changed_config(text: str) -> str:
    """The demo campaign with one weight changed and one gate dropped."""
    assert WEIGHTS in text and GATES in text, "config.toml's demo campaign changed: update the benchmark"
    return (text.replace(WEIGHTS, WEIGHTS.replace("engagement = 3", "engagement = 1"), 1)
            .replace(GATES, 'gates = [', 1))


def rows(db, run_id: int, what: str, table: str) -> list:
    return db.execute(f"SELECT {what} FROM {table} WHERE run_id = ? ORDER BY 1, 2", [run_id]).fetchall()


def main() -> int:
    parser = store_parser(__doc__)
    parser.add_argument("--rounds", type=int, default=3, help="first/re-score pairs, each on a fresh copy")
    args = parser.parse_args()

    import microscout
    from microscout.config import load_config
    from microscout.engine import features
    from microscout.engine.plugins import collect_rules, plugin_manager_for
    from microscout.engine.shortlist import run_shortlist
    from microscout.store import open_store
    print(f"microscout from {Path(microscout.__file__).parent}")
    tmp = Path(tempfile.mkdtemp(prefix="microscout-rescore-"))
    try:
        (tmp / "b.toml").write_text(changed_config(Path(args.config).read_text()))
        config, changed = load_config(args.config), load_config(str(tmp / "b.toml"))
        rules = collect_rules(plugin_manager_for(config))
        source = tmp / "source.db"
        shutil.copyfile(args.db, source)
        for suffix in ("-wal", "-shm"):
            if Path(args.db + suffix).exists():
                shutil.copyfile(args.db + suffix, str(source) + suffix)
        db = open_store(str(source), create=False)
        features.refresh(db, config, rules)
        db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.close()
        firsts, rescores = [], []
        for n in range(args.rounds):
            copy = tmp / f"bench{n}.db"  # a new name: no -wal of an earlier copy beside it
            shutil.copyfile(source, copy)
            db = open_store(str(copy), create=False)
            t = time.perf_counter()
            first = run_shortlist(db, config, rules, "demo", now=FIXED_NOW, reuse=True)
            firsts.append(time.perf_counter() - t)
            t = time.perf_counter()
            rescored = run_shortlist(db, changed, rules, "demo", now=FIXED_NOW, reuse=True)
            rescores.append(time.perf_counter() - t)
            assert rescored.rescored_from == first.run_id, "the weights-only change judged again"
            print(f"first {firsts[-1]:.2f} s, weights/gates change {rescores[-1]:.3f} s: "
                  f"{rescores[-1] / firsts[-1]:.3f}x ({first.candidates:,} candidates)")
        rejudged = run_shortlist(db, changed, rules, "demo", now=FIXED_NOW)
        same = all(rows(db, rescored.run_id, what, table) == rows(db, rejudged.run_id, what, table)
                   for what, table in ((ENTRY, "shortlist_entries"), (VERDICT, verdicts_of_runs(db))))
        differs = rows(db, first.run_id, ENTRY, "shortlist_entries") != rows(db, rescored.run_id, ENTRY,
                                                                             "shortlist_entries")
        db.close()
        print(f"median: first {statistics.median(firsts):.2f} s, re-score {statistics.median(rescores):.3f} s, "
              f"ratio {statistics.median(r / f for r, f in zip(rescores, firsts)):.3f}x")
        print(f"re-scored run identical to a re-judge with the new settings: {'yes' if same else 'NO'}; "
              f"ranking differs from the first run: {'yes' if differs else 'NO'}")
        return 0 if same and differs else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
