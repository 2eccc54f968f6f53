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


def test_db_stats_of_an_older_store_names_the_migrations_it_has_not_had(tmp_path):
    # db stats opens read-only and migrates nothing: listing only what was applied made a
    # store an older microscout left look up to date.
    import json

    import sqlite_utils
    from click.testing import CliRunner

    from microscout.cli import cli

    path = tmp_path / "old.db"
    old = sqlite_utils.Database(path)
    migrations.apply(old, stop_before="m019_gone_accounts")
    old.close()
    waiting = [m.name for m in migrations._migrations][18:]
    assert waiting[0] == "m019_gone_accounts"
    config = tmp_path / "none.toml"
    config.write_text("")
    text = CliRunner().invoke(cli, ["db", "stats", "--db", str(path), "--config", str(config)])
    assert text.exit_code == 0, text.output
    assert f"  pending: {', '.join(waiting)}; `microscout db migrate` applies them" in text.output
    data = json.loads(CliRunner().invoke(cli, ["db", "stats", "--json", "--db", str(path),
                                               "--config", str(config)]).output)
    assert data["pending"] == waiting and "m019_gone_accounts" not in data["migrations"]
    assert pending(open_store(path, readonly=True)) == waiting  # nothing was migrated
    open_store(tmp_path / "new.db").conn.close()
    fresh = CliRunner().invoke(cli, ["db", "stats", "--json", "--db", str(tmp_path / "new.db"),
                                     "--config", str(config)])
    assert json.loads(fresh.output)["pending"] == []
