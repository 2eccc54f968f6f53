"""One run of a schedule: its steps (crawl → shortlist → export), each retried as the
schedule says, every step and outcome recorded in schedule_runs.

The steps call what the commands call: the crawl is `microscout crawl CAMPAIGN` in a
process of its own (Scrapy's reactor starts once per process), the shortlist is
:func:`~microscout.engine.shortlist.run_shortlist` (re-using the last run when nothing
changed, its verdicts of the candidates whose data did not), the export is
:func:`~microscout.engine.export.export_shortlist` with the exporter named in ``formats``.

A stop asked for (SIGTERM, Ctrl-C: :class:`Stop`) lets the current step finish; the steps
after it do not run and the run is recorded ``interrupted``. A second one stops the step
too (the crawl gets Ctrl-C and records its own run as interrupted, for --resume).

A run whose lock was taken over (its process hung, or its machine slept, while another
watched the lock expire without a renewal: schedule/lock.py) learns it when it renews the
lock, at each step and before each file it exports: it stops there, recorded
``interrupted``, naming the run that took the lock, and writes no file after.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable

import sqlite_utils

from microscout.config import Config, Schedule
from microscout.schedule import history
from microscout.schedule.cron import zone
from microscout.schedule.lock import Clock, Heartbeat, Lock, LockHeld, acquire, describe_holder, lost, release, utcnow
from microscout.schedule.parent import PARENT_ENV

Say = Callable[[str], None]


@dataclass
class Stop:
    """A stop asked for from a signal handler: ``reason`` once asked; the crawl running now."""

    reason: str | None = None
    forced: bool = False
    child: subprocess.Popen | None = None

    @property
    def requested(self) -> bool:
        return self.reason is not None

    def request(self, reason: str) -> None:
        self.reason = self.reason or reason


class LockLost(Exception):
    """The run's lock was taken over by another run: it stops before its next step or file."""


class StepFailed(Exception):
    """A step that did not do its job; ``retry=False`` when trying again cannot help."""

    def __init__(self, message: str, retry: bool = True):
        super().__init__(message)
        self.retry = retry


@dataclass
class Job:
    """What a step gets: the schedule, the database, the clock, and what the run produced."""

    config: Config
    name: str
    schedule: Schedule
    db: sqlite_utils.Database
    db_path: Path
    run_id: int
    scheduled_for: datetime
    clock: Clock
    stop: Stop
    say: Say
    exports: list[str] = field(default_factory=list)
    done: set[str] = field(default_factory=set)   # formats already written (a retry skips them)
    export_baseline: int | None = None  # exports with an id below this existed before the run
    records: list[dict] = field(default_factory=list)  # each step's record, as saved
    lock: Lock | None = None
    lock_lost: str | None = None  # who took the run's lock over, once it was
    _pm: object = None
    _rules: dict | None = None

    def check_lock(self) -> None:
        """Renew the run's lock now; LockLost when another run took it over."""
        if self.lock is not None and self.lock_lost is None:
            self.lock_lost = lost(self.db, self.lock, self.clock)
        if self.lock_lost is not None:
            raise LockLost(f"its lock was taken over by {self.lock_lost}")

    @property
    def pm(self):
        if self._pm is None:
            from microscout.engine.plugins import plugin_manager_for

            self._pm = plugin_manager_for(self.config)
        return self._pm

    @property
    def rules(self) -> dict:
        if self._rules is None:
            from microscout.engine.evaluate import check_rule_config
            from microscout.engine.plugins import collect_rules

            self._rules = collect_rules(self.pm)
            check_rule_config(self.config, self._rules)
        return self._rules


def crawl_command(config: Config, db_path: Path, campaign: str, extra: list[str]) -> list[str]:
    """The `microscout crawl CAMPAIGN` a schedule runs, with its config and database."""
    args = [sys.executable, "-m", "microscout"]
    if config.from_file:
        args += ["--config", str(Path(config.source).resolve())]
    return [*args, "crawl", campaign, "--db", str(Path(db_path).resolve()), *extra]


# How much of a failed crawl's own account (its stderr) a step's error keeps: the lines
# naming what is missing, not only the last one (the "--resume" hint).
ERROR_LINES, ERROR_CHARS = 25, 3000


def crawl_step(job: Job) -> str:
    # A retry starts the crawl over rather than resuming it: a resume may be refused (with
    # --known, the run's arguments name the profiles stored meanwhile) or unable to help
    # (items it says only a new crawl gets), and a new crawl fetches what is missing too.
    args = crawl_command(job.config, job.db_path, job.schedule.campaign, job.schedule.crawl_args)
    # A session of its own: a Ctrl-C in the terminal or a SIGTERM to the group reaches the
    # scheduler only, which lets the crawl finish (or passes a second one on).
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=job.config.root, start_new_session=True,
                            env={**os.environ, PARENT_ENV: str(os.getpid())})
    job.stop.child = proc
    try:
        out, err = proc.communicate()
    finally:
        job.stop.child = None
    summary = "; ".join(line.strip() for line in out.splitlines() if line.startswith("crawl run"))
    if proc.returncode == 0:
        return summary or "crawled"
    said = [" ".join(line.split()) for line in err.splitlines() if line.strip()] or [f"exit {proc.returncode}"]
    if len(said) > ERROR_LINES:
        said = [*said[:ERROR_LINES - 1], f"… {len(said) - ERROR_LINES + 1} more lines in the crawl's log"]
    text = "; ".join(said).replace(":; ", ": ")  # a heading's lines follow it after its colon
    if len(text) > ERROR_CHARS:
        text = text[:ERROR_CHARS - 1] + "…"
    if proc.returncode == 2 and job.schedule.crawl_args:  # refused its input: trying again cannot help
        # Its own words say what it refused: the arguments, or as likely a key, a token or the
        # config (a refused TikTok secret read as "crawl_args … refused them" sent the reader
        # to the wrong key).
        raise StepFailed(f"{job.config.source}: schedules.{job.name}: `microscout crawl {job.schedule.campaign}` "
                         f"with crawl_args {job.schedule.crawl_args} refused its input (exit 2): {text}",
                         retry=False)
    raise StepFailed(f"`microscout crawl {job.schedule.campaign}` exited {proc.returncode}: {text}"
                     + (f" ({summary})" if summary else ""), retry=proc.returncode != 2)


def shortlist_step(job: Job) -> str:
    from microscout.engine import features
    from microscout.engine.pool import usable_cores
    from microscout.engine.shortlist import JudgingStopped, batch_fallback_notes, pruning_said, run_shortlist

    # A crawl of this store going on now (by hand, or another schedule's step outside the run
    # lock) is writing creators' data as they are judged: said, not judged as if whole.
    writing = crawls_running(job.db)
    # As `microscout shortlist` does: first the stored per-item features the rules read (a
    # campaign's niche terms the crawl did not know yet, settings changed since).
    features.refresh(job.db, job.config, job.rules)
    try:
        # As `microscout shortlist` judges by default: across the cores this process may use.
        summary = run_shortlist(job.db, job.config, job.rules, job.schedule.campaign, reuse=True,
                                workers=usable_cores())
    except JudgingStopped as exc:
        raise StepFailed(f"{exc}; the shortlist run was discarded") from None
    pruning = pruning_said(summary, job.config.shortlists.keep_runs)
    said = _judged(summary)
    if writing:
        said += (f"; judged while {' and '.join(writing)} {'was' if len(writing) == 1 else 'were'} still "
                 f"writing to the store: the data of the creators it crawls may be partial (a later run judges "
                 f"them again)")
    # The rules whose batch form gave way, as `microscout shortlist` notes them after the run.
    return "; ".join([said, *([pruning] if pruning else []), *batch_fallback_notes(summary)])


def crawls_running(db: sqlite_utils.Database) -> list[str]:
    """The crawl runs of this store still running ("crawl run 3 (mastodon)"): recorded
    running, by a process that is still there (one killed is not writing)."""
    from microscout.crawlers.runner import running_crawls

    return [f"crawl run {row['id']} ({row['platform']})" for row in running_crawls(db)]


def _judged(summary) -> str:
    if summary.reused:
        return f"nothing changed since shortlist run {summary.run_id}: re-used it"
    if summary.rescored_from is not None:
        return (f"shortlist run {summary.run_id}: verdicts re-used from run {summary.rescored_from} "
                f"(only weights/gates changed), re-scored; ranked {summary.candidates - summary.excluded}")
    if summary.kept_from is not None:
        return (f"shortlist run {summary.run_id}: judged {summary.candidates - summary.kept} changed or new, "
                f"kept the verdicts of {summary.kept} unchanged from run {summary.kept_from}; "
                f"ranked {summary.candidates - summary.excluded}")
    return (f"shortlist run {summary.run_id}: judged {summary.candidates}, "
            f"ranked {summary.candidates - summary.excluded}")


def export_fields(job: Job, fmt: str, extension: str) -> dict:
    return {"schedule": job.name, "campaign": job.schedule.campaign,
            "date": job.scheduled_for.astimezone(zone(job.schedule)), "ext": extension, "format": fmt,
            "run": job.run_id}


def export_step(job: Job) -> str:
    from microscout.engine.export import ExportError, export_shortlist, prune_exports_quietly, vanished_folder
    from microscout.engine.plugins import collect_exporters

    exporters = collect_exporters(job.pm)
    unknown = [f for f in job.schedule.formats if f not in exporters]
    if unknown:
        raise StepFailed(f"{job.config.source}: schedules.{job.name}.formats: no exporter "
                         f"{', '.join(map(repr, unknown))}; available: {', '.join(sorted(exporters))}", retry=False)
    size = job.config.campaign(job.schedule.campaign).shortlist_size
    if job.export_baseline is None:
        # every format of this run compares with the schedule's exports from before it began
        job.export_baseline = job.db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM exports").fetchone()[0]
    extra: dict[str, Any] = {"config": job.config, "schedule": job.name, "compare_before": job.export_baseline}
    written = []
    for fmt in job.schedule.formats:
        if fmt in job.done:
            continue
        job.check_lock()  # no file written once another run holds the lock
        exporter = exporters[fmt]
        fields = export_fields(job, fmt, exporter.extension)
        path = job.config.path(job.schedule.destination.format(**fields)) / job.schedule.filename.format(**fields)
        # A run whose filename repeats an earlier run's (two runs on one day, with the default
        # {date:%Y-%m-%d}) replaces that file: said in its record, not done silently.
        replaced = os.path.exists(path)  # False for a name too long, which the export then says
        # A folder an earlier export wrote to, gone (an unmounted share): not made again on the
        # local disk; a retry may find it mounted.
        gone = vanished_folder(job.db, path.parent, f"change schedules.{job.name}.destination")
        if gone:
            raise StepFailed(gone)
        try:
            result = export_shortlist(job.db, job.schedule.campaign, size, exporter, path, prune=False, **extra)
        except ExportError as exc:  # its hints name the command's --out; a schedule has keys instead
            keys = f"change schedules.{job.name}.destination or schedules.{job.name}.filename"
            raise StepFailed(re.sub(r"(?:choose another|pass) --out(?: with a file name)?", keys, str(exc)),
                             retry=False) from None
        job.done.add(fmt)
        job.exports.append(result["path"])
        counts = ", ".join(f"{result[k]} {k}" for k in ("new", "up", "down", "unchanged", "dropped")
                           if result.get(k))
        written.append(f"{result['path']} ({result['rows']} rows{': ' + counts if counts else ''}"
                       f"{'; replaced the file an earlier export wrote there' if replaced else ''})")
    # every format compared with the exports from before the run: older ones may go now
    prune_exports_quietly(job.db, job.schedule.campaign)
    return "wrote " + "; ".join(written)


STEPS: dict[str, Callable[[Job], str]] = {"crawl": crawl_step, "shortlist": shortlist_step, "export": export_step}


def _classify(exc: BaseException) -> tuple[str, bool]:
    """(one line, worth retrying) for what a step raised."""
    if isinstance(exc, StepFailed):
        return str(exc), exc.retry
    from microscout.cli.common import failure

    problem = failure(exc)  # exit 2: configuration or input, which a retry does not change
    return problem.message, problem.exit_code != 2


def interruptible_sleep(seconds: float, stop: Stop, sleep: Callable[[float], None], clock: Clock,
                        tick: float = 1.0) -> None:
    """Sleep ``seconds`` by ``clock``, a tick at a time, waking early when a stop is asked for."""
    end = clock() + timedelta(seconds=seconds)
    while not stop.requested:
        left = (end - clock()).total_seconds()
        if left <= 0:
            return
        sleep(min(tick, left))


def run_schedule(config: Config, db: sqlite_utils.Database, db_path: Path, name: str, *,
                 scheduled_for: datetime, trigger: str, clock: Clock = utcnow,
                 sleep: Callable[[float], None] = time.sleep, stop: Stop | None = None, say: Say = print,
                 steps: dict[str, Callable[[Job], str]] | None = None, pm: object = None) -> dict:
    """Run one schedule now, for the cron time ``scheduled_for``; the recorded run. ``pm``:
    the plugins the command loaded already (else the run loads them when a step needs them)."""
    schedule = config.schedule(name)
    stop = stop or Stop()
    steps = {**STEPS, **(steps or {})}
    started = clock()
    try:
        lock = acquire(db, f"schedule {name}", clock=clock, sleep=sleep, cancelled=lambda: stop.requested,
                       say=lambda line: say(f"{name}: {line}"))
    except LockHeld as exc:
        waited = _wait_for_another(db, name, schedule, exc, scheduled_for, clock, sleep, stop, say)
        if isinstance(waited, LockHeld):
            # Stopped while waiting: not run and not handled, so the next start catches it up.
            stopped = stop.requested
            why = f"stopped ({stop.reason}) while waiting: {waited}" if stopped else str(waited)
            run_id = history.start_run(db, name, schedule.campaign, trigger, scheduled_for, started,
                                       status="interrupted" if stopped else "skipped", error=f"not run: {why}")
            when = _local(scheduled_for, schedule)
            say(f"{name}: " + (f"the run for {when} did not start" if stopped else f"skipped the run for {when}")
                + f": {why}")
            _prune_history(db, name)
            return history.get_run(db, run_id)
        lock = waited
        started = clock()  # the run starts once it holds the lock: the wait is not its time
    try:
        run_id = history.start_run(db, name, schedule.campaign, trigger, scheduled_for, started)
        describe_holder(db, lock, f"schedule {name}, run {run_id}")
        if lock.recovered:
            say(f"{name}: {lock.recovered}")
        say(f"{name}: run {run_id} ({trigger}, for {_local(scheduled_for, schedule)}): "
            f"{' → '.join(schedule.steps)} of campaign {schedule.campaign}")
        job = Job(config, name, schedule, db, Path(db_path), run_id, scheduled_for, clock, stop, say, lock=lock,
                  _pm=pm)
        with Heartbeat(db_path, lock, clock):
            record = _run_steps(job, steps, sleep)
    finally:
        release(db, lock)
    _prune_history(db, name)
    return record


def _prune_history(db: sqlite_utils.Database, name: str) -> None:
    """The schedule's runs beyond its history, deleted (history.prune_runs); left to the next
    run when the store is busy."""
    import sqlite3

    try:
        history.prune_runs(db, name)
    except sqlite3.Error:
        pass


# How often a run waiting for another schedule's run asks for the lock again.
WAIT_POLL_SECONDS = 5.0


def _wait_for_another(db: sqlite_utils.Database, name: str, schedule: Schedule, held: LockHeld,
                      scheduled_for: datetime, clock: Clock, sleep: Callable[[float], None], stop: Stop,
                      say: Say) -> Lock | LockHeld:
    """The lock, once another schedule's run lets it go: two schedules due at the same time
    both run, one after the other (a review found one of them skipped at every tick, and
    never caught up). A run of this same schedule holding it (another scheduler of it) is
    not waited for; nor is a holder still there at this schedule's next cron time, which
    the next run covers, or when a stop is asked for. Returns the LockHeld that ends the wait."""
    from microscout.schedule.cron import next_run

    ours = f"schedule {name}"
    deadline = next_run(schedule, scheduled_for)
    said = False
    while True:
        holder = held.holder.get("holder") or ""
        if holder == ours or holder.startswith(ours + ","):
            return held
        if stop.requested or (deadline is not None and clock() >= deadline):
            return held
        if not said:
            say(f"{name}: waiting for {holder or 'another run'} to finish before the run for "
                f"{_local(scheduled_for, schedule)}")
            said = True
        left = (deadline - clock()).total_seconds() if deadline is not None else WAIT_POLL_SECONDS
        interruptible_sleep(min(WAIT_POLL_SECONDS, max(left, 0.0)), stop, sleep, clock)
        try:
            return acquire(db, ours, clock=clock, sleep=sleep, cancelled=lambda: stop.requested,
                           say=lambda line: say(f"{name}: {line}"))
        except LockHeld as again:
            held = again


def _local(moment: datetime, schedule: Schedule) -> str:
    return moment.astimezone(zone(schedule)).strftime("%Y-%m-%d %H:%M %Z")


def _attempts(job: Job, record: dict, step: Callable[[Job], str], sleep: Callable[[float], None]) -> bool:
    """Run one step until it succeeds, fails for good, or a stop cuts its retries short."""
    schedule, stop = job.schedule, job.stop
    record["started_at"] = history.iso(job.clock())
    try:
        while True:
            record["attempts"] += 1
            try:
                record["detail"] = step(job)
                record["status"] = "ok"
                record.pop("error", None)
                return True
            except LockLost as exc:  # another run holds the lock now: this one stops here
                record["status"], record["error"] = "stopped", str(exc)
                return False
            except KeyboardInterrupt:  # a second stop signal during a step run in this process
                stop.request("interrupt")
                record["status"], record["error"] = "failed", "stopped at once by a second stop signal"
                return False
            except Exception as exc:  # noqa: BLE001 - recorded, retried, reported
                message, retry = _classify(exc)
                record["status"], record["error"] = "failed", message
            if not retry or record["attempts"] > schedule.retries or stop.requested:
                return False
            try:
                job.check_lock()
            except LockLost as exc:
                record["error"] += f"; not tried again: {exc}"
                return False
            job.say(f"{job.name}: {record['step']} failed (attempt {record['attempts']} of "
                    f"{schedule.retries + 1}): {record['error']}; trying again in {schedule.retry_delay:g} s")
            history.save_run(job.db, job.run_id, steps=job.records)
            interruptible_sleep(schedule.retry_delay, stop, sleep, job.clock)
            if stop.requested:
                return False
    finally:
        record["finished_at"] = history.iso(job.clock())


def _run_steps(job: Job, steps: dict[str, Callable[[Job], str]], sleep: Callable[[float], None]) -> dict:
    schedule, stop, say = job.schedule, job.stop, job.say
    records = job.records = [{"step": s, "status": "not run", "attempts": 0} for s in schedule.steps]
    error: str | None
    status, error = "interrupted", "the scheduler stopped during the run"
    began = time.monotonic()
    try:
        for record in records:
            step = record["step"]
            if stop.requested:
                status, error = "interrupted", f"stopped ({stop.reason}) before {step}"
                break
            try:
                job.check_lock()
            except LockLost as exc:
                status, error = "interrupted", f"{exc}: stopped before {step}"
                say(f"{job.name}: {error}")
                break
            ok = _attempts(job, record, steps[step], sleep)
            history.save_run(job.db, job.run_id, steps=records, exports=job.exports)
            if ok:
                say(f"{job.name}: {step}: {record['detail']}")
                continue
            # A step whose retries a stop cut short runs again when the scheduler restarts;
            # one whose lock was taken over is the other run's to do.
            status = "interrupted" if stop.requested or job.lock_lost else "failed"
            error = f"{step}: {record['error']}"
            if record["attempts"] > 1:
                error += f" (after {record['attempts']} attempts)"
            say(f"{job.name}: {step} failed: {record['error']}")
            break
        else:
            status, error = "succeeded", None
    finally:
        history.save_run(job.db, job.run_id, status=status, finished_at=history.iso(job.clock()), steps=records,
                         exports=job.exports, error=error)
    record = history.get_run(job.db, job.run_id)
    say(f"{job.name}: run {job.run_id} {status} in {time.monotonic() - began:.0f} s"
        + (f": {error}" if error else "")
        + (f"; stopping ({stop.reason})" if stop.requested else ""))
    return record
