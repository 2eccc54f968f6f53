"""Where data rests: one SQLite file, opened through sqlite-utils, in WAL mode.

Opening is careful with what the user points at: a file that is not an SQLite database, or
an SQLite database that is not microscout's, is refused before anything is written to it;
a command that only reads opens the file read-only and never creates one.
"""
from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import sqlite_utils

from microscout.store.migrations import (
    MIGRATIONS_TABLE,
    creating,
    is_legacy,
    is_microscout_db,
    migrate,
    pending,
    unknown,
)

SQLITE_HEADER = b"SQLite format 3\x00"


class StoreError(Exception):
    """A database that cannot be used as asked; str() is the whole message a user sees."""


def _inspect(path: Path) -> str:
    """'missing', 'empty' or 'sqlite'; StoreError for anything else (never written to).

    The header is read by SQLite, never through a file handle of our own: closing any handle
    on a database file drops every lock this process holds on it (POSIX), so a peek while a
    connection of the same process (a crawl's pipeline) was writing let another process
    write at the same time and corrupt the file."""
    try:
        if path.is_dir():
            raise StoreError(f"{path}: is a folder, not a database file; pass --db PATH to a file")
        if not path.exists():
            return "missing"
        size = path.stat().st_size
    except OSError as exc:
        raise StoreError(f"{path}: cannot read the database ({exc.strerror or exc}); "
                         f"check the path and its permissions") from None
    if size == 0:
        return "empty"
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            conn.execute("PRAGMA schema_version").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        if "not a database" in str(exc):
            raise StoreError(f"{path}: not an SQLite database (the file holds something else; it was left "
                             f"untouched); pass --db with the path of a microscout database") from None
        # Locked, or a folder SQLite may not add its files to: opening says what is wrong.
    return "sqlite"


def _no_database(path: Path, why: str = "") -> StoreError:
    return StoreError(f"no database at {path}{why}; run a crawl first (microscout crawl …), or pass --db PATH")


def _check_ours(db: sqlite_utils.Database, path: Path, *, allow_blank: bool) -> None:
    """Refuse an SQLite database of some other program before anything is written to it."""
    tables = set(db.table_names())
    if is_microscout_db(db):
        return
    if not tables and allow_blank:
        return
    if not tables:
        raise _no_database(path, " (an empty SQLite file)")
    raise StoreError(f"{path}: an SQLite database, but not microscout's "
                     f"(it has no microscout record in {MIGRATIONS_TABLE}; "
                     f"it was left untouched); pass --db with a database a crawl created")


def _check_not_newer(db: sqlite_utils.Database, path: Path) -> None:
    """Refuse a store a newer microscout migrated: this code would misread what it changed
    (since m017 a run's verdicts may be another run's rows) or undo it."""
    newer = unknown(db)
    if newer:
        from microscout import __version__

        raise StoreError(f"{path}: written by a newer microscout (its migration {newer[-1]} is unknown to this "
                         f"one, {__version__}); upgrade microscout to use this database")


def _settle(db: sqlite_utils.Database) -> None:
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA foreign_keys=ON")


def _open_readonly(path: Path) -> sqlite_utils.Database:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    db = sqlite_utils.Database(conn)
    db.execute("PRAGMA busy_timeout=10000")
    db.execute("PRAGMA query_only=ON")
    db.execute("SELECT count(*) FROM sqlite_master").fetchone()  # opening is lazy: fail here, not later
    return db


def open_store(path: str | Path, *, create: bool = True, upgrade: bool = True,
               readonly: bool = False) -> sqlite_utils.Database:
    """Open (and by default create and migrate) the database at ``path``.

    ``create=False``: the database must already exist. ``readonly=True``: it must exist
    and is opened read-only (SQLite ``mode=ro``): nothing is created, migrated or written.
    Any problem is a StoreError."""
    path = Path(path)
    state = _inspect(path)
    if state != "sqlite" and (readonly or not create):
        raise _no_database(path, " (the file is empty)" if state == "empty" else "")
    try:
        if readonly:
            try:
                db = _open_readonly(path)
            except sqlite3.OperationalError:
                if os.access(path.parent, os.W_OK) or Path(f"{path}-shm").exists():
                    raise
                # Reading a WAL database as it stands (immutable) would be wrong while its
                # owner's crawl writes to it, which nothing here can rule out: say what to do.
                raise StoreError(f"{path}: cannot be read from here: SQLite must create {path.name}-shm beside the "
                                 f"database to read it, and this folder is not writable for you; copy the "
                                 f"database to a folder you can write to, or read it as its owner") from None
            _check_ours(db, path, allow_blank=False)
            _check_not_newer(db, path)
            return db
        if state == "missing" and not path.parent.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite_utils.Database(path)
        db.execute("PRAGMA busy_timeout=10000")
        if state == "sqlite" and is_microscout_db(db) and not (upgrade and (pending(db) or is_legacy(db))):
            _check_not_newer(db, path)
            _settle(db)
            return db
        # A new database, or one with migrations to apply: one process at a time, so two
        # commands started together on a new file (two crawls) do not both create its tables,
        # nor one see the other's half-made schema as someone else's database.
        with creating(path):
            if _inspect(path) == "sqlite":
                _check_ours(db, path, allow_blank=create)
                _check_not_newer(db, path)
            _settle(db)
            if upgrade:
                migrate(db, lock=False)
        return db
    except StoreError:
        raise
    except OSError as exc:
        raise StoreError(f"{path}: cannot create the database ({exc.strerror or exc}); "
                         f"check the folder's permissions or pass --db PATH") from None
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: cannot open the database ({exc}); "
                         f"check the file and its permissions, or pass --db PATH") from None


__all__ = ["open_store", "migrate", "pending", "StoreError", "SQLITE_HEADER"]
