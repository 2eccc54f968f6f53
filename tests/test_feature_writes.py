"""Features written with their items (issue #12): computed a batch at a time
(``Kind.compute_rows``) for the (item, version) pairs an item lacks, and only those; what the
batch form stores is what the per-item form (``Kind.compute``, the generator's) stores."""
from __future__ import annotations

import pytest

from microscout.heuristics import comment_features, follower_features
from microscout.heuristics.accounts import AccountThresholds
from microscout.heuristics.comments import CommentThresholds
from microscout.heuristics.niche import NicheTerms
from microscout.heuristics.sponsored import SponsoredSettings
from microscout.store import features, open_store
from microscout.store.writes import upsert_comments, upsert_followers
from tests.engine.helpers import add_profile

# Per kind: two settings (two versions) and inputs as the store reads them back, with the
# edge cases of each conversion (NULLs, empty lists, 0/1 flags, non-ASCII text).
CASES = {
    "posts": ([SponsoredSettings(), SponsoredSettings(fold_chars=60)], [
        ("Use code GLOW20 for 20% off #ad", '["ad"]', None),
        (None, None, None),
        ("", "[]", 1),
        ("Thanks @brand for the gift, café review #partner", '["partner", "café"]', 0),
        ("paid partnership with @shop, link in bio to buy", "[]", 1),
    ]),
    "niche": ([NicheTerms(keywords=["tofu"], hashtags=["vegan"]), NicheTerms(keywords=["python"])], [
        ("Crispy TOFU tonight #PlantBased", '["PlantBased"]'),
        (None, None),
        ("learning python", "[]"),
        ("so good", '["vegan"]'),
    ]),
    "comments": ([CommentThresholds(), CommentThresholds(short_words=4)], [
        ("sub 4 sub, check out my channel",),
        (None,),
        ("nice",),
        ("I tried this recipe last night and my kids loved the crunchy tofu, thank you",),
        ("Très joli 😍",),
    ]),
    "followers": ([AccountThresholds(), AccountThresholds(mass_following=100)], [
        ("user123", 3, 2000, 0, 0, "", None),  # suspicious: reasons stored
        ("quiet", 2, 50, 0, 1, "reader", 0),  # dormant
        ("names-only", None, None, None, None, None, None),  # undescribed
        ("@bot@example.social", 100, 100, 5, None, None, 1),  # bot
        ("busy", 900, 1200, 40, 1, "bio", 0),  # mass follower under the second settings
    ]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_the_batch_form_stores_what_the_per_item_form_stores(name):
    kind = features.KIND[name]
    settings_list, inputs = CASES[name]
    settings = {kind.version_of_json(s.model_dump_json()): s for s in settings_list}
    assert len(settings) == 2
    width = len(kind.item)
    rows, expected = [], []
    for n, row in enumerate(inputs):
        item = (n + 1, f"f{n}")[:width]
        for version, s in settings.items():
            rows.append((*item, *row, version))
            expected.append((*item, version, *kind.compute(row, s)))
    assert kind.compute_rows(rows, settings) == expected
    assert len({r[width + 1:] for r in expected}) > 1  # the cases differ in what is stored


def test_a_write_computes_only_the_versions_an_item_lacks(tmp_path, monkeypatch):
    db = open_store(tmp_path / "t.db")
    pid = add_profile(db, "a", 5000)
    default, short = CommentThresholds(), CommentThresholds(short_words=4)
    features.register(db, {"mastodon": [default, short]}, features.COMMENTS)
    versions = {comment_features.settings_version(s) for s in (default, short)}
    classified: list[str | None] = []
    stored = comment_features.stored
    monkeypatch.setattr(comment_features, "stored", lambda text, s: classified.append(text) or stored(text, s))
    row = {"platform": "mastodon", "platform_id": "c1", "profile_id": pid, "post_platform_id": "p", "text": "nice"}

    def write(*rows):
        classified.clear()
        with db.conn:
            upsert_comments(db, list(rows))
        return classified[:]

    assert write(row, {**row, "platform_id": "c2"}) == ["nice"] * 4  # two comments, two versions each
    assert {r[0] for r in db.execute("SELECT version FROM comment_features")} == versions
    assert write(row) == []  # unchanged: nothing computed
    with db.conn:
        db.execute("UPDATE comment_features SET label = 'kept' WHERE version = ?",
                   [comment_features.settings_version(default)])
        db.execute("DELETE FROM comment_features WHERE version = ?", [comment_features.settings_version(short)])
    assert write(row) == ["nice"]  # only the version it lacks
    labels = dict(db.execute("SELECT version, label FROM comment_features f JOIN comments c ON c.id = f.comment_id "
                             "WHERE c.platform_id = 'c1'").fetchall())
    assert labels[comment_features.settings_version(default)] == "kept"
    assert write({**row, "text": "sub 4 sub"}) == ["sub 4 sub"] * 2  # changed: both again


def test_followers_are_classified_per_version_of_their_candidates_platform(tmp_path):
    db = open_store(tmp_path / "t.db")
    on_mastodon, on_bluesky = add_profile(db, "m", 5000), add_profile(db, "b", 5000, platform="bluesky")
    strict = AccountThresholds(mass_following=100)
    features.register(db, {"bluesky": [strict]}, features.FOLLOWERS)
    follower = {"platform_id": "f", "handle": "busy", "followers": 900, "following": 1200, "posts_count": 40,
                "has_avatar": 1, "bio": "bio"}
    with db.conn:
        upsert_followers(db, [{**follower, "profile_id": on_mastodon}, {**follower, "profile_id": on_bluesky}])
    got = db.execute("SELECT profile_id, version, label FROM follower_features ORDER BY profile_id").fetchall()
    assert got == [(on_mastodon, follower_features.settings_version(AccountThresholds()), "real"),
                   (on_bluesky, follower_features.settings_version(strict), "mass_follower")]


def test_a_store_without_a_kinds_tables_has_none_of_its_features(tmp_path):
    db = open_store(tmp_path / "t.db")
    assert all(features.has_features(db, kind) for kind in features.KINDS)
    with db.conn:
        db.execute("DROP TABLE niche_features")
    assert not features.has_features(db, features.NICHE)
    assert features.has_features(db, features.POSTS)
    with db.conn:
        db.execute("DROP TABLE feature_settings")
    assert not any(features.has_features(db, kind) for kind in features.KINDS)

