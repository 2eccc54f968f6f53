"""`shortlist` judges only the candidates whose data changed since the last run (the same
day, the same rules and options) and keeps the others' verdicts; the result is the run a
full re-judge at the kept verdicts' moment gives, verdict for verdict."""
import json
from datetime import timedelta

import pytest
from click.testing import CliRunner

from microscout.cli import cli
from microscout.config import load_config, parse_config
from microscout.engine import rejudge
from microscout.engine.shortlist import data_version, run_shortlist
from microscout.store import open_store
from microscout.store.writes import add_snapshots, upsert_comments, upsert_followers, upsert_posts, upsert_profiles
from tests.engine.test_batch_rules import NOW
from tests.test_shortlist_rescore import ENTRY, VERDICT, rows


def profile(db, offset: int) -> dict:
    """The offset-th candidate (by id) of the generated population."""
    return next(db.query("SELECT id, platform, platform_id, handle FROM profiles WHERE opted_out = 0 "
                         "ORDER BY id LIMIT 1 OFFSET ?", [offset]))


def change_some(db) -> set[int]:
    """A crawl's worth of changes, one per judged table and kind of write; the ids of the
    candidates they touch, and a new one."""
    touched = [profile(db, i) for i in range(9)]
    ids = {p["id"] for p in touched}
    a, b, c, d, e, f, g, h, i = touched
    with db.conn:
        upsert_profiles(db, [{"platform": a["platform"], "platform_id": a["platform_id"], "handle": a["handle"],
                              "followers": 123_456}])  # a re-crawl moves a count: now out of its tier
        post = db.execute("SELECT platform_id, created_at FROM posts WHERE profile_id = ? ORDER BY created_at DESC",
                          [b["id"]]).fetchone()
        upsert_posts(db, [{"profile_id": b["id"], "platform": b["platform"], "platform_id": "new-ad",
                           "created_at": post[1], "text": "Use my code SAVE20 for 20% off! #ad", "likes": 3}])
        db.execute("UPDATE posts SET likes = likes * 40 WHERE profile_id = ?", [c["id"]])
        upsert_comments(db, [{"platform": d["platform"], "platform_id": f"spam{n}", "profile_id": d["id"],
                              "post_platform_id": post[0], "author_id": f"bot{n}", "author_handle": f"bot{n}",
                              "text": "sub to my channel pls", "created_at": post[1]} for n in range(30)])
        db.execute("DELETE FROM follower_samples WHERE profile_id = ? AND rowid % 2 = 0", [e["id"]])
        upsert_followers(db, [{"profile_id": f["id"], "platform_id": f"fake{n}", "handle": f"user{n}8812",
                               "followers": 1, "following": 4000, "posts_count": 0, "has_avatar": 0}
                              for n in range(40)])
        add_snapshots(db, [{"profile_id": g["id"], "observed_at": (NOW - timedelta(days=1)).isoformat(),
                            "followers": 90_000, "following": 10, "posts_count": 50}])
        db.execute("UPDATE profiles SET opted_out = 1 WHERE id = ?", [h["id"]])  # no longer a candidate
        db.execute("UPDATE profiles SET bot = 1 WHERE id = ?", [i["id"]])
        new = upsert_profiles(db, [{"platform": "mastodon", "platform_id": "newcomer@x.example", "handle": "newcomer",
                                    "followers": 8000, "following": 300, "posts_count": 40,
                                    "fetched": json.dumps(["profile", "posts", "comments", "followers"])}])
    return (ids - {h["id"]}) | set(new.values())


def same_runs(db, one, other) -> None:
    """Two runs' entries, verdicts and tallies are the same (the tallies in the same order)."""
    assert rows(db, one.run_id, ENTRY, "shortlist_entries") == rows(db, other.run_id, ENTRY, "shortlist_entries")
    assert rows(db, one.run_id, VERDICT, "run_verdicts") == rows(db, other.run_id, VERDICT, "run_verdicts")
    assert (one.candidates, one.excluded, one.errors, list(one.excluded_by.items()),
            list(one.errors_by_rule.items())) == (other.candidates, other.excluded, other.errors,
                                                  list(other.excluded_by.items()), list(other.errors_by_rule.items()))


@pytest.mark.parametrize("batch_size, workers, chunk", [(500, 1, 5000), (2, 2, 5000), (500, 1, 7)],
                         ids=["in this process", "in workers", "copied in chunks"])
def test_only_the_changed_candidates_are_judged_and_the_run_is_a_full_re_judge(db, rules, batch_size, workers,
                                                                               chunk, monkeypatch):
    monkeypatch.setattr(rejudge, "CHUNK", chunk)
    config = load_config(None)
    first = run_shortlist(db, config, rules, "demo", now=NOW, reuse=True)
    changed = change_some(db)
    judged: list[int] = []
    kept = run_shortlist(db, config, rules, "demo", now=NOW + timedelta(hours=9), reuse=True,
                         progress=judged.append, batch_size=batch_size, workers=workers)
    assert kept.kept_from == first.run_id and kept.rescored_from is None and not kept.reused
    # All but the nine touched (eight still candidates, one opted out); the newcomer is judged.
    assert kept.kept == first.candidates - 9 and len(changed) == 9
    assert kept.candidates == first.candidates  # one opted out, one new
    assert judged[-1] == kept.candidates and judged == sorted(judged) and kept.kept in judged
    # Judged as of the kept verdicts' moment: the windows of every verdict end at NOW.
    assert db.execute("SELECT judged_at FROM shortlist_runs WHERE id = ?", [kept.run_id]).fetchone()[0] == \
        NOW.isoformat()
    full = run_shortlist(db, config, rules, "demo", now=NOW)
    assert full.kept_from is None
    same_runs(db, kept, full)
    # The changes moved verdicts (else the comparison above would prove nothing).
    moved = {pid for (pid,) in db.execute(
        "SELECT n.profile_id FROM run_verdicts n LEFT JOIN run_verdicts o ON o.run_id = ? AND o.profile_id = n.profile_id "
        "AND o.rule = n.rule WHERE n.run_id = ? AND (o.reason IS NOT n.reason OR o.outcome IS NOT n.outcome)",
        [first.run_id, kept.run_id])}
    assert moved <= changed and len(moved) >= 6
    # Nothing changed since: the run is given back whole.
    assert run_shortlist(db, config, rules, "demo", now=NOW + timedelta(hours=10), reuse=True).reused


@pytest.mark.parametrize("chunk", [5000, 7])
def test_changed_data_and_weights_keep_the_rest_re_scored(db, rules, chunk, monkeypatch):
    monkeypatch.setattr(rejudge, "CHUNK", chunk)
    config = load_config(None)
    first = run_shortlist(db, config, rules, "demo", now=NOW, reuse=True)
    change_some(db)
    weights = load_config(None)
    weights.campaigns["demo"].weights["engagement"] = 0.5
    weights.campaigns["demo"].gates = [g for g in weights.campaigns["demo"].gates if g != "tier_bounds"]
    kept = run_shortlist(db, weights, rules, "demo", now=NOW, reuse=True)
    assert kept.kept_from == first.run_id
    full = run_shortlist(db, weights, rules, "demo", now=NOW)
    same_runs(db, kept, full)


def test_a_post_moved_to_another_profile_re_judges_both(db, rules):
    """A re-crawl that finds a post under another account (upsert_posts moves it) with no
    other write since the last run: the profile that lost it changed too."""
    config = load_config(None)
    first = run_shortlist(db, config, rules, "demo", now=NOW, reuse=True)
    a, b = profile(db, 0), profile(db, 1)
    post = next(db.query("SELECT * FROM posts WHERE profile_id = ? ORDER BY created_at DESC", [b["id"]]))
    with db.conn:
        upsert_posts(db, [{**{k: v for k, v in post.items() if k != "id"}, "profile_id": a["id"]}])
    assert db.execute("SELECT profile_id FROM posts WHERE id = ?", [post["id"]]).fetchone()[0] == a["id"]
    kept = run_shortlist(db, config, rules, "demo", now=NOW, reuse=True)
    assert kept.kept_from == first.run_id and kept.kept == first.candidates - 2
    same_runs(db, kept, run_shortlist(db, config, rules, "demo", now=NOW))


@pytest.mark.parametrize("change", ["options", "day", "campaign terms"])
def test_what_every_verdict_reads_judges_everyone(db, rules, change):
    config = load_config(None)
    run_shortlist(db, config, rules, "demo", now=NOW, reuse=True)
    change_some(db)
    now = NOW
    if change == "options":
        config = parse_config({**_demo(), "rules": {"engagement": {"min_posts": 2}}})
    elif change == "day":
        now = NOW + timedelta(days=1)
    else:
        config = parse_config(_demo(keywords=["ramen"]))
    again = run_shortlist(db, config, rules, "demo", now=now, reuse=True)
    assert again.kept_from is None and again.rescored_from is None and not again.reused


def _demo(**campaign) -> dict:
    demo = load_config(None).campaigns["demo"].model_dump(mode="json", exclude_defaults=True)
    return {"campaigns": {"demo": {**demo, **campaign}}}


def test_a_write_records_the_profile_it_changed(db):
    """The triggers behind it (migration m013): every kind of write to every judged table."""
    a, b = profile(db, 0), profile(db, 1)

    def versions() -> dict[int, int]:
        return dict(db.execute("SELECT profile_id, version FROM profile_versions").fetchall())

    writes = [
        "UPDATE profiles SET bio = 'x' WHERE id = :a",
        "INSERT INTO profile_snapshots (profile_id, observed_at, followers) VALUES (:a, '2026-10-30', 5)",
        "UPDATE profile_snapshots SET followers = 6 WHERE profile_id = :a",
        "DELETE FROM profile_snapshots WHERE profile_id = :a",
        "UPDATE posts SET likes = 1 WHERE profile_id = :a",
        "DELETE FROM posts WHERE profile_id = :a",
        "UPDATE comments SET likes = 1 WHERE profile_id = :a",
        "DELETE FROM comments WHERE profile_id = :a",
        "UPDATE follower_samples SET followers = 1 WHERE profile_id = :a",
        "DELETE FROM follower_samples WHERE profile_id = :a",
    ]
    for sql in writes:
        # Newer than the data_version a run starting now would read, so that run's next one sees it.
        read, before = data_version(db), versions()
        with db.conn:
            db.execute(sql, {"a": a["id"]})
        after = versions()
        assert after[a["id"]] > read, sql
        assert after.get(b["id"]) == before.get(b["id"]), sql
    # A row moved from one profile to another changed both, as the first write since a run.
    read = data_version(db)
    with db.conn:
        db.execute("UPDATE posts SET profile_id = ? WHERE id = (SELECT min(id) FROM posts WHERE profile_id = ?)",
                   [a["id"], b["id"]])
    after = versions()
    assert after[a["id"]] > read and after[b["id"]] > read


def test_the_command_says_how_many_it_kept(db, tmp_path):
    path = str(tmp_path / "store.db")

    def shortlist(*extra: str) -> dict:
        result = CliRunner().invoke(cli, ["--db", path, "shortlist", "demo", "--json", "--workers", "2",
                                          "--batch-size", "3", *extra])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    first = shortlist()
    change_some(db)
    second = shortlist()
    assert second["kept_from"] == first["run_id"] and 0 < second["kept"] < second["candidates"]
    assert second["judged_at"] == first["judged_at"]  # judged as of the kept verdicts' moment
    full = shortlist("--rejudge")
    assert full["kept_from"] is None and full["kept"] == 0 and full["judged_at"] > first["judged_at"]
    assert second["shortlist"] == full["shortlist"]
    change_some_more = profile(db, 20)
    with db.conn:
        db.execute("UPDATE profiles SET bio = 'new bio' WHERE id = ?", [change_some_more["id"]])
    result = CliRunner().invoke(cli, ["--db", path, "shortlist", "demo"])
    assert result.exit_code == 0, result.output
    assert f"Verdicts of {second['candidates'] - 1} unchanged candidates kept from run {full['run_id']}" in \
        " ".join(result.output.split())


def test_a_store_made_before_the_moved_row_fix_is_upgraded(tmp_path, rules):
    """A store migrated up to m013 (whose trigger recorded a moved row's old profile before
    the counter moved) gets m014's triggers and judged_at when opened."""
    import sqlite_utils

    from microscout.store.migrations import migrations

    path = tmp_path / "old.db"
    old = sqlite_utils.Database(path)
    migrations.apply(old, stop_before="m014_moved_rows_and_judged_at")
    assert "judged_at" not in old["shortlist_runs"].columns_dict
    old.close()
    db = open_store(str(path))
    assert "judged_at" in db["shortlist_runs"].columns_dict
    assert not [n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE name LIKE '%moved_version'")]
    with db.conn:
        a, b = (upsert_profiles(db, [{"platform": "mastodon", "platform_id": h, "handle": h}])[("mastodon", h)]
                for h in ("a", "b"))
        upsert_posts(db, [{"profile_id": a, "platform": "mastodon", "platform_id": "p1", "text": "hi",
                           "created_at": "2026-10-01T00:00:00+00:00"}])
    read = data_version(db)
    with db.conn:
        upsert_posts(db, [{"profile_id": b, "platform": "mastodon", "platform_id": "p1", "text": "hi",
                           "created_at": "2026-10-01T00:00:00+00:00"}])
    versions = dict(db.execute("SELECT profile_id, version FROM profile_versions").fetchall())
    assert versions[a] > read and versions[b] > read


def _opt_out(db, pid: int) -> None:
    """What the crawl pipeline writes for an account found opted out (crawlers/pipelines.py)."""
    from microscout.crawlers.items import OptOutItem

    row = next(db.query("SELECT platform, platform_id FROM profiles WHERE id = ?", [pid]))
    with db.conn:
        upsert_profiles(db, [OptOutItem(platform=row["platform"], platform_id=row["platform_id"],
                                        opt_out_reason="noindex").row()])
        for table in ("posts", "comments", "follower_samples", "profile_snapshots"):
            db.execute(f"DELETE FROM {table} WHERE profile_id = ?", [pid])


@pytest.mark.parametrize("which", ["changed", "kept"])
def test_an_account_opting_out_while_the_run_works_is_not_in_it(db, rules, which, monkeypatch):
    """A crawl in another process records an opt-out after the run chose whom to keep and
    whom to judge: the account is neither copied nor judged into the run."""
    monkeypatch.setattr(rejudge, "CHUNK", 7)
    config = load_config(None)
    first = run_shortlist(db, config, rules, "demo", now=NOW, reuse=True)
    ranked = [p for (p,) in db.execute("SELECT profile_id FROM shortlist_entries WHERE run_id = ? "
                                       "AND rank IS NOT NULL ORDER BY profile_id", [first.run_id])]
    touched = ranked[:4]
    with db.conn:
        for pid in touched:
            db.execute("UPDATE profiles SET bio = bio || ' ' WHERE id = ?", [pid])
    gone = touched[-1] if which == "changed" else ranked[-1]
    fired: list[int] = []

    def crawl_meanwhile(done: int) -> None:
        if not fired and (which == "kept" or done > first.candidates - len(touched)):
            fired.append(done)
            _opt_out(db, gone)

    run = run_shortlist(db, config, rules, "demo", now=NOW, reuse=True, batch_size=2, progress=crawl_meanwhile)
    assert fired and run.kept_from == first.run_id
    assert db.execute("SELECT count(*) FROM shortlist_entries WHERE run_id = ? AND profile_id = ?",
                      [run.run_id, gone]).fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM run_verdicts WHERE run_id = ? AND profile_id = ?",
                      [run.run_id, gone]).fetchone()[0] == 0
    assert run.candidates == first.candidates - 1 and run.kept == first.candidates - len(touched) - (
        which == "kept")


def test_workers_are_sent_small_tasks_whatever_the_batch_size(db, rules, monkeypatch):
    """A task of 40,000 ids would fill the pipe both ways and stop the run for good."""
    from microscout.engine import pool

    sent: list = []
    run = pool.WorkerPool.run

    def spy(self, tasks):
        sent.extend(tasks)
        return run(self, tasks)

    monkeypatch.setattr(pool.WorkerPool, "run", spy)
    config = load_config(None)
    first = run_shortlist(db, config, rules, "demo", now=NOW, reuse=True, workers=1)
    change_some(db)
    kept = run_shortlist(db, config, rules, "demo", now=NOW, reuse=True, batch_size=3, workers=2)
    assert kept.kept_from == first.run_id and sent == list(range(3))  # 9 changed in 3 tasks, each an index
    same_runs(db, kept, run_shortlist(db, config, rules, "demo", now=NOW))


def test_a_campaign_of_every_platform_keeps_nothing_judged_with_other_options(db, rules):
    """A campaign that names no platforms judges them all: their rules' options are part of
    what the verdicts depend on."""
    before = parse_config(_demo(platforms=[]))
    after = parse_config({**_demo(platforms=[]), "rules": {"posting_cadence": {"target_per_week": 20}}})
    run_shortlist(db, before, rules, "demo", now=NOW, reuse=True)
    change_some(db)
    partial = run_shortlist(db, after, rules, "demo", now=NOW, reuse=True)
    assert partial.kept_from is None and partial.rescored_from is None and not partial.reused
