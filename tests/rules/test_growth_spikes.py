import pytest

from microscout import Need
from tests.rules.conftest import make_candidate, make_post, make_snapshot, registered_rule, run


def snaps(*points, following=None):
    """(days_ago, followers) pairs, oldest first."""
    following = following or [None] * len(points)
    return [make_snapshot(days_ago=d, followers=f, following=g) for (d, f), g in zip(points, following)]


def around_spike(before, after, text="a post"):
    """Posts before day 10 ago (the spike's start) and after it, with given engagements."""
    posts = [make_post(days_ago=11 + i, likes=e, replies=0, reposts=0, text=text) for i, e in enumerate(before)]
    return [make_post(days_ago=1 + i, likes=e, replies=0, reposts=0) for i, e in enumerate(after)] + posts


def test_registered_needing_history():
    rule = registered_rule("growth_spikes")
    assert Need.HISTORY in rule.needs
    assert rule.options().unmatched_outcome == "fail"


@pytest.mark.parametrize("points, spike", [
    ([(10, 5_000), (9, 5_500)], True),    # +10% in a day: at both thresholds
    ([(10, 5_000), (9, 5_499)], False),   # just under min_jump
    ([(10, 5_000), (7, 5_750)], True),    # +15% over 3 days = 5%/day
    ([(10, 5_000), (6, 5_750)], False),   # +15% over 4 days = 3.75%/day
    ([(60, 5_000), (30, 6_000), (0, 7_000)], False),  # +20%/month is strong but not a spike
])
def test_spike_thresholds(points, spike):
    verdict = run("growth_spikes", make_candidate(around_spike([100] * 3, [100] * 3), snapshots=snaps(*points)))
    assert (len(verdict.evidence["spikes"]) == 1) is spike
    assert (verdict.outcome == "pass") is not spike


@pytest.mark.parametrize("before, after, outcome, status", [
    ([100, 100, 100], [100, 100, 100], "fail", "unmatched"),   # +50% followers, flat engagement
    ([100, 100, 100], [124, 124, 124], "fail", "unmatched"),   # +24% < half of +50%
    ([100, 100, 100], [125, 125, 125], "pass", "organic"),     # +25% = half of +50%
    ([100, 100], [], "warn", "unverified"),                    # nothing after to compare
])
def test_spike_judged_by_engagement_around_it(before, after, outcome, status):
    candidate = make_candidate(around_spike(before, after), snapshots=snaps((10, 4_000), (9, 6_000)))
    verdict = run("growth_spikes", candidate)
    assert verdict.outcome == outcome
    assert verdict.evidence["spikes"][0]["status"] == status
    if outcome == "fail":
        assert "50%" in verdict.reason and "4,000 → 6,000" in verdict.reason


def test_unmatched_spike_can_be_a_warning():
    candidate = make_candidate(around_spike([100] * 3, [100] * 3), snapshots=snaps((10, 4_000), (9, 6_000)))
    assert run("growth_spikes", candidate, unmatched_outcome="warn").outcome == "warn"


def test_giveaway_explains_a_spike_with_a_warning_not_a_fail():
    posts = around_spike([100] * 3, [100] * 3)
    giveaway = make_post(days_ago=12, text="GIVEAWAY! Follow me and tag a friend to win a bike")
    verdict = run("growth_spikes", make_candidate(posts + [giveaway], snapshots=snaps((10, 4_000), (9, 6_000))))
    assert verdict.outcome == "warn" and "giveaway" in verdict.reason
    assert verdict.evidence["spikes"][0]["giveaway_posts"] == [giveaway.platform_id]


def test_giveaway_long_before_the_spike_does_not_explain_it():
    posts = around_spike([100] * 3, [100] * 3) + [make_post(days_ago=30, text="giveaway time!")]
    verdict = run("growth_spikes", make_candidate(posts, snapshots=snaps((10, 4_000), (9, 6_000))))
    assert verdict.outcome == "fail"


@pytest.mark.parametrize("following, outcome", [
    ([300, 2_000, 300, 2_000], "warn"),   # up, down, up: two reversals
    ([300, 2_000, 300, 300], "pass"),     # one clean-up is not a tactic
    ([300, 320, 310, 330], "pass"),       # small swings are noise
])
def test_jagged_following_curve(following, outcome):
    points = [(30, 5_000), (20, 5_050), (10, 5_100), (0, 5_150)]
    verdict = run("growth_spikes", make_candidate([], snapshots=snaps(*points, following=following)))
    assert verdict.outcome == outcome
    if outcome == "warn":
        assert "follow/unfollow" in verdict.reason and verdict.evidence["following_reversals"] == 2


@pytest.mark.parametrize("snapshots", [[], snaps((5, 5_000)), snaps((5, 5_000), (1, None))])
def test_unknown_with_fewer_than_two_snapshots(snapshots):
    verdict = run("growth_spikes", make_candidate([], snapshots=snapshots))
    assert verdict.outcome == "unknown" and "at least 2" in verdict.reason


@pytest.mark.parametrize("apart, said", [
    (1, "(4,000 → 6,000, 50%/day over 24 h)"),
    (5 / 86_400, "(4,000 → 6,000, between two crawls 5 s apart)"),   # no "1,200%/day" from 5 seconds
    (0.25, "(4,000 → 6,000, between two crawls 6 h apart)"),
])
def test_a_jump_says_its_rate_per_day_only_over_a_day_or_more(apart, said):
    candidate = make_candidate(around_spike([100] * 3, [100] * 3), snapshots=snaps((10, 4_000), (10 - apart, 6_000)))
    verdict = run("growth_spikes", candidate)
    assert said in verdict.reason


def test_steady_growth_says_the_span_it_rests_on():
    verdict = run("growth_spikes", make_candidate(snapshots=snaps((10, 4_000), (3, 4_100))))
    assert verdict.reason == "steady growth over 2 snapshots spanning 7 days"
