"""The planted archetypes, each designed from the published numbers in DOMAIN.md.

None of these numbers comes from a rule's threshold: they describe how such accounts
behave in the sources (HypeAuditor, Favikon, Modash, GRIN, FTC), so that the rules are
judged against behaviour, not against themselves.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

# The demo campaign's niche, and the others that share the platform.
CAMPAIGN_NICHE = "vegan"
NICHES = ("vegan", "fitness", "tech", "travel")

# The archetype each rule is meant to catch (opted_out: must never be judged at all).
RULE_FOR = {
    "bought_followers": "audience_authenticity",
    "pods": "comment_quality",
    "ad_heavy": "ad_frequency",
    "undisclosed_ads": "disclosure",
    "weak_disclosure": "disclosure",
    "inconsistent": "posting_cadence",
    "off_niche": "niche_relevance",
    "celebrity": "tier_bounds",
    "automated": "automated",
}
# Other rules whose signal the archetype also carries, by design (DOMAIN.md): bought
# followers engage little and jump between snapshots; pods engage far above the
# benchmark; an audience shown an ad every other post tunes out sponsored posts.
ALSO_EXPECTED = {
    "bought_followers": ("engagement", "growth_spikes"),
    "pods": ("engagement",),
    "ad_heavy": ("sponsored_engagement",),
}
PLANTED = ("genuine_micro", *RULE_FOR, "opted_out")

# Out of every 100 consecutive profiles (shuffled per seed); the rest is background.
SLOTS = {
    "genuine_micro": 10,
    "bought_followers": 3, "pods": 3, "ad_heavy": 3, "undisclosed_ads": 3,
    "weak_disclosure": 3, "inconsistent": 3, "off_niche": 3, "opted_out": 3,
    "celebrity": 1,
}
# Archetypes added later take background slots after the shuffle, so that every earlier
# archetype keeps its profiles (and the tests and benchmarks written against them hold).
LATE_SLOTS = {"automated": 2}
BLOCK = 100


def slot_table(seed: int) -> list[str]:
    table = [name for name, n in SLOTS.items() for _ in range(n)]
    table += ["background"] * (BLOCK - len(table))
    random.Random(f"slots:{seed}").shuffle(table)
    background = [k for k, name in enumerate(table) if name == "background"]
    late = random.Random(f"late-slots:{seed}").sample(background, sum(LATE_SLOTS.values()))
    names = [name for name, n in LATE_SLOTS.items() for _ in range(n)]
    for k, name in zip(sorted(late), names):
        table[k] = name
    return table


def archetype_counts(size: int, seed: int) -> dict[str, int]:
    table = slot_table(seed)
    counts: dict[str, int] = {}
    for i in range(size):
        name = table[i % BLOCK]
        counts[name] = counts.get(name, 0) + 1
    return counts


def benchmark_er(followers: float) -> float:
    """Median engagement rate by audience size (HypeAuditor 2018, ~37K accounts).

    Below 1K the study has no bracket; nano audiences engage a little more again.
    """
    if followers < 1_000:
        return 0.08
    if followers < 5_000:
        return 0.0645
    if followers < 20_000:
        return 0.0376
    if followers < 100_000:
        return 0.0263
    if followers < 1_000_000:
        return 0.0257
    return 0.0256


@dataclass(frozen=True, slots=True)
class Spec:
    """How an archetype behaves; ranges are drawn uniformly per profile."""

    followers: tuple[float, float] | None  # log-uniform; None = background log-normal
    er_mult: tuple[float, float] = (0.8, 1.25)   # × benchmark_er of the real audience
    posts_per_week: tuple[float, float] = (2.0, 5.0)
    on_niche_share: float = 0.9          # share of posts in the profile's own niche
    sponsored_share: tuple[float, float] = (0.0, 0.1)  # properly labelled ads
    undisclosed_share: tuple[float, float] = (0.0, 0.0)
    weak_share: tuple[float, float] = (0.0, 0.0)
    suspicious_followers: tuple[float, float] = (0.03, 0.12)  # fake accounts among the followers
    dormant_followers: tuple[float, float] = (0.15, 0.30)    # real readers who never post
    generic_comments: tuple[float, float] = (0.1, 0.3)
    spam_comments: tuple[float, float] = (0.0, 0.0)          # self-promotion and scams
    bought_ratio: tuple[float, float] = (0.0, 0.0)   # bought / real followers at day 0
    jump: tuple[float, float] = (0.0, 0.0)           # extra bought, share of day-0 count
    bursty: bool = False
    niche: str | None = CAMPAIGN_NICHE   # None = background: any niche


MICRO = (1_500.0, 8_000.0)  # well inside micro (1K-10K) so tier never decides

SPECS: dict[str, Spec] = {
    # 3-5 posts a week (DOMAIN: consistency); ER around the tier median; one ad in 10+
    # (theinfluencerpost: one partnership per 8-10 organic posts), labelled.
    "genuine_micro": Spec(MICRO, er_mult=(0.9, 1.3), posts_per_week=(3.0, 5.0),
                          sponsored_share=(0.0, 0.1), suspicious_followers=(0.02, 0.08),
                          generic_comments=(0.05, 0.2)),
    # Bought followers: 2-4× the real audience, so ER is a quarter to a third of the
    # tier's; the newest followers (listed first) are mostly the bought ones; another
    # batch lands between day 0 and day 7 with no engagement to match.
    # Sized so that even after the jump the account stays inside micro (< 10K).
    "bought_followers": Spec((800.0, 1_500.0), er_mult=(0.9, 1.2), bought_ratio=(2.0, 3.5),
                             jump=(0.3, 0.4), suspicious_followers=(0.8, 0.95)),
    # Pods: engagement far above the benchmark, generic comments (50%+ is HypeAuditor's
    # alarm) from the same few members on every post; members are creators themselves,
    # so some plug their own channel ("sub to me", "check out my page").
    "pods": Spec(MICRO, er_mult=(2.0, 3.0), generic_comments=(0.75, 0.95), spam_comments=(0.05, 0.15)),
    # More than 30% sponsored is Favikon's red flag: these run 40-60%, all labelled.
    "ad_heavy": Spec(MICRO, sponsored_share=(0.4, 0.6)),
    # Commercial signals (codes, UTM/affiliate links, gifted) with no label at all; kept
    # under Favikon's 30% so that ad frequency is not what gives them away.
    "undisclosed_ads": Spec(MICRO, sponsored_share=(0.0, 0.0), undisclosed_share=(0.15, 0.25)),
    # Labels the FTC/ASA call inadequate: #sp, #spon, #collab, "thanks Brand", #ad past
    # the ~125-character fold, #ad buried in a block of hashtags.
    "weak_disclosure": Spec(MICRO, sponsored_share=(0.0, 0.0), weak_share=(0.15, 0.25)),
    # Under one post a week, with long silences.
    "inconsistent": Spec(MICRO, posts_per_week=(0.3, 0.8), bursty=True),
    # Another niche; the campaign's hashtags now and then, so discovery finds them.
    "off_niche": Spec(MICRO, on_niche_share=0.85, niche="other"),
    # Behaves like a good creator, but asked not to be indexed.
    "opted_out": Spec(MICRO, er_mult=(0.9, 1.3), posts_per_week=(3.0, 5.0)),
    # Mega tier (100K+ on the fediverse), celebrity engagement (1-2.6%).
    "celebrity": Spec((150_000.0, 1_500_000.0), er_mult=(0.6, 1.0), posts_per_week=(4.0, 7.0),
                      sponsored_share=(0.05, 0.15)),
    # Platform-flagged automated accounts (Mastodon `bot: true`, Bluesky's `bot` label): a
    # recipe feed that posts every day in the niche, with an ordinary audience. Nothing but
    # the flag gives them away; an automated account is no creator to brief (DOMAIN.md).
    "automated": Spec(MICRO, posts_per_week=(5.0, 9.0), sponsored_share=(0.0, 0.0)),
    # Everyone else: every tier, every niche, plausible and healthy behaviour; now and then
    # a scam or self-promotion comment, as every public account gets (1% are bots too).
    "background": Spec(None, er_mult=(0.75, 1.3), posts_per_week=(1.5, 5.0),
                       sponsored_share=(0.0, 0.1), spam_comments=(0.0, 0.04), niche=None),
}
# Platform-flagged bots among the background, and among any audience's followers.
BACKGROUND_BOTS = 0.01
FOLLOWER_BOTS = 0.02
