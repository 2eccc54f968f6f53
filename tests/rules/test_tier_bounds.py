import pytest

from microscout import Need
from tests.rules.conftest import make_candidate, make_context, registered_rule, run


def test_registered_as_a_profile_only_prefilter():
    rule = registered_rule("tier_bounds")
    assert rule.prefilter and rule.needs == {Need.PROFILE}
    assert rule.options().model_dump() == {}


# Mastodon defaults: micro is 1,000 <= followers < 10,000.
@pytest.mark.parametrize("followers, target, outcome, tier", [
    (999, "micro", "fail", "nano"),
    (1_000, "micro", "pass", "micro"),
    (9_999, "micro", "pass", "micro"),
    (10_000, "micro", "fail", "mid"),
    (10_000, ["micro", "mid"], "pass", "mid"),
    (50, "micro", "fail", None),
    (150_000, "nano", "fail", "mega"),
])
def test_followers_against_target_tiers(followers, target, outcome, tier):
    verdict = run("tier_bounds", make_candidate(followers=followers), make_context(target_tier=target))
    assert verdict.outcome == outcome
    assert verdict.evidence["tier"] == tier
    assert verdict.evidence["followers"] == followers
    assert verdict.score == (1.0 if outcome == "pass" else 0.0)
    assert f"{followers:,}" in verdict.reason


def test_fail_reason_names_the_tier_and_the_wanted_bounds():
    verdict = run("tier_bounds", make_candidate(followers=20_000), make_context(target_tier="micro"))
    assert "mid (10,000–49,999)" in verdict.reason
    assert "micro (1,000–9,999)" in verdict.reason
    assert verdict.evidence["target"] == {"micro": [1_000, 10_000]}


def test_tiers_come_from_the_platform_config_not_constants():
    context = make_context(target_tier="micro", tiers={"nano": (10, 50), "micro": (50, 200), "mid": (200, None)})
    assert run("tier_bounds", make_candidate(followers=120), context).outcome == "pass"
    assert run("tier_bounds", make_candidate(followers=5_000), context).outcome == "fail"


def test_hidden_follower_count_is_unknown_not_pass():
    verdict = run("tier_bounds", make_candidate(followers=None), make_context())
    assert verdict.outcome == "unknown"
    assert "hidden" in verdict.reason
