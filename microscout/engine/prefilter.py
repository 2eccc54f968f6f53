"""Crawl-time prefilter: cheap, profile-only rules run before posts, replies and followers
are fetched, so requests are spent only on candidates that can still pass.

Only a gate excludes a candidate, so only a failing gate (one of the campaign's, or a rule
that gates every campaign) stops the fetching; a prefilter rule the campaign merely weighs
lowers a score and needs the candidate's data judged like any other's."""
from __future__ import annotations

from datetime import datetime, timezone

from microscout.config import Campaign, Config
from microscout.engine.evaluate import Evaluator, run_rule
from microscout.engine.rules import Rule
from microscout.models import Candidate, Profile

CRAWL_CAMPAIGN = "(crawl)"


class Prefilter:
    """Runs the enabled prefilter rules of a campaign (or of a bare crawl) on a profile."""

    def __init__(self, config: Config, rules: dict[str, Rule], campaign_name: str | None = None,
                 target_tiers: list[str] | None = None):
        if campaign_name is None:
            # A crawl without a campaign judges with the defaults and the tiers asked for:
            # the tiers are its one gate.
            campaign = Campaign(target_tier=target_tiers or ["micro"], gates=["tier_bounds"])
            config = config.model_copy(update={"campaigns": {**config.campaigns, CRAWL_CAMPAIGN: campaign}})
            campaign_name = CRAWL_CAMPAIGN
        prefilter_rules = {n: r for n, r in rules.items() if r.prefilter}
        self.evaluator = Evaluator(config, prefilter_rules, campaign_name, now=datetime.now(timezone.utc))
        self.gates = frozenset(self.evaluator.gates)
        self.enabled = config.crawl.prefilter

    def check(self, profile: Profile) -> str | None:
        """None when the candidate may go on; otherwise the reason it may not."""
        if not self.enabled:
            return None
        context, active = self.evaluator.setup(profile.platform)
        candidate = Candidate(profile=profile, fetched=frozenset({"profile"}))
        for rule, options in active:
            if rule.name not in self.gates:
                continue
            verdict = run_rule(rule, candidate, options, context)
            if verdict.outcome == "fail":
                return f"{rule.name}: {verdict.reason}"
        return None
