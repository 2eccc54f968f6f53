"""Disclosure: is every sponsored post labelled so a reader notices (FTC, ASA/CMA, ASAI)?

An ad with no adequate label fails: the audience is misled. A label that exists but is
weak (#sp, #spon, #collab, "thanks @brand", "partnered with @brand"), after the fold or
buried in hashtags fails too by default: the UK ASA/CMA and the FTC treat such labels as no
disclosure at all (DOMAIN.md, "Inadequate alone"), so a creator who labels ads only that
way is not shortlisted. Set weak_outcome = "warn" to keep such creators with a warning
(the creator is trying and a brief can fix it).

A post that only sells ("shop now", "DM to order": sponsored_selling.py) needs no label:
nothing shows a brand behind it, and the creator may be selling their own work.
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from microscout import Need, Rule, Verdict, hookimpl
from microscout.heuristics.posts import analysed_forms, in_window, window_label
from microscout.heuristics.sponsored import SETTINGS_DESCRIPTION, SponsoredSettings, shown_whole
from microscout.words import counted


class Options(BaseModel):
    model_config = ConfigDict(extra="forbid")

    window_posts: int = Field(30, ge=1, description="Most recent own posts checked. Default 30, the "
                                                    "'last 30 posts' window tools use (DOMAIN.md).")
    weak_outcome: Literal["warn", "fail"] = Field(
        "fail", description="Outcome when labels are only weak (#sp, #spon, #collab, 'thanks @brand'), late "
                            "(after the fold) or buried. Default fail: the UK ASA/CMA and the FTC treat these as "
                            "no disclosure at all (DOMAIN.md: 'Inadequate alone'); warn keeps such creators "
                            "with a warning, for a lenient brief.")
    no_fold_platforms: list[str] = Field(
        ["mastodon", "bluesky"], description="Platforms that show a post whole, with no 'more' fold: a label there "
        "is never late, however far into the post (Mastodon shows a status whole unless behind a content "
        "warning, which hides the whole post; Bluesky posts are at most 300 characters). Default mastodon and "
        "bluesky.")
    sponsored: SponsoredSettings = Field(default_factory=SponsoredSettings, description=SETTINGS_DESCRIPTION)


def judge(profile, own: list, analyse_post, options: Options) -> Verdict:
    """The verdict from the creator's own posts, newest first (Posts or PostRows), and
    ``analyse_post(post) -> PostAnalysis``."""
    posts = in_window(own, window_posts=options.window_posts)
    window = window_label(options.window_posts, None)
    if not posts:
        return Verdict.unknown(f"no own posts in the {window}", posts=0)
    checked = []
    selling_only = 0
    no_fold = getattr(profile, "platform", None) in options.no_fold_platforms
    for post in posts:
        analysis = analyse_post(post)
        if not analysis.sponsored:  # most posts: nothing to label, so nothing to look at further
            continue
        if no_fold:  # the whole post is shown: a label far into it is seen
            analysis = shown_whole(analysis)
        # A post that only sells ("shop now", "DM to order") needs no label: no brand is shown behind it.
        if analysis.disclosure == "not_needed":
            selling_only += 1
        else:
            checked.append({"id": post.platform_id, "disclosure": analysis.disclosure,
                            "signals": [list(s) for s in analysis.signals],
                            "adequate_labels": analysis.adequate_labels, "weak_labels": analysis.weak_labels,
                            "denials": analysis.denials, "problems": analysis.problems})
    counts = {status: sum(1 for c in checked if c["disclosure"] == status)
              for status in ("adequate", "weak", "late", "buried", "missing")}
    evidence = {"posts": len(posts), "sponsored": len(checked), "window": window, "counts": counts,
                "selling_only": selling_only, "sponsored_posts": checked}
    if not checked:
        sells = (f" ({selling_only} sell with no brand shown, which needs no label)" if selling_only else "")
        return Verdict(outcome="pass", score=1.0, reason=f"no sponsored posts in the {window}{sells}",
                       evidence=evidence)
    adequate_share = counts["adequate"] / len(checked)
    undisclosed = [c for c in checked if c["disclosure"] == "missing"]
    if undisclosed:
        first = undisclosed[0]
        return Verdict(outcome="fail", score=round(adequate_share * 0.3, 4),
                       reason=f"{len(undisclosed)} of {counted(len(checked), 'sponsored post')} undisclosed; post "
                              f"{first['id']}: {first['problems'][0]}",
                       evidence=evidence)
    inadequate = [c for c in checked if c["disclosure"] != "adequate"]
    if inadequate:
        first = inadequate[0]
        return Verdict(outcome=options.weak_outcome, score=round(0.3 + 0.4 * adequate_share, 4),
                       reason=f"{len(inadequate)} of {counted(len(checked), 'sponsored post')} poorly labelled; post "
                              f"{first['id']}: {first['problems'][0]}",
                       evidence=evidence)
    labels = sorted({label for c in checked for label in c["adequate_labels"]})
    shown = f" ({', '.join(repr(label) for label in labels[:3])})" if labels else ""
    what = "the 1 sponsored post is" if len(checked) == 1 else f"all {len(checked)} sponsored posts are"
    return Verdict(outcome="pass", score=1.0, reason=f"{what} clearly labelled{shown}", evidence=evidence)


evaluate, evaluate_batch = analysed_forms(judge)


@hookimpl(trylast=True)
def register_rules(register):
    register(Rule(name="disclosure", summary="Sponsored posts carry a clear, visible ad label",
                  options=Options, needs=frozenset({Need.POSTS}), evaluate=evaluate,
                  evaluate_batch=evaluate_batch))
