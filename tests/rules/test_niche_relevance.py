import pytest
from pydantic import ValidationError

from microscout.rules.niche_relevance import Options
from tests.rules.conftest import make_candidate, make_context, make_post, registered_rule, run

CAMPAIGN = make_context(keywords=["vegan", "plant-based"], hashtags=["#VeganRecipes"])


def feed(matching: int, other: int, text="a vegan curry tonight"):
    return ([make_post(days_ago=i, text=text) for i in range(matching)]
            + [make_post(days_ago=matching + i, text="my cat asleep on the sofa") for i in range(other)])


def test_registered_with_documented_defaults():
    options = registered_rule("niche_relevance").options()
    assert (options.pass_share, options.fail_below, options.include_bio) == (0.5, 0.2, True)


@pytest.mark.parametrize("matching, other, outcome", [(5, 5, "pass"), (4, 6, "warn"), (2, 8, "warn"),
                                                       (1, 8, "fail"), (0, 10, "fail"), (10, 0, "pass")])
def test_share_boundaries(matching, other, outcome):
    verdict = run("niche_relevance", make_candidate(feed(matching, other)), CAMPAIGN, include_bio=False)
    assert verdict.outcome == outcome
    assert verdict.evidence["matched_posts"] == matching


@pytest.mark.parametrize("post, matches", [
    (make_post(text="VEGAN brunch"), True),
    (make_post(text="new #vegan bakery"), True),
    (make_post(text="my plant-based week"), True),
    (make_post(text="on veganism and philosophy"), False),   # whole words only
    (make_post(text="tonight: #VEGANRECIPES"), True),
    (make_post(text="dinner", hashtags=["veganrecipes"]), True),  # tag only in the platform's tag list
    (make_post(text="#recipes for all"), False),
])
def test_what_counts_as_a_match(post, matches):
    verdict = run("niche_relevance", make_candidate([post] * 3), CAMPAIGN, include_bio=False)
    assert (verdict.evidence["matched_posts"] == 3) is matches


def test_bio_counts_as_one_more_item():
    posts = feed(4, 5)  # 4 of 9 posts
    with_bio = run("niche_relevance", make_candidate(posts, bio="Vegan cook in Leeds"), CAMPAIGN)
    without = run("niche_relevance", make_candidate(posts, bio="Cook in Leeds"), CAMPAIGN)
    assert (with_bio.outcome, with_bio.evidence["share"], with_bio.evidence["bio_terms"]) == ("pass", 0.5, ["vegan"])
    assert (without.outcome, without.evidence["share"]) == ("warn", 0.4)


def test_evidence_counts_terms():
    posts = feed(2, 1) + [make_post(text="#VeganRecipes: plant-based vegan chili")]
    verdict = run("niche_relevance", make_candidate(posts), CAMPAIGN)
    assert verdict.evidence["terms"] == {"vegan": 3, "#veganrecipes": 1, "plant-based": 1}
    assert "3 of 4" in verdict.reason


@pytest.mark.parametrize("candidate, context, says", [
    (make_candidate(feed(5, 5)), make_context(), "names no keywords or hashtags"),
    (make_candidate([], fetched=("profile",)), CAMPAIGN, "not fetched"),
    (make_candidate(feed(2, 0)), CAMPAIGN, "only 2 own posts"),
])
def test_unknown_without_terms_or_posts(candidate, context, says):
    verdict = run("niche_relevance", candidate, context)
    assert verdict.outcome == "unknown" and says in verdict.reason


def test_a_pass_share_of_0_passes_everyone_instead_of_erroring():
    # pass_share = 0 (and fail_below = 0) is a valid config (a campaign that only wants the niche
    # shown, not judged); the score divided by it, so every creator was an error verdict
    # ("ZeroDivisionError: float division by zero") in the shortlist and its exports.
    verdict = run("niche_relevance", make_candidate(feed(0, 10)), CAMPAIGN, include_bio=False, pass_share=0,
                  fail_below=0)
    assert verdict.outcome == "pass" and 0 <= verdict.score <= 1


def test_bad_options_are_rejected():
    with pytest.raises(ValidationError):
        Options.model_validate({"fail_below": 0.6, "pass_share": 0.5})


def test_reason_is_the_same_in_every_process():
    """Term ties must not depend on Python's per-process string hashing."""
    import os
    import subprocess
    import sys

    script = (
        "from tests.rules.conftest import make_candidate, make_context, make_post, run\n"
        "posts = [make_post(text='vegan tofu lentils recipe') for i in range(4)]\n"
        "ctx = make_context(keywords=['vegan', 'tofu', 'lentils', 'recipe'])\n"
        "v = run('niche_relevance', make_candidate(posts=posts), ctx)\n"
        "print(v.reason, list(v.evidence['terms']))\n")
    outputs = {subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout for seed in range(6)}
    assert len(outputs) == 1, outputs
    assert "top: lentils, recipe, tofu" in outputs.pop()


@pytest.mark.parametrize("bio, said", [
    ("Cat person", "2 of 10 recent posts on the campaign's niche, the bio not (2 of 11 with the bio: 18%"),
    ("Vegan cook", "2 of 10 recent posts and the bio on the campaign's niche (3 of 11 with the bio: 27%"),
])
def test_the_reason_names_the_base_its_share_is_of(bio, said):
    # The bio is one more item: "2 of 10 … (18%)" alone would read as a wrong sum.
    verdict = run("niche_relevance", make_candidate(feed(2, 8), bio=bio), CAMPAIGN)
    assert said in verdict.reason
    bare = run("niche_relevance", make_candidate(feed(2, 8), bio=bio), CAMPAIGN, include_bio=False)
    assert "2 of 10 recent posts on the campaign's niche (20%; top:" in bare.reason
