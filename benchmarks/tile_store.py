"""Grow a generated store N-fold by copying its candidates under new ids (issue #12's 1,000,000 run).

`microscout sandbox generate` writes about 80 profiles a second with two workers here, so a
1,000,000-profile store would take ~3.5 hours. The shortlist benchmark at that size measures
how judging scales (B-tree depth, pages read from disk, memory, linear growth), which does
not need ten times as many distinct texts: this script copies a generated store's data
N - 1 times, each copy under new row ids and platform ids, in SQL (minutes, not hours).

Each copy k (1 .. N-1) of a row:
- row ids (profiles, posts, comments) move up by k times the source's largest id, and every
  column that refers to them (profile_id, post_id, comment_id) moves with them;
- platform ids (profiles, posts, comments, a comment's post_platform_id) get the prefix
  "~k~" (k in three digits); a comment's author_id does too where it is its creator's
  platform id, so a creator's own replies stay theirs; handles and every text stay as they
  were. A prefix, not a suffix: "~" sorts after every id a platform gives, so each copy's
  keys go to the right end of the (platform, platform_id) indexes instead of beside every
  original key (suffixed, copies slowed from 11 to 28 s each by the fifty-fifth, as the
  indexes outgrew the page cache).
So every copy of a candidate is judged exactly as the original (the same outcomes and
scores; evidence quotes the prefixed ids), which the test checks on a small store.

Copied: profiles, profile_snapshots, posts, comments, follower_samples and the stored
features beside them (post_features, niche_features, comment_features, follower_features),
and profile_versions. The source must hold no shortlist run, export or schedule run, must
not be tiled already, and no other program may have it open (its WAL is written back into
it first). Triggers are dropped while copying and put back as they were; the journal is
off while copying (a crash leaves OUT.part, never OUT). SQLite's temporary space must
hold the largest table of the source once (each copy reads it into a temporary table).

    python benchmarks/tile_store.py --src /tmp/scale/store-10000.db --times 100 \\
        --out /tmp/scale/store-1000000.db [--move]

Tile a source that stays in the page cache (the 10,000 store, 0.65 GB: 7-10 s a copy here).
Every copy reads the source again, and a source's tables lie scattered over its file: once
it no longer fits beside what is being written (the 100,000 store, 6.6 GB, ten-fold: 2 min
a copy at first, 8 min by the seventh), each copy reads it at random from the disk.

--move renames SRC to OUT first instead of copying it (no second copy on disk; SRC is gone).
"""
from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import sys
import time
from pathlib import Path

# Per table: the columns a copy changes, as SQL over the source row (alias s); {k} is the copy
# number, {P}, {Q}, {C} the source's largest profile, post and comment ids.
PREFIX = "printf('~%03d~', {k}) ||"
TILED: dict[str, dict[str, str]] = {
    "profiles": {"id": "s.id + {k} * {P}", "platform_id": f"{PREFIX} s.platform_id"},
    "profile_snapshots": {"profile_id": "s.profile_id + {k} * {P}"},
    "posts": {"id": "s.id + {k} * {Q}", "platform_id": f"{PREFIX} s.platform_id",
              "profile_id": "s.profile_id + {k} * {P}"},
    "comments": {"id": "s.id + {k} * {C}", "platform_id": f"{PREFIX} s.platform_id",
                 "profile_id": "s.profile_id + {k} * {P}",
                 "post_platform_id": f"{PREFIX} s.post_platform_id",
                 "author_id": "CASE WHEN s.author_id = (SELECT platform_id FROM profiles WHERE id = s.profile_id) "
                              f"THEN {PREFIX} s.author_id ELSE s.author_id END"},
    "follower_samples": {"profile_id": "s.profile_id + {k} * {P}"},
    "post_features": {"post_id": "s.post_id + {k} * {Q}"},
    "niche_features": {"post_id": "s.post_id + {k} * {Q}"},
    "comment_features": {"comment_id": "s.comment_id + {k} * {C}"},
    "follower_features": {"profile_id": "s.profile_id + {k} * {P}"},
    "profile_versions": {"profile_id": "s.profile_id + {k} * {P}"},
}
# The column that says a row belongs to the source (at most the source's largest id), in
# insertion order: rows go in by ascending key, so tables grow at their right end.
SOURCE_KEY = {"profiles": ("id", "P"), "profile_snapshots": ("profile_id", "P"), "posts": ("id", "Q"),
              "comments": ("id", "C"), "follower_samples": ("profile_id", "P"), "post_features": ("post_id", "Q"),
              "niche_features": ("post_id", "Q"), "comment_features": ("comment_id", "C"),
              "follower_features": ("profile_id", "P"), "profile_versions": ("profile_id", "P")}
MUST_BE_EMPTY = ("shortlist_runs", "verdicts", "shortlist_entries", "exports", "schedule_runs")


class BadInput(Exception):
    """Wrong arguments or a store this cannot tile: one line, exit 2."""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]


def refuse(conn: sqlite3.Connection) -> None:
    """BadInput unless the store is one this can tile: a generated store, not judged, not tiled."""
    present = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "profiles" not in present:
        raise BadInput("not a microscout store (no profiles table)")
    for table in MUST_BE_EMPTY:
        if table in present and conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone():
            raise BadInput(f"the store holds {table} rows; tile a store fresh from `sandbox generate` "
                           f"(and `db refresh-features`)")
    if conn.execute("SELECT 1 FROM profiles WHERE platform_id GLOB '~[0-9][0-9][0-9]~*' LIMIT 1").fetchone():
        raise BadInput("the store is tiled already (its platform ids carry a ~NNN~ prefix); tile the generated one")


def tile(conn: sqlite3.Connection, times: int) -> dict[str, int]:
    """Copy the store's data times - 1 times in this connection; rows per table after."""
    refuse(conn)
    present = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    bounds = {"P": "SELECT max(id) FROM profiles", "Q": "SELECT max(id) FROM posts",
              "C": "SELECT max(id) FROM comments"}
    size = {name: conn.execute(sql).fetchone()[0] or 0 for name, sql in bounds.items()}
    if not size["P"]:
        raise BadInput("the store holds no profile")
    before = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TILED if t in present}
    triggers = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
    for name, _ in triggers:
        conn.execute(f'DROP TRIGGER "{name}"')
    # Rows each copy inserted, checked against the source's: counting the grown tables again
    # would read a 65 GB store at random (minutes of disk at 1,000,000 profiles).
    after = dict(before)
    for k in range(1, times):
        t = time.perf_counter()
        for table, changed in TILED.items():
            if table not in present:
                continue
            names = columns(conn, table)
            exprs = [changed.get(c, f"s.{c}").format(k=k, **size) for c in names]
            key, bound = SOURCE_KEY[table]
            after[table] += conn.execute(
                f"INSERT INTO {table} ({', '.join(names)}) SELECT {', '.join(exprs)} FROM {table} s "
                f"WHERE s.{key} <= {size[bound]} ORDER BY s.{key}").rowcount
        conn.commit()
        log(f"copy {k} of {times - 1}: {time.perf_counter() - t:,.0f} s")
    for _, sql in triggers:
        conn.execute(sql)
    if "data_version" in present:
        # The copies are writes no trigger saw: moving the change counter on keeps any state
        # recorded of the source (feature_marks' settled one) from holding for the grown store.
        conn.execute("UPDATE data_version SET version = version + 1 WHERE id = 1")
    conn.commit()
    wrong = [f"{t}: {after[t]:,} rows, not {times} x {before[t]:,}" for t in before if after[t] != times * before[t]]
    if wrong:
        raise RuntimeError("; ".join(wrong))
    return after


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", type=Path, required=True, help="a store written by `microscout sandbox generate`")
    parser.add_argument("--times", type=int, required=True, help="how many copies in all, the source included (2+)")
    parser.add_argument("--out", type=Path, required=True, help="the grown store (must not exist)")
    parser.add_argument("--move", action="store_true", help="rename SRC to OUT instead of copying it")
    parser.add_argument("--cache-mb", type=int, default=4000, help="SQLite page cache while copying (default 4000)")
    args = parser.parse_args(argv)
    if not 2 <= args.times <= 1000:
        raise BadInput(f"--times {args.times}: give 2 to 1000 (copies are numbered in three digits)")
    if not args.src.is_file():
        raise BadInput(f"--src {args.src}: no such file")
    part = Path(f"{args.out}.part")
    for path in (args.out, *(Path(f"{p}{suffix}") for p in (args.out, part) for suffix in ("", "-wal", "-shm"))):
        # A stale -wal beside OUT would be replayed onto the new store; a .part may be a moved source.
        if path.exists():
            raise BadInput(f"{path} already exists; remove it (or choose another --out)")
    probe = sqlite3.connect(args.src)
    try:
        refuse(probe)
        # Everything into the main file before it is copied or moved; a reader elsewhere would keep
        # part of the WAL back, and those writes would be lost.
        busy, logged, written = probe.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    except sqlite3.DatabaseError as e:
        raise BadInput(f"--src {args.src}: cannot read it as a store ({e})") from None
    finally:
        probe.close()
    if busy or logged not in (-1, written) or Path(f"{args.src}-wal").exists() and \
            Path(f"{args.src}-wal").stat().st_size:
        raise BadInput(f"--src {args.src}: another program has it open (its WAL could not be written back); "
                       f"close it and run again")
    t = time.perf_counter()
    if args.move:
        os.replace(args.src, part)
        Path(f"{args.src}-wal").unlink(missing_ok=True)
        Path(f"{args.src}-shm").unlink(missing_ok=True)
    else:
        shutil.copyfile(args.src, part)
    conn = sqlite3.connect(part, isolation_level="DEFERRED")
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute(f"PRAGMA cache_size=-{args.cache_mb * 1000}")
    try:
        rows = tile(conn, args.times)
    except BaseException:
        conn.close()
        log(f"stopped; {part} is incomplete" + (f" (and it is what --src {args.src} was)" if args.move else ""))
        raise
    conn.execute("PRAGMA journal_mode=WAL")
    conn.close()
    with open(part, "rb+") as f:  # synchronous=OFF wrote without syncing: on disk before it is OUT
        os.fsync(f.fileno())
    os.replace(part, args.out)
    log(f"{args.out}: {', '.join(f'{n:,} {t}' for t, n in rows.items())} "
        f"in {time.perf_counter() - t:,.0f} s ({args.out.stat().st_size / 1e9:,.1f} GB)")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BadInput as e:
        print(f"tile_store.py: {e}", file=sys.stderr)
        sys.exit(2)
    except (RuntimeError, OSError, sqlite3.Error) as e:  # a full disk, say: one line, not a traceback
        print(f"tile_store.py: {e}", file=sys.stderr)
        sys.exit(1)
