import pytest

from tests.rules.conftest import make_candidate, make_post, registered_rule, run

ORGANIC = "sunday walk by the sea"
CLEAR = "#ad Loving the new serum from @glowco, use code GLOW20 for 20% off"
UNDISCLOSED = "Loving the new serum from @glowco, use code GLOW20 for 20% off"
WEAK = "Loving the new serum from @glowco, use code GLOW20 #sp"
LATE = "Loving the new serum from @glowco, use code GLOW20. " + "It sinks in fast and smells of rain. " * 3 + "#ad"
BURIED = "Loving the new serum from @glowco! #skincare #glow #serum #ad #beauty #routine"


def posts(*texts):
    return [make_post(days_ago=i, text=t) for i, t in enumerate(texts)]


def test_registered_with_warn_as_default_for_weak_labels():
    assert registered_rule("disclosure").options().weak_outcome == "warn"


@pytest.mark.parametrize("texts, outcome, status", [
    ((ORGANIC, ORGANIC), "pass", None),
    ((CLEAR, ORGANIC), "pass", "adequate"),
    ((UNDISCLOSED, ORGANIC), "fail", "missing"),
    ((WEAK, ORGANIC), "warn", "weak"),
    ((LATE, ORGANIC), "warn", "late"),
    ((BURIED, ORGANIC), "warn", "buried"),
    ((CLEAR, WEAK, UNDISCLOSED), "fail", "missing"),
    ((CLEAR, LATE), "warn", "late"),
])
def test_disclosure_outcomes(texts, outcome, status):
    verdict = run("disclosure", make_candidate(posts(*texts)))
    assert verdict.outcome == outcome
    if status is None:
        assert verdict.reason == "no sponsored posts in the last 30 posts"
    else:
        assert verdict.evidence["counts"][status] >= 1


def test_weakly_disclosed_ads_archetype_never_passes():
    # The sandbox archetype: ads labelled only #sp, or with #ad after the fold.
    verdict = run("disclosure", make_candidate(posts(WEAK, LATE, ORGANIC, WEAK)))
    assert verdict.outcome == "warn"
    assert verdict.evidence["counts"] == {"adequate": 0, "weak": 2, "late": 1, "buried": 0, "missing": 0}


def test_weak_outcome_can_be_made_strict():
    assert run("disclosure", make_candidate(posts(WEAK)), weak_outcome="fail").outcome == "fail"


def test_undisclosed_ad_evidence_quotes_signal_and_text():
    ad = make_post(text=UNDISCLOSED)
    verdict = run("disclosure", make_candidate([ad, make_post(days_ago=1, text=ORGANIC)]))
    assert ad.platform_id in verdict.reason and "use code GLOW20" in verdict.reason
    [entry] = verdict.evidence["sponsored_posts"]
    assert entry["id"] == ad.platform_id and entry["disclosure"] == "missing"
    assert ["discount_code", "use code GLOW20"] in entry["signals"]
    assert "undisclosed ad" in entry["problems"][0]


def test_late_label_reason_names_the_fold():
    verdict = run("disclosure", make_candidate(posts(LATE)))
    assert "after the first 125" in verdict.reason
    assert run("disclosure", make_candidate(posts(LATE)), sponsored={"fold_chars": 500}).outcome == "pass"


def test_replies_are_not_judged():
    verdict = run("disclosure", make_candidate([make_post(text=UNDISCLOSED, is_reply=True), make_post(text=ORGANIC)]))
    assert verdict.outcome == "pass"


@pytest.mark.parametrize("candidate", [make_candidate([], fetched=("profile",)),
                                       make_candidate([make_post(text=UNDISCLOSED, is_reply=True)])])
def test_unknown_without_own_posts(candidate):
    assert run("disclosure", candidate).outcome == "unknown"
