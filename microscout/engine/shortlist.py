"""A shortlist run: stream candidates, judge them, persist every verdict, rank.

Memory stays flat: candidates are loaded a batch at a time, verdicts are written a batch
at a time, and ranking happens in SQL.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

import sqlite_utils

from microscout.config import Config
from microscout.engine.evaluate import Evaluator
from microscout.engine.rules import Rule
from microscout.store.queries import iter_candidates
from microscout.store.runs import discard_run, interrupt_stale_runs, process_owner
from microscout.store.writes import now_iso


@dataclass
class RunSummary:
    run_id: int
    campaign: str
    candidates: int = 0
    excluded: int = 0
    errors: int = 0
    excluded_by: dict[str, int] = field(default_factory=dict)
    errors_by_rule: dict[str, int] = field(default_factory=dict)


def _settings(evaluator: Evaluator) -> dict:
    """What the run judged with, so a result can always be traced to its rules."""
    out = {"gates": evaluator.gates, "weights": {}, "rules": {}}
    for platform in evaluator.campaign.platforms:
        _, active = evaluator.setup(platform)
        out["rules"][platform] = {r.name: o.model_dump(mode="json") for r, o in active}
        for r, _ in active:
            out["weights"][r.name] = evaluator.weight(r.name)
    return out


def run_shortlist(db: sqlite_utils.Database, config: Config, rules: dict[str, Rule], campaign_name: str,
                  *, batch_size: int = 500, now: datetime | None = None,
                  progress: Callable[[int], None] | None = None) -> RunSummary:
    evaluator = Evaluator(config, rules, campaign_name, now=now or datetime.now(timezone.utc))
    interrupt_stale_runs(db)
    with db.conn:
        cursor = db.execute(
            "INSERT INTO shortlist_runs (campaign, started_at, status, settings, pid, owner) "
            "VALUES (?, ?, 'running', ?, ?, ?)",
            [campaign_name, now_iso(), json.dumps(_settings(evaluator)), os.getpid(), process_owner()])
        run_id = cursor.lastrowid
    try:
        return _judge(db, evaluator, run_id, batch_size, progress)
    except BaseException as exc:
        # Whatever stopped the run (an error, Ctrl-C), no half-judged run stays behind; a
        # kill -9 leaves it `running` until the next command sees its process is gone.
        try:
            discard_run(db, run_id, "interrupted" if isinstance(exc, KeyboardInterrupt) else "failed")
        except Exception:  # noqa: BLE001 - the original error is the one to report
            pass
        raise


def _judge(db: sqlite_utils.Database, evaluator: Evaluator, run_id: int, batch_size: int,
           progress: Callable[[int], None] | None) -> RunSummary:
    campaign, campaign_name = evaluator.campaign, evaluator.campaign_name
    summary = RunSummary(run_id=run_id, campaign=campaign_name)
    verdict_rows: list[tuple] = []
    entry_rows: list[tuple] = []

    def flush() -> None:
        with db.conn:
            db.conn.executemany("INSERT INTO verdicts VALUES (?, ?, ?, ?, ?, ?, ?)", verdict_rows)
            db.conn.executemany(
                "INSERT INTO shortlist_entries (run_id, profile_id, platform, handle, tier, followers, "
                "engagement_rate, score, excluded_by, reasons) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", entry_rows)
        verdict_rows.clear()
        entry_rows.clear()

    for candidate in iter_candidates(db, platforms=campaign.platforms, batch_size=batch_size):
        profile = candidate.profile
        verdicts = evaluator.evaluate(candidate)
        scored = evaluator.score(verdicts)
        for name, v in verdicts.items():
            verdict_rows.append((run_id, profile.id, name, v.outcome, v.score, v.reason,
                                 json.dumps(v.evidence, default=str, ensure_ascii=False)))
            if v.outcome == "error":
                summary.errors += 1
                summary.errors_by_rule[name] = summary.errors_by_rule.get(name, 0) + 1
        rate = evaluator.metric(verdicts, "engagement_rate")
        context, _ = evaluator.setup(profile.platform)
        entry_rows.append((run_id, profile.id, profile.platform, profile.handle,
                           context.tier_of(profile.followers), profile.followers, rate, scored.score,
                           scored.excluded_by, json.dumps(scored.reasons, ensure_ascii=False)))
        summary.candidates += 1
        if scored.excluded_by:
            summary.excluded += 1
            summary.excluded_by[scored.excluded_by] = summary.excluded_by.get(scored.excluded_by, 0) + 1
        if len(entry_rows) >= batch_size:
            flush()
            if progress:
                progress(summary.candidates)
    flush()
    with db.conn:
        # One pass over the ranked rows (a correlated subquery would redo the window per
        # row: quadratic, hours at 100,000 candidates). Ties break on reach, then on id,
        # so the same data always ranks the same way.
        db.execute(
            """UPDATE shortlist_entries SET rank = ranked.r
               FROM (SELECT profile_id, ROW_NUMBER() OVER (ORDER BY score DESC, followers DESC, profile_id) AS r
                     FROM shortlist_entries WHERE run_id = ? AND excluded_by IS NULL) AS ranked
               WHERE shortlist_entries.run_id = ? AND shortlist_entries.profile_id = ranked.profile_id""",
            [run_id, run_id])
        db.execute(
            "UPDATE shortlist_runs SET finished_at = ?, status = 'finished', candidates = ?, excluded = ?, "
            "errors = ? WHERE id = ?", [now_iso(), summary.candidates, summary.excluded, summary.errors, run_id])
    return summary


def latest_run(db: sqlite_utils.Database, campaign: str) -> dict | None:
    rows = list(db.query("SELECT * FROM shortlist_runs WHERE campaign = ? AND status = 'finished' "
                         "ORDER BY id DESC LIMIT 1", [campaign]))
    return rows[0] if rows else None


def ranked_entries(db: sqlite_utils.Database, run_id: int, limit: int | None = None):
    """The ranked (not excluded) entries of a run, best first."""
    sql = ("SELECT e.*, p.platform_id FROM shortlist_entries e JOIN profiles p ON p.id = e.profile_id "
           "WHERE e.run_id = ? AND e.rank IS NOT NULL ORDER BY e.rank")
    params: list = [run_id]
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return db.query(sql, params)


def verdicts_for(db: sqlite_utils.Database, run_id: int, profile_id: int) -> list[dict]:
    return list(db.query("SELECT rule, outcome, score, reason, evidence FROM verdicts "
                         "WHERE run_id = ? AND profile_id = ? ORDER BY rule", [run_id, profile_id]))
