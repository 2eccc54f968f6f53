import pytest
from pydantic import ValidationError

from microscout.rules.ad_frequency import Options
from tests.rules.conftest import make_candidate, make_post, registered_rule, run

AD = "New serum from @glowco, use code GLOW20 for 20% off #ad"


def feed(ads: int, organic: int, **kw):
    posts = [make_post(days_ago=i, text=AD, **kw) for i in range(ads)]
    return posts + [make_post(days_ago=ads + i, text="sunday walk by the sea", **kw) for i in range(organic)]


def test_registered_with_documented_defaults():
    options = registered_rule("ad_frequency").options()
    assert (options.healthy_share, options.max_share, options.window_posts) == (0.125, 0.30, 30)
    assert options.sponsored.fold_chars == 125


@pytest.mark.parametrize("ads, organic, outcome", [
    (0, 10, "pass"),
    (1, 7, "pass"),   # exactly one in eight
    (1, 6, "warn"),   # one in seven
    (3, 7, "warn"),   # exactly 30%
    (4, 9, "fail"),   # 30.8%
    (10, 0, "fail"),
])
def test_share_of_sponsored_posts(ads, organic, outcome):
    verdict = run("ad_frequency", make_candidate(feed(ads, organic)))
    assert verdict.outcome == outcome
    assert verdict.evidence["sponsored"] == ads and verdict.evidence["posts"] == ads + organic
    assert f"{ads} of {ads + organic}" in verdict.reason


@pytest.mark.parametrize("ads, organic, said", [
    (2, 12, "above the healthy 12%, at most 30% is tolerable"),  # 14%
    (4, 8, "more than 30%; about one post in 3 is an ad"),       # 33%: not "mostly ads" (a review)
    (5, 5, "more than 30%; half or more of them are ads"),
    (10, 0, "more than 30%; half or more of them are ads"),
])
def test_the_reason_says_the_share_in_words_that_hold(ads, organic, said):
    verdict = run("ad_frequency", make_candidate(feed(ads, organic)))
    assert said in verdict.reason and "mostly" not in verdict.reason


def test_evidence_lists_sponsored_posts_with_their_signals():
    posts = feed(1, 7)
    verdict = run("ad_frequency", make_candidate(posts))
    [entry] = verdict.evidence["sponsored_posts"]
    assert entry["id"] == posts[0].platform_id
    assert ["discount_code", "use code GLOW20"] in entry["signals"]
    assert ["label", "#ad"] in entry["signals"]


def test_weak_sponsorship_labels_count_and_are_the_evidence():
    posts = [make_post(text="Partnered with @glowco on this one")] + feed(0, 7)
    verdict = run("ad_frequency", make_candidate(posts))
    [entry] = verdict.evidence["sponsored_posts"]
    assert ["label", "Partnered with @glowco"] in entry["signals"]
    assert ["partnership", "Partnered with @glowco"] in entry["signals"]


def test_affiliate_and_shortened_links_count():
    posts = [make_post(text="Camera I use: https://bit.ly/cam"), make_post(days_ago=1, text="https://amzn.to/3xYz9"),
             make_post(days_ago=2, text="Subscribe: https://bit.ly/sub")] + feed(0, 5)
    verdict = run("ad_frequency", make_candidate(posts))
    assert verdict.evidence["sponsored"] == 2


def test_paid_flag_alone_counts_and_replies_do_not():
    posts = [make_post(text="lovely day", paid_flag=True)] + feed(0, 7)
    posts += [make_post(text=AD, is_reply=True) for _ in range(5)]
    verdict = run("ad_frequency", make_candidate(posts))
    assert verdict.evidence["sponsored"] == 1 and verdict.evidence["posts"] == 8 and verdict.outcome == "pass"


def test_window_takes_the_most_recent_posts():
    verdict = run("ad_frequency", make_candidate(feed(3, 20)), window_posts=5)
    assert verdict.evidence["posts"] == 5 and verdict.outcome == "fail"


@pytest.mark.parametrize("candidate, says", [
    (make_candidate([], fetched=("profile",)), "not fetched"),
    (make_candidate(feed(1, 3)), "only 4 own posts"),
])
def test_unknown_without_enough_posts(candidate, says):
    verdict = run("ad_frequency", candidate)
    assert verdict.outcome == "unknown" and says in verdict.reason


@pytest.mark.parametrize("bad", [{"healthy_share": 0.5, "max_share": 0.3}, {"max_share": 1.5},
                                 {"sponsored": {"fold": 100}}])
def test_bad_options_are_rejected(bad):
    with pytest.raises(ValidationError):
        Options.model_validate(bad)
