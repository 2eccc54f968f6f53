"""Per-item features beside the items: written with them, refreshed when settings change.

An item's feature depends on the item alone and on the settings that shaped it: a post's
sponsored analysis (post_features) and its terms of a campaign (niche_features), a
comment's class (comment_features), a sampled follower's class (follower_features). Each distinct
setting in use is a version, recorded per platform in ``feature_settings`` (registered by
``db refresh-features`` and ``shortlist``); without a registration a platform's items get
the default settings' version.
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from functools import cache, lru_cache, partial
from typing import Callable, Iterable, Mapping

import sqlite_utils
from pydantic import BaseModel

from microscout.store.transaction import snapshot, transaction

BATCH = 500


@dataclass(frozen=True)
class Kind:
    """One kind of stored feature: where its items and features live and how it is computed."""

    name: str  # feature_settings.kind
    table: str  # the features' table: (*item, version, *values)
    item: tuple[str, ...]  # its columns naming the item, equal to ``item_sql`` of the item
    values: tuple[str, ...]  # its columns holding the feature
    source: str  # the items' table (alias i in ``inputs``)
    inputs: str  # the item columns the feature is computed from, as SQL
    settings: Callable[[], type[BaseModel]]  # the settings model (loaded on use)
    version_of_json: Callable[[str], str]
    compute: Callable[[tuple, BaseModel], tuple[str | None, ...]]  # (inputs, settings) -> stored values
    # The same for many items at once: rows (*item, *inputs, version) and {version: settings}
    # -> (*item, version, *values). Its imports and look-ups are made once per batch, not per
    # item (they cost as much as a follower's class).
    compute_rows: Callable[[list[tuple], Mapping[str, BaseModel]], list[tuple]]
    item_sql: tuple[str, ...] = ("i.id",)
    order_sql: str = "i.id"  # an integer key of the items, to page through them
    platform_sql: str = "i.platform"  # the item's platform
    by_default: bool = True  # without a registration, the default settings' version is wanted
    # The least platform {op} ? that has items: one index seek, so listing the platforms
    # does not read every item.
    next_platform_sql: str = ""

    def next_platform(self, op: str) -> str:
        sql = self.next_platform_sql or f"SELECT min(i.platform) FROM {self.source} i WHERE i.platform {{op}} ?"
        return sql.format(op=op)


def _post_settings() -> type[BaseModel]:
    from microscout.heuristics.sponsored import SponsoredSettings

    return SponsoredSettings


def _post_version(settings_json: str) -> str:
    from microscout.heuristics import post_features

    return post_features.version_of_json(settings_json)


def _hashtags(stored: str | None) -> list[str]:
    """A post's hashtags column as the store loads it."""
    return json.loads(stored) if stored else []


def _post_columns(text: str | None, tags: str | None, paid: int | None) -> tuple[str | None, list[str], bool | None]:
    """A post's text, hashtags and paid flag columns as the store loads them."""
    return text, _hashtags(tags), None if paid is None else bool(paid)


def _post_feature(inputs: tuple, settings: BaseModel) -> tuple[str | None]:
    from microscout.heuristics import post_features

    return (post_features.analyse_stored(*_post_columns(*inputs), settings),)  # type: ignore[arg-type]


def _post_rows(rows: list[tuple], settings: Mapping[str, BaseModel]) -> list[tuple]:
    from microscout.heuristics.post_features import analyse_stored

    return [(post_id, version, analyse_stored(*_post_columns(text, tags, paid), settings[version]))  # type: ignore[arg-type]
            for post_id, text, tags, paid, version in rows]


def _comment_settings() -> type[BaseModel]:
    from microscout.heuristics.comments import CommentThresholds

    return CommentThresholds


def _comment_version(settings_json: str) -> str:
    from microscout.heuristics import comment_features

    return comment_features.version_of_json(settings_json)


def _comment_feature(inputs: tuple, settings: BaseModel) -> tuple[str, str | None]:
    from microscout.heuristics import comment_features

    return comment_features.stored(inputs[0], settings)  # type: ignore[arg-type]


def _comment_rows(rows: list[tuple], settings: Mapping[str, BaseModel]) -> list[tuple]:
    from microscout.heuristics.comment_features import stored

    return [(comment_id, version, *stored(text, settings[version]))  # type: ignore[arg-type]
            for comment_id, text, version in rows]


def _niche_settings() -> type[BaseModel]:
    from microscout.heuristics.niche import NicheTerms

    return NicheTerms


def _niche_version(settings_json: str) -> str:
    from microscout.heuristics import niche

    return niche.version_of_json(settings_json)


def _niche_feature(inputs: tuple, settings: BaseModel) -> tuple[str | None]:
    from microscout.heuristics import niche

    text, tags = inputs
    return (niche.terms_stored(text, _hashtags(tags), settings),)  # type: ignore[arg-type]


def _niche_rows(rows: list[tuple], settings: Mapping[str, BaseModel]) -> list[tuple]:
    from microscout.heuristics.niche import terms_stored

    return [(post_id, version, terms_stored(text, _hashtags(tags), settings[version]))  # type: ignore[arg-type]
            for post_id, text, tags, version in rows]


def _follower_settings() -> type[BaseModel]:
    from microscout.heuristics.accounts import AccountThresholds

    return AccountThresholds


def _follower_version(settings_json: str) -> str:
    from microscout.heuristics import follower_features

    return follower_features.version_of_json(settings_json)


def _follower_feature(inputs: tuple, settings: BaseModel) -> tuple[str, str | None]:
    from microscout.heuristics import follower_features

    return follower_features.stored(follower_features.Inputs.from_row(*inputs), settings)  # type: ignore[arg-type]


def _follower_rows(rows: list[tuple], settings: Mapping[str, BaseModel]) -> list[tuple]:
    from microscout.heuristics.follower_features import Inputs, storer

    from_row = Inputs.from_row
    store = {version: storer(s) for version, s in settings.items()}  # type: ignore[arg-type]
    return [(profile_id, platform_id, version, *store[version](from_row(handle, followers, following, posts, avatar,
                                                                         bio, bot)))
            for profile_id, platform_id, handle, followers, following, posts, avatar, bio, bot, version in rows]


POSTS = Kind("posts", "post_features", ("post_id",), ("analysis",), "posts", "i.text, i.hashtags, i.paid_flag",
             _post_settings, _post_version, _post_feature, _post_rows)
# A comment's and a follower's detail: what a verdict shows of it as an example (matched
# text and reasons), stored for those not genuine or real, the few a verdict may show.
COMMENTS = Kind("comments", "comment_features", ("comment_id",), ("label", "detail"), "comments", "i.text",
                _comment_settings, _comment_version, _comment_feature, _comment_rows)
# A post's terms of a campaign: only for the campaigns that judge niche relevance (registered).
NICHE = Kind("niche", "niche_features", ("post_id",), ("terms",), "posts", "i.text, i.hashtags",
             _niche_settings, _niche_version, _niche_feature, _niche_rows, by_default=False)
# A sampled follower is a row of its candidate's sample, named by (profile_id, platform_id)
# as in follower_samples, so a candidate's classes are one range of follower_features; it
# has no platform but its candidate's.
FOLLOWERS = Kind("followers", "follower_features", ("profile_id", "platform_id"), ("label", "detail"),
                 "follower_samples",
                 "i.handle, i.followers, i.following, i.posts_count, i.has_avatar, i.bio, i.bot",
                 _follower_settings, _follower_version, _follower_feature, _follower_rows,
                 item_sql=("i.profile_id", "i.platform_id"), order_sql="i.rowid",
                 platform_sql="(SELECT p.platform FROM profiles p WHERE p.id = i.profile_id)",
                 next_platform_sql="SELECT min(p.platform) FROM profiles p WHERE p.platform {op} ? "
                                   "AND EXISTS (SELECT 1 FROM follower_samples i WHERE i.profile_id = p.id)")
KINDS = (POSTS, NICHE, COMMENTS, FOLLOWERS)
KIND = {kind.name: kind for kind in KINDS}


@lru_cache(maxsize=64)
def _settings_of(model: type[BaseModel], settings_json: str) -> BaseModel:
    return model.model_validate_json(settings_json)


def has_features(db: sqlite_utils.Database, kind: Kind = POSTS) -> bool:
    """The store has the tables of this kind (a read-only open of an old store may not)."""
    try:
        db.execute(f"SELECT 1 FROM {kind.table}, feature_settings LIMIT 0").fetchall()  # prepared, not run
    except sqlite3.OperationalError:
        return False
    return True


def wanted(db: sqlite_utils.Database, platform: str, kind: Kind = POSTS) -> dict[str, str]:
    """{version: settings JSON} the items of ``platform`` should have features for."""
    return dict(_wanted_of(db, kind, platform)(platform))


def _wanted_of(db: sqlite_utils.Database, kind: Kind, platform: str | None = None) -> Callable[[str], dict[str, str]]:
    """``wanted`` of any platform (or of ``platform`` only), from one read of the settings.
    The dicts it gives are shared: not to be changed."""
    sql = "SELECT platform, settings FROM feature_settings WHERE kind = ?"
    registered: dict[str, dict[str, str]] = {}
    for name, settings_json in db.execute(sql + " AND platform = ?" if platform is not None else sql,
                                          [kind.name] if platform is None else [kind.name, platform]).fetchall():
        # Versions are recomputed from the settings: a changed detector gives new ones.
        registered.setdefault(name, {})[kind.version_of_json(settings_json)] = settings_json
    default = {kind.version_of_json(_default_json(kind)): _default_json(kind)} if kind.by_default else {}
    return lambda name: registered.get(name, default)


@lru_cache(maxsize=8)
def _default_json(kind: Kind) -> str:
    return kind.settings()().model_dump_json()


def register(db: sqlite_utils.Database, settings: Mapping[str, Iterable[BaseModel]], kind: Kind = POSTS) -> bool:
    """Record the settings in use per platform; True when that changed what was recorded."""
    rows = sorted({(platform, kind.version_of_json(s.model_dump_json()), s.model_dump_json())
                   for platform, group in settings.items() for s in group})
    before = sorted(db.execute("SELECT platform, version, settings FROM feature_settings WHERE kind = ?",
                               [kind.name]).fetchall())
    if before == rows:
        return False
    with transaction(db):
        db.execute("DELETE FROM feature_settings WHERE kind = ?", [kind.name])
        db.conn.executemany("INSERT INTO feature_settings (kind, platform, version, settings) VALUES (?, ?, ?, ?)",
                            [(kind.name, *r) for r in rows])
    return True


def _computed(kind: Kind, rows: list[tuple], versions: dict[str, str]) -> list[tuple]:
    """(*item, version, *values) for rows (order key, *item, *inputs, versions present) missing a version."""
    lacking = []
    for row in rows:
        have = row[-1].split(",") if row[-1] else ()
        lacking += [(*row[1:-1], version) for version in versions if version not in have]
    model = kind.settings()
    return kind.compute_rows(lacking, {version: _settings_of(model, s) for version, s in versions.items()})


def _select(kind: Kind, where: str, also: str = "") -> str:
    """Rows (order key, *item, *inputs, versions present[, *also]) of the items ``where`` holds."""
    same = " AND ".join(f"f.{col} = {sql}" for col, sql in zip(kind.item, kind.item_sql))
    return (f"SELECT {kind.order_sql}, {', '.join(kind.item_sql)}, {kind.inputs}, (SELECT group_concat(f.version) "
            f"FROM {kind.table} f WHERE {same}){', ' + also if also else ''} FROM {kind.source} i WHERE {where}")


def _lacking(kind: Kind, where: str) -> str:
    """Rows (*item, *inputs, version) of the items ``where`` holds, one for each version they
    lack of those in a JSON list (the first parameter)."""
    same = " AND ".join(f"f.{col} = {sql}" for col, sql in zip(kind.item, kind.item_sql))
    # The versions are the outer loop: read once, not once per item.
    return (f"SELECT {', '.join(kind.item_sql)}, {kind.inputs}, v.value FROM json_each(?) v CROSS JOIN {kind.source} i "
            f"WHERE {where} AND NOT EXISTS (SELECT 1 FROM {kind.table} f WHERE {same} AND f.version = v.value)")


def _insert(db: sqlite_utils.Database, kind: Kind, rows: list[tuple], verb: str = "INSERT OR REPLACE") -> None:
    columns = (*kind.item, "version", *kind.values)
    db.conn.executemany(f"{verb} INTO {kind.table} ({', '.join(columns)}) "
                        f"VALUES ({', '.join('?' * len(columns))})", rows)


def _store_lacking(db: sqlite_utils.Database, kind: Kind,
                   groups: Iterable[tuple[dict[str, str], str, list]]) -> int:
    """Compute and store the versions items lack: ``groups`` of (the versions wanted, the
    items as a WHERE clause of ``_lacking``, its parameters), one INSERT for them all."""
    model = kind.settings()
    rows: list[tuple] = []
    settings: dict[str, BaseModel] = {}
    for versions, where, parameters in groups:
        if not versions:  # none registered for this kind (a campaign's niche terms): nothing to read back
            continue
        rows += db.execute(_lacking(kind, where), [json.dumps(list(versions)), *parameters]).fetchall()
        # A version is a hash of its settings: the same whichever platform wants it.
        settings.update((version, _settings_of(model, s)) for version, s in versions.items())
    if not rows:
        return 0
    computed = kind.compute_rows(rows, settings)
    # Found lacking in this transaction, which holds the write lock: nothing to replace, and a
    # plain INSERT costs a sixth less than INSERT OR REPLACE here.
    _insert(db, kind, computed, "INSERT")
    return len(computed)


def store_for(db: sqlite_utils.Database, keys: Iterable[tuple[str, str]], kind: Kind = POSTS) -> int:
    """Compute the missing features of just-written items ((platform, platform_id) each), in
    the caller's transaction; returns how many were stored."""
    if not has_features(db, kind):
        return 0
    keys = list(keys)
    wanted_of = _wanted_of(db, kind)
    stored = 0
    for start in range(0, len(keys), BATCH):
        by_platform: dict[str, list[str]] = {}
        for platform, platform_id in keys[start:start + BATCH]:
            by_platform.setdefault(platform, []).append(platform_id)
        stored += _store_lacking(db, kind, [
            (wanted_of(platform), f"i.platform = ? AND i.platform_id IN ({', '.join('?' * len(ids))})",
             [platform, *ids]) for platform, ids in by_platform.items()])
    return stored


def store_for_profiles(db: sqlite_utils.Database, profile_ids: Iterable[int], kind: Kind) -> int:
    """Compute the missing features of the items of these profiles (just written), in the
    caller's transaction; returns how many were stored."""
    if not has_features(db, kind):
        return 0
    ids = sorted(set(profile_ids))
    wanted_of = _wanted_of(db, kind)
    stored = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        platforms = dict(db.execute(f"SELECT id, platform FROM profiles WHERE id IN ({', '.join('?' * len(chunk))})",
                                    chunk).fetchall())
        by_platform: dict[str, list[int]] = {}
        for i in chunk:
            if i in platforms:
                by_platform.setdefault(platforms[i], []).append(i)
        stored += _store_lacking(db, kind, [
            (wanted_of(platform), f"i.profile_id IN ({', '.join('?' * len(mine))})", mine)
            for platform, mine in sorted(by_platform.items())])
    return stored


def store_for_posts(db: sqlite_utils.Database, keys: Iterable[tuple[str, str]]) -> int:
    """The sponsored analyses and the campaigns' niche terms of just-written posts."""
    keys = list(keys)
    return store_for(db, keys, POSTS) + store_for(db, keys, NICHE)


def store_for_comments(db: sqlite_utils.Database, keys: Iterable[tuple[str, str]]) -> int:
    return store_for(db, keys, COMMENTS)


@dataclass
class Refresh:
    """What ``refresh`` did: features computed per version, stale rows removed."""
    computed: int = 0
    removed: int = 0
    versions: dict[str, int] = field(default_factory=dict)


def stale_count(db: sqlite_utils.Database) -> int:
    """Items missing a wanted version, counted once per missing version, over every kind.

    When it finds none and no row of a version no longer wanted, it marks the store settled
    (``feature_marks``): until an item is written or a feature row deleted, or the wanted
    versions change, the next check reads that mark instead of counting."""
    # Counts of items and of feature rows are compared, each a statement: a crawl
    # committing between two (new items with their rows) could make them match while
    # another item still misses one. One snapshot sees a single moment.
    with snapshot(db):
        now = _state_now(db)
        if _marked_settled(db, now):
            return 0
        stale, clean = 0, True
        for kind in KINDS:
            if has_features(db, kind):
                missing, only_wanted = _check(db, kind)
                stale += missing
                clean = clean and only_wanted
    if not stale and clean:
        _mark_settled(db, now)
    return stale


def _stale_of(db: sqlite_utils.Database, kind: Kind, rows_of: Callable[[str], int] | None = None) -> int:
    """``rows_of(version)``: how many feature rows of that version there are (counted here
    when not given)."""
    if rows_of is None:
        rows_of = partial(_rows_of, db, kind)
    wanted_by: dict[str, list[str]] = {}
    for platform in _platforms(db, kind):
        for version in wanted(db, platform, kind):
            wanted_by.setdefault(version, []).append(platform)
    if not wanted_by:
        return 0
    # A feature row names an existing item (items are upserted, never replaced, and triggers
    # drop the rows of a changed or deleted item) once per version (the key): as many rows of
    # a version as items means every item has it. Counting both is a pass over an index
    # instead of a lookup per item.
    items = db.execute(f"SELECT count(*) FROM {kind.source}").fetchone()[0]
    stale = 0
    for version, platforms in wanted_by.items():
        if rows_of(version) != items:
            # Some are missing, or the items of platforms not wanting it lack it: look each
            # item of the platforms wanting it up.
            stale += sum(_missing(db, kind, platform, version) for platform in platforms)
    return stale


def _rows_of(db: sqlite_utils.Database, kind: Kind, version: str) -> int:
    return db.execute(f"SELECT count(*) FROM {kind.table} WHERE version = ?", [version]).fetchone()[0]


def _platforms(db: sqlite_utils.Database, kind: Kind) -> list[str]:
    """The platforms that have items of this kind."""
    found: list[str] = []
    # Every text is >= '' (a platform column has text affinity): the first seek misses none.
    while (platform := db.execute(kind.next_platform(">" if found else ">="),
                                  [found[-1] if found else ""]).fetchone()[0]) is not None:
        found.append(platform)
    return found


def _missing(db: sqlite_utils.Database, kind: Kind, platform: str, version: str) -> int:
    """The items of ``platform`` without a feature row of ``version``."""
    same = " AND ".join(f"f.{col} = {sql}" for col, sql in zip(kind.item, kind.item_sql))
    return db.execute(f"SELECT count(*) FROM {kind.source} i WHERE {kind.platform_sql} = ? AND NOT "
                      f"EXISTS (SELECT 1 FROM {kind.table} f WHERE {same} AND f.version = ?)",
                      [platform, version]).fetchone()[0]


def refresh(db: sqlite_utils.Database, progress: Callable[[int], None] | None = None) -> Refresh:
    """Compute every wanted feature that is missing (new settings, a changed detector, items
    written without them) and drop rows of versions no longer wanted; a batch per transaction."""
    result = Refresh()
    with snapshot(db):
        now = _state_now(db)
        if _marked_settled(db, now):
            return result
    refreshed = False
    for kind in KINDS:
        if has_features(db, kind) and not _settled(db, kind):
            if not refreshed:
                # Rows about to be computed are of versions a state marked before may not
                # want (a detector's code changed, then changed back): it no longer holds.
                _mark_settled(db, None, forget=True)
            _refresh_kind(db, kind, result, progress)
            refreshed = True
    if not refreshed:
        # Read before the checks: anything written since moved a counter on, so the mark
        # does not hold for it.
        _mark_settled(db, now)
    return result


def _settled(db: sqlite_utils.Database, kind: Kind) -> bool:
    """Nothing to refresh of this kind: every item has every wanted version and no row is of
    a version no longer wanted."""
    with snapshot(db):  # one moment, as stale_count
        missing, only_wanted = _check(db, kind)
    return not missing and only_wanted


def _check(db: sqlite_utils.Database, kind: Kind) -> tuple[int, bool]:
    """(items missing a wanted version, whether every row is of a wanted version). Counting
    is a pass over an index; the refresh's own pass reads every item (minutes at 100,000
    profiles)."""
    rows_of = cache(partial(_rows_of, db, kind))  # each version counted once, here and by _stale_of
    missing = _stale_of(db, kind, rows_of)
    if missing:
        return missing, False
    keep = {version for platform in _platforms(db, kind) for version in wanted(db, platform, kind)}
    rows = db.execute(f"SELECT count(*) FROM {kind.table}").fetchone()[0]
    return 0, rows == sum(rows_of(version) for version in keep)


# The settled mark (migration m016). Every write of an item moves data_version on, every
# deleted feature row feature_marks.deleted; with the wanted versions, they make the state
# a check found settled. Recorded as read before that check, so a write during it leaves
# the mark not holding.

def _state_now(db: sqlite_utils.Database) -> str | None:
    """The store's state as the mark records it; None for a store without the mark."""
    try:
        counters = db.execute("SELECT (SELECT version FROM data_version WHERE id = 1), deleted "
                              "FROM feature_marks WHERE id = 1").fetchone()
    except sqlite3.OperationalError:  # a read-only open of a store older than m016
        return None
    if counters is None:
        return None
    # The versions are recomputed from the settings, as wanted() does: a changed detector
    # changes the state. Which platforms have items changes only with a write.
    wanted_now = sorted((kind, platform, KIND[kind].version_of_json(settings)) for kind, platform, settings in
                        db.execute("SELECT kind, platform, settings FROM feature_settings").fetchall()
                        if kind in KIND)
    defaults = sorted((kind.name, kind.version_of_json(_default_json(kind))) for kind in KINDS if kind.by_default)
    return json.dumps([list(counters), wanted_now, defaults])


def _marked_settled(db: sqlite_utils.Database, now: str | None) -> bool:
    return now is not None and db.execute("SELECT settled FROM feature_marks WHERE id = 1").fetchone()[0] == now


def _mark_settled(db: sqlite_utils.Database, state: str | None, forget: bool = False) -> None:
    """Record ``state`` as settled (or, ``forget``, that none is). Only a shortcut: never
    inside a caller's transaction (leaving the block would commit it), and a store that
    cannot be written now (read-only, or locked past the busy timeout) is counted next time."""
    if (state is None and not forget) or db.conn.in_transaction:
        return
    try:
        with transaction(db):
            db.execute("UPDATE feature_marks SET settled = ? WHERE id = 1", [state])
    except sqlite3.OperationalError:
        pass


def _refresh_kind(db: sqlite_utils.Database, kind: Kind, result: Refresh,
                  progress: Callable[[int], None] | None) -> None:
    # One pass over the items in key order, whatever their platform: paging within a
    # platform would let SQLite pick the (platform, platform_id) index and sort the whole
    # platform again for every page.
    keep: set[str] = set()
    versions_of: dict[str, dict[str, str]] = {}
    page = _select(kind, f"{kind.order_sql} > ? ORDER BY {kind.order_sql} LIMIT ?", also=kind.platform_sql)
    last = 0
    while True:
        rows = db.execute(page, [last, BATCH * 4]).fetchall()
        if not rows:
            break
        last = rows[-1][0]
        by_platform: dict[str, list[tuple]] = {}
        for row in rows:
            by_platform.setdefault(row[-1], []).append(row[:-1])
        computed = []
        for platform, group in by_platform.items():
            if platform not in versions_of:
                versions_of[platform] = wanted(db, platform, kind)
                keep.update(versions_of[platform])
            computed += _computed(kind, group, versions_of[platform])
        if computed:
            with transaction(db):
                _insert(db, kind, computed)
            result.computed += len(computed)
            at = len(kind.item)
            for row in computed:
                result.versions[row[at]] = result.versions.get(row[at], 0) + 1
            if progress:
                progress(result.computed)
    with transaction(db):
        marks = ", ".join("?" * len(keep))
        result.removed += db.execute(f"DELETE FROM {kind.table} WHERE version NOT IN ({marks})" if keep
                                     else f"DELETE FROM {kind.table}", list(keep)).rowcount
