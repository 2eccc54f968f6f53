"""Niche relevance: how much of what the creator posts is about the campaign's niche.

A post matches when it uses one of the campaign's hashtags (from the post's tags or its
text) or one of its keywords as a whole word, case-insensitively. The bio, when used,
counts as one more item: a creator whose bio names the niche gets a little credit.
"""
from __future__ import annotations

import json
from collections import Counter
from itertools import chain

from pydantic import BaseModel, ConfigDict, Field, model_validator

from microscout import Need, Rule, Verdict, hookimpl, jsontext
from microscout.heuristics.niche import matcher
from microscout.heuristics.posts import own_posts, posts_missing, window_label
from microscout.words import counted


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


def evaluate(candidate, options: Options, context) -> Verdict:
    campaign = context.campaign
    if not campaign.keywords and not campaign.hashtags:
        return _no_terms(context)
    missing = posts_missing(candidate)
    if missing:
        return Verdict.unknown(missing)
    terms = matcher(campaign.keywords, campaign.hashtags)
    posts = own_posts(candidate, window_posts=options.window_posts)
    return judge_terms([(post.platform_id, terms(post.text, post.hashtags)) for post in posts],
                       candidate.profile.bio, terms, options)


def _no_terms(context) -> Verdict:
    return Verdict.unknown(f"campaign {context.campaign_name} names no keywords or hashtags to match")


def evaluate_batch(batch, options: Options, context) -> dict[int, Verdict]:
    """evaluate's verdicts for a whole batch, over the batch's posts as the post rules read
    them (one read, shared) and each post's terms as the store keeps them for this campaign
    (niche_features); the terms of posts stored without them are found from their text."""
    from microscout.engine.batch_posts import batch_posts, judge_each
    from microscout.heuristics.niche import NicheTerms, decode, settings_version

    campaign = context.campaign
    if not campaign.keywords and not campaign.hashtags:
        return {i: _no_terms(context) for i in batch.profiles}
    posts = batch_posts(batch)
    version = settings_version(NicheTerms(keywords=campaign.keywords, hashtags=campaign.hashtags))
    terms = matcher(campaign.keywords, campaign.hashtags)
    marks, ids = batch.in_ids()
    # Most posts use none of the terms (stored as NULL): they are counted, and only the
    # others come back, as one JSON array (a row per post cost more, as for the sponsored
    # analyses: BatchPosts.analyser). They use a few combinations of the terms, each decoded
    # once (judge_terms only reads the sets). CROSS JOIN keeps posts outermost.
    stored, used = batch.conn.execute(
        "SELECT count(*), json_group_array(json_array(f.post_id, CAST(f.terms AS TEXT))) "
        "FILTER (WHERE f.terms IS NOT NULL) FROM posts p CROSS JOIN niche_features f ON f.post_id = p.id "
        f"AND f.version = ? WHERE p.profile_id IN ({marks})", [version, *ids]).fetchone()
    sets: dict[str, set[str]] = {}
    found: dict[int, set[str]] = {}
    for post_id, stored_terms in jsontext.loads(used):
        known = sets.get(stored_terms)
        found[post_id] = known if known is not None else sets.setdefault(stored_terms, decode(stored_terms))
    for post_id, text, hashtags, _ in posts.without("niche_features", version, stored):
        found[post_id] = terms(text or "", _json_list(hashtags))
    none: set[str] = set()
    return judge_each(batch, lambda i, posts: judge_terms(
        [(row.platform_id, found.get(row.id, none)) for row in posts.own[i][:options.window_posts]],
        batch.profiles[i].bio, terms, options))


def _json_list(value: str | None) -> list[str]:
    return json.loads(value) if value else []


def judge_terms(found: list[tuple[str, set[str]]], bio: str, terms, options: Options) -> Verdict:
    """The verdict from the terms of each own post in the window, newest first (platform id, terms)."""
    window = window_label(options.window_posts, None)
    if len(found) < options.min_posts:
        return Verdict.unknown(f"only {counted(len(found), 'own post')} in the {window} (need {options.min_posts})",
                               posts=len(found))
    # One count over every post's terms (Counter.update per post costs a Mapping check each).
    counts = Counter(chain.from_iterable(post_terms for _, post_terms in found))
    matched_ids = [platform_id for platform_id, post_terms in found if post_terms]
    bio_terms = sorted(terms(bio)) if options.include_bio else []
    # Ties break alphabetically: counts fill from sets, whose order changes with each
    # process's string hashing, and the same data must always give the same reason.
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    posts = len(found)
    items = posts + (1 if options.include_bio else 0)
    share = (len(matched_ids) + (1 if bio_terms else 0)) / items
    evidence = {"share": round(share, 4), "matched_posts": len(matched_ids), "posts": posts,
                "terms": dict(ranked), "bio_terms": bio_terms, "matched_ids": matched_ids}
    top = ", ".join(t for t, _ in ranked[:3]) or "none"
    m = len(matched_ids)
    # The share counts the bio as one more item: say so, or "6 of 30 … (19%)" reads as wrong.
    if not options.include_bio:
        said = f"{m} of {posts} recent posts on the campaign's niche ({share:.0%}; top: {top})"
    elif bio_terms:
        said = (f"{m} of {posts} recent posts and the bio on the campaign's niche ({m + 1} of {items} with the "
                f"bio: {share:.0%}; top: {top})")
    else:
        said = (f"{m} of {posts} recent posts on the campaign's niche, the bio not ({m} of {items} with the bio: "
                f"{share:.0%}; top: {top})")
    if share >= options.pass_share:  # pass_share may be 0: every creator passes, with a full score
        return Verdict(outcome="pass", score=round(min(1.0, share / options.pass_share), 4) if options.pass_share
                       else 1.0, reason=said,
                       evidence=evidence)
    if share >= options.fail_below:
        return Verdict(outcome="warn", score=round(share / options.pass_share, 4),
                       reason=f"{said}: a partial fit", evidence=evidence)
    return Verdict(outcome="fail", score=round(share / options.pass_share, 4),
                   reason=f"{said}: off-niche", evidence=evidence)


@hookimpl(trylast=True)
def register_rules(register):
    register(Rule(name="niche_relevance", summary="Posts are about the campaign's niche",
                  options=Options, needs=frozenset({Need.PROFILE, Need.POSTS}), evaluate=evaluate,
                  evaluate_batch=evaluate_batch))
