"""Budget-aware picks: fill a budget with the best expected engagement per dollar."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

from microscout.config import Tier


@dataclass
class Pick:
    entry: dict
    price: float
    expected_engagements: float


def estimate_price(followers: int, price_range: tuple[float, float], tier: Tier) -> float:
    """Price per post from the campaign's range, by where the creator sits in the tier (log scale)."""
    low, high = price_range
    top = tier.max or max(followers, tier.min * 10, 1)
    if followers <= tier.min or top <= max(tier.min, 1):
        return low
    position = (math.log(followers) - math.log(max(tier.min, 1))) / (math.log(top) - math.log(max(tier.min, 1)))
    return round(low + (high - low) * min(max(position, 0.0), 1.0), 2)


def fill_budget(entries: list[dict], budget: float, price_range: tuple[float, float],
                tier_for: Callable[[dict], Tier | None]) -> list[Pick]:
    """Greedy by expected engagements per dollar; creators without a known rate are skipped."""
    options = []
    for e in entries:
        rate, followers, tier = e.get("engagement_rate"), e.get("followers"), tier_for(e)
        if rate is None or not followers or tier is None:
            continue
        price = estimate_price(followers, price_range, tier)
        options.append(Pick(e, price, followers * rate))
    options.sort(key=lambda p: (-(p.expected_engagements / p.price if p.price else math.inf), p.entry["rank"]))
    picks, spent = [], 0.0
    for p in options:
        if spent + p.price <= budget:
            picks.append(p)
            spent += p.price
    return sorted(picks, key=lambda p: p.entry["rank"])
