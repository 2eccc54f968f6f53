"""Builders for hand-made candidates and rule contexts, shared by the rule tests.

Import them directly: ``from tests.rules.conftest import make_post, make_candidate, ...``.
Every builder takes keyword overrides of any field, so a test states only what matters.
"""
from __future__ import annotations

import functools
import itertools
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable

from microscout.config import Campaign, Platform, Platforms, Tier
from microscout.engine.candidate import Candidate, Comment, Follower, Post, Profile, Snapshot
from microscout.engine.plugins import collect_rules, make_plugin_manager
from microscout.engine.rules import Rule, RuleContext

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=timezone.utc)
_ids = itertools.count(1)


def make_profile(**kw: Any) -> Profile:
    fields = {"id": 1, "platform": "mastodon", "platform_id": "creator@example.social", "handle": "creator",
              "display_name": "Creator", "bio": "", "followers": 5_000, "following": 300, "posts_count": None,
              "created_at": NOW - timedelta(days=1_000)}
    return Profile(**{**fields, **kw})


def make_post(*, days_ago: float = 0, **kw: Any) -> Post:
    """A post ``days_ago`` before NOW with ordinary counts (100 likes, 10 replies, 5 reposts)."""
    fields = {"platform_id": f"p{next(_ids)}", "created_at": NOW - timedelta(days=days_ago), "text": "a post",
              "likes": 100, "replies": 10, "reposts": 5, "quotes": 0}
    return Post(**{**fields, **kw})


def make_posts(n: int, *, every_days: float = 1.0, start_days_ago: float = 0, **kw: Any) -> list[Post]:
    """``n`` posts, newest first, one every ``every_days`` days."""
    return [make_post(days_ago=start_days_ago + i * every_days, **kw) for i in range(n)]


def make_comment(**kw: Any) -> Comment:
    fields = {"platform_id": f"c{next(_ids)}", "post_id": "p1", "author_id": f"a{next(_ids)}",
              "author_handle": "someone", "text": "nice", "created_at": NOW}
    return Comment(**{**fields, **kw})


def make_follower(**kw: Any) -> Follower:
    fields = {"platform_id": f"f{next(_ids)}", "handle": "follower", "followers": 200, "following": 180,
              "posts_count": 50}
    return Follower(**{**fields, **kw})


def make_snapshot(*, days_ago: float, followers: int | None, **kw: Any) -> Snapshot:
    return Snapshot(observed_at=NOW - timedelta(days=days_ago), followers=followers, **kw)


def make_candidate(posts: Iterable[Post] = (), *, profile: Profile | None = None,
                   fetched: Iterable[str] = ("profile", "posts"), **kw: Any) -> Candidate:
    """A candidate; ``kw`` goes to make_profile unless it names a Candidate field."""
    candidate_fields = {k: kw.pop(k) for k in ("comments", "followers_sample", "snapshots") if k in kw}
    if "followers_sample" in candidate_fields:
        candidate_fields["followers"] = candidate_fields.pop("followers_sample")
    return Candidate(profile=profile or make_profile(**kw), posts=list(posts), fetched=frozenset(fetched),
                     **candidate_fields)


def make_context(*, platform: str = "mastodon", tiers: dict[str, tuple[int, int | None]] | None = None,
                 now: datetime = NOW, campaign_name: str = "test", **campaign: Any) -> RuleContext:
    """A RuleContext; ``campaign`` holds Campaign fields (target_tier, keywords, hashtags, ...)."""
    platform_model: Platform = Platforms().get(platform)
    if tiers is not None:
        platform_model = platform_model.model_copy(
            update={"tiers": {name: Tier(min=lo, max=hi) for name, (lo, hi) in tiers.items()}})
    return RuleContext(campaign_name, Campaign(**campaign), platform_model, now)


def registered_rule(name: str) -> Rule:
    """The rule as a fresh plugin manager (built-ins only) registers it."""
    rules = collect_rules(make_plugin_manager(None, entry_points=False))
    assert name in rules, f"rule {name} is not registered; registered: {sorted(rules)}"
    return rules[name]


@functools.cache
def _cached_rule(name: str) -> Rule:
    return registered_rule(name)


def run(name: str, candidate: Candidate, context: RuleContext | None = None, **options: Any):
    """Evaluate a registered rule with option overrides validated by its own model."""
    rule = _cached_rule(name)
    return rule.evaluate(candidate, rule.options.model_validate(options), context or make_context())
