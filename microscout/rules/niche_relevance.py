"""Niche relevance: how much of what the creator posts is about the campaign's niche.

A post matches when it uses one of the campaign's hashtags (from the post's tags or its
text) or one of its keywords as a whole word, case-insensitively. The bio, when used,
counts as one more item: a creator whose bio names the niche gets a little credit.
"""
from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from typing import Iterable

from pydantic import BaseModel, ConfigDict, Field, model_validator

from microscout import Need, Rule, Verdict, hookimpl
from microscout.heuristics import text as textlib
from microscout.heuristics.posts import own_posts, posts_missing, window_label


class Options(BaseModel):
    model_config = ConfigDict(extra="forbid")

    window_posts: int = Field(30, ge=1, description="Most recent own posts considered. Default 30, the "
                                                    "'last 30 posts' window tools use (DOMAIN.md).")
    pass_share: float = Field(0.5, ge=0, le=1, description="Pass when at least this share of posts (and bio) "
                              "match. Default 0.5: a clear niche means most posts are on topic (DOMAIN.md).")
    fail_below: float = Field(0.2, ge=0, le=1, description="Fail when fewer than this share match. Default 0.2: "
                              "under one post in five, the niche is incidental.")
    min_posts: int = Field(3, ge=1, description="Fewer own posts than this gives 'unknown'. Default 3.")
    include_bio: bool = Field(True, description="Count the bio as one more item. Default true: the bio says "
                                                "what the creator is about (DOMAIN.md: 'a clear niche').")

    @model_validator(mode="after")
    def _ordered(self) -> "Options":
        if self.fail_below > self.pass_share:
            raise ValueError(f"fail_below ({self.fail_below}) must not exceed pass_share ({self.pass_share})")
        return self


# Posts reuse a handful of tags; normalise each spelling once.
_normalise_tag = lru_cache(maxsize=4096)(textlib.normalise_tag)


def _matcher(keywords: list[str], hashtags: list[str]):
    tags = {textlib.normalise_tag(h) for h in hashtags if textlib.normalise_tag(h)}
    words = [k.strip() for k in keywords if k.strip()]
    # Each keyword as a whole word; the look-arounds are shared, which matches exactly what
    # "(?<!\w)kw1(?!\w)|(?<!\w)kw2(?!\w)|..." matches, several times faster.
    word_re = (re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)", re.IGNORECASE)
               if words else None)
    normalise, hashtag_re = _normalise_tag, textlib.HASHTAG_RE

    def terms(text: str, post_tags: Iterable[str] = ()) -> set[str]:
        # A hashtag found in the text is \w+ (no space, no #): normalising it is casefold().
        found = {normalise(t) for t in post_tags} | {v.casefold() for v in hashtag_re.findall(text)}
        matched = {"#" + t for t in found & tags}
        if word_re:
            matched |= {m.group(0).casefold() for m in word_re.finditer(text)}
        return matched

    return terms


def evaluate(candidate, options: Options, context) -> Verdict:
    campaign = context.campaign
    if not campaign.keywords and not campaign.hashtags:
        return Verdict.unknown(f"campaign {context.campaign_name} names no keywords or hashtags to match")
    missing = posts_missing(candidate)
    if missing:
        return Verdict.unknown(missing)
    posts = own_posts(candidate, window_posts=options.window_posts)
    window = window_label(options.window_posts, None)
    if len(posts) < options.min_posts:
        return Verdict.unknown(f"only {len(posts)} own posts in the {window} (need {options.min_posts})",
                               posts=len(posts))
    terms = _matcher(campaign.keywords, campaign.hashtags)
    counts: Counter[str] = Counter()
    matched_ids = []
    for post in posts:
        found = terms(post.text, post.hashtags)
        counts.update(found)
        if found:
            matched_ids.append(post.platform_id)
    bio_terms = sorted(terms(candidate.profile.bio)) if options.include_bio else []
    # Ties break alphabetically: counts fill from sets, whose order changes with each
    # process's string hashing, and the same data must always give the same reason.
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    items = len(posts) + (1 if options.include_bio else 0)
    share = (len(matched_ids) + (1 if bio_terms else 0)) / items
    evidence = {"share": round(share, 4), "matched_posts": len(matched_ids), "posts": len(posts),
                "terms": dict(ranked), "bio_terms": bio_terms, "matched_ids": matched_ids}
    top = ", ".join(t for t, _ in ranked[:3]) or "none"
    bio = " and the bio" if bio_terms else ""
    said = f"{len(matched_ids)} of {len(posts)} recent posts{bio} on the campaign's niche ({share:.0%}; top: {top})"
    if share >= options.pass_share:
        return Verdict(outcome="pass", score=round(min(1.0, share / options.pass_share), 4), reason=said,
                       evidence=evidence)
    if share >= options.fail_below:
        return Verdict(outcome="warn", score=round(share / options.pass_share, 4),
                       reason=f"{said}: a partial fit", evidence=evidence)
    return Verdict(outcome="fail", score=round(share / options.pass_share, 4),
                   reason=f"{said}: off-niche", evidence=evidence)


@hookimpl(trylast=True)
def register_rules(register):
    register(Rule(name="niche_relevance", summary="Posts are about the campaign's niche",
                  options=Options, needs=frozenset({Need.PROFILE, Need.POSTS}), evaluate=evaluate))
