"""Reading a batch of candidates costs the same at any store size: the batch queries walk
profiles by id instead of sorting a whole platform's candidates for every batch, which made
judging quadratic (a second a batch at 1,000,000 profiles; BENCHMARKS.md)."""
from __future__ import annotations

import pytest

from microscout.engine.shortlist import batch_bounds, profile_rows
from microscout.store import open_store
from microscout.store.queries import iter_profile_batches

PLATFORMS = ["mastodon", "bluesky"]


def store_of(tmp_path, profiles: int):
    db = open_store(tmp_path / f"s{profiles}.db")
    rows = [(PLATFORMS[i % 2], f"id-{i}", f"h{i}", "2026-01-01T00:00:00+00:00", "2026-01-01T00:00:00+00:00",
             int(i % 7 == 0)) for i in range(profiles)]
    with db.conn:
        db.conn.executemany("INSERT INTO profiles (platform, platform_id, handle, first_seen, last_seen, "
                            "opted_out) VALUES (?, ?, ?, ?, ?, ?)", rows)
    return db


def steps(db, read) -> int:
    """SQLite virtual-machine steps (in hundreds) that ``read`` makes SQLite take."""
    count = [0]

    def tick() -> int:
        count[0] += 1
        return 0

    db.conn.set_progress_handler(tick, 100)
    try:
        read()
    finally:
        db.conn.set_progress_handler(None, 0)
    return count[0]


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("scaling")
    return store_of(tmp, 2_000), store_of(tmp, 40_000)


def test_a_batch_of_candidates_costs_the_same_in_a_store_twenty_times_larger(stores):
    small, large = stores
    for platforms in (PLATFORMS, ["bluesky"]):
        first = [steps(db, lambda db=db: next(iter_profile_batches(db, platforms, 50))) for db in (small, large)]
        ranged = [steps(db, lambda db=db: profile_rows(db, platforms, 1_000, 1_100)) for db in (small, large)]
        assert first[1] <= 2 * first[0] + 2 and ranged[1] <= 2 * ranged[0] + 2, (platforms, first, ranged)


def test_batches_are_every_candidate_in_id_order_once(stores):
    small, _ = stores
    for platforms in (PLATFORMS, ["bluesky"]):
        ids = [row["id"] for batch in iter_profile_batches(small, platforms, 64) for row in batch]
        expected = [id_ for (id_,) in small.execute(
            "SELECT id FROM profiles WHERE opted_out = 0 AND platform IN (" + ", ".join("?" * len(platforms)) + ") "
            "ORDER BY id", platforms)]
        assert ids == expected and len(ids) > 500
        bounds = batch_bounds(small, platforms, 64)
        assert [row["id"] for first, last in bounds for row in profile_rows(small, platforms, first, last)] == expected
