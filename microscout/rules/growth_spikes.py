"""Growth spikes: follower jumps that engagement does not follow, and follow/unfollow curves.

A jump between two snapshots is a spike when it is large both in total and per day. It is
judged by the posts around it: engagement that rose with it is organic growth; a giveaway
explains it (reported as a warning, never silently rejected, per shared/DOMAIN.md);
engagement that stayed flat fails (bought followers do not like posts); too few posts to
tell warns. Engagement counts are as crawled, so older posts may still be collecting:
the comparison is deliberately lenient (engagement_match).
"""
from __future__ import annotations

import re
from datetime import timedelta
from functools import lru_cache, partial
from statistics import median
from typing import Any, Callable, Literal

from pydantic import BaseModel, ConfigDict, Field

from microscout import Need, Rule, Verdict, hookimpl
from microscout.engine.rules import Outcome
from microscout.heuristics.posts import DEFAULT_FORMULA, Count, engagements_of, newest_own, platform_formula
from microscout.words import counted

DAY = 86_400.0


class Options(BaseModel):
    model_config = ConfigDict(extra="forbid")

    min_jump: float = Field(0.10, gt=0, description="Smallest follower rise between two snapshots, as a share "
                            "of the earlier count, that can be a spike. Default 0.10: below that, noise and "
                            "ordinary weeks.")
    spike_per_day: float = Field(0.05, gt=0, description="Smallest rise per day (share of followers) that is a "
                                 "spike. Default 0.05: healthy micro accounts grow a few percent a month, so 5% a "
                                 "day is bought or viral (DOMAIN.md: 'a jump between snapshots').")
    engagement_match: float = Field(0.5, ge=0, description="Engagement after a spike must rise by at least this "
                                    "share of the follower jump to count as matching. Default 0.5: lenient, "
                                    "because new followers engage less than old ones.")
    min_posts_each_side: int = Field(2, ge=1, description="Posts needed before and after a spike to compare "
                                     "engagement. Default 2; with fewer the spike warns as unverified.")
    unmatched_outcome: Literal["warn", "fail"] = Field("fail", description="Outcome of a spike with flat "
                                                       "engagement. Default fail: the first sign of bought "
                                                       "followers (DOMAIN.md).")
    giveaway_days: int = Field(7, ge=0, description="A giveaway post up to this many days before a spike (or "
                                                    "during it) explains the spike. Default 7: a giveaway "
                                                    "runs about a week.")
    giveaway_words: list[str] = Field(
        default_factory=lambda: ["giveaway", "give away", "giving away", "contest", "sweepstake", "raffle",
                                 "win a", "to win", "follow to win"],
        description="Words that mark a giveaway post (case-insensitive). Default: the usual giveaway wording.")
    following_swing: float = Field(0.10, gt=0, description="A change in the following count of at least this "
                                   "share is a swing. Default 0.10.")
    min_reversals: int = Field(2, ge=1, description="Swings that change direction this many times make a jagged "
                               "following curve (follow/unfollow). Default 2: up-down-up, once is a clean-up.")
    formula: list[Count] = Field(default_factory=lambda: list(DEFAULT_FORMULA), min_length=1,
                                 description="Counts added up per post. Default likes+replies+reposts, as the "
                                             "engagement rule.")


@lru_cache(maxsize=32)
def _giveaway_re(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(w) for w in words) or r"(?!)", re.IGNORECASE)


def _days(a, b) -> float:
    return max((b.observed_at - a.observed_at).total_seconds() / DAY, 1 / 24)


def _median_engagement(posts, formula) -> float | None:
    values = [e for e in engagements_of(posts, formula) if e is not None]
    return median(values) if values else None


def _judge_spike(a, b, jump, posts, text_of, options: Options, giveaway_re, platform: str) -> dict:
    spike = {"from": a.observed_at.isoformat(), "to": b.observed_at.isoformat(), "followers_from": a.followers,
             "followers_to": b.followers, "jump": round(jump, 4), "per_day": round(jump / _days(a, b), 4),
             "seconds": round((b.observed_at - a.observed_at).total_seconds())}
    since = a.observed_at - timedelta(days=options.giveaway_days)
    giveaways = [p.platform_id for p in posts
                 if since <= p.created_at <= b.observed_at and giveaway_re.search(text_of(p))]
    if giveaways:
        return {**spike, "status": "giveaway", "giveaway_posts": giveaways}
    before = [p for p in posts if p.created_at <= a.observed_at]
    after = [p for p in posts if p.created_at > a.observed_at]
    counts = platform_formula(options.formula, platform)
    eb, ea = _median_engagement(before, counts), _median_engagement(after, counts)
    too_few = min(len(before), len(after)) < options.min_posts_each_side
    if too_few or eb is None or ea is None:
        return {**spike, "status": "unverified", "posts_before": len(before), "posts_after": len(after)}
    rise = ea / eb - 1 if eb else float("inf") if ea else 0.0
    matched = round(rise, 9) >= round(jump * options.engagement_match, 9)
    return {**spike, "status": "organic" if matched else "unmatched", "engagement_before": eb,
            "engagement_after": ea, "engagement_rise": round(rise, 4) if rise != float("inf") else None}


def _reversals(snapshots, swing: float) -> tuple[int, list[int]]:
    series = [s.following for s in snapshots if s.following is not None]
    signs = []
    for prev, cur in zip(series, series[1:]):
        if prev > 0 and abs(cur - prev) / prev >= swing:
            signs.append(1 if cur > prev else -1)
    return sum(1 for x, y in zip(signs, signs[1:]) if x != y), series


def _describe(spike: dict) -> str:
    # A rate per day means something only over a day or more: two crawls minutes apart say
    # how far apart they were instead ("892%/day" from 5 seconds was the jump times 24).
    seconds = spike.get("seconds", DAY)
    rate = (f"{spike['per_day']:.0%}/day over {_span(seconds)}" if seconds >= DAY
            else f"between two crawls {_span(seconds)} apart")
    return (f"followers jumped {spike['jump']:.0%} ({spike['followers_from']:,} → {spike['followers_to']:,}, "
            f"{rate}) by {spike['to'][:10]}")


def _span(seconds: float) -> str:
    """A time span in the unit that reads best: 5 s, 40 min, 6 h, 3 days."""
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 2 * DAY:
        return f"{seconds / 3600:.0f} h"
    return f"{seconds / DAY:.0f} days"


def evaluate(candidate, options: Options, context) -> Verdict:
    return judge(candidate.snapshots, lambda: newest_own(candidate.posts), _text, candidate.profile.platform, options)


def _text(post) -> str:
    return post.text


def evaluate_batch(batch, options: Options, context) -> dict[int, Verdict]:
    from microscout.engine.batch_posts import batch_posts
    from microscout.models import Snapshot
    from microscout.store.queries import parse_timestamp

    marks, ids = batch.in_ids()
    snapshots: dict[int, list[Snapshot]] = {i: [] for i in ids}
    for pid, observed, followers, following, posts_count in batch.conn.execute(
            "SELECT profile_id, observed_at, followers, following, posts_count FROM profile_snapshots "
            f"WHERE profile_id IN ({marks}) ORDER BY profile_id, observed_at", ids):
        at = parse_timestamp(observed)
        if at is None:
            raise ValueError(f"unreadable snapshot time {observed!r}")
        snapshots[pid].append(Snapshot(observed_at=at, followers=followers, following=following,
                                       posts_count=posts_count))
    # Read even when no candidate has spikes: a post date the simple form cannot sort is an
    # error there, so it must make this form give way (batch_posts raises) all the same.
    posts = batch_posts(batch)
    return {i: judge(snapshots[i], partial(posts.own.__getitem__, i), partial(_batch_text, posts, i),
                     batch.profiles[i].platform, options) for i in ids}


def _batch_text(posts, profile_id: int, row) -> str:
    return posts.text_of(profile_id)(row)


def judge(all_snapshots: list, own: Callable[[], list], text_of: Callable[[Any], str], platform: str,
          options: Options) -> Verdict:
    """The verdict from the profile's snapshots and ``own()``: its own posts, newest first
    (Posts or PostRows), sorted only when there are snapshots to compare."""
    snapshots = sorted((s for s in all_snapshots if s.followers is not None), key=lambda s: s.observed_at)
    if len(snapshots) < 2:
        return Verdict.unknown(f"{counted(len(snapshots), 'follower snapshot')}; growth needs at least 2 crawls",
                               snapshots=len(snapshots))
    giveaway_re = _giveaway_re(tuple(options.giveaway_words))
    posts = own()
    spikes = []
    for a, b in zip(snapshots, snapshots[1:]):
        if a.followers > 0:
            jump = (b.followers - a.followers) / a.followers
            # Rounded so that a rise exactly at a threshold counts despite float error.
            if round(jump, 9) >= options.min_jump and round(jump / _days(a, b), 9) >= options.spike_per_day:
                spikes.append(_judge_spike(a, b, jump, posts, text_of, options, giveaway_re, platform))
    reversals, following = _reversals(sorted(all_snapshots, key=lambda s: s.observed_at),
                                      options.following_swing)
    evidence = {"snapshots": len(snapshots), "spikes": spikes, "following_reversals": reversals,
                "following": following}
    problems: list[tuple[str, str]] = []  # (outcome, reason)
    for spike in spikes:
        said = _describe(spike)
        if spike["status"] == "unmatched":
            problems.append((options.unmatched_outcome,
                             f"{said} with no matching engagement rise (median {spike['engagement_before']:g} → "
                             f"{spike['engagement_after']:g} per post)"))
        elif spike["status"] == "giveaway":
            problems.append(("warn", f"{said} around a giveaway (post {spike['giveaway_posts'][0]}): "
                                     f"reported, not rejected"))
        elif spike["status"] == "unverified":
            problems.append(("warn", f"{said}; too few posts around it to check engagement"))
    if reversals >= options.min_reversals:
        problems.append(("warn", f"following count swung up and down {reversals} times "
                                 f"({' → '.join(f'{n:,}' for n in following[:6])}): follow/unfollow tactics"))
    if not problems:
        organic = sum(1 for s in spikes if s["status"] == "organic")
        extra = f"; {organic} jump(s) matched by engagement" if organic else ""
        span = _span((snapshots[-1].observed_at - snapshots[0].observed_at).total_seconds())
        return Verdict(outcome="pass", score=1.0,
                       reason=f"steady growth over {len(snapshots)} snapshots spanning {span}{extra}",
                       evidence=evidence)
    outcome: Outcome = "fail" if any(o == "fail" for o, _ in problems) else "warn"
    problems.sort(key=lambda p: p[0] != "fail")
    more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
    return Verdict(outcome=outcome, score=0.1 if outcome == "fail" else 0.5, reason=problems[0][1] + more,
                   evidence=evidence)


@hookimpl(trylast=True)
def register_rules(register):
    register(Rule(name="growth_spikes", summary="Follower growth without sudden unexplained jumps",
                  options=Options, needs=frozenset({Need.HISTORY, Need.POSTS}), evaluate=evaluate,
                  evaluate_batch=evaluate_batch))
