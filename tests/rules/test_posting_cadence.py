from datetime import timedelta

import pytest
from pydantic import ValidationError

from microscout.rules.posting_cadence import Options
from tests.rules.conftest import NOW, make_candidate, make_posts, registered_rule, run


def evenly(n, days=70, start=0.5, **kw):
    return make_posts(n, every_days=days / max(n, 1), start_days_ago=start, **kw)


def test_registered_with_documented_defaults():
    options = registered_rule("posting_cadence").options()
    assert (options.window_days, options.target_per_week, options.fail_below_per_week) == (60, 3.0, 1.0)


# A 70-day window is exactly 10 weeks, so 30 posts = 3.0 a week.
@pytest.mark.parametrize("n, outcome", [(30, "pass"), (29, "warn"), (10, "warn"), (9, "fail"), (0, "fail")])
def test_posts_per_week_boundaries(n, outcome):
    verdict = run("posting_cadence", make_candidate(evenly(n)), window_days=70)
    assert verdict.outcome == outcome
    assert verdict.evidence["posts_per_week"] == pytest.approx(n / 10, abs=0.01)
    assert verdict.evidence["posts"] == n


def test_long_silence_warns_even_at_a_good_rate():
    posts = make_posts(30, every_days=1.5, start_days_ago=20)  # 30 posts in days 20..63.5, none since
    verdict = run("posting_cadence", make_candidate(posts), window_days=70)
    assert verdict.outcome == "warn" and "silence" in verdict.reason
    assert verdict.evidence["longest_gap_days"] == pytest.approx(20, abs=0.1)


def test_gap_between_posts_is_measured():
    posts = make_posts(20, every_days=1, start_days_ago=0.5) + make_posts(20, every_days=1, start_days_ago=40)
    verdict = run("posting_cadence", make_candidate(posts))
    assert verdict.evidence["longest_gap_days"] == pytest.approx(20.5, abs=0.1)
    assert verdict.outcome == "warn"


@pytest.mark.parametrize("posts_count, outcome", [(500, "pass"), (10, "warn")])
def test_capped_crawl_is_measured_over_the_span_it_covers(posts_count, outcome):
    # 10 posts in the last 10 days: prolific if the crawl stopped early, rare if that is all there is.
    verdict = run("posting_cadence", make_candidate(make_posts(10, start_days_ago=0.5), posts_count=posts_count))
    assert verdict.outcome == outcome


def test_young_account_is_measured_since_it_was_created():
    candidate = make_candidate(make_posts(6, every_days=2, start_days_ago=0.5), created_at=NOW - timedelta(days=14))
    verdict = run("posting_cadence", candidate)
    assert verdict.evidence["span_days"] == 14 and verdict.outcome == "pass"


def test_replies_do_not_count_and_old_posts_fall_outside():
    posts = evenly(30, is_reply=True) + make_posts(30, start_days_ago=80)
    assert run("posting_cadence", make_candidate(posts), window_days=70).evidence["posts"] == 0


def test_unknown_when_posts_not_fetched():
    assert run("posting_cadence", make_candidate([], fetched=("profile",))).outcome == "unknown"


def test_bad_options_are_rejected():
    with pytest.raises(ValidationError):
        Options.model_validate({"fail_below_per_week": 4, "target_per_week": 3})
