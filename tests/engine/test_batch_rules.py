"""Rules' batch forms (Rule.evaluate_batch) give exactly the simple form's verdicts, and the
engine falls back to the simple form when a batch form fails."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from microscout import Need, Rule, Verdict
from microscout.config import load_config
from microscout.engine.evaluate import Evaluator
from microscout.engine.plugins import collect_rules, make_plugin_manager
from microscout.engine.rules import Batch, RuleContext
from microscout.sandbox.storewriter import generate
from microscout.store import open_store
from microscout.store.queries import iter_profile_batches, load_candidates
from microscout.store.writes import upsert_comments, upsert_followers, upsert_profiles

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """A generated population, plus the edge cases the generator does not make: hidden
    followers, data never fetched, followers without counts, comments without an author,
    the creator's own replies."""
    path = tmp_path_factory.mktemp("batch") / "store.db"
    generate(path, 90, 11, posts=8, posts_with_replies=4, followers=40)
    db = open_store(str(path))
    with db.conn:
        keys = upsert_profiles(db, [
            {"platform": "mastodon", "platform_id": "hidden", "handle": "hidden", "followers": 9000,
             "collections_hidden": 1, "fetched": json.dumps(["profile", "posts", "followers", "comments"])},
            {"platform": "mastodon", "platform_id": "unfetched", "handle": "unfetched", "followers": 9000,
             "fetched": json.dumps(["profile"])},
            {"platform": "mastodon", "platform_id": "names", "handle": "names", "followers": 9000,
             "fetched": json.dumps(["profile", "posts", "followers", "comments"])},
            {"platform": "mastodon", "platform_id": "sparse", "handle": "sparse", "followers": 9000,
             "fetched": json.dumps(["profile", "posts", "followers", "comments"])},
        ])
        names = keys[("mastodon", "names")]
        upsert_followers(db, [{"profile_id": names, "platform_id": f"f{i}", "handle": f"fan{i}"} for i in range(40)])
        # Counts known, picture and bio unknown (NULL), some flagged bots, dates as stored.
        upsert_followers(db, [{"profile_id": keys[("mastodon", "sparse")], "platform_id": f"s{i}",
                               "handle": f"user{i}99", "followers": i, "following": 30 * i, "posts_count": i % 3,
                               "bot": None if i % 4 else 1, "created_at": "2025-01-02T03:04:05+00:00",
                               "last_post_at": "2026-09-01"} for i in range(40)])
        upsert_comments(db, [
            {"platform": "mastodon", "platform_id": f"c{i}", "profile_id": names, "post_platform_id": f"p{i % 5}",
             "author_id": "names" if i % 7 == 0 else ("" if i % 3 == 0 else f"a{i % 4}"),
             "author_handle": "" if i % 3 == 0 else f"a{i % 4}", "text": ["love this", "great recipe, thanks!",
                                                                          "sub to my channel"][i % 3],
             "created_at": "2026-10-01T00:00:00+00:00"} for i in range(60)])
    yield db
    db.close()


@pytest.fixture(scope="module")
def rules():
    return collect_rules(make_plugin_manager())


def batch_rules(rules):
    return [r for r in rules.values() if r.evaluate_batch is not None]


def test_built_in_rules_offer_batch_forms(rules):
    # Every built-in rule that reads more than the profile row.
    assert {r.name for r in batch_rules(rules)} >= {
        "audience_authenticity", "comment_quality", "niche_relevance", "engagement", "ad_frequency", "disclosure",
        "sponsored_engagement", "posting_cadence", "growth_spikes"}


def test_every_batch_form_gives_the_simple_forms_verdicts(store, rules):
    from microscout.engine.evaluate import rule_setup

    config = load_config(None)
    compared = 0
    outcomes: dict[str, set[str]] = {}
    for rule in batch_rules(rules):
        for rows in iter_profile_batches(store, batch_size=37):
            for platform in {r["platform"] for r in rows}:
                group = [r for r in rows if r["platform"] == platform]
                _, options = rule_setup(config, rule, platform, None)
                context = RuleContext("demo", config.campaign("demo") if "demo" in config.campaigns else None,
                                      config.platforms.get(platform), NOW)
                candidates = load_candidates(store, group)
                batch = Batch(store.conn, {c.profile.id: c.profile for c in candidates},
                              {c.profile.id: c.fetched for c in candidates})
                batched = rule.evaluate_batch(batch, options, context)
                assert list(batched) == [c.profile.id for c in candidates]
                for c in candidates:
                    simple = rule.evaluate(c, options, context)
                    assert batched[c.profile.id] == simple, (rule.name, c.profile.handle)
                    assert json.dumps(batched[c.profile.id].evidence) == json.dumps(simple.evidence)
                    outcomes.setdefault(rule.name, set()).add(simple.outcome)
                    compared += 1
    judged = store.execute("SELECT count(*) FROM profiles WHERE opted_out = 0").fetchone()[0]
    assert compared == judged * len(batch_rules(rules))
    # Not a population the rules judge alike: each rule reached several outcomes.
    assert all(len(seen) >= 2 for seen in outcomes.values()), outcomes


def test_the_edge_cases_reach_their_own_verdicts(store, rules):
    config = load_config(None)
    evaluator = Evaluator(config, rules, next(iter(config.campaigns)), now=NOW)
    rows = list(store.query("SELECT * FROM profiles WHERE handle IN ('hidden', 'unfetched', 'names', 'sparse') ORDER BY id"))
    judged = {p.handle: v for p, v in evaluator.evaluate_rows(store, rows)}
    assert judged["hidden"]["audience_authenticity"].evidence["reason_code"] == "collections_hidden"
    assert judged["unfetched"]["audience_authenticity"].evidence["reason_code"] == "not_fetched"
    assert judged["unfetched"]["comment_quality"].evidence["reason_code"] == "not_fetched"
    assert judged["names"]["audience_authenticity"].evidence["undescribed"] == 40
    sparse = judged["sparse"]["audience_authenticity"].evidence
    assert sparse["sample"] == 40 and sparse["counts"]["bot"] == 10 and sparse["examples"]
    quality = judged["names"]["comment_quality"].evidence
    assert quality["creator_replies"] == 9 and quality["comments"] == 51


def _rule(name, evaluate_batch, needs=frozenset({Need.FOLLOWERS})):
    def evaluate(candidate, options, context):
        return Verdict(outcome="pass", score=1.0, reason=f"{len(candidate.followers)} followers")

    return Rule(name=name, summary="test", evaluate=evaluate, evaluate_batch=evaluate_batch, needs=needs)


@pytest.mark.parametrize("broken", [
    lambda batch, options, context: 1 / 0,
    lambda batch, options, context: {},  # leaves every candidate out
    lambda batch, options, context: {i: "pass" for i in batch.profiles},  # not a Verdict
])
def test_a_failing_batch_form_falls_back_to_the_simple_form(store, rules, broken):
    config = load_config(None)
    rule = _rule("counts_followers", broken)
    evaluator = Evaluator(config, {"counts_followers": rule}, next(iter(config.campaigns)), now=NOW)
    rows = list(store.query("SELECT * FROM profiles WHERE opted_out = 0 ORDER BY id LIMIT 20"))
    judged = evaluator.evaluate_rows(store, rows)
    expected = [len(c.followers) for c in load_candidates(store, rows)]
    assert [v["counts_followers"].reason for _, v in judged] == [f"{n} followers" for n in expected]
    assert any(expected)


def test_a_simple_rule_gets_the_data_it_declares(store):
    config = load_config(None)
    seen = []

    def evaluate(candidate, options, context):
        seen.append((len(candidate.posts), len(candidate.followers), sum(map(len, candidate.comments.values()))))
        return Verdict(outcome="pass", score=1.0, reason="ok")

    rule = Rule(name="profile_only", summary="test", evaluate=evaluate)
    evaluator = Evaluator(config, {"profile_only": rule}, next(iter(config.campaigns)), now=NOW)
    rows = list(store.query("SELECT * FROM profiles WHERE opted_out = 0 ORDER BY id LIMIT 20"))
    evaluator.evaluate_rows(store, rows)
    assert seen == [(0, 0, 0)] * 20  # needs only the profile: nothing else is read
    rule = Rule(name="posts", summary="test", evaluate=evaluate, needs=frozenset({Need.POSTS}))
    seen.clear()
    Evaluator(config, {"posts": rule}, next(iter(config.campaigns)), now=NOW).evaluate_rows(store, rows)
    assert any(p for p, _, _ in seen) and not any(f or c for _, f, c in seen)
