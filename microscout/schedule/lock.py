"""A lock row in the database, so that schedule runs never overlap.

One row per lock name in ``locks``: a random token, the holding process (pid, and host
with the process's start time, so a reused pid is not taken for the holder), and an
expiry the holder renews while it works (:class:`Heartbeat`). A lock whose process is gone
(on this host) is taken over at once. One whose expiry passed (a process on another host,
one that hangs, or a machine that slept past the expiry: its holder is still working, and
renews the lock within a heartbeat once it wakes) is watched first, for WATCH_HEARTBEATS
heartbeats, and taken over only when nobody renewed it meanwhile. Taking it is one INSERT …
ON CONFLICT DO NOTHING, and a stale holder is removed only by its own token: two processes
never both win. A holder whose renewal finds the lock no longer its own knows it
(:func:`lost`, ``Heartbeat.lost``): the runner stops at its next step.
"""
from __future__ import annotations

import os
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

import sqlite_utils

from microscout.schedule.history import iso as _iso
from microscout.store.queries import parse_timestamp as _parse
from microscout.store.runs import process_alive, process_owner
from microscout.store.transaction import transaction

RUN_LOCK = "schedule-run"   # one schedule run at a time per database
LOCK_TTL = 600.0            # seconds a lock lives without renewal
RENEW_EVERY = 60.0          # seconds between renewals while the holder works
# An expired lock is watched this many heartbeats (RENEW_EVERY) before it is taken over: a
# holder whose machine slept renews it within one heartbeat of waking (a heartbeat's wait
# does not count the time asleep), or within two when the store was busy.
WATCH_HEARTBEATS = 2

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(timezone.utc)




class LockHeld(Exception):
    """The lock belongs to a live process; ``holder`` is its row."""

    def __init__(self, holder: dict):
        self.holder = holder
        what = holder.get("holder") or "another process"
        host = (holder.get("owner") or "?").rpartition(":")[0] or "?"
        super().__init__(f"{what} holds the lock (pid {holder.get('pid')} on "
                         f"{host}, since {holder.get('acquired_at')})")


@dataclass
class Lock:
    name: str
    token: str
    # Why the previous holder's lock was taken over, when it was stale.
    recovered: str | None = None


def gone(row: dict) -> bool:
    """Whether the lock's process is known to be gone (on this host)."""
    return row.get("pid") is not None and process_alive(row["pid"], row.get("owner")) is False


def stale_reason(row: dict, now: datetime) -> str | None:
    """Why the lock in ``row`` no longer protects anything, or None while it does."""
    if gone(row):
        return f"its process {row['pid']} is gone"
    expires = _parse(row.get("expires_at"))
    if expires is None or expires <= now:
        return f"it expired at {row.get('expires_at')} without renewal"
    return None


def describe(row: dict | None) -> str:
    """A lock's holder in words: "schedule weekly, run 12 (pid 4242 on host-a)"."""
    if row is None:
        return "another process"
    host = (row.get("owner") or "?").rpartition(":")[0] or "?"
    return f"{row.get('holder') or 'another process'} (pid {row.get('pid')} on {host})"


def _watch(db: sqlite_utils.Database, name: str, row: dict, seconds: float, clock: Clock,
           sleep: Callable[[float], None], cancelled: Callable[[], bool]) -> bool:
    """Whether the lock in ``row`` went ``seconds`` without a renewal (take it over); False
    as soon as it was released or taken by another (ask again). LockHeld when its holder
    renewed it: alive and working."""
    end = clock() + timedelta(seconds=seconds)
    while not cancelled():
        left = (end - clock()).total_seconds()
        if left <= 0:
            return True
        sleep(min(1.0, left))
        again = holder_of(db, name)
        if again is None or again["token"] != row["token"]:
            return False
        if again["expires_at"] != row["expires_at"]:
            raise LockHeld(again)
    raise LockHeld(row)


def holder_of(db: sqlite_utils.Database, name: str = RUN_LOCK) -> dict | None:
    if "locks" not in db.table_names():
        return None
    rows = list(db.query("SELECT * FROM locks WHERE name = ?", [name]))
    return rows[0] if rows else None


def acquire(db: sqlite_utils.Database, holder: str, *, name: str = RUN_LOCK, clock: Clock = utcnow,
            ttl: float | None = None, sleep: Callable[[float], None] = time.sleep, watch: float | None = None,
            cancelled: Callable[[], bool] = lambda: False, say: Callable[[str], None] | None = None) -> Lock:
    """Take the lock, or raise LockHeld; a stale lock is taken over (Lock.recovered says why):
    at once when its process is gone, after ``watch`` seconds (WATCH_HEARTBEATS heartbeats)
    without a renewal when it expired only. ``cancelled``: stop watching (a stop asked for)."""
    ttl = LOCK_TTL if ttl is None else ttl
    watch = WATCH_HEARTBEATS * RENEW_EVERY if watch is None else watch
    recovered = None
    for _ in range(5):
        now = clock()
        token = secrets.token_hex(16)
        with transaction(db):
            inserted = db.execute(
                "INSERT INTO locks (name, token, holder, pid, owner, acquired_at, expires_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING",
                [name, token, holder, os.getpid(), process_owner(), _iso(now), _iso(now + timedelta(seconds=ttl))]
            ).rowcount
        if inserted:
            return Lock(name, token, recovered)
        row = holder_of(db, name)
        if row is None:
            continue  # released in between: try again
        reason = stale_reason(row, now)
        if reason is None:
            raise LockHeld(row)
        if not gone(row):
            # Expired, its process maybe still working (a machine woken from sleep renews it
            # within a heartbeat): taken over only if nobody renews it while watched.
            if say is not None:
                say(f"the lock of {describe(row)} expired at {row.get('expires_at')}; watching it {watch:g} s "
                    f"for a renewal before taking it over")
            if not _watch(db, name, row, watch, clock, sleep, cancelled):
                continue  # released, or taken by another: ask again
            alive = process_alive(row["pid"], row.get("owner")) if row.get("pid") is not None else None
            reason += (f", nor in the {watch:g} s it was watched"
                       + (f" (its process {row['pid']} is still there: hung?)" if alive else ""))
        with transaction(db):
            db.execute("DELETE FROM locks WHERE name = ? AND token = ?", [name, row["token"]])
        recovered = f"took over a stale lock of {row.get('holder') or 'a run'}: {reason}"
    raise LockHeld(holder_of(db, name) or {"holder": "another process"})


def describe_holder(db: sqlite_utils.Database, lock: Lock, holder: str) -> None:
    with transaction(db):
        db.execute("UPDATE locks SET holder = ? WHERE name = ? AND token = ?", [holder, lock.name, lock.token])


def renew(conn: sqlite3.Connection, lock: Lock, clock: Clock = utcnow, ttl: float | None = None) -> bool:
    """Push the expiry on; False when the lock is no longer ours."""
    ttl = LOCK_TTL if ttl is None else ttl
    with conn:
        return conn.execute("UPDATE locks SET expires_at = ? WHERE name = ? AND token = ?",
                            [_iso(clock() + timedelta(seconds=ttl)), lock.name, lock.token]).rowcount == 1


def taken_by(conn: sqlite3.Connection, lock: Lock) -> str:
    """Who holds the lock now that ``lock`` is no longer ours, in words."""
    cursor = conn.execute("SELECT * FROM locks WHERE name = ?", [lock.name])
    names = [d[0] for d in cursor.description]
    found = cursor.fetchone()
    if found is None:
        return "another run (which has released it since)"
    return describe(dict(zip(names, found)))


def lost(db: sqlite_utils.Database, lock: Lock, clock: Clock = utcnow) -> str | None:
    """Renew the lock now; None while it is ours, else who took it over (in words)."""
    try:
        if renew(db.conn, lock, clock):
            return None
    except sqlite3.Error:
        return None  # busy: the heartbeat tries again, and so does the next step
    return taken_by(db.conn, lock)


def release(db: sqlite_utils.Database, lock: Lock) -> None:
    with transaction(db):
        db.execute("DELETE FROM locks WHERE name = ? AND token = ?", [lock.name, lock.token])


class Heartbeat:
    """Renews a lock from a thread of its own (with its own connection) while a run works,
    however long a step takes. A renewal that finds the lock no longer its own (taken over)
    ends the beats and says who took it in ``lost``."""

    def __init__(self, db_path: str | Path, lock: Lock, clock: Clock = utcnow, ttl: float | None = None,
                 every: float | None = None):
        self.db_path, self.lock, self.clock = str(db_path), lock, clock
        self.ttl = LOCK_TTL if ttl is None else ttl
        self.every = RENEW_EVERY if every is None else every
        self.lost: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="microscout-lock", daemon=True)

    def __enter__(self) -> "Heartbeat":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _beat(self) -> None:
        conn = sqlite3.connect(self.db_path, timeout=30)
        try:
            while not self._stop.wait(self.every):
                try:
                    if not renew(conn, self.lock, self.clock, self.ttl):
                        self.lost = taken_by(conn, self.lock)
                        return
                except sqlite3.Error:
                    continue  # busy for longer than the timeout: the next beat tries again
        finally:
            conn.close()
