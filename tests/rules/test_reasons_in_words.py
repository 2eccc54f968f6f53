"""Counts in reasons read as a marketer writes them: "1 comment", "no comments", the last post's date."""
from microscout.words import counted
from tests.rules.conftest import NOW, make_candidate, make_comment, make_post, make_snapshot, run


def test_counted_at_its_boundaries():
    assert [counted(n, "post") for n in (0, 1, 2, 1500)] == ["0 posts", "1 post", "2 posts", "1,500 posts"]
    assert counted(0, "reply", "replies", zero="no replies") == "no replies"
    assert counted(1, "reply", "replies") == "1 reply" and counted(3, "reply", "replies") == "3 replies"


def test_too_few_audience_comments_in_words():
    none = run("comment_quality", make_candidate([make_post()], fetched=("profile", "posts", "comments")))
    assert none.reason.startswith("no audience comments (at least 20 needed)"), none.reason
    post = make_post()
    one = run("comment_quality", make_candidate([post], fetched=("profile", "posts", "comments"),
                                                comments={post.platform_id: [make_comment(
                                                    post_id=post.platform_id, author_handle="fan")]}))
    assert one.reason.startswith("only 1 audience comment (at least 20 needed)"), one.reason


def test_a_long_silence_names_the_last_post_not_the_window():
    # "0.0 posts a week over 60 days (0 posts), longest gap 60 days" for a creator silent 2.5 years
    verdict = run("posting_cadence", make_candidate([make_post(days_ago=900)]))
    last = (NOW.date().toordinal() - 900)
    from datetime import date

    assert f"no posts in the last 60 days (the last on {date.fromordinal(last):%Y-%m-%d})" in verdict.reason
    busy = run("posting_cadence", make_candidate([make_post(days_ago=d) for d in (0, 1)]))
    assert "(2 posts), longest gap 1 day" in busy.reason


def test_one_snapshot_and_one_sponsored_post_are_singular():
    growth = run("growth_spikes", make_candidate([], snapshots=[make_snapshot(days_ago=0, followers=100)]))
    assert growth.reason.startswith("1 follower snapshot; growth needs at least 2 crawls"), growth.reason
    ad = make_post(text="New serum from @glowco, use code GLOW20 for 20% off")
    disclosure = run("disclosure", make_candidate([ad] + [make_post(days_ago=i + 1) for i in range(5)]))
    assert disclosure.reason.startswith("1 of 1 sponsored post undisclosed"), disclosure.reason
