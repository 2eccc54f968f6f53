"""generate(): the rows do not depend on how many processes build them, and the post
features it writes are those the store computes itself."""
import sqlite3

from microscout.sandbox.storewriter import generate
from microscout.store import features, open_store

SIZE, SEED = 60, 7
# Columns that hold the wall-clock time of the run (or of the write) are left out.
TIMES = {"created_at", "last_post_at", "observed_at", "sampled_at", "first_seen", "last_seen"}
TABLES = ("profiles", "profile_snapshots", "posts", "comments", "follower_samples")


def _rows(path):
    conn = sqlite3.connect(path)
    out = {}
    for table in TABLES:
        columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})") if r[1] not in TIMES]
        out[table] = sorted(conn.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall(), key=repr)
    out["post_features"] = sorted(conn.execute(
        "SELECT p.platform_id, f.version, f.analysis FROM post_features f JOIN posts p ON p.id = f.post_id"
    ).fetchall(), key=repr)
    return out


def test_worker_processes_write_the_same_rows(tmp_path):
    here, there = tmp_path / "here.db", tmp_path / "there.db"
    a = generate(here, SIZE, SEED, posts=8, posts_with_replies=2, followers=15, batch=7, workers=0)
    b = generate(there, SIZE, SEED, posts=8, posts_with_replies=2, followers=15, batch=7, workers=2)
    assert a == b and a.posts > 0 and a.comments > 0 and a.followers > 0
    assert _rows(here) == _rows(there)


def test_post_features_are_those_the_store_computes(tmp_path):
    path = tmp_path / "g.db"
    stats = generate(path, SIZE, SEED, posts=10, posts_with_replies=0, followers=0, workers=0)
    db = open_store(path)
    written = db.execute("SELECT post_id, version, analysis FROM post_features ORDER BY 1, 2").fetchall()
    assert len(written) == stats.posts and features.stale_count(db) == 0
    assert any(analysis is not None for _, _, analysis in written)  # the sponsored posts say something
    with db.conn:
        db.execute("DELETE FROM post_features")
    assert features.refresh(db).computed == stats.posts
    assert db.execute("SELECT post_id, version, analysis FROM post_features ORDER BY 1, 2").fetchall() == written
