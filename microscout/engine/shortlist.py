"""A shortlist run: stream candidates, judge them, persist every verdict, rank.

Memory stays flat: candidates are loaded a batch at a time, verdicts are written a batch
at a time, and ranking happens in SQL.
"""
from __future__ import annotations

import functools
import gc
import hashlib
import inspect
import itertools
import json
import os
import sqlite3
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator, NamedTuple, cast

import sqlite_utils

from microscout import jsontext
from microscout.config import Config
from microscout.engine import pool
from microscout.engine.evaluate import Evaluator, GaveWay, stored_evidence
from microscout.engine.rules import NOT_ON_PLATFORM, Rule, Verdict
from microscout.store.queries import batch_sql, candidates_where, iter_profile_batches
from microscout.store.runs import discard_run, interrupt_stale_runs, process_owner, prune_blocker, prune_runs
from microscout.store.transaction import transaction
from microscout.store.writes import now_iso
from microscout.words import counted


@dataclass
class BatchForm:
    """How a rule's batch form fared in a run: the batches it judged (or tried to), those on
    which it gave way to ``evaluate`` (engine/evaluate.py run_batch) for a bug and why it
    first did, and those on which it gave way for a post date Python cannot read."""
    plugin: str
    batches: int = 0
    gave_way: int = 0
    first: str | None = None
    unreadable_dates: int = 0
    first_unreadable_date: str | None = None


@dataclass
class RunSummary:
    run_id: int
    campaign: str
    candidates: int = 0
    excluded: int = 0
    errors: int = 0
    excluded_by: dict[str, int] = field(default_factory=dict)
    errors_by_rule: dict[str, int] = field(default_factory=dict)
    # True when nothing changed since run ``run_id`` (same data, settings, rules and day),
    # which is given again instead of judging anew.
    reused: bool = False
    # The run whose verdicts this run copied and scored again (only weights, gates or
    # scoring changed since), or None when this run judged.
    rescored_from: int | None = None
    # The run whose verdicts this run kept for the candidates whose data did not change
    # since (``kept`` of them; the others were judged), or None.
    kept_from: int | None = None
    kept: int = 0
    # Older runs of the campaign whose verdicts and entries this run's end deleted (keep_runs).
    pruned: list[int] = field(default_factory=list)
    prune_error: str | None = None  # why pruning failed, if it did (the run itself is finished)
    # The campaign's run still `running` that kept older runs from being pruned (store/runs.py)
    prune_blocked_by: dict | None = None
    # By rule, how its batch form fared in the batches this run judged (batch_fallback_notes)
    batch_forms: dict[str, BatchForm] = field(default_factory=dict)

    def count_batch_forms(self, rules: dict[str, Rule], judged: dict[str, GaveWay | None]) -> None:
        """One judged batch: the rules whose batch form ran on it, with how each gave way if it did."""
        for name, gave_way in judged.items():
            tally = self.batch_forms.get(name)
            if tally is None:
                tally = self.batch_forms[name] = BatchForm(rules[name].plugin if name in rules else "")
            tally.batches += 1
            if gave_way is None:
                continue
            if gave_way.unreadable_date is not None:
                tally.unreadable_dates += 1
                tally.first_unreadable_date = tally.first_unreadable_date or gave_way.unreadable_date
            else:
                tally.gave_way += 1
                tally.first = tally.first or gave_way.problem

    def count(self, verdicts: dict, excluded_by: str | None) -> None:
        """One judged candidate: its rule errors and its exclusion."""
        self.count_judged(tuple(name for name, v in verdicts.items() if v.outcome == "error"), excluded_by)

    def count_judged(self, errors: tuple[str, ...], excluded_by: str | None) -> None:
        """One judged candidate, given the rules that raised on it and what excluded it."""
        self.candidates += 1
        for name in errors:
            self.errors += 1
            self.errors_by_rule[name] = self.errors_by_rule.get(name, 0) + 1
        if excluded_by:
            self.excluded += 1
            self.excluded_by[excluded_by] = self.excluded_by.get(excluded_by, 0) + 1


def _settings(evaluator: Evaluator) -> dict:
    """What the run judged with, so a result can always be traced to its rules."""
    out: dict[str, Any] = {"gates": evaluator.gates, "weights": {}, "rules": {}}
    for platform in evaluator.platforms:
        _, active = evaluator.setup(platform)
        out["rules"][platform] = {r.name: o.model_dump(mode="json") for r, o in active}
        for r, _ in active:
            out["weights"][r.name] = evaluator.weight(r.name)
    return out


def _code_stamps(rules: dict[str, Rule]) -> list:
    """(file, size, mtime) of the code that judges: microscout's own modules and each rule's
    package or plugin file, so an edited or upgraded rule never re-uses an old run."""
    own = Path(__file__).resolve().parent.parent
    files: set[Path] = set(own.rglob("*.py"))
    roots: set[Path] = {own}  # packages walked already (every built-in rule is in this one)
    walked: dict[Path, list[Path]] = {}  # plugins_dir folders walked already: once, not per rule
    installed = _InstalledPlugins()
    for rule in rules.values():
        for function in (rule.evaluate, rule.evaluate_batch):
            for path in _code_files(function, walked, installed):
                if path.is_dir():
                    if path.resolve() not in roots:
                        roots.add(path.resolve())
                        files.update(path.rglob("*.py"))
                else:
                    files.add(path)
    stamps = []
    for path in sorted(files):
        try:
            st = path.stat()
        except OSError:
            continue
        stamps.append([str(path), st.st_size, st.st_mtime_ns])
    return stamps


class _InstalledPlugins:
    """The top-level modules and packages of each installed plugin distribution (one with an
    entry point in group microscout), read once per run and only when a rule needs them."""

    def __init__(self) -> None:
        self._tops: dict[str, tuple[str, ...]] | None = None

    def siblings(self, top: str) -> tuple[str, ...]:
        """Every top-level name the distribution that installs ``top`` installs (none if no
        plugin distribution does): a rule in one module may import the others."""
        if self._tops is None:
            import importlib.metadata

            from microscout.engine.plugins import ENTRY_POINT_GROUP

            self._tops = {}
            for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
                if ep.dist is not None:
                    names = _top_level_names(ep.dist)
                    self._tops.update(dict.fromkeys(names, names))
        return self._tops.get(top, ())


def _top_level_names(dist: Any) -> tuple[str, ...]:
    """The top-level modules and packages a distribution installs: its top_level.txt
    (setuptools), else the first part of each Python file its RECORD lists."""
    text = dist.read_text("top_level.txt")
    if text:
        return tuple(sorted({line.strip() for line in text.splitlines() if line.strip()}))
    names = set()
    for file in dist.files or []:
        parts = file.parts
        if file.suffix == ".py" and parts and not parts[0].startswith(".") and parts[0] != "__pycache__":
            names.add(parts[0].removesuffix(".py") if len(parts) == 1 else parts[0])
    return tuple(sorted(n for n in names if n.isidentifier()))


def _code_files(function: Any, walked: dict[Path, list[Path]] | None = None,
                installed: _InstalledPlugins | None = None) -> list[Path]:
    """The source a rule function's verdicts depend on: its package's folders (to walk), or
    every file of its plugins_dir, in its folders too (helpers it imports, ``from ._lib import
    x``); for an installed plugin, every other top-level module and package its distribution
    installs too (a flat layout's helper module). A partial or a decorated function counts as
    the function it wraps. ``walked``: the plugins_dir folders walked already, with their
    files (each rule of one plugins_dir would walk it again: every run, reused or not, paid a
    walk of it per rule and function)."""
    while isinstance(function, functools.partial):
        function = function.func
    function = inspect.unwrap(function) if callable(function) else function
    module = sys.modules.get(getattr(function, "__module__", "") or "")
    source = getattr(module, "__file__", None)
    if module is None or not source:
        return []
    from microscout.engine.plugins import is_plugins_dir_module

    top = sys.modules.get(module.__name__.split(".")[0])
    if is_plugins_dir_module(module.__name__):
        folders = [Path(p) for p in getattr(top, "__path__", [])] or [Path(source).parent]
        walked = {} if walked is None else walked
        for folder in folders:
            if folder not in walked:
                walked[folder] = list(folder.rglob("*.py"))
        return [path for folder in folders for path in walked[folder]]
    roots = list(getattr(top, "__path__", []) or []) if top is not None and top is not module else []
    found = [Path(root) for root in roots] if roots else [Path(source)]
    top_name = module.__name__.split(".")[0]
    if top_name != __name__.split(".")[0]:  # microscout's own modules are stamped whole already
        for name in (installed or _InstalledPlugins()).siblings(top_name):
            if name != top_name:
                found += _module_paths(name)
    return found


def _module_paths(name: str) -> list[Path]:
    """A top-level module's file, or a package's folders (to walk), found without importing it."""
    import importlib.util

    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return []
    if spec is None:
        return []
    if spec.submodule_search_locations:
        return [Path(p) for p in spec.submodule_search_locations]
    return [Path(spec.origin)] if spec.origin and spec.origin.endswith(".py") else []


def data_version(db: sqlite_utils.Database) -> int | None:
    """A number the judged tables' triggers move on at every write (None before migration 6)."""
    try:
        row = db.execute("SELECT version FROM data_version WHERE id = 1").fetchone()
    except sqlite3.OperationalError:
        return None
    return row[0] if row else None


# ``version`` of the fingerprints below: the store's data_version now.
NOW = -1


def _digest(db: sqlite_utils.Database, evaluator: Evaluator, code: list | None, version: int | None,
            **inputs: Any) -> str | None:
    """A hash of ``inputs`` plus what every fingerprint depends on: the data (data_version,
    or ``version`` of it), the platforms' tiers, the rules' code and the day judged on
    (rules measure time from it: days since the last post, windows). None before migration 6."""
    if version == NOW:
        version = data_version(db)
    if version is None:
        return None
    config = evaluator.config
    inputs.update({
        "data": version,
        # Every platform's when the campaign names none: it judges all their profiles.
        "tiers": {p: config.platforms.get(p).model_dump(mode="json", include={"tiers"}) for p in evaluator.platforms},
        "code": _code_stamps(evaluator.rules) if code is None else code,
        "day": evaluator.now.astimezone(timezone.utc).date().isoformat(),
    })
    return hashlib.sha256(json.dumps(inputs, sort_keys=True, default=str).encode()).hexdigest()


def fingerprint(db: sqlite_utils.Database, evaluator: Evaluator, settings: dict,
                code: list | None = None, version: int | None = NOW) -> str | None:
    """What a run's result depends on: the data, the settings (the run's settings, scoring,
    the campaign, the platforms' tiers), the code of the rules, and the day it judges on."""
    return _digest(db, evaluator, code, version, settings=settings,
                   scoring=evaluator.config.scoring.model_dump(mode="json"),
                   campaign=evaluator.campaign.model_dump(mode="json"))


# Campaign fields only scoring reads: a change in them re-scores the last verdicts.
SCORING_FIELDS = {"weights", "gates", "shortlist_size"}


def verdicts_fingerprint(db: sqlite_utils.Database, evaluator: Evaluator, settings: dict,
                         code: list | None = None, version: int | None = NOW) -> str | None:
    """What a run's verdicts depend on: the data, the rules that judge and their options,
    the rules' code, the day, the platforms' tiers and the campaign but for the fields only
    scoring reads (weights, gates, shortlist_size). ``fingerprint`` adds the rest."""
    return _digest(db, evaluator, code, version, rules=settings["rules"],
                   campaign=evaluator.campaign.model_dump(mode="json", exclude=SCORING_FIELDS))


def _reused(db: sqlite_utils.Database, run: dict) -> RunSummary:
    run_id = run["id"]
    summary = RunSummary(run_id=run_id, campaign=run["campaign"], candidates=run["candidates"] or 0,
                         excluded=run["excluded"] or 0, errors=run["errors"] or 0, reused=True)
    summary.excluded_by = {r[0]: r[1] for r in db.execute(
        "SELECT excluded_by, count(*) FROM shortlist_entries WHERE run_id = ? AND excluded_by IS NOT NULL "
        "GROUP BY excluded_by ORDER BY count(*) DESC, excluded_by", [run_id])}
    summary.errors_by_rule = {r[0]: r[1] for r in db.execute(
        "SELECT rule, count(*) FROM run_verdicts WHERE run_id = ? AND outcome = 'error' GROUP BY rule ORDER BY rule",
        [run_id])}
    return summary


def run_shortlist(db: sqlite_utils.Database, config: Config, rules: dict[str, Rule], campaign_name: str,
                  *, batch_size: int = 500, now: datetime | None = None,
                  progress: Callable[[int], None] | None = None, reuse: bool = False,
                  workers: int = 1) -> RunSummary:
    """Judge every stored candidate of the campaign's platforms and persist the run.

    ``workers`` > 1: judge the batches in that many forked processes (engine/pool.py), when
    there is more than one batch and the system can fork; else in this process. A worker
    that dies stops the run with JudgingStopped.

    ``reuse=True``: when the campaign's last finished run had the same fingerprint (same
    data, settings, rule code and day), give that run back (``summary.reused``) instead
    of judging again; when only weights, gates or scoring changed, score its verdicts
    again (``summary.rescored_from``); when its verdicts' settings are the same but some
    candidates' data changed since it started, keep its verdicts of the others and judge
    only those (``summary.kept_from``).

    A run that finishes prunes the campaign's finished runs older than its newest
    ``config.shortlists.keep_runs`` (``summary.pruned``: store/runs.py)."""
    evaluator = Evaluator(config, rules, campaign_name, now=now or datetime.now(timezone.utc))
    interrupt_stale_runs(db)
    settings = _settings(evaluator)
    code = _code_stamps(evaluator.rules)
    version = data_version(db)
    mark = fingerprint(db, evaluator, settings, code, version)
    verdicts_mark = verdicts_fingerprint(db, evaluator, settings, code, version)
    last = latest_run(db, campaign_name) if reuse and mark is not None else None
    # The last run's verdicts kept for the candidates unchanged since it started: with its
    # scores (only the data changed) or scored again (weights, gates or scoring did too).
    keep: tuple[dict, int, bool] | None = None  # (that run, its data_version, whether its scores hold)
    rescore = False  # only weights, gates or scoring changed: every verdict is kept and scored again
    if last is not None:
        since = last.get("data_version")
        if last.get("fingerprint") == mark:
            return _pruned(db, config, _reused(db, last))
        if verdicts_mark is not None and last.get("verdicts_fingerprint") == verdicts_mark:
            assert version is not None  # a fingerprint needs it
            keep, rescore = (last, version if since is None else since, False), True
        elif since is not None and last.get("judged_at") and last.get("verdicts_fingerprint") == \
                verdicts_fingerprint(db, evaluator, settings, code, since):
            keep = (last, since, last.get("fingerprint") == fingerprint(db, evaluator, settings, code, since))
        if keep is not None and last.get("judged_at"):
            # The same day (the fingerprints say so): judge as of the moment the kept verdicts
            # were judged, so the run is one judgement at one instant, as a full one is.
            evaluator = Evaluator(config, rules, campaign_name, now=datetime.fromisoformat(last["judged_at"]))
    columns, values = ["campaign", "started_at", "status", "settings", "pid", "owner"], [
        campaign_name, now_iso(), "running", json.dumps(settings), os.getpid(), process_owner()]
    if mark is not None:
        columns += ["fingerprint", "verdicts_fingerprint", "data_version", "judged_at"]
        values += [mark, verdicts_mark, version, evaluator.now.isoformat()]
    with transaction(db):
        cursor = db.execute(f"INSERT INTO shortlist_runs ({', '.join(columns)}) "
                            f"VALUES ({', '.join('?' * len(columns))})", values)
        run_id = cursor.lastrowid
    assert run_id is not None  # the INSERT just made the row
    try:
        if keep is None:
            summary = _judge(db, evaluator, run_id, batch_size, progress, workers)
        else:
            from microscout.engine.rejudge import judge_changed

            summary = judge_changed(db, evaluator, run_id, *keep, batch_size, progress, workers)
            # Every verdict copied and scored again; a run whose source was pruned while it
            # copied judged the rest, and says what it kept as a partial re-judge does.
            if rescore and summary.kept_from is not None and summary.kept == summary.candidates:
                summary.rescored_from, summary.kept_from, summary.kept = summary.kept_from, None, 0
    except BaseException as exc:
        # Whatever stopped the run (an error, Ctrl-C), no half-judged run stays behind; a
        # kill -9 leaves it `running` until the next command sees its process is gone.
        try:
            discard_run(db, run_id, "interrupted" if isinstance(exc, (KeyboardInterrupt, RunInterrupted)) else "failed")
        except Exception:  # noqa: BLE001 - the original error is the one to report
            pass
        raise
    return _pruned(db, config, summary)


def _pruned(db: sqlite_utils.Database, config: Config, summary: RunSummary) -> RunSummary:
    """``summary`` once the campaign's runs beyond ``keep_runs`` are pruned. The run is
    finished whatever happens here: a pruning that fails (the store locked by a crawl for
    longer than the busy timeout) is said in ``summary.prune_error`` and left to the next."""
    keep = config.shortlists.keep_runs
    try:
        summary.pruned = prune_runs(db, summary.campaign, keep, summary.run_id)
        if not summary.pruned:
            summary.prune_blocked_by = prune_blocker(db, summary.campaign, keep, summary.run_id)
    except sqlite3.Error as exc:
        summary.prune_error = str(exc)
    return summary


def pruning_said(summary: RunSummary, keep: int) -> str | None:
    """What the end of the run did about older runs, in words (None when there was nothing
    to say): which it pruned, why it could not."""
    if summary.pruned:
        runs = ", ".join(map(str, summary.pruned))
        return (f"pruned {len(summary.pruned)} older {'run' if len(summary.pruned) == 1 else 'runs'} ({runs}): "
                f"the newest {keep} keep their verdicts")
    if summary.prune_error:
        return f"older runs were not pruned ({summary.prune_error}); the next run prunes them"
    blocker = summary.prune_blocked_by
    if blocker:
        where = f" on {blocker['host']}" if blocker.get("host") else ""
        return (f"older runs were not pruned: run {blocker['run_id']} of {summary.campaign} has been running since "
                f"{blocker['started_at']}{where}, and may be copying their verdicts; if its process was killed, "
                f"`microscout db interrupt-run {blocker['run_id']}` marks it interrupted")
    return None


def batch_fallback_notes(summary: RunSummary) -> list[str]:
    """A line for each rule whose batch form gave way to ``evaluate`` in the run for a bug
    in it, said with what was wrong the first time, so that its author learns of it (the run
    only took longer, its verdicts are the same); and one line for the rules that gave way
    on a post date Python cannot read, which the data holds, not their code."""
    lines = []
    for name, tally in summary.batch_forms.items():
        if tally.gave_way:
            batches = counted(tally.batches, "batch", "batches")
            lines.append(f"rule {name} ({tally.plugin or 'no plugin'}): its batch form gave way on {tally.gave_way} "
                         f"of {batches} (first: {tally.first}), so those candidates were judged with evaluate "
                         f"(slower; verdicts unaffected)")
    dated = {name: tally for name, tally in summary.batch_forms.items() if tally.unreadable_dates}
    if dated:
        # The built-in post rules share one read of a batch's posts, so they give way together.
        first = next(iter(dated.values())).first_unreadable_date
        shares = {(tally.unreadable_dates, tally.batches) for tally in dated.values()}
        on = "some of their batches"
        if len(shares) == 1:
            n, of = shares.pop()
            on = f"{n} of {counted(of, 'batch', 'batches')}"
        rules, forms = ("rules", "their batch forms") if len(dated) > 1 else ("rule", "its batch form")
        lines.append(f"a post date Python cannot read (first: {first}) made {rules} {', '.join(dated)} judge {on} "
                     f"with evaluate, not {forms} (slower; verdicts unaffected); the rules that compare post dates "
                     f"give its creator an error")
    return lines


@dataclass
class JudgedBatch:
    """One batch of candidates judged: rows ready to insert, and what to count per candidate."""
    verdict_rows: list[tuple] = field(default_factory=list)
    entry_rows: list[tuple] = field(default_factory=list)
    counts: list[tuple[tuple[str, ...], str | None]] = field(default_factory=list)  # (erring rules, excluded_by)
    # The rules whose batch form ran on the batch, with how it gave way to evaluate (None: it did not)
    batch_forms: dict[str, GaveWay | None] = field(default_factory=dict)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector held off while a batch is judged, and free to run
    after. A batch allocates a few hundred thousand row tuples that live until its verdicts
    are written; the collector, run every 700 allocations, traversed them again and again
    (a fifth of a run's CPU). What a batch leaves in cycles is collected after it."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def judge_batch(db: sqlite_utils.Database, evaluator: Evaluator, run_id: int, profile_rows: list[dict]) -> JudgedBatch:
    """Judge the candidates of these profile rows (``SELECT * FROM profiles``): verdict and
    entry rows for run ``run_id``. Reads the store only, so any process may run it."""
    with collector_paused():
        return _judge_batch(db, evaluator, run_id, profile_rows)


def _judge_batch(db: sqlite_utils.Database, evaluator: Evaluator, run_id: int, profile_rows: list[dict]) -> JudgedBatch:
    out = JudgedBatch()
    for profile, verdicts in evaluator.evaluate_rows(db, profile_rows, out.batch_forms):
        evidence = {}
        for name, v in list(verdicts.items()):  # before scoring: evidence it cannot store is an error
            try:
                evidence[name] = jsontext.dumps(v.evidence)
            except Exception:  # noqa: BLE001 - said as that rule's error (stored_evidence)
                verdicts[name], evidence[name] = stored_evidence(evaluator.rules[name], v)
        scored = evaluator.score(verdicts)
        for name, v in verdicts.items():
            out.verdict_rows.append((run_id, profile.id, name, v.outcome, v.score, v.reason, evidence[name]))
        rate = evaluator.metric(verdicts, "engagement_rate")
        context, _ = evaluator.setup(profile.platform)
        out.entry_rows.append((run_id, profile.id, profile.platform, profile.handle,
                               context.tier_of(profile.followers), profile.followers, rate, scored.score,
                               scored.excluded_by, jsontext.dumps(scored.reasons)))
        out.counts.append((tuple(n for n, v in verdicts.items() if v.outcome == "error"), scored.excluded_by))
    return out


def _judge(db: sqlite_utils.Database, evaluator: Evaluator, run_id: int, batch_size: int,
           progress: Callable[[int], None] | None, workers: int = 1) -> RunSummary:
    summary = RunSummary(run_id=run_id, campaign=evaluator.campaign_name)
    judge_profiles(db, evaluator, summary, batch_size, progress, workers)
    _finish(db, summary)
    return summary


def judge_profiles(db: sqlite_utils.Database, evaluator: Evaluator, summary: RunSummary, batch_size: int,
                   progress: Callable[[int], None] | None, workers: int = 1, only: list[int] | None = None) -> None:
    """Judge every candidate of the campaign, or those with the profile ids ``only`` (in id
    order), into run ``summary.run_id``, counting them into ``summary``."""
    platforms = evaluator.campaign.platforms
    path = pool.store_path(db) if workers > 1 and pool.can_fork() else None
    if only is None:
        tasks: list[tuple[int, ...]] = list(batch_bounds(db, platforms, batch_size)) if path is not None else []
    else:
        tasks = [tuple(only[i:i + batch_size]) for i in range(0, len(only), batch_size)]
    if path is not None and len(tasks) > 1:
        _judge_in_workers(db, evaluator, summary.run_id, path, tasks, min(workers, len(tasks)), summary, progress,
                          by_ids=only is not None)
        return
    batches = iter_profile_batches(db, platforms=platforms, batch_size=batch_size) if only is None else \
        (profiles_by_id(db, ids) for ids in tasks)
    for rows in batches:
        judged = judge_batch(db, evaluator, summary.run_id, rows)
        _insert(db, judged)
        for errors, excluded_by in judged.counts:
            summary.count_judged(errors, excluded_by)
        summary.count_batch_forms(evaluator.rules, judged.batch_forms)
        if progress:
            progress(summary.candidates)


def _insert(db: sqlite_utils.Database, judged: JudgedBatch) -> None:
    with transaction(db):
        db.conn.executemany("INSERT INTO verdicts VALUES (?, ?, ?, ?, ?, ?, ?)", judged.verdict_rows)
        db.conn.executemany(
            "INSERT INTO shortlist_entries (run_id, profile_id, platform, handle, tier, followers, "
            "engagement_rate, score, excluded_by, reasons) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            judged.entry_rows)


def batch_bounds(db: sqlite_utils.Database, platforms: list[str], batch_size: int) -> list[tuple[int, int]]:
    """(first, last) profile id of each batch iter_profile_batches gives, read as ids alone."""
    where, params = candidates_where(platforms)
    bounds, first, count, last = [], 0, 0, 0
    for (last,) in db.execute(f"SELECT id FROM profiles WHERE {where} ORDER BY id", params):
        if count == 0:
            first = last
        count += 1
        if count == batch_size:
            bounds.append((first, last))
            count = 0
    if count:
        bounds.append((first, last))
    return bounds


def profile_rows(db: sqlite_utils.Database, platforms: list[str], first: int, last: int) -> list[dict]:
    """The rows iter_profile_batches gives for the batch from profile id ``first`` to ``last``."""
    where, params = candidates_where(platforms)
    return list(db.query(batch_sql(where, "id BETWEEN ? AND ?"), [*params, first, last]))


def profiles_by_id(db: sqlite_utils.Database, ids: tuple[int, ...]) -> list[dict]:
    """The profile rows with these ids, in id order, but those opted out since the ids were
    chosen (a crawl recording an opt-out while the run works)."""
    return list(db.query("SELECT * FROM profiles WHERE id IN (SELECT value FROM json_each(?)) AND "
                         f"{candidates_where(None)[0]} ORDER BY id", [json.dumps(ids)]))


def _judge_in_workers(db: sqlite_utils.Database, evaluator: Evaluator, run_id: int, path: Path,
                      tasks: list[tuple[int, ...]], workers: int, summary: RunSummary,
                      progress: Callable[[int], None] | None, by_ids: bool = False) -> None:
    """Judge the batches in forked workers (each reads the store itself), store each as it
    comes; count candidates, and what the rules' batch forms did (JudgedBatch.batch_forms),
    into ``summary`` in batch order, so that its tallies (and the order of its rules and
    exclusions, the first failure of a batch form) are those of judging in this process. A task is a
    batch's (first, last) profile id, or with ``by_ids`` its profile ids, of which a worker
    is sent the index only: the pipes stay small (engine/pool.py) whatever the batch size."""
    platforms = evaluator.campaign.platforms

    def work(reader: sqlite_utils.Database, task: Any) -> JudgedBatch:
        rows = profiles_by_id(reader, tasks[task]) if by_ids else profile_rows(reader, platforms, *task)
        return judge_batch(reader, evaluator, run_id, rows)

    # The counts (and what the batch forms did) of batches that finished before an earlier one
    early: dict[int, tuple[list, dict]] = {}
    counted, done = 0, summary.candidates
    try:
        with pool.WorkerPool(path, work, workers) as workers_pool:
            for index, judged in workers_pool.run(list(range(len(tasks))) if by_ids else tasks):
                _insert(db, judged)
                early[index] = (judged.counts, judged.batch_forms)
                while counted in early:
                    counts, batch_forms = early.pop(counted)
                    for errors, excluded_by in counts:
                        summary.count_judged(errors, excluded_by)
                    summary.count_batch_forms(evaluator.rules, batch_forms)
                    counted += 1
                done += len(judged.counts)
                if progress:
                    progress(done)
    except pool.WorkerDied as exc:
        line = f"a judging worker (process {exc.pid}) {exc.how}"
        if exc.task is not None:
            task = tasks[exc.task] if by_ids else exc.task
            ids = f"{task[0]}–{task[1]}" if not by_ids else \
                f"{', '.join(map(str, task[:5]))}{', …' if len(task) > 5 else ''} ({len(task)} candidates)"
            line += (f" while judging the candidates with profile ids {ids}; a rule plugin "
                     f"may have crashed it (`microscout try RULE HANDLE` runs one rule on one creator)")
        raise JudgingStopped(line) from None


class JudgingStopped(Exception):
    """Judging could not go on (a worker process died); str() is the one line to show."""


class RunInterrupted(JudgingStopped):
    """The run was marked interrupted while it judged (`microscout db interrupt-run`)."""


def still_running(db: sqlite_utils.Database, run_id: int) -> None:
    """Raise RunInterrupted once the run was marked interrupted (`db interrupt-run`) or is gone."""
    row = db.execute("SELECT status FROM shortlist_runs WHERE id = ?", [run_id]).fetchone()
    if row is None or row[0] != "running":
        raise RunInterrupted(f"shortlist run {run_id} was marked {row[0] if row else 'deleted'} while it judged "
                             f"(`microscout db interrupt-run`)")


def _finish(db: sqlite_utils.Database, summary: RunSummary) -> None:
    """Rank the run's entries and mark it finished, if it is still running: a run marked
    interrupted meanwhile lost the rows written so far, so it is not finished incomplete."""
    run_id = summary.run_id
    with transaction(db):
        still_running(db, run_id)
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


class _Stored(NamedTuple):
    outcome: str
    score: float
    reason: str
    evidence: dict  # of the evidence, only Verdict.not_on_platform's mark: what Evaluator.score reads


_NO_MARK: dict = {}
_ON_PLATFORM_GAP = {NOT_ON_PLATFORM: True}


def score_again(db: sqlite_utils.Database, evaluator: Evaluator, summary: RunSummary, batch_size: int,
                progress: Callable[[int], None] | None, first: int, last: int) -> None:
    """Score the entries of run ``summary.run_id`` with profile ids ``first`` to ``last``,
    copied with their verdicts from an earlier run, with Evaluator.score: the same code, in
    the same rule order, as a judging run. Counted into ``summary``."""
    run_id = summary.run_id
    order = {}  # each platform's judging rules in the order a judging run scores them
    for platform in evaluator.platforms:
        order[platform] = [rule.name for rule, _ in evaluator.setup(platform)[1]]
    rows: list[tuple] = []

    def flush() -> None:
        db.conn.executemany("UPDATE shortlist_entries SET score = ?, excluded_by = ?, reasons = ? "
                            "WHERE run_id = ? AND profile_id = ?", rows)
        rows.clear()

    # Each candidate of the old run with its verdicts, a candidate at a time (the primary
    # keys' order); a candidate no rule judged has none and scores as a judging run scores it.
    cursor = db.conn.execute(
        "SELECT e.profile_id, e.platform, v.rule, v.outcome, v.score, v.reason, "
        f"CASE WHEN v.outcome = 'unknown' THEN json_extract(v.evidence, '$.{NOT_ON_PLATFORM}') END "
        "FROM shortlist_entries e "
        "LEFT JOIN verdicts v ON v.run_id = coalesce(e.verdicts_run, e.run_id) AND v.profile_id = e.profile_id "
        "WHERE e.run_id = ? AND e.profile_id BETWEEN ? AND ? ORDER BY e.profile_id", [run_id, first, last])
    for (profile_id, platform), group in itertools.groupby(cursor, key=lambda r: (r[0], r[1])):
        # What Evaluator.score reads of a Verdict (outcome, score, reason, the not_on_platform
        # mark), without building one: pydantic's model_construct would be a third of the re-score.
        stored = {r[2]: cast(Verdict, _Stored(r[3], r[4], r[5], _ON_PLATFORM_GAP if r[6] else _NO_MARK))
                  for r in group if r[2] is not None}
        verdicts = {name: stored[name] for name in order.get(platform, []) if name in stored}
        verdicts.update(stored)  # a rule no longer active (cannot be: same fingerprint) keeps its place last
        scored = evaluator.score(verdicts)
        rows.append((scored.score, scored.excluded_by, jsontext.dumps(scored.reasons),
                     run_id, profile_id))
        summary.count(verdicts, scored.excluded_by)
        if len(rows) >= batch_size:
            flush()
            if progress:
                progress(summary.candidates)
    flush()


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
    return list(db.query("SELECT rule, outcome, score, reason, evidence FROM run_verdicts "
                         "WHERE run_id = ? AND profile_id = ? ORDER BY rule", [run_id, profile_id]))
