"""`microscout schedule run`: a foreground scheduler.

It wakes at each enabled schedule's next cron time and runs it (:func:`run_schedule`),
one run at a time; a cron time that passes while a run goes on is skipped, not queued.
On start it marks runs whose process was killed ``interrupted`` and, for a schedule with
``catch_up = "once"``, runs once the latest cron time it missed (while no scheduler ran,
or cut short by a stop); with ``catch_up = "skip"`` that time is recorded ``missed``.
SIGTERM (or Ctrl-C) lets the current step finish, then the scheduler exits; a second one
stops the step too. Like cron with its crontab, it reads the config file again when it
changes (between runs): the next runs follow the edited cron times, and a config that no
longer reads is said and the schedules run as before.

The clock and the sleep are arguments, so tests drive the scheduler through days of cron
times in no time.
"""
from __future__ import annotations

import signal
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable

import sqlite_utils

from microscout.config import Config
from microscout.schedule import cron, history
from microscout.schedule.lock import Clock, utcnow
from microscout.schedule.runner import Job, Say, Stop, run_schedule


def install_stop_signals(stop: Stop, say: Say) -> Callable[[], None]:
    """SIGTERM and SIGINT ask ``stop`` to stop after the current step; a second one stops
    the step: the crawl's process gets SIGINT, a step in this process KeyboardInterrupt.
    Returns what puts the previous handlers back."""
    names = {signal.SIGTERM: "SIGTERM", signal.SIGINT: "Ctrl-C"}

    def handler(signum, frame):  # noqa: ARG001 - a signal handler's signature
        if not stop.requested:
            stop.request(names.get(signum, str(signum)))
            say(f"{names.get(signum, signum)}: finishing the current step, then stopping "
                f"(send it again to stop at once)")
            return
        stop.forced = True
        child = stop.child
        if child is not None and child.poll() is None:
            child.send_signal(signal.SIGINT)
        else:
            raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, handler) for sig in names}

    def restore() -> None:
        for sig, old in previous.items():
            signal.signal(sig, old)

    return restore


# The config and the schedules to run, read again (with every check of the start), or what is wrong with it.
Reread = Callable[[], "tuple[Config, list[str]] | str"]


def _stamp(path: Path | None) -> tuple[int, int, int] | None:
    try:
        found = path.stat() if path is not None else None
    except OSError:
        return None
    return (found.st_mtime_ns, found.st_size, found.st_ino) if found is not None else None


# A run that starts this many seconds or more after its cron time says it is late.
LATE_SECONDS = 60.0


def _late(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 1:
        return "on time"
    hours, minutes = divmod(minutes, 60)
    return (f"{hours} h {minutes:02d} min" if hours else f"{minutes} min") + " late"


class Scheduler:
    def __init__(self, config: Config, db: sqlite_utils.Database, db_path: Path, names: list[str] | None = None, *,
                 clock: Clock = utcnow, sleep: Callable[[float], None] = time.sleep, say: Say = print,
                 stop: Stop | None = None, steps: dict[str, Callable[[Job], str]] | None = None,
                 tick: float = 1.0, max_runs: int | None = None,
                 after_run: Callable[[dict], None] | None = None,
                 config_file: Path | None = None, reread: Reread | None = None):
        self.config_file: Path | None = config_file if reread is not None else None
        self.reread: Reread | None = reread
        self.seen = _stamp(self.config_file)
        self.config, self.db, self.db_path = config, db, Path(db_path)
        self.names = list(names) if names else [n for n, s in config.schedules.items() if s.enabled]
        for name in self.names:
            config.schedule(name)  # a ConfigError for a name that is not there
        self.clock, self.sleep, self.say, self.tick = clock, sleep, say, tick
        self.stop = stop or Stop()
        self.steps, self.max_runs, self.after_run = steps, max_runs, after_run
        self.runs: list[dict] = []
        self.next: dict[str, datetime | None] = {}

    # -- one run -----------------------------------------------------------------------------

    def _run(self, name: str, scheduled_for: datetime, trigger: str) -> dict:
        record = run_schedule(self.config, self.db, self.db_path, name, scheduled_for=scheduled_for,
                              trigger=trigger, clock=self.clock, sleep=self.sleep, stop=self.stop, say=self.say,
                              steps=self.steps)
        self.runs.append(record)
        if self.after_run is not None:
            self.after_run(record)
        return record

    def _enough(self) -> bool:
        return self.stop.requested or (self.max_runs is not None and len(self.runs) >= self.max_runs)

    # -- start: what was left and what was missed -----------------------------------------

    def missed(self, name: str, now: datetime) -> datetime | None:
        """The latest cron time of ``name`` that no run took care of since a scheduler
        started watching it, or None."""
        schedule = self.config.schedule(name)
        since = history.watched_since(self.db, name, schedule.cron, schedule.timezone, now)
        due = cron.last_due(schedule, now)
        if due is None or due <= since:
            return None
        handled = history.last_handled(self.db, name)
        return None if handled is not None and handled >= due else due

    def start(self) -> None:
        now = self.clock()
        stale = history.interrupt_stale_runs(self.db, now)
        if stale:
            self.say(history.stale_said(stale))
        for name in self.names:
            if self._enough():
                return
            schedule = self.config.schedule(name)
            due = self.missed(name, now)
            if due is None:
                continue
            when = due.astimezone(cron.zone(schedule)).strftime("%Y-%m-%d %H:%M %Z")
            if schedule.catch_up == "once":
                self.say(f"{name}: the run for {when} was missed; running it once now (catch_up = \"once\")")
                self._run(name, due, "catch-up")
            else:
                history.start_run(self.db, name, schedule.campaign, "cron", due, now, status="missed",
                                  error="missed while no scheduler ran; catch_up = \"skip\"")
                self.say(f"{name}: the run for {when} was missed; skipped (catch_up = \"skip\")")

    # -- the loop ------------------------------------------------------------------------------

    def _sleep_until(self, moment: datetime) -> None:
        while not self.stop.requested:
            if self._config_changed():
                return  # the loop looks at the next runs again
            left = (moment - self.clock()).total_seconds()
            if left <= 0:
                return
            self.sleep(min(self.tick, left))

    def _config_changed(self) -> bool:
        """Whether the config file changed and was read again: a user who edits a cron time
        expects the running scheduler to follow it, as cron follows its crontab."""
        stamp = _stamp(self.config_file)
        if self.reread is None or stamp == self.seen:
            return False
        self.seen = stamp
        got = self.reread()
        if isinstance(got, str):
            self.say(f"{self.config_file} changed but cannot be used, so the schedules run as before: {got}")
            return False
        config, names = got
        now, before = self.clock(), self.config
        self.say(f"{self.config_file} changed: read again")
        self.config = config
        for name in [n for n in self.names if n not in names]:
            self.next.pop(name, None)
            self.say(f"{name}: no longer run (not an enabled schedule in {self.config_file} now)")
        for name in names:
            schedule, old = config.schedule(name), before.schedules.get(name)
            if name in self.next and old is not None and (old.cron, old.timezone) == (schedule.cron, schedule.timezone):
                continue
            history.watched_since(self.db, name, schedule.cron, schedule.timezone, now)
            self.next[name] = cron.next_run(schedule, now)
            self.say(f"{name}: next run {self._local(name, self.next[name])}")
        self.names = list(names)
        return True

    def run(self) -> list[dict]:
        """Run until stopped (or ``max_runs`` runs); the runs made."""
        if not self.names:
            return self.runs
        self.start()
        now = self.clock()
        self.next = {name: cron.next_run(self.config.schedule(name), now) for name in self.names}
        for name in self.names:
            self.say(f"{name}: next run {self._local(name, self.next[name])}")
        while not self._enough():
            pending = {n: t for n, t in self.next.items() if t is not None}
            if not pending:
                self.say("no schedule has a cron time in the next 50 years; stopping")
                break
            self._sleep_until(min(pending.values()))
            if self.stop.requested:
                break
            now = self.clock()
            pending = {n: t for n, t in self.next.items() if t is not None}  # as the config now says
            for name, fire in sorted(pending.items(), key=lambda kv: (kv[1], kv[0])):
                if fire > now or self._enough():
                    continue
                # the clock as this run starts: a schedule run before it in this loop may have taken
                # long, and ``now`` is when the scheduler woke
                fire = self._due(name, fire, self.clock())
                self._run(name, fire, "cron")
                # Cron times that passed during the run are skipped: runs never pile up.
                after = max(self.clock(), fire)
                self.next[name] = cron.next_run(self.config.schedule(name), after)
                if not self.stop.requested:
                    self.say(f"{name}: next run {self._local(name, self.next[name])}")
        return self.runs

    def _due(self, name: str, fire: datetime, now: datetime) -> datetime:
        """The cron time to run now, ``fire`` woken for: the latest one passed, since later ones
        may have passed while the scheduler was not woken (the machine asleep, the process
        stopped, another schedule's long run). Each cron time passed over is said, never
        run late one after the other, and a run that starts late says how late."""
        latest = cron.last_due(self.config.schedule(name), now)
        if latest is not None and latest > fire:
            self.say(f"{name}: the cron times from {self._local(name, fire)} to {self._local(name, latest)} passed "
                     f"while the scheduler was not woken (the machine asleep, the process stopped, or another "
                     f"run); running once, for the latest ({_late(now - latest)})")
            return latest
        if (now - fire).total_seconds() >= LATE_SECONDS:
            self.say(f"{name}: the run for {self._local(name, fire)} starts {_late(now - fire)} (the machine "
                     f"asleep, the process stopped, or another run)")
        return fire

    def _local(self, name: str, moment: datetime | None) -> str:
        if moment is None:
            return "never (no cron time in the next 50 years)"
        return moment.astimezone(cron.zone(self.config.schedule(name))).strftime("%a %Y-%m-%d %H:%M %Z")
