"""Sponsored vs organic engagement: does the audience tune out when the post is an ad?

Compares the median engagements per sponsored post with the median per organic post.
Both are the creator's own recent posts on the same follower base, so raw counts compare
as fairly as rates would.
"""
from __future__ import annotations

from statistics import median

from pydantic import BaseModel, ConfigDict, Field, model_validator

from microscout import Need, Rule, Verdict, hookimpl
from microscout.heuristics.posts import (
    DEFAULT_FORMULA,
    Count,
    analysed_forms,
    engagements_of,
    in_window,
    platform_formula,
    window_label,
)
from microscout.heuristics.sponsored import SETTINGS_DESCRIPTION, SponsoredSettings


class Options(BaseModel):
    model_config = ConfigDict(extra="forbid")

    window_posts: int = Field(30, ge=1, description="Most recent own posts considered. Default 30, the "
                                                    "'last 30 posts' window tools use (DOMAIN.md).")
    formula: list[Count] = Field(
        default_factory=lambda: list(DEFAULT_FORMULA), min_length=1,
        description="Counts added up per post. Default likes+replies+reposts, as the engagement rule.")
    min_each: int = Field(3, ge=1, description="Fewer sponsored or organic posts than this gives 'unknown'. "
                                               "Default 3: the smallest sample with a meaningful median.")
    warn_below: float = Field(0.7, ge=0, description="Warn when sponsored engagement is below this share of "
                              "organic. Default 0.7: a 30% drop on ads is noticeable (DOMAIN.md: 'drops sharply').")
    fail_below: float = Field(0.4, ge=0, description="Fail when sponsored engagement is below this share of "
                              "organic. Default 0.4: a drop of more than half means the audience skips the ads.")
    sponsored: SponsoredSettings = Field(default_factory=SponsoredSettings, description=SETTINGS_DESCRIPTION)

    @model_validator(mode="after")
    def _ordered(self) -> "Options":
        if self.fail_below > self.warn_below:
            raise ValueError(f"fail_below ({self.fail_below}) must not exceed warn_below ({self.warn_below})")
        return self


def judge(profile, own: list, analyse_post, options: Options) -> Verdict:
    """The verdict from the creator's own posts, newest first (Posts or PostRows), and
    ``analyse_post(post) -> PostAnalysis``."""
    sponsored: list[tuple[str, int]] = []
    organic: list[tuple[str, int]] = []
    counts = platform_formula(options.formula, profile.platform)
    posts = in_window(own, window_posts=options.window_posts)
    for post, count in zip(posts, engagements_of(posts, counts)):
        if count is None:
            continue
        (sponsored if analyse_post(post).sponsored else organic).append((post.platform_id, count))
    window = window_label(options.window_posts, None)
    sizes = {"sponsored_posts": len(sponsored), "organic_posts": len(organic), "window": window}
    if len(sponsored) < options.min_each or len(organic) < options.min_each:
        return Verdict.unknown(f"{len(sponsored)} sponsored and {len(organic)} organic posts in the {window}; "
                               f"need {options.min_each} of each to compare", **sizes)
    sponsored_median = median(c for _, c in sponsored)
    organic_median = median(c for _, c in organic)
    if organic_median == 0:
        return Verdict.unknown("organic posts have no engagement to compare with", **sizes)
    ratio = sponsored_median / organic_median
    evidence = {**sizes, "sponsored_median": sponsored_median, "organic_median": organic_median,
                "ratio": round(ratio, 4), "formula": "+".join(counts),
                "sponsored_ids": [i for i, _ in sponsored]}
    said = (f"sponsored posts get {ratio:.0%} of organic engagement (median {sponsored_median:g} vs "
            f"{organic_median:g}, {len(sponsored)} vs {len(organic)} posts)")
    # The bars may be raised over 1 (ads expected to do better than organic posts): a ratio
    # over 1 under them is no drop, and a score over 1 is no verdict (the rule raised instead).
    if ratio < options.fail_below:
        why = "the audience tunes out ads" if ratio < 1 else f"under the {options.fail_below:.0%} of organic required"
        return Verdict(outcome="fail", score=round(ratio / max(1.0, options.fail_below), 4), reason=f"{said}: {why}",
                       evidence=evidence)
    if ratio < options.warn_below:
        why = "ads lose attention" if ratio < 1 else f"under the {options.warn_below:.0%} of organic wanted"
        return Verdict(outcome="warn", score=round(min(1.0, ratio), 4), reason=f"{said}: {why}",
                       evidence=evidence)
    return Verdict(outcome="pass", score=round(min(1.0, ratio), 4), reason=said, evidence=evidence)


evaluate, evaluate_batch = analysed_forms(judge)


@hookimpl(trylast=True)
def register_rules(register):
    register(Rule(name="sponsored_engagement", summary="Ads get about as much engagement as ordinary posts",
                  options=Options, needs=frozenset({Need.POSTS}), evaluate=evaluate,
                  evaluate_batch=evaluate_batch))
