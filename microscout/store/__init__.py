"""Where data rests: one SQLite file, opened through sqlite-utils, in WAL mode."""
from __future__ import annotations

from pathlib import Path

import sqlite_utils

from microscout.store.migrations import migrate, pending


class StoreError(Exception):
    pass


def open_store(path: str | Path, *, create: bool = True, upgrade: bool = True) -> sqlite_utils.Database:
    """Open (and by default create and migrate) the database at ``path``."""
    path = Path(path)
    if not create and not path.exists():
        raise StoreError(f"{path}: no such database; run a crawl first or pass --db PATH")
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA busy_timeout=10000")
    db.execute("PRAGMA foreign_keys=ON")
    if upgrade:
        migrate(db)
    return db


__all__ = ["open_store", "migrate", "pending", "StoreError"]
