"""The population as an API platform (YouTube, Instagram, TikTok) serves it, for the truth.

Every person is served on each API platform by that platform's wire module, whatever
platform it was drawn on, with ids derived from its index and audiences at the platform's
scale (scale.py). Scoring a shortlist of such a platform needs its ids mapped back to
people, its followers as served, and what the platform cannot show: a rule without data
there says unknown for everyone, so the archetype it is meant to catch is not judgeable
on that platform (rather than missed).
"""
from __future__ import annotations

from types import ModuleType

from microscout.sandbox import instagram_wire, tiktok_wire, youtube_wire
from microscout.sandbox.population import Person, Population

WIRES: dict[str, ModuleType] = {"youtube": youtube_wire, "instagram": instagram_wire, "tiktok": tiktok_wire}
PLATFORMS = tuple(WIRES)

_NO_BOT_FLAG = "the API flags no account as automated"
# Rule -> why it has no data on the platform (what the spider can fetch there).
NO_DATA: dict[str, dict[str, str]] = {
    "youtube": {"automated": _NO_BOT_FLAG,
                "audience_authenticity": "the API lists no subscribers"},
    "instagram": {"automated": _NO_BOT_FLAG,
                  "audience_authenticity": "the Graph API lists no followers",
                  "comment_quality": "the Graph API gives no comments on other accounts' media"},
    "tiktok": {"automated": _NO_BOT_FLAG,
               "audience_authenticity": "the Research API lists followers by name only, without the counts "
                                        "the follower classifier reads"},
}
# Why opting out cannot be checked there, where it cannot: YouTube has no opt-out signal,
# so the people who opted out on the fediverse are public channels on it. (Instagram serves
# them as personal accounts business_discovery cannot see, TikTok as private ones.)
OPT_OUT_UNJUDGEABLE = {"youtube": "YouTube has no opt-out signal: they are public channels there"}


def platform_id(platform: str, p: Person) -> str:
    return WIRES[platform].platform_id(p)


def index_of(platform: str, pop: Population, value: str) -> int | None:
    return WIRES[platform].index_of(pop, value)


def followers(platform: str, p: Person, day: int) -> int:
    return WIRES[platform].followers(p, day)
