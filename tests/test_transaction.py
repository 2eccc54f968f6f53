"""store.transaction: a block of writes is one transaction, however its writes are made
(sqlite-utils 4 commits a lone db.execute write at once unless a transaction is open)."""
import pytest

from microscout.store import open_store
from microscout.store.transaction import transaction


class Stop(Exception):
    pass


@pytest.fixture
def db(tmp_path):
    db = open_store(tmp_path / "t.db")
    db.execute("CREATE TABLE notes (x TEXT)")
    return db


def count(db) -> int:
    return db.execute("SELECT count(*) FROM notes").fetchone()[0]


@pytest.mark.parametrize("write", [
    lambda db: db.execute("INSERT INTO notes VALUES ('a')"),
    lambda db: db["notes"].insert({"x": "a"}),
    lambda db: db.conn.execute("INSERT INTO notes VALUES ('a')"),
])
def test_a_block_that_raises_leaves_none_of_its_writes(db, write):
    with pytest.raises(Stop):
        with transaction(db):
            write(db)
            raise Stop
    assert count(db) == 0 and not db.conn.in_transaction
    with transaction(db):
        write(db)
    assert count(db) == 1


def test_a_nested_block_joins_the_open_one(db):
    with pytest.raises(Stop):
        with transaction(db):
            db.execute("INSERT INTO notes VALUES ('outer')")
            with transaction(db):
                db.execute("INSERT INTO notes VALUES ('inner')")
            assert count(db) == 2
            raise Stop
    # leaving the inner block committed both, as with db.conn did: nothing was lost to a
    # rollback it could not see
    assert count(db) == 2


def test_the_write_lock_is_taken_up_front(db, tmp_path):
    other = open_store(tmp_path / "t.db")
    other.execute("PRAGMA busy_timeout=0")
    with transaction(db):
        assert db.execute("SELECT count(*) FROM notes").fetchone()[0] == 0  # only a read so far
        with pytest.raises(Exception, match="locked"):
            with transaction(other):
                pass
