"""A shortlist run that keeps the last run's verdicts of the candidates whose data did not
change since, and judges the others.

Every write to a judged table records, per profile, the data_version it moved the store to
(migration m013, ``profile_versions``), and a run records the data_version it started
from. When the campaign's last run judged with the same rules, options, code, tiers,
campaign terms and day, a candidate without a write since that run started keeps that
run's verdicts (its entry copied in SQL, naming the run whose verdict rows they are; scored
again when weights, gates or scoring changed); the changed and the new candidates are
judged, as of the moment the kept verdicts were judged.
A verdict depends only on its candidate's own rows, the rule's options and the judging
time (the rule contract), so the run is the one judging everyone at that moment would
give; ``shortlist --rejudge`` judges everyone now.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Callable

import sqlite_utils

from microscout.engine.evaluate import Evaluator
from microscout.engine.shortlist import RunSummary, _finish, judge_profiles, score_again, still_running
from microscout.store.queries import candidates_where
from microscout.store.transaction import transaction

# Candidates copied per transaction: a crawl writing meanwhile waits for one chunk at most.
CHUNK = 5_000


def judge_changed(db: sqlite_utils.Database, evaluator: Evaluator, run_id: int, last: dict, since: int,
                  scores_hold: bool, batch_size: int, progress: Callable[[int], None] | None,
                  workers: int) -> RunSummary:
    """Run ``run_id``: the verdicts of run ``last`` for its candidates with no write after
    data_version ``since``, scored as it scored them when ``scores_hold`` (weights, gates
    and scoring are the same) or again otherwise; every other candidate judged."""
    source = last["id"]
    summary = RunSummary(run_id=run_id, campaign=evaluator.campaign_name, kept_from=source)
    where, platforms = candidates_where(evaluator.campaign.platforms, "p")
    kept = [pid for (pid,) in db.execute(
        f"SELECT e.profile_id FROM shortlist_entries e JOIN profiles p ON p.id = e.profile_id WHERE e.run_id = ? "
        f"AND {where} AND NOT EXISTS (SELECT 1 FROM profile_versions v WHERE v.profile_id = e.profile_id "
        "AND v.version > ?) ORDER BY e.profile_id", [source, *platforms, since])]
    scored = ", score, excluded_by, reasons" if scores_hold else ""
    for start in range(0, len(kept), CHUNK):
        ids = kept[start:start + CHUNK]
        # The run's rows are not read by anyone until _finish marks it finished.
        with transaction(db):
            # Marked interrupted meanwhile: its entries would name verdicts pruning no longer keeps.
            still_running(db, run_id)
            if _pruned_since(db, source):
                # Another run pruned it before this one said it was running (store/runs.py):
                # the candidates not copied yet are judged instead.
                kept = kept[:start]
                break
            # The verdicts stay where they are: the entry names the run that judged them.
            db.execute("INSERT INTO shortlist_entries (run_id, profile_id, platform, handle, tier, followers, "
                       f"engagement_rate{scored}, verdicts_run) SELECT ?, profile_id, platform, handle, tier, "
                       f"followers, engagement_rate{scored}, coalesce(verdicts_run, run_id) FROM shortlist_entries "
                       f"WHERE run_id = ? AND profile_id IN ({_STILL_CANDIDATES})",
                       [run_id, source, _json(ids)])
            if not scores_hold:
                score_again(db, evaluator, summary, batch_size, None, ids[0], ids[-1])
        summary.candidates = summary.kept = min(start + CHUNK, len(kept))
        if progress:
            progress(summary.candidates)
    # Those opted out while this run copied are not kept.
    summary.kept = summary.candidates = db.execute("SELECT count(*) FROM shortlist_entries WHERE run_id = ?",
                                                   [run_id]).fetchone()[0]
    if not summary.kept:
        summary.kept_from = None  # pruned before a first copy: every candidate is judged
    kept_ids = set(kept)
    changed = [pid for (pid,) in db.execute(f"SELECT p.id FROM profiles p WHERE {where} ORDER BY p.id", platforms)
               if pid not in kept_ids]
    judge_profiles(db, evaluator, summary, batch_size, progress, workers, only=changed)
    _recount(db, evaluator, summary)
    _finish(db, summary)
    return summary


def _pruned_since(db: sqlite_utils.Database, run_id: int) -> bool:
    row = db.execute("SELECT status FROM shortlist_runs WHERE id = ?", [run_id]).fetchone()
    return row is None or row[0] != "finished"


# The ids of a chunk (json_each of the statement's last parameter) that are still candidates:
# an opt-out recorded by a crawl while the run works is never copied into it.
_STILL_CANDIDATES = ("SELECT p.id FROM json_each(?) j JOIN profiles p ON p.id = j.value WHERE "
                     + candidates_where(None, "p")[0])


def _json(ids: list[int]) -> str:
    return "[" + ",".join(map(str, ids)) + "]"


def _recount(db: sqlite_utils.Database, evaluator: Evaluator, summary: RunSummary) -> None:
    """Count the run's candidates again as a judging run counts them (in profile id order,
    a candidate's erring rules in the order they run), so its tallies are listed alike."""
    order = {platform: {rule.name: i for i, (rule, _) in enumerate(evaluator.setup(platform)[1])}
             for platform in evaluator.platforms}
    errors: dict[int, list[str]] = defaultdict(list)
    for pid, rule in db.execute("SELECT profile_id, rule FROM run_verdicts WHERE run_id = ? AND outcome = 'error'",
                                [summary.run_id]):
        errors[pid].append(rule)
    fresh = RunSummary(run_id=summary.run_id, campaign=summary.campaign)
    for pid, platform, excluded_by in db.execute(
            "SELECT profile_id, platform, excluded_by FROM shortlist_entries WHERE run_id = ? ORDER BY profile_id",
            [summary.run_id]):
        rank = order.get(platform, {})
        fresh.count_judged(tuple(sorted(errors.get(pid, ()), key=lambda r: (rank.get(r, len(rank)), r))),
                           excluded_by)
    for name in ("candidates", "excluded", "errors", "excluded_by", "errors_by_rule"):
        setattr(summary, name, getattr(fresh, name))
