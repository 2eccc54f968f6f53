"""generate(): the rows do not depend on how many processes build them, and the stored
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
    out.update(_features(conn))
    return out


def test_worker_processes_write_the_same_rows(tmp_path):
    here, there = tmp_path / "here.db", tmp_path / "there.db"
    a = generate(here, SIZE, SEED, posts=8, posts_with_replies=2, followers=15, batch=7, workers=0)
    b = generate(there, SIZE, SEED, posts=8, posts_with_replies=2, followers=15, batch=7, workers=2)
    assert a == b and a.posts > 0 and a.comments > 0 and a.followers > 0
    assert _rows(here) == _rows(there)


# Every kind of stored feature, with its item named by columns that do not depend on ids.
FEATURES = {
    "post_features": "SELECT p.platform_id, f.version, f.analysis FROM post_features f JOIN posts p ON p.id = f.post_id",
    "niche_features": "SELECT p.platform_id, f.version, f.terms FROM niche_features f JOIN posts p ON p.id = f.post_id",
    "comment_features": "SELECT c.platform_id, f.version, f.label, f.detail FROM comment_features f "
                        "JOIN comments c ON c.id = f.comment_id",
    "follower_features": "SELECT f.profile_id, f.platform_id, f.version, f.label, f.detail FROM follower_features f",
}


def _features(db) -> dict[str, list]:
    return {table: sorted(db.execute(sql).fetchall(), key=repr) for table, sql in FEATURES.items()}


def test_every_stored_feature_is_what_the_store_computes(tmp_path):
    """Post analyses, a registered campaign's niche terms, reply and follower classes,
    computed in the workers from the rows they build, equal a refresh from scratch."""
    from microscout.heuristics.niche import NicheTerms

    path = tmp_path / "g.db"
    db = open_store(path)
    features.register(db, {"mastodon": [NicheTerms(keywords=["vegan", "tofu"], hashtags=["plantbased"])]},
                      features.NICHE)
    stats = generate(path, SIZE, SEED, posts=10, posts_with_replies=3, followers=20, workers=2)
    written = _features(db)
    assert features.stale_count(db) == 0
    assert len(written["post_features"]) == stats.posts and len(written["comment_features"]) == stats.comments
    assert len(written["follower_features"]) == stats.followers
    mastodon_posts = db.execute("SELECT count(*) FROM posts WHERE platform = 'mastodon'").fetchone()[0]
    assert len(written["niche_features"]) == mastodon_posts > 0  # registered for mastodon only
    assert any(r[2] for r in written["post_features"]) and any(r[2] for r in written["niche_features"])
    assert {r[2] for r in written["comment_features"]} == {"genuine", "generic", "spam"}
    with db.conn:
        for table in FEATURES:
            db.execute(f"DELETE FROM {table}")
    assert features.refresh(db).computed == sum(len(rows) for rows in written.values())
    assert _features(db) == written


def test_a_generation_stopped_half_way_is_recorded_interrupted(tmp_path):
    # It was recorded finished from the start: a shortlist then judged a partial population
    # as if it were whole.
    import pytest

    written = []

    def stop_after_one_batch(n):
        written.append(n)
        raise KeyboardInterrupt

    path = tmp_path / "half.db"
    with pytest.raises(KeyboardInterrupt):
        generate(path, SIZE, SEED, posts=2, posts_with_replies=0, followers=0, batch=7, workers=0,
                 progress=stop_after_one_batch)
    conn = sqlite3.connect(path)
    (status, profiles, finished), = conn.execute("SELECT status, profiles, finished_at FROM crawl_runs").fetchall()
    assert status == "interrupted" and finished is not None
    assert profiles == conn.execute("SELECT count(*) FROM profiles").fetchone()[0] == written[0] < SIZE
    whole = tmp_path / "whole.db"
    generate(whole, SIZE, SEED, posts=2, posts_with_replies=0, followers=0, batch=7, workers=0)
    assert sqlite3.connect(whole).execute("SELECT status, profiles FROM crawl_runs").fetchall() == [("finished", SIZE)]
