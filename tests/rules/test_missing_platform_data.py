"""What a platform does not give is unknown, never a pass (issue #10): no bot flag outside the
fediverse, followers known by name only (TikTok), comments without an author (TikTok)."""
from __future__ import annotations

import pytest

from microscout.rules import audience_authenticity, automated, comment_quality
from microscout.testing import candidate, comment, evaluate, follower, post


@pytest.mark.parametrize("platform, bot, outcome", [
    ("mastodon", False, "pass"), ("bluesky", False, "pass"), ("mastodon", True, "fail"),
    ("youtube", False, "unknown"), ("instagram", False, "unknown"), ("tiktok", False, "unknown"),
    ("linkedin", False, "unknown"),
    ("tiktok", True, "fail"),  # an export's bot column still counts
])
def test_automated_is_unknown_where_the_platform_has_no_flag(platform, bot, outcome):
    verdict = evaluate(automated, "automated", candidate(platform=platform, bot=bot))
    assert verdict.outcome == outcome
    if outcome == "unknown":
        assert f"{platform} does not mark automated accounts" in verdict.reason


def test_followers_known_by_name_only_are_not_judged():
    names_only = [follower(followers=None, following=None, posts_count=None, has_avatar=True, bio="")
                  for _ in range(80)]
    verdict = evaluate(audience_authenticity, "audience_authenticity",
                       candidate(platform="tiktok", followers=names_only))
    assert verdict.outcome == "unknown"
    assert "80 sampled followers come without their counts" in verdict.reason
    assert verdict.evidence["undescribed"] == 80


def test_followers_with_counts_are_judged_and_the_others_left_out():
    fakes = [follower(followers=3, following=2_000, has_avatar=False, bio="") for _ in range(40)]
    nameless = [follower(followers=None, following=None, posts_count=None) for _ in range(40)]
    verdict = evaluate(audience_authenticity, "audience_authenticity", candidate(followers=fakes + nameless))
    assert verdict.outcome == "fail" and verdict.evidence["sample"] == 40


def _commented(n_posts: int, author_id: str, handle: str):
    posts = [post(platform_id=f"p{i}") for i in range(n_posts)]
    comments = {p.platform_id: [comment(post_id=p.platform_id, author_id=author_id, author_handle=handle,
                                        text=f"I tried this with lentils on day {i}, it worked well")
                                for i in range(6)] for p in posts}
    return posts, comments


def test_comments_without_authors_are_no_pod():
    posts, comments = _commented(6, "", "")
    verdict = evaluate(comment_quality, "comment_quality", candidate(platform="tiktok", posts=posts,
                                                                     comments=comments))
    assert verdict.outcome == "pass", verdict.reason
    assert verdict.evidence["pod_comment_share"] is None and "pods_unknown" in verdict.evidence


def test_one_author_on_every_post_is_still_a_pod():
    posts, comments = _commented(6, "a1", "regular")
    verdict = evaluate(comment_quality, "comment_quality", candidate(posts=posts, comments=comments))
    assert verdict.outcome == "warn" and verdict.evidence["pod_comment_share"] == 1.0
