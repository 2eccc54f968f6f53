"""`microscout crawl`: discovery crawls of Mastodon and Bluesky into the database."""
from __future__ import annotations

import json
import sys

import click

from microscout.cli.common import UsageProblem, with_env

PLATFORMS = ("mastodon", "bluesky")
# Why a crawl stopped that the configuration must fix (exit 2): the login, the account,
# the PDS or the AppView DID. Any other failure is a runtime one (exit 1).
CONFIG_REASONS = {"login_refused", "appview_refused", "account_unavailable"}


def _summary(row: dict) -> list[str]:
    stats = json.loads(row.get("stats") or "{}")
    errors = json.loads(row.get("errors") or "{}")
    error_text = ", ".join(f"{k} {v}" for k, v in sorted(errors.items())) or "none"
    per = stats.get("requests_per_candidate")
    return [
        f"crawl run {row['id']} ({row['platform']}): {row['status']} in {row.get('duration') or 0:.1f}s",
        f"  requests {row['requests']}, items {row['items']}, profiles {row['profiles']} "
        f"(opted out {stats.get('opted_out', 0)}, prefiltered {stats.get('prefiltered', 0)}), "
        f"posts {row['posts']}, replies {stats.get('comments', 0)}, followers sampled {stats.get('followers', 0)}",
        f"  requests per stored candidate {per if per is not None else '-'}, "
        f"rate-limit waits {row['rate_limit_waits']}, retries {stats.get('retries', 0)}",
        f"  errors: {error_text}",
    ]


def bounds_for_needs(bounds, needs) -> tuple[object, list[str]]:
    """Bounds that skip the data no enabled rule reads, and the names of what is skipped."""
    from dataclasses import replace

    from microscout.engine.rules import Need

    changes, skipped = {}, []
    if Need.FOLLOWERS not in needs and bounds.follower_sample:
        changes["follower_sample"] = 0
        skipped.append("follower samples")
    if Need.COMMENTS not in needs and bounds.posts_with_replies and bounds.replies_per_post:
        changes["posts_with_replies"] = 0
        skipped.append("replies")
    if not needs & {Need.POSTS, Need.COMMENTS} and bounds.posts_per_profile:
        changes["posts_per_profile"] = 0
        skipped.append("posts")
    return replace(bounds, **changes), skipped


def stored_candidates(db_path, platform: str) -> list[str]:
    """Ids of the candidates already stored (not opted out), oldest first: the acct on
    Mastodon, the DID on Bluesky, both of which the spiders look up directly."""
    from pathlib import Path

    from microscout.store import open_store

    if not Path(db_path).exists():
        return []
    db = open_store(db_path)
    return [r[0] for r in db.execute(
        "SELECT platform_id FROM profiles WHERE platform = ? AND opted_out = 0 ORDER BY id", [platform])]


@click.command(name="crawl", short_help="Discover creators on a platform or for a campaign.")
@click.argument("target")
@click.option("--hashtag", "hashtags", multiple=True, metavar="TAG", help="Hashtag to discover authors from (repeatable).")
@click.option("--handle", "handles", multiple=True, metavar="@USER", help="Account to crawl directly (repeatable).")
@click.option("--instance", default=None, metavar="URL", help="Mastodon instance (default: platforms.mastodon.base_url).")
@click.option("--appview", default=None, metavar="URL", help="Bluesky AppView (default: platforms.bluesky.base_url).")
@click.option("--pds", default=None, metavar="URL", help="Bluesky PDS for the login (default: platforms.bluesky.pds).")
@click.option("--appview-did", default=None, metavar="DID",
              help="DID of the AppView the PDS proxies searches to (default: platforms.bluesky.appview_did).")
@click.option("--max-profiles", type=click.IntRange(min=1), default=None, help="Stop discovering after N profiles.")
@click.option("--max-requests", type=click.IntRange(min=1), default=None, help="Request budget for the crawl.")
@click.option("--pages", type=click.IntRange(min=1), default=None, help="Hashtag pages per hashtag.")
@click.option("--posts", type=click.IntRange(min=0), default=None, help="Recent posts per profile.")
@click.option("--replies", type=click.IntRange(min=0), default=None, help="Replies fetched per post.")
@click.option("--replied-posts", type=click.IntRange(min=0), default=None,
              help="How many of the most recent posts get their replies fetched.")
@click.option("--followers", type=click.IntRange(min=0), default=None, help="Follower sample size.")
@click.option("--tier", "tiers", multiple=True, metavar="TIER",
              help="Target tier(s) for the prefilter of a crawl without a campaign (default: micro).")
@click.option("--known", is_flag=True,
              help="Also re-crawl every candidate already stored for the platform, so its history continues.")
@click.option("--resume", is_flag=True, help="Continue the last interrupted crawl with the same arguments.")
@click.option("--no-prefilter", is_flag=True, help="Fetch everything for every profile.")
@with_env
def command(env, target, hashtags, handles, instance, appview, pds, appview_did, max_profiles, max_requests, pages,
            posts, replies, replied_posts, followers, tiers, known, resume, no_prefilter):
    """Crawl TARGET: `mastodon`, `bluesky` or the name of a campaign in the config.

    Hashtag pages yield authors; each author's profile is stored and snapshotted, checked
    by the crawl-time prefilter, and only then are posts, replies and a follower sample
    fetched. Every run is recorded in crawl_runs.
    """
    from microscout.config import TIER_NAMES
    from microscout.crawlers.runner import CrawlProblem, CrawlSpec, bounds_from_config, run_crawls
    from microscout.engine.evaluate import data_needed

    config = env.config
    bounds = bounds_from_config(config, max_profiles=max_profiles, max_requests=max_requests, hashtag_pages=pages,
                                posts_per_profile=posts, replies_per_post=replies,
                                posts_with_replies=replied_posts, follower_sample=followers)
    for tier in tiers:
        if tier not in TIER_NAMES:
            raise UsageProblem(f"--tier {tier}: unknown tier; tiers are {', '.join(TIER_NAMES)}")
    if target in PLATFORMS:
        if not hashtags and not handles and not known:
            raise UsageProblem(f"crawl {target}: give at least one --hashtag TAG, --handle @USER or --known")
        platforms, campaign = [target], None
    else:
        campaign_cfg = config.campaign(target)
        if tiers:
            raise UsageProblem("--tier is for crawls without a campaign; the campaign's target_tier applies")
        platforms = [p for p in campaign_cfg.platforms if p in PLATFORMS]
        if not platforms:
            raise UsageProblem(f"campaign {target!r} names no crawlable platform (crawlable: {', '.join(PLATFORMS)})")
        hashtags = tuple(campaign_cfg.hashtags) + tuple(hashtags)
        if not hashtags and not handles and not known:
            raise UsageProblem(f"campaign {target!r} has no hashtags; add campaigns.{target}.hashtags or pass --hashtag")
        campaign = target
    if instance and "mastodon" not in platforms:
        raise UsageProblem("--instance is for Mastodon crawls")
    if (appview or pds or appview_did) and "bluesky" not in platforms:
        raise UsageProblem("--appview, --pds and --appview-did are for Bluesky crawls")
    if appview_did:
        from microscout.config import check_did

        try:
            check_did(appview_did)
        except ValueError as exc:
            raise UsageProblem(f"--appview-did {appview_did!r}: {exc}") from None

    tags = list(dict.fromkeys(h.lstrip("#") for h in hashtags if h.strip("#")))
    specs = []
    for platform in platforms:
        if platform == "mastodon":
            base = instance or config.platforms.mastodon.base_url
            spec = CrawlSpec("mastodon", base.rstrip("/"))
        else:
            spec = CrawlSpec("bluesky", (appview or config.platforms.bluesky.base_url).rstrip("/"),
                             pds=(pds or config.platforms.bluesky.pds).rstrip("/"),
                             appview_did=appview_did or config.platforms.bluesky.appview_did)
        spec.hashtags, spec.handles, spec.campaign = tags, [h.lstrip("@") for h in handles], campaign
        if known:
            spec.handles += stored_candidates(env.database_path, platform)
        spec.target_tiers = list(tiers) or (None if campaign else ["micro"])
        spec.prefilter = not no_prefilter and config.crawl.prefilter
        spec.bounds, skipped = bounds_for_needs(bounds, data_needed(config, env.rules, platform, campaign))
        if skipped:
            click.echo(f"{platform}: not fetching {' or '.join(skipped)}: no enabled rule reads them")
        specs.append(spec)

    try:
        rows = run_crawls(config, env.database_path, specs, resume=resume, progress=sys.stdout.isatty(),
                          campaign=campaign)
    except CrawlProblem as exc:
        if exc.exit_code == 2:
            raise UsageProblem(str(exc)) from None
        raise click.ClickException(str(exc)) from None
    failed, refused = False, None
    for row in rows:
        for line in _summary(row):
            click.echo(line)
        stats = json.loads(row.get("stats") or "{}")
        if row["status"] == "failed" and stats.get("reason") in CONFIG_REASONS:
            refused = stats.get("message")
        elif row["status"] == "failed":
            failed = True
            click.echo(f"  failed: {stats.get('message') or stats.get('reason')}", err=True)
        elif row["status"] == "interrupted":
            failed = True
            click.echo("  interrupted: run the same command with --resume to continue", err=True)
    if refused:
        raise UsageProblem(refused)
    if failed:
        sys.exit(1)
