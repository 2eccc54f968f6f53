"""`microscout shortlist` against the SQL floor, side by side, at growing sizes (issue #12).

Issue #12's target: shortlist within 3x (goal 2x) of the floor at every size, growth
linear in the candidates, peak RSS <= 512 MB.

The floor is one plain SQL pass (Python's sqlite3, one process) that reads every column
of every row the built-in rules read, aggregated per profile, so SQLite has to read each
value (a sum, a length() sum, a max or min per column), for the candidates the campaign
judges (opted_out = 0 and a platform of the campaign in the config). The columns, from
microscout/store/queries.py (load_candidates, profile_from_row) and microscout/rules/:

  profiles           id, platform, platform_id, handle, display_name, bio, url, has_avatar,
                     followers, following, posts_count, created_at, last_post_at, bot,
                     instance, bridged, collections_hidden, fetched (opted_out filters)
  posts              id, profile_id, platform_id, created_at, text, url, hashtags, mentions,
                     links, likes, replies, reposts, quotes, views, paid_flag, is_reply, language
  post_features      post_id, version, analysis (each post's stored sponsored analysis)
  comments           profile_id, platform_id, post_platform_id, author_id, author_handle,
                     text, created_at, likes, author_followers
  follower_samples   every column: profile_id, platform_id, handle, display_name, bio,
                     has_avatar, followers, following, posts_count, created_at,
                     last_post_at, sampled_at, bot
  profile_snapshots  profile_id, observed_at, followers, following, posts_count

Each round times both sides, alternating which goes first, each in its own child process
so CPU time and peak RSS (ru_maxrss from wait4) are that child's own (with shortlist
workers, CPU includes the workers it waited for and peak RSS is the largest process, not
the sum). The shortlist runs as `python -m microscout --db COPY shortlist demo --json` on a
fresh copy of the store each round, so no earlier run is re-used; the floor reads the
generated store itself. Wall and CPU include each child's start-up (under a second).

Stores are generated as benchmarks/shortlist_memory.py does, with replies and followers:
`microscout sandbox generate --size N --seed 7 --posts 30 --posts-with-replies 5
--followers 80` (10-13 s per 1,000 profiles), into WORKDIR/store-N.db; --keep re-uses one.

    python benchmarks/shortlist_scale.py --size 10000 --rounds 2 --workdir /tmp/scale --keep
    python benchmarks/shortlist_scale.py --size 10000 100000 --workdir /tmp/scale --keep --json
    python benchmarks/shortlist_scale.py --size 10000 --workdir /tmp/scale --keep --rounds 0 --profile

At 1,000,000 profiles a store takes ~3.5 h to generate and ~62 GB, too much to copy for
each round: grow the 10,000 one a hundred-fold with benchmarks/tile_store.py (each copy of
a candidate is judged as the original) and judge it in place, once:

    python benchmarks/tile_store.py --src /tmp/scale/store-10000.db --times 100 \
        --out /tmp/scale/store-1000000.db
    python benchmarks/shortlist_scale.py --size 1000000 --workdir /tmp/scale --keep --in-place --rounds 1
"""
from __future__ import annotations

import argparse
import json
import os
import pstats
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

from bytecode import compile_package

REPO = Path(__file__).resolve().parent.parent
GENERATE_ARGS = ["--seed", "7", "--posts", "30", "--posts-with-replies", "5", "--followers", "80"]
FIXED_NOW = "2026-11-01T12:00:00+00:00"


class BadInput(Exception):
    """Wrong arguments: one line, exit 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str):  # type: ignore[override]
        raise BadInput(message)


# Per-item features the rules read beside the rows (when the store has their tables): the
# campaigns' niche terms of each post, each comment's and each sampled follower's class with its detail.
FEATURES = {
    "niche_features": "SELECT p.profile_id, count(*) AS n, total(length(f.version)) + total(length(f.terms)) AS chars "
                      "FROM posts p JOIN niche_features f ON f.post_id = p.id WHERE p.profile_id IN cand "
                      "GROUP BY p.profile_id",
    "comment_features": "SELECT c.profile_id, count(*) AS n, total(length(f.version)) + total(length(f.label)) "
                        "+ total(length(f.detail)) AS chars FROM comments c JOIN comment_features f "
                        "ON f.comment_id = c.id WHERE c.profile_id IN cand GROUP BY c.profile_id",
    "follower_features": "SELECT profile_id, count(*) AS n, total(length(version)) + total(length(label)) "
                         "+ total(length(detail)) AS chars FROM follower_features WHERE profile_id IN cand "
                         "GROUP BY profile_id",
}


def floor_sql(platforms: list[str], features: tuple[str, ...] = ()) -> str:
    marks = ", ".join("?" * len(platforms))
    extra_ctes = "".join(f",\n    x{i} AS ({FEATURES[t]})" for i, t in enumerate(features))
    extra_cols = "".join(f", x{i}.n, x{i}.chars" for i in range(len(features)))
    extra_joins = "".join(f" LEFT JOIN x{i} ON x{i}.profile_id = p.id" for i in range(len(features)))
    return f"""
    WITH cand AS (SELECT id FROM profiles WHERE opted_out = 0 AND platform IN ({marks})),
    po AS (SELECT profile_id, count(*) AS n,
                  total(length(platform_id)) + total(length(text)) + total(length(url)) + total(length(hashtags))
                  + total(length(mentions)) + total(length(links)) + total(length(language)) AS chars,
                  total(likes) + total(replies) + total(reposts) + total(quotes) + total(views)
                  + total(paid_flag) + total(is_reply) + total(id) AS nums,
                  max(created_at) AS newest, min(created_at) AS oldest
           FROM posts WHERE profile_id IN cand GROUP BY profile_id),
    pf AS (SELECT p.profile_id, count(*) AS n, total(length(f.version)) + total(length(f.analysis)) AS chars
           FROM posts p JOIN post_features f ON f.post_id = p.id WHERE p.profile_id IN cand GROUP BY p.profile_id),
    co AS (SELECT profile_id, count(*) AS n,
                  total(length(platform_id)) + total(length(post_platform_id)) + total(length(author_id))
                  + total(length(author_handle)) + total(length(text)) AS chars,
                  total(likes) + total(author_followers) AS nums, max(created_at) AS newest, min(created_at) AS oldest
           FROM comments WHERE profile_id IN cand GROUP BY profile_id),
    fo AS (SELECT profile_id, count(*) AS n,
                  total(length(platform_id)) + total(length(handle)) + total(length(display_name))
                  + total(length(bio)) + total(length(sampled_at)) AS chars,
                  total(has_avatar) + total(followers) + total(following) + total(posts_count) + total(bot) AS nums,
                  max(created_at) AS newest, min(last_post_at) AS oldest
           FROM follower_samples WHERE profile_id IN cand GROUP BY profile_id),
    sn AS (SELECT profile_id, count(*) AS n, total(followers) + total(following) + total(posts_count) AS nums,
                  max(observed_at) AS newest
           FROM profile_snapshots WHERE profile_id IN cand GROUP BY profile_id){extra_ctes}
    SELECT p.id,
           length(p.platform) + length(p.platform_id) + length(p.handle) + coalesce(length(p.display_name), 0)
           + coalesce(length(p.bio), 0) + coalesce(length(p.url), 0) + coalesce(length(p.instance), 0)
           + coalesce(length(p.fetched), 0) + coalesce(length(p.created_at), 0)
           + coalesce(length(p.last_post_at), 0),
           coalesce(p.has_avatar, 0) + coalesce(p.followers, 0) + coalesce(p.following, 0)
           + coalesce(p.posts_count, 0) + coalesce(p.bot, 0) + coalesce(p.bridged, 0)
           + coalesce(p.collections_hidden, 0),
           po.n, po.chars, po.nums, po.newest, po.oldest, pf.n, pf.chars,
           co.n, co.chars, co.nums, co.newest, co.oldest,
           fo.n, fo.chars, fo.nums, fo.newest, fo.oldest, sn.n, sn.nums, sn.newest{extra_cols}
    FROM profiles p JOIN cand ON cand.id = p.id
    LEFT JOIN po ON po.profile_id = p.id LEFT JOIN pf ON pf.profile_id = p.id
    LEFT JOIN co ON co.profile_id = p.id LEFT JOIN fo ON fo.profile_id = p.id
    LEFT JOIN sn ON sn.profile_id = p.id{extra_joins}
    ORDER BY p.id
    """


def run_floor(db_path: str, platforms: list[str]) -> dict:
    """The floor itself (run in a child): every judged row read once, one row per candidate out."""
    conn = sqlite3.connect(db_path)
    present = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    features = tuple(t for t in FEATURES if t in present)
    rows = {"candidates": 0, "posts": 0, "post_features": 0, "comments": 0, "followers": 0, "snapshots": 0,
            **{t: 0 for t in features}}
    checksum = 0.0
    counted = [("posts", 3), ("post_features", 8), ("comments", 10), ("followers", 15), ("snapshots", 20),
               *((t, 23 + 2 * i) for i, t in enumerate(features))]
    for r in conn.execute(floor_sql(platforms, features), platforms):
        rows["candidates"] += 1
        for key, i in counted:
            rows[key] += r[i] or 0
        # Touch every aggregate in Python too, as a consumer of the rows would.
        checksum += sum(v for v in r if isinstance(v, (int, float))) + sum(len(v) for v in r if isinstance(v, str))
    conn.close()
    return {**rows, "checksum": checksum}


def timed_child(cmd: list[str], out_path: Path) -> dict:
    """Run ``cmd`` with stdout to ``out_path``: wall seconds, CPU seconds and peak RSS of that child."""
    with out_path.open("w") as out, tempfile.TemporaryFile("w+") as err:
        t = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=REPO)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            tail = err.read().strip().splitlines()[-1:] or ["(no message)"]
            raise RuntimeError(f"{' '.join(cmd[:6])}... exited {proc.returncode}: {tail[0]}")
    return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "peak_rss_mb": usage.ru_maxrss / 1024}


def copy_store(src: Path, dst: Path) -> None:
    for suffix in ("", "-wal"):
        if Path(f"{src}{suffix}").exists():
            shutil.copyfile(f"{src}{suffix}", f"{dst}{suffix}")


def refuse_judged(store: Path) -> None:
    """--in-place measures a first shortlist: a store that holds a run would be re-used or re-judged in part."""
    conn = sqlite3.connect(store)
    try:
        runs = conn.execute("SELECT count(*) FROM shortlist_runs WHERE status = 'finished'").fetchone()[0]
    finally:
        conn.close()
    if runs:
        raise BadInput(f"{store} holds {runs} finished shortlist run(s): --in-place measures a first run; "
                       f"tile or generate a fresh store")


def remove_store(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def ensure_store(workdir: Path, size: int, keep: bool, config: Path) -> Path:
    store = workdir / f"store-{size}.db"
    if keep and store.exists():
        log(f"{size:,}: re-using {store} ({store.stat().st_size / 1e6:,.0f} MB)")
        refresh_features(store, config)
        return store
    part = workdir / f"store-{size}.db.part"
    remove_store(part)
    remove_store(store)
    log(f"{size:,}: generating {store} (about {size * 11 / 1000 / 60:.0f} min)")
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "microscout", "--config", str(config), "sandbox", "generate",
                    "--size", str(size), *GENERATE_ARGS, "--out", str(part)],
                   cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{part}{suffix}").exists():
            os.replace(f"{part}{suffix}", f"{store}{suffix}")
    log(f"{size:,}: generated in {time.perf_counter() - t:,.0f} s ({store.stat().st_size / 1e6:,.0f} MB)")
    refresh_features(store, config)
    return store


def refresh_features(store: Path, config: Path) -> None:
    """Store the per-item features the config's rules read (its campaigns' niche terms, say),
    as crawls would have written them: part of writing, not of judging, so not timed."""
    t = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "microscout", "--config", str(config), "--db", str(store), "db",
                           "refresh-features"], cwd=REPO, check=True, capture_output=True, text=True)
    log(f"{done.stdout.strip()} ({time.perf_counter() - t:,.0f} s, not timed)")


def shortlist_options(config: Path, workers: int | None) -> list[str]:
    """Options of the installed `shortlist` this run uses: --workers and a fixed clock when it has them."""
    help_text = subprocess.run([sys.executable, "-m", "microscout", "--config", str(config), "shortlist", "--help"],
                               cwd=REPO, capture_output=True, text=True, check=True).stdout
    extra = []
    if workers is not None:
        if "--workers" in help_text:
            extra += ["--workers", str(workers)]
        else:
            log("this microscout shortlist has no --workers option: --workers ignored")
    if "--now" in help_text:
        extra += ["--now", FIXED_NOW]
    return extra


def shortlist_cmd(config: Path, db: Path, extra: list[str]) -> list[str]:
    return [sys.executable, "-m", "microscout", "--config", str(config), "--db", str(db), "shortlist", "demo",
            "--json", *extra]


def measure_size(size: int, store: Path, args, config: Path, platforms: list[str], extra: list[str]) -> dict:
    rounds = []
    floor_cmd = [sys.executable, str(Path(__file__).resolve()), "--run-floor", str(store), "--config", str(config)]
    for r in range(args.rounds):
        copy = args.workdir / f"round-{size}.db"
        if args.in_place:
            refuse_judged(store)
            copy = store
        else:
            remove_store(copy)
            copy_store(store, copy)
        out = args.workdir / "child.out"
        sides = ["floor", "shortlist"] if r % 2 == 0 else ["shortlist", "floor"]
        got: dict = {}
        for side in sides:
            cmd = floor_cmd if side == "floor" else shortlist_cmd(config, copy, extra)
            got[side] = timed_child(cmd, out)
            got[side]["output"] = json.loads(out.read_text())
        if not args.in_place:
            remove_store(copy)
        floor, short = got["floor"], got["shortlist"]
        floor["candidates"] = floor["output"]["candidates"]
        short["candidates"] = short["output"]["candidates"]
        short["output"] = {k: short["output"][k] for k in ("candidates", "ranked", "excluded", "errors")}
        rounds.append({"first": sides[0], "uptime": uptime(), "floor": floor, "shortlist": short})
        log(f"{size:,} round {r + 1} ({sides[0]} first): floor {floor['cpu_s']:.1f} s CPU, "
            f"shortlist {short['cpu_s']:.1f} s CPU ({short['cpu_s'] / floor['cpu_s']:.1f}x), "
            f"peak RSS {floor['peak_rss_mb']:.0f} / {short['peak_rss_mb']:.0f} MB; load {rounds[-1]['uptime']}")
    return summarise(size, store, rounds)


def summarise(size: int, store: Path, rounds: list[dict]) -> dict:
    def med(side: str, key: str) -> float:
        return statistics.median(r[side][key] for r in rounds)

    out: dict = {"size": size, "store_mb": store.stat().st_size / 1e6, "rounds": rounds}
    if not rounds:
        return out
    n = rounds[0]["floor"]["candidates"]
    out["candidates"] = n
    out["shortlist_candidates"] = rounds[0]["shortlist"]["candidates"]
    out["rows"] = {k: v for k, v in rounds[0]["floor"]["output"].items() if k not in ("checksum", "candidates")}
    for side in ("floor", "shortlist"):
        out[side] = {"wall_s": med(side, "wall_s"), "cpu_s": med(side, "cpu_s"),
                     "peak_rss_mb": max(r[side]["peak_rss_mb"] for r in rounds)}
        out[side]["cpu_ms_per_candidate"] = 1000 * out[side]["cpu_s"] / n
        out[side]["wall_ms_per_candidate"] = 1000 * out[side]["wall_s"] / n
    out["ratio_cpu"] = out["shortlist"]["cpu_s"] / out["floor"]["cpu_s"]
    out["ratio_wall"] = out["shortlist"]["wall_s"] / out["floor"]["wall_s"]
    return out


def profile_one(store: Path, args, config: Path, extra: list[str]) -> None:
    """One shortlist under cProfile on a fresh copy: the top functions by own time and by cumulative time."""
    copy = args.workdir / "profile.db"
    remove_store(copy)
    copy_store(store, copy)
    stats_file = args.workdir / "shortlist.prof"
    cmd = [sys.executable, "-m", "cProfile", "-o", str(stats_file), *shortlist_cmd(config, copy, extra)[1:]]
    log(f"profiling: {' '.join(cmd)}")
    got = timed_child(cmd, args.workdir / "child.out")
    remove_store(copy)
    log(f"profiled run: {got['wall_s']:.0f} s wall, {got['cpu_s']:.0f} s CPU (with cProfile's overhead)")
    stats = pstats.Stats(str(stats_file), stream=sys.stderr)
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats("microscout/", 30)
    # Shares of the whole process: loading rows into objects, the rules, writing the verdicts.
    cumulative = {(Path(file).parent.name + "/" + Path(file).name, name): entry[3]
                  for (file, _, name), entry in stats.stats.items()}  # type: ignore[attr-defined]
    total = max(cumulative.values())
    parts = [("run_shortlist (the judging run)", "engine/shortlist.py", "run_shortlist"),
             ("loading rows into objects (load_candidates)", "store/queries.py", "load_candidates"),
             ("reading profile rows (iter_profile_batches)", "store/queries.py", "iter_profile_batches"),
             ("all rules with the engine's per-rule overhead (Evaluator.evaluate)", "engine/evaluate.py", "evaluate"),
             ("scoring (Evaluator.score)", "engine/evaluate.py", "score"),
             ("evidence and reasons to JSON (json.dumps)", "json/__init__.py", "dumps"),
             ("writing verdicts and entries (executemany)", "/~",
              "<method 'executemany' of 'sqlite3.Connection' objects>")]
    shares = [(label, cumulative.get((file, name))) for label, file, name in parts]
    rules: list[tuple[str, float]] = [(f"rule {file[6:-3]}", t) for (file, name), t in cumulative.items()
                                      if file.startswith("rules/") and name == "evaluate"]
    rules.sort(key=lambda kv: -kv[1])
    shares += rules
    for label, seconds in shares:
        if seconds is not None:
            log(f"{seconds:8.2f} s  {100 * seconds / total:5.1f}%  {label}")


def table(results: list[dict]) -> str:
    lines = ["| profiles | candidates | floor wall / CPU s | floor CPU ms/cand | shortlist wall / CPU s "
             "| shortlist CPU ms/cand | ratio CPU / wall | peak RSS floor / shortlist MB |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        if "floor" not in r:
            continue
        f, s = r["floor"], r["shortlist"]
        lines.append(f"| {r['size']:,} | {r['candidates']:,} | {f['wall_s']:.1f} / {f['cpu_s']:.1f} "
                     f"| {f['cpu_ms_per_candidate']:.3f} | {s['wall_s']:.1f} / {s['cpu_s']:.1f} "
                     f"| {s['cpu_ms_per_candidate']:.2f} | {r['ratio_cpu']:.1f}x / {r['ratio_wall']:.1f}x "
                     f"| {f['peak_rss_mb']:.0f} / {s['peak_rss_mb']:.0f} |")
    measured = [r for r in results if "floor" in r]
    if len(measured) > 1:
        a, b = measured[0], measured[-1]
        lines.append("")
        lines.append(f"growth {a['size']:,} -> {b['size']:,}: CPU ms per candidate x"
                     f"{b['shortlist']['cpu_ms_per_candidate'] / a['shortlist']['cpu_ms_per_candidate']:.2f} "
                     f"(shortlist), x{b['floor']['cpu_ms_per_candidate'] / a['floor']['cpu_ms_per_candidate']:.2f} "
                     f"(floor); 1.00 = linear")
    return "\n".join(lines)


def growth(results: list[dict]) -> dict | None:
    measured = [r for r in results if "floor" in r]
    if len(measured) < 2:
        return None
    a, b = measured[0], measured[-1]
    return {"from": a["size"], "to": b["size"],
            **{side: b[side]["cpu_ms_per_candidate"] / a[side]["cpu_ms_per_candidate"]
               for side in ("floor", "shortlist")}}


def uptime() -> str:
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def campaign_platforms(config: Path) -> list[str]:
    try:
        data = tomllib.loads(config.read_text())
        return list(data["campaigns"]["demo"]["platforms"])
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError) as e:
        raise BadInput(f"{config}: cannot read campaigns.demo.platforms ({e})") from e


def parse(argv: list[str]) -> argparse.Namespace:
    parser = Parser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, nargs="+", action="extend",
                        help="profiles generated; repeat or list several (default: 10000 100000)")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "microscout-scale",
                        help="where the stores and the per-round copies go")
    parser.add_argument("--keep", action="store_true", help="re-use WORKDIR/store-N.db when it exists")
    parser.add_argument("--workers", type=int, help="passed to shortlist when it has a --workers option")
    parser.add_argument("--rounds", type=int, default=1, help="floor + shortlist pairs per size (default 1)")
    parser.add_argument("--profile", action="store_true",
                        help="also run one shortlist of the first size under cProfile and print its top costs")
    parser.add_argument("--in-place", action="store_true",
                        help="judge the store itself, not a copy (one round; for stores too large to copy, such as "
                             "the 1,000,000 one of benchmarks/tile_store.py): the store then holds the run")
    parser.add_argument("--config", type=Path, default=REPO / "config.toml")
    parser.add_argument("--json", action="store_true",
                        help="print the results as JSON on stdout (the table goes to stderr)")
    parser.add_argument("--run-floor", metavar="DB", help=argparse.SUPPRESS)  # the floor's own child process
    args = parser.parse_args(argv)
    args.size = args.size or [10_000, 100_000]
    if any(n < 1 or n > 1_000_000 for n in args.size):
        raise BadInput("--size takes 1 to 1,000,000 profiles (the generator's range)")
    if args.rounds < 0 or (args.workers is not None and args.workers < 1):
        raise BadInput("--rounds must be 0 or more and --workers 1 or more")
    if args.in_place and (args.rounds != 1 or not args.keep or args.profile):
        raise BadInput("--in-place judges the store itself, once: give --rounds 1 and --keep (without --keep "
                       "the store would be generated anew), and no --profile")
    if not args.config.is_file():
        raise BadInput(f"--config {args.config}: no such file")
    return args


def main(argv: list[str]) -> int:
    args = parse(argv)
    platforms = campaign_platforms(args.config)
    if args.run_floor:
        print(json.dumps(run_floor(args.run_floor, platforms)))
        return 0
    args.workdir.mkdir(parents=True, exist_ok=True)
    where = subprocess.run([sys.executable, "-c", "import microscout; print(microscout.__file__)"],
                           cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()
    compile_package(Path(where).parent)
    extra = shortlist_options(args.config, args.workers)
    log(f"microscout from {where}; shortlist options {extra or 'none'}; campaign demo on {', '.join(platforms)}; "
        f"load {uptime()}")
    results = []
    for i, size in enumerate(args.size):
        store = ensure_store(args.workdir, size, args.keep, args.config)
        results.append(measure_size(size, store, args, args.config, platforms, extra))
        if args.profile and i == 0:
            profile_one(store, args, args.config, extra)
    if args.json:
        log(table(results))  # the table still, beside the JSON on stdout
        print(json.dumps({"microscout": where, "shortlist_options": extra, "platforms": platforms,
                          "results": results, "growth": growth(results)}, indent=2))
    else:
        print(table(results))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BadInput as e:
        print(f"shortlist_scale: {e}", file=sys.stderr)
        sys.exit(2)
    except (RuntimeError, OSError, subprocess.CalledProcessError, ValueError) as e:
        print(f"shortlist_scale: {e}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(1)
