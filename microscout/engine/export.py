"""Exporting the latest shortlist: rows with reasons, ranked and compared with the previous export.

Each row carries the creator's profile address, display name and a contact found in the
bio, every rule's outcome and reason, and how the rank moved since the previous export of
the campaign (or of the schedule that writes it): new, up N, down N, unchanged, dropped.
Each export's ranks are stored (table ``export_entries``) for the next one to compare with.
"""
from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import secrets
import socket
import stat
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

import sqlite_utils

from microscout.engine.contact import contact_for, profile_url
from microscout.engine.evidence import evidence_lines
from microscout.engine.exporters import ROW_COLUMNS, Exporter
from microscout.engine.readable import loaded, readable
from microscout.engine.shortlist import latest_run
from microscout.store.queries import candidates_where
from microscout.store.runs import interrupt_stale_runs, process_alive, prune_exports
from microscout.store.transaction import snapshot, transaction
from microscout.store.writes import now_iso

BASE_COLUMNS = ROW_COLUMNS  # the name before issue #11
# The chart of an HTML report shows at most this many of the candidates not exported.
MAX_CHART_POINTS = 2000


class ExportError(Exception):
    pass


@dataclass
class ExportContext:
    """What an exporter that asks for it (``Exporter(context=True)``) gets beside the rows."""

    campaign: str
    description: str
    run_id: int
    generated_at: str
    size: int
    previous: dict | None = None          # the export compared with: id, written_at, path, format
    rules: list[str] = field(default_factory=list)
    # every exported row's verdicts, by row key (platform:platform_id): rule, outcome, score,
    # reason, evidence (the rule's JSON) and words (the evidence as `key: value` lines)
    verdicts: dict[str, list[dict]] = field(default_factory=dict)
    # every exported row's reasons (the two that weighed most), by row key
    reasons: dict[str, list[str]] = field(default_factory=dict)
    # the addresses of the posts the row's reasons name, by post id, by row key (the reasons
    # above already show the addresses in place of the ids)
    links: dict[str, dict[str, str]] = field(default_factory=dict)
    # judged candidates with followers and an engagement rate: handle, platform, followers,
    # engagement_rate, rank, excluded_by, exported (in this export's shortlist); sampled
    # down to MAX_CHART_POINTS beside the exported ones
    points: list[dict] = field(default_factory=list)
    points_total: int = 0
    # follower bands of the tiers: tier, min, max (None: no top), platforms, target
    bands: list[dict] = field(default_factory=list)
    judged: int = 0
    ranked: int = 0
    schedule: str | None = None


def row_key(row: dict) -> str:
    return f"{row['platform']}:{row['platform_id']}"


def previous_export(db: sqlite_utils.Database, campaign: str, schedule: str | None = None,
                    before: int | None = None, run_id: int | None = None, fmt: str | None = None) -> dict | None:
    """The export to compare with: the campaign's latest, or the schedule's latest when one
    is named; with ``before``, the latest whose id is below it (a schedule writing several
    formats compares each with what existed before the run began); with ``run_id`` and
    ``fmt``, never a file of the same shortlist run in another format: the formats of one
    shortlist show the same changes (a CSV then an xlsx by hand showed the xlsx's reader no
    change at all, compared with the CSV), while the same format written again (a weekly
    file of an unchanged shortlist) compares with its last file; with ``ranks``."""
    sql = "SELECT id, written_at, path, format, keys FROM exports WHERE campaign = ?"
    params: list = [campaign]
    if run_id is not None and fmt is not None:
        sql += " AND NOT (shortlist_run_id IS ? AND format IS NOT ?)"
        params += [run_id, fmt]
    if schedule is not None:
        sql += " AND schedule = ?"
        params.append(schedule)
    if before is not None:
        sql += " AND id < ?"
        params.append(before)
    rows = list(db.query(sql + " ORDER BY id DESC LIMIT 1", params))
    if not rows:
        return None
    found = rows[0]
    ranks = {f"{r['platform']}:{r['platform_id']}": r["rank"] for r in db.query(
        "SELECT platform, platform_id, rank FROM export_entries WHERE export_id = ?", [found["id"]])}
    if not ranks:  # an export from before ranks were stored: its keys are best first
        ranks = {key: i for i, key in enumerate(json.loads(found["keys"] or "[]"), start=1)}
    return {"id": found["id"], "written_at": found["written_at"], "path": found["path"],
            "format": found["format"], "ranks": ranks}


def rank_change(rank: int | None, before: int | None, first_export: bool) -> tuple[str, str]:
    """(status, words): new / up N / down N / unchanged, against the rank the previous export showed."""
    if first_export or before is None:
        return "new", "new"
    if rank is None:
        return "dropped", "dropped"
    if rank < before:
        return "up", f"up {before - rank}"
    if rank > before:
        return "down", f"down {rank - before}"
    return "unchanged", "unchanged"


_PROFILE_SQL = ("SELECT e.*, p.platform_id, p.display_name, p.url, p.bio, p.website, p.instance, "
                "p.opted_out FROM shortlist_entries e JOIN profiles p ON p.id = e.profile_id ")


def _rule_names(db: sqlite_utils.Database, run: dict) -> list[str]:
    try:
        judged_with = json.loads(run.get("settings") or "{}").get("rules", {})
        names = sorted({name for per_platform in judged_with.values() for name in per_platform})
    except (ValueError, AttributeError):
        names = []
    return names or [r["rule"] for r in db.query(
        "SELECT DISTINCT rule FROM run_verdicts WHERE run_id = ? ORDER BY rule", [run["id"]])]


def _row(entry: dict) -> dict:
    row = dict(entry)
    handle = row.get("handle")
    row["profile_url"] = profile_url(row["platform"], handle, row.pop("url", None), row.pop("instance", None),
                                     row.get("platform_id"))
    row["contact"] = contact_for(row.pop("bio", None), row.pop("website", None))
    row["display_name"] = row.get("display_name") or None
    row["reason_list"] = json.loads(row["reasons"]) if row.get("reasons") else []
    row["reasons"] = " | ".join(row["reason_list"])
    row.pop("opted_out", None)
    return row


def _dropped_row(db: sqlite_utils.Database, run_id: int, key: str, size: int) -> dict:
    platform, platform_id = key.split(":", 1)
    profile = list(db.query("SELECT id, handle, opted_out, gone_since FROM profiles WHERE platform = ? "
                            "AND platform_id = ?", [platform, platform_id]))
    # Checked before the run's entry: an account may opt out, or be found gone, after the run.
    if profile and profile[0]["opted_out"]:  # nothing more about them leaves the database
        return {"platform": platform, "platform_id": platform_id, "excluded_by": "opted out"}
    if profile and profile[0]["gone_since"]:
        return {"platform": platform, "platform_id": platform_id, "profile_id": profile[0]["id"],
                "handle": profile[0]["handle"],
                "excluded_by": f"no longer on {platform} (no such account since {profile[0]['gone_since'][:10]})"}
    found = list(db.query(_PROFILE_SQL + "WHERE e.run_id = ? AND p.platform = ? AND p.platform_id = ?",
                          [run_id, platform, platform_id]))
    if found:
        row = _row(found[0])
        if row.get("rank") is not None and not row.get("excluded_by"):
            # still ranked, below this export's cut: not dropped by the shortlist (a marketer
            # read "dropped" beside rank 6 as a creator the rules had turned down)
            row["excluded_by"] = f"ranked {row['rank']}, below this export's top {size}"
        return row
    return {"platform": platform, "platform_id": platform_id, "profile_id": profile[0]["id"] if profile else None,
            "handle": profile[0]["handle"] if profile else None, "excluded_by": "not in the latest shortlist run"}


def _tier_bands(config, campaign: str, platforms: list[str], exported: list[dict]) -> list[dict]:
    """The tiers of ``platforms`` (the run's: a run judged on other platforms than the config's
    campaign lists, `demo --platform` or a campaign edited since, is drawn with the tiers it
    was judged by), else of the campaign's own platforms."""
    from microscout.config import Config

    config = config or Config()
    spec = config.campaigns.get(campaign)
    platforms = platforms or (spec.platforms if spec else None) or ["mastodon"]
    targets = set(spec.target_tiers) if spec else {r["tier"] for r in exported if r.get("tier")}
    bands: dict[tuple, dict] = {}
    for platform in platforms:
        try:
            tiers = config.platforms.get(platform).tiers
        except KeyError:
            continue
        for name, tier in tiers.items():
            band = bands.setdefault((name, tier.min, tier.max), {"tier": name, "min": tier.min, "max": tier.max,
                                                                 "platforms": [], "target": name in targets})
            band["platforms"].append(platform)
    return sorted(bands.values(), key=lambda b: (b["min"], b["tier"]))


def _chart_points(db: sqlite_utils.Database, run_id: int, exported: set[str]) -> tuple[list[dict], int]:
    where = "WHERE e.run_id = ? AND e.followers > 0 AND e.engagement_rate IS NOT NULL"
    total = db.execute(f"SELECT COUNT(*) FROM shortlist_entries e {where}", [run_id]).fetchone()[0]
    step = max(1, -(-total // MAX_CHART_POINTS))
    points = []
    cursor = db.execute(f"SELECT e.handle, e.platform, p.platform_id, e.followers, e.engagement_rate, e.rank, "
                        f"e.excluded_by FROM shortlist_entries e JOIN profiles p ON p.id = e.profile_id {where} "
                        f"ORDER BY e.profile_id", [run_id])
    names = [d[0] for d in cursor.description]
    for i, values in enumerate(cursor):
        point = dict(zip(names, values))
        point["exported"] = f"{point['platform']}:{point.pop('platform_id')}" in exported
        if point["exported"] or i % step == 0:
            points.append(point)
    return points, total


def build_export(db: sqlite_utils.Database, campaign: str, size: int, *, config=None,
                 schedule: str | None = None, compare_before: int | None = None, fmt: str | None = None
                 ) -> tuple[list[dict], list[str], ExportContext]:
    """(rows, columns, context): the shortlist's top ``size``, each with its rank change
    against the previous export (``fmt``: the format written, see previous_export), then the
    rows dropped since, all read from one snapshot of the store (a shortlist finishing
    meanwhile may prune the run read)."""
    with snapshot(db):
        return _build_export(db, campaign, size, config=config, schedule=schedule, compare_before=compare_before,
                             fmt=fmt)


def _build_export(db: sqlite_utils.Database, campaign: str, size: int, *, config, schedule: str | None,
                  compare_before: int | None, fmt: str | None) -> tuple[list[dict], list[str], ExportContext]:
    run = latest_run(db, campaign)
    if run is None:
        raise ExportError(f"campaign {campaign!r} has no shortlist yet; run `microscout shortlist {campaign}` first")
    run_id = run["id"]
    # An account that opted out, or was found gone, since the run ranked it is not exported
    # (a previous export's row for it says why it dropped).
    rows = [_row(e) for e in db.query(_PROFILE_SQL + "WHERE e.run_id = ? AND e.rank IS NOT NULL AND "
                                      f"{candidates_where(None, 'p')[0]} ORDER BY e.rank LIMIT ?", [run_id, size])]
    rule_names = _rule_names(db, run)
    before = previous_export(db, campaign, schedule, compare_before, run_id=run_id, fmt=fmt)
    ranks_before: dict[str, int] = before["ranks"] if before else {}
    kept = {row_key(r) for r in rows}
    dropped = sorted(set(ranks_before) - kept, key=ranks_before.__getitem__)
    rows += [_dropped_row(db, run_id, key, size) for key in dropped]
    spec = config.campaigns.get(campaign) if config is not None else None
    context = ExportContext(campaign=campaign, description=spec.description if spec else "", run_id=run_id,
                            generated_at=now_iso(), size=size, rules=rule_names, schedule=schedule,
                            judged=run.get("candidates") or 0,
                            ranked=(run.get("candidates") or 0) - (run.get("excluded") or 0),
                            previous={k: v for k, v in before.items() if k != "ranks"} if before else None)
    for row in rows:
        key = row_key(row)
        listed = key in kept
        row["previous_rank"] = ranks_before.get(key)
        row["status"], row["change"] = rank_change(row.get("rank") if listed else None, row["previous_rank"],
                                                   before is None)
        row.setdefault("reasons", "")
        reasons = row.pop("reason_list", [])
        verdicts = []
        if row.get("profile_id") is not None and row.get("run_id") is not None:
            stored = list(db.query("SELECT rule, outcome, score, reason, evidence FROM run_verdicts "
                                   "WHERE run_id = ? AND profile_id = ? ORDER BY rule", [run_id, row["profile_id"]]))
            for v in stored:
                v["evidence"] = loaded(v["evidence"])
            # Posts by their addresses and commenters by their handles, not by platform ids.
            names = readable(db.conn, row["profile_id"], (v["evidence"] for v in stored))
            for v in stored:
                v["reason"] = names.reason(v["reason"])
                row[f"{v['rule']}.outcome"] = v["outcome"]
                row[f"{v['rule']}.reason"] = v["reason"]
                # A spreadsheet's reader runs no command: the JSON export is where the rest is.
                verdicts.append({**v, "words": evidence_lines(names.evidence(v["evidence"]),
                                                              more="the JSON export holds all")})
            reasons = [names.reason(r) or "" for r in reasons]
            row["reasons"] = " | ".join(reasons)
            context.links[key] = names.posts
        context.reasons[key] = reasons
        context.verdicts[key] = verdicts
    context.points, context.points_total = _chart_points(db, run_id, kept)
    judged_on = [r[0] for r in db.execute("SELECT DISTINCT platform FROM shortlist_entries WHERE run_id = ? "
                                          "ORDER BY platform", [run_id])]
    context.bands = _tier_bands(config, campaign, judged_on or sorted({r["platform"] for r in rows}), rows)
    columns = ROW_COLUMNS + [f"{r}.{part}" for r in rule_names for part in ("outcome", "reason")]
    return rows, columns, context


def build_rows(db: sqlite_utils.Database, campaign: str, size: int) -> tuple[int, list[dict], list[str]]:
    """(run id, rows, columns): the shortlist's top ``size`` plus the rows dropped since last time."""
    rows, columns, context = build_export(db, campaign, size)
    return context.run_id, rows, columns


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
    reasons: dict[int | None, str] = {errno.EACCES: "permission denied", errno.EPERM: "permission denied",
               errno.EROFS: "the file system is read-only",
               errno.EEXIST: "a file is in the way of the folder",
               errno.ENOTDIR: "a file is in the way of the folder",
               errno.EISDIR: "it is a folder",
               errno.ENAMETOOLONG: f"the file name is too long (at most {NAME_MAX} bytes)"}
    reason = reasons.get(exc.errno, exc.strerror or str(exc))
    where = f" ({exc.filename})" if exc.filename and str(exc.filename) != str(path) else ""
    return ExportError(f"cannot write the export to {path}: {reason}{where}; "
                       f"choose another --out or fix the folder's permissions")


def clean_temporary_files(folder: Path, suffix: str = "") -> list[Path]:
    """Remove what exports killed mid-write left in ``folder``: temporary files of this
    host whose process is gone, and (an hour on) those of another host or of an older
    version whose target ended in ``suffix``. Returns what was removed."""
    removed: list[Path] = []
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


# The longest file name (in bytes) of Linux, macOS and Windows file systems.
NAME_MAX = 255


def _open_temporary(path: Path) -> tuple[int, Path]:
    """A new file beside ``path``, created with mode 0666 so the umask decides (mkstemp's
    0600 would keep a shared export from its readers)."""
    name = path.name
    # A target name near the 255-byte limit (a long campaign name, in a script of 3-byte
    # letters) is a file that can be written; the temporary beside it takes a shorter name.
    room = NAME_MAX - len(f"..{_host_tag()}-{os.getpid()}.{'0' * 8}.part")
    if len(os.fsencode(name)) > room:
        name = os.fsencode(name)[:room].decode("utf-8", "ignore") or "export"
    while True:
        tmp = path.parent / f".{name}.{_host_tag()}-{os.getpid()}.{secrets.token_hex(4)}.part"
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666), tmp
        except FileExistsError:
            continue


def write_atomically(path: Path, exporter: Exporter, rows: list[dict], columns: list[str],
                     context: ExportContext | None = None, *, bom: bool = True, new_name: bool = False) -> Path:
    """Write beside the target and rename: a reader never sees half a file, and a file
    already there is replaced whole or left as it was. ``bom=False`` leaves out the
    byte-order mark of an exporter that writes one. ``new_name``: never replace a file; when
    ``path`` exists (another export named it in the same second), write NAME-2.EXT, NAME-3…
    Returns the path written."""
    tmp = write_temporary(path, exporter, rows, columns, context, bom=bom)
    return put_in_place(tmp, path, new_name=new_name)


def write_temporary(path: Path, exporter: Exporter, rows: list[dict], columns: list[str],
                    context: ExportContext | None = None, *, bom: bool = True) -> Path:
    """The export written whole (and synced) to a temporary file beside ``path``, to be put
    in place by put_in_place; nothing is left behind when writing fails."""
    try:
        if path.is_dir():  # inside: a name too long raises here, not only when written
            raise ExportError(f"cannot write the export to {path}: it is a folder; pass --out with a file name")
        path.parent.mkdir(parents=True, exist_ok=True)
        clean_temporary_files(path.parent, path.suffix)
        fd, tmp = _open_temporary(path)
    except OSError as exc:
        if exc.errno in _PATH_ERRNOS:
            raise _path_problem(path, exc) from None
        raise
    try:
        out: IO[Any]
        if getattr(exporter, "binary", False):
            out = os.fdopen(fd, "wb")
        else:
            encoding = "utf-8-sig" if bom and getattr(exporter, "bom", False) else "utf-8"
            out = os.fdopen(fd, "w", encoding=encoding, newline="")
        with out:
            if getattr(exporter, "context", False):
                exporter.write(rows, columns, out, context)
            else:
                exporter.write(rows, columns, out)
            out.flush()
            os.fsync(out.fileno())
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        raise _export_problem(path, exc, exporter)
    if rows and tmp.stat().st_size == 0:
        # A write() that never wrote to its stream (wrote to a file of its own, returned the text)
        # left an empty file that was recorded as an export of every row and said "Wrote N rows".
        from microscout.engine.plugins import PluginFailed

        tmp.unlink(missing_ok=True)
        plugin = getattr(exporter, "plugin", "") or "unknown"
        raise PluginFailed(f"exporter {exporter.name} (plugin {plugin}) wrote nothing to {path} for {len(rows)} "
                           f"row{'' if len(rows) == 1 else 's'}: its write(rows, columns, stream) must write them "
                           "to the stream it is given")
    return tmp


def put_in_place(tmp: Path, path: Path, *, new_name: bool = False) -> Path:
    """Give the written temporary file its name (see write_atomically); returns that name."""
    try:
        if new_name:
            path = _link_new(tmp, path)
            tmp.unlink(missing_ok=True)  # a second name of the file, or moved already
        else:
            _keep_mode(path, tmp)
            os.replace(tmp, path)
        return path
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        raise _export_problem(path, exc)


def _keep_mode(path: Path, tmp: Path) -> None:
    """The permissions of the file an export replaces, given to the new one: a file its owner
    shared (0644) or kept to a group (0640) stays so, as an editor's save keeps it."""
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return
    os.chmod(tmp, mode)


def _export_problem(path: Path, exc: BaseException, exporter: Exporter | None = None) -> BaseException:
    """What to raise for ``exc`` met writing the export to ``path`` (with ``exporter``, if
    its own code was running)."""
    from microscout.engine.plugins import PluginFailed

    if isinstance(exc, OSError) and exc.errno in _PATH_ERRNOS:
        return _path_problem(path, exc)
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return OSError(exc.errno, exc.strerror, str(path))  # name the export, not its temporary file
    plugin = getattr(exporter, "plugin", "")
    third_party = bool(plugin) and not plugin.startswith("microscout.")
    if exporter is not None and isinstance(exc, Exception) and not isinstance(exc, OSError) and third_party:
        # A third-party exporter's bug: say whose, as a rule's error does; nothing was written.
        return PluginFailed(f"exporter {exporter.name} (plugin {plugin}) failed writing "
                            f"{path}: {type(exc).__name__}: {exc}"[:400])
    return exc


def _link_new(tmp: Path, path: Path) -> Path:
    """Give the written file ``tmp`` the first free name of path, NAME-2.EXT, NAME-3.EXT…
    A hard link fails when the name is taken, so two exports never take the same one."""
    for n in range(1, 1000):
        candidate = path if n == 1 else path.with_name(f"{path.stem}-{n}{path.suffix}")
        try:
            os.link(tmp, candidate)
            return candidate
        except FileExistsError:
            continue
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK, errno.ENOSYS):
                raise
            # A file system without hard links: the first name nothing holds yet.
            if not candidate.exists():
                os.replace(tmp, candidate)
                return candidate
    raise ExportError(f"cannot find a free name for the export beside {path}; pass --out")


STATUSES = ("new", "up", "down", "unchanged", "dropped")


def prune_exports_quietly(db: sqlite_utils.Database, campaign: str) -> None:
    """prune_exports, left to the next export when the store is busy: the file is written."""
    import sqlite3

    try:
        prune_exports(db, campaign)
    except sqlite3.Error:
        pass


def _is_sqlite(path: Path) -> bool:
    """Whether ``path`` is a regular file that starts as an SQLite database does."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return False
        with open(path, "rb") as existing:
            return existing.read(16) == b"SQLite format 3\x00"
    except OSError:
        return False


def vanished_folder(db: sqlite_utils.Database, folder: Path, key: str) -> str | None:
    """Why not to write into ``folder``: it is missing, though earlier exports were written in
    it (an unmounted network share: made again, it would take the files on the local disk,
    unseen). ``key``: what the user changes to write elsewhere. None when it is there, or
    when no export went there yet (the first export to a folder makes it). A dated folder
    (``exports/{date:%Y-%m-%d}``) is new each day: there, a missing folder that held earlier
    exports is one it would be made in (the share's own folder, unmounted with it)."""
    if os.path.lexists(folder):
        return None
    where = os.path.normpath(os.path.abspath(folder))
    missing = [where]  # the folder and its parents that are gone, up to the first one there
    while (up := os.path.dirname(missing[-1])) != missing[-1] and not os.path.lexists(up):
        missing.append(up)
    for (written,) in db.execute("SELECT path FROM exports WHERE path IS NOT NULL ORDER BY id DESC"):
        went = os.path.normpath(os.path.dirname(os.path.abspath(written)))
        held = folder if went == where else next((g for g in missing[1:] if went.startswith(g + os.sep)), None)
        if held is not None:
            return (f"{held} is missing, though earlier exports were written there (an unmounted share?); "
                    f"not made again, so that the files do not land elsewhere unseen: mount or create it, "
                    f"or {key}")
    return None


def refuse_to_overwrite(db: sqlite_utils.Database, path: Path, config=None) -> None:
    """ExportError for a target that is the store itself (or its -wal, -shm, -journal), the
    config file, or any other SQLite database: an export put in place there destroys it."""
    target = path.resolve()
    store = db.conn.execute("PRAGMA database_list").fetchone()[2]
    mine = {Path(store + suffix).resolve() for suffix in ("", "-wal", "-shm", "-journal")} if store else set()
    source = getattr(config, "source", None)
    if target in mine:
        raise ExportError(f"cannot write the export to {path}: it is the database this export reads; "
                          "choose another --out")
    for suffix in ("-wal", "-shm", "-journal"):
        # another database's companion file: it holds that database's latest writes
        if target.name.endswith(suffix) and _is_sqlite(target.with_name(target.name[:-len(suffix)])):
            raise ExportError(f"cannot write the export to {path}: it belongs to the SQLite database "
                              f"{target.name[:-len(suffix)]} beside it; choose another --out")
    if source and Path(str(source)).is_file() and target == Path(str(source)).resolve():
        raise ExportError(f"cannot write the export to {path}: it is the config file; choose another --out")
    try:
        kind = os.stat(target).st_mode
    except OSError:
        return  # no such file (or no way to look): writing it says what goes wrong
    if stat.S_ISDIR(kind):
        return  # put_in_place says "it is a folder"
    if not stat.S_ISREG(kind):
        # a pipe would block the check (and the write), /dev/stdout would be replaced by a file
        raise ExportError(f"cannot write the export to {path}: it is not a regular file (a device, pipe or "
                          "socket); choose another --out")
    if _is_sqlite(target):
        raise ExportError(f"cannot write the export to {path}: it is an SQLite database, which the export "
                          "would replace; choose another --out")


def export_shortlist(db: sqlite_utils.Database, campaign: str, size: int, exporter: Exporter,
                     path: Path, *, config=None, schedule: str | None = None, bom: bool = True,
                     compare_before: int | None = None, new_name: bool = False, prune: bool = True) -> dict:
    """Write the campaign's latest shortlist to ``path`` and record it (with each row's rank)
    for the next export to compare with. ``config`` gives the report its tier bands and
    the campaign's description (the built-in defaults without it); ``schedule`` names the
    schedule writing it, whose previous export it is compared with. ``new_name``: ``path`` is
    a name chosen for the user (default_path), so another file there is kept and the export
    takes the next free name. ``prune``: then delete the campaign's exports (and ranks) no
    later export can compare with, beyond its history (store/runs.py, prune_exports); a
    schedule writing several formats prunes once they are all written."""
    refuse_to_overwrite(db, path, config)
    interrupt_stale_runs(db)
    rows, columns, context = build_export(db, campaign, size, config=config, schedule=schedule,
                                          compare_before=compare_before, fmt=exporter.name)
    listed = [r for r in rows if r["status"] != "dropped"]
    # The file is written first, under a temporary name; then, in one transaction, the
    # record and the rename: a store that cannot be written (read-only, locked) leaves the
    # previous file in place, a file that cannot be put in place leaves no record, and the
    # write lock is held for the insert and the rename, not for writing a workbook.
    tmp = write_temporary(path, exporter, rows, columns, context, bom=bom)
    try:
        with transaction(db):
            cursor = db.execute(
                "INSERT INTO exports (campaign, shortlist_run_id, format, path, written_at, rows, keys, schedule) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [campaign, context.run_id, exporter.name, str(path), now_iso(), len(rows),
                 json.dumps([row_key(r) for r in listed]), schedule])
            export_id = cursor.lastrowid
            db.conn.executemany(
                "INSERT OR REPLACE INTO export_entries (export_id, platform, platform_id, profile_id, rank, change) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(export_id, r["platform"], r["platform_id"], r.get("profile_id"), r["rank"], r["change"])
                 for r in listed])
            written = put_in_place(tmp, path, new_name=new_name)
            if written != path:
                path = written
                db.execute("UPDATE exports SET path = ? WHERE id = ?", [str(path), export_id])
    finally:
        tmp.unlink(missing_ok=True)  # gone once put in place; left only by a failure before
    counts = {s: sum(1 for r in rows if r["status"] == s) for s in STATUSES}
    if prune:
        prune_exports_quietly(db, campaign)
    return {"path": str(path), "format": exporter.name, "campaign": campaign, "rows": len(rows),
            "run_id": context.run_id, "export_id": export_id, "schedule": schedule,
            "compared_with": context.previous["id"] if context.previous else None, **counts}
