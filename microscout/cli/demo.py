"""`microscout demo`: the whole job, offline, on one command, from any folder.

Starts the sandbox on 127.0.0.1 in a background thread, crawls it with the real spiders
(each crawl in its own process: Scrapy's reactor starts once per process), shortlists the
`demo` campaign, exports it, and compares the result with the sandbox's known truth.
Two crawls, a simulated week apart (profiles only on day 0, everything on day 7 with
`--known`), so that follower history exists.

`--platform P` runs the same job on one platform: the sandbox serves its whole population
as Mastodon, Bluesky, YouTube, Instagram and TikTok. P is crawled with the campaign's
hashtags (an API platform with the sandbox's credentials, passed in the crawl's
environment only; Instagram, whose hashtag media name no author, also from a handles
file of the population's usernames, as a team seeds it), the campaign is judged on P
alone (its platforms replaced by [P] in memory, never in the config) and scored against
the truth projected onto P, where the archetypes whose rule P gives no data for are
reported as not judgeable.

Outside a project (no config.toml) it runs on the packaged defaults, which carry the demo
campaign. It fills the default database (`database` in config), so that the commands it
prints next (`microscout shortlist demo`, `explain`, `export`, `browse`) continue from its
data as they are; it marks that database as the demo's and starts it afresh next time. A
default database holding other data is never touched: the demo then uses
.microscout/demo.db and prints the commands with `--db`.
"""
from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import click

from microscout.cli import demo_platforms
from microscout.cli.common import Env, UsageProblem, with_env
from microscout.store.transaction import transaction
from microscout.words import counted

CAMPAIGN = "demo"
DAYS_BETWEEN_CRAWLS = 7
FALLBACK_DB = ".microscout/demo.db"  # when the default database holds other data
DEMO_KEY = "demo"  # the store_info row marking a database the demo filled
# The tables whose rows record work done in a database: the mark holds the newest id of each
# the demo wrote, and a newer row is someone else's.
WRITTEN = ("crawl_runs", "shortlist_runs", "exports", "schedule_runs")
BEFORE_RECORDED = {"shortlist_runs": 1, "exports": 1}  # what a demo wrote before its mark said


def demo_mark(path: Path) -> dict | None | bool:
    """What the demo recorded in the database at ``path``: its mark (a dict) when the demo
    filled it and nothing was crawled into it since; None when there is no database;
    False when it holds other data (or cannot be read)."""
    import sqlite3

    if not path.exists():
        return None
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not tables:
                return None
            if "store_info" not in tables:
                return False
            row = conn.execute("SELECT value FROM store_info WHERE key = ?", [DEMO_KEY]).fetchone()
            mark = json.loads(row[0]) if row else None
            if not isinstance(mark, dict):
                return False
            last = _newest(conn, [table for table in WRITTEN if table in tables])
        finally:
            conn.close()
    except (sqlite3.Error, ValueError):
        return False
    if mark.get("crawl_runs") is None:
        return mark  # the demo stopped before its crawls ended: all of it is the demo's
    # A run or an export after the demo's own means someone worked in it since: a crawl, a
    # shortlist (of any campaign: the tutorial's too), an export (its rank history): other data.
    # A mark from before these were recorded (no key) was written by a demo that made one
    # shortlist run and one export into a fresh database.
    for table, newest in last.items():
        if newest > (mark.get(table, BEFORE_RECORDED.get(table, 0)) or 0):
            return False
    return mark


def choose_database(env: Env) -> tuple[Path, bool]:
    """(where the demo writes, whether that is the default database the commands use)."""
    default = env.config.path(env.config.database)
    if env.db_path:
        path = Path(env.db_path)
        if demo_mark(path) is False:
            raise UsageProblem(f"{path}: holds data the demo did not write, and the demo starts its database "
                               f"afresh; pass --db with a new file")
        return path, path.resolve() == default.resolve()
    if demo_mark(default) is not False:
        return default, True
    fallback = env.config.path(FALLBACK_DB)
    if demo_mark(fallback) is False:
        raise UsageProblem(f"{default} and {fallback} hold data the demo did not write; pass --db with a new file")
    return fallback, False


def _newest(conn, tables=WRITTEN) -> dict[str, int]:
    """The newest row id of each of these tables (0 when empty)."""
    return {table: conn.execute(f"SELECT max(id) FROM {table}").fetchone()[0] or 0 for table in tables}


def _mark(db, size: int, seed: int, crawl_runs: int | None, platform: str | None = None, *,
          shortlist_runs: int | None = None, exports: int | None = None, schedule_runs: int = 0) -> None:
    from microscout.store.writes import now_iso

    value = json.dumps({"size": size, "seed": seed, "platform": platform, "crawl_runs": crawl_runs,
                        "shortlist_runs": shortlist_runs, "exports": exports, "schedule_runs": schedule_runs,
                        "written_at": now_iso()})
    with transaction(db):
        db.execute("INSERT INTO store_info (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET "
                   "value = excluded.value", [DEMO_KEY, value])


def program() -> str:
    """How this shell reaches this microscout: `microscout` when PATH finds this installation's
    script, else that script's full path. The README installs with `.venv/bin/pip install -e .`
    and runs `.venv/bin/microscout demo` without activating the venv: a bare `microscout` the
    demo printed would be "command not found" there (or another installation)."""
    mine = shutil.which("microscout", path=str(Path(sys.executable).parent))
    found = shutil.which("microscout")
    if mine is None:  # not a script beside this interpreter (python -m microscout from a checkout)
        return "microscout" if found else f"{shlex.quote(sys.executable)} -m microscout"
    if found and os.path.samefile(found, mine):
        return "microscout"
    return shlex.quote(str(Path(mine).absolute()))


def next_commands(env: Env, db_path: Path, is_default: bool, handle: str | None,
                  size: int, seed: int, platform: str | None = None,
                  microscout: str = "microscout") -> list[tuple[str, str]]:
    """The commands to try next, with --config and --db where the defaults would not find them,
    each starting with ``microscout`` (how this shell reaches it: `program()`).
    After a demo on one platform, `shortlist demo` would judge the campaign's own platforms
    (not what was crawled): it is left out, and the score is projected onto the platform."""
    opts = ""
    if env.config_path:
        opts += f" --config {shlex.quote(str(Path(env.config_path).resolve()))}"
    if not is_default:
        opts += f" --db {shlex.quote(str(db_path.resolve()))}"
    who = shlex.quote(f"@{handle.lstrip('@')}") if handle else "HANDLE"
    population = ""
    if size != env.config.sandbox.size:
        population += f" --size {size}"
    if seed != env.config.sandbox.seed:
        population += f" --seed {seed}"
    if platform in demo_platforms.API_PATH:
        population += f" --platform {platform}"
    # the pip of this installation too: another one would fetch a microscout from the index
    pip = "pip" if microscout == "microscout" else f"{shlex.quote(sys.executable)} -m pip"
    shortlist = [] if platform else [
        (f"{microscout} shortlist {CAMPAIGN}{opts}", "the shortlist again (re-used while nothing changes)")]
    return [*shortlist,
            (f"{microscout} explain {who}{opts}", "every verdict behind a creator's rank"),
            (f"{microscout} export {CAMPAIGN}{opts} --format csv", "the shortlist as a file (`microscout plugins` "
                                                                  "lists the formats)"),
            (f"{microscout} browse{opts}", f"the database in Datasette ({pip} install 'microscout[browse]')"),
            (f"{microscout} schedule list{opts}", "schedules: crawl, shortlist and export on a cron time"),
            (f"{microscout} sandbox score {CAMPAIGN}{opts}{population}",
             "precision and recall per rule against the sandbox's truth")]


def _hide(text: str, secrets: list[str]) -> str:
    """Belt and braces: a crawl never prints a credential, and the demo never passes one on."""
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


def _crawl(env: Env, db: Path, crawl: list[str], extra: list[str], credentials: dict[str, str]) -> None:
    args = [sys.executable, "-m", "microscout"]
    if env.config.from_file:
        args += ["--config", str(Path(env.config.source).resolve())]
    args += [*crawl, "--db", str(db.resolve()), *extra]
    # From the config's folder: with the packaged defaults, relative paths start where the demo runs.
    result = subprocess.run(args, capture_output=True, text=True, env={**os.environ, **credentials},
                            cwd=env.config.root)
    secrets = demo_platforms.secrets(credentials)
    for line in result.stdout.splitlines():
        if line.startswith("crawl run") or "requests per stored candidate" in line or \
                line.strip().startswith(("errors", "note:")):
            click.echo("  " + _hide(line.strip(), secrets))
    if result.returncode != 0:
        raise click.ClickException(f"the crawl failed (exit {result.returncode}):\n"
                                   f"{_hide(result.stderr[-2000:], secrets)}")


@click.command("demo")
@click.option("--size", type=click.IntRange(min=50), default=None, help="Sandbox population (default: [sandbox] size).")
@click.option("--seed", type=int, default=None, help="Sandbox seed (default: [sandbox] seed).")
@click.option("--format", "fmt", default="csv", show_default=True, help="Export format.")
@click.option("--platform", type=click.Choice(demo_platforms.PLATFORMS), default=None,
              help="Crawl and judge this platform alone (default: the campaign's own platforms).")
@with_env
def command(env: Env, size: int | None, seed: int | None, fmt: str, platform: str | None) -> None:
    """Crawl, shortlist and export against a local sandbox, offline.

    With --platform, on one platform of the sandbox (YouTube, Instagram and TikTok through
    their APIs), scored against the truth as that platform shows it."""
    from microscout.cli.shortlist import excluded_line, make_console, shortlist_table
    from microscout.engine.export import default_path, export_shortlist
    from microscout.engine.plugins import collect_exporters
    from microscout.engine.shortlist import run_shortlist
    from microscout.sandbox.score import format_report, score
    from microscout.sandbox.server import SandboxServer
    from microscout.store import open_store

    started = time.monotonic()
    config = env.config
    if CAMPAIGN not in config.campaigns:
        from microscout.config import DEFAULTS_FILE

        raise UsageProblem(f"{config.source}: the demo needs [campaigns.{CAMPAIGN}]; copy it from {DEFAULTS_FILE} "
                           f"into this config, or run the demo in a folder without config.toml (the built-in "
                           f"defaults have it)")
    spec = config.campaign(CAMPAIGN)
    if platform:
        # Judged on P alone, in memory: run_shortlist picks candidates by campaign.platforms.
        spec = spec.model_copy(update={"platforms": [platform]})
        config.campaigns[CAMPAIGN] = spec
    rules = env.rules
    exporters = collect_exporters(env.pm)
    if fmt not in exporters:
        raise UsageProblem(f"no exporter {fmt!r}; available: {', '.join(sorted(exporters))}")
    size = size or config.sandbox.size
    seed = config.sandbox.seed if seed is None else seed
    db_path, is_default = choose_database(env)
    for suffix in ("", "-wal", "-shm"):  # a fresh demo every time (the database is the demo's: see above)
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    marked = open_store(db_path)
    _mark(marked, size, seed, None, platform)  # the demo's from the start, even if stopped half-way
    # Closed now, not whenever the garbage collector gets to it: a connection of this process
    # closing in the middle of a crawl could take the WAL away from under the crawl's.
    marked.conn.close()
    console = make_console()
    state = tempfile.TemporaryDirectory(prefix="microscout-demo-")
    credentials = demo_platforms.credentials(platform, state.name)
    served_as = " and ".join(demo_platforms.NAMES[p] for p in spec.platforms)
    # The lifetime is a safety net: the server stops by itself even if this process is killed
    # in a way that skips the context manager's exit.
    with state, SandboxServer(size=size, seed=seed, host=config.sandbox.host, port=config.sandbox.port,
                              lifetime=600) as server:
        console.print(f"Sandbox: {size} simulated creators on {served_as} at {server.url}")
        crawl = demo_platforms.crawl_args(platform, CAMPAIGN, spec.hashtags, server.url)
        # Instagram's hashtags name no creator: the crawl starts from seeds, as a team's would
        crawl += demo_platforms.seed_args(platform, server.pop, state.name)
        console.print("Crawl 1 (day 0): profiles only, so follower history starts")
        _crawl(env, db_path, crawl, ["--posts", "0", "--followers", "0", "--replies", "0"], credentials)
        urllib.request.urlopen(urllib.request.Request(
            f"{server.url}/_sandbox/advance?days={DAYS_BETWEEN_CRAWLS}", method="POST"), timeout=10).close()
        console.print(f"Crawl 2 (day {DAYS_BETWEEN_CRAWLS}): known and new profiles, posts, replies and "
                      f"follower samples")
        _crawl(env, db_path, crawl, ["--known"], credentials)
    db = open_store(db_path)
    # Before its own shortlist and export, the newest of each: stopped between here and the
    # last mark, the demo's own count as someone's (the safe side), and any made later too.
    _mark(db, size, seed, platform=platform, **_newest(db))
    # As `microscout shortlist` does first: the campaign's stored features (its niche terms),
    # so the shortlist the demo prints next finds nothing to compute and re-uses this run.
    from microscout.cli.shortlist import refresh_features

    refresh_features(db, config, rules, console)
    summary = run_shortlist(db, config, rules, CAMPAIGN)
    console.print(shortlist_table(db, summary.run_id, spec.shortlist_size,
                                  f"Shortlist: {CAMPAIGN} ({spec.description})"))
    path = default_path(config.path(config.exports.dir), CAMPAIGN, exporters[fmt])
    result = export_shortlist(db, CAMPAIGN, spec.shortlist_size, exporters[fmt], path, config=config,
                              new_name=True)
    _mark(db, size, seed, platform=platform, **_newest(db))
    console.print(f"Judged {counted(summary.candidates, 'candidate')} with {counted(len(rules), 'rule')}; "
                  f"{summary.candidates - summary.excluded} ranked. {excluded_line(summary)}")
    console.print(f"Export: {result['path']} ({result['rows']} rows)", soft_wrap=True)
    console.print("\nAgainst the sandbox's known truth:")
    projected = platform if platform in demo_platforms.API_PATH else None
    console.print(format_report(score(db, CAMPAIGN, size, seed, projected)), markup=False, highlight=False)
    top = db.execute("SELECT handle FROM shortlist_entries WHERE run_id = ? AND rank = 1", [summary.run_id]).fetchone()
    where = ("the default database" if is_default else "given by --db" if env.db_path
             else "not the default database, which holds other data")
    # soft_wrap: a path or a command is never broken across lines (people copy them)
    console.print(f"\nDone in {time.monotonic() - started:.0f} s. The demo's data is in {db_path.resolve()} "
                  f"({where}). Next:", highlight=False, soft_wrap=True)
    commands = next_commands(env, db_path, is_default, top[0] if top else None, size, seed, platform,
                             microscout=program())
    for cmd, what in commands:
        console.print(f"  {cmd}", markup=False, highlight=False, soft_wrap=True)
        console.print(f"      {what}", markup=False, highlight=False)
