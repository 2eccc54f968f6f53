"""Checked rows -> the database, through the crawl pipeline's store functions (upsert_profiles,
add_snapshots, upsert_posts), so imported creators are judged by the same rules.

A profile row matches a stored profile of the platform by its id, else by its handle
(case-insensitive): an instaloader export of a creator the Instagram crawl already stored
updates that row instead of adding a second one. Imports are idempotent: the snapshot of a
file's numbers is keyed by the time they were observed (the file's observed_at column, else
the file's modification time), so importing the same file again changes nothing. Comments
(instaloader's _comments.json) are keyed to a stored post by its id (the shortcode) and
stored through upsert_comments, keyed by the comment's id. An empty cell (or a count an
export hides) is unknown, never a value: a stored post or reply keeps what it holds there.
"""
from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Iterator

import sqlite_utils

from microscout.crawlers.items import OptOutItem
from microscout.importers.rows import RowError
from microscout.store.writes import (
    add_snapshots,
    forget_opted_out,
    forget_traces,
    raise_last_post_at,
    upsert_comments,
    upsert_posts,
    upsert_profiles,
    utc_stamp,
)


class Importer:
    def __init__(self, db: sqlite_utils.Database, platform: str, run_id: int):
        self.db, self.platform, self.run_id = db, platform, run_id
        self.keys: dict[str, tuple[int, str]] = {}  # lower-cased id or handle -> (row id, platform_id)
        # Accounts stored as opted out: a file from another tool brings nothing more of them
        # (their rows and posts are skipped and counted, never stored beside the opt-out).
        self.opted_out: set[int] = set()
        self.skipped_opted_out: set[str] = set()
        self.skipped_posts = 0
        for rid, pid, handle, opted in db.execute(
                "SELECT id, platform_id, handle, opted_out FROM profiles WHERE platform = ?", [platform]).fetchall():
            self._remember(rid, pid, handle)
            if opted:
                self.opted_out.add(rid)
        self.profiles: set[int] = set()
        self.posts = 0
        self.comments = 0
        self.snapshots = 0
        # posts and replies stored from a later observation than the file's: they kept their counts
        self.newer_posts: set[str] = set()
        self.newer_comments: set[str] = set()

    def _remember(self, rid: int, pid: str, handle: str | None) -> None:
        self.keys[pid.lower()] = (rid, pid)
        if handle:
            self.keys.setdefault(handle.lower(), (rid, pid))

    def add_profiles(self, rows: list[dict], observed_at: str) -> None:
        """Upsert checked profile rows (one transaction: the caller's). A profile the rows list
        twice (by id or handle, in any case) is stored as rows of two batches are: its later
        row's values over the earlier's, an empty cell keeping the earlier value, in the profile
        and its snapshot; within one upsert the later row replaced the earlier whole, its values
        lost without a word. So the rows go in runs that hold each profile once."""
        run: list[dict] = []
        names: set[object] = set()
        for row in rows:
            known = self.keys.get(row["platform_id"].lower()) or self.keys.get(row["handle"].lower())
            identity = {row["platform_id"].lower(), row["handle"].lower(), *([known[0]] if known else [])}
            if identity & names:
                self._add_profiles(run, observed_at)
                run, names = [], set()
            run.append(row)
            names |= identity
        self._add_profiles(run, observed_at)

    def _add_profiles(self, rows: list[dict], observed_at: str) -> None:
        """Upsert checked profile rows that name each profile once."""
        by_key: dict[str, dict] = {}
        opting: dict[str, tuple[dict, str, tuple[int, str] | None]] = {}  # platform_id -> (row, handle, known)
        batch: dict[str, str] = {}  # lower-cased id or handle -> platform_id, of this batch's rows
        # the stored rows of the profiles this file is older than (read whole only for those:
        # a re-import of a newer file reads each profile's last_seen alone)
        seen = self._last_seen({k[0] for row in rows if (k := self.keys.get(row["platform_id"].lower())
                                                         or self.keys.get(row["handle"].lower()))})
        stored = self._stored({k[0] for row in rows if (k := self.keys.get(row["platform_id"].lower())
                                                        or self.keys.get(row["handle"].lower()))
                               and _later(seen.get(k[0]), row.get("observed_at") or observed_at)})
        for row in rows:
            known = self.keys.get(row["platform_id"].lower()) or self.keys.get(row["handle"].lower())
            if known:
                row["platform_id"] = known[1]
                if known[0] in self.opted_out:
                    self.skipped_opted_out.add(known[1])
                    continue
            else:  # a profile the batch listed already, spelt in another case: the same one
                row["platform_id"] = (batch.get(row["platform_id"].lower()) or batch.get(row["handle"].lower())
                                      or row["platform_id"])
            batch.setdefault(row["platform_id"].lower(), row["platform_id"])
            batch.setdefault(row["handle"].lower(), row["platform_id"])
            stamp = row.pop("observed_at", None) or observed_at
            # a cell the file leaves empty keeps what is stored (a crawl's bio, say)
            full = {k: v for k, v in row.items() if v is not None}
            current = stored.get(known[0]) if known else None
            reason = self._opt_out_in(row)
            if reason and not (current is not None and _later(current["last_seen"], stamp)):
                # the bio asks what a crawl honours (#nobot): only the opt-out is stored, as a
                # crawl stores it (an older file's bio is history, the stored profile newer)
                optout = OptOutItem(platform=self.platform, platform_id=row["platform_id"], opt_out_reason=reason)
                opting[row["platform_id"]] = ({**optout.row(), "last_seen": stamp, "crawl_run_id": self.run_id},
                                              row["handle"], known)
                continue
            if current is not None and _later(current["last_seen"], stamp):
                # an export older than what is stored (last month's file imported after this
                # month's, or after a crawl): its numbers are history, its snapshot kept; the
                # profile's current values stay, but for what is not known yet
                full = {k: v for k, v in full.items() if k in ("platform", "platform_id") or current.get(k) is None}
                full.update(handle=current["handle"], last_seen=stamp)
            else:
                full.update(last_seen=stamp, crawl_run_id=self.run_id)
            by_key[row["platform_id"]] = {**full, "_counts": row}
        if opting:
            self._add_opt_outs(opting)
        if not by_key:
            return
        counts = {k: r.pop("_counts") for k, r in by_key.items()}
        for r in by_key.values():
            # what _fetched would add to a new profile, written with it: one UPDATE (and its
            # triggers) less for each; a stored profile keeps its own list, merged below
            r["fetched"] = FETCHED_PROFILE
        ids = upsert_profiles(self.db, list(by_key.values()), keep=("fetched",))
        snapshots = []
        for pid, row in by_key.items():
            rid = ids[(self.platform, pid)]
            self._remember(rid, pid, row.get("handle"))
            self.profiles.add(rid)
            given = counts[pid]
            snapshots.append({"profile_id": rid, "observed_at": row["last_seen"], "followers": given.get("followers"),
                              "following": given.get("following"), "posts_count": given.get("posts_count"),
                              "crawl_run_id": self.run_id})
        # an empty count keeps what a row of the same profile and time stored (listed twice in a file)
        self.snapshots += add_snapshots(self.db, snapshots, keep_known=True)
        self._fetched({ids[(self.platform, pid)] for pid in by_key}, "profile")

    def _opt_out_in(self, row: dict) -> str | None:
        """Why a file's profile row is an opt-out, as a crawl reads it: on Mastodon, #nobot or
        #noindex in the bio (the flags a crawl reads, noindex and the like, no export carries)."""
        if self.platform != "mastodon":
            return None
        from microscout.crawlers.parse_mastodon import no_bots_in

        return no_bots_in(row.get("bio"))

    def _add_opt_outs(self, opting: dict[str, tuple[dict, str, tuple[int, str] | None]]) -> None:
        """Store these accounts as a crawl stores an opt-out (the id and the reason), and erase
        what the store held of them: everything, when they were stored before; what they left on
        other creators' pages (replies, follower rows), when they are new."""
        ids = upsert_profiles(self.db, [row for row, _, _ in opting.values()])
        before: list[int] = []
        new: list[int] = []
        for pid, (_, handle, known) in opting.items():
            rid = ids[(self.platform, pid)]
            (before if known else new).append(rid)
            self._remember(rid, pid, handle)
            self.opted_out.add(rid)
            self.skipped_opted_out.add(pid)
        forget_opted_out(self.db, before)
        forget_traces(self.db, new)

    def _stored(self, ids: set[int]) -> dict[int, dict]:
        """The stored profiles' rows, by row id."""
        found: dict[int, dict] = {}
        for cursor in self._select("*", ids):
            names = [d[0] for d in cursor.description]
            for values in cursor.fetchall():
                row = dict(zip(names, values))
                found[row["id"]] = row
        return found

    def _last_seen(self, ids: set[int]) -> dict[int, str | None]:
        """The stored profiles' last_seen, by row id."""
        return {rid: seen for cursor in self._select("id, last_seen", ids) for rid, seen in cursor.fetchall()}

    def _select(self, columns: str, ids: set[int]) -> Iterator[sqlite3.Cursor]:
        """``columns`` of the profiles ``ids``, 500 a query."""
        listed = sorted(ids)
        for start in range(0, len(listed), 500):
            chunk = listed[start:start + 500]
            yield self.db.execute(f"SELECT {columns} FROM profiles WHERE id IN ({', '.join('?' * len(chunk))})",
                                  chunk)

    def owner(self, row: dict) -> int:
        for key in (row.get("profile"), row.get("profile_alt")):
            if key and key.lstrip("@").lower() in self.keys:
                return self.keys[key.lstrip("@").lower()][0]
        raise RowError(f"no {self.platform} profile {row.get('profile')!r}: import its profile first (or in the "
                       "same command)")

    def add_posts(self, rows: list[dict], observed_at: str) -> None:
        """Upsert checked post rows whose owner was resolved (row["profile_id"]). Their counts
        were observed at the row's observed_at, else ``observed_at`` (the file's): a post the
        store holds from a later observation (a crawl after the file was saved) keeps its
        counts, text and tags, and takes from the row only what it lacks."""
        kept = [r for r in rows if r["profile_id"] not in self.opted_out]
        self.skipped_posts += len(rows) - len(kept)
        rows = kept
        if not rows:
            return
        for row in rows:
            row["observed_at"] = utc_stamp(row.get("observed_at") or observed_at)
            for column in POST_GIVEN:
                if column in row and row[column] is None:
                    del row[column]  # unknown here: a stored post keeps its own
        self._caption_new_posts(rows)
        self.newer_posts |= self._newer("posts", rows)
        self.posts += upsert_posts(self.db, rows)
        newest: dict[int, str] = {}
        for row in rows:
            if row["profile_id"] not in newest or row["created_at"] > newest[row["profile_id"]]:
                newest[row["profile_id"]] = row["created_at"]
        raise_last_post_at(self.db, newest, set(newest))
        self._fetched(set(newest), "posts")

    def _caption_new_posts(self, rows: list[dict]) -> None:
        """A row without a caption (post_row leaves it out) keeps a stored post's; a post not
        stored yet is stored with none ('', as a crawl stores a post without text)."""
        bare = [r for r in rows if "text" not in r]
        if not bare:
            return
        stored = {pid for (pid,) in self.db.execute(
            "SELECT platform_id FROM posts WHERE platform = ? AND platform_id IN (SELECT value FROM json_each(?))",
            [self.platform, json.dumps([r["platform_id"] for r in bare])]).fetchall()}
        for row in bare:
            if row["platform_id"] not in stored:
                row.update(text="", hashtags=[], mentions=[])

    def post_owner(self, post_id: str) -> int | None:
        """The profile row id of the stored post ``post_id`` of the platform, None when none is stored."""
        row = self.db.execute("SELECT profile_id FROM posts WHERE platform = ? AND platform_id = ?",
                              [self.platform, post_id]).fetchone()
        return row[0] if row else None

    def add_comments(self, rows: list[dict], profile_id: int, post_id: str, observed_at: str) -> None:
        """Upsert comment rows (comments-table columns) answering the post ``post_id`` of
        ``profile_id``, observed at ``observed_at`` (a reply stored from a later observation
        keeps its likes and text, as a post keeps its counts)."""
        if not rows or profile_id in self.opted_out:
            return
        stamp = utc_stamp(observed_at)
        rows = [{**{k: v for k, v in row.items() if v is not None or k not in COMMENT_GIVEN},
                 "platform": self.platform, "profile_id": profile_id, "post_platform_id": post_id,
                 "observed_at": stamp} for row in rows]
        self.newer_comments |= self._newer("comments", rows)
        self.comments += upsert_comments(self.db, rows)
        self._fetched({profile_id}, "comments")

    def _newer(self, table: str, rows: list[dict]) -> set[str]:
        """The platform ids of the rows whose stored post or reply (``table``) was observed
        after the row: what keeps its newer counts."""
        stored = dict(self.db.execute(
            f"SELECT platform_id, observed_at FROM {table} WHERE platform = ? AND observed_at IS NOT NULL "
            "AND platform_id IN (SELECT value FROM json_each(?))",
            [self.platform, json.dumps([r["platform_id"] for r in rows])]).fetchall())
        return {r["platform_id"] for r in rows
                if (seen := stored.get(r["platform_id"])) is not None and seen > r["observed_at"]}

    def _fetched(self, ids: set[int], kind: str) -> None:
        """Add ``kind`` to the profiles' fetched list: what the rules may take as known."""
        stored = {rid: current for cursor in self._select("id, fetched", ids)  # 500 a query, not one each
                  for rid, current in cursor.fetchall()}
        changed = []
        for rid in ids:
            try:
                kinds = list(json.loads(stored[rid] or "[]"))
            except ValueError:
                kinds = []
            if kind not in kinds:
                changed.append((json.dumps([*kinds, kind]), rid))
        self.db.conn.executemany("UPDATE profiles SET fetched = ? WHERE id = ?", changed)


FETCHED_PROFILE = json.dumps(["profile"])  # as _fetched writes it
# Columns an imported post or reply may not know (an empty cell, a hidden count): a row that
# leaves one empty leaves it out, so the stored row keeps its own; a new row stores NULL.
POST_GIVEN = ("url", "likes", "replies", "reposts", "views", "paid_flag")
COMMENT_GIVEN = ("likes", "author_followers", "created_at", "author_id", "author_handle")


def _later(stored: str | None, stamp: str) -> bool:
    """Whether ``stored`` (a profile's last_seen) is later than ``stamp`` (a row's observed_at)."""
    try:
        return stored is not None and datetime.fromisoformat(stored) > datetime.fromisoformat(stamp)
    except (TypeError, ValueError):
        return False
