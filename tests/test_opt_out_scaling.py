"""Learning that an account opted out costs the same at any store size: what it left on other
creators' pages (replies, follower rows, the verdicts quoting them) and what shortlists said of
it are found through indexes, not by reading every reply, follower and verdict row of the store
for each opt-out a crawl meets (0.8 s a time at 10,000 profiles, growing with the store)."""
from __future__ import annotations

import json

import pytest

from microscout.store import open_store
from microscout.store.writes import forget_opted_out, forget_traces
from tests.test_batch_scaling import steps

NOW = "2026-01-01T00:00:00+00:00"


def store_of(tmp_path, creators: int):
    """``creators`` profiles, each with 3 replies and 2 sampled followers by its own fans and a
    verdict and entry in one shortlist run; fan-x (stored, not opted out) replied to and follows
    creator 5, and the verdict on creator 5 names fan-x among its pod regulars."""
    db = open_store(tmp_path / f"s{creators}.db")
    with db.conn:
        db.conn.executemany("INSERT INTO profiles (id, platform, platform_id, handle, first_seen, last_seen) "
                            "VALUES (?, 'mastodon', ?, ?, ?, ?)",
                            [(i, f"c{i}", f"c{i}", NOW, NOW) for i in range(1, creators + 1)]
                            + [(creators + 1, "fan-x", "fan-x", NOW, NOW)])
        db.conn.executemany("INSERT INTO comments (platform, platform_id, profile_id, post_platform_id, author_id, "
                            "text) VALUES ('mastodon', ?, ?, ?, ?, 'nice')",
                            [(f"r{i}-{k}", i, f"p{i}", f"fan{i}-{k}") for i in range(1, creators + 1) for k in range(3)]
                            + [("r-x", 5, "p5", "fan-x")])
        db.conn.executemany("INSERT INTO follower_samples (profile_id, platform_id) VALUES (?, ?)",
                            [(i, f"fan{i}-{k}") for i in range(1, creators + 1) for k in range(2)] + [(5, "fan-x")])
        db.conn.execute("INSERT INTO shortlist_runs (id, campaign, status) VALUES (1, 'demo', 'finished')")
        pods = {"pod_regulars": ["fan-x"], "examples": [{"id": "r-x", "class": "generic"}]}
        db.conn.executemany("INSERT INTO verdicts VALUES (1, ?, 'comment_quality', 'pass', 1.0, 'ok', ?)",
                            [(i, json.dumps(pods if i == 5 else {"pod_regulars": []})) for i in range(1, creators + 1)])
        db.conn.executemany("INSERT INTO shortlist_entries (run_id, profile_id, handle) VALUES (1, ?, ?)",
                            [(i, f"c{i}") for i in range(1, creators + 2)])
    return db


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("opt-out-scaling")
    return store_of(tmp, 2_000), store_of(tmp, 40_000)


@pytest.mark.parametrize("forget", [forget_opted_out, forget_traces])
def test_forgetting_an_opted_out_account_costs_the_same_in_a_store_twenty_times_larger(stores, forget):
    costs = []
    for db in stores:
        fan = db.execute("SELECT id FROM profiles WHERE platform_id = 'fan-x'").fetchone()[0]
        db.conn.execute("SAVEPOINT probe")
        costs.append(steps(db, lambda db=db, fan=fan: forget(db, [fan])))
        # and it did its work: the reply, the follower row and fan-x's name in the verdict are gone
        assert db.execute("SELECT count(*) FROM comments WHERE author_id = 'fan-x'").fetchone()[0] == 0
        assert db.execute("SELECT count(*) FROM follower_samples WHERE platform_id = 'fan-x'").fetchone()[0] == 0
        evidence = db.execute("SELECT evidence FROM verdicts WHERE profile_id = 5").fetchone()[0]
        assert evidence == '{"pod_regulars":[],"examples":[]}'  # compact, as the shortlist writes evidence
        db.conn.execute("ROLLBACK TO probe")
        db.conn.execute("RELEASE probe")
    small, large = costs
    assert large <= 2 * small + 2, costs
