"""Exporting the latest shortlist: rows with reasons, marked against the previous export."""
from __future__ import annotations

import json
import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils

from microscout.engine.exporters import Exporter
from microscout.engine.shortlist import latest_run, ranked_entries
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


def write_atomically(path: Path, exporter: Exporter, rows: list[dict], columns: list[str]) -> None:
    """Write beside the target and rename: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            exporter.write(rows, columns, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def export_shortlist(db: sqlite_utils.Database, campaign: str, size: int, exporter: Exporter,
                     path: Path) -> dict:
    run_id, rows, columns = build_rows(db, campaign, size)
    write_atomically(path, exporter, rows, columns)
    kept = [_key(r) for r in rows if r["status"] != "dropped"]
    with db.conn:
        db["exports"].insert({"campaign": campaign, "shortlist_run_id": run_id, "format": exporter.name,
                              "path": str(path), "written_at": now_iso(), "rows": len(rows),
                              "keys": json.dumps(kept)})
    counts = {s: sum(1 for r in rows if r["status"] == s) for s in ("new", "unchanged", "dropped")}
    return {"path": str(path), "rows": len(rows), "run_id": run_id, **counts}
