"""audience_authenticity on hand-made follower samples."""
from __future__ import annotations

import json

import pytest

from microscout.heuristics.accounts import fake_share
from tests.rules.conftest import make_candidate, make_follower, run


def real(n):
    return [make_follower(handle=f"reader{chr(97 + i % 26)}") for i in range(n)]


def fake(n):
    # no avatar, no bio, no posts, follows 40x its followers: suspicious by any reading.
    return [make_follower(handle=f"user{i:05d}", has_avatar=False, bio="", followers=10, following=400,
                          posts_count=0) for i in range(n)]


def mass(n):
    return [make_follower(handle="collector", followers=2_000, following=4_000, bio="hi there", posts_count=80)
            for _ in range(n)]


def candidate(sample, **kw):
    return make_candidate(followers_sample=sample, fetched=("profile", "followers"), **kw)


def bots(n):
    return [make_follower(handle=f"feedbot{i}", bot=True, posts_count=5000) for i in range(n)]


def dormant(n):
    # signed up, follows a few hundred, never posted, nobody follows back: a reader, not a fake
    return [make_follower(handle=f"quiet{chr(97 + i % 26)}", followers=3, following=300, posts_count=0, bio="")
            for i in range(n)]


EXACT = {"sensitivity": 0.9, "specificity": 0.95, "sensitivity_n": 10**9, "specificity_n": 10**9}


@pytest.mark.parametrize("sample, outcome, real_share", [
    # observed suspicious q; true fake share p = (q + 0.95 - 1) / 0.85
    (real(100), "pass", 1.0),
    (real(85) + fake(15), "pass", 1 - 0.10 / 0.85),          # 88.2%
    (real(78) + fake(22), "pass", 1 - 0.17 / 0.85),          # exactly 80%: GRIN's "good"
    (real(77) + fake(23), "warn", 1 - 0.18 / 0.85),          # 78.8%
    (real(74) + fake(26), "warn", 1 - 0.21 / 0.85),          # 75.3%: not below Modash's 75%
    (real(73) + fake(27), "fail", 1 - 0.22 / 0.85),          # 74.1%
    (real(70) + fake(30), "fail", 1 - 0.25 / 0.85),          # 70.6%
    (real(80) + mass(20), "pass", 1.0),                      # mass followers are reported, not counted as fake
    (real(70) + dormant(30), "pass", 1.0),                   # dormant readers are real
    (real(90) + bots(10), "pass", 0.90),                     # the platform's flag, taken as it is
    (fake(40), "fail", 0.0),
])
def test_outcome_by_estimated_real_share(sample, outcome, real_share):
    # fail_when = "estimate": the thresholds on the estimate alone (the default also asks the
    # interval, below).
    verdict = run("audience_authenticity", candidate(sample), accounts=EXACT, fail_when="estimate")
    assert verdict.outcome == outcome
    assert verdict.score == pytest.approx(real_share, abs=1e-4)
    assert verdict.evidence["real_share"] == pytest.approx(real_share, abs=1e-4)
    assert f"about {real_share:.0%} of the audience is real" in verdict.reason


def test_the_correction_is_in_the_reason_and_the_evidence():
    verdict = run("audience_authenticity", candidate(real(85) + fake(10) + bots(5)), accounts=EXACT)
    ev = verdict.evidence
    assert ev["counts"] == {"real": 85, "dormant": 0, "suspicious": 10, "mass_follower": 0, "bot": 5}
    assert ev["observed_suspicious_share"] == pytest.approx(10 / 95, abs=1e-4)
    assert ev["estimated_fake_share"] == pytest.approx((10 / 95 - 0.05) / 0.85, abs=1e-4)
    assert ev["bot_share"] == 0.05 and ev["classifier"] == {"sensitivity": 0.9, "specificity": 0.95}
    assert "10 of 95 sampled followers look fake (11%), corrected for the check's measured error to 7% fake" \
        in verdict.reason
    assert "plus 5 flagged automated" in verdict.reason


@pytest.mark.parametrize("sample, outcome, said", [
    # An estimate under 75% real whose interval reaches above it: a warning, not an exclusion.
    (real(70) + fake(30), "warn", "below 75% by the estimate, but the interval reaches"),
    # The whole interval under 75%: bought followers, beyond what the sample or the check's error explains.
    (real(45) + fake(55), "fail", "below 75%, often a sign of bought followers"),
    (fake(40), "fail", "below 75%, often a sign of bought followers"),
    (real(90) + fake(10), "pass", ": good"),
])
def test_an_exclusion_needs_the_whole_interval_below_the_threshold(sample, outcome, said):
    verdict = run("audience_authenticity", candidate(sample))
    low, high = verdict.evidence["real_share_ci95"]
    assert verdict.outcome == outcome and said in verdict.reason
    assert (high < 0.75) is (outcome == "fail")


def test_a_share_rounding_onto_a_threshold_it_is_below_shows_a_decimal():
    from microscout.rules.audience_authenticity import _share

    assert _share(0.7962, (0.75, 0.8, 0.9)) == "79.6%" and _share(0.7849, (0.75, 0.8, 0.9)) == "78%"
    assert _share(0.8, (0.75, 0.8, 0.9)) == "80%" and _share(0.7496, (0.75,)) == "75.0%"


def test_reason_gives_the_interval_and_evidence_names_examples():
    verdict = run("audience_authenticity", candidate(real(60) + fake(40)))
    low, high = verdict.evidence["real_share_ci95"]
    share = fake_share(40, 100)  # the default rates, with how much they differ between data sets
    assert (low, high) == (pytest.approx(1 - share.high, abs=1e-4), pytest.approx(1 - share.low, abs=1e-4))
    assert low < verdict.evidence["real_share"] < high
    assert f"95% CI {low:.0%}–{high:.0%}" in verdict.reason
    # the rates as uncertain as the sets they were measured on say: 62-93% of fakes found, so 40
    # flagged of 100 is 41-61% fake; were they known exactly, the sample alone would leave < 0.3
    exact = run("audience_authenticity", candidate(real(60) + fake(40)), accounts=EXACT)
    exact_low, exact_high = exact.evidence["real_share_ci95"]
    assert exact_high - exact_low < 0.3 < high - low
    assert verdict.evidence["counts"] == {"real": 60, "dormant": 0, "suspicious": 40, "mass_follower": 0, "bot": 0}
    example = verdict.evidence["examples"][0]
    assert example["handle"].startswith("user") and example["class"] == "suspicious"
    assert any(r.startswith("no profile picture +") for r in example["reasons"])
    assert example["reasons"][0].startswith("follows 400 but has 10 followers (40x) +")
    json.dumps(verdict.evidence)  # must be storable as JSON


@pytest.mark.parametrize("kw, fetched, says", [
    ({"collections_hidden": True}, ("profile", "followers"), "hides its followers"),
    ({}, ("profile",), "no follower sample was fetched"),
    ({}, ("profile", "followers"), "sample is empty"),
])
def test_unknown_without_a_sample_says_why(kw, fetched, says):
    verdict = run("audience_authenticity", make_candidate(followers_sample=[], fetched=fetched, **kw))
    assert verdict.outcome == "unknown" and says in verdict.reason


def test_unknown_below_the_minimum_sample():
    verdict = run("audience_authenticity", candidate(real(29)))
    assert verdict.outcome == "unknown" and "only 29 followers sampled (at least 30 needed)" in verdict.reason
    assert run("audience_authenticity", candidate(real(29)), min_sample=29).outcome == "pass"


def test_account_thresholds_are_nested_options():
    strict = run("audience_authenticity", candidate(real(100)), accounts={"threshold": -100})
    assert strict.outcome == "fail"  # a cut-off below any score makes every follower suspicious
    assert run("audience_authenticity", candidate(real(100))).outcome == "pass"


def test_options_must_be_ordered_and_forbid_typos():
    from pydantic import ValidationError

    from microscout.rules.audience_authenticity import Options

    with pytest.raises(ValidationError, match="fail_below_real"):
        Options(pass_from_real=0.5)
    with pytest.raises(ValidationError):
        Options(accounts={"treshold": 3})
