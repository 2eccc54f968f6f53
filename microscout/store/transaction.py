"""One transaction around a block of writes, whatever writes them.

sqlite-utils 4 commits a write run through ``db.execute`` (or a table's insert/update) at
once unless a transaction is already open, so ``with db.conn:`` alone does not make a block
atomic: its first such write is committed before the rest, and an error later rolls back
only what followed. ``transaction(db)`` opens one first.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Iterator

if TYPE_CHECKING:
    import sqlite_utils


@contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[None]:
    """Commit every write of the block together, or none of them when it raises.

    BEGIN IMMEDIATE takes the write lock up front, waiting for it as the busy timeout says: a
    block that reads before it writes would otherwise fail at once, should another process
    commit in between. Inside an open transaction the block joins it, and leaving the block
    commits it, as ``with db.conn:`` does."""
    conn = db.conn
    if not conn.in_transaction:
        conn.execute("BEGIN IMMEDIATE")
    with conn:
        yield


@contextmanager
def snapshot(db: sqlite_utils.Database) -> Iterator[None]:
    """Every read of the block sees the store as it was at the block's first read.

    Between two statements another process may commit: a shortlist finishing and pruning
    the run a reader has just picked (store/runs.py) would leave it reading that run's rows
    half-deleted. In WAL mode a read transaction keeps its snapshot while writers commit.
    For blocks that only read; inside an open transaction the block joins it."""
    conn = db.conn
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN DEFERRED")
    with conn:  # ends it: COMMIT (nothing to write), or ROLLBACK should the block raise
        yield
