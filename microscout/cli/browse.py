"""`microscout browse`: the database in Datasette, laid out to read.

Datasette is an optional extra (`pip install 'microscout[browse]'`). The database opens
with metadata that says what each table and column holds, facets on the columns worth
filtering by, and canned queries: the latest shortlist of a campaign, a creator's
verdicts, the campaigns with their latest runs, the recent schedule runs. It listens on
127.0.0.1 only.
"""
from __future__ import annotations

import json
import signal
import socket
import tempfile
from pathlib import Path

import click

from microscout.cli.common import Env, UsageProblem, with_env

INSTALL_HINT = "pip install 'microscout[browse]'"

# Tables nobody needs to read: bookkeeping of migrations, locks and change counters.
HIDDEN = ("_sqlite_migrations", "_migrations", "locks", "schedule_state", "data_version", "profile_versions",
          "feature_marks", "store_info")

# What a verdict's columns hold, in the verdicts table and the run_verdicts view alike.
VERDICT_COLUMNS = {"profile_id": "The creator (profiles.id)",
                   "outcome": "pass, warn, fail, unknown (the rule lacked data) or error",
                   "score": "The rule's score, 0 to 1", "reason": "One line a person reads",
                   "evidence": "The numbers, posts and text the verdict rests on (JSON)"}

TABLES: dict[str, dict] = {
    "shortlist_entries": {
        "title": "Shortlist entries: every judged candidate of every run",
        "description": "One row per judged candidate per shortlist run: rank (empty when excluded), "
                       "score, and the two reasons that weighed most (a ranked one's gates that could "
                       "not judge it after them).",
        "facets": ["platform", "tier", "excluded_by"], "sort": "rank", "label_column": "handle",
        "columns": {"run_id": "The shortlist run (shortlist_runs.id)", "profile_id": "The creator (profiles.id)",
                    "tier": "Follower tier on the creator's platform", "followers": "Followers when judged",
                    "engagement_rate": "Engagement per post as a share of followers (0.05 = 5%)",
                    "score": "Weighted mean of the rule scores, 0 to 1", "rank": "1 = best; empty = excluded",
                    "excluded_by": "The gate rule that failed, if any",
                    "reasons": "The two verdicts that weighed most, then for a ranked one the gates that could "
                               "not judge it (JSON list)",
                    "verdicts_run": "The earlier run whose verdicts this candidate kept (empty: judged in this run)"}},
    "verdicts": {
        "title": "Verdicts: each rule on each candidate",
        "description": "Every rule's verdict on every candidate, stored with the run that judged it (a later "
                       "run keeping it names that run: see run_verdicts), with its evidence.",
        "facets": ["rule", "outcome"],
        "columns": {**VERDICT_COLUMNS, "run_id": "The shortlist run that judged it"}},
    "run_verdicts": {
        "title": "Verdicts each run shows",
        "description": "Every run's verdicts on its candidates, those it judged and those it kept from an "
                       "earlier run (stored once, with the run that judged them).",
        "facets": ["rule", "outcome"],
        "columns": {**VERDICT_COLUMNS, "run_id": "The shortlist run showing the verdict",
                    "judged_in": "The run that judged it"}},
    "shortlist_runs": {
        "title": "Shortlist runs",
        "description": "Each shortlist run: campaign, when, how many judged and excluded, the settings used.",
        "facets": ["campaign", "status"], "sort_desc": "id",
        "columns": {"settings": "Gates, weights and every rule's options (JSON)",
                    "status": "running, finished, interrupted, failed, or pruned: an older run whose verdicts "
                              "and entries were deleted (shortlists.keep_runs)",
                    "fingerprint": "Data, settings and rule code judged: an equal one is re-used",
                    "data_version": "The store's change counter when the run started: candidates written "
                                    "after it are judged again by the next run",
                    "judged_at": "The moment the rules judged as of (a run that kept earlier verdicts "
                                 "judges as of theirs)"}},
    "profiles": {
        "title": "Creators (profiles)",
        "description": "Every creator a crawl found (opted-out accounts: an id and the reason only).",
        "facets": ["platform", "opted_out", "bridged", "bot"], "label_column": "handle",
        "columns": {"platform_id": "acct user@domain on Mastodon, DID on Bluesky",
                    "url": "The profile's page on the platform (the exports' profile link)",
                    "website": "The creator's own website as the platform gives it (Instagram's website, a Mastodon "
                               "profile field its server verified) or an imported file's website column: the "
                               "exports' contact when the bio has no email",
                    "followers": "Empty when hidden, never 0 for unknown",
                    "instance": "The server the numbers came from",
                    "prefilter_reason": "Why the crawl fetched nothing more for this profile",
                    "fetched": "Kinds of data the crawl fetched (JSON)"}},
    "profile_snapshots": {
        "title": "Follower history",
        "description": "Follower, following and post counts at each crawl: growth over time.",
        "sort_desc": "observed_at"},
    "posts": {
        "title": "Posts",
        "description": "Recent posts of each candidate, with engagement counts.",
        "facets": ["platform", "paid_flag", "is_reply", "language"], "sort_desc": "created_at",
        "columns": {"paid_flag": "The platform's own paid-partnership flag",
                    "observed_at": "When the counts were taken (the crawl's time, an imported file's observed_at): "
                                   "an older import fills in only what is empty; empty for posts stored before "
                                   "it was kept"}},
    "comments": {
        "title": "Replies to the posts",
        "description": "Replies to the candidates' posts (comment quality, pods).",
        "facets": ["platform"],
        "columns": {"observed_at": "When the likes were taken (the crawl's time, an imported file's observed_at): "
                                   "an older import fills in only what is empty; empty for replies stored before "
                                   "it was kept"}},
    "follower_samples": {
        "title": "Follower samples",
        "description": "A sample of each candidate's followers (audience authenticity)."},
    "post_features": {
        "title": "Post features",
        "description": "Each post's sponsored analysis (signals, labels, disclosure), computed when the post was "
                       "written, per version of the settings that shaped it; empty analysis: nothing sponsored.",
        "facets": ["version"]},
    "niche_features": {
        "title": "Niche features",
        "description": "The campaign terms (hashtags, keywords) each post uses, per version of a campaign's terms, "
                       "for the campaigns that judge niche relevance; empty terms: none.",
        "facets": ["version"]},
    "comment_features": {
        "title": "Comment features",
        "description": "Each comment's class (genuine, generic, spam), computed when the comment was written, "
                       "per version of the thresholds that shaped it; detail (comments not genuine): the class, "
                       "matched text and reasons a verdict shows of it.",
        "facets": ["version", "label"]},
    "follower_features": {
        "title": "Follower features",
        "description": "Each sampled follower's class (real, dormant, suspicious, mass_follower, bot; undescribed "
                       "without counts), computed when it was written, per version of the thresholds; detail "
                       "(suspicious, mass_follower, bot): the reasons a verdict shows of it.",
        "facets": ["version", "label"]},
    "feature_settings": {
        "title": "Feature settings",
        "description": "The settings the configured rules use per kind of item and platform (sponsored analysis, "
                       "a campaign's terms, comment and follower classes): the versions the *_features tables are "
                       "kept for (`microscout db refresh-features`)."},
    "crawl_runs": {
        "title": "Crawl runs",
        "description": "Each crawl: what was asked, requests, items, errors, duration.",
        "facets": ["platform", "status"], "sort_desc": "id"},
    "api_usage": {
        "title": "API usage",
        "description": "Limited API resources used, remembered across crawls: YouTube quota units per day, "
                       "Instagram hashtag searches (30 a week).",
        "facets": ["platform", "usage"], "sort_desc": "at"},
    "exports": {
        "title": "Exports written",
        "description": "Each export written: campaign, format, file, rows (each campaign's newest 100, and "
                       "those a next export compares with).",
        "facets": ["campaign", "format", "schedule"], "sort_desc": "id"},
    "export_entries": {
        "title": "Exported rows and their ranks",
        "description": "Each exported row's rank, for the next export's rank change (kept for the exports a "
                       "next export can compare with)."},
    "schedule_runs": {
        "title": "Schedule runs",
        "description": "Each scheduled run: its steps, outcome, exports and error (each schedule's newest 100).",
        "facets": ["schedule", "status", "trigger"], "sort_desc": "id",
        "columns": {"scheduled_for": "The cron time the run was for (UTC)",
                    "trigger": "cron, catch-up (missed while no scheduler ran) or run-once",
                    "steps": "Each step: status, attempts, error, what it did (JSON)",
                    "exports": "Files written (JSON)"}},
}

QUERIES: dict[str, dict] = {
    "latest_shortlist": {
        "title": "Latest shortlist of a campaign",
        "description": "The ranked creators of the campaign's latest finished shortlist run, best first.",
        "sql": """SELECT e.rank, e.handle, e.platform, p.display_name, e.tier, e.followers,
       round(100.0 * e.engagement_rate, 2) AS engagement_pct, round(e.score, 3) AS score,
       (SELECT group_concat(value, ' | ') FROM json_each(e.reasons)) AS reasons, p.url AS profile_url, e.run_id
FROM shortlist_entries e JOIN profiles p ON p.id = e.profile_id
WHERE e.run_id = (SELECT max(id) FROM shortlist_runs WHERE campaign = :campaign AND status = 'finished')
  AND e.rank IS NOT NULL
ORDER BY e.rank"""},
    "creator_verdicts": {
        "title": "A creator's verdicts",
        "description": "Every rule's verdict on a creator (handle with or without @, or platform id) "
                       "in the latest shortlist run that judged them.",
        "sql": """SELECT p.handle, p.platform, r.campaign, v.run_id, e.rank, e.excluded_by, v.rule, v.outcome,
       round(v.score, 3) AS score, v.reason, v.evidence
FROM profiles p
JOIN shortlist_runs r ON r.id = (
    SELECT max(r2.id) FROM shortlist_runs r2 WHERE r2.status = 'finished'
    AND EXISTS (SELECT 1 FROM shortlist_entries x WHERE x.run_id = r2.id AND x.profile_id = p.id))
JOIN run_verdicts v ON v.run_id = r.id AND v.profile_id = p.id
LEFT JOIN shortlist_entries e ON e.run_id = r.id AND e.profile_id = p.id
WHERE p.handle IN (:handle, ltrim(:handle, '@')) OR p.platform_id = :handle
ORDER BY p.platform, v.rule"""},
    "campaigns": {
        "title": "Campaigns",
        "description": "Each campaign's latest finished shortlist run.",
        "sql": """SELECT campaign, max(id) AS latest_run, count(*) AS runs, max(finished_at) AS judged_at
FROM shortlist_runs WHERE status = 'finished' GROUP BY campaign ORDER BY campaign"""},
    "schedule_history": {
        "title": "Recent schedule runs",
        "description": "The latest 100 scheduled runs, newest first.",
        "sql": """SELECT id, schedule, campaign, trigger, scheduled_for, started_at, finished_at, status, error, exports
FROM schedule_runs ORDER BY id DESC LIMIT 100"""},
}


def metadata(db_name: str, tables: list[str]) -> dict:
    """Datasette metadata for a microscout database named ``db_name`` with ``tables``."""
    layout = {}
    for table in tables:
        if table in HIDDEN:
            layout[table] = {"hidden": True}
        elif table in TABLES:
            layout[table] = TABLES[table]
    return {
        "title": "microscout",
        "description": "Crawled creators, shortlists with every verdict and its evidence, exports and schedule "
                       "runs. Start with the queries: the latest shortlist of a campaign, a creator's verdicts.",
        "databases": {db_name: {
            "description": "A microscout database: crawls write it, shortlists read it.",
            "tables": layout,
            "queries": {name: q for name, q in QUERIES.items()
                        if name != "schedule_history" or "schedule_runs" in tables},
        }},
    }


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@click.command("browse")
@click.option("--port", type=click.IntRange(1, 65535), default=8001, show_default=True, help="Port on 127.0.0.1.")
@click.option("--open", "open_browser", is_flag=True, help="Open the page in a web browser.")
@with_env
def command(env: Env, port: int, open_browser: bool) -> None:
    """Open the database in Datasette on 127.0.0.1.

    Needs the optional extra: pip install 'microscout[browse]'. Tables and columns are
    described, facets offered, and canned queries give the latest shortlist of a campaign
    and a creator's verdicts.
    """
    try:
        from datasette.cli import cli as datasette_cli
        from datasette.utils import tilde_encode
    except ImportError:
        raise UsageProblem(f"browsing needs Datasette, which is not installed: {INSTALL_HINT}") from None
    db = env.db(readonly=True)  # a microscout database, or one clear line about why not
    tables = db.table_names() + db.view_names()  # Datasette describes views under "tables" too
    db.conn.close()
    path = env.database_path.resolve()
    if not _port_free(port):
        raise UsageProblem(f"port {port} on 127.0.0.1 is in use; pass --port with another")
    # Uvicorn shuts down on SIGTERM, then raises the signal again with the handler it found:
    # Python's default would end the process before the metadata's folder is removed.
    signal.signal(signal.SIGTERM, _stop)
    with tempfile.TemporaryDirectory(prefix="microscout-browse-") as folder:
        meta = Path(folder) / "metadata.json"
        meta.write_text(json.dumps(metadata(path.stem, tables), indent=2))
        # Datasette's route for the database: "spring.v2" or "Frühling 2026" as written answered 404
        # or broke the link at the space.
        click.echo(f"Browsing {path} at http://127.0.0.1:{port}/{tilde_encode(path.stem)} (Ctrl-C stops)")
        args = ["serve", str(path), "--host", "127.0.0.1", "--port", str(port), "--metadata", str(meta)]
        datasette_cli.main(args=args + (["--open"] if open_browser else []), prog_name="datasette",
                           standalone_mode=False)


def _stop(signum: int, _frame) -> None:
    raise SystemExit(128 + signum)  # as a shell reports a process ended by the signal
