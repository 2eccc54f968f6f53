"""niche_relevance's batch form gives exactly the simple form's verdicts: its window is
own_posts' window by the parsed time whatever form the times are written in, and a time
Python cannot read makes it give way to the simple form."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Collection

import pytest

from microscout.config import parse_config
from microscout.engine import features
from microscout.engine.evaluate import Evaluator, run_rule
from microscout.engine.plugins import collect_rules, make_plugin_manager
from microscout.engine.rules import Batch, RuleContext
from microscout.rules.niche_relevance import Options, evaluate, evaluate_batch
from microscout.store import open_store
from microscout.store.queries import load_candidates, parse_timestamp
from microscout.store.writes import upsert_posts, upsert_profiles

NOW = datetime(2026, 11, 1, 12, tzinfo=timezone.utc)
VEGAN = {"platforms": ["mastodon"], "keywords": ["vegan", "tofu"], "hashtags": ["plantbased"]}
TEXTS = ["vegan tofu bowl #PlantBased", "my cat asleep", "tofu again", "a walk in the rain", "#plantbased picnic",
         "VEGAN brunch", "nothing to see"]
FETCHED = ["profile", "posts"]


def _at(minutes: int, form: str = "ms") -> str:
    """A time ``minutes`` before NOW, written as a platform or isoformat() would write it."""
    t = NOW - timedelta(minutes=minutes, microseconds=minutes * 1000 + 7)
    return {"ms": t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z",
            "iso": t.isoformat(), "s": t.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "naive": t.replace(tzinfo=None).isoformat(timespec="seconds"),
            "+02": t.astimezone(timezone(timedelta(hours=2))).isoformat(timespec="seconds")}[form]


def _posts(handle: str, stamps: list[str], replies: Collection[int] = (), texts: list[str] = TEXTS) -> list[dict]:
    return [{"platform": "mastodon", "platform_id": f"{handle}-{n}", "created_at": stamp, "text": texts[n % len(texts)],
             "hashtags": ["plantbased"] if n % 5 == 4 else [], "is_reply": n in replies}
            for n, stamp in enumerate(stamps)]


# Each profile an edge of the window: (posts as written, fetched).
PROFILES: dict[str, tuple[list[dict], list[str]]] = {
    "platform_ms": (_posts("platform_ms", [_at(m) for m in range(0, 90, 7)], replies={1, 4}), FETCHED),
    "isoformat": (_posts("isoformat", [_at(m, "iso") for m in range(40, 0, -3)]), FETCHED),
    "off_niche": (_posts("off_niche", [_at(m * 60, "s") for m in range(9)], texts=TEXTS[1:2] + TEXTS[3:4]), FETCHED),
    # Ties: the same text, so own_posts keeps the load order (id descending), across the window's edge.
    "ties": (_posts("ties", [_at(5)] * 4 + [_at(9)] * 5 + [_at(2)] * 3), FETCHED),
    # Offsets: the text order is not the time order (10:00+02:00 is before 09:00Z).
    "offsets": (_posts("offsets", [_at(m, "+02" if m % 2 else "ms") for m in range(0, 600, 35)]), FETCHED),
    # One instant written two ways, and naive times (read as UTC) beside aware ones.
    "forms": (_posts("forms", [_at(30, "iso"), _at(30, "naive"), _at(30, "s"), _at(31, "ms"), _at(29, "naive"),
                               _at(29, "ms"), "2026-10-31T11:29:59.500Z", "2026-10-31T11:29:59Z"]), FETCHED),
    # A space for the T, which both SQLite and Python read: one length, not one order.
    "separators": (_posts("separators", ["2026-10-31 11:50:00Z", "2026-10-31T11:40:00Z", "2026-10-31 11:30:00Z",
                                         "2026-10-31T11:20:00Z"]), FETCHED),
    "replies_only": (_posts("replies_only", [_at(m) for m in range(4)], replies={0, 1, 2, 3}), FETCHED),
    "few": (_posts("few", [_at(1), _at(2)]), FETCHED),
    "no_posts": ([], FETCHED),
    "unfetched": ([], ["profile"]),
    # is_reply NULL or '' for some (set below): not replies, as bool() reads them.
    "is_reply_null": (_posts("is_reply_null", [_at(m) for m in range(6)]), FETCHED),
}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    db = open_store(tmp_path_factory.mktemp("niche") / "store.db")
    config = parse_config({"plugins_dir": "none", "campaigns": {"vegan": VEGAN}})
    with db.conn:
        keys = upsert_profiles(db, [{"platform": "mastodon", "platform_id": handle, "handle": handle, "followers": 900,
                                     "bio": "vegan cook" if n % 2 else "", "fetched": json.dumps(fetched)}
                                    for n, (handle, (_, fetched)) in enumerate(PROFILES.items())])
        for handle, (posts, _) in PROFILES.items():
            upsert_posts(db, [{**p, "profile_id": keys[("mastodon", handle)]} for p in posts])
        db.execute("UPDATE posts SET is_reply = NULL WHERE platform_id LIKE 'is_reply_null-%' AND id % 2 = 0")
        db.execute("UPDATE posts SET is_reply = '' WHERE platform_id LIKE 'is_reply_null-%' AND id % 2 = 1")
    features.refresh(db, config, collect_rules(make_plugin_manager(None, entry_points=False)))
    with db.conn:  # some posts without stored terms: the batch form finds theirs itself
        db.execute("DELETE FROM niche_features WHERE post_id % 3 = 0")
    yield db
    db.close()


def _context(**campaign) -> RuleContext:
    config = parse_config({"plugins_dir": "none", "campaigns": {"c": {**VEGAN, **campaign}}})
    return RuleContext("c", config.campaign("c"), config.platforms.get("mastodon"), NOW)


def _batch(db, handles):
    rows = list(db.query(f"SELECT * FROM profiles WHERE handle IN ({', '.join('?' * len(handles))}) ORDER BY id",
                         list(handles)))
    candidates = load_candidates(db, rows)
    return Batch(db.conn, {c.profile.id: c.profile for c in candidates},
                 {c.profile.id: c.fetched for c in candidates}), candidates


def _assert_same(db, handles, options, context):
    batch, candidates = _batch(db, handles)
    batched = evaluate_batch(batch, options, context)
    assert list(batched) == [c.profile.id for c in candidates]
    for c in candidates:
        simple = evaluate(c, options, context)
        assert batched[c.profile.id] == simple, c.profile.handle
        assert json.dumps(batched[c.profile.id].evidence) == json.dumps(simple.evidence)
    return {c.profile.handle: batched[c.profile.id] for c in candidates}


@pytest.mark.parametrize("window_posts", [1, 3, 4, 5, 7, 30])
def test_batch_verdicts_are_the_simple_forms(store, window_posts):
    options = Options(window_posts=window_posts, min_posts=1, pass_share=0.4, fail_below=0.2)
    judged = _assert_same(store, list(PROFILES), options, _context())
    assert judged["unfetched"].reason == "posts were not fetched for this profile"
    assert judged["no_posts"].evidence == judged["replies_only"].evidence == {"posts": 0}
    assert judged["is_reply_null"].evidence["posts"] == min(window_posts, 6)
    if window_posts >= 5:  # not a population judged alike
        assert {v.outcome for v in judged.values()} >= {"pass", "fail", "unknown"}


def test_the_window_is_the_newest_own_posts_by_time_not_by_text(store):
    # 10:00+02:00 (08:00Z) reads as newer than 09:00Z; own_posts, and so the batch form, go by the time.
    judged = _assert_same(store, ["offsets"], Options(window_posts=3, min_posts=1), _context())
    stamps = dict(store.execute("SELECT platform_id, created_at FROM posts WHERE platform_id LIKE 'offsets-%'"))
    by_text = sorted(stamps, key=stamps.__getitem__, reverse=True)[:3]
    by_time = sorted(stamps, key=lambda p: parse_timestamp(stamps[p]), reverse=True)[:3]
    assert set(by_text) != set(by_time)
    assert set(judged["offsets"].evidence["matched_ids"]) <= set(by_time)


def test_a_campaign_without_terms_says_so(store):
    judged = _assert_same(store, list(PROFILES), Options(), _context(keywords=[], hashtags=[]))
    assert {v.reason for v in judged.values()} == {"campaign c names no keywords or hashtags to match"}


def test_terms_are_found_for_posts_without_stored_ones(store):
    context = _context(keywords=["rain", "cat"], hashtags=[])  # a version nothing is stored for
    judged = _assert_same(store, list(PROFILES), Options(min_posts=1), context)
    assert judged["platform_ms"].evidence["terms"] == {"rain": 2, "cat": 1}


# Each beside times of its own length and form, but for what Python cannot read.
@pytest.mark.parametrize("stamp, form", [
    ("yesterday", "ms"), ("", "ms"), ("2023-02-29T10:00:00.000Z", "ms"), ("2026-10-31T24:00:00Z", "s"),
    ("0000-01-01T00:00:00Z", "s"), ("2026-13-01T00:00:00Z", "s"),
    ("2026-10-31T11:50:00.000z", "ms")])  # SQLite reads a lower-case z, Python does not
def test_an_unreadable_time_fails_the_batch_as_it_fails_the_simple_form(tmp_path, stamp, form):
    db = open_store(tmp_path / "odd.db")
    with db.conn:
        keys = upsert_profiles(db, [{"platform": "mastodon", "platform_id": h, "handle": h, "fetched": FETCHED}
                                    for h in ("fine", "odd")])
        upsert_posts(db, [{**p, "profile_id": keys[("mastodon", "fine")]} for p in _posts("fine", [_at(1), _at(2)])])
        upsert_posts(db, [{**p, "profile_id": keys[("mastodon", "odd")]}
                          for p in _posts("odd", [_at(1, form), stamp, _at(3, form)])])
    context, options = _context(), Options(min_posts=1)
    batch, candidates = _batch(db, ["fine", "odd"])
    with pytest.raises(ValueError, match="unreadable date"):
        evaluate_batch(batch, options, context)
    rules = collect_rules(make_plugin_manager(None, entry_points=False))
    config = parse_config({"plugins_dir": "none", "campaigns": {"c": VEGAN}})
    judged = Evaluator(config, rules, "c", now=NOW).evaluate_rows(db, list(db.query("SELECT * FROM profiles")))
    rule = rules["niche_relevance"]
    for candidate in load_candidates(db, list(db.query("SELECT * FROM profiles"))):
        profile, verdicts = next(j for j in judged if j[0].id == candidate.profile.id)
        expected = run_rule(rule, candidate, Options(), RuleContext("c", config.campaign("c"),
                                                                    config.platforms.get("mastodon"), NOW))
        assert verdicts["niche_relevance"] == expected
    assert next(v for p, v in judged if p.handle == "odd")["niche_relevance"].outcome == "error"


def test_a_lone_own_post_of_unreadable_time_is_judged_as_the_simple_form_judges_it(tmp_path):
    # own_posts has nothing to compare it with, so the simple form judges it; the batch form
    # gives way (it reads every post of the batch with its time) rather than guess.
    db = open_store(tmp_path / "lone.db")
    with db.conn:
        pid = upsert_profiles(db, [{"platform": "mastodon", "platform_id": "lone", "handle": "lone",
                                    "fetched": FETCHED}])[("mastodon", "lone")]
        upsert_posts(db, [{**p, "profile_id": pid} for p in _posts("lone", ["yesterday", _at(3), _at(4)],
                                                                     replies={1, 2})])
    batch, candidates = _batch(db, ["lone"])
    with pytest.raises(ValueError, match="unreadable date"):
        evaluate_batch(batch, Options(min_posts=1), _context())
    rules = collect_rules(make_plugin_manager(None, entry_points=False))
    config = parse_config({"plugins_dir": "none", "campaigns": {"c": VEGAN}})
    (_, verdicts), = Evaluator(config, rules, "c", now=NOW).evaluate_rows(db, list(db.query("SELECT * FROM profiles")))
    assert verdicts["niche_relevance"] == evaluate(candidates[0], rules["niche_relevance"].options(), _context())
    assert verdicts["niche_relevance"].evidence["posts"] == 1
