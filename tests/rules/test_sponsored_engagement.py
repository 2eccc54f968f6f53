import pytest
from pydantic import ValidationError

from microscout.rules.sponsored_engagement import Options
from tests.rules.conftest import make_candidate, make_post, registered_rule, run

AD = "#ad the new serum from @glowco, use code GLOW20"


def feed(ad_engagement, organic_engagement):
    posts = [make_post(days_ago=i, text=AD, likes=e, replies=0, reposts=0) for i, e in enumerate(ad_engagement)]
    return posts + [make_post(days_ago=20 + i, text="walk by the sea", likes=e, replies=0, reposts=0)
                    for i, e in enumerate(organic_engagement)]


def test_registered_with_documented_defaults():
    options = registered_rule("sponsored_engagement").options()
    assert (options.warn_below, options.fail_below, options.min_each) == (0.7, 0.4, 3)


@pytest.mark.parametrize("ads, organic, outcome", [
    ([100, 100, 100], [100, 100, 100], "pass"),
    ([70, 70, 70], [100, 100, 100], "pass"),     # exactly warn_below
    ([69, 69, 69], [100, 100, 100], "warn"),
    ([40, 40, 40], [100, 100, 100], "warn"),     # exactly fail_below
    ([39, 39, 39], [100, 100, 100], "fail"),
    ([10, 39, 500], [100, 90, 110, 5_000], "fail"),  # medians 39 vs 105: outliers do not count
])
def test_ratio_of_medians(ads, organic, outcome):
    verdict = run("sponsored_engagement", make_candidate(feed(ads, organic)))
    assert verdict.outcome == outcome
    ev = verdict.evidence
    assert ev["ratio"] == pytest.approx(ev["sponsored_median"] / ev["organic_median"], abs=1e-4)
    assert (ev["sponsored_posts"], ev["organic_posts"]) == (len(ads), len(organic))


@pytest.mark.parametrize("ads, organic", [([50, 50], [100] * 10), ([50] * 10, [100, 100]), ([50] * 3, [0] * 3)])
def test_unknown_with_too_few_of_either_or_no_organic_engagement(ads, organic):
    assert run("sponsored_engagement", make_candidate(feed(ads, organic))).outcome == "unknown"


def test_unknown_when_posts_not_fetched():
    assert run("sponsored_engagement", make_candidate([], fetched=("profile",))).outcome == "unknown"


def test_bad_options_are_rejected():
    with pytest.raises(ValidationError):
        Options.model_validate({"fail_below": 0.8, "warn_below": 0.7})


@pytest.mark.parametrize("ads, outcome", [([110] * 3, "fail"), ([130] * 3, "warn"), ([150] * 3, "pass")])
def test_a_bar_raised_above_organic_judges_instead_of_erroring(ads, outcome):
    # Options accept warn_below and fail_below over 1 (ads expected to do better than organic
    # posts): a ratio between 1 and the bar was a score over 1, refused by Verdict, so the
    # rule raised instead of judging.
    verdict = run("sponsored_engagement", make_candidate(feed(ads, [100] * 3)), fail_below=1.2, warn_below=1.4)
    assert verdict.outcome == outcome
    assert 0 <= verdict.score <= 1
