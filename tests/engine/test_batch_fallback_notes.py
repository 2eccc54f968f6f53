"""`shortlist` says when a rule's batch form gave way to its simple form: a plugin whose
batch form always fails only made the run slower, and its author never learned of it."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from microscout.cli import cli
from microscout.store import open_store

PLUGIN = '''
from microscout import Rule, Verdict, hookimpl

def simple(candidate, options, context):
    return Verdict(outcome="pass", score=1.0, reason="simple form")

def batch(batch, options, context):
    raise RuntimeError("boom")

@hookimpl
def register_rules(register):
    register(Rule(name="median_likes", summary="A batch form that raises", evaluate=simple, evaluate_batch=batch))
'''

CONFIG = '''plugins_dir = "plugins"
database = "scout.db"
[campaigns.demo]
platforms = ["mastodon", "bluesky"]
keywords = ["vegan"]
'''

NOTE = ("note: rule median_likes (plugins_dir:median.py): its batch form gave way on 3 of 3 batches (first: raised "
        "RuntimeError: boom), so those candidates were judged with evaluate (slower; verdicts unaffected)\n")


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture
def project(tmp_path):
    """A sandbox store of 58 candidates (2 of 60 opted out) and a plugin whose batch form raises."""
    (tmp_path / "config.toml").write_text(CONFIG)
    (tmp_path / "plugins").mkdir()
    (tmp_path / "plugins" / "median.py").write_text(PLUGIN)
    made = invoke("sandbox", "generate", "--size", 60, "--posts", 5, "--followers", 10,
                  "--config", tmp_path / "config.toml")
    assert made.exit_code == 0, made.output
    return tmp_path / "config.toml"


def shortlist(config, *args):
    result = invoke("shortlist", "demo", "--batch-size", 20, "--limit", 1, "--config", config, *args)
    assert result.exit_code == 0, result.output
    return result


def test_a_batch_form_that_raises_is_said_once_after_the_run(project):
    result = shortlist(project, "--workers", 1)
    assert result.stderr.count("note:") == 1 and NOTE in result.stderr, result.stderr
    assert "Traceback" not in result.output
    # Only said: every candidate has the simple form's verdict, as before.
    db = open_store(project.parent / "scout.db")
    assert db.execute("SELECT DISTINCT reason FROM verdicts WHERE rule = 'median_likes'").fetchall() == \
        [("simple form",)]
    as_json = shortlist(project, "--workers", 1, "--json", "--rejudge")
    assert NOTE in as_json.stderr
    assert json.loads(as_json.stdout)["batch_fallbacks"] == [
        {"rule": "median_likes", "plugin": "plugins_dir:median.py", "batches": 3, "gave_way": 3,
         "first": "raised RuntimeError: boom", "unreadable_dates": 0, "first_unreadable_date": None}]


def test_batches_judged_in_worker_processes_are_said_alike(project):
    # The workers judge in forked processes: what their batch forms did travels back with
    # each batch's rows, and is told as judging in this process tells it.
    result = shortlist(project, "--workers", 2)
    assert result.stderr.count("note:") == 1 and NOTE in result.stderr, result.stderr


@pytest.mark.parametrize("workers", [1, 2])
def test_a_run_that_judges_only_the_changed_candidates_says_what_it_judged(project, workers):
    shortlist(project, "--workers", workers)
    # Nothing changed: the last run is given back, no rule ran, nothing to say.
    again = shortlist(project, "--workers", workers, "--json")
    assert json.loads(again.stdout)["reused"] and json.loads(again.stdout)["batch_fallbacks"] == []
    assert "note:" not in again.stderr
    db = open_store(project.parent / "scout.db")
    with db.conn:
        # one creator on each platform: two batches of changed candidates (--batch-size 1)
        db.execute("UPDATE profiles SET followers = followers + 1 WHERE id IN (SELECT min(id) FROM profiles "
                   "WHERE opted_out = 0 GROUP BY platform)")
    db.conn.close()
    kept = invoke("shortlist", "demo", "--batch-size", 1, "--limit", 1, "--workers", workers, "--json",
                  "--config", project)
    assert kept.exit_code == 0, kept.output
    assert json.loads(kept.stdout)["kept"] == 56
    assert json.loads(kept.stdout)["batch_fallbacks"] == [
        {"rule": "median_likes", "plugin": "plugins_dir:median.py", "batches": 2, "gave_way": 2,
         "first": "raised RuntimeError: boom", "unreadable_dates": 0, "first_unreadable_date": None}]
    assert "its batch form gave way on 2 of 2 batches (first: raised RuntimeError: boom)" in kept.stderr


DATED = ("engagement", "ad_frequency", "disclosure", "sponsored_engagement", "growth_spikes", "posting_cadence",
         "niche_relevance")


@pytest.mark.parametrize("workers", [1, 2])
def test_the_built_in_rules_giving_way_on_an_unreadable_post_date_are_said_in_one_line(project, workers):
    # The built-in post rules give way on purpose when a post's date cannot be read; their
    # simple forms then give its creator a cryptic TypeError: the line says why, once for
    # all of them (they share one read of the batch's posts), not once per rule, and names
    # the post's creator: a Bluesky post's id names an account by its DID alone.
    db = open_store(project.parent / "scout.db")
    with db.conn:
        post, handle, platform = db.execute("SELECT x.platform_id, p.handle, p.platform FROM posts x JOIN profiles p "
                                            "ON p.id = x.profile_id ORDER BY x.id LIMIT 1").fetchone()
        db.execute("UPDATE posts SET created_at = 'yesterday' WHERE platform_id = ?", [post])
    db.conn.close()
    result = shortlist(project, "--workers", workers, "--json")
    notes = [line for line in result.stderr.splitlines() if line.startswith("note:")]
    assert notes == [NOTE.rstrip("\n"), (
        f"note: a post date Python cannot read (first: post {post} of {handle} ({platform}) has an unreadable date "
        f"'yesterday') made rules "
        f"{', '.join(DATED)} judge 1 of 3 batches with evaluate, not their batch forms (slower; verdicts "
        f"unaffected); the rules that compare post dates give its creator an error")], result.stderr
    fallbacks = json.loads(result.stdout)["batch_fallbacks"]
    assert [f["rule"] for f in fallbacks] == ["median_likes", *DATED]
    assert fallbacks[1] == {"rule": "engagement", "plugin": "microscout.rules.engagement", "batches": 3,
                            "gave_way": 0, "first": None, "unreadable_dates": 1,
                            "first_unreadable_date": f"post {post} of {handle} ({platform}) has an unreadable date "
                                                             "'yesterday'"}
    assert json.loads(result.stdout)["errors_by_rule"] == dict.fromkeys(DATED, 1)  # as the simple forms judge


def test_the_note_comes_after_the_shortlist_and_its_counts(project):
    # Printed before the table, a terminal scrolled it away with the shortlist; it is the
    # run's footnote, read with the count of rule errors it may explain.
    output = shortlist(project, "--workers", 1).output
    assert output.index("Judged 58 candidates") < output.index("note: rule median_likes"), output


def test_a_scheduled_shortlist_says_it_in_its_step_line(project):
    # A scheduled run says what its shortlist did in the step's line (logged, and recorded
    # in schedule_runs): the notes go there, as its pruning does.
    project.write_text(CONFIG + '[schedules.daily]\ncron = "0 8 * * *"\ncampaign = "demo"\nsteps = ["shortlist"]\n')
    result = invoke("--config", project, "schedule", "run-once", "daily", "--json")
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout[result.stdout.index("{"):])
    detail = record["steps"][0]["detail"]
    assert detail.startswith("shortlist run 1: judged 58, ranked 56; ") and detail.endswith(
        "; rule median_likes (plugins_dir:median.py): its batch form gave way on 1 of 1 batch (first: raised "
        "RuntimeError: boom), so those candidates were judged with evaluate (slower; verdicts unaffected)"), detail


def test_try_says_an_unreadable_post_date_is_the_datas_doing_not_the_rules(project):
    # A review: `try` called the built-in post rules' deliberate giving way on a date Python
    # cannot read a failure of their batch form ("warning: … its batch form raised
    # UnreadableTimestamp"), where the shortlist says it is the data's doing.
    db = open_store(project.parent / "scout.db")
    with db.conn:
        post, handle = db.execute("SELECT x.platform_id, p.handle FROM posts x JOIN profiles p "
                                  "ON p.id = x.profile_id ORDER BY x.id LIMIT 1").fetchone()
        db.execute("UPDATE posts SET created_at = 'yesterday' WHERE platform_id = ?", [post])
    db.conn.close()
    result = invoke("try", "engagement", handle, "--config", project)
    assert "warning:" not in result.stderr, result.stderr
    assert (f"note: a post date Python cannot read (post {post} of {handle} " in result.stderr
            and "makes rule engagement judge with evaluate, not its batch form (shown, as the shortlist stores "
            "it); a rule that compares post dates gives its creator an error" in result.stderr), result.stderr
