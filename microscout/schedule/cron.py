"""Cron times of a schedule, read in its time zone by cronsim (Debian cron's rules).

Every datetime here is timezone-aware. Debian cron's DST rules apply: a time the clock
skips in spring runs just after the change (02:30 on the night clocks jump from 02:00 to
03:00 runs at 03:00); a time that happens twice in autumn runs once, the first time,
unless the hour field is a wildcard (an hourly job runs in both hours).
"""
from __future__ import annotations

from datetime import datetime, timedelta
from itertools import islice
from zoneinfo import ZoneInfo

from cronsim import CronSim

from microscout.config import Schedule


def zone(schedule: Schedule) -> ZoneInfo:
    return ZoneInfo(schedule.timezone)


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("cron times are computed from timezone-aware datetimes only")
    return moment


def next_runs(schedule: Schedule, after: datetime, count: int = 1) -> list[datetime]:
    """The next ``count`` cron times strictly after ``after``, in the schedule's zone."""
    start = _aware(after).astimezone(zone(schedule))
    return list(islice(CronSim(schedule.cron, start), count))


def next_run(schedule: Schedule, after: datetime) -> datetime | None:
    found = next_runs(schedule, after, 1)
    return found[0] if found else None


def last_due(schedule: Schedule, now: datetime) -> datetime | None:
    """The latest cron time at or before ``now`` (None when there is none in 50 years)."""
    # cronsim's reverse iteration yields times strictly before its start (and before 2.8 drops
    # the start's seconds first); cron times fall on whole minutes, so starting at the next
    # whole minute yields the latest one at or before ``now`` with every version.
    start = (_aware(now).replace(second=0, microsecond=0) + timedelta(minutes=1)).astimezone(zone(schedule))
    return next(CronSim(schedule.cron, start, reverse=True), None)


def describe(schedule: Schedule) -> str:
    """The cron expression in words ("At 08:00 on Monday"), as cronsim explains it."""
    try:
        return CronSim(schedule.cron, datetime.now(zone(schedule))).explain()
    except Exception:  # noqa: BLE001 - an expression cronsim parses but cannot put in words
        return schedule.cron
