"""Shortlist runs left `running` by a process that is gone, and old runs pruned.

A shortlist run records the process judging it (pid, and the host with the process's start
time, so a reused pid is not mistaken for it). A run still `running` whose process is gone
was killed: the next command that writes to the database marks it `interrupted` and
removes its partial verdicts and entries, which no reader ever shows.

Every run writes a verdict row per candidate and rule it judges (a candidate it keeps names
the run that judged its verdicts instead), so a campaign judged every week would add them to
the store each week: only its newest ``keep_runs`` finished runs keep their rows, and the
verdicts they name (``prune_runs``).

Exports and schedule runs would grow a row (and an export a row per exported creator) at
every export and run too: an export's ranks (``export_entries``) are kept only while a
later export can still compare with them (``prune_exports``), and each campaign's newest
HISTORY_KEPT exports and each schedule's newest HISTORY_KEPT runs stay as their history
(``schedule.history.prune_runs``); older ones are deleted.
"""
from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import sqlite_utils

from microscout.store.transaction import transaction
from microscout.store.writes import now_iso


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (Linux), or None where unknown."""
    try:
        stat = Path(f"/proc/{int(pid)}/stat").read_text()
    except (OSError, ValueError):
        return None
    fields = stat.rpartition(")")[2].split()
    return fields[19] if len(fields) > 19 else None


def process_owner(pid: int | None = None) -> str:
    """'host:start-time' of a process (this one by default)."""
    return f"{socket.gethostname()}:{_start_time(os.getpid() if pid is None else pid) or ''}"


def process_alive(pid: int, owner: str | None) -> bool | None:
    """Whether the process that recorded (pid, owner) still runs; None when this host cannot
    tell (it ran on another host)."""
    host, _, started = (owner or "").rpartition(":")
    if owner and host != socket.gethostname():
        return None
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, under another user
    except (OSError, ValueError, OverflowError):
        return False
    if started and _start_time(pid) not in (None, started):
        return False  # the pid was reused by another process
    return True


def _has_owner_columns(db: sqlite_utils.Database) -> bool:
    return "shortlist_runs" in db.table_names() and "pid" in db["shortlist_runs"].columns_dict


def stale_shortlist_runs(db: sqlite_utils.Database) -> list[int]:
    """Ids of runs still `running` whose process is gone (read-only)."""
    if not _has_owner_columns(db):
        return []
    stale = []
    me, my_owner = os.getpid(), process_owner()
    for row in db.query("SELECT id, pid, owner FROM shortlist_runs WHERE status = 'running'"):
        if row["pid"] is None:
            stale.append(row["id"])  # started by a version that did not record its process
        elif not (row["pid"] == me and row["owner"] == my_owner) and process_alive(row["pid"], row["owner"]) is False:
            stale.append(row["id"])
    return stale


def discard_run(db: sqlite_utils.Database, run_id: int, status: str = "interrupted") -> None:
    """Remove an unfinished run's partial verdicts and entries and give it its final status
    (a run marked interrupted while its process went on: the rows written since too). A run
    that finished meanwhile (a late Ctrl-C) is left as it is: later runs may name its verdicts."""
    with transaction(db):
        if db.execute("SELECT status FROM shortlist_runs WHERE id = ?", [run_id]).fetchone() in (("finished",),
                                                                                                 ("pruned",)):
            return
        db.execute("DELETE FROM verdicts WHERE run_id = ?", [run_id])
        db.execute("DELETE FROM shortlist_entries WHERE run_id = ?", [run_id])
        db.execute("UPDATE shortlist_runs SET status = ?, finished_at = ? WHERE id = ?", [status, now_iso(), run_id])


def interrupt_stale_runs(db: sqlite_utils.Database) -> list[int]:
    """Mark every stale shortlist run `interrupted` and remove what it had written."""
    stale = stale_shortlist_runs(db)
    for run_id in stale:
        discard_run(db, run_id)
    return stale


# Rows deleted per transaction when pruning: a crawl writing meanwhile waits for one chunk at most.
PRUNE_CHUNK = 50_000


def prune_runs(db: sqlite_utils.Database, campaign: str, keep: int, run_id: int) -> list[int]:
    """At the end of run ``run_id`` of the campaign: mark its finished runs but its newest
    ``keep`` (by id) and ``run_id`` itself `pruned`, and delete their verdicts and entries,
    with those of any run a pruning stopped half-way; the ids of the runs marked now.

    Nothing is marked while another run of the campaign is `running`: it may be naming the
    verdicts of an older run it keeps (engine/rejudge.py), and runs overlap (a scheduled and
    a manual one), finishing out of id order. Readers ask for the newest finished run, which
    is never marked; a run is marked before its rows go, so none is read half-deleted."""
    old = _beyond(db, campaign, keep, run_id)
    if old:  # read again under the write lock: a run may have started or finished meanwhile
        with transaction(db):
            old = _beyond(db, campaign, keep, run_id)
            if old:
                db.execute("UPDATE shortlist_runs SET status = 'pruned' WHERE id IN "
                           f"({', '.join('?' * len(old))})", old)
    # The pruned runs that still hold entries, or verdicts no entry of a run kept names
    # (a run's kept candidates name the verdicts of the run that judged them: those stay
    # while a kept run names them). Every earlier one was emptied by its pruning.
    left = [row[0] for row in db.execute(
        "SELECT r.id FROM shortlist_runs r WHERE r.campaign = ? AND r.status = 'pruned' AND "
        "(EXISTS (SELECT 1 FROM shortlist_entries e WHERE e.run_id = r.id) "
        f"OR (EXISTS (SELECT 1 FROM verdicts v WHERE v.run_id = r.id) AND NOT {_NAMED.format(run='r.id', also='')})) "
        "ORDER BY r.id", [campaign])]
    for pruned in left:
        # Verdicts before entries: the runs this one's entries name are found from its
        # entries, so a pruning stopped half-way is finished from what is left.
        named = [row[0] for row in db.execute("SELECT DISTINCT verdicts_run FROM shortlist_entries WHERE run_id = ? "
                                              "AND verdicts_run IS NOT NULL", [pruned])]
        _delete_unnamed_verdicts(db, pruned)
        for judged_in in named:
            _delete_unnamed_verdicts(db, judged_in, named_by=pruned)
        while True:
            with transaction(db):
                deleted = db.execute("DELETE FROM shortlist_entries WHERE rowid IN (SELECT rowid FROM "
                                     "shortlist_entries WHERE run_id = ? LIMIT ?)", [pruned, PRUNE_CHUNK]).rowcount
            if deleted < PRUNE_CHUNK:
                break
    return old


# An entry of a run finished or still running names verdict rows of run {run} ({also}: of
# that profile): rows a run shows or will. A run interrupted or failed shows nothing, and
# its rows go (discard_run).
_NAMED = ("EXISTS (SELECT 1 FROM shortlist_entries n JOIN shortlist_runs k ON k.id = n.run_id "
          "WHERE n.verdicts_run = {run}{also} AND k.status IN ('finished', 'running'))")
# Profiles whose verdicts are deleted per transaction (about a dozen rules each).
PRUNE_PROFILES = 4_000


def _delete_unnamed_verdicts(db: sqlite_utils.Database, run_id: int, named_by: int | None = None) -> None:
    """Delete the verdicts judged in run ``run_id`` (a pruned one) that no entry of a finished
    or running run names: all of them, or (``named_by``) those of the profiles whose entries in that
    run named them. A range of profiles a transaction."""
    if db.execute("SELECT status FROM shortlist_runs WHERE id = ?", [run_id]).fetchone() != ("pruned",):
        return  # a run kept: its verdicts are its own
    if named_by is None:
        profiles, params = "SELECT DISTINCT profile_id FROM verdicts WHERE run_id = ?", [run_id]
    else:
        profiles = "SELECT profile_id FROM shortlist_entries WHERE run_id = ? AND verdicts_run = ?"
        params = [named_by, run_id]
    unnamed = f"NOT {_NAMED.format(run='verdicts.run_id', also=' AND n.profile_id = verdicts.profile_id')}"
    after = 0
    while True:
        with transaction(db):
            ids = [row[0] for row in db.execute(f"{profiles} AND profile_id > ? ORDER BY profile_id LIMIT ?",
                                                [*params, after, PRUNE_PROFILES])]
            if not ids:
                return
            db.execute(f"DELETE FROM verdicts WHERE run_id = ? AND profile_id IN (SELECT value FROM json_each(?)) "
                       f"AND {unnamed}", [run_id, "[" + ",".join(map(str, ids)) + "]"])
        after = ids[-1]


def _beyond(db: sqlite_utils.Database, campaign: str, keep: int, run_id: int) -> list[int]:
    """The campaign's finished runs to prune at the end of run ``run_id``; none while
    another of its runs is `running`."""
    if _running_other(db, campaign, run_id) is not None:
        return []
    return _finished_beyond(db, campaign, keep, run_id)


def _finished_beyond(db: sqlite_utils.Database, campaign: str, keep: int, run_id: int) -> list[int]:
    finished = [row[0] for row in db.execute(
        "SELECT id FROM shortlist_runs WHERE campaign = ? AND status = 'finished' ORDER BY id DESC", [campaign])]
    kept = {*finished[:keep], run_id}
    return [i for i in finished if i not in kept]


def _running_other(db: sqlite_utils.Database, campaign: str, run_id: int) -> tuple | None:
    return db.execute("SELECT id, started_at, owner FROM shortlist_runs WHERE campaign = ? AND status = 'running' "
                      "AND id != ? ORDER BY id LIMIT 1", [campaign, run_id]).fetchone()


def prune_blocker(db: sqlite_utils.Database, campaign: str, keep: int, run_id: int) -> dict | None:
    """The run of the campaign still `running` that keeps the end of run ``run_id`` from
    pruning runs beyond ``keep`` (id, started_at, host), or None when there is nothing to
    prune or nothing in the way. A run killed on another machine sharing the store stays
    `running` (no process here to check) until `microscout db interrupt-run` marks it."""
    running = _running_other(db, campaign, run_id)
    if running is None or not _finished_beyond(db, campaign, keep, run_id):
        return None
    blocker, started_at, owner = running
    return {"run_id": blocker, "started_at": started_at, "host": (owner or "").rpartition(":")[0] or None}


# Each campaign's newest exports, and each schedule's newest runs, kept as their history
# (`microscout browse` lists the latest 100 schedule runs).
HISTORY_KEPT = 100


def comparable_exports(rows: list[tuple]) -> set[int]:
    """Of ``rows`` (id, format, shortlist_run_id), newest first, one campaign's or one
    schedule's exports: those a later export can still compare with (engine/export.py,
    previous_export). That is the newest; the newest of each format (an export of the same
    shortlist in another format looks past its run's files in other formats); and the newest
    of another shortlist run than the newest's (what such an export compares with then)."""
    if not rows:
        return set()
    latest_run = rows[0][2]
    wanted: set[int] = {rows[0][0]}
    formats: set = set()
    other_run = False
    for export_id, fmt, run_id in rows:
        if fmt not in formats:
            formats.add(fmt)
            wanted.add(export_id)
        if not other_run and run_id != latest_run:
            other_run = True
            wanted.add(export_id)
    return wanted


def prune_exports(db: sqlite_utils.Database, campaign: str, keep: int | None = None) -> int:
    """After an export of ``campaign``: delete the ranks (export_entries) of its exports no
    later export can compare with, and its exports beyond the newest ``keep`` (HISTORY_KEPT)
    that none can; the number of exports deleted."""
    keep = HISTORY_KEPT if keep is None else keep
    with transaction(db):
        rows = list(db.execute("SELECT id, format, shortlist_run_id, schedule FROM exports WHERE campaign = ? "
                               "ORDER BY id DESC", [campaign]))
        # by hand, an export compares with the campaign's newest; a schedule's with its own newest
        wanted = comparable_exports([r[:3] for r in rows])
        for schedule in {r[3] for r in rows if r[3] is not None}:
            wanted |= comparable_exports([r[:3] for r in rows if r[3] == schedule])
        kept = wanted | {r[0] for r in rows[:keep]}
        gone = [r[0] for r in rows if r[0] not in kept]
        useless = json.dumps([r[0] for r in rows if r[0] not in wanted])
        db.execute("DELETE FROM export_entries WHERE export_id IN (SELECT value FROM json_each(?))", [useless])
        db.execute("DELETE FROM exports WHERE id IN (SELECT value FROM json_each(?))", [json.dumps(gone)])
    return len(gone)
