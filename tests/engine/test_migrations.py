"""Schema changes through sqlite-utils' own Migrations; databases from before are upgraded."""
import sqlite3

import pytest

from microscout.store import StoreError, open_store
from microscout.store.migrations import MIGRATION_SET, applied, migrations, pending


def test_a_new_database_records_every_migration_in_the_set(tmp_path):
    db = open_store(tmp_path / "new.db")
    assert applied(db) == [m.name for m in migrations._migrations] and pending(db) == []
    sets = {r[0] for r in db.execute("SELECT migration_set FROM _sqlite_migrations")}
    assert sets == {MIGRATION_SET}


def test_a_database_from_before_is_carried_over_without_running_anything_again(tmp_path):
    path = tmp_path / "old.db"
    open_store(path).conn.close()
    # what an older microscout left: the same schema, its record in _migrations
    con = sqlite3.connect(path)
    with con:
        con.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
        con.execute("INSERT INTO _migrations SELECT name, applied_at FROM _sqlite_migrations ORDER BY id")
        con.execute("DROP TABLE _sqlite_migrations")
    con.close()
    # a read-only open sees it as microscout's and changes nothing
    ro = open_store(path, readonly=True)
    assert pending(ro) == [] and "_migrations" in ro.table_names()
    ro.conn.close()
    # re-running m002 (ALTER TABLE … ADD COLUMN bot) would fail: opening must not re-run it
    db = open_store(path)
    assert "_migrations" not in db.table_names()
    assert applied(db) == [m.name for m in migrations._migrations]


def test_another_programs_migrations_do_not_make_a_database_ours(tmp_path):
    path = tmp_path / "theirs.db"
    con = sqlite3.connect(path)
    with con:
        con.execute("CREATE TABLE _sqlite_migrations (id INTEGER PRIMARY KEY, migration_set TEXT, name TEXT, "
                    "applied_at TEXT)")
        con.execute("INSERT INTO _sqlite_migrations (migration_set, name) VALUES ('creatures', 'create')")
        con.execute("CREATE TABLE creatures (id INTEGER)")
    con.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="not microscout's"):
        open_store(path)
    assert path.read_bytes() == before
