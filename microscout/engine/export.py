"""Exporting the latest shortlist: rows with reasons, marked against the previous export."""
from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import secrets
import socket
import time
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils

from microscout.engine.exporters import Exporter
from microscout.engine.shortlist import latest_run, ranked_entries
from microscout.store.runs import interrupt_stale_runs, process_alive
from microscout.store.writes import now_iso

BASE_COLUMNS = ["status", "rank", "platform", "handle", "platform_id", "tier", "followers",
                "engagement_rate", "score", "excluded_by", "reasons"]


class ExportError(Exception):
    pass


def _key(row: dict) -> str:
    return f"{row['platform']}:{row['platform_id']}"


def previous_keys(db: sqlite_utils.Database, campaign: str) -> set[str] | None:
    rows = list(db.query("SELECT keys FROM exports WHERE campaign = ? ORDER BY id DESC LIMIT 1", [campaign]))
    return set(json.loads(rows[0]["keys"])) if rows else None


def build_rows(db: sqlite_utils.Database, campaign: str, size: int) -> tuple[int, list[dict], list[str]]:
    """(run id, rows, columns): the shortlist's top ``size`` plus the rows dropped since last time."""
    run = latest_run(db, campaign)
    if run is None:
        raise ExportError(f"campaign {campaign!r} has no shortlist yet; run `microscout shortlist {campaign}` first")
    run_id = run["id"]
    entries = list(ranked_entries(db, run_id, limit=size))
    rule_names = [r["rule"] for r in db.query(
        "SELECT DISTINCT rule FROM verdicts WHERE run_id = ? ORDER BY rule", [run_id])]
    before = previous_keys(db, campaign)
    kept = {_key(e) for e in entries}
    dropped = sorted((before or set()) - kept)
    rows = [dict(e) for e in entries]
    for key in dropped:
        platform, platform_id = key.split(":", 1)
        found = list(db.query(
            "SELECT e.*, p.platform_id FROM shortlist_entries e JOIN profiles p ON p.id = e.profile_id "
            "WHERE e.run_id = ? AND p.platform = ? AND p.platform_id = ?", [run_id, platform, platform_id]))
        rows.append(dict(found[0]) if found else {"platform": platform, "platform_id": platform_id,
                                                   "handle": None, "excluded_by": "not in the latest crawl"})
    for row in rows:
        key = _key(row)
        row["status"] = "dropped" if key in dropped else ("new" if before is None or key not in before else "unchanged")
        row["reasons"] = " | ".join(json.loads(row["reasons"])) if row.get("reasons") else ""
        if row.get("profile_id") is not None:
            for v in db.query("SELECT rule, outcome, reason FROM verdicts WHERE run_id = ? AND profile_id = ?",
                              [run_id, row["profile_id"]]):
                row[f"{v['rule']}.outcome"] = v["outcome"]
                row[f"{v['rule']}.reason"] = v["reason"]
    columns = BASE_COLUMNS + [f"{r}.{part}" for r in rule_names for part in ("outcome", "reason")]
    return run_id, rows, columns


def default_path(config_dir: Path, campaign: str, exporter: Exporter) -> Path:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    return config_dir / f"{campaign}-{stamp}.{exporter.extension}"


# `.NAME.HOST-PID.RANDOM.part` beside the target while an export is written (HOST: six hex
# digits of the host name's hash); older versions wrote `.NAME.XXXXXXXX.part` (no pid).
_TEMP = re.compile(r"^\.(?P<name>.+)\.(?P<host>[0-9a-f]{6})-(?P<pid>\d+)\.[0-9a-f]{8}\.part$")
_LEGACY_TEMP = re.compile(r"^\.(?P<name>.+)\.[a-z0-9_]{8}\.part$")
# A temporary file whose process cannot be checked from here is left alone for this long.
_TEMP_GRACE_SECONDS = 3600


def _host_tag() -> str:
    return hashlib.sha1(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:6]


# What a user can fix by pointing --out elsewhere or fixing a folder: said in one line.
_PATH_ERRNOS = {errno.EACCES, errno.EPERM, errno.EROFS, errno.EEXIST, errno.ENOTDIR, errno.EISDIR,
                errno.ENOENT, errno.ENAMETOOLONG, errno.ELOOP}


def _path_problem(path: Path, exc: OSError) -> ExportError:
    reason = {errno.EACCES: "permission denied", errno.EPERM: "permission denied",
              errno.EROFS: "the file system is read-only",
              errno.EEXIST: "a file is in the way of the folder",
              errno.ENOTDIR: "a file is in the way of the folder",
              errno.EISDIR: "it is a folder"}.get(exc.errno, exc.strerror or str(exc))
    where = f" ({exc.filename})" if exc.filename and str(exc.filename) != str(path) else ""
    return ExportError(f"cannot write the export to {path}: {reason}{where}; "
                       f"choose another --out or fix the folder's permissions")


def clean_temporary_files(folder: Path, suffix: str = "") -> list[Path]:
    """Remove what exports killed mid-write left in ``folder``: temporary files of this
    host whose process is gone, and (an hour on) those of another host or of an older
    version whose target ended in ``suffix``. Returns what was removed."""
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    now, host = time.time(), _host_tag()
    for entry in entries:
        match = _TEMP.match(entry.name) or _LEGACY_TEMP.match(entry.name)
        if not match:
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            pid = match.groupdict().get("pid")
            if pid is not None and match.group("host") == host:
                stale = int(pid) != os.getpid() and process_alive(int(pid), None) is False
            elif pid is not None or match.group("name").endswith(suffix or "\0"):
                stale = now - entry.stat(follow_symlinks=False).st_mtime > _TEMP_GRACE_SECONDS
            else:
                stale = False
            if stale:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except (OSError, ValueError):
            continue
    return removed


def _open_temporary(path: Path) -> tuple[int, Path]:
    """A new file beside ``path``, created with mode 0666 so the umask decides (mkstemp's
    0600 would keep a shared export from its readers)."""
    while True:
        tmp = path.parent / f".{path.name}.{_host_tag()}-{os.getpid()}.{secrets.token_hex(4)}.part"
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666), tmp
        except FileExistsError:
            continue


def write_atomically(path: Path, exporter: Exporter, rows: list[dict], columns: list[str]) -> None:
    """Write beside the target and rename: a reader never sees half a file, and a file
    already there is replaced whole or left as it was."""
    if path.is_dir():
        raise ExportError(f"cannot write the export to {path}: it is a folder; pass --out with a file name")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        clean_temporary_files(path.parent, path.suffix)
        fd, tmp = _open_temporary(path)
    except OSError as exc:
        if exc.errno in _PATH_ERRNOS:
            raise _path_problem(path, exc) from None
        raise
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            exporter.write(rows, columns, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.errno in _PATH_ERRNOS:
            raise _path_problem(path, exc) from None
        raise


def export_shortlist(db: sqlite_utils.Database, campaign: str, size: int, exporter: Exporter,
                     path: Path) -> dict:
    interrupt_stale_runs(db)
    run_id, rows, columns = build_rows(db, campaign, size)
    write_atomically(path, exporter, rows, columns)
    kept = [_key(r) for r in rows if r["status"] != "dropped"]
    with db.conn:
        db["exports"].insert({"campaign": campaign, "shortlist_run_id": run_id, "format": exporter.name,
                              "path": str(path), "written_at": now_iso(), "rows": len(rows),
                              "keys": json.dumps(kept)})
    counts = {s: sum(1 for r in rows if r["status"] == s) for s in ("new", "unchanged", "dropped")}
    return {"path": str(path), "rows": len(rows), "run_id": run_id, **counts}
