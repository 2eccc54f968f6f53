"""The engagement rule divided by views (TikTok's benchmarks are per view)."""
import pytest

from microscout.rules.engagement import PER_VIEW_PLATFORMS
from tests.rules.conftest import make_candidate, make_context, make_post, registered_rule, run

# 20,000 followers is "micro" on TikTok (5K-50K); with a 5% per-view benchmark and 10,000
# views a post, 500 engagements a post = 1.0× benchmark.
VIEW_BENCH = {"micro": 0.05}
TIKTOK = {"platform": "tiktok", "platform_id": "creator", "handle": "creator", "followers": 20_000}


def tiktok_posts(*engagements, views=10_000):
    return [make_post(days_ago=i, likes=e, replies=0, reposts=0, views=views) for i, e in enumerate(engagements)]


def run_tiktok(posts, **options):
    return run("engagement", make_candidate(posts, **TIKTOK), make_context(platform="tiktok"), **options)


def test_auto_is_per_view_on_tiktok_only_with_documented_defaults():
    defaults = registered_rule("engagement").options()
    assert defaults.per == "auto" and "tiktok" in PER_VIEW_PLATFORMS
    assert defaults.view_benchmarks == {"nano": 0.08, "micro": 0.065, "mid": 0.045, "macro": 0.03, "mega": 0.025}
    verdict = run_tiktok(tiktok_posts(650, 650, 650))
    assert verdict.evidence["per"] == "views" and verdict.evidence["benchmark"] == 0.065
    assert verdict.evidence["per_view_rate"] == pytest.approx(0.065)
    # the shortlist's metric is per follower everywhere: 650 of 20,000 followers (it was the per-view
    # rate, a tenth of TikTok's engagement beside the other platforms' and of what --budget expected)
    assert verdict.evidence["engagement_rate"] == pytest.approx(650 / 20_000)
    assert "/views" in verdict.reason
    # the same posts on Mastodon are judged per follower (5,000 followers: micro there)
    mastodon = run("engagement", make_candidate(tiktok_posts(650, 650, 650)))
    assert mastodon.evidence["per"] == "followers" and mastodon.evidence["engagement_rate"] == pytest.approx(0.13)


@pytest.mark.parametrize("per_post, outcome", [
    (149, "fail"),   # 0.298× the per-view benchmark, below fail_below 0.3
    (150, "warn"),   # exactly 0.3×
    (299, "warn"),   # just below warn_below 0.6
    (300, "pass"),   # exactly 0.6×
    (1500, "pass"),  # exactly warn_above 3×
    (1501, "warn"),  # above 3×
])
def test_per_view_rate_against_benchmark_boundaries(per_post, outcome):
    verdict = run_tiktok(tiktok_posts(*[per_post] * 5), view_benchmarks=VIEW_BENCH)
    assert verdict.outcome == outcome
    assert verdict.evidence["per_view_rate"] == pytest.approx(per_post / 10_000)
    assert verdict.evidence["engagement_rate"] == pytest.approx(per_post / 20_000)
    assert verdict.evidence["benchmark"] == 0.05 and verdict.evidence["tier"] == "micro"


def test_followers_can_be_chosen_on_tiktok():
    verdict = run_tiktok(tiktok_posts(500, 500, 500), per="followers", benchmarks={"micro": 0.025})
    assert verdict.evidence["per"] == "followers" and "per_view_rate" not in verdict.evidence
    assert verdict.evidence["engagement_rate"] == pytest.approx(500 / 20_000)
    assert verdict.outcome == "pass"


@pytest.mark.parametrize("views", [None, 0])
def test_posts_without_views_are_left_out(views):
    posts = tiktok_posts(500, 500, views=views) + tiktok_posts(500, 500)
    verdict = run_tiktok(posts, view_benchmarks=VIEW_BENCH)
    assert verdict.outcome == "unknown" and "views" in verdict.reason  # 2 < min_posts 3
    verdict = run_tiktok(posts, view_benchmarks=VIEW_BENCH, min_posts=2)
    assert verdict.outcome == "pass" and verdict.evidence["posts"] == 2


def test_per_view_still_needs_the_tier_from_followers():
    posts = tiktok_posts(500, 500, 500)
    verdict = run("engagement", make_candidate(posts, **{**TIKTOK, "followers": None}), make_context(platform="tiktok"))
    assert verdict.outcome == "unknown"


def test_view_benchmarks_are_validated():
    with pytest.raises(ValueError):
        registered_rule("engagement").options.model_validate({"view_benchmarks": {"huge": 0.1}})
    with pytest.raises(ValueError):
        registered_rule("engagement").options.model_validate({"view_benchmarks": {"micro": 5}})


def test_the_judged_per_view_rate_is_among_the_evidence_lines_shown():
    # explain, the xlsx Verdicts sheet and the HTML report show the first evidence lines: on
    # TikTok they read "engagement rate: 3.25%" (per follower) beside "per: views" and the
    # per-view benchmark, and the rate judged against it (per_view_rate, 6.50%) was cut to "+N more".
    from microscout.engine.evidence import evidence_lines

    verdict = run_tiktok(tiktok_posts(650, 650, 650))
    lines = evidence_lines(verdict.evidence)
    shown = " | ".join(lines)
    assert "per view rate: 6.50%" in shown, lines
    assert shown.index("per view rate") < shown.index("engagement rate"), lines
