"""Ad frequency: how many of the creator's recent posts are sponsored.

"If every other post is an ad, credibility drops" (shared/DOMAIN.md).
"""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from microscout import Need, Rule, Verdict, hookimpl
from microscout.heuristics.posts import analysed_forms, in_window, window_label
from microscout.heuristics.sponsored import SETTINGS_DESCRIPTION, SponsoredSettings
from microscout.words import counted


class Options(BaseModel):
    model_config = ConfigDict(extra="forbid")

    window_posts: int = Field(30, ge=1, description="Most recent own posts considered. Default 30, the "
                                                    "'last 30 posts' window tools use (DOMAIN.md).")
    healthy_share: float = Field(0.125, ge=0, le=1, description="Pass up to this share of sponsored posts. "
                                 "Default 1/8: one partnership per 8–10 organic posts (theinfluencerpost.com).")
    max_share: float = Field(0.30, ge=0, le=1, description="Fail above this share of sponsored posts. "
                                                          "Default 0.30 (Favikon: >30% sponsored is a red flag).")
    min_posts: int = Field(5, ge=1, description="Fewer own posts than this gives 'unknown'. Default 5: "
                                                "with fewer, one ad swings the share by 20 points or more.")
    sponsored: SponsoredSettings = Field(default_factory=SponsoredSettings, description=SETTINGS_DESCRIPTION)

    @model_validator(mode="after")
    def _ordered(self) -> "Options":
        if self.healthy_share > self.max_share:
            raise ValueError(f"healthy_share ({self.healthy_share}) must not exceed max_share ({self.max_share})")
        return self


def judge(profile, own: list, analyse_post, options: Options) -> Verdict:
    """The verdict from the creator's own posts, newest first (Posts or PostRows), and
    ``analyse_post(post) -> PostAnalysis``."""
    posts = in_window(own, window_posts=options.window_posts)
    window = window_label(options.window_posts, None)
    if len(posts) < options.min_posts:
        return Verdict.unknown(f"only {counted(len(posts), 'own post')} in the {window} (need {options.min_posts})",
                               posts=len(posts))
    sponsored = []
    selling_only = 0  # sponsored by selling wording alone ("DM to order"): the creator's own offer
    for post in posts:
        analysis = analyse_post(post)
        if analysis.sponsored:
            # Why it counts as an ad: its signals, and its labels (a weak one such as #sp says "paid" too).
            signals = [list(s) for s in analysis.signals] + [["label", label] for label in
                                                            analysis.adequate_labels + analysis.weak_labels]
            sponsored.append({"id": post.platform_id, "signals": signals})
            selling_only += analysis.disclosure == "not_needed"
    share = len(sponsored) / len(posts)
    evidence = {"share": round(share, 4), "sponsored": len(sponsored), "posts": len(posts), "window": window,
                "selling_only": selling_only, "sponsored_posts": sponsored}
    said = f"{len(sponsored)} of {len(posts)} recent posts sponsored ({share:.0%})"
    if selling_only:
        said = (f"{len(sponsored)} of {len(posts)} recent posts sponsored or selling ({share:.0%}; "
                f"{selling_only} sell with no brand shown)")
    if share <= options.healthy_share:
        return Verdict(outcome="pass", score=1.0, reason=f"{said}: healthy (≤ {options.healthy_share:.0%})",
                       evidence=evidence)
    if share <= options.max_share:
        return Verdict(outcome="warn", score=round(1 - share, 4),
                       reason=f"{said}: above the healthy {options.healthy_share:.0%}, at most "
                              f"{options.max_share:.0%} is tolerable",
                       evidence=evidence)
    return Verdict(outcome="fail", score=round(max(0.0, 1 - share - options.max_share), 4),
                   reason=f"{said}: more than {options.max_share:.0%}; "
                          + (f"about one post in {round(1 / share)} is an ad" if share < 0.5 else
                             "half or more of them are ads") + ", too many for the audience to trust",
                   evidence=evidence)


evaluate, evaluate_batch = analysed_forms(judge)


@hookimpl(trylast=True)
def register_rules(register):
    register(Rule(name="ad_frequency", summary="Share of recent posts that are ads",
                  options=Options, needs=frozenset({Need.POSTS}), evaluate=evaluate,
                  evaluate_batch=evaluate_batch))
