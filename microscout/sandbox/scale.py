"""How much larger an audience is on the API platforms than in the fediverse population.

The population is drawn at fediverse scale (micro = 1K-10K followers). YouTube's and
Instagram's tiers are ten times that (micro 10K-100K), TikTok's five times (micro 5K-50K;
DOMAIN.md). The wires multiply followers and per-post engagement (likes, comment counts,
shares, and the views derived from them) by the platform's factor, so that a micro
creator stays micro there and its engagement rate (engagements / followers) stays what
it was drawn to be. Following counts, post counts and the comments and followers served
one by one are not scaled: they are lists, and the population holds only so many.
"""
from __future__ import annotations

AUDIENCE_SCALE = {"youtube": 10, "instagram": 10, "tiktok": 5}


class Scaled:
    """A platform's counts of the population: followers and per-post engagement times the
    platform's factor (the wires' followers(), likes(), comments(), shares())."""

    def __init__(self, platform: str):
        self.factor = AUDIENCE_SCALE[platform]

    def followers(self, p, day: int) -> int:
        return p.followers(day) * self.factor

    def likes(self, post) -> int:
        return post.likes * self.factor

    def comments(self, post) -> int:
        return post.replies * self.factor

    def shares(self, post) -> int:
        return post.reblogs * self.factor
