"""Run crawls: arguments -> crawl_runs record -> Scrapy CrawlerProcess -> summary.

The reactor starts once per process, so one call of run_crawls per process.

A run's job folder (Scrapy's JOBDIR: the frontier, the dupefilter, the spider's state and
the log) is ``<crawl.jobdir>/<database name>-<hash of the database's absolute path>/
<platform>-<run id>``, with an ``owner.json`` naming the database: run ids count per
database, so two databases crawled from one folder never share or delete each other's
state, and ``--resume`` refuses a folder that belongs to another database.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import signal
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from microscout.config import Config
from microscout.crawlers.bsky_session import Login, SessionFile, SessionProblem, session_path
from microscout.crawlers.credentials import CrawlProblem
from microscout.crawlers.settings import build_settings
from microscout.crawlers.spiders.base import Bounds
from microscout.store import open_store
from microscout.store.transaction import transaction
from microscout.store.writes import now_iso

if TYPE_CHECKING:
    from scrapy.crawler import CrawlerProcess

BSKY_HANDLE_ENV = "MICROSCOUT_BSKY_HANDLE"
BSKY_PASSWORD_ENV = "MICROSCOUT_BSKY_APP_PASSWORD"
LOGIN_HELP = (f"set platforms.bluesky.handle and platforms.bluesky.app_password in the config "
              f"(e.g. app_password = {{\"$env\" = \"{BSKY_PASSWORD_ENV}\"}}), or export "
              f"{BSKY_HANDLE_ENV}=you.bsky.social and {BSKY_PASSWORD_ENV}=<an app password from "
              f"Settings > Privacy and security > App passwords>")


def db_identity(db_path) -> tuple[str, str]:
    """(absolute path, short hash of it): what a run's job state is keyed by."""
    resolved = str(Path(db_path).expanduser().resolve())
    return resolved, hashlib.sha256(resolved.encode()).hexdigest()[:12]


def job_folder(root: Path, db_path, platform: str, run_id: int) -> Path:
    resolved, digest = db_identity(db_path)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", Path(resolved).stem)[:40] or "db"
    return root / f"{stem}-{digest}" / f"{platform}-{run_id}"


def read_owner(jobdir: Path) -> dict | None:
    try:
        owner = json.loads((jobdir / "owner.json").read_text())
    except (OSError, ValueError):
        return None
    return owner if isinstance(owner, dict) else None


class CrawlInterrupted(Exception):
    """Ctrl-C (or SIGTERM) before any crawl started: nothing to resume."""


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
    bsky = config.platforms.bluesky
    # Where the two values came from: a refused login names what to fix, not keys already set.
    came_from = (f"the handle comes from "
                 f"{config.secret_origin('platforms.bluesky.handle', bool(bsky.handle), BSKY_HANDLE_ENV)}, the "
                 f"app password from "
                 f"{config.secret_origin('platforms.bluesky.app_password', bool(bsky.app_password), BSKY_PASSWORD_ENV)}"
                 f" (an app password from Settings > Privacy and security > App passwords)")
    login = Login(pds, handle, password, user_agent=config.crawl.user_agent, store=SessionFile(path),
                  login_help=came_from)
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


def run_pid(row: dict) -> int | None:
    """The process a crawl run's record names (its stats' pid); None when it names none."""
    try:
        pid = (json.loads(row["stats"] or "{}") or {}).get("pid")
        return None if pid is None else int(pid)
    except (ValueError, TypeError, AttributeError):
        return None


def running_crawls(db) -> list[dict]:
    """The crawl runs recorded running whose process is still there (or that name none):
    the ones writing to the store now; one whose process is gone was killed."""
    return [row for row in db.query("SELECT id, platform, stats FROM crawl_runs WHERE status = 'running' ORDER BY id")
            if (pid := run_pid(row)) is None or _alive(pid)]


def mark_stale_runs(db) -> None:
    """A run still 'running' whose process is gone was killed: it is interrupted."""
    for row in list(db.query("SELECT id, stats FROM crawl_runs WHERE status = 'running'")):
        pid = run_pid(row)
        if pid is not None and pid != os.getpid() and not _alive(pid):
            with transaction(db):
                db["crawl_runs"].update(row["id"], {"status": "interrupted"})


@dataclass
class Prepared:
    spec: CrawlSpec
    run_id: int
    jobdir: Path
    observed_at: str
    previous: dict


RESUMABLE = ("interrupted", "incomplete")


def last_run(db_path, spec: CrawlSpec) -> dict | None:
    """The latest crawl run with this spec's platform and arguments, or None."""
    db = open_store(db_path)
    try:
        rows = list(db.query("SELECT * FROM crawl_runs WHERE platform = ? AND arguments = ? ORDER BY id DESC LIMIT 1",
                             [spec.platform, json.dumps(spec.arguments(), sort_keys=True)]))
    finally:
        db.conn.close()
    return rows[0] if rows else None


def _other_resumable(db, spec: CrawlSpec) -> str:
    """What sets this command's arguments apart from the latest resumable crawl of the platform,
    as '; …' (empty when there is none): a --resume with another base URL or bound only heard
    'there is none', though a crawl waited to be resumed."""
    from microscout.config import shortened

    rows = list(db.query(f"SELECT id, arguments FROM crawl_runs WHERE platform = ? AND status IN "
                         f"({', '.join('?' * len(RESUMABLE))}) ORDER BY id DESC LIMIT 1", [spec.platform, *RESUMABLE]))
    if not rows:
        return ""
    try:
        theirs = json.loads(rows[0]["arguments"] or "{}")
    except ValueError:
        return ""
    ours = json.loads(json.dumps(spec.arguments()))  # as stored: lists, not tuples
    flat: dict[str, dict[str, object]] = {}
    for source, args in (("there", theirs), ("here", ours)):
        for key, value in args.items():
            for name, v in (value.items() if isinstance(value, dict) else [(None, value)]):
                flat.setdefault(f"{key}.{name}" if name else key, {})[source] = v
    differ = [f"{key} {shortened(repr(v.get('there')), 60)} there, {shortened(repr(v.get('here')), 60)} here"
              for key, v in sorted(flat.items()) if v.get("there") != v.get("here")]
    if not differ:
        return ""
    more = f" and {len(differ) - 3} more" if len(differ) > 3 else ""
    return (f"; the latest resumable {spec.platform} crawl, run {rows[0]['id']}, was started with other "
            f"arguments: {'; '.join(differ[:3])}{more}")


def prepare(db, config: Config, spec: CrawlSpec, resume: bool, db_path) -> Prepared:
    arguments = json.dumps(spec.arguments(), sort_keys=True)
    root = config.path(config.crawl.jobdir)
    database, db_id = db_identity(db_path)
    if resume:
        rows = list(db.query("SELECT * FROM crawl_runs WHERE platform = ? AND arguments = ? "
                             "ORDER BY id DESC LIMIT 1", [spec.platform, arguments]))
        if not rows or rows[0]["status"] not in RESUMABLE:
            state = f"the last one is {rows[0]['status']}" if rows else "there is none"
            if not rows:
                state += _other_resumable(db, spec)
            raise CrawlProblem(f"--resume: no interrupted or incomplete {spec.platform} crawl with these arguments "
                               f"in {database} ({state}); run it without --resume")
        row = rows[0]
        jobdir = Path(row["jobdir"]) if row["jobdir"] else None
        owner = read_owner(jobdir) if jobdir else None
        if owner is not None and owner.get("database") != database:
            raise CrawlProblem(f"--resume: the saved state of crawl run {row['id']} ({jobdir}) belongs to the "
                               f"database {owner.get('database')}, not {database}; run the crawl without --resume "
                               "to start a new run in this database")
        own = job_folder(root, db_path, spec.platform, row["id"])
        if owner is None or jobdir is None or not (jobdir / "spider.state").exists():
            # killed without a clean shutdown (the frontier on disk is not trustworthy), or
            # state this database cannot vouch for: start the same run over in its own
            # folder (upserts make the repeated requests harmless)
            if jobdir is not None and owner is not None:
                shutil.rmtree(jobdir, ignore_errors=True)
            if own.exists():
                shutil.rmtree(own, ignore_errors=True)
            jobdir = own
        previous = {"requests": row["requests"], "items": row["items"], "profiles": row["profiles"],
                    "posts": row["posts"], "rate_limit_waits": row["rate_limit_waits"],
                    "errors": json.loads(row["errors"] or "{}"), "duration": row["duration"] or 0,
                    "stats": json.loads(row["stats"] or "{}")}
        # The record keeps what the sessions so far counted and kept (counts, notes, hosts that
        # asked not to be asked before a time): a session stopped before its spider opens writes
        # nothing else, and the next --resume reads them from here. What was missing and the
        # log are the new session's to say.
        kept = {k: v for k, v in previous["stats"].items() if k not in ("pid", "reason", "message", "missing", "log")}
        with transaction(db):
            db["crawl_runs"].update(row["id"], {"status": "running", "finished_at": None, "jobdir": str(jobdir),
                                                "stats": json.dumps({**kept, "pid": os.getpid(), "database": database,
                                                                     "db_id": db_id})})
        return Prepared(spec, row["id"], jobdir, row["started_at"], previous)
    with transaction(db):
        started = _run_stamp(db, spec.platform)
        run_id = db["crawl_runs"].insert({"platform": spec.platform, "arguments": arguments,
                                          "started_at": started, "status": "running",
                                          "stats": json.dumps({"pid": os.getpid(), "database": database,
                                                               "db_id": db_id})}).last_pk
        jobdir = job_folder(root, db_path, spec.platform, run_id)
        db["crawl_runs"].update(run_id, {"jobdir": str(jobdir)})
    if jobdir.exists():  # this database's own, from before it was deleted and made again
        shutil.rmtree(jobdir)
    return Prepared(spec, run_id, jobdir, started, {})


def _run_stamp(db, platform: str) -> str:
    """Now, or the first second after it no other run of the platform started in: a run stamps
    its snapshots with its start, to the second, and two runs started in one second would
    otherwise write one snapshot, the second run's over the first's."""
    from datetime import datetime, timedelta

    now = now_iso()
    taken = {r[0] for r in db.execute("SELECT started_at FROM crawl_runs WHERE platform = ? AND started_at >= ?",
                                      [platform, now])}
    stamp = datetime.fromisoformat(now)
    while stamp.isoformat(timespec="seconds") in taken:
        stamp += timedelta(seconds=1)
    return stamp.isoformat(timespec="seconds")


def make_jobdir(p: Prepared, db_path) -> None:
    database, db_id = db_identity(db_path)
    try:
        p.jobdir.mkdir(parents=True, exist_ok=True)
        (p.jobdir / "owner.json").write_text(json.dumps(
            {"database": database, "db_id": db_id, "platform": p.spec.platform, "run_id": p.run_id}, indent=1))
    except OSError as exc:
        raise CrawlProblem(f"cannot write the crawl's job folder {p.jobdir}: {exc.strerror or exc}; set "
                           "crawl.jobdir in the config to a folder you can write to") from None


class Interrupts:
    """SIGINT / SIGTERM during run_crawls. Before the crawl starts: remembered (the crawl
    does not start). While it runs: the first stops every crawl gracefully (its state saved
    for --resume), the next stops the reactor at once."""

    def __init__(self) -> None:
        self.count = 0
        self.process: CrawlerProcess | None = None
        self.previous: dict = {}
        self.stopped: set[int] = set()

    def install(self) -> None:
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                self.previous[sig] = signal.signal(sig, self.handle)
            except ValueError:  # not the main thread: leave signals alone
                pass

    def restore(self) -> None:
        for sig, handler in self.previous.items():
            signal.signal(sig, handler)
        self.previous = {}

    def handle(self, signum, frame) -> None:
        self.count += 1
        if self.process is None:
            return
        from twisted.internet import reactor

        if self.count == 1:
            reactor.callFromThread(self.stop)
        else:
            signal.signal(signal.SIGINT, signal.default_int_handler)
            reactor.callFromThread(self.kill)

    def stop(self) -> None:
        from scrapy.utils.defer import deferred_from_coro
        from twisted.internet import reactor

        from microscout.crawlers.middlewares import crawl_stopping

        process = self.process
        assert process is not None  # handle() schedules stop() only once the crawl's process exists
        waiting = False
        for crawler in list(process.crawlers):
            if id(crawler) in self.stopped:
                continue
            try:
                engine = crawler.engine
            except RuntimeError:
                engine = None
            if engine is not None and engine.running:
                self.stopped.add(id(crawler))
                deferred_from_coro(crawler.stop_async())
                # The engine no longer takes requests from the frontier and waits for those in
                # the downloader: the ones waiting in our middlewares (a 429's Retry-After, a
                # Crawl-delay turn, up to MICROSCOUT_MAX_RATE_WAIT) end now, recorded missing for
                # --resume, so the crawl stops within moments instead of minutes.
                crawler.signals.send_catch_log(signal=crawl_stopping)
            else:
                waiting = True  # not started yet: stopped as soon as it is
        if waiting:
            # Twisted types the reactor by zope interfaces whose methods have no self; plain mypy (without
            # the mypy-zope plugin) takes the first parameter for self and misreads the signature.
            reactor.callLater(0.05, self.stop)  # type: ignore[arg-type]

    @staticmethod
    def kill() -> None:
        from twisted.internet import reactor

        try:
            reactor.stop()  # type: ignore[misc]  # zope interface method read without self, as above
        except RuntimeError:
            pass


def mark_unfinished(db_path, prepared: list[Prepared], interrupted: bool) -> None:
    """A run the crawl could not close (stopped before its spider opened, or a second
    Ctrl-C) is interrupted: --resume continues it."""
    db = open_store(db_path, upgrade=False)
    try:
        for p in prepared:
            row = db.table("crawl_runs").get(p.run_id)
            if row["status"] != "running":
                continue
            stats = json.loads(row["stats"] or "{}")
            stats.update(pid=os.getpid(), reason="shutdown" if interrupted else "not_closed")
            if not interrupted:
                stats["message"] = "the crawl ended without recording how; see the log in " + str(p.jobdir)
            with transaction(db):
                db.table("crawl_runs").update(p.run_id, {"status": "interrupted" if interrupted else "failed",
                                                         "finished_at": now_iso(), "stats": json.dumps(stats)})
    finally:
        db.conn.close()


def _not_begun(db_path, prepared: list[Prepared], why: str) -> None:
    """Runs whose crawl could not begin (their job folder could not be written) are not left
    'running': a new one failed, saying why; a resumed one is as resumable as it was."""
    db = open_store(db_path, upgrade=False)
    try:
        with transaction(db):
            for p in prepared:
                row = db.table("crawl_runs").get(p.run_id)
                stats = json.loads(row["stats"] or "{}")
                stats.update(reason="not_begun", message=why)
                db.table("crawl_runs").update(p.run_id, {"status": "interrupted" if p.previous else "failed",
                                                         "finished_at": now_iso(), "stats": json.dumps(stats)})
    finally:
        db.conn.close()


def run_crawls(config: Config, db_path: Path, specs: list[CrawlSpec], *, resume: bool = False,
               progress: bool = False, campaign: str | None = None, rules: dict | None = None) -> list[dict]:
    """Run the crawls (at once, in one reactor) and return their crawl_runs rows.

    ``rules``: the registered rules, when the caller has loaded the plugins already (the
    CLI has: each plugins_dir file runs once per command)."""
    interrupts = Interrupts()
    interrupts.install()
    try:
        return _run_crawls(interrupts, config, db_path, specs, resume=resume, progress=progress, campaign=campaign,
                           rules=rules)
    finally:
        interrupts.restore()


def _run_crawls(interrupts: Interrupts, config: Config, db_path: Path, specs: list[CrawlSpec], *, resume: bool,
                progress: bool, campaign: str | None, rules: dict | None) -> list[dict]:
    from scrapy.crawler import CrawlerProcess

    from microscout.crawlers.platforms import API_PLATFORMS, spider_class
    from microscout.engine.plugins import collect_rules, plugin_manager_for
    from microscout.engine.prefilter import Prefilter

    # Credentials first: a crawl that cannot log in records nothing.
    logins: dict[str, Login] = {}
    extra: dict[str, dict] = {}
    for spec in specs:
        if spec.platform == "bluesky" and spec.hashtags:
            logins[spec.platform] = bluesky_login(config, spec.pds or config.platforms.bluesky.pds)
        elif spec.platform in API_PLATFORMS:
            extra[spec.platform] = spider_class(spec.platform).preflight(config, spec, db_path=db_path)
    if rules is None:
        rules = collect_rules(plugin_manager_for(config))
    if interrupts.count:
        raise CrawlInterrupted()
    db = open_store(db_path)
    try:
        mark_stale_runs(db)
        prepared = []
        for spec in specs:
            prepared.append(prepare(db, config, spec, resume, db_path))
    finally:
        db.conn.close()
    try:
        for p in prepared:
            make_jobdir(p, db_path)
    except CrawlProblem as exc:
        _not_begun(db_path, prepared, str(exc))
        raise
    if interrupts.count:
        mark_unfinished(db_path, prepared, interrupted=True)
        return _rows(db_path, prepared)

    env_level = os.environ.get("MICROSCOUT_LOG_LEVEL")
    log_level = (env_level or "INFO").upper()
    # Scrapy's log goes to the (first) job folder, unless MICROSCOUT_LOG_LEVEL asks for it on
    # the console: the console gets the run's summary, one line per problem, no tracebacks
    log_file = None if env_level else str(prepared[0].jobdir / "crawl.log")
    process = CrawlerProcess({"LOG_LEVEL": log_level, "LOG_FILE": log_file, "TELNETCONSOLE_ENABLED": False})
    # Scrapy filters at its handler; also filter at the root so that unwanted records
    # (one per item at DEBUG) are not even built
    logging.getLogger().setLevel(log_level)
    database, db_id = db_identity(db_path)
    for i, p in enumerate(prepared):
        crawl_settings = config.crawl.model_copy(update={"prefilter": p.spec.prefilter})
        crawl_config = config.model_copy(update={"crawl": crawl_settings})
        prefilter = Prefilter(crawl_config, rules, campaign, p.spec.target_tiers)
        settings = build_settings(config.crawl, db_path=str(db_path), run_id=p.run_id, observed_at=p.observed_at,
                                  jobdir=str(p.jobdir), progress=progress and i == 0, previous=p.previous,
                                  log_level=log_level, log_file=log_file)
        settings.update(MICROSCOUT_DB_PATH=database, MICROSCOUT_DB_ID=db_id)
        base = spider_class(p.spec.platform)
        spidercls = type(base.__name__, (base,), {"custom_settings": settings, "__module__": base.__module__})
        kwargs = dict(base_url=p.spec.base_url, hashtags=p.spec.hashtags, handles=p.spec.handles,
                      bounds=asdict(p.spec.bounds), prefilter=prefilter)
        if p.spec.platform == "bluesky":
            bsky = config.platforms.bluesky
            kwargs.update(pds_url=p.spec.pds or bsky.pds, appview_did=p.spec.appview_did or bsky.appview_did,
                          session=logins.get("bluesky"))
        kwargs.update(extra.get(p.spec.platform, {}))
        process.crawl(spidercls, **kwargs)
    if interrupts.count:
        mark_unfinished(db_path, prepared, interrupted=True)
        return _rows(db_path, prepared)
    interrupts.process = process
    try:
        process.start(install_signal_handlers=False)
    finally:
        interrupts.process = None
    mark_unfinished(db_path, prepared, interrupted=interrupts.count > 0)
    _record_gone(db_path, prepared)
    rows = _rows(db_path, prepared)
    for p, row in zip(prepared, rows):
        if row["status"] == "finished":
            tidy(p.jobdir)
    # the runs just made are spared: a resumed one may be older than the newest kept, and its
    # folder holds the log this crawl just wrote (the run's record names it)
    prune_job_folders(db_path, prepared[0].jobdir.parent, spare={p.run_id for p in prepared})
    return rows


# The newest crawl runs of a database whose job folders (and logs) are always kept.
KEEP_JOB_FOLDERS = 20


def prune_job_folders(db_path, folder: Path, keep: int | None = None, spare: set[int] | frozenset[int] = frozenset()
                      ) -> list[Path]:
    """Delete the job folders (log included) of this database's crawl runs older than its
    newest ``keep`` that no --resume can use: finished or failed, or not the latest run of
    their platform and arguments (--resume continues only that one), but the runs ``spare``
    (those the crawl just made). A scheduled crawl adds a folder at every cron time, and they
    were never deleted. Returns the folders deleted."""
    keep = KEEP_JOB_FOLDERS if keep is None else keep
    database, _ = db_identity(db_path)
    db = open_store(db_path, upgrade=False)
    try:
        rows = list(db.query("SELECT id, platform, arguments, status, jobdir FROM crawl_runs ORDER BY id DESC"))
    finally:
        db.conn.close()
    latest: set[tuple[str, str]] = set()
    removed = []
    for i, row in enumerate(rows):
        key = (row["platform"], row["arguments"])
        superseded = key in latest
        latest.add(key)
        if i < keep or row["status"] == "running" or not row["jobdir"] or row["id"] in spare:
            continue
        if row["status"] in RESUMABLE and not superseded:
            continue
        path = Path(row["jobdir"])
        if path.parent != folder or not path.is_dir():
            continue
        owner = read_owner(path)
        if owner is not None and owner.get("database") != database:
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def tidy(jobdir: Path) -> None:
    """A finished run's frontier is of no further use (--resume refuses a finished run): only
    its log and owner.json stay."""
    for name in ("requests.queue", "requests.seen", "spider.state"):
        path = jobdir / name
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def _record_gone(db_path, prepared: list[Prepared]) -> None:
    """Stored accounts the platform said no longer exist are marked gone (store.writes.mark_gone),
    named in their run's stats (``gone``); one a crawl stores again is a candidate again (the
    pipeline clears the mark)."""
    from microscout.store.transaction import transaction
    from microscout.store.writes import mark_gone

    db = open_store(db_path)
    try:
        for p in prepared:
            row = db.execute("SELECT stats FROM crawl_runs WHERE id = ?", [p.run_id]).fetchone()
            stats = json.loads(row[0] or "{}") if row else {}
            outcomes = stats.get("handles") or {}
            if not outcomes:
                continue
            with transaction(db):
                gone = mark_gone(db, p.spec.platform, outcomes, p.observed_at)
                if gone:
                    db.execute("UPDATE crawl_runs SET stats = ? WHERE id = ?",
                               [json.dumps({**stats, "gone": gone}, ensure_ascii=False), p.run_id])
    finally:
        db.conn.close()


def _rows(db_path, prepared: list[Prepared]) -> list[dict]:
    db = open_store(db_path, upgrade=False)
    try:
        return [dict(db.table("crawl_runs").get(p.run_id)) for p in prepared]
    finally:
        db.conn.close()
