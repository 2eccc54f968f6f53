"""stale_count (issue #12): how many wanted item features are missing, counted once per item
and missing version, for every kind, on every platform, for every wanted version. It decides
whether `shortlist` refreshes first and sizes the refresh's progress bar."""
from __future__ import annotations

import sqlite3

import pytest
from pydantic import BaseModel

from microscout.heuristics.accounts import AccountThresholds
from microscout.heuristics.comments import CommentThresholds
from microscout.heuristics.niche import NicheTerms
from microscout.heuristics.sponsored import SponsoredSettings
from microscout.sandbox.storewriter import generate
from microscout.store import features as store_features
from microscout.store import open_store
from microscout.store.features import KIND, Kind

PLATFORMS = ("mastodon", "bluesky")
# Two settings of each kind, so two versions of its features.
SETTINGS: dict[str, tuple[BaseModel, BaseModel]] = {
    "posts": (SponsoredSettings(), SponsoredSettings(fold_chars=60)),
    "niche": (NicheTerms(keywords=["vegan"]), NicheTerms(hashtags=["ad"])),
    "comments": (CommentThresholds(), CommentThresholds(short_words=3)),
    "followers": (AccountThresholds(), AccountThresholds(mass_following=900)),
}


@pytest.fixture
def db(tmp_path):
    generate(tmp_path / "g.db", 8, seed=5, posts=3, posts_with_replies=2, followers=4)
    db = open_store(tmp_path / "g.db")
    # The generator wrote every default version; a campaign's niche terms come later.
    store_features.register(db, {p: [SETTINGS["niche"][0]] for p in PLATFORMS}, KIND["niche"])
    store_features.refresh(db)
    return db


def _items(db, kind: Kind, platform: str) -> list[tuple]:
    return db.execute(f"SELECT {', '.join(kind.item_sql)} FROM {kind.source} i WHERE {kind.platform_sql} = ? "
                      f"ORDER BY {kind.order_sql}", [platform]).fetchall()


def _drop(db, kind: Kind, item: tuple, version: str) -> None:
    with db.conn:
        deleted = db.execute(f"DELETE FROM {kind.table} WHERE {' AND '.join(f'{c} = ?' for c in kind.item)} "
                             "AND version = ?", [*item, version]).rowcount
    assert deleted == 1


def _version(kind: Kind, settings: BaseModel) -> str:
    return kind.version_of_json(settings.model_dump_json())


def _register(db, kind: Kind, settings: dict[str, list[BaseModel]]) -> None:
    assert store_features.register(db, settings, kind)


def test_a_store_with_every_feature_has_none_stale(db):
    for kind in store_features.KINDS:
        for platform in PLATFORMS:
            assert _items(db, kind, platform), (kind.name, platform)  # something to miss on both
    assert store_features.stale_count(db) == 0


@pytest.mark.parametrize("name", list(KIND))
def test_a_missing_feature_of_each_kind_is_counted_on_either_platform(db, name):
    kind = KIND[name]
    version = _version(kind, SETTINGS[name][0])
    _drop(db, kind, _items(db, kind, "bluesky")[0], version)
    assert store_features.stale_count(db) == 1
    _drop(db, kind, _items(db, kind, "mastodon")[-1], version)
    assert store_features.stale_count(db) == 2


@pytest.mark.parametrize("name", list(KIND))
def test_a_new_version_counts_every_item_once(db, name):
    kind = KIND[name]
    _register(db, kind, {p: list(SETTINGS[name]) for p in PLATFORMS})
    items = sum(len(_items(db, kind, p)) for p in PLATFORMS)
    assert store_features.stale_count(db) == items
    store_features.refresh(db)
    assert store_features.stale_count(db) == 0


@pytest.mark.parametrize("name", list(KIND))
def test_a_missing_feature_of_a_second_wanted_version_is_counted(db, name):
    kind = KIND[name]
    _register(db, kind, {p: list(SETTINGS[name]) for p in PLATFORMS})
    store_features.refresh(db)
    _drop(db, kind, _items(db, kind, "bluesky")[1], _version(kind, SETTINGS[name][1]))
    assert store_features.stale_count(db) == 1


@pytest.mark.parametrize("name", list(KIND))
def test_a_version_one_platform_wants_counts_its_items_alone(db, name):
    kind = KIND[name]
    first, second = SETTINGS[name]
    _register(db, kind, {"mastodon": [first, second], "bluesky": [first]})
    mastodon = _items(db, kind, "mastodon")
    assert store_features.stale_count(db) == len(mastodon)
    store_features.refresh(db)
    assert store_features.stale_count(db) == 0
    _drop(db, kind, mastodon[0], _version(kind, second))
    assert store_features.stale_count(db) == 1


@pytest.mark.parametrize("name", list(KIND))
def test_rows_of_a_version_a_platform_no_longer_wants_stand_in_for_none_missing(db, name):
    # Refresh drops only the versions no platform wants: bluesky's items keep their rows of
    # the second version.
    kind = KIND[name]
    first, second = SETTINGS[name]
    _register(db, kind, {p: [first, second] for p in PLATFORMS})
    store_features.refresh(db)
    _register(db, kind, {"mastodon": [first, second], "bluesky": [first]})
    assert store_features.stale_count(db) == 0
    _drop(db, kind, _items(db, kind, "mastodon")[0], _version(kind, second))
    _drop(db, kind, _items(db, kind, "bluesky")[0], _version(kind, second))
    assert store_features.stale_count(db) == 1
    _register(db, kind, {"mastodon": [first], "bluesky": [second]})
    assert store_features.stale_count(db) == 1  # that one of bluesky


def test_an_item_changed_or_deleted_in_sql_takes_its_features_along(db):
    # The counts compare rows with items, so a row left by a deleted item would hide a
    # missing one: the store's triggers remove it.
    post, other = (row[0] for row in _items(db, KIND["posts"], "bluesky")[:2])
    with db.conn:
        db.execute("UPDATE posts SET text = 'new words #ad' WHERE id = ?", [post])
    assert store_features.stale_count(db) == 2  # its sponsored analysis and its niche terms
    with db.conn:
        db.execute("DELETE FROM posts WHERE id = ?", [post])
    assert store_features.stale_count(db) == 0
    _drop(db, KIND["posts"], (other,), _version(KIND["posts"], SETTINGS["posts"][0]))
    with db.conn:
        db.execute("DELETE FROM comments WHERE id = (SELECT min(id) FROM comments)")
        db.execute("DELETE FROM follower_samples WHERE rowid = (SELECT min(rowid) FROM follower_samples)")
    assert store_features.stale_count(db) == 1


def test_the_counts_are_of_one_moment_while_a_crawl_writes(db, tmp_path):
    posts = KIND["posts"]
    _drop(db, posts, _items(db, posts, "bluesky")[0], _version(posts, SETTINGS["posts"][0]))
    crawl = sqlite3.connect(tmp_path / "g.db")
    profile_id = db.execute("SELECT id FROM profiles WHERE platform = 'bluesky' LIMIT 1").fetchone()[0]

    def write_a_post_with_its_features(statement: str) -> None:
        # Once the posts are counted, before their features are: a new post and its rows.
        if statement.startswith("SELECT count(*) FROM post_features"):
            db.conn.set_trace_callback(None)
            with crawl:
                post = crawl.execute("INSERT INTO posts (platform, platform_id, profile_id, created_at, text) "
                                     "VALUES ('bluesky', 'new', ?, '2024-01-01', 'hello')", [profile_id]).lastrowid
                crawl.execute("INSERT INTO post_features (post_id, version) VALUES (?, ?)",
                              [post, _version(posts, SETTINGS["posts"][0])])
                crawl.execute("INSERT INTO niche_features (post_id, version) VALUES (?, ?)",
                              [post, _version(KIND["niche"], SETTINGS["niche"][0])])

    db.conn.set_trace_callback(write_a_post_with_its_features)
    assert store_features.stale_count(db) == 1
    assert not db.conn.in_transaction
    assert store_features.stale_count(db) == 1  # and after the write: still that one


def test_a_store_without_items_has_none_stale(tmp_path):
    assert store_features.stale_count(open_store(tmp_path / "empty.db")) == 0


def _refreshed_kinds(db, monkeypatch) -> tuple[list[str], store_features.Refresh]:
    passes: list[str] = []
    real = store_features._refresh_kind

    def counted(db, kind, result, progress):
        passes.append(kind.name)
        real(db, kind, result, progress)

    monkeypatch.setattr(store_features, "_refresh_kind", counted)
    return passes, store_features.refresh(db)


def test_refresh_of_a_settled_store_reads_no_item(db, monkeypatch):
    passes, result = _refreshed_kinds(db, monkeypatch)
    assert passes == [] and (result.computed, result.removed) == (0, 0)


@pytest.mark.parametrize("name", list(KIND))
def test_refresh_passes_over_only_the_kind_with_a_missing_feature(db, monkeypatch, name):
    kind = KIND[name]
    version = _version(kind, SETTINGS[name][0])
    _drop(db, kind, _items(db, kind, "mastodon")[0], version)
    passes, result = _refreshed_kinds(db, monkeypatch)
    assert passes == [kind.name] and (result.computed, result.removed) == (1, 0)
    assert store_features.stale_count(db) == 0


@pytest.mark.parametrize("name", list(KIND))
def test_refresh_removes_a_version_no_longer_wanted_though_none_is_missing(db, monkeypatch, name):
    kind = KIND[name]
    version = _version(kind, SETTINGS[name][0])
    item = _items(db, kind, "bluesky")[0]
    with db.conn:
        # A copy of the item's row under a version nobody wants (as after a settings change).
        columns = [row[1] for row in db.execute(f"PRAGMA table_info({kind.table})")]
        db.execute(f"INSERT INTO {kind.table} ({', '.join(columns)}) SELECT "
                   + ", ".join("'retired'" if c == "version" else c for c in columns)
                   + f" FROM {kind.table} WHERE {' AND '.join(f'{c} = ?' for c in kind.item)} AND version = ?",
                   [*item, version])
    assert store_features.stale_count(db) == 0  # nothing missing: only the removal is left to do
    passes, result = _refreshed_kinds(db, monkeypatch)
    assert passes == [kind.name] and (result.computed, result.removed) == (0, 1)


# The settled mark: a store found settled is not counted again until something could have
# changed that (issue #12: the counts took minutes on a million profiles with a cold cache).

def _counts_read(db) -> list[str]:
    """Run stale_count; the statements that counted a feature table."""
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    try:
        stale = store_features.stale_count(db)
    finally:
        db.conn.set_trace_callback(None)
    statements.append(f"stale {stale}")
    return [s for s in statements if s.startswith("SELECT count(*) FROM") or s.startswith("stale")]


def test_a_store_found_settled_is_not_counted_again(db, monkeypatch):
    assert len(_counts_read(db)) > 1  # counted, and found settled
    assert _counts_read(db) == ["stale 0"]
    passes, result = _refreshed_kinds(db, monkeypatch)
    assert passes == [] and (result.computed, result.removed) == (0, 0)


def _write_a_post(conn, profile_id: int) -> None:
    with conn:
        conn.execute("INSERT INTO posts (platform, platform_id, profile_id, created_at, text) "
                     "VALUES ('bluesky', 'new', ?, '2024-01-01', 'hello')", [profile_id])


def test_the_mark_stops_holding_when_an_item_is_written(db):
    assert store_features.stale_count(db) == 0
    _write_a_post(db.conn, db.execute("SELECT id FROM profiles WHERE platform = 'bluesky'").fetchone()[0])
    assert store_features.stale_count(db) == 2  # its sponsored analysis and its niche terms


@pytest.mark.parametrize("name", list(KIND))
def test_the_mark_stops_holding_when_a_feature_row_is_deleted(db, name):
    kind = KIND[name]
    assert store_features.stale_count(db) == 0
    _drop(db, kind, _items(db, kind, "mastodon")[0], _version(kind, SETTINGS[name][0]))
    assert store_features.stale_count(db) == 1


def test_the_mark_stops_holding_when_the_wanted_versions_change(db):
    kind = KIND["comments"]
    assert store_features.stale_count(db) == 0
    _register(db, kind, {"mastodon": list(SETTINGS["comments"])})
    assert store_features.stale_count(db) == len(_items(db, kind, "mastodon"))


def test_the_mark_stops_holding_when_the_detector_changes(db, monkeypatch):
    from microscout.heuristics import post_features

    assert store_features.stale_count(db) == 0
    # An edited detector hashes to new versions of the same settings.
    monkeypatch.setattr(post_features, "version_of_json", lambda settings_json: "edited")
    assert store_features.stale_count(db) == sum(len(_items(db, KIND["posts"], p)) for p in PLATFORMS)


def test_a_write_during_the_check_leaves_the_mark_not_holding(db, tmp_path):
    crawl = sqlite3.connect(tmp_path / "g.db")
    profile_id = db.execute("SELECT id FROM profiles WHERE platform = 'bluesky' LIMIT 1").fetchone()[0]

    def write_while_counting(statement: str) -> None:
        if statement.startswith("SELECT count(*) FROM post_features"):
            db.conn.set_trace_callback(None)
            _write_a_post(crawl, profile_id)

    db.conn.set_trace_callback(write_while_counting)
    assert store_features.stale_count(db) == 0  # the moment before the write: settled
    assert store_features.stale_count(db) == 2  # the post written meanwhile, counted


def test_a_store_opened_read_only_is_counted_every_time(db, tmp_path):
    reader = open_store(tmp_path / "g.db", readonly=True)
    assert len(_counts_read(reader)) > 1
    assert len(_counts_read(reader)) > 1
    assert _counts_read(db) != ["stale 0"]  # the reader could not leave a mark
    assert _counts_read(db) == ["stale 0"]


def test_settings_changed_and_changed_back_remove_what_the_other_settings_computed(db):
    # A campaign added, judged, then removed: its terms' rows must go, though the wanted
    # versions are as they were when the store was last found settled.
    kind = KIND["comments"]
    first, second = SETTINGS["comments"]
    _register(db, kind, {p: [first] for p in PLATFORMS})
    assert store_features.stale_count(db) == 0  # found settled: marked
    _register(db, kind, {p: [first, second] for p in PLATFORMS})
    assert store_features.refresh(db).computed == sum(len(_items(db, kind, p)) for p in PLATFORMS)
    _register(db, kind, {p: [first] for p in PLATFORMS})
    assert store_features.refresh(db).removed == sum(len(_items(db, kind, p)) for p in PLATFORMS)


def test_a_detector_changed_and_changed_back_leaves_no_rows_of_the_edit(db, monkeypatch):
    from microscout.heuristics import post_features

    assert store_features.stale_count(db) == 0
    posts = sum(len(_items(db, KIND["posts"], p)) for p in PLATFORMS)
    with monkeypatch.context() as edited:
        edited.setattr(post_features, "version_of_json", lambda settings_json: "edited")
        assert store_features.refresh(db).computed == posts
    assert store_features.refresh(db).removed == posts


def test_the_check_never_ends_a_callers_transaction(db):
    db.conn.execute("BEGIN")
    db.conn.execute("UPDATE feature_settings SET settings = settings")
    assert store_features.stale_count(db) == 0
    assert db.conn.in_transaction
    db.conn.rollback()
    assert store_features.stale_count(db) == 0 and not db.conn.in_transaction
