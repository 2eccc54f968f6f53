"""Writing profiles a store does not hold yet costs the same at any store size: the look-up for
a profile imported by the same handle (store/writes.py, adopt_imported) goes through an index
of (platform, lower(handle)) (m022), not through every profile of the platform for each batch a
crawl writes (10 ms a batch at 10,000 profiles, growing with the store)."""
from __future__ import annotations

import pytest

from microscout.store import open_store
from microscout.store.writes import upsert_profiles
from tests.test_batch_scaling import steps

NOW = "2026-01-01T00:00:00+00:00"


def store_of(tmp_path, creators: int):
    """``creators`` crawled Bluesky profiles (a DID, a handle) and one imported by its handle."""
    db = open_store(tmp_path / f"s{creators}.db")
    with db.conn:
        db.conn.executemany("INSERT INTO profiles (platform, platform_id, handle, first_seen, last_seen) "
                            "VALUES ('bluesky', ?, ?, ?, ?)",
                            [(f"did:plc:{i}", f"c{i}.bsky.social", NOW, NOW) for i in range(creators)]
                            + [("Anna.Example.com", "Anna.Example.com", NOW, NOW)])
    return db


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("adopt-scaling")
    return store_of(tmp, 2_000), store_of(tmp, 40_000)


def test_writing_new_profiles_costs_the_same_in_a_store_twenty_times_larger(stores):
    costs = []
    for db in stores:
        (imported,) = db.execute("SELECT id FROM profiles WHERE platform_id = 'Anna.Example.com'").fetchone()
        db.conn.execute("SAVEPOINT probe")
        rows = [{"platform": "bluesky", "platform_id": f"did:plc:new{i}", "handle": f"new{i}.bsky.social"}
                for i in range(20)]
        rows.append({"platform": "bluesky", "platform_id": "did:plc:anna", "handle": "@anna.example.com"})
        ids: dict = {}
        costs.append(steps(db, lambda db=db, rows=rows: ids.update(upsert_profiles(db, rows))))
        # and it did its work: the imported profile took the DID the crawl brings, the others are new rows
        assert ids[("bluesky", "did:plc:anna")] == imported
        assert db.execute("SELECT platform_id FROM profiles WHERE id = ?", [imported]).fetchone()[0] == "did:plc:anna"
        assert len(set(ids.values())) == 21
        db.conn.execute("ROLLBACK TO probe")
        db.conn.execute("RELEASE probe")
    small, large = costs
    assert large <= 2 * small + 2, costs
