"""Schema changes, each a named migration in sqlite-utils' own Migrations set "microscout".

sqlite-utils runs each pending migration in a transaction together with its record in the
``_sqlite_migrations`` table, so a failed migration leaves nothing half-done. Databases made
before this set existed recorded their migrations in ``_migrations``; ``migrate`` carries
those records over once (nothing is re-run) and drops the old table.
"""
from __future__ import annotations

import contextlib
import json
import os
import threading
from pathlib import Path
from typing import Iterator

import sqlite_utils
from sqlite_utils.migrations import Migrations

MIGRATION_SET = "microscout"
MIGRATIONS_TABLE = Migrations.migrations_table  # "_sqlite_migrations", shared with other sets
LEGACY_TABLE = "_migrations"

migrations = Migrations(MIGRATION_SET)


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    _run(db,
        """
        CREATE TABLE profiles (
            id INTEGER PRIMARY KEY,
            platform TEXT NOT NULL,
            platform_id TEXT NOT NULL,          -- acct user@domain on Mastodon, DID on Bluesky
            handle TEXT NOT NULL,
            display_name TEXT, bio TEXT, url TEXT,
            has_avatar INTEGER,
            followers INTEGER, following INTEGER, posts_count INTEGER,  -- NULL = hidden, not 0
            created_at TEXT, last_post_at TEXT,
            bot INTEGER DEFAULT 0,
            instance TEXT,                      -- the server the numbers came from
            api_id TEXT,                        -- that server's own id for the account
            bridged INTEGER DEFAULT 0,
            collections_hidden INTEGER DEFAULT 0,
            opted_out INTEGER DEFAULT 0,
            opt_out_reason TEXT,
            prefilter_reason TEXT,              -- why the crawl fetched nothing more
            fetched TEXT DEFAULT '[]',          -- kinds of data the crawl fetched (JSON)
            first_seen TEXT, last_seen TEXT,
            crawl_run_id INTEGER,
            UNIQUE (platform, platform_id)
        );
        CREATE INDEX profiles_handle ON profiles (handle);

        CREATE TABLE profile_snapshots (
            profile_id INTEGER NOT NULL REFERENCES profiles(id),
            observed_at TEXT NOT NULL,
            followers INTEGER, following INTEGER, posts_count INTEGER,
            crawl_run_id INTEGER,
            PRIMARY KEY (profile_id, observed_at)
        );

        CREATE TABLE posts (
            id INTEGER PRIMARY KEY,
            platform TEXT NOT NULL,
            platform_id TEXT NOT NULL,
            profile_id INTEGER NOT NULL REFERENCES profiles(id),
            created_at TEXT NOT NULL,
            text TEXT, url TEXT,
            hashtags TEXT DEFAULT '[]', mentions TEXT DEFAULT '[]', links TEXT DEFAULT '[]',
            likes INTEGER, replies INTEGER, reposts INTEGER, quotes INTEGER, views INTEGER,
            paid_flag INTEGER,                  -- the platform's own paid-partnership flag
            is_reply INTEGER DEFAULT 0,
            language TEXT,
            UNIQUE (platform, platform_id)
        );
        CREATE INDEX posts_profile ON posts (profile_id, created_at);

        CREATE TABLE comments (
            id INTEGER PRIMARY KEY,
            platform TEXT NOT NULL,
            platform_id TEXT NOT NULL,
            profile_id INTEGER NOT NULL REFERENCES profiles(id),  -- whose post it answers
            post_platform_id TEXT NOT NULL,
            author_id TEXT, author_handle TEXT,
            text TEXT, created_at TEXT, likes INTEGER, author_followers INTEGER,
            UNIQUE (platform, platform_id)
        );
        CREATE INDEX comments_profile ON comments (profile_id);

        CREATE TABLE follower_samples (
            profile_id INTEGER NOT NULL REFERENCES profiles(id),
            platform_id TEXT NOT NULL,
            handle TEXT, display_name TEXT, bio TEXT,
            has_avatar INTEGER,
            followers INTEGER, following INTEGER, posts_count INTEGER,
            created_at TEXT, last_post_at TEXT,
            sampled_at TEXT,
            PRIMARY KEY (profile_id, platform_id)
        );

        CREATE TABLE crawl_runs (
            id INTEGER PRIMARY KEY,
            platform TEXT, arguments TEXT,
            started_at TEXT, finished_at TEXT,
            status TEXT,                        -- running, finished, interrupted, failed
            requests INTEGER DEFAULT 0, items INTEGER DEFAULT 0,
            profiles INTEGER DEFAULT 0, posts INTEGER DEFAULT 0,
            errors TEXT DEFAULT '{}',           -- counts by kind (JSON)
            rate_limit_waits INTEGER DEFAULT 0,
            duration REAL, stats TEXT, jobdir TEXT
        );

        CREATE TABLE shortlist_runs (
            id INTEGER PRIMARY KEY,
            campaign TEXT NOT NULL,
            started_at TEXT, finished_at TEXT,
            status TEXT,
            candidates INTEGER DEFAULT 0, excluded INTEGER DEFAULT 0, errors INTEGER DEFAULT 0,
            settings TEXT                       -- rules, options and formulas used (JSON)
        );

        CREATE TABLE verdicts (
            run_id INTEGER NOT NULL REFERENCES shortlist_runs(id),
            profile_id INTEGER NOT NULL,
            rule TEXT NOT NULL,
            outcome TEXT NOT NULL, score REAL, reason TEXT, evidence TEXT,
            PRIMARY KEY (run_id, profile_id, rule)
        );

        CREATE TABLE shortlist_entries (
            run_id INTEGER NOT NULL REFERENCES shortlist_runs(id),
            profile_id INTEGER NOT NULL,
            platform TEXT, handle TEXT, tier TEXT, followers INTEGER,
            engagement_rate REAL,
            score REAL,
            rank INTEGER,                       -- NULL when excluded
            excluded_by TEXT,
            reasons TEXT,                       -- the two that weighed most (JSON)
            PRIMARY KEY (run_id, profile_id)
        );
        CREATE INDEX shortlist_entries_rank ON shortlist_entries (run_id, rank);

        CREATE TABLE exports (
            id INTEGER PRIMARY KEY,
            campaign TEXT NOT NULL,
            shortlist_run_id INTEGER,
            format TEXT, path TEXT, written_at TEXT,
            rows INTEGER,
            keys TEXT                           -- platform:platform_id of each exported row (JSON)
        );
        """
    )


@migrations()
def m002_follower_bot_flag(db: sqlite_utils.Database) -> None:
    # The platform's own automated-account flag, read by the follower classifier (issue #7).
    _run(db, "ALTER TABLE follower_samples ADD COLUMN bot INTEGER")


@migrations()
def m003_shortlist_run_owner(db: sqlite_utils.Database) -> None:
    # The process judging a run, so a run left 'running' by a killed process is recognised
    # as interrupted and its partial verdicts removed (issue #9): pid, and the host with the
    # process's start time, so a reused pid is not taken for the judge.
    _run(db, "ALTER TABLE shortlist_runs ADD COLUMN pid INTEGER;\nALTER TABLE shortlist_runs ADD COLUMN owner TEXT")


@migrations()
def m004_export_ranks(db: sqlite_utils.Database) -> None:
    # Each export's rows with their rank, so the next export says "up 9" instead of
    # "unchanged" when a creator moved from 16 to 7 (issue #11); `schedule` names the
    # schedule that wrote an export (NULL: by hand), whose next export compares with it.
    _run(db, """
        CREATE TABLE export_entries (
            export_id INTEGER NOT NULL REFERENCES exports(id),
            platform TEXT NOT NULL,
            platform_id TEXT NOT NULL,
            profile_id INTEGER,
            rank INTEGER,                       -- the rank this export showed
            change TEXT,                        -- new, up N, down N or unchanged, as written
            PRIMARY KEY (export_id, platform, platform_id)
        );
        ALTER TABLE exports ADD COLUMN schedule TEXT
        """)
    # Exports written before kept their rows' keys best first: the position is the rank.
    for row in list(db.query("SELECT id, keys FROM exports")):
        try:
            keys = json.loads(row["keys"] or "[]")
        except ValueError:
            continue
        for position, key in enumerate(keys, start=1):
            platform, _, platform_id = str(key).partition(":")
            db.execute("INSERT OR IGNORE INTO export_entries (export_id, platform, platform_id, rank) "
                       "VALUES (?, ?, ?, ?)", [row["id"], platform, platform_id, position])


@migrations()
def m005_schedule_runs(db: sqlite_utils.Database) -> None:
    # Schedules (issue #11): every run with its steps, outcome and exports; when a scheduler
    # started watching each schedule (what a missed run is measured from); and the lock
    # that keeps runs from overlapping, with the holding process, renewed while it works.
    # And facts about the database itself: `microscout demo` marks the database it fills,
    # so that it starts that one afresh next time and never wipes one holding other data.
    _run(db, """
        CREATE TABLE schedule_runs (
            id INTEGER PRIMARY KEY,
            schedule TEXT NOT NULL,
            campaign TEXT,
            trigger TEXT,                       -- cron, catch-up or run-once
            scheduled_for TEXT,                 -- the cron time the run is for (UTC)
            started_at TEXT, finished_at TEXT,
            status TEXT,                        -- running, succeeded, failed, interrupted, skipped, missed
            steps TEXT DEFAULT '[]',            -- each step: status, attempts, times, error, detail (JSON)
            exports TEXT DEFAULT '[]',          -- the files written (JSON)
            error TEXT,
            pid INTEGER, owner TEXT             -- the process running it (host:start-time)
        );
        CREATE INDEX schedule_runs_schedule ON schedule_runs (schedule, id);
        CREATE TABLE schedule_state (
            schedule TEXT PRIMARY KEY,
            cron TEXT, timezone TEXT,
            watched_since TEXT                  -- when a scheduler first ran this cron and zone (UTC)
        );
        CREATE TABLE locks (
            name TEXT PRIMARY KEY,
            token TEXT NOT NULL,
            holder TEXT,                        -- what holds it, e.g. "schedule weekly, run 12"
            pid INTEGER, owner TEXT,            -- the holding process (host:start-time)
            acquired_at TEXT,
            expires_at TEXT                     -- renewed while the holder works; past it, the lock is stale
        );
        CREATE TABLE store_info (
            key TEXT PRIMARY KEY,               -- e.g. "demo": written by `microscout demo` (JSON value)
            value TEXT
        )
        """)


# The tables a shortlist run reads: any row written, changed or deleted in them moves
# data_version on, so a run can tell that nothing changed since the last one.
JUDGED_TABLES = ("profiles", "profile_snapshots", "posts", "comments", "follower_samples")


@migrations()
def m006_shortlist_fingerprint(db: sqlite_utils.Database) -> None:
    # `shortlist` re-uses the last run when neither the data nor the settings changed
    # (issue #11): a counter the judged tables' triggers move on, and each run's fingerprint.
    statements = ["CREATE TABLE data_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)",
                  "INSERT INTO data_version (id, version) VALUES (1, 0)",
                  "ALTER TABLE shortlist_runs ADD COLUMN fingerprint TEXT"]
    for table in JUDGED_TABLES:
        for event in ("INSERT", "UPDATE", "DELETE"):
            statements.append(f"CREATE TRIGGER {table}_{event.lower()}_version AFTER {event} ON {table} "
                              f"BEGIN UPDATE data_version SET version = version + 1 WHERE id = 1; END")
    for statement in statements:
        db.execute(statement)


@migrations()
def m007_api_usage(db: sqlite_utils.Database) -> None:
    # Limits that outlive a run (issue #10): YouTube's daily quota units, Instagram's 30
    # hashtag searches a week. One row per use (or per run and quota day).
    db.execute("CREATE TABLE api_usage (id INTEGER PRIMARY KEY, platform TEXT NOT NULL, usage TEXT NOT NULL, "
               "key TEXT NOT NULL DEFAULT '', at TEXT NOT NULL, units INTEGER NOT NULL DEFAULT 0, "
               "crawl_run_id INTEGER)")
    db.execute("CREATE INDEX api_usage_lookup ON api_usage (platform, usage, at)")


@migrations()
def m008_post_features(db: sqlite_utils.Database) -> None:
    # What depends only on one post (its sponsored analysis) is computed when the post is
    # written and kept here, one row per settings version (issue #12); analysis NULL means
    # "nothing sponsored, no label, no denial". feature_settings holds the settings the
    # rules in use analyse with, per platform, so writers know which versions to compute.
    # A post whose text, tags or paid flag change loses its rows (they are recomputed).
    _run(db,
        """
        CREATE TABLE post_features (
            post_id INTEGER NOT NULL,
            version TEXT NOT NULL,
            analysis TEXT,
            PRIMARY KEY (post_id, version)
        ) WITHOUT ROWID;
        CREATE INDEX post_features_version ON post_features (version);
        CREATE TABLE feature_settings (
            kind TEXT NOT NULL,
            platform TEXT NOT NULL,
            version TEXT NOT NULL,
            settings TEXT NOT NULL,
            PRIMARY KEY (kind, platform, version)
        );
        CREATE TRIGGER posts_features_stale AFTER UPDATE OF text, hashtags, paid_flag ON posts
        WHEN old.text IS NOT new.text OR old.hashtags IS NOT new.hashtags OR old.paid_flag IS NOT new.paid_flag
        BEGIN DELETE FROM post_features WHERE post_id = new.id; END;
        CREATE TRIGGER posts_features_gone AFTER DELETE ON posts
        BEGIN DELETE FROM post_features WHERE post_id = old.id; END
        """)


@migrations()
def m009_shortlist_verdicts_fingerprint(db: sqlite_utils.Database) -> None:
    # What a run's verdicts depend on (data, rule options, rule code, day, tiers, the
    # campaign but its weights and gates): when only weights or gates changed, `shortlist`
    # copies the verdicts of the last run and scores them again (issue #12).
    db.execute("ALTER TABLE shortlist_runs ADD COLUMN verdicts_fingerprint TEXT")


@migrations()
def m010_comment_features(db: sqlite_utils.Database) -> None:
    # A comment's class (genuine, generic, spam) depends on its text alone: computed when
    # the comment is written, one row per version of the thresholds (issue #12), like
    # post_features. A comment whose text changes loses its rows (they are recomputed).
    _run(db,
        """
        CREATE TABLE comment_features (
            comment_id INTEGER NOT NULL,
            version TEXT NOT NULL,
            label TEXT NOT NULL,
            PRIMARY KEY (comment_id, version)
        ) WITHOUT ROWID;
        CREATE INDEX comment_features_version ON comment_features (version);
        CREATE TRIGGER comments_features_stale AFTER UPDATE OF text ON comments
        WHEN old.text IS NOT new.text
        BEGIN DELETE FROM comment_features WHERE comment_id = new.id; END;
        CREATE TRIGGER comments_features_gone AFTER DELETE ON comments
        BEGIN DELETE FROM comment_features WHERE comment_id = old.id; END
        """)


@migrations()
def m011_follower_features(db: sqlite_utils.Database) -> None:
    # A sampled follower's class (real, dormant, suspicious, mass follower, bot; "undescribed"
    # when it comes without counts) depends on its row alone: computed when it is written,
    # per version of the thresholds (issue #12). Keyed like follower_samples so one
    # candidate's classes are one range of the index. A change of what the class reads
    # drops its rows (they are recomputed).
    _run(db,
        """
        CREATE TABLE follower_features (
            profile_id INTEGER NOT NULL,
            platform_id TEXT NOT NULL,
            version TEXT NOT NULL,
            label TEXT NOT NULL,
            PRIMARY KEY (profile_id, platform_id, version)
        ) WITHOUT ROWID;
        CREATE TRIGGER follower_samples_features_stale
        AFTER UPDATE OF handle, bio, has_avatar, followers, following, posts_count, bot ON follower_samples
        WHEN old.handle IS NOT new.handle OR old.bio IS NOT new.bio OR old.has_avatar IS NOT new.has_avatar
            OR old.followers IS NOT new.followers OR old.following IS NOT new.following
            OR old.posts_count IS NOT new.posts_count OR old.bot IS NOT new.bot
        BEGIN DELETE FROM follower_features WHERE profile_id = new.profile_id AND platform_id = new.platform_id; END;
        CREATE TRIGGER follower_samples_features_gone AFTER DELETE ON follower_samples
        BEGIN DELETE FROM follower_features WHERE profile_id = old.profile_id AND platform_id = old.platform_id; END
        """)


@migrations()
def m012_niche_features(db: sqlite_utils.Database) -> None:
    # The campaign terms (hashtags, keywords) a post uses, per version of a campaign's terms
    # (issue #12): found when the post is written, for the campaigns that judge niche
    # relevance. terms NULL means none. A post whose text or tags change loses its rows.
    _run(db,
        """
        CREATE TABLE niche_features (
            post_id INTEGER NOT NULL,
            version TEXT NOT NULL,
            terms TEXT,
            PRIMARY KEY (post_id, version)
        ) WITHOUT ROWID;
        CREATE INDEX niche_features_version ON niche_features (version);
        CREATE TRIGGER posts_niche_stale AFTER UPDATE OF text, hashtags ON posts
        WHEN old.text IS NOT new.text OR old.hashtags IS NOT new.hashtags
        BEGIN DELETE FROM niche_features WHERE post_id = new.id; END;
        CREATE TRIGGER posts_niche_gone AFTER DELETE ON posts
        BEGIN DELETE FROM niche_features WHERE post_id = old.id; END
        """)


@migrations()
def m013_profile_versions(db: sqlite_utils.Database) -> None:
    # Only what changed is re-judged (issue #12): the judged tables' triggers also record,
    # per profile, the data_version of its last write, and a run keeps the data_version it
    # started from; a candidate with no newer write keeps its verdicts of that run.
    # (Its trigger for a row moved to another profile recorded the old one too early: m014.)
    statements = ["CREATE TABLE profile_versions (profile_id INTEGER PRIMARY KEY, version INTEGER NOT NULL)",
                  "ALTER TABLE shortlist_runs ADD COLUMN data_version INTEGER"]
    for table in JUDGED_TABLES:
        key = "id" if table == "profiles" else "profile_id"
        for event, row in (("INSERT", "new"), ("UPDATE", "new"), ("DELETE", "old")):
            name = f"{table}_{event.lower()}_version"
            statements += [f"DROP TRIGGER IF EXISTS {name}",
                           f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN UPDATE data_version "
                           f"SET version = version + 1 WHERE id = 1; {_RECORD_VERSION.format(f'{row}.{key}', '')} END"]
        statements.append(f"CREATE TRIGGER {table}_moved_version AFTER UPDATE OF {key} ON {table} "
                          f"WHEN old.{key} IS NOT new.{key} BEGIN {_RECORD_VERSION.format(f'old.{key}', '')} END")
    for statement in statements:
        db.execute(statement)


@migrations()
def m014_moved_rows_and_judged_at(db: sqlite_utils.Database) -> None:
    # A row moved to another profile changed the one it left too: recorded in the UPDATE
    # trigger after the counter moves (m013's own trigger ran first, and recorded a version
    # a run may already have read). judged_at: the moment a run's rules judged as of (a
    # partial run judges as of its source's, so the whole run is one judgement at one instant).
    statements = ["ALTER TABLE shortlist_runs ADD COLUMN judged_at TEXT"]
    for table in JUDGED_TABLES:
        key = "id" if table == "profiles" else "profile_id"
        record = (_RECORD_VERSION.format(f"new.{key}", "") + " "
                  + _RECORD_VERSION.format(f"old.{key}", f" AND old.{key} IS NOT new.{key}"))
        statements += [f"DROP TRIGGER {table}_moved_version", f"DROP TRIGGER {table}_update_version",
                       f"CREATE TRIGGER {table}_update_version AFTER UPDATE ON {table} BEGIN UPDATE data_version "
                       f"SET version = version + 1 WHERE id = 1; {record} END"]
    for statement in statements:
        db.execute(statement)



@migrations()
def m015_example_details(db: sqlite_utils.Database) -> None:
    # What a verdict shows of a comment or follower given as an example (its matched text
    # and reasons), stored with its class for those not genuine or real, so judging reads
    # it instead of classifying the examples again (issue #12). Rows stored before this
    # are of an older format, so of an older version: `db refresh-features` replaces them.
    db.execute("ALTER TABLE comment_features ADD COLUMN detail TEXT")
    db.execute("ALTER TABLE follower_features ADD COLUMN detail TEXT")

FEATURE_TABLES = ("post_features", "comment_features", "follower_features", "niche_features")


@migrations()
def m016_feature_marks(db: sqlite_utils.Database) -> None:
    # Checking that every item has its wanted features counts every feature table's rows
    # (minutes on a million profiles with a cold cache). The items' writes move data_version
    # on; a deleted feature row moves `deleted` on here; `settled` is the state (both counters
    # and the wanted versions) in which the last check found nothing missing: while the store
    # is in that state, nothing can be (issue #12).
    statements = ["CREATE TABLE feature_marks (id INTEGER PRIMARY KEY CHECK (id = 1), "
                  "deleted INTEGER NOT NULL, settled TEXT)",
                  "INSERT INTO feature_marks (id, deleted) VALUES (1, 0)"]
    for table in FEATURE_TABLES:
        statements.append(f"CREATE TRIGGER {table}_deleted AFTER DELETE ON {table} "
                          "BEGIN UPDATE feature_marks SET deleted = deleted + 1 WHERE id = 1; END")
    for statement in statements:
        db.execute(statement)


@migrations()
def m017_shared_verdicts(db: sqlite_utils.Database) -> None:
    # A run that keeps a candidate's verdicts (a weights-only re-score, a partial re-judge)
    # no longer copies them: its entry names the run whose verdict rows they are
    # (verdicts_run; NULL: its own run), always the run that judged them. A run's verdicts are
    # read through run_verdicts; pruning keeps the rows a kept run's entries name (m018 makes a
    # trigger refuse to delete them: an older microscout sharing the store would; issue #12:
    # the copy was most of a re-score, and 83 MB a run at 10,000 profiles).
    _run(db,
        """
        ALTER TABLE shortlist_entries ADD COLUMN verdicts_run INTEGER;
        CREATE INDEX shortlist_entries_verdicts_run ON shortlist_entries (verdicts_run, profile_id)
            WHERE verdicts_run IS NOT NULL;
        CREATE VIEW run_verdicts AS
            SELECT e.run_id AS run_id, v.profile_id AS profile_id, v.rule AS rule, v.outcome AS outcome,
                   v.score AS score, v.reason AS reason, v.evidence AS evidence, v.run_id AS judged_in
            FROM shortlist_entries e
            JOIN verdicts v ON v.run_id = coalesce(e.verdicts_run, e.run_id) AND v.profile_id = e.profile_id
        """)


@migrations()
def m018_marks_and_kept_verdicts_guarded(db: sqlite_utils.Database) -> None:
    # Found by reviews after m016 and m017 had run on stores (so in a migration of their own;
    # IF NOT EXISTS: a store migrated in between by a build that had them in m016/m017).
    # Settings changed and changed back would bring back a state marked before rows of the
    # other settings were computed: a change of the settings in use forgets the mark.
    for event in ("INSERT", "UPDATE", "DELETE"):
        db.execute(f"CREATE TRIGGER IF NOT EXISTS feature_settings_{event.lower()}_mark AFTER {event} ON "
                   "feature_settings BEGIN UPDATE feature_marks SET settled = NULL WHERE id = 1; END")
    # A verdict a kept run shows is never deleted: a microscout from before m017 sharing the
    # store would prune it with the run that judged it.
    db.execute("CREATE TRIGGER IF NOT EXISTS verdicts_named_stay BEFORE DELETE ON verdicts WHEN EXISTS (SELECT 1 "
               "FROM shortlist_entries n JOIN shortlist_runs k ON k.id = n.run_id WHERE n.verdicts_run = old.run_id "
               "AND n.profile_id = old.profile_id AND k.status IN ('finished', 'running')) BEGIN SELECT "
               "RAISE(ABORT, 'a verdict a kept shortlist run shows cannot be deleted (is a microscout from before "
               "migration m017 sharing this database?)'); END")


@migrations()
def m019_gone_accounts(db: sqlite_utils.Database) -> None:
    # When a crawl asked for a stored account and its platform said there is no such account
    # (deleted, suspended, renamed away): left out of shortlists until a crawl finds it again.
    db.execute("ALTER TABLE profiles ADD COLUMN gone_since TEXT")


@migrations()
def m020_opted_out_index(db: sqlite_utils.Database) -> None:
    # Every page of replies and followers a crawl or import writes is checked against the
    # accounts stored as opted out (store/writes.py: none of theirs is kept): a look-up in an
    # index of those few rows, not in the index of every profile.
    db.execute("CREATE INDEX IF NOT EXISTS profiles_opted_out ON profiles (platform_id, platform) WHERE opted_out = 1")


@migrations()
def m021_accounts_in_others_rows(db: sqlite_utils.Database) -> None:
    # When an account's opt-out is learnt, the replies it wrote under other creators' posts and
    # its rows in their follower samples are erased (store/writes.py, forget_traces): found
    # through these, not by reading every reply and follower row of the store for each opt-out
    # (0.8 s a time at 10,000 profiles, growing with the store). What a store written before
    # holds of the accounts it already knows as opted out goes now.
    from microscout.store.writes import forget_traces

    db.execute("CREATE INDEX IF NOT EXISTS comments_author ON comments (author_id, platform) "
               "WHERE author_id IS NOT NULL")
    db.execute("CREATE INDEX IF NOT EXISTS follower_samples_account ON follower_samples (platform_id)")
    forget_traces(db, [row[0] for row in db.execute("SELECT id FROM profiles WHERE opted_out = 1")])


@migrations()
def m022_profiles_by_handle_key(db: sqlite_utils.Database) -> None:
    # A crawl that writes a profile it has not stored yet first looks for one imported by the
    # same handle (store/writes.py, adopt_imported: lower(handle), per platform): found through
    # this, not by reading every profile of the platform for each batch a crawl writes (10 ms a
    # batch at 10,000 profiles, growing with the store; raw inserts of the same rows ~2 ms).
    db.execute("CREATE INDEX IF NOT EXISTS profiles_handle_key ON profiles (platform, lower(handle))")


@migrations()
def m023_counts_observed_at(db: sqlite_utils.Database) -> None:
    # When a post's counts (likes, replies, reposts, views) and a reply's likes were observed:
    # the crawl run's observed time, an imported file's observed_at (else its modification
    # time). An upsert observed earlier than the stored row (last month's export imported
    # after a crawl) fills only what the row lacks instead of putting the older, lower numbers
    # back (store/writes.py, upsert). Rows stored before are NULL: unknown, which any new
    # observation replaces.
    db.execute("ALTER TABLE posts ADD COLUMN observed_at TEXT")
    db.execute("ALTER TABLE comments ADD COLUMN observed_at TEXT")


@migrations()
def m024_profile_website(db: sqlite_utils.Database) -> None:
    # The creator's own website as the platform gives it (Instagram's `website`, a Mastodon
    # profile field whose link its server verified), a contact the exports show after an email
    # in the bio. Instagram's was stored as the profile's url until that was corrected, then
    # not at all; a crawl from now on fills it.
    db.execute("ALTER TABLE profiles ADD COLUMN website TEXT")


# Run after the counter moved (in the same trigger body), so the version recorded is newer
# than any a run has read.
_RECORD_VERSION = ("INSERT INTO profile_versions (profile_id, version) SELECT {}, version FROM data_version "
                   "WHERE id = 1{} ON CONFLICT (profile_id) DO UPDATE SET version = excluded.version;")


def _run(db: sqlite_utils.Database, script: str) -> None:
    # executescript() would COMMIT first; statement by statement keeps the migration
    # and its record in one transaction.
    for statement in script.split(";\n"):
        if statement.strip():
            db.execute(statement)


def is_legacy(db: sqlite_utils.Database) -> bool:
    """A database still keeping the record of before sqlite-utils' Migrations (carried over
    by ``migrate``)."""
    return LEGACY_TABLE in set(db.table_names())


def is_microscout_db(db: sqlite_utils.Database) -> bool:
    """True for a database microscout created (today's record, or the one before it)."""
    tables = set(db.table_names())
    if LEGACY_TABLE in tables:
        return True
    return MIGRATIONS_TABLE in tables and db.execute(
        f"SELECT 1 FROM [{MIGRATIONS_TABLE}] WHERE migration_set = ? LIMIT 1", [MIGRATION_SET]).fetchone() is not None


def _carry_over_legacy(db: sqlite_utils.Database) -> None:
    if LEGACY_TABLE not in db.table_names():
        return
    with db.atomic():
        migrations.ensure_migrations_table(db)
        done = {m.name for m in migrations.applied(db)}
        for row in db[LEGACY_TABLE].rows_where(order_by="rowid"):
            if row["name"] not in done:
                db.table(MIGRATIONS_TABLE).insert({"migration_set": MIGRATION_SET, "name": row["name"],
                                                   "applied_at": row["applied_at"]})
        db[LEGACY_TABLE].drop()


def applied(db: sqlite_utils.Database) -> list[str]:
    names = [m.name for m in migrations.applied(db)]
    if LEGACY_TABLE in db.table_names():  # not carried over yet (a read-only open)
        names += [r["name"] for r in db[LEGACY_TABLE].rows_where(order_by="rowid") if r["name"] not in names]
    return names


def unknown(db: sqlite_utils.Database) -> list[str]:
    """Migrations the store has that this code does not: a newer microscout wrote it."""
    known = {name for name, value in globals().items() if callable(value) and name[:1] == "m" and name[1:4].isdigit()}
    return [name for name in applied(db) if name not in known]


def pending(db: sqlite_utils.Database) -> list[str]:
    done = set(applied(db))
    return [m.name for m in migrations.pending(db) if m.name not in done]


# The folders whose lock a thread of this process holds (with how many holders): a second
# holder in the same thread (a store opened while another is migrated) goes through instead
# of waiting for itself; another thread waits, as another process does (each its own handle).
_HELD: dict[tuple[str, int], int] = {}


@contextlib.contextmanager
def creating(path: Path) -> Iterator[None]:
    """An exclusive lock of the database's folder while a database is created or migrated
    (flock on the folder: a handle of our own on the database file itself would drop this
    process's SQLite locks on it when closed). Where flock is missing, or the folder cannot
    be opened for reading (a write-only folder), no lock: as before there was one."""
    folder = str(path.resolve().parent)
    held = (folder, threading.get_ident())
    if held in _HELD:
        _HELD[held] += 1
        try:
            yield
        finally:
            _HELD[held] -= 1
        return
    try:
        import fcntl

        fd = os.open(folder, os.O_RDONLY)
    except (ImportError, OSError):  # not POSIX, or a folder we may write to but not read
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        _HELD[held] = 1
        yield
    finally:
        _HELD.pop(held, None)
        os.close(fd)  # releases the lock


def migrate(db: sqlite_utils.Database, *, lock: bool = True) -> list[str]:
    """Apply every pending migration, each in its own transaction; return their names.
    ``lock``: hold ``creating`` meanwhile (False: the caller holds it), so two processes
    migrating one database do not both run a migration."""
    file = db.execute("PRAGMA database_list").fetchone()[2]
    with creating(Path(file)) if lock and file else contextlib.nullcontext():
        _carry_over_legacy(db)
        ran = [m.name for m in migrations.pending(db)]
        migrations.apply(db)
    return ran
