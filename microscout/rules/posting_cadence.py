"""Posting cadence: does the creator post regularly enough to carry a campaign?

Growth teams look for 3–5 posts a week over the last 30–60 days (shared/DOMAIN.md).
When the crawl fetched fewer posts than the profile has and all of them are recent, the
rate is taken over the span the fetched posts cover, not the whole window, so a capped
crawl does not make a prolific creator look idle.
"""
from __future__ import annotations

from datetime import timedelta
from operator import attrgetter, sub

from pydantic import BaseModel, ConfigDict, Field, model_validator

from microscout import Need, Rule, Verdict, hookimpl
from microscout.heuristics.posts import in_window, newest_own, posts_missing
from microscout.words import counted

DAY = 86_400.0
_created_at = attrgetter("created_at")


class Options(BaseModel):
    model_config = ConfigDict(extra="forbid")

    window_days: int = Field(60, ge=7, description="Days looked back. Default 60, the long end of DOMAIN.md's "
                                                   "'3–5 posts a week over the last 30–60 days'.")
    target_per_week: float = Field(3.0, gt=0, description="Posts a week at or above which cadence passes. "
                                                          "Default 3, the low end of DOMAIN.md's 3–5 a week.")
    fail_below_per_week: float = Field(1.0, ge=0, description="Posts a week below which cadence fails. "
                                       "Default 1: under one a week is an inconsistent poster.")
    max_gap_days: float = Field(14.0, gt=0, description="A longer silence between posts (or since the last one) "
                                "warns. Default 14: two weeks without a post breaks a weekly rhythm.")

    @model_validator(mode="after")
    def _ordered(self) -> "Options":
        if self.fail_below_per_week > self.target_per_week:
            raise ValueError(f"fail_below_per_week ({self.fail_below_per_week}) must not exceed "
                             f"target_per_week ({self.target_per_week})")
        return self


def _span_days(profile, fetched: list, options: Options, now) -> float:
    """Days the fetched posts can speak for (at most the window)."""
    start = now - timedelta(days=options.window_days)
    created = profile.created_at
    if created is not None and created > start:
        start = created
    fetched_all = profile.posts_count is None or len(fetched) >= profile.posts_count
    if not fetched_all and fetched:
        start = max(start, min(map(_created_at, fetched)))
    return max((now - start).total_seconds() / DAY, 1.0)


def evaluate(candidate, options: Options, context) -> Verdict:
    missing = posts_missing(candidate)
    if missing:
        return Verdict.unknown(missing)
    return judge(candidate.profile, candidate.posts, newest_own(candidate.posts), options, context.now)


def evaluate_batch(batch, options: Options, context) -> dict[int, Verdict]:
    from microscout.engine.batch_posts import judge_each

    return judge_each(batch, lambda i, posts: judge(batch.profiles[i], posts.all[i], posts.own[i], options,
                                                    context.now))


def judge(profile, fetched: list, own: list, options: Options, now) -> Verdict:
    """The verdict from every fetched post (replies too) and the own posts, newest first
    (Posts or PostRows)."""
    posts = in_window(own, window_days=options.window_days, now=now)
    span = _span_days(profile, fetched, options, now)
    per_week = len(posts) / span * 7
    times = [now, *map(_created_at, posts)]  # newest first; "now" counts the silence since the last post
    # The longest gap found among the timedeltas and converted once: days rise with the
    # timedelta, so it is the longest in days too (a conversion per gap was a third of the rule).
    longest = max(map(sub, times, times[1:])).total_seconds() / DAY if posts else span
    evidence = {"posts": len(posts), "window_days": options.window_days, "span_days": round(span, 1),
                "posts_per_week": round(per_week, 2), "longest_gap_days": round(longest, 1),
                "target_per_week": options.target_per_week}
    if posts:
        said = (f"{per_week:.1f} posts a week over {span:.0f} days ({counted(len(posts), 'post')}), longest gap "
                f"{counted(round(longest), 'day')}")
    else:  # the silence is since the last post, however long ago, not the window
        said = f"no posts in the last {span:.0f} days" + (
            f" (the last on {own[0].created_at:%Y-%m-%d})" if own else "")
    score = round(min(1.0, per_week / options.target_per_week), 4)
    if per_week < options.fail_below_per_week:
        return Verdict(outcome="fail", score=score, reason=f"{said}: posts too rarely to carry a campaign",
                       evidence=evidence)
    if per_week < options.target_per_week:
        return Verdict(outcome="warn", score=score,
                       reason=f"{said}: below the {options.target_per_week:g} a week target", evidence=evidence)
    if longest > options.max_gap_days:
        return Verdict(outcome="warn", score=round(score * 0.7, 4),
                       reason=f"{said}: a silence longer than {options.max_gap_days:g} days", evidence=evidence)
    return Verdict(outcome="pass", score=score, reason=said, evidence=evidence)


@hookimpl(trylast=True)
def register_rules(register):
    register(Rule(name="posting_cadence", summary="Posts regularly, about 3–5 times a week",
                  options=Options, needs=frozenset({Need.POSTS}), evaluate=evaluate,
                  evaluate_batch=evaluate_batch))
