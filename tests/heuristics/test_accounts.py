"""The account classifier: each signal and class at its boundary, the audience estimate,
and the leave-one-data-set-out figures on the labeled data."""
from __future__ import annotations

import importlib.util

import pytest
from pydantic import ValidationError

from microscout.heuristics.accounts import (
    AccountFeatures,
    AccountScorecard,
    AccountThresholds,
    account_labeler,
    account_score,
    classify_account,
    contributions,
    fake_share,
)
from microscout.heuristics.measure import Scorecard, split_half, wilson_interval
from tests.conftest import REPO, SHARED

# An ordinary account: followed back, a picture, a bio, posts.
PLAIN = dict(handle="anna", followers=300, following=250, posts_count=40, has_avatar=True, bio_length=20)
# Round numbers, so the expected points can be worked out by hand.
SIMPLE = AccountScorecard(intercept=-3, ratio_weight=4, no_avatar_weight=2, no_bio_weight=1, digits_weight=5,
                          threshold=0)


def verdict(t=None, **kw):
    return classify_account(AccountFeatures(**{**PLAIN, **kw}), t)


def test_missing_is_unknown_and_adds_nothing():
    t = AccountScorecard()
    v = classify_account(AccountFeatures(), t)
    assert v.label == "real" and v.points == t.intercept and v.reasons == []
    assert contributions(AccountFeatures(), t) == []
    # followers known, following unknown: no ratio; an unknown avatar is not "no avatar".
    assert contributions(AccountFeatures(followers=5, has_avatar=None), t) == []


@pytest.mark.parametrize("kw, text, points", [
    (dict(followers=25, following=1937), "follows 1,937 but has 25 followers (77x)", 4),
    (dict(followers=10, following=100), "follows 100 but has 10 followers (10x)", 4),      # at the cut
    (dict(followers=10, following=99), None, 0),                                           # just under it
    (dict(followers=0, following=1), "follows 1 but has 0 followers (1.0x)", 4),
    (dict(followers=0, following=0), None, 0),                                             # follows nobody
    (dict(has_avatar=False), "no profile picture", 2),
    (dict(has_avatar=True), None, 0),
    (dict(bio_length=0), "empty bio", 1),
    (dict(bio_length=12), None, 0),
    (dict(handle="ab12"), "username is 50% digits", 2.5),
    (dict(username_digit_share=0.0), None, 0),
])
def test_each_signal_adds_its_points_only_when_present(kw, text, points):
    parts = dict((t, p) for p, t in contributions(AccountFeatures(**kw), SIMPLE))
    assert parts == ({text: pytest.approx(points)} if text else {})


def test_score_is_intercept_plus_contributions_and_threshold_is_inclusive():
    acc = AccountFeatures(**{**PLAIN, "has_avatar": False, "bio_length": 0, "followers": 10, "following": 900})
    score = account_score(acc)
    assert score == pytest.approx(AccountScorecard().intercept + sum(p for p, _ in contributions(acc)))
    assert classify_account(acc, AccountScorecard(threshold=score)).label == "suspicious"
    assert classify_account(acc, AccountScorecard(threshold=score + 1e-9)).label == "mass_follower" \
        if acc.following > 1500 else "real"


def test_default_scorecard_explains_a_typical_bought_follower():
    v = classify_account(AccountFeatures(handle="user83729", followers=25, following=1937, posts_count=3,
                                         has_avatar=False, bio_length=0))
    assert v.label == "suspicious"
    assert v.reasons == ["follows 1,937 but has 25 followers (77x) +3.6", "no profile picture +2.3",
                         "empty bio +1.1", "follows 1,937 accounts (over 1,500: mass follower)"]


@pytest.mark.parametrize("kw, label", [
    (dict(), "real"),
    (dict(followers=20, following=200), "suspicious"),                    # not followed back
    (dict(followers=21, following=200), "real"),                          # 9.5x: under the cut
    (dict(has_avatar=False), "suspicious"),                               # no picture alone
    (dict(bio_length=0), "real"),                                         # an empty bio alone is not enough
    (dict(handle="anna1987"), "real"),                                    # digits weigh 0 by default
    (dict(followers=2000, following=3000), "mass_follower"),
    (dict(followers=2000, following=1500), "real"),                       # at the mass bound, not over
    (dict(followers=10, following=3000), "suspicious"),                   # mass and not followed back
    # dormant: 0 posts, a modest following, a picture: a real reader
    (dict(posts_count=0, followers=3, following=955), "dormant"),
    (dict(posts_count=0, followers=3, following=1000), "dormant"),
    (dict(posts_count=0, followers=3, following=1001), "suspicious"),     # follows too many to be a reader
    (dict(posts_count=0, followers=3, following=900, has_avatar=False), "suspicious"),
    (dict(posts_count=1, followers=3, following=900), "suspicious"),      # posts, yet nobody follows back
    (dict(posts_count=0, followers=3, following=900, has_avatar=None), "dormant"),  # unknown picture
    (dict(posts_count=None, followers=3, following=900), "suspicious"),   # unknown posts: not dormant
    (dict(bot=True), "bot"),
    (dict(bot=True, has_avatar=False), "bot"),                            # the platform's flag first
    (dict(bot=False, has_avatar=False), "suspicious"),
])
def test_classes_at_their_boundaries(kw, label):
    assert verdict(**kw).label == label
    assert account_labeler()(AccountFeatures(**{**PLAIN, **kw})) == label


def test_dormant_and_bot_say_why_in_words():
    assert verdict(posts_count=0, followers=3, following=955).reasons == [
        "0 posts and follows 955 (at most 1,000) with a profile picture: a real reader who does not post"]
    assert verdict(bot=True).reasons == ["the platform flags it as an automated account"]


def test_scorecard_is_options_and_forbids_typos():
    assert AccountThresholds is AccountScorecard
    assert verdict(AccountScorecard(threshold=-100)).label == "suspicious"
    with pytest.raises(ValidationError):
        AccountScorecard(private_weight=3)
    for name, info in AccountScorecard.model_fields.items():
        assert info.description, name
        if name.endswith("_weight") and name != "digits_weight" or name in ("intercept", "threshold",
                                                                             "sensitivity", "specificity"):
            assert "calibrate_accounts.py" in info.description, name


def test_verdict_as_dict_rounds_the_score():
    assert verdict().as_dict()["points"] == round(verdict().points, 2)


def test_handle_of_a_fediverse_account_ignores_the_instance():
    from microscout.engine.candidate import Follower

    acc = AccountFeatures.from_follower(Follower(platform_id="1", handle="anna@m4.social", bot=True))
    assert acc.username_digits == 0 and acc.username_length == 4 and acc.bot is True


# --- the audience estimate ------------------------------------------------------------

def test_fake_share_corrects_for_the_measured_error_rates():
    t = AccountScorecard(sensitivity=0.8, specificity=0.9, sensitivity_n=10**9, specificity_n=10**9)
    # A perfect audience still shows 10% flagged (1 - specificity): corrected to 0.
    assert fake_share(10, 100, t).estimate == pytest.approx(0.0)
    # observed 0.45 = 0.8 p + 0.1 (1 - p) -> p = 0.5
    assert fake_share(45, 100, t).estimate == pytest.approx(0.5)
    # clipped to [0, 1]
    assert fake_share(0, 100, t).estimate == 0.0 and fake_share(100, 100, t).estimate == 1.0


def test_fake_share_interval_widens_with_the_rates_uncertainty():
    sure = AccountScorecard(sensitivity=0.8, specificity=0.9, sensitivity_n=10**9, specificity_n=10**9)
    unsure = AccountScorecard(sensitivity=0.8, specificity=0.9, sensitivity_n=50, specificity_n=50)
    a, b = fake_share(45, 100, sure), fake_share(45, 100, unsure)
    assert a.estimate == pytest.approx(b.estimate)
    assert a.low < a.estimate < a.high and b.high - b.low > a.high - a.low
    # with exact rates the interval is the Wilson interval of the observed share, mapped through the correction
    lo, hi = wilson_interval(45, 100)
    assert a.low == pytest.approx((lo - 0.1) / 0.7) and a.high == pytest.approx((hi - 0.1) / 0.7)


def test_fake_share_of_nothing_is_fully_uncertain():
    share = fake_share(0, 0)
    assert (share.low, share.high) == (0.0, 1.0)


@pytest.mark.parametrize("k, n, low, high", [(0, 10, 0.0, 0.2775), (5, 10, 0.2366, 0.7634), (30, 30, 0.8865, 1.0)])
def test_wilson_interval_known_values(k, n, low, high):
    lo, hi = wilson_interval(k, n)
    assert lo == pytest.approx(low, abs=1e-3) and hi == pytest.approx(high, abs=1e-3)


def test_scorecard_and_precision_at_a_lower_base_rate():
    card = Scorecard.of([(True, True)] * 8 + [(False, True)] * 2 + [(True, False)] * 1 + [(False, False)] * 9)
    assert (card.precision, card.recall, card.base_rate) == (8 / 9, 0.8, 0.5)
    # recall 0.8, false-positive rate 0.1: at 10% fakes, 0.08 / (0.08 + 0.09).
    assert card.precision_at(0.10) == pytest.approx(0.08 / 0.17)


def test_split_is_fixed_and_keeps_duplicates_together():
    row = {"userFollowerCount": 25, "isFake": 1}
    assert split_half(row) == split_half(dict(reversed(list(row.items()))))
    halves = {split_half({"n": i}) for i in range(20)}
    assert halves == {"calibration", "held-out"}


# --- the figures in docs/HEURISTICS.md, on data outside the repository -----------------

def _script():
    for folder in ("instafake", "instagram-fake-kaggle", "cresci-2015"):
        if not (SHARED / "data" / folder).is_dir():
            pytest.skip(f"../shared/data/{folder} not found under {SHARED} (the labeled data lives beside the repo)")
    path = REPO / "benchmarks" / "calibrate_accounts.py"
    spec = importlib.util.spec_from_file_location("calibrate_accounts", path)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    return script


@pytest.fixture(scope="module")
def labeled():
    script = _script()
    return script, {name: script.load(name) for name in script.SETS}


def test_calibration_script_reproduces_the_defaults(labeled):
    script, data = labeled
    final, defaults = script.calibrate(data), AccountScorecard()
    for name in ("intercept", "ratio_weight", "no_avatar_weight", "no_bio_weight", "threshold"):
        assert getattr(final, name) == pytest.approx(getattr(defaults, name)), name


# docs/HEURISTICS.md: each set scored by the model fitted on the other two.
LEAVE_ONE_OUT = {  # tp, fp, fn, tn; the baseline's
    "instafake": ((156, 21, 44, 973), (147, 10, 53, 984)),
    "kaggle": ((179, 2, 109, 286), (37, 0, 251, 288)),
    "cresci-2015": ((1820, 66, 130, 1884), (1899, 53, 51, 1897)),
}


def test_leave_one_data_set_out_figures(labeled):
    script, data = labeled
    loo = script.leave_one_out(data)
    for name, (detector, baseline) in LEAVE_ONE_OUT.items():
        _, got, base = loo[name]
        assert (got.tp, got.fp, got.fn, got.tn) == detector, name
        assert (base.tp, base.fp, base.fn, base.tn) == baseline, name
        # the target on sets it was not fitted on: precision >= 0.7 at a 10% base rate, recall >= 0.6
        assert got.precision_at(0.10) >= 0.7 and got.recall >= 0.6, (name, got.as_dict())
    # above the one-line rule's F1 on the Instagram sets; not on cresci-2015 (said so in HEURISTICS.md)
    assert loo["instafake"][1].f1 > loo["instafake"][2].f1 and loo["kaggle"][1].f1 > loo["kaggle"][2].f1
    assert loo["cresci-2015"][1].f1 < loo["cresci-2015"][2].f1


def test_measured_error_rates_are_the_defaults(labeled):
    """Each set weighs the same, and the rates' spread between sets is their uncertainty."""
    script, data = labeled
    held_out = [card for _, card, _ in script.leave_one_out(data).values()]
    t = AccountScorecard()
    rates = script.error_rates(held_out)
    assert (rates["sensitivity"], rates["specificity"]) == (t.sensitivity, t.specificity)
    assert (rates["sensitivity_n"], rates["specificity_n"]) == (t.sensitivity_n, t.specificity_n)
    sensitivities = [c.recall for c in held_out]
    assert t.sensitivity == pytest.approx(sum(sensitivities) / 3, abs=1e-4)
    # as uncertain as a handful of accounts: the sets' sensitivities are 62-93%
    assert t.sensitivity_n < 20 < t.specificity_n < sum(c.tn + c.fp for c in held_out)
