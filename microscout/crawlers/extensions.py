"""Extensions: the crawl_runs record (kept current while the crawl runs) and the live
progress display."""
from __future__ import annotations

import json
import os
import time
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet.task import LoopingCall

from microscout.crawlers.middlewares import still_closed
from microscout.store import open_store
from microscout.store.transaction import transaction
from microscout.store.writes import now_iso

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

STATUS = {"finished": "finished", "shutdown": "interrupted", "hashtag_feeds_not_public": "failed",
          "login_refused": "failed"}
# Statuses: running, finished, incomplete (ended, but some requests failed for good: the
# record's stats["missing"] says which; --resume fetches them), interrupted (stopped or
# killed: --resume continues), failed (could not crawl: stats["message"] says why).


def summarize_missing(missing: dict | None) -> dict:
    """What a run's lost requests were for, by profile: {"profiles": [{"profile", "parts",
    "replies_of"?, "why"}], "hashtag_pages": [{"hashtag", "page", "list"?, "why"}], "requests": n}
    ("list": which of a hashtag's lists the page is of, where a platform reads several)."""
    profiles: dict[str, dict] = {}
    pages: list[dict] = []
    other: list[dict] = []
    for entry in (missing or {}).values():
        what, why = entry.get("what") or {}, entry.get("why") or "?"
        if "hashtag" in what:
            page = {"hashtag": what["hashtag"], "page": what.get("page"), "why": why}
            if what.get("list"):  # one of a hashtag's lists (Instagram: top media, recent media)
                page["list"] = what["list"]
            pages.append(page)
            continue
        if "profiles" in what:
            targets = [(p, "profile", None) for p in what["profiles"]]
        elif "profile" in what:
            targets = [(what["profile"], what.get("part") or "?", what.get("post"))]
        else:
            other.append({"url": entry.get("url", "")[:200], "why": why})
            continue
        for key, part, post in targets:
            found = profiles.setdefault(key, {"profile": key, "parts": [], "why": []})
            if what.get("handle"):
                found["handle"] = what["handle"]
            if part not in found["parts"]:
                found["parts"].append(part)
            if post is not None:
                found.setdefault("replies_of", []).append(post)
            if why not in found["why"]:
                found["why"].append(why)
    order = {"profile": 0, "posts": 1, "replies": 2, "follower sample": 3, "follower counts": 4}
    listed = []
    for key in sorted(profiles):
        found = profiles[key]
        found["parts"].sort(key=lambda part: order.get(part, 9))
        if "replies_of" in found:
            found["replies_of"] = sorted(set(found["replies_of"]))
        listed.append(found)
    pages.sort(key=lambda p: (p["hashtag"], p["page"] or 0, p.get("list", "")))
    summary = {"profiles": listed, "hashtag_pages": pages,
               "requests": len(missing or {})}
    if other:
        summary["other"] = other
    return summary


def counters(stats: dict, previous: dict | None = None) -> dict:
    """The run record's numbers from Scrapy stats (plus an interrupted session's)."""
    previous = previous or {}
    errors = dict(previous.get("errors") or {})
    for key, value in stats.items():
        if key.startswith("microscout/errors/"):
            kind = key.rpartition("/")[2]
            errors[kind] = errors.get(kind, 0) + value
    def total(key: str, stat: str) -> int:
        return int(previous.get(key) or 0) + int(stats.get(stat, 0) or 0)
    # The platform's API calls (retries included): robots.txt fetches are not, as the
    # --max-requests budget does not count them (a summary said "requests 11" under a budget
    # of 10 that was kept)
    api_calls = int(stats.get("downloader/request_count", 0) or 0) - int(
        stats.get("microscout/robots_txt_requests", 0) or 0)
    record: dict[str, Any] = {
        "requests": int(previous.get("requests") or 0) + max(api_calls, 0),
        "items": total("items", "microscout/items"),
        "profiles": total("profiles", "microscout/stored/profiles"),
        "posts": total("posts", "microscout/stored/posts"),
        "rate_limit_waits": total("rate_limit_waits", "microscout/rate_limit_waits"),
        "errors": errors,
    }
    extra = previous.get("stats") or {}
    record["comments"] = int(extra.get("comments") or 0) + int(stats.get("microscout/stored/comments", 0))
    record["followers"] = int(extra.get("followers") or 0) + int(stats.get("microscout/stored/followers", 0))
    record["opted_out"] = int(extra.get("opted_out") or 0) + int(stats.get("microscout/opted_out", 0))
    record["prefiltered"] = int(extra.get("prefiltered") or 0) + int(stats.get("microscout/prefiltered", 0))
    candidates = record["profiles"] - record["opted_out"]
    record["requests_per_candidate"] = round(record["requests"] / candidates, 2) if candidates > 0 else None
    return record


class RunRecord:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.path = settings.get("MICROSCOUT_DB")
        self.run_id = settings.getint("MICROSCOUT_RUN_ID")
        if not self.path or not self.run_id:
            raise NotConfigured
        self.previous = settings.getdict("MICROSCOUT_PREVIOUS")
        self.crawler = crawler
        self.started = time.monotonic()
        self.loop: LoopingCall | None = None
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def opened(self, spider):
        self.started = time.monotonic()
        self.write("running")
        self.loop = LoopingCall(self.write, "running")
        self.loop.start(2.0, now=False)

    def closed(self, spider, reason):
        if self.loop and self.loop.running:
            self.loop.stop()
        status = STATUS.get(reason, "finished" if reason.startswith("closespider") else "failed")
        missing = (getattr(spider, "state", None) or {}).get("missing") or {}
        summary = summarize_missing(missing) if missing else None
        stats = self.crawler.stats.get_stats()
        unstored = int(stats.get("microscout/unstored_items", 0) or 0)
        if unstored:
            summary = summary or summarize_missing({})
            summary["unstored_items"] = unstored
        # a callback that raised (a bug, or an answer no parser foresaw) left its work undone
        crashed = sum(int(v or 0) for k, v in stats.items() if k.startswith("spider_exceptions/"))
        if crashed:
            summary = summary or summarize_missing({})
            summary["program_errors"] = crashed
        if status == "finished" and summary:
            status = "incomplete"
        self.write(status, reason=reason, message=getattr(spider, "failure_message", None), final=True,
                   missing=summary)

    def write(self, status: str, reason: str | None = None, message: str | None = None, final: bool = False,
              missing: dict | None = None):
        stats = self.crawler.stats.get_stats()
        record = counters(stats, self.previous)
        duration = float(self.previous.get("duration") or 0) + (time.monotonic() - self.started)
        extra = {k: record.pop(k) for k in ("comments", "followers", "opted_out", "prefiltered",
                                              "requests_per_candidate")}
        before = self.previous.get("stats") or {}
        settings = self.crawler.settings
        origins = list(before.get("offsite_origins") or [])
        origins += [o for o in stats.get("microscout/offsite_origins") or [] if o not in origins]
        replaced = tuple(stats.get("microscout/whole_run_notes") or ())
        notes = [n for n in before.get("notes") or [] if not (replaced and n.startswith(replaced))]
        if status == "finished":  # an earlier session's advice to resume for what this one fetched is stale
            notes = [n for n in notes if "--resume" not in n]
        notes += [n for n in stats.get("microscout/notes") or [] if n not in notes]
        # what became of each --handle (spider.handle_outcome); a resumed session adds to it
        handles = {**(before.get("handles") or {}), **(stats.get("microscout/handles") or {})}
        if handles:
            extra["handles"] = handles
        refused = [*(before.get("robots_refused") or []), *(stats.get("microscout/robots_refused") or [])]
        if refused:
            extra["robots_refused"] = refused
        # hosts a 429 asked not to be asked before a time still to come: a --resume keeps to it
        closed = still_closed({**(before.get("closed_until") or {}), **(stats.get("microscout/closed_until") or {})},
                              time.time())
        if closed:
            extra["closed_until"] = closed
        delays = {**(before.get("robots_crawl_delay") or {}), **(stats.get("microscout/robots_crawl_delay") or {})}
        if delays:
            extra["robots_crawl_delay"] = delays
        extra.update(database=settings.get("MICROSCOUT_DB_PATH"), db_id=settings.get("MICROSCOUT_DB_ID"),
                     log=settings.get("LOG_FILE"),
                     offsite_refused=(int(before.get("offsite_refused") or 0)
                                      + int(stats.get("microscout/offsite_refused", 0))),
                     offsite_origins=origins[:20], notes=notes, missing=missing,
                     repaired=int(before.get("repaired") or 0) + int(stats.get("microscout/requests_repaired", 0)))

        def total(key: str, stat: str) -> Any:  # the run's count: the sessions before this one's too
            return (before.get(key) or 0) + (stats.get(stat) or 0)

        extra.update(pid=os.getpid(), reason=reason, message=message,
                     hashtag_pages=total("hashtag_pages", "microscout/hashtag_pages"),
                     # lists a server's repeated cursor or link ended (base.loops): each is missing too
                     pagination_loops=total("pagination_loops", "microscout/pagination_loops"),
                     retries=total("retries", "retry/count"),
                     robots_txt_requests=total("robots_txt_requests", "microscout/robots_txt_requests"),
                     budget_exhausted=bool(stats.get("microscout/budget_exhausted")),
                     max_profiles_reached=bool(stats.get("microscout/max_profiles_reached")),
                     skipped_bridged=total("skipped_bridged", "microscout/skipped_bridged"),
                     session_refreshes=total("session_refreshes", "microscout/session_refreshes"),
                     session_logins=total("session_logins", "microscout/session_logins"),
                     rate_limit_wait_seconds=round(total("rate_limit_wait_seconds",
                                                         "microscout/rate_limit_wait_seconds"), 3))
        row = {**record, "errors": json.dumps(record["errors"], sort_keys=True), "status": status,
               "duration": round(duration, 3), "stats": json.dumps(extra, sort_keys=True)}
        if final:
            row["finished_at"] = now_iso()
        db = open_store(self.path, upgrade=False)
        try:
            with transaction(db):
                db.table("crawl_runs").update(self.run_id, row)
        finally:
            db.conn.close()


class Progress:
    """A live rich display on a terminal: requests, profiles, posts, errors, rate-limit waits."""

    def __init__(self, crawler: Crawler) -> None:
        if not crawler.settings.getbool("MICROSCOUT_PROGRESS"):
            raise NotConfigured
        self.crawler = crawler
        self.live = None
        self.loop: LoopingCall | None = None
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def render(self):
        from rich.table import Table

        record = counters(self.crawler.stats.get_stats())
        table = Table(title=f"crawl {self.crawler.spider.name}", show_header=False)
        for key, label in (("requests", "requests"), ("profiles", "profiles"), ("posts", "posts"),
                           ("comments", "replies"), ("followers", "followers sampled"),
                           ("rate_limit_waits", "rate-limit waits")):
            table.add_row(label, str(record[key]))
        table.add_row("errors", str(sum(record["errors"].values())))
        return table

    def opened(self, spider):
        from rich.live import Live

        self.live = Live(self.render(), refresh_per_second=4, transient=True)
        self.live.start()
        self.loop = LoopingCall(lambda: self.live.update(self.render()))
        self.loop.start(0.25, now=False)

    def closed(self, spider, reason):
        if self.loop and self.loop.running:
            self.loop.stop()
        if self.live:
            self.live.stop()
