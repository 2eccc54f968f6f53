"""Build candidates from plain values and run a rule on them: the helpers a rule's tests need.

    from microscout.testing import candidate, post, evaluate
    import my_rules

    def test_few_posts_fail():
        verdict = evaluate(my_rules, "min_posts", candidate(posts=[post(), post()]), min_posts=3)
        assert verdict.outcome == "fail"

Every builder takes keyword overrides of any field of the engine's dataclass
(microscout.models: Profile, Post, Comment, Follower, Snapshot), so a test
states only what matters to it. Times are UTC; ``days_ago`` counts back from ``NOW``.
"""
from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType
from typing import Any, Iterable

from microscout.engine.rules import Rule, RuleContext, Verdict
from microscout.models import Candidate, Comment, Follower, Post, Profile, Snapshot

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)
_ids = itertools.count(1)

__all__ = ["NOW", "plugin_file", "profile", "post", "comment", "follower", "snapshot", "candidate", "context",
           "evaluate"]


def plugin_file(path: str | Path) -> ModuleType:
    """A plugins_dir file loaded as microscout loads it, for its tests: a plugin that imports
    a helper beside it (``from . import _helpers``) loads here as it does in plugins_dir."""
    from microscout.engine.plugins import import_plugin_file

    return import_plugin_file(Path(path).resolve())


def profile(**kw: Any) -> Profile:
    """A Mastodon micro creator (5,000 followers, following 300) unless told otherwise."""
    fields = {"id": next(_ids), "platform": "mastodon", "platform_id": "creator@example.social", "handle": "creator",
              "display_name": "Creator", "followers": 5_000, "following": 300, "posts_count": 200,
              "created_at": NOW - timedelta(days=1_000)}
    return Profile(**{**fields, **kw})


def post(*, days_ago: float = 0, **kw: Any) -> Post:
    """A post ``days_ago`` before NOW with ordinary counts (100 likes, 10 replies, 5 reposts)."""
    fields = {"platform_id": f"p{next(_ids)}", "created_at": NOW - timedelta(days=days_ago), "text": "a post",
              "likes": 100, "replies": 10, "reposts": 5, "quotes": 0}
    return Post(**{**fields, **kw})


def comment(**kw: Any) -> Comment:
    """A reply by someone else to post ``p1``."""
    fields = {"platform_id": f"c{next(_ids)}", "post_id": "p1", "author_id": f"a{next(_ids)}",
              "author_handle": "someone", "text": "what a good idea", "created_at": NOW}
    return Comment(**{**fields, **kw})


def follower(**kw: Any) -> Follower:
    """An ordinary follower: 200 followers, following 180, 50 posts, a picture."""
    fields = {"platform_id": f"f{next(_ids)}", "handle": "reader", "followers": 200, "following": 180,
              "posts_count": 50}
    return Follower(**{**fields, **kw})


def snapshot(*, days_ago: float, followers: int | None, **kw: Any) -> Snapshot:
    return Snapshot(observed_at=NOW - timedelta(days=days_ago), followers=followers, **kw)


def candidate(*, posts: Iterable[Post] = (), comments: dict[str, list[Comment]] | None = None,
              followers: Iterable[Follower] | int | None = None, snapshots: Iterable[Snapshot] = (),
              fetched: Iterable[str] | None = None, **profile_fields: Any) -> Candidate:
    """A candidate whose ``fetched`` says which data the crawl fetched: by default the kinds
    given here (so a rule can tell "none" from "not fetched"), always the profile.
    ``followers`` is the follower sample (a list of follower(...)); an int there is the
    profile's follower count, as Profile's own field of that name."""
    if isinstance(followers, int):  # a bool too: neither is a sample
        profile_fields["followers"], followers = followers, None
    posts = list(posts)
    if fetched is None:
        fetched = {"profile"} | ({"posts"} if posts else set()) | ({"comments"} if comments is not None else set()) \
            | ({"followers"} if followers is not None else set())
    return Candidate(profile=profile(**profile_fields), posts=posts, comments=dict(comments or {}),
                     followers=list(followers or []), snapshots=list(snapshots), fetched=frozenset(fetched))


def context(*, platform: str = "mastodon", now: datetime = NOW, campaign_name: str = "test",
            **campaign: Any) -> RuleContext:
    """The context a rule sees: ``campaign`` holds Campaign fields (target_tier, keywords, ...)."""
    from microscout.config import Campaign, Platforms

    return RuleContext(campaign_name, Campaign(**campaign), Platforms().get(platform), now)


def evaluate(plugin: ModuleType | object | Rule, rule: str | Candidate, cand: Candidate | None = None,
             ctx: RuleContext | None = None, **options: Any) -> Verdict:
    """Register ``plugin`` (a module or object with hooks) in a fresh plugin manager, as
    microscout would, and run its rule ``rule`` on ``cand`` with ``options`` validated by
    the rule's own model. ``evaluate(a_rule, cand, **options)`` runs a Rule directly."""
    if isinstance(plugin, Rule):
        if isinstance(rule, str):
            raise TypeError(f"evaluate(rule_object, candidate, ...): the second argument is the candidate, "
                            f"not a rule name ({rule!r})")
        found, cand = plugin, rule  # evaluate(rule_object, candidate, ...)
    else:
        from microscout.engine.plugins import collect_rules, make_plugin_manager

        pm = make_plugin_manager(None, entry_points=False, defaults=False)
        pm.register(plugin)
        rules = collect_rules(pm)
        if rule not in rules:
            raise KeyError(f"the plugin registers no rule {rule!r}; it registers: {', '.join(rules) or 'none'}")
        found = rules[rule]
    if cand is None:
        raise TypeError("evaluate(plugin, rule_name, candidate, ...): no candidate given")
    from microscout.engine.evaluate import seen_by, verdict_problem

    verdict = found.evaluate(seen_by(found.needs, cand), found.options.model_validate(options), ctx or context())
    problem = verdict_problem(found, verdict)
    if problem:  # what a shortlist would record as this rule's error
        raise TypeError(f"rule {found.name} {problem}")
    return verdict
