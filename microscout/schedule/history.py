"""The record of schedule runs (table schedule_runs) and of what each scheduler watched
(schedule_state)."""
from __future__ import annotations

import json
import os
from datetime import datetime, timezone

import sqlite_utils

from microscout.store.queries import parse_timestamp
from microscout.store.runs import HISTORY_KEPT, process_alive, process_owner
from microscout.store.transaction import transaction

# A run with one of these outcomes took care of its cron time; an interrupted one did not,
# so a scheduler that starts again (catch_up = "once") runs it again.
HANDLED = ("succeeded", "failed", "skipped", "missed")


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


parse = parse_timestamp  # the store's one reader of its timestamps


def decode(row: dict) -> dict:
    """A schedule_runs row with its JSON columns read."""
    out = dict(row)
    for key in ("steps", "exports"):
        try:
            out[key] = json.loads(row.get(key) or "[]")
        except ValueError:
            out[key] = []
    return out


def start_run(db: sqlite_utils.Database, schedule: str, campaign: str, trigger: str,
              scheduled_for: datetime, started: datetime, status: str = "running",
              error: str | None = None) -> int:
    with transaction(db):
        run_id = db.execute(
            "INSERT INTO schedule_runs (schedule, campaign, trigger, scheduled_for, started_at, finished_at, "
            "status, error, pid, owner) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [schedule, campaign, trigger, iso(scheduled_for), iso(started),
             None if status == "running" else iso(started), status, error, os.getpid(), process_owner()]).lastrowid
    assert run_id is not None  # the INSERT just made the row
    return run_id


def save_run(db: sqlite_utils.Database, run_id: int, **fields) -> None:
    values = {k: json.dumps(v, ensure_ascii=False) if k in ("steps", "exports") else v for k, v in fields.items()}
    with transaction(db):
        db.execute(f"UPDATE schedule_runs SET {', '.join(f'{k} = ?' for k in values)} WHERE id = ?",
                   [*values.values(), run_id])


def get_run(db: sqlite_utils.Database, run_id: int) -> dict:
    return decode(next(db.query("SELECT * FROM schedule_runs WHERE id = ?", [run_id])))


def last_run(db: sqlite_utils.Database, schedule: str) -> dict | None:
    if "schedule_runs" not in db.table_names():
        return None
    rows = list(db.query("SELECT * FROM schedule_runs WHERE schedule = ? ORDER BY id DESC LIMIT 1", [schedule]))
    return decode(rows[0]) if rows else None


def last_worked(db: sqlite_utils.Database, schedule: str) -> tuple[dict | None, dict | None]:
    """(the latest run that was not skipped, a skipped run after it): a second scheduler's
    skipped run for the same cron time must not hide the run that did the work."""
    if "schedule_runs" not in db.table_names():
        return None, None
    rows = list(db.query("SELECT * FROM schedule_runs WHERE schedule = ? AND status != 'skipped' "
                         "ORDER BY id DESC LIMIT 1", [schedule]))
    worked = decode(rows[0]) if rows else None
    later = list(db.query("SELECT * FROM schedule_runs WHERE schedule = ? AND status = 'skipped' AND id > ? "
                          "ORDER BY id DESC LIMIT 1", [schedule, worked["id"] if worked else 0]))
    return worked, decode(later[0]) if later else None


def runs(db: sqlite_utils.Database, schedule: str | None = None, limit: int = 20) -> list[dict]:
    where, params = ("WHERE schedule = ?", [schedule]) if schedule else ("", [])
    return [decode(r) for r in db.query(f"SELECT * FROM schedule_runs {where} ORDER BY id DESC LIMIT ?",
                                        [*params, limit])]


def last_handled(db: sqlite_utils.Database, schedule: str) -> datetime | None:
    """The latest cron time a run took care of (see HANDLED)."""
    row = db.execute(f"SELECT max(scheduled_for) FROM schedule_runs WHERE schedule = ? "
                     f"AND status IN ({', '.join('?' * len(HANDLED))})", [schedule, *HANDLED]).fetchone()
    return parse(row[0]) if row else None


def prune_runs(db: sqlite_utils.Database, schedule: str, keep: int | None = None) -> int:
    """Delete the schedule's runs beyond its newest ``keep`` (HISTORY_KEPT), but those the
    scheduler still reads: any still running, the latest that took care of its cron time
    (last_handled: what a missed run is measured from) and the latest not skipped
    (last_worked: what `schedule list` shows). The number deleted."""
    keep = HISTORY_KEPT if keep is None else keep
    with transaction(db):
        return db.execute(
            f"DELETE FROM schedule_runs WHERE schedule = ? AND status != 'running' "
            f"AND id < (SELECT min(id) FROM (SELECT id FROM schedule_runs WHERE schedule = ? "
            f"ORDER BY id DESC LIMIT ?)) "
            f"AND id IS NOT (SELECT id FROM schedule_runs WHERE schedule = ? AND status IN "
            f"({', '.join('?' * len(HANDLED))}) ORDER BY scheduled_for DESC, id DESC LIMIT 1) "
            f"AND id IS NOT (SELECT max(id) FROM schedule_runs WHERE schedule = ? AND status != 'skipped')",
            [schedule, schedule, keep, schedule, *HANDLED, schedule]).rowcount


def stale_runs(db: sqlite_utils.Database) -> list[int]:
    """Runs still `running` whose process is gone (killed outright)."""
    if "schedule_runs" not in db.table_names():
        return []
    me, mine = os.getpid(), process_owner()
    return [r["id"] for r in db.query("SELECT id, pid, owner FROM schedule_runs WHERE status = 'running'")
            if not (r["pid"] == me and r["owner"] == mine) and process_alive(r["pid"], r["owner"]) is False]


def interrupt_stale_runs(db: sqlite_utils.Database, now: datetime) -> list[int]:
    stale = stale_runs(db)
    for run_id in stale:
        save_run(db, run_id, status="interrupted", finished_at=iso(now),
                 error="its process ended before the run did (killed?)")
    return stale


def stale_said(stale: list[int]) -> str:
    """What `schedule run` and `run-once` say of the runs interrupt_stale_runs marked."""
    return f"marked {len(stale)} run(s) left by a killed process interrupted: {', '.join(map(str, stale))}"


def watched_since(db: sqlite_utils.Database, schedule: str, cron: str, zone: str, now: datetime) -> datetime:
    """When a scheduler started watching this schedule with this cron and time zone: a
    cron time before that was never missed, nobody was meant to run it."""
    rows = list(db.query("SELECT * FROM schedule_state WHERE schedule = ?", [schedule]))
    if rows and rows[0]["cron"] == cron and rows[0]["timezone"] == zone and (
            since := parse(rows[0]["watched_since"])):
        return since
    with transaction(db):
        db.execute("INSERT INTO schedule_state (schedule, cron, timezone, watched_since) VALUES (?, ?, ?, ?) "
                   "ON CONFLICT (schedule) DO UPDATE SET cron = excluded.cron, timezone = excluded.timezone, "
                   "watched_since = excluded.watched_since", [schedule, cron, zone, iso(now)])
    return now
