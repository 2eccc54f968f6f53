"""A post's engagements: the formula's counts summed, unknown when one of them is hidden."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from microscout.heuristics.posts import engagements, engagements_of
from microscout.models import Post

AT = datetime(2026, 10, 1, tzinfo=timezone.utc)


def post(likes=None, replies=None, reposts=None, views=None) -> Post:
    return Post(platform_id="p", created_at=AT, likes=likes, replies=replies, reposts=reposts, views=views)


@pytest.mark.parametrize("counts, formula, expected", [
    ((10, 2, 1, None), ("likes", "replies", "reposts"), 13),
    ((10, 2, None, None), ("likes", "replies", "reposts"), None),  # a hidden count is unknown, not 0
    ((0, 0, 0, None), ("likes", "replies", "reposts"), 0),
    ((10, None, None, None), ("likes",), 10),  # one count
    ((None, 3, None, None), ("likes",), None),
    ((5, 1, 1, 900), ("likes", "replies", "reposts", "views"), 907),
])
def test_engagements_sum_the_formula_and_a_hidden_count_is_unknown(counts, formula, expected):
    one = post(*counts)
    assert engagements(one, formula) == expected
    assert engagements(one, list(formula)) == expected  # any iterable names the formula


def test_engagements_of_gives_each_posts_engagements_in_order():
    posts = [post(10, 2, 1), post(None, 2, 1), post(0, 0, 0), post(7, 7, 7)]
    for formula in (("likes", "replies", "reposts"), ["likes"], ("replies",)):
        assert engagements_of(posts, formula) == [engagements(p, formula) for p in posts]
    assert engagements_of(posts) == [13, None, 0, 21]
    assert engagements_of([], ("likes",)) == []
