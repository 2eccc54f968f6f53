"""Idempotent batch writes: a re-crawl updates rows, never duplicates them.

Callers pass plain dicts (crawler items, generated rows) and own the transaction:
``with transaction(db): upsert_profiles(db, rows)`` (store.transaction).
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from itertools import chain
from operator import itemgetter
from typing import Any, Iterable

import sqlite_utils

from microscout import jsontext

JSON_COLUMNS = {"hashtags", "mentions", "links", "fetched"}
_to_json = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps(v, ensure_ascii=False), built once
# the function that encoder applies to each string of a list (C when available)
_encode_str = json.encoder.c_encode_basestring or json.encoder.py_encode_basestring  # type: ignore[attr-defined]
# values sqlite3 stores as they are; a row with any other type goes through _cell cell by cell
PLAIN_TYPES = frozenset({str, int, float, bool, bytes, type(None)})


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _json_list(value: Any) -> str:
    """``_to_json(list(value))`` for a non-empty list column: a list of strings (tags, links,
    what was fetched) joined here, as the encoder would join it, without its Python-level
    set-up per call; anything else through the encoder."""
    items = list(value)
    for v in items:
        if type(v) is not str:
            return _to_json(items)
    return "[" + ", ".join(map(_encode_str, items)) + "]"


def _cell(column: str, value: Any) -> Any:
    if column in JSON_COLUMNS and not isinstance(value, str):
        return _json_list(value) if value else "[]"
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def utc_stamp(value: str) -> str:
    """An ISO time as the store compares observation times in SQL: UTC, to the second
    (``2026-10-01T12:00:00+00:00``); a time without a zone is taken as UTC. A value that is
    no ISO time is returned as it is."""
    try:
        stamp = datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    except (TypeError, ValueError):
        return value
    stamp = stamp if stamp.tzinfo else stamp.replace(tzinfo=timezone.utc)
    return stamp.astimezone(timezone.utc).isoformat(timespec="seconds")


def upsert(db: sqlite_utils.Database, table: str, rows: Iterable[dict], conflict: tuple[str, ...],
           keep: tuple[str, ...] = (), merge: dict[str, str] | None = None, stamp: str | None = None,
           blank: dict[str, str] | None = None) -> int:
    """INSERT … ON CONFLICT DO UPDATE for rows grouped by their key sets.

    Columns in ``keep`` are written on insert only; a column in ``merge`` is updated to its
    SQL expression there (of the stored row's columns and ``excluded.*``).

    ``stamp``: the column saying when a row's values were observed (utc_stamp's form). A row
    observed before the stored one only fills what the stored row lacks (NULL, or the SQL
    value ``blank`` gives for the column: ``''`` for a text) and changes nothing else; when
    it fills nothing, the stored row is not touched at all (no trigger fires). A row observed
    at the same time or later, or with no time, or a stored row of unknown time: the row's
    values replace the stored ones, as without ``stamp``. A group of rows without the column
    writes values of unknown time: the stored time becomes NULL.
    """
    merge = merge or {}
    # Rows are grouped by their sorted column names and the groups written in that order
    # (a column a row lacks is left as stored); the order of a row's keys is looked up once
    # per distinct order, not sorted per row.
    rows = rows if isinstance(rows, list) else list(rows)
    groups: dict[tuple[str, ...], list[dict]] = {}
    sorted_keys: dict[tuple[str, ...], tuple[str, ...]] = {}
    orders = set(map(tuple, rows))
    if len(orders) == 1:  # the usual batch: every row has the same keys in the same order, one group
        (order,) = orders
        groups[tuple(sorted(order))] = rows
        rows = []
    for r in rows:
        order = tuple(r)
        columns = sorted_keys.get(order)
        if columns is None:
            columns = sorted_keys[order] = tuple(sorted(order))
        group = groups.get(columns)
        if group is None:
            groups[columns] = [r]
        else:
            group.append(r)
    count = 0
    for columns in sorted(groups):
        group = groups[columns]
        updates = [c for c in columns if c not in conflict and c not in keep]
        if stamp and updates:
            action = _newer_wins(table, updates, merge, stamp, blank or {})
        else:
            action = ("DO UPDATE SET " + ", ".join(f"{c}={merge.get(c, f'excluded.{c}')}" for c in updates)
                      if updates else "DO NOTHING")
        sql = (f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "
               f"ON CONFLICT ({', '.join(conflict)}) {action}")
        db.conn.executemany(sql, _values(columns, group))
        count += len(group)
    return count


def _newer_wins(table: str, updates: list[str], merge: dict[str, str], stamp: str, blank: dict[str, str]) -> str:
    """The DO UPDATE of ``upsert``'s ``stamp``: see there."""
    if stamp not in updates:  # values of unknown time replace the stored ones: their time is unknown now
        return "DO UPDATE SET " + ", ".join([*(f"{c}={merge.get(c, f'excluded.{c}')}" for c in updates),
                                             f"{stamp}=NULL"])
    older = f"{table}.{stamp} > excluded.{stamp}"  # NULL (not older) when either time is unknown

    def empty(side: str, column: str) -> str:
        value = blank.get(column)
        return f"{side}.{column} IS NULL" if value is None else f"coalesce({side}.{column}, {value}) = {value}"

    fills = {c: f"({empty(table, c)} AND NOT {empty('excluded', c)})" for c in updates if c != stamp}
    sets = [f"{c}={merge[c]}" if c in merge else
            f"{c}=CASE WHEN {older} AND NOT {fills[c]} THEN {table}.{c} ELSE excluded.{c} END" for c in fills]
    sets.append(f"{stamp}=CASE WHEN {older} THEN {table}.{stamp} ELSE excluded.{stamp} END")
    return f"DO UPDATE SET {', '.join(sets)} WHERE (NOT coalesce({older}, 0)) OR {' OR '.join(fills.values()) or '0'}"


def _values(columns: tuple[str, ...], rows: list[dict]) -> list[tuple]:
    """The rows' parameter tuples, each cell as _cell makes it (JSON columns encoded; any
    type sqlite3 does not store as it is sends the group cell by cell through _cell)."""
    get = itemgetter(*columns)
    values = list(map(get, rows)) if len(columns) > 1 else [(v,) for v in map(get, rows)]
    json_at = [i for i, c in enumerate(columns) if c in JSON_COLUMNS]
    if json_at:
        for n, t in enumerate(values):
            fixed = None
            for i in json_at:
                v = t[i]
                if not isinstance(v, str):
                    if fixed is None:
                        fixed = list(t)
                    fixed[i] = _json_list(v) if v else "[]"
            if fixed is not None:
                values[n] = tuple(fixed)
    if set(map(type, chain.from_iterable(values))) - PLAIN_TYPES:  # datetimes, say
        values = [tuple(_cell(c, r[c]) for c in columns) for r in rows]
    return values


# first_seen only ever moves back and last_seen forward, so first_seen <= last_seen holds
# whatever order crawls write in (a resumed older run after a newer one, say); the stored
# last_seen in first_seen's min() also repairs rows written when first_seen was the write
# time and last_seen the (earlier) start of the crawl.
SEEN = {
    "first_seen": "min(coalesce(profiles.first_seen, excluded.first_seen), "
                  "coalesce(profiles.last_seen, excluded.first_seen), excluded.first_seen)",
    "last_seen": "max(coalesce(profiles.last_seen, excluded.last_seen), excluded.last_seen)",
}


def upsert_profiles(db: sqlite_utils.Database, rows: list[dict],
                    keep: tuple[str, ...] = ()) -> dict[tuple[str, str], int]:
    """Upsert profiles; return {(platform, platform_id): id} for the rows given.

    A row's last_seen is when it was observed (a crawl passes its start time); first_seen
    defaults to the same moment, so a profile first seen now has first_seen == last_seen.
    Columns in ``keep`` are written for new profiles only (upsert's ``keep``).
    """
    stamp = now_iso()
    for row in rows:
        row.setdefault("last_seen", stamp)
        row.setdefault("first_seen", row["last_seen"])
    adopt_imported(db, rows)
    upsert(db, "profiles", rows, ("platform", "platform_id"), keep=keep, merge=SEEN)
    return profile_ids(db, [(r["platform"], r["platform_id"]) for r in rows])


def adopt_imported(db: sqlite_utils.Database, rows: list[dict]) -> None:
    """Give a profile imported by its handle (its platform_id is that handle: a file had no
    platform id) the id a crawl now brings for the same handle, so the crawl updates that row
    instead of adding the creator a second time. (An import finds crawled rows by handle the
    same way: importers/store.py.)"""
    keyed = {(r["platform"], r["platform_id"]): r for r in rows
             if r.get("handle") and _handle_key(r["handle"]) != r["platform_id"].lower()}
    if not keyed:
        return
    new = set(keyed) - set(profile_ids(db, list(keyed)))
    for platform in {p for p, _ in new}:
        wanted = {_handle_key(keyed[(p, i)]["handle"]): i for p, i in new if p == platform}
        handles = list(wanted)
        for start in range(0, len(handles), 500):
            chunk = handles[start:start + 500]
            found = db.execute(
                "SELECT id, handle FROM profiles WHERE platform = ? AND lower(platform_id) = lower(handle) "
                f"AND lower(handle) IN ({', '.join('?' * len(chunk))})", [platform, *chunk]).fetchall()
            for pid, handle in found:
                db.conn.execute("UPDATE profiles SET platform_id = ? WHERE id = ?", [wanted[_handle_key(handle)], pid])


def _handle_key(handle: str) -> str:
    return handle.strip().lstrip("@").lower()


def raise_last_post_at(db: sqlite_utils.Database, newest: dict[int, str], derived: set[int]) -> None:
    """Fill profiles.last_post_at from the newest post fetched: where it is unknown, and for
    the profiles in ``derived`` (whose platform gives no such field) also where it is older."""
    for pid, stamp in newest.items():
        if pid in derived:
            db.conn.execute("UPDATE profiles SET last_post_at = ? WHERE id = ? "
                            "AND (last_post_at IS NULL OR last_post_at < ?)", [stamp, pid, stamp])
        else:
            db.conn.execute("UPDATE profiles SET last_post_at = ? WHERE id = ? AND last_post_at IS NULL",
                            [stamp, pid])


def profile_ids(db: sqlite_utils.Database, keys: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
    found: dict[tuple[str, str], int] = {}
    for platform in {p for p, _ in keys}:
        ids = [i for p, i in keys if p == platform]
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            sql = (f"SELECT id, platform_id FROM profiles WHERE platform = ? "
                   f"AND platform_id IN ({', '.join('?' * len(chunk))})")
            for pid, platform_id in db.execute(sql, [platform, *chunk]).fetchall():
                found[(platform, platform_id)] = pid
    return found


def add_snapshots(db: sqlite_utils.Database, rows: list[dict], keep_known: bool = False) -> int:
    """Upsert snapshots by (profile_id, observed_at); ``keep_known``: an empty count keeps what
    a snapshot of the same profile and time holds (an import's profile listed twice in a file)."""
    merge = {c: f"COALESCE(excluded.{c}, {c})" for c in ("followers", "following", "posts_count")} if keep_known \
        else None
    return upsert(db, "profile_snapshots", rows, ("profile_id", "observed_at"), merge=merge)


# What a post or reply leaves empty when it has none (a crawl stores an empty caption as ''):
# an older observation may fill these, as it fills a NULL count.
POST_BLANKS = {"text": "''", "hashtags": "'[]'", "mentions": "'[]'", "links": "'[]'"}
COMMENT_BLANKS = {"text": "''"}


def upsert_posts(db: sqlite_utils.Database, rows: list[dict]) -> int:
    """Upsert posts and store the features of those new or changed (post_features), so
    shortlisting reads each post's sponsored analysis instead of redoing it.

    A row's ``observed_at`` (utc_stamp's form) is when its counts were observed: a row
    observed before the stored post (an old export imported after a crawl) adds a post the
    store lacks and fills what the stored one leaves empty, but its counts, text and tags do
    not replace the newer ones (upsert's ``stamp``)."""
    from microscout.store.features import store_for_posts

    count = upsert(db, "posts", rows, ("platform", "platform_id"), stamp="observed_at", blank=POST_BLANKS)
    store_for_posts(db, [(r["platform"], r["platform_id"]) for r in rows])
    return count


def upsert_comments(db: sqlite_utils.Database, rows: list[dict]) -> int:
    """Upsert comments and store the class of those new or changed (comment_features); none
    written by an account stored as opted out. ``observed_at`` as for upsert_posts: an older
    row fills what the stored reply lacks, never replaces its newer likes or text."""
    from microscout.store.features import store_for_comments

    opted = opted_out_ids(db, {r["author_id"] for r in rows if r.get("author_id")})
    if opted:
        rows = [r for r in rows if (r["platform"], r.get("author_id")) not in opted]
    count = upsert(db, "comments", rows, ("platform", "platform_id"), stamp="observed_at", blank=COMMENT_BLANKS)
    store_for_comments(db, [(r["platform"], r["platform_id"]) for r in rows])
    return count


def upsert_followers(db: sqlite_utils.Database, rows: list[dict]) -> int:
    """Upsert sampled followers and store the class of those new or changed (follower_features);
    no account stored as opted out is kept as anyone's follower."""
    from microscout.store.features import FOLLOWERS, store_for_profiles

    opted = opted_out_ids(db, {r["platform_id"] for r in rows})
    if opted:  # rare: only then is each sampling profile's platform looked up
        platforms = dict(db.execute(
            "SELECT id, platform FROM profiles WHERE id IN (SELECT value FROM json_each(?))",
            [json.dumps(sorted({r["profile_id"] for r in rows}))]).fetchall())
        rows = [r for r in rows if (platforms.get(r["profile_id"]), r["platform_id"]) not in opted]
    count = upsert(db, "follower_samples", rows, ("profile_id", "platform_id"))
    store_for_profiles(db, [r["profile_id"] for r in rows], FOLLOWERS)
    return count


def opted_out_ids(db: sqlite_utils.Database, platform_ids: set[str]) -> set[tuple[str, str]]:
    """(platform, platform_id) of the accounts with these platform ids that the store holds as
    opted out: one look-up each in the small index of opted-out accounts (m020), as every
    page of replies and followers a crawl writes asks."""
    if not platform_ids:
        return set()
    return set(db.execute("SELECT platform, platform_id FROM profiles WHERE opted_out = 1 AND platform_id IN "
                          "(SELECT value FROM json_each(?))", [json.dumps(list(platform_ids))]).fetchall())


def opted_out_before(db: sqlite_utils.Database, keys: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """{(platform, platform_id): opted_out} of the stored ones among these accounts."""
    found: dict[tuple[str, str], int] = {}
    for platform, ids in _by_platform(keys).items():
        found.update(((platform, i), o) for i, o in db.execute(
            "SELECT platform_id, opted_out FROM profiles WHERE platform = ? AND platform_id IN "
            "(SELECT value FROM json_each(?))", [platform, json.dumps(ids)]).fetchall())
    return found


_BY_RUN = "run_id IN (SELECT id FROM shortlist_runs)"


def forget_opted_out(db: sqlite_utils.Database, profile_ids: list[int]) -> None:
    """What the store holds of accounts that opted out since an earlier crawl, erased: their
    posts, replies, follower sample and snapshots, and what shortlists said of them (a verdict's
    reason and evidence quote their posts and counts; an entry holds their handle and numbers).
    Those verdict and entry rows stay, emptied, so a kept run's other rows are unchanged.
    What they left on other creators' pages goes too: the replies they wrote (and the verdicts'
    examples quoting them, their name among pod regulars) and their rows in follower samples."""
    if not profile_ids:
        return
    forget_traces(db, profile_ids)
    for start in range(0, len(profile_ids), 500):
        chunk = profile_ids[start:start + 500]
        marks = ", ".join("?" * len(chunk))
        for table in ("posts", "comments", "follower_samples", "profile_snapshots"):
            db.conn.execute(f"DELETE FROM {table} WHERE profile_id IN ({marks})", chunk)
        # By run first (each table's key begins with run_id): a look-up per run, not a scan of every run's rows
        db.conn.execute(f"UPDATE verdicts SET reason = 'opted out', evidence = NULL WHERE {_BY_RUN} "
                        f"AND profile_id IN ({marks})", chunk)
        db.conn.execute(f"UPDATE shortlist_entries SET handle = '', tier = NULL, followers = NULL, "
                        f"engagement_rate = NULL, reasons = NULL WHERE {_BY_RUN} AND profile_id IN ({marks})", chunk)


# Platforms whose "no such account" is no proof of one gone: Instagram answers the same for a
# personal or private account, and TikTok's accounts are asked for by a username a rename frees.
NOT_FOUND_IS_NO_PROOF = ("instagram", "tiktok")


def mark_gone(db: sqlite_utils.Database, platform: str, outcomes: dict[str, str], observed_at: str) -> list[str]:
    """Mark gone since ``observed_at`` the stored accounts a crawl asked for by their platform id
    (``--known`` asks by it: a Mastodon acct, a Bluesky DID, a YouTube channel id) and the
    platform said do not exist (a handle's outcome ``not_found``); kept, but no longer a
    candidate, until a crawl stores the account again (the pipeline clears the mark). A
    handle that does not resolve is no proof: the account may have been renamed. Returns the
    handles of the accounts newly marked gone."""
    if platform in NOT_FOUND_IS_NO_PROOF:
        return []
    # moved or suspended (Mastodon; taken down on Bluesky): the account is there, but no creator any more
    gone = [asked for asked, outcome in outcomes.items() if outcome in ("not_found", "moved", "suspended")]
    newly: list[str] = []
    for asked in gone:
        where = "platform = ? AND platform_id = ? AND opted_out = 0 AND gone_since IS NULL"
        found = db.execute(f"SELECT handle FROM profiles WHERE {where}", [platform, asked]).fetchall()
        if found:
            db.execute(f"UPDATE profiles SET gone_since = ? WHERE {where}", [observed_at, platform, asked])
            newly += [row[0] for row in found]
    return newly


def forget_traces(db: sqlite_utils.Database, profile_ids: list[int]) -> None:
    """The replies these opted-out accounts wrote under other creators' posts and their rows
    in other creators' follower samples, deleted; the verdicts that named them or quoted those
    replies keep their other evidence."""
    if not profile_ids:
        return
    accounts = db.execute("SELECT platform, platform_id FROM profiles WHERE id IN (SELECT value FROM json_each(?))",
                          [json.dumps(sorted(profile_ids))]).fetchall()
    for platform, ids in _by_platform(accounts).items():
        names = json.dumps(ids)
        # By the accounts' ids first (m021's indexes): the cost of an opt-out does not grow with the store.
        replies = db.execute("SELECT c.rowid, c.profile_id, c.platform_id FROM json_each(?) a CROSS JOIN comments c "
                             "ON c.author_id = a.value AND c.platform = ?", [names, platform]).fetchall()
        sampled = db.execute("SELECT f.rowid, f.profile_id FROM json_each(?) a CROSS JOIN follower_samples f "
                             "ON f.platform_id = a.value CROSS JOIN profiles p ON p.id = f.profile_id "
                             "WHERE p.platform = ?", [names, platform]).fetchall()
        if not replies and not sampled:
            continue
        db.conn.execute("DELETE FROM comments WHERE rowid IN (SELECT value FROM json_each(?))",
                        [json.dumps([r[0] for r in replies])])
        db.conn.execute("DELETE FROM follower_samples WHERE rowid IN (SELECT value FROM json_each(?))",
                        [json.dumps([r[0] for r in sampled])])
        _scrub_evidence(db, {r[1] for r in [*replies, *sampled]}, set(ids), {cid for _, _, cid in replies})


def _by_platform(keys: list[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for platform, platform_id in keys:
        out.setdefault(platform, []).append(platform_id)
    return out


def _scrub_evidence(db: sqlite_utils.Database, owners: set[int], people: set[str], comment_ids: set[str]) -> None:
    """Take these people's ids out of the lists in the verdicts of ``owners`` (pod regulars),
    and the entries that quote their replies (examples by comment id)."""
    def scrub(value):
        if isinstance(value, dict):
            return {k: scrub(v) for k, v in value.items()}
        if isinstance(value, list):
            return [scrub(v) for v in value
                    if not (isinstance(v, str) and v in people)
                    and not (isinstance(v, dict) and (v.get("id") in comment_ids or v.get("author_id") in people
                                                      or v.get("platform_id") in people))]
        return value

    rows = db.execute(f"SELECT rowid, evidence FROM verdicts WHERE evidence IS NOT NULL AND {_BY_RUN} AND "
                      "profile_id IN (SELECT value FROM json_each(?))", [json.dumps(sorted(owners))]).fetchall()
    for rowid, evidence in rows:
        if not any(name in evidence for name in (*people, *comment_ids)):
            continue
        try:
            loaded = json.loads(evidence)
        except ValueError:
            continue
        cleaned = scrub(loaded)
        if cleaned != loaded:
            db.conn.execute("UPDATE verdicts SET evidence = ? WHERE rowid = ?", [jsontext.dumps(cleaned), rowid])
