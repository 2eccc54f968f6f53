"""comment_quality on hand-made comment threads."""
from __future__ import annotations

import json

import pytest

from tests.rules.conftest import make_candidate, make_comment, make_posts, make_profile, run

GENUINE = "I tried this with oat milk instead and it worked really well"
GENERIC = "love this"
SPAM = "check out my channel"


def thread(texts_per_post, authors=None):
    """{post id: [comments]}; authors[i] names the author of every i-th comment on each post."""
    comments = {}
    for p, texts in enumerate(texts_per_post):
        comments[f"p{p}"] = [make_comment(post_id=f"p{p}", text=t,
                                          **({"author_id": authors[i], "author_handle": authors[i]}
                                             if authors else {}))
                             for i, t in enumerate(texts)]
    return comments


def candidate(comments, **kw):
    return make_candidate(make_posts(len(comments)), comments=comments, fetched=("profile", "posts", "comments"),
                          **kw)


@pytest.mark.parametrize("genuine, generic, spam, outcome", [
    (20, 0, 0, "pass"),
    (14, 6, 0, "pass"),      # 30%
    (13, 7, 0, "warn"),      # 35%
    (11, 5, 4, "warn"),      # 45%
    (10, 9, 1, "fail"),      # 50%: HypeAuditor's alarm
    (0, 10, 10, "fail"),
])
def test_outcome_by_generic_share(genuine, generic, spam, outcome):
    texts = [GENUINE] * genuine + [GENERIC] * generic + [SPAM] * spam
    verdict = run("comment_quality", candidate(thread([texts])))
    assert verdict.outcome == outcome
    share = (generic + spam) / len(texts)
    assert verdict.evidence["generic_or_spam_share"] == pytest.approx(share)
    assert verdict.evidence["counts"] == {"genuine": genuine, "generic": generic, "spam": spam}
    assert verdict.score == pytest.approx(1 - share)
    assert f"{share:.0%} of {len(texts)} audience comments" in verdict.reason


def test_creator_replies_are_counted_apart():
    profile = make_profile()
    comments = thread([[GENUINE] * 20])
    comments["p0"] += [make_comment(post_id="p0", author_id=profile.platform_id, author_handle="x", text="thanks!")
                       for _ in range(5)]
    comments["p0"] += [make_comment(post_id="p0", author_id="", author_handle="@Creator", text="thx")]
    verdict = run("comment_quality", candidate(comments, profile=profile))
    assert verdict.evidence["comments"] == 20 and verdict.evidence["creator_replies"] == 6
    assert verdict.outcome == "pass" and "the creator replied 6 times" in verdict.reason
    silent = run("comment_quality", candidate(thread([[GENUINE] * 20])))
    assert "the creator never replies" in silent.reason


def test_pods_the_same_commenters_on_most_posts():
    pod = ["pa", "pb", "pc"]
    # 5 posts; the same 3 accounts comment on every post, 2 others once each per post.
    posts = [[GENUINE] * 5 for _ in range(5)]
    comments = thread(posts, authors=pod + ["once1", "once2"])
    for p, cs in comments.items():  # make the occasional commenters different on each post
        cs[3].author_id = cs[3].author_handle = f"x{p}"
        cs[4].author_id = cs[4].author_handle = f"y{p}"
    verdict = run("comment_quality", candidate(comments))
    assert verdict.evidence["pod_regulars"] == pod
    assert verdict.evidence["pod_comment_share"] == pytest.approx(0.6)
    assert verdict.outcome == "warn" and "come from 3 commenters" in verdict.reason
    # Across fewer posts than pod_min_posts, loyal fans are not called a pod.
    few = run("comment_quality", candidate(comments), pod_min_posts=6)
    assert few.evidence["pod_comment_share"] is None and few.outcome == "pass"


def test_examples_name_comment_ids_and_matched_text():
    comments = thread([[GENUINE] * 15 + [SPAM] * 5])
    verdict = run("comment_quality", candidate(comments))
    example = verdict.evidence["examples"][0]
    assert example["id"] == comments["p0"][15].platform_id and example["matched"] == ["check out my", "my channel"]
    json.dumps(verdict.evidence)


def test_unknown_when_too_few_or_not_fetched():
    few = run("comment_quality", candidate(thread([[GENUINE] * 19])))
    assert few.outcome == "unknown" and "only 19 audience comments (at least 20 needed)" in few.reason
    not_fetched = run("comment_quality", make_candidate(make_posts(3)))
    assert not_fetched.outcome == "unknown" and "no comments were fetched" in not_fetched.reason


def test_options_must_be_ordered():
    from pydantic import ValidationError

    from microscout.rules.comment_quality import Options

    with pytest.raises(ValidationError, match="must not exceed"):
        Options(warn_generic_share=0.6)
