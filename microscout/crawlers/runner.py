"""Run crawls: arguments -> crawl_runs record -> Scrapy CrawlerProcess -> summary.

The reactor starts once per process, so one call of run_crawls per process.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path

from microscout.config import Config
from microscout.crawlers.bsky_session import Login, SessionFile, SessionProblem, session_path
from microscout.crawlers.settings import build_settings
from microscout.crawlers.spiders.base import Bounds
from microscout.store import open_store
from microscout.store.writes import now_iso

BSKY_HANDLE_ENV = "MICROSCOUT_BSKY_HANDLE"
BSKY_PASSWORD_ENV = "MICROSCOUT_BSKY_APP_PASSWORD"
LOGIN_HELP = (f"set platforms.bluesky.handle and platforms.bluesky.app_password in the config "
              f"(e.g. app_password = {{\"$env\" = \"{BSKY_PASSWORD_ENV}\"}}), or export "
              f"{BSKY_HANDLE_ENV}=you.bsky.social and {BSKY_PASSWORD_ENV}=<an app password from "
              f"Settings > Privacy and security > App passwords>")


class CrawlProblem(Exception):
    """A crawl that cannot start: bad input, missing or refused credentials (exit 2), or a
    login that may work later (rate limited, the PDS unreachable: exit_code 1)."""

    def __init__(self, message: str, exit_code: int = 2):
        super().__init__(message)
        self.exit_code = exit_code


@dataclass
class CrawlSpec:
    platform: str
    base_url: str
    hashtags: list[str] = field(default_factory=list)
    handles: list[str] = field(default_factory=list)
    campaign: str | None = None
    pds: str | None = None
    appview_did: str | None = None
    target_tiers: list[str] | None = None
    prefilter: bool = True
    bounds: Bounds = field(default_factory=Bounds)

    def arguments(self) -> dict:
        """What was asked, for the run record and for --resume: never a secret."""
        args = {"platform": self.platform, "base_url": self.base_url, "hashtags": self.hashtags,
                "handles": self.handles, "campaign": self.campaign, "target_tiers": self.target_tiers,
                "prefilter": self.prefilter, "bounds": asdict(self.bounds)}
        if self.pds:
            args["pds"] = self.pds
        if self.appview_did:
            args["appview_did"] = self.appview_did
        return args


def bounds_from_config(config: Config, **overrides) -> Bounds:
    c = config.crawl
    values = dict(hashtag_pages=c.hashtag_pages, posts_per_profile=c.posts_per_profile,
                  posts_with_replies=c.posts_with_replies, replies_per_post=c.replies_per_post,
                  follower_sample=c.follower_sample, max_profiles=c.max_profiles, max_requests=c.max_requests)
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Bounds(**values)


def bluesky_credentials(config: Config) -> tuple[str, str]:
    bsky = config.platforms.bluesky
    handle = bsky.handle.get_secret_value() if bsky.handle else os.environ.get(BSKY_HANDLE_ENV, "")
    password = bsky.app_password.get_secret_value() if bsky.app_password else os.environ.get(BSKY_PASSWORD_ENV, "")
    if not handle or not password:
        raise CrawlProblem(f"Bluesky hashtag search needs a login: {LOGIN_HELP}")
    return handle.lstrip("@"), password


def bluesky_login(config: Config, pds: str) -> Login:
    """The configured account's session at this PDS: the saved one if it still works,
    else refreshed, else a new login (see bsky_session)."""
    handle, password = bluesky_credentials(config)
    configured = config.platforms.bluesky.session_file
    path = session_path(pds, handle, config.path(configured) if configured else None)
    resolved = path.resolve()
    for what, folder in (("the crawl job folder (crawl.jobdir)", config.path(config.crawl.jobdir)),
                         ("the exports folder (exports.dir)", config.path(config.exports.dir))):
        if resolved.is_relative_to(folder.resolve()):
            raise CrawlProblem(f"platforms.bluesky.session_file {path} is inside {what}: keep the session "
                               "outside what is shared; choose another path")
    login = Login(pds, handle, password, user_agent=config.crawl.user_agent, store=SessionFile(path),
                  login_help=LOGIN_HELP)
    try:
        login.start()
    except SessionProblem as exc:
        raise CrawlProblem(str(exc), exc.exit_code) from None
    return login


def _alive(pid) -> bool:
    try:
        os.kill(int(pid), 0)
    except (OSError, TypeError, ValueError):
        return False
    return True


def mark_stale_runs(db) -> None:
    """A run still 'running' whose process is gone was killed: it is interrupted."""
    for row in list(db.query("SELECT id, stats FROM crawl_runs WHERE status = 'running'")):
        pid = (json.loads(row["stats"] or "{}") or {}).get("pid")
        if pid is not None and int(pid) != os.getpid() and not _alive(pid):
            with db.conn:
                db["crawl_runs"].update(row["id"], {"status": "interrupted"})


@dataclass
class Prepared:
    spec: CrawlSpec
    run_id: int
    jobdir: Path
    observed_at: str
    previous: dict


def prepare(db, config: Config, spec: CrawlSpec, resume: bool) -> Prepared:
    arguments = json.dumps(spec.arguments(), sort_keys=True)
    root = config.path(config.crawl.jobdir)
    if resume:
        rows = list(db.query("SELECT * FROM crawl_runs WHERE platform = ? AND arguments = ? "
                             "ORDER BY id DESC LIMIT 1", [spec.platform, arguments]))
        if not rows or rows[0]["status"] != "interrupted":
            state = f"the last one is {rows[0]['status']}" if rows else "there is none"
            raise CrawlProblem(f"--resume: no interrupted {spec.platform} crawl with these arguments "
                               f"({state}); run it without --resume")
        row = rows[0]
        jobdir = Path(row["jobdir"])
        if not (jobdir / "spider.state").exists():
            # killed without a clean shutdown: the frontier on disk is not trustworthy;
            # start the same run over (upserts make the repeated requests harmless)
            shutil.rmtree(jobdir, ignore_errors=True)
        previous = {"requests": row["requests"], "items": row["items"], "profiles": row["profiles"],
                    "posts": row["posts"], "rate_limit_waits": row["rate_limit_waits"],
                    "errors": json.loads(row["errors"] or "{}"), "duration": row["duration"] or 0,
                    "stats": json.loads(row["stats"] or "{}")}
        with db.conn:
            db["crawl_runs"].update(row["id"], {"status": "running", "finished_at": None,
                                                "stats": json.dumps({"pid": os.getpid()})})
        return Prepared(spec, row["id"], jobdir, row["started_at"], previous)
    started = now_iso()
    with db.conn:
        run_id = db["crawl_runs"].insert({"platform": spec.platform, "arguments": arguments,
                                          "started_at": started, "status": "running",
                                          "stats": json.dumps({"pid": os.getpid()})}).last_pk
        jobdir = root / f"{spec.platform}-{run_id}"
        db["crawl_runs"].update(run_id, {"jobdir": str(jobdir)})
    if jobdir.exists():
        shutil.rmtree(jobdir)
    return Prepared(spec, run_id, jobdir, started, {})


def run_crawls(config: Config, db_path: Path, specs: list[CrawlSpec], *, resume: bool = False,
               progress: bool = False, campaign: str | None = None) -> list[dict]:
    """Run the crawls (at once, in one reactor) and return their crawl_runs rows."""
    from scrapy.crawler import CrawlerProcess

    from microscout.crawlers.spiders.bluesky import BlueskySpider
    from microscout.crawlers.spiders.mastodon import MastodonSpider
    from microscout.engine.plugins import collect_rules, plugin_manager_for
    from microscout.engine.prefilter import Prefilter

    # Credentials first: a crawl that cannot log in records nothing.
    logins: dict[str, Login] = {}
    for spec in specs:
        if spec.platform == "bluesky" and spec.hashtags:
            logins[spec.platform] = bluesky_login(config, spec.pds or config.platforms.bluesky.pds)
    rules = collect_rules(plugin_manager_for(config))
    db = open_store(db_path)
    mark_stale_runs(db)
    prepared = [prepare(db, config, spec, resume) for spec in specs]
    db.conn.close()

    log_level = os.environ.get("MICROSCOUT_LOG_LEVEL", "WARNING").upper()
    process = CrawlerProcess({"LOG_LEVEL": log_level, "TELNETCONSOLE_ENABLED": False})
    # Scrapy filters at its handler; also filter at the root so that unwanted records
    # (one per item at DEBUG) are not even built
    logging.getLogger().setLevel(log_level)
    classes = {"mastodon": MastodonSpider, "bluesky": BlueskySpider}
    for i, p in enumerate(prepared):
        crawl_config = config.model_copy(update={"crawl": config.crawl.model_copy(update={"prefilter": p.spec.prefilter})})
        prefilter = Prefilter(crawl_config, rules, campaign, p.spec.target_tiers)
        p.jobdir.mkdir(parents=True, exist_ok=True)
        settings = build_settings(config.crawl, db_path=str(db_path), run_id=p.run_id, observed_at=p.observed_at,
                                  jobdir=str(p.jobdir), progress=progress and i == 0, previous=p.previous)
        base = classes[p.spec.platform]
        spidercls = type(base.__name__, (base,), {"custom_settings": settings, "__module__": base.__module__})
        kwargs = dict(base_url=p.spec.base_url, hashtags=p.spec.hashtags, handles=p.spec.handles,
                      bounds=asdict(p.spec.bounds), prefilter=prefilter)
        if p.spec.platform == "bluesky":
            bsky = config.platforms.bluesky
            kwargs.update(pds_url=p.spec.pds or bsky.pds, appview_did=p.spec.appview_did or bsky.appview_did,
                          session=logins.get("bluesky"))
        process.crawl(spidercls, **kwargs)
    process.start()

    db = open_store(db_path)
    try:
        return [dict(db["crawl_runs"].get(p.run_id)) for p in prepared]
    finally:
        db.conn.close()
