"""Tier bounds: is the creator's audience the size the campaign is looking for?"""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from microscout import Need, Rule, Verdict, hookimpl


class Options(BaseModel):
    """No options: the bounds are the platform's [platforms.P.tiers] and the campaign's target_tier."""

    model_config = ConfigDict(extra="forbid")


def _bounds(tier) -> list[int | None]:
    return [tier.min, tier.max]


def _describe(name: str, tier) -> str:
    top = f"{tier.max - 1:,}" if tier.max is not None else "no limit"
    return f"{name} ({tier.min:,}–{top})"


def evaluate(candidate, options: Options, context) -> Verdict:
    followers = candidate.profile.followers
    targets = context.campaign.target_tiers
    tiers = context.platform.tiers
    target_bounds = {name: _bounds(tiers[name]) for name in targets if name in tiers}
    wanted = " or ".join(_describe(n, tiers[n]) for n in targets if n in tiers) or "none configured"
    if followers is None:
        return Verdict.unknown("follower count is hidden", followers=None, tier=None, target=target_bounds)
    tier = context.tier_of(followers)
    evidence = {"followers": followers, "tier": tier, "target": target_bounds}
    if tier in targets:
        return Verdict(outcome="pass", score=1.0,
                       reason=f"{followers:,} followers: {_describe(tier, tiers[tier])} as targeted",
                       evidence=evidence)
    where = _describe(tier, tiers[tier]) if tier else "below every tier"
    return Verdict(outcome="fail", score=0.0,
                   reason=f"{followers:,} followers is {where}; the campaign wants {wanted}",
                   evidence=evidence)


@hookimpl(trylast=True)
def register_rules(register):
    register(Rule(name="tier_bounds", summary="Follower count falls in the campaign's target tier",
                  options=Options, needs=frozenset({Need.PROFILE}), prefilter=True, evaluate=evaluate))
