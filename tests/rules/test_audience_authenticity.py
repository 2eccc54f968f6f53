"""audience_authenticity on hand-made follower samples."""
from __future__ import annotations

import json

import pytest

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


@pytest.mark.parametrize("sample, outcome, share", [
    (real(100), "pass", 1.0),
    (real(91) + fake(9), "pass", 0.91),
    (real(85) + fake(10) + mass(5), "pass", 0.85),
    (real(80) + fake(20), "pass", 0.80),          # 80% is GRIN's "good": pass from there
    (real(79) + fake(21), "warn", 0.79),
    (real(75) + mass(25), "warn", 0.75),          # exactly 75% is not below Modash's line
    (real(74) + fake(26), "fail", 0.74),
    (fake(40), "fail", 0.0),
])
def test_outcome_by_real_share(sample, outcome, share):
    verdict = run("audience_authenticity", candidate(sample))
    assert verdict.outcome == outcome
    assert verdict.score == pytest.approx(share)
    assert verdict.evidence["real_share"] == pytest.approx(share)
    assert f"{share:.0%} of {len(sample)} sampled followers look real" in verdict.reason


def test_reason_gives_the_interval_and_evidence_names_examples():
    verdict = run("audience_authenticity", candidate(real(60) + fake(40)))
    low, high = verdict.evidence["real_share_ci95"]
    assert low < 0.6 < high and high - low < 0.25
    assert f"95% CI {low:.0%}–{high:.0%}" in verdict.reason
    assert verdict.evidence["counts"] == {"real": 60, "suspicious": 40, "mass_follower": 0}
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
