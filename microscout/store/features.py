"""Per-post features beside the posts: written with them, refreshed when settings change.

Which settings versions are wanted is in ``feature_settings`` (per platform; the settings
the enabled rules analyse with, registered by ``db refresh-features`` and ``shortlist``).
Without a registration a platform's posts get the default SponsoredSettings' version.
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Iterable, Mapping

import sqlite_utils

from microscout.heuristics import post_features
from microscout.heuristics.sponsored import SponsoredSettings

POSTS = "posts"
BATCH = 500


@lru_cache(maxsize=64)
def _settings_of(settings_json: str) -> SponsoredSettings:
    return SponsoredSettings.model_validate_json(settings_json)


@lru_cache(maxsize=1)
def _default_json() -> str:
    return SponsoredSettings().model_dump_json()


def has_features(db: sqlite_utils.Database) -> bool:
    try:
        db.execute("SELECT 1 FROM feature_settings LIMIT 1").fetchall()
    except sqlite3.OperationalError:  # before migration 8 (a read-only open of an old store)
        return False
    return True


def wanted(db: sqlite_utils.Database, platform: str) -> dict[str, str]:
    """{version: settings JSON} the posts of ``platform`` should have features for."""
    rows = db.execute("SELECT version, settings FROM feature_settings WHERE kind = ? AND platform = ?",
                      [POSTS, platform]).fetchall()
    if rows:
        # Versions are recomputed from the settings: a changed detector gives new ones.
        return {post_features.version_of_json(s): s for _, s in rows}
    default = _default_json()
    return {post_features.version_of_json(default): default}


def register(db: sqlite_utils.Database, settings: Mapping[str, Iterable[SponsoredSettings]]) -> bool:
    """Record the settings in use per platform; True when that changed what was recorded."""
    rows = sorted({(platform, post_features.settings_version(s), s.model_dump_json())
                   for platform, group in settings.items() for s in group})
    before = sorted(db.execute("SELECT platform, version, settings FROM feature_settings WHERE kind = ?",
                               [POSTS]).fetchall())
    if before == rows:
        return False
    with db.conn:
        db.execute("DELETE FROM feature_settings WHERE kind = ?", [POSTS])
        db.conn.executemany("INSERT INTO feature_settings (kind, platform, version, settings) VALUES (?, ?, ?, ?)",
                            [(POSTS, *r) for r in rows])
    return True


def _analyses(rows: list[tuple], versions: dict[str, str]) -> list[tuple]:
    """(post_id, version, stored) for rows (id, text, hashtags JSON, paid_flag, versions present)."""
    out = []
    for post_id, text, tags, paid, present in rows:
        have = set(present.split(",")) if present else set()
        hashtags = json.loads(tags) if tags else []
        flag = None if paid is None else bool(paid)
        for version, settings_json in versions.items():
            if version not in have:
                out.append((post_id, version,
                            post_features.analyse_stored(text, hashtags, flag, _settings_of(settings_json))))
    return out


def _insert(db: sqlite_utils.Database, rows: list[tuple]) -> None:
    db.conn.executemany("INSERT OR REPLACE INTO post_features (post_id, version, analysis) VALUES (?, ?, ?)", rows)


def store_for_posts(db: sqlite_utils.Database, keys: Iterable[tuple[str, str]]) -> int:
    """Compute the missing features of just-written posts ((platform, platform_id) each), in
    the caller's transaction; returns how many were stored."""
    if not has_features(db):
        return 0
    by_platform: dict[str, list[str]] = {}
    for platform, platform_id in keys:
        by_platform.setdefault(platform, []).append(platform_id)
    stored = 0
    for platform, ids in by_platform.items():
        versions = wanted(db, platform)
        for start in range(0, len(ids), BATCH):
            chunk = ids[start:start + BATCH]
            rows = db.execute(
                "SELECT p.id, p.text, p.hashtags, p.paid_flag, (SELECT group_concat(f.version) FROM post_features f "
                f"WHERE f.post_id = p.id) FROM posts p WHERE p.platform = ? AND p.platform_id IN "
                f"({', '.join('?' * len(chunk))})", [platform, *chunk]).fetchall()
            computed = _analyses(rows, versions)
            _insert(db, computed)
            stored += len(computed)
    return stored


@dataclass
class Refresh:
    """What ``refresh`` did: features computed per version, stale rows removed."""
    computed: int = 0
    removed: int = 0
    versions: dict[str, int] = field(default_factory=dict)


def stale_count(db: sqlite_utils.Database) -> int:
    """Posts missing a wanted version, counted once per missing version."""
    if not has_features(db):
        return 0
    total = 0
    for (platform,) in db.execute("SELECT DISTINCT platform FROM posts").fetchall():
        for version in wanted(db, platform):
            total += db.execute("SELECT count(*) FROM posts p WHERE p.platform = ? AND NOT EXISTS "
                                "(SELECT 1 FROM post_features f WHERE f.post_id = p.id AND f.version = ?)",
                                [platform, version]).fetchone()[0]
    return total


def refresh(db: sqlite_utils.Database, progress: Callable[[int], None] | None = None) -> Refresh:
    """Compute every wanted feature that is missing (new settings, a changed detector, posts
    written without them) and drop rows of versions no longer wanted; a batch per transaction."""
    result = Refresh()
    if not has_features(db):
        return result
    keep: set[str] = set()
    for (platform,) in db.execute("SELECT DISTINCT platform FROM posts ORDER BY platform").fetchall():
        versions = wanted(db, platform)
        keep.update(versions)
        last = 0
        while True:
            rows = db.execute(
                "SELECT p.id, p.text, p.hashtags, p.paid_flag, (SELECT group_concat(f.version) FROM post_features f "
                "WHERE f.post_id = p.id) AS have FROM posts p WHERE p.platform = ? AND p.id > ? ORDER BY p.id LIMIT ?",
                [platform, last, BATCH * 4]).fetchall()
            if not rows:
                break
            last = rows[-1][0]
            computed = _analyses(rows, versions)
            if computed:
                with db.conn:
                    _insert(db, computed)
                result.computed += len(computed)
                for _, version, _ in computed:
                    result.versions[version] = result.versions.get(version, 0) + 1
                if progress:
                    progress(result.computed)
    with db.conn:
        marks = ", ".join("?" * len(keep))
        result.removed = db.execute(f"DELETE FROM post_features WHERE version NOT IN ({marks})" if keep
                                    else "DELETE FROM post_features", list(keep)).rowcount
    return result
