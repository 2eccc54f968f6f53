"""Engagement rate against the benchmark of the creator's tier.

Far below the benchmark is the first sign of bought followers; far above it is the sign
of pods or bought likes (shared/DOMAIN.md). There is no standard formula, so formula,
window, statistic and the denominator (followers, or views where the platform counts them:
TikTok's benchmarks are per view) are options and every reason says which were used.
"""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from microscout import Need, Rule, Verdict, hookimpl
from microscout.config import TIER_NAMES
from microscout.heuristics.posts import (
    DEFAULT_FORMULA,
    Count,
    engagements_of,
    in_window,
    newest_own,
    platform_formula,
    posts_missing,
    summarise,
    window_label,
)

# Platforms whose engagement benchmarks are per view (per = "auto" divides by views there).
PER_VIEW_PLATFORMS = frozenset({"tiktok"})


class Options(BaseModel):
    model_config = ConfigDict(extra="forbid")

    formula: list[Count] = Field(
        default_factory=lambda: list(DEFAULT_FORMULA), min_length=1,
        description="Counts added up per post. Default likes+replies+reposts: the 'likes+comments+shares' "
                    "variant tools use (DOMAIN.md: there is no standard formula); quotes can be added.")
    window_posts: int = Field(12, ge=1, description="Most recent own posts considered. Default 12, the "
                                                    "'last 12 posts' window common in tools (DOMAIN.md).")
    window_days: int = Field(0, ge=0, description="Also drop posts older than this many days; 0 = no day limit. "
                                                 "Default 0, so the post window alone applies (DOMAIN.md "
                                                 "mentions 60-day windows too).")
    per: Literal["auto", "followers", "views"] = Field(
        "auto", description="What a post's engagements are divided by: followers (DOMAIN.md's engagements/"
                            "followers, compared with benchmarks) or views (compared with view_benchmarks; posts "
                            "without a view count are left out). Default auto: views on platforms whose "
                            "benchmarks are per view (TikTok), followers elsewhere.")
    statistic: Literal["mean", "median"] = Field(
        "median", description="How per-post rates become one rate. Default median: one viral post must not "
                              "hide a dead audience, and HypeAuditor's benchmarks are medians (DOMAIN.md).")
    benchmarks: dict[str, float] = Field(
        default_factory=lambda: {"nano": 0.0645, "micro": 0.0386, "mid": 0.0257, "macro": 0.0121, "mega": 0.015},
        description="Expected engagement rate per tier (fraction), applied by tier name because tiers are "
                    "already scaled per platform. Defaults (DOMAIN.md): nano 6.45% = HypeAuditor 2018 median "
                    "for 1–5K; micro 3.86% = theinfluencerpost micro; mid 2.57% = HypeAuditor 100K–1M; "
                    "macro 1.21% = theinfluencerpost macro; mega 1.5% = theinfluencerpost 'celebrities 1–2%'.")
    view_benchmarks: dict[str, float] = Field(
        default_factory=lambda: {"nano": 0.08, "micro": 0.065, "mid": 0.045, "macro": 0.03, "mega": 0.025},
        description="Expected engagement per view per tier (fraction), used when engagements are divided by "
                    "views. Defaults: TikTok's (likes+comments+shares)/views per tier, kolens.ai: nano 8%+, "
                    "micro 5–8% (6.5%), mid 3–6% (4.5%), macro and mega 1.5–3.5% (3%, 2.5%).")
    fail_below: float = Field(0.3, ge=0, description="Fail when the rate is below this share of the benchmark. "
                                                     "Default 0.3: 'far below' = likely bought followers (DOMAIN.md).")
    warn_below: float = Field(0.6, ge=0, description="Warn when the rate is below this share of the benchmark. "
                                                     "Default 0.6: noticeably weaker than peers of the same size.")
    warn_above: float = Field(3.0, ge=1, description="Warn when the rate is above this multiple of the benchmark. "
                                                     "Default 3: 'far above' = pods or bought likes (DOMAIN.md).")
    min_posts: int = Field(3, ge=1, description="Fewer own posts with visible counts than this gives "
                                                "'unknown'. Default 3: fewer says little about a median.")

    @field_validator("benchmarks", "view_benchmarks")
    @classmethod
    def _known_tiers(cls, value: dict[str, float]) -> dict[str, float]:
        for name, rate in value.items():
            if name not in TIER_NAMES:
                raise ValueError(f"unknown tier {name!r}; tiers are {', '.join(TIER_NAMES)}")
            if not 0 < rate <= 1:
                raise ValueError(f"benchmark for {name} must be a fraction in (0, 1], e.g. 0.0386 (got {rate})")
        return value

    @model_validator(mode="after")
    def _ordered(self) -> "Options":
        if self.fail_below > self.warn_below:
            raise ValueError(f"fail_below ({self.fail_below}) must not exceed warn_below ({self.warn_below})")
        return self


def evaluate(candidate, options: Options, context) -> Verdict:
    missing = posts_missing(candidate)
    if missing:
        return Verdict.unknown(missing)
    return judge(candidate.profile, newest_own(candidate.posts), options, context)


def evaluate_batch(batch, options: Options, context) -> dict[int, Verdict]:
    from microscout.engine.batch_posts import judge_each

    return judge_each(batch, lambda i, posts: judge(batch.profiles[i], posts.own[i], options, context))


def judge(profile, own: list, options: Options, context) -> Verdict:
    """The verdict from the creator's own posts, newest first (Posts or PostRows)."""
    followers = profile.followers
    if not followers:
        return Verdict.unknown("follower count is hidden or zero, so no engagement rate", followers=followers)
    per = options.per if options.per != "auto" else \
        "views" if profile.platform in PER_VIEW_PLATFORMS else "followers"
    benchmarks = options.view_benchmarks if per == "views" else options.benchmarks
    tier = context.tier_of(followers)
    if tier not in benchmarks:
        return Verdict.unknown(f"no engagement benchmark for {followers:,} followers (tier {tier or 'none'})",
                               followers=followers, tier=tier)
    window_days = options.window_days or None
    posts = in_window(own, window_posts=options.window_posts, window_days=window_days, now=context.now)
    per_view = per == "views"
    counts = platform_formula(options.formula, profile.platform)
    counted = []  # (post, engagements, what they are divided by)
    for post, engaged in zip(posts, engagements_of(posts, counts)):
        # per view: a post whose view count is unknown (or 0) says nothing about its rate
        divisor = post.views if per_view else followers
        if engaged is not None and divisor:
            counted.append((post, engaged, divisor))
    formula = "+".join(counts)
    window = window_label(options.window_posts, window_days)
    if len(counted) < options.min_posts:
        visible = "visible counts and views" if per_view else "visible counts"
        return Verdict.unknown(f"only {len(counted)} own posts with {visible} in the {window} "
                               f"(need {options.min_posts})", posts=len(counted), formula=formula, window=window,
                               per=per)
    rate = summarise([e / d for _, e, d in counted], options.statistic)
    benchmark = benchmarks[tier]
    ratio = rate / benchmark
    # The shortlist's metric is per follower on every platform (METRICS): a per-view rate under
    # its key put TikTok's creators beside the others at a tenth of their engagement, and made
    # --budget expect that much less of them. The per-view rate, judged, has its own key.
    per_follower = summarise([e / followers for _, e, _ in counted], options.statistic) if per_view else rate
    # The rate judged comes first: explain and the exports show the first few lines, and the
    # per-follower rate alone beside "per: views" and a per-view benchmark read as the one judged.
    evidence: dict[str, Any] = {"per_view_rate": round(rate, 6)} if per_view else {}
    evidence.update({"engagement_rate": round(per_follower, 6), "formula": formula, "window": window,
                     "statistic": options.statistic, "per": per, "benchmark": benchmark,
                     "posts": len(counted),
                     "tier": tier, "followers": followers, "ratio_to_benchmark": round(ratio, 3),
                     "post_ids": [p.platform_id for p, _, _ in counted]})
    how = f"{options.statistic} ({formula})/{per} over the {window}"
    said = f"{rate:.2%} engagement vs {benchmark:.2%} {tier} benchmark ({ratio:.1f}×), {how}"
    # fail_below and warn_below may be raised over 1 (only creators well above their peers): a
    # rate above the benchmark under that bar is no sign of bought followers, and its score is
    # the share of the bar it reaches (a score over 1 is no verdict: the rule raised instead).
    if ratio < options.fail_below:
        why = ("far below peers, a sign of bought followers" if ratio < 1
               else f"under the {options.fail_below:g}× the benchmark required")
        return Verdict(outcome="fail", score=round(ratio / max(1.0, options.fail_below), 4),
                       reason=f"{said}: {why}", evidence=evidence)
    if ratio < options.warn_below:
        why = "below peers" if ratio < 1 else f"under the {options.warn_below:g}× the benchmark wanted"
        return Verdict(outcome="warn", score=round(min(1.0, ratio), 4), reason=f"{said}: {why}",
                       evidence=evidence)
    if ratio > options.warn_above:
        return Verdict(outcome="warn", score=0.5, reason=f"{said}: far above peers, check for pods or bought likes",
                       evidence=evidence)
    return Verdict(outcome="pass", score=round(min(1.0, ratio), 4), reason=said, evidence=evidence)


@hookimpl(trylast=True)
def register_rules(register):
    register(Rule(name="engagement", summary="Engagement rate compared with creators of the same tier",
                  options=Options, needs=frozenset({Need.PROFILE, Need.POSTS}), metrics=frozenset({"engagement_rate"}),
                  evaluate=evaluate, evaluate_batch=evaluate_batch))
