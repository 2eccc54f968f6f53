"""`microscout demo`: the whole job, offline, on one command.

Starts the sandbox on 127.0.0.1 in a background thread, crawls it with the real spiders
(each crawl in its own process: Scrapy's reactor starts once per process), shortlists the
`demo` campaign, exports it, and compares the result with the sandbox's known truth.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import click

from microscout.cli.common import Env, UsageProblem, with_env

CAMPAIGN = "demo"
DAYS_BETWEEN_CRAWLS = 7


def _crawl(env: Env, db: Path, url: str, extra: list[str], credentials: dict[str, str]) -> None:
    args = [sys.executable, "-m", "microscout"]
    if env.config.source != "(built-in defaults)":
        args += ["--config", env.config.source]
    args += ["crawl", CAMPAIGN, "--db", str(db), "--instance", url, "--appview", url, "--pds", url, *extra]
    result = subprocess.run(args, capture_output=True, text=True, env={**os.environ, **credentials})
    for line in result.stdout.splitlines():
        if line.startswith("crawl run") or "requests per stored candidate" in line or line.strip().startswith("errors"):
            click.echo("  " + line.strip())
    if result.returncode != 0:
        raise click.ClickException(f"the crawl failed (exit {result.returncode}):\n{result.stderr[-2000:]}")


@click.command("demo")
@click.option("--size", type=click.IntRange(min=50), default=None, help="Sandbox population (default: [sandbox] size).")
@click.option("--seed", type=int, default=None, help="Sandbox seed (default: [sandbox] seed).")
@click.option("--format", "fmt", default="csv", show_default=True, help="Export format.")
@with_env
def command(env: Env, size: int | None, seed: int | None, fmt: str) -> None:
    """Crawl, shortlist and export against a local sandbox, offline."""
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
        raise UsageProblem(f"{config.source}: the demo needs [campaigns.{CAMPAIGN}]; run it from the repository "
                           f"folder (where config.toml defines it) or pass --config PATH")
    spec = config.campaign(CAMPAIGN)
    rules = env.rules
    exporters = collect_exporters(env.pm)
    if fmt not in exporters:
        raise UsageProblem(f"no exporter {fmt!r}; available: {', '.join(sorted(exporters))}")
    size = size or config.sandbox.size
    seed = config.sandbox.seed if seed is None else seed
    db_path = Path(env.db_path) if env.db_path else config.path(".microscout/demo.db")
    for suffix in ("", "-wal", "-shm"):  # a fresh demo every time
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    console = make_console()
    from microscout.sandbox.routes_bluesky import IDENTIFIER, PASSWORD

    # The sandbox's login session is kept for the second crawl in a folder of its own, not
    # beside the user's real Bluesky sessions.
    state = tempfile.TemporaryDirectory(prefix="microscout-demo-")
    credentials = {"MICROSCOUT_BSKY_HANDLE": IDENTIFIER, "MICROSCOUT_BSKY_APP_PASSWORD": PASSWORD,
                   "MICROSCOUT_STATE_DIR": state.name}
    # The lifetime is a safety net: the server stops by itself even if this process is killed
    # in a way that skips the context manager's exit.
    with state, SandboxServer(size=size, seed=seed, host=config.sandbox.host, port=config.sandbox.port,
                              lifetime=600) as server:
        console.print(f"Sandbox: {size} simulated creators on Mastodon and Bluesky at {server.url}")
        console.print("Crawl 1 (day 0): profiles only, so follower history starts")
        _crawl(env, db_path, server.url, ["--posts", "0", "--followers", "0", "--replies", "0"], credentials)
        urllib.request.urlopen(urllib.request.Request(
            f"{server.url}/_sandbox/advance?days={DAYS_BETWEEN_CRAWLS}", method="POST"), timeout=10).close()
        console.print(f"Crawl 2 (day {DAYS_BETWEEN_CRAWLS}): known and new profiles, posts, replies and "
                      f"follower samples")
        _crawl(env, db_path, server.url, ["--known"], credentials)
    db = open_store(db_path)
    summary = run_shortlist(db, config, rules, CAMPAIGN)
    console.print(shortlist_table(db, summary.run_id, spec.shortlist_size,
                                  f"Shortlist: {CAMPAIGN} ({spec.description})"))
    path = default_path(config.path(config.exports.dir), CAMPAIGN, exporters[fmt])
    result = export_shortlist(db, CAMPAIGN, spec.shortlist_size, exporters[fmt], path)
    console.print(f"Judged {summary.candidates} candidates with {len(rules)} rules; "
                  f"{summary.candidates - summary.excluded} ranked. {excluded_line(summary)}")
    console.print(f"Export: {result['path']} ({result['rows']} rows)")
    console.print("\nAgainst the sandbox's known truth:")
    console.print(format_report(score(db, CAMPAIGN, size, seed)), markup=False, highlight=False)
    console.print(f"\nDone in {time.monotonic() - started:.0f} s. Explain any rank with "
                  f"`microscout explain HANDLE --db {db_path}`.")
