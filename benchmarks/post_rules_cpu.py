"""CPU of each built-in post rule's batch form over a store's candidates, as a shortlist runs them.

The seven rules that read posts (engagement, ad_frequency, sponsored_engagement,
posting_cadence, disclosure, growth_spikes, niche_relevance) judge the "demo" campaign's
candidates a batch at a time, in the order the engine runs them, with the cyclic collector
held off as the shortlist holds it off. The batch's posts are read by the first rule that
asks (engagement) and shared, so its figure holds that read; ad_frequency's holds the
reading of the stored sponsored analyses. No verdict is written; the store is opened
read-only. shortlist_speed.py checks the verdicts themselves.

Compare two codes with alternating runs, each with its own package first on PYTHONPATH:

    PYTHONPATH=/tmp/base python benchmarks/post_rules_cpu.py --db /tmp/scale/store-10000.db
    PYTHONPATH=.         python benchmarks/post_rules_cpu.py --db /tmp/scale/store-10000.db
"""
from __future__ import annotations

import gc
import time
from collections import defaultdict
from datetime import datetime, timezone
from types import MappingProxyType

from store_args import store_parser

POST_RULES = ("engagement", "ad_frequency", "sponsored_engagement", "posting_cadence", "disclosure",
              "growth_spikes", "niche_relevance")
FIXED_NOW = datetime(2026, 11, 1, 12, 0, tzinfo=timezone.utc)


def main() -> None:
    parser = store_parser(__doc__)
    parser.add_argument("--campaign", default="demo")
    parser.add_argument("--batch-size", type=int, default=500, help="candidates per batch (default 500)")
    args = parser.parse_args()

    from microscout.config import load_config
    from microscout.engine.evaluate import Evaluator
    from microscout.engine.plugins import collect_rules, plugin_manager_for
    from microscout.engine.rules import Batch
    from microscout.store import open_store
    from microscout.store.queries import iter_profile_batches, load_candidates

    config = load_config(args.config)
    evaluator = Evaluator(config, collect_rules(plugin_manager_for(config)), args.campaign, now=FIXED_NOW)
    db = open_store(args.db, readonly=True)
    spent: dict[str, float] = defaultdict(float)
    candidates = 0
    for rows in iter_profile_batches(db, platforms=evaluator.campaign.platforms, batch_size=args.batch_size):
        by_platform: dict[str, list[dict]] = {}
        for row in rows:
            by_platform.setdefault(row["platform"], []).append(row)
        for platform, platform_rows in by_platform.items():
            context, active = evaluator.setup(platform)
            profiles = load_candidates(db, platform_rows, needs=set())  # the profiles alone, as the engine loads them
            batch = Batch(db.conn, MappingProxyType({c.profile.id: c.profile for c in profiles}),
                          MappingProxyType({c.profile.id: c.fetched for c in profiles}))
            candidates += len(profiles)
            gc.disable()
            try:
                for rule, options in active:
                    if rule.name in POST_RULES and rule.evaluate_batch is not None:
                        started = time.process_time()
                        rule.evaluate_batch(batch, options, context)
                        spent[rule.name] += time.process_time() - started
            finally:
                batch.memo.clear()
                gc.enable()
    db.close()
    print(f"{candidates:,} candidates, batches of {args.batch_size}; CPU of each post rule's batch form:")
    for name in POST_RULES:
        print(f"  {name:22} {spent[name]:6.3f} s")
    print(f"  {'the seven':22} {sum(spent.values()):6.3f} s")


if __name__ == "__main__":
    main()
