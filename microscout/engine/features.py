"""Which per-post features the configured rules read, and bringing the store up to date.

Every enabled rule whose options hold a SponsoredSettings (ad_frequency, disclosure,
sponsored_engagement, and any plugin rule that does the same) analyses posts with those
settings; the settings can differ per platform, per campaign and per rule, and each
distinct one is a version of the posts' stored features.
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


def _sponsored_settings(options: BaseModel) -> list[SponsoredSettings]:
    return [v for v in options.__dict__.values() if isinstance(v, SponsoredSettings)]


def post_settings_in_use(config: Config, rules: dict[str, Rule]) -> dict[str, list[SponsoredSettings]]:
    """{platform: the SponsoredSettings the enabled rules analyse its posts with}, in any campaign."""
    out: dict[str, list[SponsoredSettings]] = {}
    campaigns: list[str | None] = [None, *config.campaigns]
    for platform in config.platforms.names():
        found: dict[str, SponsoredSettings] = {}
        for rule in rules.values():
            for campaign in campaigns:
                if campaign is not None and platform not in config.campaigns[campaign].platforms:
                    continue
                enabled, options = rule_setup(config, rule, platform, campaign)
                if enabled:
                    for s in _sponsored_settings(options):
                        found.setdefault(s.model_dump_json(), s)
        if found:
            out[platform] = list(found.values())
    return out


def prepare(db: sqlite_utils.Database, config: Config, rules: dict[str, Rule]) -> int:
    """Record the settings in use; return how many post features are missing for them."""
    if not store_features.has_features(db):
        return 0
    store_features.register(db, post_settings_in_use(config, rules))
    return store_features.stale_count(db)


def refresh(db: sqlite_utils.Database, config: Config, rules: dict[str, Rule],
            progress: Callable[[int], None] | None = None) -> store_features.Refresh:
    """Record the settings in use and compute every missing feature (dropping unused ones)."""
    prepare(db, config, rules)
    return store_features.refresh(db, progress)
