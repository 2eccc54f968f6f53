"""CPU of comment_quality's batch form against its comment tally done in SQL (issue #12).

The rule reads every reply of a batch's candidates into Python, ordered by profile,
created_at and id, to count classes and the creator's own replies, find pod regulars and
pick the examples (the first replies not genuine, post by post in the order of each post's
first reply). This script times, over the "demo" campaign's batches of a store as a
shortlist forms them (the store opened read-only, the cyclic collector held off), what that
costs and what the same tally costs as SQL aggregates:

  rule           the rule's batch form itself (verdicts built, nothing written)
  read           its SELECT of the batch's replies, rows handed to Python
  read-in-sql    the same SELECT counted inside SQLite: its join and sort, no rows to Python
  counts         per candidate: replies, the creator's own, generic, spam, unclassified,
                 commented posts (COUNT DISTINCT): what needs no order
  creator-exact  per candidate: replies and the creator's own, the handle compared as the
                 rule does (lower(ltrim(handle, '@')) on both sides; exact for ASCII only)
  creator-nocase the same with COLLATE NOCASE, as the other probes compare it
  regulars       per candidate and author: comments and COUNT(DISTINCT post), HAVING >= 3
  post-firsts    per candidate and post: its first reply (MIN created_at), the order the
                 examples follow
  example-rows   the audience's replies that are not genuine, in order (the examples'
                 candidates)
  sql-sum        counts + regulars + post-firsts + example-rows: the SQL form's reads

The SQL probes compare the creator's handle with COLLATE NOCASE (no lower(), no ltrim()),
and order posts by MIN(created_at) alone (no tie on id, no NULL first), cheaper than the
exact forms, so they are a lower bound of what an exact SQL tally costs. Rounds alternate
the probes; every figure is printed.

    PYTHONPATH=. python benchmarks/comment_tally_sql.py --db /tmp/s17scale/store-10000.db --rounds 3
"""
from __future__ import annotations

import gc
import time
from collections import defaultdict
from datetime import datetime, timezone
from types import MappingProxyType

from store_args import store_parser

FIXED_NOW = datetime(2026, 11, 1, 12, 0, tzinfo=timezone.utc)

ROWS = ("SELECT c.profile_id, c.post_platform_id, c.author_id, c.author_handle, c.id, f.label, "
        "CASE WHEN f.label IS NULL THEN c.text END FROM comments c LEFT JOIN comment_features f "
        "ON f.comment_id = c.id AND f.version = ? WHERE c.profile_id IN ({marks}) "
        "ORDER BY c.profile_id, c.created_at, c.id")
FROM = ("FROM profiles p JOIN comments c ON c.profile_id = p.id LEFT JOIN comment_features f "
        "ON f.comment_id = c.id AND f.version = ? WHERE p.id IN ({marks}) ")
CREATOR = ("CASE WHEN (c.author_id <> '' AND c.author_id = p.platform_id) OR (c.author_handle <> '' "
           "AND c.author_handle = p.handle COLLATE NOCASE) THEN 1 ELSE 0 END")
EXACT = CREATOR.replace("c.author_handle = p.handle COLLATE NOCASE",
                        "lower(ltrim(c.author_handle, '@')) = lower(ltrim(p.handle, '@'))")
KEY = "coalesce(nullif(c.author_id, ''), nullif(c.author_handle, ''))"
PROBES = {
    "read": ROWS,
    "read-in-sql": f"SELECT count(*) FROM ({ROWS})",
    "counts": (f"SELECT p.id, count(*), sum({CREATOR}), sum(CASE WHEN {CREATOR} THEN 0 WHEN f.label = 'generic' "
               f"THEN 1 ELSE 0 END), sum(CASE WHEN {CREATOR} THEN 0 WHEN f.label = 'spam' THEN 1 ELSE 0 END), "
               f"sum(f.label IS NULL), count(DISTINCT c.post_platform_id) {FROM}GROUP BY p.id"),
    "creator-exact": f"SELECT p.id, count(*), sum({EXACT}) {FROM}GROUP BY p.id",
    "creator-nocase": f"SELECT p.id, count(*), sum({CREATOR}) {FROM}GROUP BY p.id",
    "regulars": (f"SELECT p.id, {KEY} k, count(*), count(DISTINCT c.post_platform_id) {FROM}"
                 f"AND k IS NOT NULL AND NOT {CREATOR} GROUP BY p.id, k HAVING count(*) >= 3"),
    "post-firsts": f"SELECT p.id, c.post_platform_id, min(c.created_at) {FROM}GROUP BY p.id, c.post_platform_id",
    "example-rows": (f"SELECT p.id, c.post_platform_id, c.id, c.created_at {FROM}"
                     f"AND f.label IS NOT 'genuine' AND NOT {CREATOR} ORDER BY p.id, c.created_at, c.id"),
}
SQL_FORM = ("counts", "regulars", "post-firsts", "example-rows")


def main() -> None:
    parser = store_parser(__doc__)
    parser.add_argument("--campaign", default="demo")
    parser.add_argument("--batch-size", type=int, default=500, help="candidates per batch (default 500)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    from microscout.config import load_config
    from microscout.engine.evaluate import Evaluator
    from microscout.engine.plugins import collect_rules, plugin_manager_for
    from microscout.engine.rules import Batch
    from microscout.heuristics.comment_features import settings_version
    from microscout.store import open_store
    from microscout.store.queries import iter_profile_batches, load_candidates

    config = load_config(args.config)
    evaluator = Evaluator(config, collect_rules(plugin_manager_for(config)), args.campaign, now=FIXED_NOW)
    db = open_store(args.db, readonly=True)
    batches = []  # (Batch, the rule, its options, the settings version of its classes)
    for rows in iter_profile_batches(db, platforms=evaluator.campaign.platforms, batch_size=args.batch_size):
        by_platform: dict[str, list[dict]] = {}
        for row in rows:
            by_platform.setdefault(row["platform"], []).append(row)
        for platform, platform_rows in by_platform.items():
            context, active = evaluator.setup(platform)
            profiles = load_candidates(db, platform_rows, needs=set())
            batch = Batch(db.conn, MappingProxyType({c.profile.id: c.profile for c in profiles}),
                          MappingProxyType({c.profile.id: c.fetched for c in profiles}))
            rule, options = next((r, o) for r, o in active if r.name == "comment_quality")
            batches.append((batch, rule, options, context, settings_version(options.comments)))
    candidates = sum(len(b.profiles) for b, *_ in batches)
    print(f"{candidates:,} candidates in {len(batches)} batches of up to {args.batch_size}; CPU (process_time):")
    spent: dict[str, list[float]] = defaultdict(list)
    gc.disable()
    try:
        for _ in range(args.rounds):
            for name in ("rule", *PROBES):
                started = time.process_time()
                for batch, rule, options, context, version in batches:
                    if name == "rule":
                        rule.evaluate_batch(batch, options, context)
                        continue
                    marks, ids = batch.in_ids()
                    list(db.conn.execute(PROBES[name].format(marks=marks), [version, *ids]))
                spent[name].append(time.process_time() - started)
    finally:
        gc.enable()
    db.close()
    spent["sql-sum"] = [sum(spent[n][i] for n in SQL_FORM) for i in range(args.rounds)]
    for name, figures in spent.items():
        print(f"  {name:14} " + ", ".join(f"{s:.2f}" for s in figures) + " s")


if __name__ == "__main__":
    main()
