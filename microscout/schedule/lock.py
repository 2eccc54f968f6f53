"""A lock row in the database, so that schedule runs never overlap.

One row per lock name in ``locks``: a random token, the holding process (pid, and host
with the process's start time, so a reused pid is not taken for the holder), and an
expiry the holder renews while it works (:class:`Heartbeat`). A lock is stale, and taken
over, when its process is gone (on this host) or its expiry has passed (a process on
another host, or one that hangs). Taking it is one INSERT … ON CONFLICT DO NOTHING, and a
stale holder is removed only by its own token: two processes never both win.
"""
from __future__ import annotations

import os
import secrets
import sqlite3
import threading
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


def stale_reason(row: dict, now: datetime) -> str | None:
    """Why the lock in ``row`` no longer protects anything, or None while it does."""
    if row.get("pid") is not None and process_alive(row["pid"], row.get("owner")) is False:
        return f"its process {row['pid']} is gone"
    expires = _parse(row.get("expires_at"))
    if expires is None or expires <= now:
        return f"it expired at {row.get('expires_at')} without renewal"
    return None


def holder_of(db: sqlite_utils.Database, name: str = RUN_LOCK) -> dict | None:
    if "locks" not in db.table_names():
        return None
    rows = list(db.query("SELECT * FROM locks WHERE name = ?", [name]))
    return rows[0] if rows else None


def acquire(db: sqlite_utils.Database, holder: str, *, name: str = RUN_LOCK, clock: Clock = utcnow,
            ttl: float = LOCK_TTL) -> Lock:
    """Take the lock, or raise LockHeld; a stale lock is taken over (Lock.recovered says why)."""
    recovered = None
    for _ in range(3):
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
        with transaction(db):
            db.execute("DELETE FROM locks WHERE name = ? AND token = ?", [name, row["token"]])
        recovered = f"took over a stale lock of {row.get('holder') or 'a run'}: {reason}"
    raise LockHeld(holder_of(db, name) or {"holder": "another process"})


def describe_holder(db: sqlite_utils.Database, lock: Lock, holder: str) -> None:
    with transaction(db):
        db.execute("UPDATE locks SET holder = ? WHERE name = ? AND token = ?", [holder, lock.name, lock.token])


def renew(conn: sqlite3.Connection, lock: Lock, clock: Clock = utcnow, ttl: float = LOCK_TTL) -> bool:
    """Push the expiry on; False when the lock is no longer ours."""
    with conn:
        return conn.execute("UPDATE locks SET expires_at = ? WHERE name = ? AND token = ?",
                            [_iso(clock() + timedelta(seconds=ttl)), lock.name, lock.token]).rowcount == 1


def release(db: sqlite_utils.Database, lock: Lock) -> None:
    with transaction(db):
        db.execute("DELETE FROM locks WHERE name = ? AND token = ?", [lock.name, lock.token])


class Heartbeat:
    """Renews a lock from a thread of its own (with its own connection) while a run works,
    however long a step takes."""

    def __init__(self, db_path: str | Path, lock: Lock, clock: Clock = utcnow, ttl: float = LOCK_TTL,
                 every: float = RENEW_EVERY):
        self.db_path, self.lock, self.clock, self.ttl, self.every = str(db_path), lock, clock, ttl, every
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
                    renew(conn, self.lock, self.clock, self.ttl)
                except sqlite3.Error:
                    continue  # busy for longer than the timeout: the next beat tries again
        finally:
            conn.close()
