"""Which per-item features the configured rules read, and bringing the store up to date.

Every enabled rule whose options hold a SponsoredSettings (ad_frequency, disclosure,
sponsored_engagement, and any plugin rule that does the same) analyses posts with those
settings, and every one holding CommentThresholds (comment_quality) classifies comments
with them; the settings can differ per platform, per campaign and per rule, and each
distinct one is a version of the items' stored features.
"""
from __future__ import annotations

from typing import Callable

import sqlite_utils
from pydantic import BaseModel

from microscout.config import Config
from microscout.engine.evaluate import rule_setup
from microscout.engine.rules import Rule
from microscout.heuristics.sponsored import SponsoredSettings
from microscout.store import features as store_features


def settings_in_use(config: Config, rules: dict[str, Rule],
                    model: type[BaseModel] = SponsoredSettings) -> dict[str, list[BaseModel]]:
    """{platform: the ``model`` settings (options fields of that type) of the enabled rules}, in any campaign."""
    out: dict[str, list[BaseModel]] = {}
    campaigns: list[str | None] = [None, *config.campaigns]
    for platform in config.platforms.names():
        found: dict[str, BaseModel] = {}
        for rule in rules.values():
            for campaign in campaigns:
                # A campaign naming no platforms judges every platform's profiles.
                if campaign is not None and platform not in config.judged_platforms(campaign):
                    continue
                enabled, options = rule_setup(config, rule, platform, campaign)
                if enabled:
                    for s in options.__dict__.values():
                        if isinstance(s, model):
                            found.setdefault(s.model_dump_json(), s)
        if found:
            out[platform] = list(found.values())
    return out


# Rules that judge a post by the campaign's terms: their campaigns' terms are stored per post.
NICHE_RULES = ("niche_relevance",)


def niche_terms_in_use(config: Config, rules: dict[str, Rule]) -> dict[str, list[BaseModel]]:
    """{platform: the terms of each campaign judging niche relevance on it}."""
    from microscout.heuristics.niche import NicheTerms

    out: dict[str, list[BaseModel]] = {}
    for name, campaign in config.campaigns.items():
        for platform in config.judged_platforms(name):
            if platform not in config.platforms.names():
                continue
            if any(rule in rules and rule_setup(config, rules[rule], platform, name)[0] for rule in NICHE_RULES):
                terms = NicheTerms(keywords=campaign.keywords, hashtags=campaign.hashtags)
                if terms.keywords or terms.hashtags:
                    found = out.setdefault(platform, [])
                    if terms not in found:
                        found.append(terms)
    return out


def post_settings_in_use(config: Config, rules: dict[str, Rule]) -> dict[str, list[BaseModel]]:
    return settings_in_use(config, rules, SponsoredSettings)


def prepare(db: sqlite_utils.Database, config: Config, rules: dict[str, Rule]) -> int:
    """Record the settings in use; return how many item features are missing for them."""
    for kind in store_features.KINDS:
        if store_features.has_features(db, kind):
            settings = (niche_terms_in_use(config, rules) if kind is store_features.NICHE
                        else settings_in_use(config, rules, kind.settings()))
            store_features.register(db, settings, kind)
    return store_features.stale_count(db)


def refresh(db: sqlite_utils.Database, config: Config, rules: dict[str, Rule],
            progress: Callable[[int], None] | None = None) -> store_features.Refresh:
    """Record the settings in use and compute every missing feature (dropping unused ones)."""
    prepare(db, config, rules)
    return store_features.refresh(db, progress)
