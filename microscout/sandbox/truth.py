"""The ground truth: what each generated profile really is. Never sent over the wire.

``platform_id`` is what a crawler should store: on Mastodon the acct ``user@host`` where
host is the fictional instance domain ``sandbox.example`` (``ids.LOCAL_DOMAIN``, also
``domain`` in /api/v2/instance), independent of the port; remote accounts keep their
own domain (``elsewhere.example``, ``bsky.brid.gy``). On Bluesky it is the DID.
A crawler that qualifies local accounts with the URL's host (``user@127.0.0.1:PORT``)
still matches: ``key_for`` normalises local accts by username.

Projected onto an API platform (``platform`` = youtube, instagram or tiktok; projection.py)
the truth is what that platform serves: its ids, its scaled followers judged by its own
tiers, and the expected rules it gives no data for moved to "not_judgeable".
"""
from __future__ import annotations

from functools import lru_cache
from typing import Iterator

from microscout.config import TIER_NAMES, Config
from microscout.sandbox import ids, projection
from microscout.sandbox.archetypes import ALSO_EXPECTED, CAMPAIGN_NICHE, RULE_FOR
from microscout.sandbox.population import Person, Population

RECENT_POSTS = 30
SECOND_DAY = 7  # the day of the second crawl the demo and `generate` simulate


@lru_cache(maxsize=None)
def _tiers(platform: str) -> dict:
    # The built-in defaults: the truth must not move when someone edits their config.
    return Config().platforms.get(platform).tiers


def tier_of(followers: int, platform: str) -> str:
    tiers = _tiers(platform)
    for name in TIER_NAMES:
        tier = tiers.get(name)
        if tier and tier.contains(followers):
            return name
    return "below"


def labels(pop: Population, p: Person, platform: str | None = None) -> dict:
    """Facts about the profile, and the rules that should flag it ("expected"), on its own
    platform or, with ``platform``, projected onto that API platform."""
    platform = platform or p.platform
    projected = platform in projection.WIRES
    posts = pop.visible_posts(p.i, SECOND_DAY)[:RECENT_POSTS]
    n = max(1, len(posts))
    kinds = [post.kind for post in posts]
    if projected:
        f0, f7 = projection.followers(platform, p, 0), projection.followers(platform, p, SECOND_DAY)
    else:
        f0, f7 = p.followers(0), p.followers(SECOND_DAY)
    tier0, tier7 = tier_of(f0, platform), tier_of(f7, platform)
    expected = set()
    if p.archetype in RULE_FOR:
        expected.add(RULE_FOR[p.archetype])
    expected.update(ALSO_EXPECTED.get(p.archetype, ()))
    if p.archetype == "opted_out":
        expected.add("opted_out")
    if p.bot:  # the automated archetype, and the background's own bots
        expected.add("automated")
    if "micro" not in (tier0, tier7) or tier0 != tier7:
        expected.add("tier_bounds")
    if p.niche != CAMPAIGN_NICHE:
        expected.add("niche_relevance")
    sponsored = sum(k != "organic" for k in kinds) / n
    if sponsored > 0.3:  # Favikon's red flag (DOMAIN), measured on what was generated
        expected.add("ad_frequency")
    if any(k in ("undisclosed", "weak") for k in kinds):
        expected.add("disclosure")
    no_data = projection.NO_DATA.get(platform, {})
    if p.opt_out and platform in projection.OPT_OUT_UNJUDGEABLE:
        no_data = {**no_data, "opted_out": projection.OPT_OUT_UNJUDGEABLE[platform]}
    not_judgeable = expected & set(no_data)
    expected -= not_judgeable
    return {
        "tier": tier0, "tier_day7": tier7, "niche": p.niche,
        "followers_day0": f0, "followers_day7": f7, "real_audience": p.real0,
        # engagements / followers as drawn: a projection scales both alike (scale.py)
        "engagement_rate": round(sum(x.likes + x.replies + x.reblogs + x.quotes for x in posts) / n
                                 / max(p.followers(SECOND_DAY), 1), 5),
        "posts_per_week": round(p.cadence, 2), "sponsored_share": round(sponsored, 3),
        "undisclosed_posts": kinds.count("undisclosed"), "weak_posts": kinds.count("weak"),
        # paid posts whose affiliate link is in their Bluesky link card alone, not in the words
        "card_only_links": [{"post": f"at://{p.did}/app.bsky.feed.post/{ids.tid(x.id)}", "link": x.card.uri}
                            for x in posts if x.card is not None and x.card.only and x.sponsored],
        "suspicious_follower_share": round(p.susp, 3), "dormant_follower_share": round(p.dormant, 3),
        "generic_comment_share": round(p.generic, 3), "spam_comment_share": round(p.spam, 3),
        "bot": p.bot, "opt_out": p.opt_out, "remote": p.remote, "bridged": p.bridged,
        "expected": sorted(expected), "not_judgeable": sorted(not_judgeable),
    }


def truth(size: int, seed: int, platform: str | None = None) -> Iterator[tuple[str, str, str, dict]]:
    """(platform, platform_id, archetype, labels) for every profile, in index order: on
    its own platform, or projected onto the API platform ``platform``."""
    pop = Population(size, seed)
    for p in pop:
        if platform in projection.WIRES:
            yield platform, projection.platform_id(platform, p), p.archetype, labels(pop, p, platform)
        else:
            yield p.platform, p.platform_id, p.archetype, labels(pop, p)


def key_for(platform: str, platform_id: str) -> tuple[str, str]:
    """A store key, normalised so that any spelling of a local acct matches the truth."""
    if platform == "mastodon" and "@" in platform_id:
        user, _, host = platform_id.lstrip("@").partition("@")
        if host not in ("elsewhere.example", "bsky.brid.gy"):
            return platform, user
        return platform, f"{user}@{host}"
    if platform == "mastodon":
        return platform, platform_id.lstrip("@")
    return platform, platform_id
