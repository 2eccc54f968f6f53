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


def test_registered_with_fail_as_default_for_weak_labels():
    # ASA/CMA and FTC: #sp, #spon, #collab, "thanks @brand" alone are no disclosure.
    assert registered_rule("disclosure").options().weak_outcome == "fail"


@pytest.mark.parametrize("texts, outcome, status", [
    ((ORGANIC, ORGANIC), "pass", None),
    ((CLEAR, ORGANIC), "pass", "adequate"),
    ((UNDISCLOSED, ORGANIC), "fail", "missing"),
    ((WEAK, ORGANIC), "fail", "weak"),
    ((LATE, ORGANIC), "fail", "late"),
    ((BURIED, ORGANIC), "fail", "buried"),
    ((CLEAR, WEAK, UNDISCLOSED), "fail", "missing"),
    ((CLEAR, LATE), "fail", "late"),
])
def test_disclosure_outcomes(texts, outcome, status):
    # On Instagram, whose captions fold after 125 characters (a late label is seen by few).
    verdict = run("disclosure", make_candidate(posts(*texts), platform="instagram"))
    assert verdict.outcome == outcome
    if status is None:
        assert verdict.reason == "no sponsored posts in the last 30 posts"
    else:
        assert verdict.evidence["counts"][status] >= 1


def test_weakly_disclosed_ads_archetype_fails():
    # The sandbox archetype: ads labelled only #sp, or with #ad after the fold (on Instagram).
    verdict = run("disclosure", make_candidate(posts(WEAK, LATE, ORGANIC, WEAK), platform="instagram"))
    assert verdict.outcome == "fail"
    assert verdict.evidence["counts"] == {"adequate": 0, "weak": 2, "late": 1, "buried": 0, "missing": 0}
    assert "poorly labelled" in verdict.reason and '"#sp"' in verdict.reason


@pytest.mark.parametrize("text", ["Loving the new serum from @glowco, use code GLOW20 #spon",
                                  "#collab Loving the new serum, use code GLOW20",
                                  "thanks @glowco! Loving the new serum, use code GLOW20",
                                  "Partnered with @glowco for this one, use code GLOW20"])
def test_weak_labels_alone_fail_by_default(text):
    verdict = run("disclosure", make_candidate(posts(text, ORGANIC)))
    assert verdict.outcome == "fail" and verdict.evidence["counts"]["weak"] == 1


def test_weak_outcome_can_be_made_lenient():
    assert run("disclosure", make_candidate(posts(WEAK)), weak_outcome="warn").outcome == "warn"
    assert run("disclosure", make_candidate(posts(LATE), platform="instagram"), weak_outcome="warn").outcome == "warn"


@pytest.mark.parametrize("text", ["#ad Loving the new serum from @glowco, use code GLOW20",
                                  "Some links are affiliate links: https://amzn.to/3xYz9",
                                  "As an Amazon Associate I earn from qualifying purchases. https://amzn.to/3xYz9",
                                  "This video is sponsored by Glowco! Use code GLOW20"])
def test_plain_labels_pass(text):
    assert run("disclosure", make_candidate(posts(text, ORGANIC))).outcome == "pass"


def test_a_denial_is_no_label_and_is_quoted():
    ad = make_post(text="This is not sponsored by anyone! Grab it here: https://amzn.to/3xYz9")
    verdict = run("disclosure", make_candidate([ad, make_post(days_ago=1, text=ORGANIC)]))
    assert verdict.outcome == "fail" and verdict.evidence["counts"]["missing"] == 1
    [entry] = verdict.evidence["sponsored_posts"]
    assert entry["denials"] == ["not sponsored by"]
    assert 'affiliate link "https://amzn.to/3xYz9"' in verdict.reason
    assert '"not sponsored by" is a denial' in verdict.reason


def test_undisclosed_ad_evidence_quotes_signal_and_text():
    ad = make_post(text=UNDISCLOSED)
    verdict = run("disclosure", make_candidate([ad, make_post(days_ago=1, text=ORGANIC)]))
    assert ad.platform_id in verdict.reason and "use code GLOW20" in verdict.reason
    [entry] = verdict.evidence["sponsored_posts"]
    assert entry["id"] == ad.platform_id and entry["disclosure"] == "missing"
    assert ["discount_code", "use code GLOW20"] in entry["signals"]
    assert "undisclosed ad" in entry["problems"][0]


def test_late_label_reason_names_the_fold():
    verdict = run("disclosure", make_candidate(posts(LATE), platform="instagram"))
    assert "after the first 125" in verdict.reason
    assert run("disclosure", make_candidate(posts(LATE), platform="instagram"),
               sponsored={"fold_chars": 500}).outcome == "pass"
    assert run("disclosure", make_candidate(posts(LATE), platform="instagram")).outcome == "fail"


@pytest.mark.parametrize("platform, outcome", [("mastodon", "pass"), ("bluesky", "pass"), ("instagram", "fail"),
                                               ("tiktok", "fail"), ("youtube", "fail")])
def test_a_label_far_into_a_post_is_late_only_where_posts_fold(platform, outcome):
    # Mastodon and Bluesky show a post whole: "after the first 125 shown before 'more'" is
    # Instagram's fold, not theirs.
    verdict = run("disclosure", make_candidate(posts(LATE), platform=platform))
    assert verdict.outcome == outcome
    assert ("after the first 125" in verdict.reason) is (outcome == "fail")
    folded = run("disclosure", make_candidate(posts(LATE), platform="mastodon"), no_fold_platforms=[])
    assert folded.outcome == "fail"


def test_replies_are_not_judged():
    verdict = run("disclosure", make_candidate([make_post(text=UNDISCLOSED, is_reply=True), make_post(text=ORGANIC)]))
    assert verdict.outcome == "pass"


@pytest.mark.parametrize("candidate", [make_candidate([], fetched=("profile",)),
                                       make_candidate([make_post(text=UNDISCLOSED, is_reply=True)])])
def test_unknown_without_own_posts(candidate):
    assert run("disclosure", candidate).outcome == "unknown"


def test_a_pass_quotes_the_labels_it_rests_on_and_counts_in_words():
    one = run("disclosure", make_candidate([make_post(text="Loving this serum #ad use code GLOW20")]))
    assert one.outcome == "pass" and one.reason == "the 1 sponsored post is clearly labelled ('#ad')"
    two = run("disclosure", make_candidate([make_post(text="Loving this serum #ad use code GLOW20", days_ago=1),
                                            make_post(text="#sponsored my new shoes, use code RUN15", days_ago=2)]))
    assert two.reason == "all 2 sponsored posts are clearly labelled ('#ad', '#sponsored')"
