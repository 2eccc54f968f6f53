"""comment_quality's batch form (sums in SQL) gives exactly the simple form's verdicts on
the cases its sums have to get right: the creator's replies told by id and by handle, author
handles SQLite cannot lower-case as Python does, comments without authors, classes not
stored, pod regulars at the threshold, examples spread over posts, and dates that tie or
are missing."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from microscout.engine.plugins import collect_rules, make_plugin_manager
from microscout.engine.rules import Batch
from microscout.heuristics.comment_features import settings_version
from microscout.rules import comment_quality
from microscout.rules.comment_quality import Options
from microscout.store import open_store
from microscout.store.queries import load_candidates
from microscout.store.writes import upsert_comments, upsert_profiles

START = datetime(2026, 10, 1, tzinfo=timezone.utc)
GENUINE = ["I tried this with oat milk instead and it worked really well",
           "Made it for my parents on Sunday, they asked for the recipe twice",
           "How long does the dough keep in the fridge before baking it?"]
GENERIC = ["love this", "great post", "so nice"]
SPAM = ["check out my channel", "sub to my channel for more"]
FETCHED = json.dumps(["profile", "posts", "comments"])


def at(minutes: float) -> str:
    return (START + timedelta(minutes=minutes)).isoformat()


class Thread:
    """Comments of one profile, written as the crawler would."""

    def __init__(self, handle: str, platform_id: str | None = None, *, fetched: str = FETCHED):
        self.profile = {"platform": "mastodon", "platform_id": platform_id or f"{handle.lstrip('@')}@ex.social",
                        "handle": handle, "followers": 9000, "fetched": fetched}
        self.comments: list[dict] = []

    def add(self, post: str, text: str, minute: float | None, author_id: str | None = "",
            author_handle: str | None = "") -> Thread:
        self.comments.append({"post_platform_id": post, "text": text, "author_id": author_id,
                              "author_handle": author_handle, "created_at": None if minute is None else at(minute)})
        return self

    def audience(self, posts: list[str], n: int, *, start: float = 0, texts: list[str] = GENUINE,
                 author: str = "fan") -> Thread:
        """n comments spread over the posts in turn, each by a new author."""
        for k in range(n):
            self.add(posts[k % len(posts)], texts[k % len(texts)], start + k, f"{author}{k}", f"{author}{k}")
        return self


def threads() -> list[Thread]:
    five = [f"p{k}" for k in range(5)]
    ten = [f"q{k}" for k in range(10)]
    made = []

    # The creator replies by id, by handle with "@"s and another case, without an id; a
    # near-miss handle and comments without any author stay the audience's.
    chef = Thread("@Chef.Ana", "chef.ana@ex.social").audience(five, 24).audience(five, 6, start=100, texts=GENERIC)
    chef.add("p0", "thanks!", 200, "chef.ana@ex.social", "x")
    chef.add("p1", "thank you", 201, "", "@@CHEF.ana")
    chef.add("p2", "glad you liked it", 202, None, "chef.ana")
    chef.add("p3", "love this", 203, "someone", "chef.anna")
    chef.add("p4", "love this", 204, "", "").add("p4", "great post", 205, None, None)
    made.append(chef)

    # Python lower-cases the Kelvin sign to "k" and "Ë" to "ë"; SQLite's NOCASE does neither.
    made.append(Thread("kate").audience(five, 25).add("p0", "thx", 50, "", "\u212aate"))
    made.append(Thread("Zoë").audience(five, 25).add("p1", "thx", 50, "", "@ZOË")
                .add("p2", "love this", 51, "", "zoe"))
    made.append(Thread("Éric").audience(five, 25, texts=GENERIC + GENUINE).add("p1", "merci", 50, "", "ÉRIC"))

    # Classes not stored (deleted below): many comments, and too few to judge anyway.
    made.append(Thread("unstored").audience(five, 25, texts=GENERIC + GENUINE))
    made.append(Thread("unstored_few").audience(five, 5, texts=GENERIC))

    # Pod regulars at the threshold: 0.6 * 5 posts = 3.0 (on 3 posts is enough), 0.7 * 10
    # = 7.0 likewise, but 0.7000000000000001 * 10 = 7.000000000000001 (on 7 is not enough).
    pods = Thread("pods").audience(five, 20)
    for k, post in enumerate(five[:3]):
        pods.add(post, "love this", 50 + k, "r3", "r3")
    for k, post in enumerate(five[:2]):
        pods.add(post, "so nice", 60 + k, "r2", "r2").add(post, "so nice", 70 + k, "r2", "r2")
    made.append(pods)
    tens = Thread("tens").audience(ten, 20)
    for k, post in enumerate(ten[:7]):
        tens.add(post, "great post", 50 + k, "g7", "")
    for k, post in enumerate(ten[:8]):
        tens.add(post, GENUINE[0], 70 + k, "", "g8")
    made.append(tens)

    # No comment says who wrote it; and one whose author key holds group_concat's separator.
    nameless = Thread("nameless")
    for k in range(25):
        nameless.add(five[k % 5], (GENERIC + GENUINE)[k % 6], k, None if k % 2 else "", None if k % 3 else "")
    made.append(nameless)
    made.append(Thread("separator").audience(five, 25).add("p0", "so nice", 40, "a\x1fb", "")
                .add("p1", "so nice", 41, "a\x1fb", ""))

    # More not-genuine comments than examples, interleaved over posts: p2's first comment
    # comes first, so its comments come first in the evidence though p1's are older.
    mixed = Thread("interleaved").add("p2", GENUINE[0], 0, "u0", "u0")
    for k in range(24):
        post = ["p1", "p2", "p3", "p4"][k % 4]
        mixed.add(post, (GENERIC + SPAM + GENUINE)[k % 8], 10 + k, f"u{k % 9}", f"u{k % 9}")
    made.append(mixed)

    # First comments at the same time on two posts: both with examples (the order goes by
    # id), or only one of them (the order does not matter).
    tied = Thread("tied").audience(five[2:], 20, start=10)
    tied.add("p1", "love this", 1, "t1", "t1").add("p0", "great post", 1, "t0", "t0")
    made.append(tied)
    tied_genuine = Thread("tied_genuine").audience(five[2:], 20, start=10, texts=GENERIC)
    tied_genuine.add("p1", GENUINE[1], 1, "t1", "t1").add("p0", GENUINE[2], 1, "t0", "t0")
    made.append(tied_genuine)

    # Comments without a date come first (by id), on two posts.
    undated = Thread("undated").audience(five, 20, start=10, texts=GENERIC + GENUINE)
    undated.add("p4", "great post", None, "n1", "n1").add("p3", "so nice", None, "n2", "n2")
    undated.add("p3", "love this", None, "n3", "n3")
    made.append(undated)

    # A post only the creator answered still counts as commented.
    creator_post = Thread("creator_post").audience(five[:3], 21)
    creator_post.add("p3", "new post!", 30, "creator_post@ex.social", "creator_post")
    creator_post.add("p4", "another", 31, "creator_post@ex.social", "creator_post")
    made.append(creator_post)

    made.append(Thread("creator_only").add("p0", "hello", 1, "creator_only@ex.social", "creator_only"))
    made.append(Thread("silent"))
    made.append(Thread("unfetched", fetched=json.dumps(["profile"])))
    return made


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    db = open_store(str(tmp_path_factory.mktemp("comments") / "store.db"))
    made = threads()
    with db.conn:
        keys = upsert_profiles(db, [t.profile for t in made])
        rows = []
        for t in made:
            pid = keys[("mastodon", t.profile["platform_id"])]
            rows += [{"platform": "mastodon", "platform_id": f"{pid}-{k}", "profile_id": pid, **c}
                     for k, c in enumerate(t.comments)]
        upsert_comments(db, rows)
        for handle, kept in (("unstored", 22), ("unstored_few", 4)):
            db.execute("DELETE FROM comment_features WHERE comment_id IN (SELECT c.id FROM comments c "
                       "JOIN profiles p ON p.id = c.profile_id WHERE p.handle = ? ORDER BY c.id LIMIT -1 OFFSET ?)",
                       [handle, kept])
    yield db
    db.close()


@pytest.fixture(scope="module")
def rule():
    return collect_rules(make_plugin_manager())["comment_quality"]


def options(**set_: object) -> Options:
    return Options.model_validate(set_)


def judge(store, rule, setting: Options):
    """{handle: (batch verdict, simple verdict)} over every profile, in one batch."""
    candidates = load_candidates(store, list(store.query("SELECT * FROM profiles ORDER BY id")))
    batch = Batch(store.conn, {c.profile.id: c.profile for c in candidates},
                  {c.profile.id: c.fetched for c in candidates})
    batched = rule.evaluate_batch(batch, setting, None)
    assert list(batched) == [c.profile.id for c in candidates]
    return {c.profile.handle: (batched[c.profile.id], rule.evaluate(c, setting, None)) for c in candidates}


SETTINGS = [options(), options(pod_post_share=0.7, examples=3), options(pod_post_share=0.7000000000000001),
            options(min_comments=1, examples=0, pod_min_posts=2), options(examples=50, pod_post_share=1.0),
            options(min_comments=26, warn_generic_share=0.1)]


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda o: repr(o.model_dump(exclude_defaults=True)))
def test_the_batch_form_gives_the_simple_forms_verdicts(store, rule, setting):
    for handle, (batched, simple) in judge(store, rule, setting).items():
        assert batched == simple, handle
        assert json.dumps(batched.evidence) == json.dumps(simple.evidence), handle


def test_the_cases_are_the_ones_meant(store, rule):
    """The simple form's verdicts show the store holds the cases the comparison is about."""
    judged = {handle: simple.evidence for handle, (_, simple) in judge(store, rule, options()).items()}
    assert judged["@Chef.Ana"]["creator_replies"] == 3 and judged["@Chef.Ana"]["comments"] == 33
    assert judged["kate"]["creator_replies"] == 1 and judged["Zoë"]["creator_replies"] == 1
    assert judged["Éric"]["creator_replies"] == 1
    assert judged["pods"]["pod_regulars"] == ["r3"] and judged["pods"]["commented_posts"] == 5
    assert judged["nameless"]["pods_unknown"]
    assert judged["creator_post"]["commented_posts"] == 5 and judged["creator_post"]["creator_replies"] == 2
    assert judged["unstored_few"]["comments"] == 5 and judged["creator_only"]["comments"] == 0
    assert judged["unfetched"]["reason_code"] == "not_fetched" and judged["silent"]["comments"] == 0
    shown = judged["interleaved"]["examples"]
    assert len(shown) == 5 and [e["post"] for e in shown] == ["p2", "p2", "p2", "p1", "p1"]
    assert [e["post"] for e in judged["tied"]["examples"][:2]] == ["p1", "p0"]
    undated = judged["undated"]["examples"]  # comments 20-22 have no date: each comes first on its post
    assert [e["post"] for e in undated] == ["p4"] * 3 + ["p3"] * 2
    assert [e["id"].split("-")[1] for e in undated[:1] + undated[3:]] == ["20", "21", "22"]
    for share, regulars in ((0.7, ["g7", "g8"]), (0.7000000000000001, ["g8"])):
        _, simple = judge(store, rule, options(pod_post_share=share))["tens"]
        assert simple.evidence["pod_regulars"] == regulars


def test_a_stored_class_the_classifier_now_disagrees_with_is_counted_from_the_rows(tmp_path, rule, monkeypatch):
    # A stored class is the classifier's for its version, so this cannot happen but by hand;
    # judge_comments re-classifies the examples it shows and counts them by the new class,
    # which the tallies (made from the stored classes) cannot, so the rows decide.
    db = open_store(str(tmp_path / "stale.db"))
    made = [Thread("stale").audience(["p0", "p1"], 24).audience(["p0", "p1"], 6, start=50, texts=SPAM, author="s"),
            Thread("fresh").audience(["p0", "p1"], 24).audience(["p0", "p1"], 6, start=50, texts=SPAM, author="s")]
    with db.conn:
        keys = upsert_profiles(db, [t.profile for t in made])
        pids = [keys[("mastodon", t.profile["platform_id"])] for t in made]
        upsert_comments(db, [{"platform": "mastodon", "platform_id": f"{pid}-{k}", "profile_id": pid, **c}
                             for pid, t in zip(pids, made) for k, c in enumerate(t.comments)])
        db.execute("UPDATE comment_features SET label = 'generic' WHERE label = 'spam' AND comment_id IN "
                   "(SELECT c.id FROM comments c JOIN profiles p ON p.id = c.profile_id WHERE p.handle = 'stale')")
    read = []
    judge_rows = comment_quality._judge_rows

    def spy(batch, ids, version, setting):
        read.extend(batch.profiles[i].handle for i in ids)
        return judge_rows(batch, ids, version, setting)

    monkeypatch.setattr(comment_quality, "_judge_rows", spy)
    judged = judge(db, rule, options())
    assert read == ["stale"]
    batched, simple = judged["fresh"]
    assert batched == simple and json.dumps(batched.evidence) == json.dumps(simple.evidence)
    stale, _ = judged["stale"]
    batch = Batch(db.conn, {pids[0]: load_candidates(db, [db["profiles"].get(pids[0])])[0].profile},
                  {pids[0]: frozenset({"comments"})})
    assert stale == judge_rows(batch, [pids[0]], settings_version(options().comments), options())[pids[0]]
    # The examples are re-classified (spam); the other stored classes count as stored.
    assert {e["class"] for e in stale.evidence["examples"]} == {"spam"}
    assert stale.evidence["counts"]["generic"] > 0
    db.close()
