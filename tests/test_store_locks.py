"""Opening the store never drops the locks this process holds on it: POSIX drops every lock
a process holds on a file when it closes any handle on that file. A peek at the header while
a crawl's pipeline had the store open dropped the pipeline's shared lock, so the next process
to close its own connection thought itself the last, checkpointed and deleted the WAL under
the pipeline: 'disk I/O error', and at times a corrupt file."""
import subprocess
import sys
from pathlib import Path

from microscout.store import open_store
from microscout.store.transaction import transaction

READ_AND_CLOSE = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
conn.execute("SELECT count(*) FROM store_info").fetchone()
conn.close()
"""


def test_a_second_open_keeps_the_first_connections_locks(tmp_path):
    path = tmp_path / "scout.db"
    writer = open_store(path)
    with transaction(writer):
        writer.execute("INSERT INTO store_info (key, value) VALUES ('first', 'batch')")
    again = open_store(path)  # as the crawl's run record does every 2 s while the pipeline writes
    again.conn.close()
    done = subprocess.run([sys.executable, "-c", READ_AND_CLOSE, str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert Path(f"{path}-wal").exists(), "another process took itself for the last user and removed the WAL"
    with transaction(writer):
        writer.execute("INSERT INTO store_info (key, value) VALUES ('second', 'batch')")
    writer.conn.close()
    check = open_store(path, readonly=True)
    assert check.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    assert [r[0] for r in check.execute("SELECT key FROM store_info WHERE key IN ('first', 'second') ORDER BY 1")] \
        == ["first", "second"]


OPEN_TOGETHER = """
import sys, time
from microscout.store import open_store
from microscout.store.migrations import applied
start = float(sys.argv[2])
while time.time() < start:
    pass
db = open_store(sys.argv[1])
print(len(applied(db)))
"""


def test_processes_creating_one_new_database_together_all_get_it(tmp_path):
    # Two crawls started together into a new file: each used to create the tables the other
    # was creating ('table profiles already exists') or take its half-made schema for
    # another program's database. Creating and migrating is one process at a time.
    import time

    from microscout.store.migrations import applied

    for attempt in range(4):
        path = tmp_path / f"new-{attempt}.db"
        start = str(time.time() + 1.0)
        procs = [subprocess.Popen([sys.executable, "-c", OPEN_TOGETHER, str(path), start], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(3)]
        outcomes = [(p.wait(timeout=60), *p.communicate()) for p in procs]
        assert all(code == 0 for code, _, _ in outcomes), outcomes
        migrated = len(applied(open_store(path)))
        assert {int(out) for _, out, _ in outcomes} == {migrated}


def test_a_store_opened_while_another_in_its_folder_is_created_does_not_wait_for_itself(tmp_path):
    # The folder's lock is per process: taken twice by one, it used to hang for good.
    import signal

    from microscout.store.migrations import creating

    def waited(signum, frame):
        raise AssertionError("open_store waited 20 s for the lock its own thread holds")

    previous = signal.signal(signal.SIGALRM, waited)  # fail, not hang, should it wait for itself
    signal.alarm(20)
    try:
        with creating(tmp_path / "a.db"):
            db = open_store(tmp_path / "b.db")
            assert db.execute("SELECT count(*) FROM profiles").fetchone()[0] == 0
        open_store(tmp_path / "c.db").conn.close()  # and the lock is free again afterwards
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
