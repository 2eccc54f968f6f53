"""Ingest throughput: the store's upserts and the crawl pipeline against raw executemany.

The same rows (N profiles, each with its snapshot, posts, replies and follower sample, as a
crawl page brings them; tests/crawlers/ingest_input.py) are written four ways, each into a
fresh store database (same schema, indexes and triggers), one transaction per batch of
pages, rounds alternating so a busy machine slows all four alike:

  raw       executemany INSERT … ON CONFLICT DO UPDATE of ready-made tuples (the floor)
  upserts   microscout.store.writes: upsert_profiles, add_snapshots, upsert_posts, … of dicts
  pipeline  microscout.crawlers.pipelines.SQLitePipeline.process_item of pydantic items, a
            page per ItemBatch as the spiders send them (items built, i.e. validated, before
            timing: that is the parser's work)
  upserts, no features / pipeline, no features  the same with the write-time features
            (store.features.store_for_posts, store_for_comments, store_for_profiles: each new
            post's sponsored analysis, each reply's and sampled follower's class) switched
            off: the write path's own cost, since raw writes no features
  raw + feature rows  raw executemany of the same rows and of the feature rows the pipeline
            stores for them (post, comment and follower features, values ready, computed by a
            pipeline run before timing): every row the store ends up holding, the floor the
            generator's benchmark uses too. The pipeline's share of it is printed beside.

Budget (issue #12): upserts and pipeline ≥ 70% of raw rows/s.

    PYTHONPATH=. .venv/bin/python benchmarks/ingest.py --profiles 300 --rounds 5
    PYTHONPATH=. .venv/bin/python benchmarks/ingest.py --profiles 300 --rounds 9 --no-features
"""
from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from scrapy.settings import Settings  # noqa: E402

from microscout.crawlers.items import CommentItem, FollowerItem, ItemBatch, PostItem, ProfileItem  # noqa: E402
from microscout.crawlers.pipelines import SQLitePipeline  # noqa: E402
from microscout.store import open_store  # noqa: E402
from microscout.store.writes import (  # noqa: E402
    JSON_COLUMNS,
    add_snapshots,
    upsert_comments,
    upsert_followers,
    upsert_posts,
    upsert_profiles,
)
from tests.crawlers.ingest_input import pages  # noqa: E402

OBSERVED = "2026-10-01T00:00:00+00:00"
RUN_ID = 1
TABLES = ("profiles", "profile_snapshots", "posts", "comments", "follower_samples")
KEYS = {"profiles": ("platform", "platform_id"), "profile_snapshots": ("profile_id", "observed_at"),
        "posts": ("platform", "platform_id"), "comments": ("platform", "platform_id"),
        "follower_samples": ("profile_id", "platform_id")}


class Stats(dict):
    def inc_value(self, key, count=1):
        self[key] = self.get(key, 0) + count


def rows_of(batch_pages, first_id: int) -> dict[str, list[dict]]:
    """The dicts the store writes for a batch of pages (profile ids known: a fresh database
    numbers profiles in the order written)."""
    out: dict[str, list[dict]] = {t: [] for t in TABLES}
    for n, items in enumerate(batch_pages):
        pid = first_id + n
        for item in items:
            row = item.row()
            if isinstance(item, ProfileItem):
                row.update(last_seen=OBSERVED, first_seen=OBSERVED, crawl_run_id=RUN_ID)
                out["profiles"].append(row)
                out["profile_snapshots"].append(
                    {"profile_id": pid, "observed_at": OBSERVED, "followers": row["followers"],
                     "following": row["following"], "posts_count": row["posts_count"], "crawl_run_id": RUN_ID})
                continue
            del row["profile_platform_id"]
            row["profile_id"] = pid
            if isinstance(item, PostItem):
                out["posts"].append(row)
            elif isinstance(item, CommentItem):
                out["comments"].append(row)
            elif isinstance(item, FollowerItem):
                del row["platform"]
                row["sampled_at"] = OBSERVED
                out["follower_samples"].append(row)
    return out


def statements(batch_rows: dict[str, list[dict]]) -> list[tuple[str, list[tuple]]]:
    """Raw SQL and tuples: one INSERT … ON CONFLICT DO UPDATE per table, values ready."""
    out = []
    for table, rows in batch_rows.items():
        columns = list(rows[0])
        updates = ", ".join(f"{c}=excluded.{c}" for c in columns if c not in KEYS[table])
        sql = (f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "
               f"ON CONFLICT ({', '.join(KEYS[table])}) DO UPDATE SET {updates}")
        values = [tuple(json.dumps(r[c]) if c in JSON_COLUMNS else r[c] for c in columns) for r in rows]
        out.append((sql, values))
    return out


def run_raw(path: Path, batches, features=None) -> tuple[float, float]:
    """Raw executemany of the batches' rows; with ``features`` (feature_work's), of their
    feature rows too, in the same transactions."""
    store = open_store(path)
    conn = store.conn
    feature_batches, settings = features or ([[] for _ in batches], [])
    if settings:
        with conn:  # the settings the features were computed with: a handful of rows, once per store
            conn.executemany("INSERT INTO feature_settings (kind, platform, version, settings) VALUES (?, ?, ?, ?)",
                             settings)
    work = [statements(rows_of(b, 1 + i * len(b))) + feature_batches[i] for i, b in enumerate(batches)]
    start, cpu = time.perf_counter(), time.process_time()
    for batch in work:
        with conn:
            for sql, values in batch:
                conn.executemany(sql, values)
    elapsed = time.perf_counter() - start, time.process_time() - cpu
    conn.close()
    return elapsed


FEATURE_TABLES = {
    # table: (its columns, the SQL that reads them back with the item's natural key first)
    "post_features": ("post_id, version, analysis",
                      "SELECT p.platform, p.platform_id, f.version, f.analysis FROM post_features f "
                      "JOIN posts p ON p.id = f.post_id"),
    "comment_features": ("comment_id, version, label, detail",
                         "SELECT c.platform, c.platform_id, f.version, f.label, f.detail FROM comment_features f "
                         "JOIN comments c ON c.id = f.comment_id"),
    "follower_features": ("profile_id, platform_id, version, label, detail",
                          "SELECT p.platform, p.platform_id, f.platform_id, f.version, f.label, f.detail "
                          "FROM follower_features f JOIN profiles p ON p.id = f.profile_id"),
}


def feature_work(batches, tmp: Path) -> tuple[list[list[tuple[str, list[tuple]]]], list[tuple]]:
    """Per batch, the INSERTs of the feature rows the pipeline stores for its items, with the
    ids raw executemany gives those items in a fresh store; and the feature_settings rows.
    Worked out before timing: a raw run for the ids, a pipeline run for the features."""
    raw_db, piped_db = tmp / "ids.db", tmp / "features.db"
    run_raw(raw_db, batches)
    run_pipeline(piped_db, batches)
    ids = sqlite3.connect(raw_db)
    post_id = {(a, b): i for i, a, b in ids.execute("SELECT id, platform, platform_id FROM posts")}
    comment_id = {(a, b): i for i, a, b in ids.execute("SELECT id, platform, platform_id FROM comments")}
    profile_id = {(a, b): i for i, a, b in ids.execute("SELECT id, platform, platform_id FROM profiles")}
    ids.close()
    piped = sqlite3.connect(piped_db)
    found: dict[str, dict[tuple, list[tuple]]] = {t: {} for t in FEATURE_TABLES}
    for platform, key, *rest in piped.execute(FEATURE_TABLES["post_features"][1]):
        found["post_features"].setdefault((platform, key), []).append((post_id[platform, key], *rest))
    for platform, key, *rest in piped.execute(FEATURE_TABLES["comment_features"][1]):
        found["comment_features"].setdefault((platform, key), []).append((comment_id[platform, key], *rest))
    for platform, owner, key, *rest in piped.execute(FEATURE_TABLES["follower_features"][1]):
        pid = profile_id[platform, owner]
        found["follower_features"].setdefault((pid, key), []).append((pid, key, *rest))
    settings = piped.execute("SELECT kind, platform, version, settings FROM feature_settings").fetchall()
    piped.close()
    work = []
    for i, batch in enumerate(batches):
        rows = rows_of(batch, 1 + i * len(batch))
        per_table = {
            "post_features": [f for r in rows["posts"]
                              for f in found["post_features"].get((r["platform"], r["platform_id"]), ())],
            "comment_features": [f for r in rows["comments"]
                                 for f in found["comment_features"].get((r["platform"], r["platform_id"]), ())],
            "follower_features": [f for r in rows["follower_samples"]
                                  for f in found["follower_features"].get((r["profile_id"], r["platform_id"]), ())],
        }
        work.append([(f"INSERT INTO {table} ({FEATURE_TABLES[table][0]}) VALUES "
                      f"({', '.join('?' * len(values[0]))})", values) for table, values in per_table.items() if values])
    return work, settings


def run_upserts(path: Path, batches) -> tuple[float, float]:
    store = open_store(path)
    work = [rows_of(b, 1 + i * len(b)) for i, b in enumerate(batches)]
    start, cpu = time.perf_counter(), time.process_time()
    for rows in work:
        with store.conn:
            upsert_profiles(store, rows["profiles"])
            add_snapshots(store, rows["profile_snapshots"])
            upsert_posts(store, rows["posts"])
            upsert_comments(store, rows["comments"])
            upsert_followers(store, rows["follower_samples"])
    elapsed = time.perf_counter() - start, time.process_time() - cpu
    store.conn.close()
    return elapsed


def run_pipeline(path: Path, batches) -> tuple[float, float]:
    open_store(path).conn.close()
    per_batch = sum(len(items) for items in batches[0][:1]) * len(batches[0])
    settings = Settings({"MICROSCOUT_DB": str(path), "MICROSCOUT_RUN_ID": RUN_ID, "MICROSCOUT_OBSERVED_AT": OBSERVED,
                         "MICROSCOUT_BATCH_SIZE": per_batch, "MICROSCOUT_FLUSH_SECONDS": 1e9})
    p = SQLitePipeline(SimpleNamespace(settings=settings, stats=Stats()))
    p.open_spider()
    work = [ItemBatch.of(items) for b in batches for items in b]
    start, cpu = time.perf_counter(), time.process_time()
    for page in work:
        p.process_item(page)
    p.close_spider()
    return time.perf_counter() - start, time.process_time() - cpu


def without_features(run):
    """``run`` with every kind of stored feature off: posts' (store_for_posts), replies'
    (store_for_comments) and sampled followers' (store_for_profiles)."""
    def run_without(path: Path, batches) -> tuple[float, float]:
        import microscout.store.features as features

        saved = {name: getattr(features, name)
                 for name in ("store_for_posts", "store_for_comments", "store_for_profiles")}
        for name in saved:
            setattr(features, name, lambda *args, **kwargs: 0)
        try:
            return run(path, batches)
        finally:
            for name, function in saved.items():
                setattr(features, name, function)
    return run_without


run_pipeline_without_features = without_features(run_pipeline)
run_upserts_without_features = without_features(run_upserts)


def counts(path: Path, tables=TABLES) -> dict[str, int]:
    con = sqlite3.connect(path)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
    finally:
        con.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profiles", type=int, default=300)
    parser.add_argument("--posts", type=int, default=20)
    parser.add_argument("--comments", type=int, default=40)
    parser.add_argument("--followers", type=int, default=40)
    parser.add_argument("--pages-per-batch", type=int, default=2,
                        help="pages per transaction (the pipeline's default batch of 200 items holds 2 such pages)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-features", action="store_true",
                        help="only raw and the two ways with the features switched off (the write path's own cost)")
    args = parser.parse_args()
    all_pages = pages(args.profiles, posts=args.posts, comments=args.comments, followers=args.followers)
    k = args.pages_per_batch
    batches = [all_pages[i:i + k] for i in range(0, len(all_pages), k)]
    if len(batches[-1]) != k:
        batches.pop()
    times: dict[str, list[tuple[float, float]]] = {}
    rows = None
    feature_rows: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        if args.no_features:
            runs = {"raw": run_raw, "upserts, no features": run_upserts_without_features,
                    "pipeline, no features": run_pipeline_without_features}
        else:
            features = feature_work(batches, Path(tmp))
            runs = {"raw": run_raw, "upserts": run_upserts, "upserts, no features": run_upserts_without_features,
                    "pipeline": run_pipeline, "pipeline, no features": run_pipeline_without_features,
                    "raw + feature rows": lambda path, b: run_raw(path, b, features)}
        times = {name: [] for name in runs}
        for r in range(args.rounds):
            for name, run in runs.items():
                path = Path(tmp) / f"{name.replace(', ', '-').replace(' + ', '-').replace(' ', '_')}-{r}.db"
                times[name].append(run(path, batches))
                got = counts(path)
                rows = rows or got
                assert got == rows, f"{name} stored {got}, raw stored {rows}"
                if name in ("pipeline", "raw + feature rows"):
                    stored = counts(path, FEATURE_TABLES)
                    feature_rows = feature_rows or stored
                    assert stored == feature_rows, f"{name} stored feature rows {stored}, the pipeline {feature_rows}"
                os.remove(path)
    total = sum(rows.values())
    print(f"{len(batches) * k} profiles, {total:,} rows ({', '.join(f'{t} {n:,}' for t, n in rows.items())}); "
          f"{k} pages per transaction; median of {args.rounds} alternating rounds; load {os.getloadavg()[0]:.1f}")
    raw = [statistics.median(t[i] for t in times["raw"]) for i in (0, 1)]
    for name, ts in times.items():
        wall, cpu = (statistics.median(t[i] for t in ts) for i in (0, 1))
        print(f"{name:<21} wall {wall:6.3f} s {total / wall:8,.0f} rows/s {raw[0] / wall:5.0%} of raw | "
              f"cpu {cpu:6.3f} s {total / cpu:8,.0f} rows/s {raw[1] / cpu:5.0%} of raw")
    if args.no_features:
        return 0
    floor = [statistics.median(t[i] for t in times["raw + feature rows"]) for i in (0, 1)]
    piped = [statistics.median(t[i] for t in times["pipeline"]) for i in (0, 1)]
    print(f"pipeline against raw + feature rows ({sum(feature_rows.values()):,} of them: "
          f"{', '.join(f'{t} {n:,}' for t, n in feature_rows.items())}): "
          f"wall {floor[0] / piped[0]:.0%}, cpu {floor[1] / piped[1]:.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
