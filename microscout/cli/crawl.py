"""`microscout crawl`: discovery crawls of Mastodon, Bluesky, YouTube, Instagram and TikTok into the database."""
from __future__ import annotations

import json
import re
import sys
import time

import click

from microscout.cli.common import UsageProblem, with_env
from microscout.crawlers.platforms import API_PLATFORMS, CRAWLABLE, ELSEWHERE, LOOP

PLATFORMS = CRAWLABLE
# Why a crawl stopped that the configuration must fix (exit 2): the login, the account,
# the PDS or the AppView DID. Any other failure is a runtime one (exit 1).
CONFIG_REASONS = {"login_refused", "appview_refused", "account_unavailable", "token_refused", "permission_missing",
                  "key_invalid", "key_restricted", "api_not_enabled"}


MISSING_SHOWN = 50  # lines of an incomplete run's missing list printed (all are in the run record)


def run_record(row: dict) -> dict:
    """A crawl_runs row as JSON for `crawl --json`: its JSON columns parsed, nothing secret
    (a run's arguments never hold one)."""
    out = dict(row)
    for key in ("arguments", "stats", "errors"):
        if isinstance(out.get(key), str):
            try:
                out[key] = json.loads(out[key])
            except ValueError:
                pass
    return out


def _summary(row: dict) -> list[str]:
    stats = json.loads(row.get("stats") or "{}")
    errors = json.loads(row.get("errors") or "{}")
    error_text = ", ".join(f"{k} {v}" for k, v in sorted(errors.items())) or "none"
    per = stats.get("requests_per_candidate")
    lines = [
        f"crawl run {row['id']} ({row['platform']}): {row['status']} in {row.get('duration') or 0:.1f}s",
        f"  requests {row['requests']}, items {row['items']}, profiles {row['profiles']} "
        f"(opted out {stats.get('opted_out', 0)}, prefiltered {stats.get('prefiltered', 0)}), "
        f"posts {row['posts']}, replies {stats.get('comments', 0)}, followers sampled {stats.get('followers', 0)}",
        f"  requests per stored candidate {per if per is not None else '-'}, "
        f"rate-limit waits {row['rate_limit_waits']}, retries {stats.get('retries', 0)}",
        f"  errors: {error_text}",
    ]
    if stats.get("offsite_refused"):
        origins = ", ".join(stats.get("offsite_origins") or [])
        lines.append(f"  refused {stats['offsite_refused']} requests to other servers ({origins}): links and "
                     "redirects are followed only on the configured servers")
    # once each: a profile's replies refused on several posts is one entry
    refused = list(dict.fromkeys(_what(w) for w in stats.get("robots_refused") or []))
    if refused:
        named = "; ".join(refused[:ROBOTS_SHOWN])
        more = f"; … and {len(refused) - ROBOTS_SHOWN} more" if len(refused) > ROBOTS_SHOWN else ""
        lines.append(f"  not fetched: the server's robots.txt refuses it, and the crawl obeys ([crawl] obey_robots): "
                     f"{named}{more}")
    if stats.get("budget_exhausted"):
        lines.append("  stopped at the request budget (--max-requests, [crawl] max_requests: the API requests the "
                     "crawl asks for, their retries and robots.txt not counted): what was not asked "
                     "for by then is not stored, and each profile's fetched column says which parts it has; "
                     "a higher bound gets the rest")
    if stats.get("max_profiles_reached"):
        lines.append("  stopped taking new authors at the profile bound (--max-profiles, [crawl] max_profiles): "
                     "the authors after it were not looked up")
    gone = stats.get("gone") or []
    if gone:
        why = "no such account" if row["platform"] != "mastodon" else "no such account, or it moved or was suspended"
        lines.append(f"  no longer found on {row['platform']} (the platform says {why}; left out "
                     f"of shortlists until a crawl finds it again): {', '.join(gone)}")
    for note in stats.get("notes") or []:
        lines.append(f"  note: {note}")
    return lines


ROBOTS_SHOWN = 10


def _what(what: dict) -> str:
    """What a request was for (CrawlSpider.describe), in words."""
    if "hashtag" in what:
        listed = f" ({what['list']})" if what.get("list") else ""
        return f"#{what['hashtag']}{listed} page {what.get('page', 1)}"
    if "profiles" in what:
        return "the profile of " + ", ".join(map(str, what["profiles"]))
    if "part" in what:
        return f"{what.get('handle') or what.get('profile')}: {what['part']}"
    return str(what.get("request", "a request"))


def missing_lines(missing: dict | None) -> list[str]:
    """What an incomplete run is missing, one line per profile or hashtag page."""
    if not missing:
        return []
    lines = []
    for page in missing.get("hashtag_pages", []):
        listed = f" ({page['list']})" if page.get("list") else ""  # Instagram: top media, recent media
        lines.append(f"    hashtag #{page['hashtag']}{listed}: page {page['page']} ({page['why']}), "
                     "and the pages after it")
    for found in missing.get("profiles", []):
        parts = []
        for part in found["parts"]:
            if part == "replies" and found.get("replies_of"):
                parts.append(f"replies of post{'s' if len(found['replies_of']) > 1 else ''} "
                             + ", ".join(found["replies_of"]))
            else:
                parts.append(part)
        name = f"{found['handle']} ({found['profile']})" if found.get("handle") else found["profile"]
        lines.append(f"    {name}: {', '.join(parts)} ({'; '.join(found['why'])})")
    for other in missing.get("other", []):
        lines.append(f"    {other['url']} ({other['why']})")
    if missing.get("program_errors"):
        lines.append(f"    {missing['program_errors']} answers could not be processed (a program error: see the "
                     "crawl's log, and please report it); run the crawl again without --resume")
    if missing.get("unstored_items"):
        lines.append(f"    {missing['unstored_items']} items fetched but not written to the database (see the "
                     "crawl's log); --resume cannot fetch them again: run the crawl again without it")
    if len(lines) > MISSING_SHOWN:
        rest = len(lines) - MISSING_SHOWN
        lines = lines[:MISSING_SHOWN] + [f"    … and {rest} more (all of them in crawl_runs.stats, key \"missing\")"]
    return lines


def _resumable(db_path, specs: list, as_json: bool) -> list:
    """A campaign's crawl over several platforms, resumed: the platforms whose last run with
    these arguments was cut short; those that finished are said and left alone. With none
    to resume, all are kept, so the runner says why for each."""
    from microscout.crawlers.runner import RESUMABLE, last_run

    last = {spec.platform: last_run(db_path, spec) for spec in specs}
    keep = [spec for spec in specs if (last[spec.platform] or {}).get("status") in RESUMABLE]
    if not keep:
        return specs
    for spec in specs:
        row = last[spec.platform]
        if spec not in keep:
            said = f"crawl run {row['id']} finished" if row and row["status"] == "finished" else \
                f"its last run is {row['status']}" if row else "there is no earlier run"
            click.echo(f"{spec.platform}: nothing to resume ({said}); resuming the others", err=as_json)
    return keep


def _known_of_resumed_run(db_path, spec, given: int) -> None:
    """--resume --known: the run being resumed took as known the candidates stored when it
    began, and has stored more since; those are no new arguments. The spec takes back the
    handles of the latest run of the platform with its other arguments when it began with
    the ``given`` handles of the command line and took as known some of those stored now (a
    finished one: --resume then says so; one without --known is not taken for it)."""
    from pathlib import Path

    from microscout.store import open_store

    if not Path(db_path).exists():
        return
    want = {k: v for k, v in spec.arguments().items() if k != "handles"}
    db = open_store(db_path, readonly=True)
    try:
        found = db.execute("SELECT arguments FROM crawl_runs WHERE platform = ? ORDER BY id DESC",
                           [spec.platform]).fetchall()
    finally:
        db.conn.close()
    for (arguments,) in found:
        try:
            args = json.loads(arguments or "{}")
        except ValueError:
            continue
        if not isinstance(args, dict) or {k: v for k, v in args.items() if k != "handles"} != want:
            continue
        handles = args.get("handles") or []
        then, now = handles[given:], spec.handles[given:]  # its known candidates, and today's
        if handles[:given] == spec.handles[:given] and (then or not now) and set(then) <= set(now):
            spec.handles = list(handles)
        return


def _not_before_their_time(db_path, specs: list, config) -> list:
    """A --resume leaves out the platforms whose server (the instance, the PDS, the API host)
    asked their last run not to ask before a time still to come (a 429's Retry-After): not
    even a login or a token request goes there before then. Each is said; with none left,
    nothing is run (exit 1)."""
    from microscout.crawlers.middlewares import host_key, said_time, still_closed
    from microscout.crawlers.runner import RESUMABLE, last_run

    keep, waits = [], []
    for spec in specs:
        row = last_run(db_path, spec) or {}
        if row.get("status") not in RESUMABLE:
            keep.append(spec)  # nothing to resume: the runner says so (a failed run is begun again without --resume)
            continue
        closed = still_closed(json.loads(row.get("stats") or "{}").get("closed_until"), time.time())
        # A Bluesky crawl asks its PDS (sessions, searches) and its AppView (profiles, posts):
        # either one closed leaves nothing the run could finish. The others ask their base URL.
        contacts = [spec.base_url]
        if spec.platform == "bluesky":
            contacts.append(spec.pds or config.platforms.bluesky.pds)
        hosts = [h for h in dict.fromkeys(host_key(c) for c in contacts if c) if h in closed]
        if not hosts:
            keep.append(spec)
            continue
        host = max(hosts, key=lambda h: closed[h][0])  # the one to wait for longest
        waits.append(f"{spec.platform}: {host} asked crawl run {row['id']} not to ask before "
                     f"{said_time(closed[host][0])}; run the same command with --resume after then")
    for line in waits if keep else ():
        click.echo(f"{line} (resuming the others)", err=True)
    if not keep:
        click.echo("\n".join(waits), err=True)
        sys.exit(1)
    return keep




def _incomplete_report(row: dict) -> list[str]:
    stats = json.loads(row.get("stats") or "{}")
    missing = stats.get("missing") or {}
    profiles, pages = len(missing.get("profiles", [])), len(missing.get("hashtag_pages", []))
    what = []
    if profiles:
        what.append(f"{profiles} profile{'s' if profiles != 1 else ''}")
    if pages:
        what.append(f"{pages} hashtag page{'s' if pages != 1 else ''}")
    head = f"crawl run {row['id']} ({row['platform']}) is incomplete:"
    if what or not (missing.get("unstored_items") or missing.get("program_errors")):
        # an API quota (YouTube units) stops requests before they are sent: say so
        whys = [w for p in missing.get("profiles", []) for w in p["why"]] + [
            p["why"] for p in missing.get("hashtag_pages", [])]
        # sent and refused for the API's daily quota (YouTube's quotaExceeded), or not sent for it
        refused = [w for w in whys if w.startswith("refused by the server") and "quota" in w]
        quota = [w for w in whys if (w.startswith("not sent") or "quota" in w) and w not in refused]
        looped = [w for w in whys if w.startswith(LOOP)]
        moved = [w for w in whys if w.startswith("redirected to another server")]
        elsewhere = [w for w in whys if w.startswith(ELSEWHERE)]
        # a 429 or the Graph API's usage headers asking for a longer wait than the crawl may
        # take: not asked again (nor at all, for what came after), not failed after retries
        waited = [w for w in whys if w.startswith("rate limited: ")]
        causes = [c for c, n in (("they failed after every retry",
                                  len(whys) - len(quota) - len(refused) - len(looped) - len(moved) - len(elsewhere)
                                  - len(waited)),
                                 ("refused by the server: the API's daily quota is spent", len(refused)),
                                 ("the server asked to wait longer than MICROSCOUT_MAX_RATE_WAIT allows", len(waited)),
                                 ("the server's pages looped", len(looped)),
                                 ("the server sent the crawl to another server", len(moved)),
                                 ("the server's next-page links lead to another host", len(elsewhere)),
                                 ("not sent: the API quota ran out", len(quota))) if n]
        cause = ", or ".join(causes) or "they failed after every retry"
        head += f" {' and '.join(what) or 'some requests'} could not be fetched ({cause}):"
    lines = [head, *missing_lines(missing)]
    if (missing.get("unstored_items") or missing.get("program_errors")) and stats.get("log"):
        lines.append(f"  the crawl's log: {stats['log']}")
    hosts = elsewhere_hosts(missing)
    if not hosts:
        return [*lines, f"  {resume_advice(stats)} to fetch only what is missing"]
    # a page on another host: --resume cannot fetch it (it asks the same servers), nor tries
    whys = [w for p in missing.get("profiles", []) for w in p["why"]] + [
        p["why"] for p in missing.get("hashtag_pages", []) + missing.get("other", [])]
    others = any(not w.startswith(ELSEWHERE) for w in whys) or missing.get("unstored_items") or missing.get(
        "program_errors")
    if others:
        lines.append(f"  {resume_advice(stats)} to fetch what else is missing")
    return [*lines, f"  --resume cannot fetch {'the pages on another host' if others else 'these'}: the crawl asks "
                    f"only the configured server, and these pages' links name {', '.join(hosts)}; if "
                    f"{'that is' if len(hosts) == 1 else 'one of them is'} the same server, crawl it anew with "
                    f"{_url_option(row['platform'])} set to that address"]


def elsewhere_hosts(missing: dict) -> list[str]:
    """The hosts a run's missing next pages are on (their links named another origin)."""
    whys = [w for p in missing.get("profiles", []) for w in p["why"]] + [
        p["why"] for p in missing.get("hashtag_pages", [])]
    return list(dict.fromkeys(w.removeprefix(f"{ELSEWHERE}: ").partition(",")[0]
                              for w in whys if w.startswith(ELSEWHERE)))


def _url_option(platform: str) -> str:
    """The option that names a platform's server (--instance, --api, …)."""
    from microscout.crawlers.platforms import spider_class

    try:
        return spider_class(platform).url_option
    except (KeyError, ImportError):
        return "the server's URL"


def resume_advice(stats: dict) -> str:
    """'run the same command with --resume', and after when, if a host of the run asked (a
    429) not to be asked before a time still to come: a --resume before then is not begun
    (_not_before_their_time)."""
    from microscout.crawlers.middlewares import said_time, still_closed

    closed = still_closed(stats.get("closed_until"), time.time())
    if not closed:
        return "run the same command with --resume"
    host, (until, _) = max(closed.items(), key=lambda item: item[1][0])
    return f"run the same command with --resume after {said_time(until)} ({host} asked not to be asked before then)"


def checked_handle(value: str) -> str:
    """A --handle as the spiders take it (@ and profile URLs allowed); UsageProblem otherwise."""
    from microscout.cli.handles import RIGHT, normalize

    handle = normalize(value)
    if not handle:
        raise UsageProblem(f"--handle {value!r} is not a handle; write {RIGHT}")
    return handle


def checked_tag(value: str, where: str) -> str:
    """A hashtag without its '#'; UsageProblem naming ``where`` for one that is empty or holds
    a space or a character that would change the request (/ ? # & %): it would be searched as
    another tag, or as none. Platforms' own tag characters (combining marks, ZWNJ, '·', '-'
    on Bluesky) pass."""
    tag = value.strip().lstrip("#")
    if not tag or re.search(r"[\s/?#&%\x00-\x1f\x7f]", tag):
        raise UsageProblem(f"{where} {value!r}: not a hashtag; give one tag per --hashtag, without spaces, "
                           f"e.g. veganrecipes")
    return tag


def check_url(value: str, option: str) -> str:
    """An http(s) URL with a host, without a trailing slash; UsageProblem (exit 2) otherwise."""
    from urllib.parse import urlsplit

    text = (value or "").strip()
    problem = None
    shown = without_userinfo(text)
    if shown != text:
        # user:password@host: never echoed, stored or logged; secrets come from the environment
        raise UsageProblem(f"{option} {shown!r}: holds a user name or password; give the server's address alone "
                           f"(credentials come from the environment or an {{\"$env\" = NAME}} reference in the config)")
    if "?" in text:
        # ?key=… / ?access_token=…: never echoed, stored in the run's arguments or logged
        raise UsageProblem(f"{option} {text.partition('?')[0] + '?…'!r}: holds a query string; give the server's "
                           f"address alone (an API key or token comes from the environment or an "
                           f"{{\"$env\" = NAME}} reference in the config, never from a URL)")
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        problem = str(exc)
    else:
        if parts.scheme.lower() not in ("http", "https"):
            problem = "not an http:// or https:// URL"
        elif not parts.hostname:
            problem = "no host name"
        elif any(c.isspace() for c in text):
            problem = "it contains spaces"
    if problem:
        raise UsageProblem(f"{option} {shown!r}: {problem}; give the server's address, e.g. https://mastodon.social")
    return text.rstrip("/")


def without_userinfo(text: str) -> str:
    """``text`` with a URL's user name and password (whatever precedes the last '@' of its
    address part, before any ? or #) written as '…'; unchanged when it has none. A path's
    @name (https://mastodon.social/@alice) is not one."""
    if re.match(r"(?i)(mailto|tel|data|file|ftp):", text):
        return text  # an address of another kind, not a server: said so by the scheme check
    head, sep, tail = text.partition("//")
    rest = tail if sep else head
    address_end = len(rest)
    for mark in "?#":
        if mark in rest:
            address_end = min(address_end, rest.index(mark))
    address = rest[:address_end]
    at = address.rfind("@")
    if at < 0 or ("/" in address[:at] and re.fullmatch(r"[^:@]+(:\d+)?", address[:address.index("/")])):
        return text  # no @, or it is in the path (host[:port]/@alice), not before the host
    hidden = "…" + address[at:] + rest[address_end:]
    return f"{head}//{hidden}" if sep else hidden


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


# The column a spider looks a stored candidate up by, where it is not the platform_id:
# Instagram's business_discovery finds an account by its username only (the stored id is
# the numeric IG user id).
LOOKUP_COLUMN = {"instagram": "handle"}


def stored_candidates(db_path, platform: str) -> list[str]:
    """How to look up the candidates already stored (not opted out), oldest first: the
    acct on Mastodon, the DID on Bluesky, the channel id on YouTube, the username on
    Instagram and TikTok, each of which the spider looks up directly."""
    from pathlib import Path

    from microscout.store import open_store

    if not Path(db_path).exists():
        return []
    db = open_store(db_path)
    column = LOOKUP_COLUMN.get(platform, "platform_id")
    return [r[0] for r in db.execute(
        f"SELECT {column} FROM profiles WHERE platform = ? AND opted_out = 0 AND {column} IS NOT NULL ORDER BY id",
        [platform])]


@click.command(name="crawl", short_help="Discover creators on a platform or for a campaign.")
@click.argument("target")
@click.option("--hashtag", "hashtags", multiple=True, metavar="TAG",
              help="Hashtag to discover authors from (repeatable).")
@click.option("--handle", "handles", multiple=True, metavar="@USER", help="Account to crawl directly (repeatable).")
@click.option("--instance", default=None, metavar="URL",
              help="Mastodon instance (default: platforms.mastodon.base_url).")
@click.option("--appview", default=None, metavar="URL", help="Bluesky AppView (default: platforms.bluesky.base_url).")
@click.option("--pds", default=None, metavar="URL", help="Bluesky PDS for the login (default: platforms.bluesky.pds).")
@click.option("--appview-did", default=None, metavar="DID",
              help="DID of the AppView the PDS proxies searches to (default: platforms.bluesky.appview_did).")
@click.option("--api", "api_url", default=None, metavar="URL",
              help="API root for YouTube, Instagram or TikTok (default: platforms.P.base_url).")
@click.option("--handles", "handles_file", default=None, metavar="FILE",
              type=click.Path(dir_okay=False, path_type=str),
              help="CSV, .xlsx or text file of accounts to crawl (a handle column, or one per line).")
@click.option("--max-units", type=click.IntRange(min=1), default=None,
              help="YouTube: quota units this crawl may spend (default: what today's quota has left).")
@click.option("--max-profiles", type=click.IntRange(min=1), default=None, help="Stop discovering after N profiles.")
@click.option("--max-requests", type=click.IntRange(min=1), default=None,
              help="Budget of API requests the crawl asks for (their retries and robots.txt not counted).")
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
@click.option("--resume", is_flag=True,
              help="Continue the last interrupted crawl with the same arguments, or fetch only what an "
                   "incomplete one is missing.")
@click.option("--no-prefilter", is_flag=True, help="Fetch everything for every profile.")
@click.option("--json", "as_json", is_flag=True,
              help="Print each run's record as JSON (status, counts, errors, what is missing) instead of a summary.")
@with_env
def command(env, target, hashtags, handles, instance, appview, pds, appview_did, api_url, handles_file, max_units,
            max_profiles, max_requests, pages, posts, replies, replied_posts, followers, tiers, known, resume,
            no_prefilter, as_json):
    """Crawl TARGET: `mastodon`, `bluesky`, `youtube`, `instagram`, `tiktok` or the name of a
    campaign in the config.

    Hashtag pages yield authors; each author's profile is stored and snapshotted, checked
    by the crawl-time prefilter, and only then are posts, replies and a follower sample
    fetched. Every run is recorded in crawl_runs.
    """
    from microscout.config import TIER_NAMES
    from microscout.crawlers.credentials import CrawlProblem
    from microscout.crawlers.runner import CrawlInterrupted, CrawlSpec, bounds_from_config, run_crawls
    from microscout.engine.evaluate import data_needed

    config = env.config
    bounds = bounds_from_config(config, max_profiles=max_profiles, max_requests=max_requests, hashtag_pages=pages,
                                posts_per_profile=posts, replies_per_post=replies,
                                posts_with_replies=replied_posts, follower_sample=followers, max_units=max_units)
    for tier in tiers:
        if tier not in TIER_NAMES:
            raise UsageProblem(f"--tier {tier}: unknown tier; tiers are {', '.join(TIER_NAMES)}")
    handles = tuple(checked_handle(h) for h in handles)
    if handles_file:
        from microscout.cli.handles import read_handles

        handles = tuple(handles) + tuple(read_handles(handles_file))
    if target in PLATFORMS:
        if not hashtags and not handles and not known:
            raise UsageProblem(f"crawl {target}: give at least one --hashtag TAG, --handle @USER, --handles FILE "
                               "or --known")
        platforms, campaign = [target], None
    else:
        if target not in config.campaigns and target in type(config.platforms).model_fields:
            raise UsageProblem(f"crawl {target}: microscout has no {target} crawler (it crawls "
                               f"{', '.join(PLATFORMS)}); bring {target} profiles and posts in with "
                               f"`microscout import FILE --platform {target}`")
        if target not in config.campaigns:
            from microscout.words import did_you_mean

            near = did_you_mean(target, PLATFORMS)
            if near:  # `crawl mastodn`: a platform misspelt, not a campaign missing
                raise UsageProblem(f"crawl {target}: not a platform, nor a campaign of {config.source}; {near}"
                                   f"(platforms: {', '.join(PLATFORMS)}; campaigns: "
                                   f"{', '.join(sorted(config.campaigns)) or 'none'})")
        campaign_cfg = config.campaign(target)
        if tiers:
            raise UsageProblem("--tier is for crawls without a campaign; the campaign's target_tier applies")
        platforms = [p for p in campaign_cfg.platforms if p in PLATFORMS]
        if not platforms:
            raise UsageProblem(f"campaign {target!r} names no crawlable platform (crawlable: {', '.join(PLATFORMS)})")
        hashtags = tuple(campaign_cfg.hashtags) + tuple(hashtags)
        if not hashtags and not handles and not known:
            raise UsageProblem(f"campaign {target!r} has no hashtags; "
                               f"add campaigns.{target}.hashtags or pass --hashtag")
        campaign = target
    if instance and "mastodon" not in platforms:
        raise UsageProblem("--instance is for Mastodon crawls")
    if (appview or pds or appview_did) and "bluesky" not in platforms:
        raise UsageProblem("--appview, --pds and --appview-did are for Bluesky crawls")
    if api_url and not set(platforms) & set(API_PLATFORMS):
        raise UsageProblem(f"--api is for {', '.join(API_PLATFORMS)} crawls")
    if max_units and "youtube" not in platforms:
        raise UsageProblem("--max-units is for YouTube crawls")
    if appview_did:
        from microscout.config import check_did

        try:
            check_did(appview_did)
        except ValueError as exc:
            raise UsageProblem(f"--appview-did {appview_did!r}: {exc}") from None

    given_tags = set(hashtags) - set(config.campaigns[campaign].hashtags if campaign else ())
    tags = list(dict.fromkeys(checked_tag(h, "--hashtag" if h in given_tags else
                                          f"{config.source}: campaigns.{campaign}.hashtags") for h in hashtags))
    specs = []
    for platform in platforms:
        if platform == "mastodon":
            base = check_url(instance, "--instance") if instance else check_url(
                config.platforms.mastodon.base_url, f"{config.source}: platforms.mastodon.base_url")
            spec = CrawlSpec("mastodon", base)
        elif platform in API_PLATFORMS:
            spec = CrawlSpec(platform, check_url(api_url, "--api") if api_url else check_url(
                config.platforms.get(platform).base_url, f"{config.source}: platforms.{platform}.base_url"))
        else:
            bsky = config.platforms.bluesky
            spec = CrawlSpec("bluesky",
                             check_url(appview, "--appview") if appview else check_url(
                                 bsky.base_url, f"{config.source}: platforms.bluesky.base_url"),
                             pds=check_url(pds, "--pds") if pds else check_url(
                                 bsky.pds, f"{config.source}: platforms.bluesky.pds"),
                             appview_did=appview_did or bsky.appview_did)
        spec.hashtags, spec.handles, spec.campaign = tags, [h.lstrip("@") for h in handles], campaign
        if known:
            spec.handles += stored_candidates(env.database_path, platform)
        spec.target_tiers = list(tiers) or (None if campaign else ["micro"])
        spec.prefilter = not no_prefilter and config.crawl.prefilter
        spec.bounds, skipped = bounds_for_needs(bounds, data_needed(config, env.rules, platform, campaign))
        if skipped:
            click.echo(f"{platform}: not fetching {' or '.join(skipped)}: no enabled rule reads them", err=as_json)
        specs.append(spec)

    if resume and known:
        for spec in specs:
            _known_of_resumed_run(env.database_path, spec, len(handles))
    if resume and len(specs) > 1:
        specs = _resumable(env.database_path, specs, as_json)
    if resume:
        specs = _not_before_their_time(env.database_path, specs, config)
    try:
        rows = run_crawls(config, env.database_path, specs, resume=resume, progress=sys.stdout.isatty(),
                          rules=env.rules, campaign=campaign)
    except CrawlInterrupted:
        click.echo("interrupted before the crawl started; nothing was recorded", err=True)
        sys.exit(1)
    except CrawlProblem as exc:
        if exc.exit_code == 2:
            raise UsageProblem(str(exc)) from None
        raise click.ClickException(str(exc)) from None
    failed, refused = False, None
    given = [h.lstrip("@") for h in handles]  # what the user asked for (not --known's ids)
    if as_json:
        from microscout.cli.handles import report

        records = [run_record(row) for row in rows]
        for record in records:
            if given and isinstance(record.get("stats"), dict):
                record["handle_report"] = report(given, record["stats"].get("handles"),
                                                 stopped=record.get("status") == "interrupted")
        click.echo(json.dumps(records, ensure_ascii=False, indent=1))
    for row in rows:
        stats = json.loads(row.get("stats") or "{}")
        if not as_json:
            from microscout.cli.handles import report_lines

            stopped = row.get("status") == "interrupted"
            for line in _summary(row) + (report_lines(given, stats.get("handles"), stopped) if given else []):
                click.echo(line)
        if row["status"] == "failed" and stats.get("reason") in CONFIG_REASONS:
            refused = stats.get("message")
        elif row["status"] == "failed":
            failed = True
            click.echo(f"crawl run {row['id']} ({row['platform']}) failed: "
                       f"{stats.get('message') or stats.get('reason')}", err=True)
        elif row["status"] == "interrupted":
            failed = True
            click.echo(f"crawl run {row['id']} ({row['platform']}) interrupted: {resume_advice(stats)} to continue",
                       err=True)
        elif row["status"] == "incomplete":
            failed = True
            for line in _incomplete_report(row):
                click.echo(line, err=True)
    if refused:
        raise UsageProblem(refused)
    if failed:
        sys.exit(1)
