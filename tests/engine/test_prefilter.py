"""The crawl-time prefilter stops fetching only where a gate fails: a prefilter rule a
campaign merely weighs must not decide which creators get their posts fetched."""
from __future__ import annotations

import pytest

from microscout import Rule, hookimpl
from microscout.config import parse_config
from microscout.engine.plugins import collect_rules, make_plugin_manager
from microscout.engine.prefilter import Prefilter
from microscout.models import Profile
from tests.engine.helpers import FollowerOptions, _min_followers


class MinFollowers:
    @hookimpl
    def register_rules(self, register):
        register(Rule(name="min_followers", summary="Enough followers", options=FollowerOptions,
                      evaluate=_min_followers, prefilter=True))


@pytest.fixture(scope="module")
def rules():
    pm = make_plugin_manager(None, entry_points=False)
    pm.register(MinFollowers(), name="tests")
    return collect_rules(pm)


def profile(followers: int, *, bot: bool = False) -> Profile:
    return Profile(id=1, platform="mastodon", platform_id="a@x.social", handle="a@x.social",
                   followers=followers, following=100, posts_count=10, bot=bot)


def campaign(minimum: int = 500, **settings) -> dict:
    return {"campaigns": {"c": {"platforms": ["mastodon"], "target_tier": "micro", **settings}},
            "rules": {"min_followers": {"minimum": minimum}}}


@pytest.mark.parametrize("settings, followers, stopped_by", [
    # min_followers fails (100 < 500), but the campaign only weighs it: fetch on.
    ({"weights": {"min_followers": 1.0}}, 100, None),
    ({}, 100, None),
    # The same rule as a gate stops the fetching, naming itself.
    ({"gates": ["min_followers"]}, 100, "min_followers"),
    ({"gates": ["min_followers"]}, 600, None),
    # tier_bounds fails for 2,000,000 followers: only when the campaign gates on it.
    ({"gates": ["tier_bounds"]}, 2_000_000, "tier_bounds"),
    ({"weights": {"tier_bounds": 1.0}}, 2_000_000, None),
])
def test_only_a_failing_gate_stops_the_fetching(rules, settings, followers, stopped_by):
    reason = Prefilter(parse_config(campaign(**settings)), rules, "c").check(profile(followers))
    if stopped_by is None:
        assert reason is None
    else:
        assert reason is not None and reason.startswith(f"{stopped_by}: ")


def test_a_rule_that_gates_every_campaign_stops_it_without_being_named(rules):
    # automated is Rule.gate: a platform-flagged bot is excluded in every campaign.
    reason = Prefilter(parse_config(campaign()), rules, "c").check(profile(5000, bot=True))
    assert reason is not None and reason.startswith("automated: ")


@pytest.mark.parametrize("followers, tiers, stopped", [
    (5000, ["micro"], False),  # min_followers fails (under 1,000,000): a bare crawl gates on tiers alone
    (2_000_000, ["micro"], True),
    (2_000_000, ["mega"], False),
])
def test_a_crawl_without_a_campaign_gates_on_the_tiers_asked_for(rules, followers, tiers, stopped):
    reason = Prefilter(parse_config(campaign(minimum=1_000_000)), rules, None, tiers).check(profile(followers))
    assert (reason is not None and reason.startswith("tier_bounds: ")) if stopped else reason is None
