import pytest
from pydantic import ValidationError

from microscout import Need
from microscout.rules.engagement import Options
from tests.rules.conftest import make_candidate, make_post, make_posts, registered_rule, run

# 5,000 followers is "micro" on Mastodon; with a 4% benchmark, 200 engagements a post = 1.0× benchmark.
BENCH = {"micro": 0.04}


def posts_with(*engagements, **kw):
    return [make_post(days_ago=i, likes=e, replies=0, reposts=0, **kw) for i, e in enumerate(engagements)]


def test_registered_with_documented_defaults():
    rule = registered_rule("engagement")
    assert Need.POSTS in rule.needs
    defaults = rule.options()
    assert defaults.formula == ["likes", "replies", "reposts"]
    assert (defaults.window_posts, defaults.statistic) == (12, "median")
    assert defaults.benchmarks["micro"] == 0.0386 and defaults.benchmarks["nano"] == 0.0645


@pytest.mark.parametrize("per_post, outcome", [
    (59, "fail"),    # 0.295× benchmark, below fail_below 0.3
    (60, "warn"),    # exactly 0.3×
    (119, "warn"),   # just below warn_below 0.6
    (120, "pass"),   # exactly 0.6×
    (600, "pass"),   # exactly warn_above 3×
    (601, "warn"),   # above 3×: pods or bought likes
])
def test_rate_against_benchmark_boundaries(per_post, outcome):
    verdict = run("engagement", make_candidate(posts_with(*[per_post] * 5)), benchmarks=BENCH)
    assert verdict.outcome == outcome
    assert verdict.evidence["engagement_rate"] == pytest.approx(per_post / 5_000)
    assert verdict.evidence["benchmark"] == 0.04
    assert 0 <= verdict.score <= 1


def test_evidence_and_reason_say_how_the_rate_was_measured():
    verdict = run("engagement", make_candidate(make_posts(15, likes=150, replies=40, reposts=10)))
    ev = verdict.evidence
    assert ev["engagement_rate"] == pytest.approx(200 / 5_000)
    assert (ev["formula"], ev["window"], ev["statistic"], ev["posts"]) == (
        "likes+replies+reposts", "last 12 posts", "median", 12)
    assert ev["benchmark"] == 0.0386 and ev["tier"] == "micro"
    assert "median" in verdict.reason and "likes+replies+reposts" in verdict.reason
    assert "last 12 posts" in verdict.reason and "4.00%" in verdict.reason


@pytest.mark.parametrize("statistic, outcome", [("median", "fail"), ("mean", "pass")])
def test_statistic_decides_whether_one_viral_post_counts(statistic, outcome):
    # Median 10 engagements (0.05×), mean 1,340/3 ≈ 447 (2.2×).
    verdict = run("engagement", make_candidate(posts_with(10, 10, 1_320)), benchmarks=BENCH,
                  statistic=statistic)
    assert verdict.outcome == outcome


@pytest.mark.parametrize("formula, rate", [(["likes"], 100 / 5_000), (["likes", "replies"], 150 / 5_000),
                                           (["likes", "replies", "reposts", "quotes"], 180 / 5_000)])
def test_formula_picks_the_counts(formula, rate):
    posts = make_posts(5, likes=100, replies=50, reposts=20, quotes=10)
    verdict = run("engagement", make_candidate(posts), formula=formula)
    assert verdict.evidence["engagement_rate"] == pytest.approx(rate)
    assert verdict.evidence["formula"] == "+".join(formula)


def test_window_posts_uses_only_the_most_recent():
    recent = posts_with(200, 200, 200)
    old = [make_post(days_ago=30 + i, likes=1, replies=0, reposts=0) for i in range(10)]
    verdict = run("engagement", make_candidate(old + recent), benchmarks=BENCH, window_posts=3)
    assert verdict.outcome == "pass" and verdict.evidence["posts"] == 3


def test_window_days_drops_old_posts():
    posts = posts_with(200, 200, 200) + [make_post(days_ago=40 + i, likes=1, replies=0, reposts=0) for i in range(5)]
    verdict = run("engagement", make_candidate(posts), benchmarks=BENCH, window_days=30)
    assert verdict.evidence["posts"] == 3 and verdict.evidence["window"] == "last 12 posts within the last 30 days"


def test_replies_and_hidden_counts_are_left_out():
    posts = posts_with(200, 200, 200) + posts_with(1, 1, 1, is_reply=True) + posts_with(None, None)
    verdict = run("engagement", make_candidate(posts), benchmarks=BENCH)
    assert verdict.evidence["posts"] == 3 and verdict.outcome == "pass"


@pytest.mark.parametrize("candidate, says", [
    (make_candidate([], fetched=("profile",)), "not fetched"),
    (make_candidate([], fetched=("profile", "posts")), "only 0 own posts"),
    (make_candidate(posts_with(200, 200)), "only 2 own posts"),
    (make_candidate(posts_with(200, 200, 200), followers=None), "hidden"),
    (make_candidate(posts_with(200, 200, 200), followers=50), "no engagement benchmark"),
])
def test_unknown_without_the_data(candidate, says):
    verdict = run("engagement", candidate, benchmarks=BENCH)
    assert verdict.outcome == "unknown" and says in verdict.reason


@pytest.mark.parametrize("bad", [{"benchmarks": {"huge": 0.1}}, {"benchmarks": {"micro": 3.86}},
                                 {"fail_below": 0.7, "warn_below": 0.6}, {"statistic": "mode"},
                                 {"formula": ["views"]}, {"window": 12}])
def test_bad_options_are_rejected(bad):
    with pytest.raises(ValidationError):
        Options.model_validate(bad)


@pytest.mark.parametrize("per_post, outcome", [
    (250, "fail"),   # 1.25× benchmark, under a raised fail_below of 1.5
    (320, "warn"),   # 1.6×, under a raised warn_below of 1.8
    (400, "pass"),   # 2.0×
])
def test_a_bar_raised_above_the_benchmark_judges_instead_of_erroring(per_post, outcome):
    # A brand that wants only creators well above their peers raises fail_below/warn_below
    # over 1 (config check accepts it): a creator at 1.25× then failed with a score of 1.25,
    # which Verdict refuses, so the rule was an error ("ValidationError: Verdict.score …") on
    # every creator between the benchmark and the bar, and a gate let them all through.
    verdict = run("engagement", make_candidate(posts_with(*[per_post] * 5)), benchmarks=BENCH,
                  fail_below=1.5, warn_below=1.8)
    assert verdict.outcome == outcome
    assert 0 <= verdict.score <= 1
    assert "bought followers" not in verdict.reason and "below peers" not in verdict.reason  # it is above them
