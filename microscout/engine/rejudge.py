"""A shortlist run that judges only the candidates whose data changed since the last run.

Every write to a judged table records, per profile, the data_version it moved the store to
(migration m013, ``profile_versions``), and a run records the data_version it started
from. When the campaign's last run judged with the same rules, options, code, tiers and
day, a candidate without a write since that run started keeps that run's verdicts (copied
in SQL); the changed and the new candidates are judged. A verdict depends only on its
candidate's own rows, the rule's options and the judging day (the rule contract), so the
result is the one judging everyone would give; ``shortlist --rejudge`` judges everyone.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Callable

import sqlite_utils

from microscout.engine.evaluate import Evaluator
from microscout.engine.shortlist import RunSummary, _finish, judge_profiles, score_again

# The candidates of the new run that keep their verdicts; temporary, this connection's own.
_KEPT = "temp.kept_candidates"


def judge_changed(db: sqlite_utils.Database, evaluator: Evaluator, run_id: int, last: dict, scores_hold: bool,
                  batch_size: int, progress: Callable[[int], None] | None, workers: int) -> RunSummary:
    """Run ``run_id``: the verdicts of run ``last`` for the candidates unchanged since it
    started, scored as it scored them when ``scores_hold`` (weights, gates and scoring are
    the same) or again otherwise; every other candidate judged."""
    source = last["id"]
    summary = RunSummary(run_id=run_id, campaign=evaluator.campaign_name, kept_from=source)
    platforms = evaluator.campaign.platforms
    where = "p.opted_out = 0" + (f" AND p.platform IN ({', '.join('?' * len(platforms))})" if platforms else "")
    scored = ", score, excluded_by, reasons" if scores_hold else ""
    with db.conn:
        db.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_KEPT.split('.')[1]} (profile_id INTEGER PRIMARY KEY)")
        db.execute(f"DELETE FROM {_KEPT}")
        db.execute(
            f"INSERT INTO {_KEPT} SELECT e.profile_id FROM shortlist_entries e JOIN profiles p ON p.id = e.profile_id "
            f"WHERE e.run_id = ? AND {where} AND NOT EXISTS (SELECT 1 FROM profile_versions v "
            "WHERE v.profile_id = e.profile_id AND v.version > ?)", [source, *platforms, last["data_version"]])
        db.execute("INSERT INTO verdicts (run_id, profile_id, rule, outcome, score, reason, evidence) "
                   "SELECT ?, v.profile_id, v.rule, v.outcome, v.score, v.reason, v.evidence "
                   f"FROM {_KEPT} k JOIN verdicts v ON v.run_id = ? AND v.profile_id = k.profile_id",
                   [run_id, source])
        db.execute("INSERT INTO shortlist_entries (run_id, profile_id, platform, handle, tier, followers, "
                   f"engagement_rate{scored}) SELECT ?, e.profile_id, e.platform, e.handle, e.tier, e.followers, "
                   f"e.engagement_rate{scored.replace(', ', ', e.')} FROM {_KEPT} k "
                   "JOIN shortlist_entries e ON e.run_id = ? AND e.profile_id = k.profile_id", [run_id, source])
        if not scores_hold:
            score_again(db, evaluator, summary, source, batch_size, progress,
                        join=f"JOIN {_KEPT} k ON k.profile_id = e.profile_id")
        summary.kept = summary.candidates = db.execute(f"SELECT count(*) FROM {_KEPT}").fetchone()[0]
    if progress:
        progress(summary.candidates)
    changed = [pid for (pid,) in db.execute(
        f"SELECT p.id FROM profiles p WHERE {where} AND p.id NOT IN (SELECT profile_id FROM {_KEPT}) ORDER BY p.id",
        list(platforms))]
    judge_profiles(db, evaluator, summary, batch_size, progress, workers, only=changed)
    _recount(db, evaluator, summary)
    _finish(db, summary)
    return summary


def _recount(db: sqlite_utils.Database, evaluator: Evaluator, summary: RunSummary) -> None:
    """Count the run's candidates again as a judging run counts them (in profile id order,
    a candidate's erring rules in the order they run), so its tallies are listed alike."""
    order = {platform: {rule.name: i for i, (rule, _) in enumerate(evaluator.setup(platform)[1])}
             for platform in evaluator.campaign.platforms}
    errors: dict[int, list[str]] = defaultdict(list)
    for pid, rule in db.execute("SELECT profile_id, rule FROM verdicts WHERE run_id = ? AND outcome = 'error'",
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
