"""`microscout sandbox serve | generate | score`: the offline simulated platform."""
from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

import click

from microscout.cli.common import FiniteFloatRange, UsageProblem, with_env
from microscout.config import loopback_host


@click.group("sandbox", short_help="Local simulated platforms with known truth.")
def command() -> None:
    """A local simulation of Mastodon, Bluesky, and the YouTube, Instagram and TikTok APIs, with
    a seeded population of known truth."""


def _generated_population(db) -> tuple[int, int] | None:
    """(size, seed) of the population `sandbox generate` wrote into this store, if it did."""
    row = db.execute("SELECT arguments FROM crawl_runs WHERE platform = 'sandbox' AND arguments LIKE '{\"generate\"%' "
                     "ORDER BY id DESC LIMIT 1").fetchone()
    try:
        made = json.loads(row[0])["generate"] if row else None
        return (int(made["size"]), int(made["seed"])) if made else None
    except (ValueError, KeyError, TypeError):
        return None


def _size_seed(env, size, seed):
    return (size if size is not None else env.config.sandbox.size,
            seed if seed is not None else env.config.sandbox.seed)


@command.command("serve")
@click.option("--size", type=click.IntRange(10, 1_000_000), default=None, help="Profiles (default: [sandbox] size).")
@click.option("--seed", type=int, default=None, help="Population seed (default: [sandbox] seed).")
@click.option("--host", default=None, help="Address to bind: 127.0.0.1, localhost or ::1, the loopback interface "
              "only (default: [sandbox] host, 127.0.0.1).")
@click.option("--port", type=click.IntRange(0, 65535), default=None, help="Port; 0 picks a free one.")
@click.option("--day", type=click.IntRange(0, 30), default=0, show_default=True, help="Start on this sandbox day.")
@click.option("--rate-429", type=FiniteFloatRange(0, 1), default=0.0,
              help="Share of requests answered as rate-limited, in each platform's words (429; YouTube: 429 "
              "rateLimitExceeded in Google's format; Instagram: 400 with the Graph API's code 4).")
@click.option("--retry-after", type=click.IntRange(0), default=1, show_default=True,
              help="Seconds a 429 answer asks the client to wait (its Retry-After header; Instagram: its usage "
              "headers' minutes; YouTube: none, as Google's answers say no time).")
@click.option("--rate-5xx", type=FiniteFloatRange(0, 1), default=0.0, help="Share of requests answered 500-504.")
@click.option("--rate-malformed", type=FiniteFloatRange(0, 1), default=0.0,
              help="Share of requests answered 200 with a body that is not the API's JSON.")
@click.option("--rate-drop", type=FiniteFloatRange(0, 1), default=0.0,
              help="Share of requests whose connection is dropped without an answer.")
@click.option("--latency", type=FiniteFloatRange(0), default=0.0, help="Seconds added to each response.")
@click.option("--fault-seed", type=int, default=0, show_default=True,
              help="Seed of which requests the fault rates pick (the same seed, the same faults).")
@click.option("--rate-limit", type=click.IntRange(1), default=100_000, show_default=True,
              help="Requests per window per client.")
@click.option("--rate-window", type=FiniteFloatRange(1), default=300.0, show_default=True,
              help="Seconds of the rate-limit window (Mastodon's is 300).")
@click.option("--lifetime", type=FiniteFloatRange(0), default=None, help="Stop after this many seconds.")
@click.option("--token-lifetime", type=FiniteFloatRange(min=1), default=7200.0, show_default=True,
              help="Seconds a Bluesky access token lives before refreshSession is needed.")
@click.option("--gzip/--no-gzip", default=True, show_default=True,
              help="Gzip answers of 20 bytes or more, errors too, for a client that accepts it, as the real "
              "servers' proxies do.")
@with_env
def serve(env, size, seed, host, port, day, rate_429, retry_after, rate_5xx, rate_malformed, rate_drop,
          latency, fault_seed, rate_limit, rate_window, lifetime, token_lifetime, gzip):
    """Serve the sandbox until Ctrl-C (or --lifetime)."""
    from microscout.sandbox import IDENTIFIER, PASSWORD, Faults, SandboxServer

    size, seed = _size_seed(env, size, seed)
    if host is not None:
        try:
            loopback_host(host)
        except ValueError as exc:
            raise UsageProblem(f"--host: {exc}") from None
    try:
        faults = Faults(latency=latency, rate_429=rate_429, retry_after=retry_after, rate_5xx=rate_5xx,
                        rate_malformed=rate_malformed, rate_drop=rate_drop, seed=fault_seed)
    except ValueError as exc:
        raise UsageProblem(str(exc)) from None
    cfg = env.config.sandbox
    try:
        server = SandboxServer(size=size, seed=seed, host=host or cfg.host,
                               port=cfg.port if port is None else port, faults=faults, day=day,
                               rate_limit=rate_limit, rate_window=rate_window, lifetime=lifetime,
                               access_lifetime=token_lifetime, gzip_min_bytes=20 if gzip else None)
    except OSError as exc:
        raise UsageProblem(f"cannot listen on {host or cfg.host}:{cfg.port if port is None else port}: "
                           f"{exc.strerror}") from None
    with server:
        click.echo(f"sandbox: {server.url}  (size {size}, seed {seed}, day {server.day})")
        # As `microscout crawl PLATFORM` takes them (flags and variables), like the API platforms below.
        click.echo(f"  mastodon  --instance {server.url}")
        click.echo(f"  bluesky   --appview {server.url} --pds {server.url} --appview-did {server.appview_did}   "
                   f"MICROSCOUT_BSKY_HANDLE={IDENTIFIER}   MICROSCOUT_BSKY_APP_PASSWORD={PASSWORD}")
        # The API platforms' sandbox credentials are the sandbox's own, not secrets.
        from microscout.sandbox import instagram_wire, routes_instagram, routes_tiktok, routes_youtube

        click.echo(f"  youtube   --api {server.url}/youtube/v3   MICROSCOUT_YOUTUBE_API_KEY={routes_youtube.API_KEY}")
        click.echo(f"  instagram --api {server.url}/v21.0   MICROSCOUT_INSTAGRAM_TOKEN={routes_instagram.TOKEN}   "
                   f"MICROSCOUT_INSTAGRAM_USER_ID={instagram_wire.OWN_ACCOUNT}")
        click.echo(f"  tiktok    --api {server.url}   MICROSCOUT_TIKTOK_CLIENT_KEY={routes_tiktok.CLIENT_KEY}   "
                   f"MICROSCOUT_TIKTOK_CLIENT_SECRET={routes_tiktok.CLIENT_SECRET}")
        click.echo(f"  advance time: curl -X POST '{server.url}/_sandbox/advance?days=7'")
        click.echo("Ctrl-C to stop." + (f" Stops by itself after {lifetime:g} s." if lifetime else ""), err=False)
        try:
            server.wait()
        except KeyboardInterrupt:
            click.echo("stopped")


@command.command("generate", short_help="Write the population straight into a database.")
@click.option("--size", type=click.IntRange(1, 1_000_000), default=None, help="Profiles (default: [sandbox] size).")
@click.option("--seed", type=int, default=None, help="Population seed (default: [sandbox] seed).")
@click.option("--out", "out", type=click.Path(dir_okay=False), default=None,
              help="Database file (default: --db, else `database` from config).")
@click.option("--posts", type=click.IntRange(0, 40), default=30, show_default=True, help="Posts per profile.")
@click.option("--posts-with-replies", type=click.IntRange(0, 40), default=5, show_default=True,
              help="How many of each profile's newest posts get replies.")
@click.option("--followers", type=click.IntRange(0, 400), default=80, show_default=True,
              help="Follower sample per profile (0 for big runs).")
@click.option("--batch", type=click.IntRange(1), default=500, show_default=True,
              help="Profiles written per transaction.")
@click.option("--into-crawled", is_flag=True,
              help="Write into a store that holds crawled or imported data too (refused without it: the "
                   "synthetic creators would be shortlisted beside the real ones).")
@with_env
def generate(env, size, seed, out, posts, posts_with_replies, followers, batch, into_crawled):
    """Write the population into a store as if it had been crawled on days 0 and 7."""
    from microscout.sandbox.storewriter import generate as run
    from microscout.store import StoreError, open_store

    size, seed = _size_seed(env, size, seed)
    path = out or env.database_path
    crawled = _crawled_runs(Path(path))
    if crawled and not into_crawled and not _demo_store(Path(path)):
        raise UsageProblem(f"{path} holds {crawled} crawl or import runs of real data; the sandbox's synthetic "
                           f"creators would be judged beside them: pass --out NEW.db (or --into-crawled)")
    started = time.perf_counter()
    try:
        open_store(path).conn.close()  # a file that is no store is said alone, not under the bar's label
        with click.progressbar(length=size, label=f"generating {size} profiles", file=sys.stderr) as bar:
            stats = run(path, size, seed, posts=posts, posts_with_replies=posts_with_replies,
                        followers=followers, batch=batch, progress=bar.update)
    except StoreError as exc:
        if out is None:
            raise
        # the store's messages name --db, which the user did not give here
        raise UsageProblem(re.sub(r"--db\b", "--out", str(exc))) from None
    except KeyboardInterrupt:
        click.echo(f"\nstopped: {path} holds only part of the population (its run is recorded interrupted); "
                   f"generate it again into a new file (--out NEW.db)", err=True)
        sys.exit(130)
    click.echo(f"{path}: {stats.profiles} profiles (+{stats.opted_out} opted out), {stats.posts} posts, "
               f"{stats.comments} replies, {stats.followers} followers in {time.perf_counter() - started:.1f} s")


def _demo_store(path: Path) -> bool:
    """Whether ``path`` is the demo's store (its crawls are of the sandbox), with nothing
    crawled into it since."""
    from microscout.cli.demo import demo_mark

    return isinstance(demo_mark(path), dict)


def _crawled_runs(path: Path) -> int:
    """How many crawl_runs of ``path`` are not the sandbox generator's own (0 without a store)."""
    from microscout.store import StoreError, open_store

    if not path.exists() or path.stat().st_size == 0:
        return 0
    try:
        db = open_store(path, readonly=True)
    except StoreError:
        return 0  # writing will say what is wrong with it
    try:
        return db.execute("SELECT count(*) FROM crawl_runs WHERE platform != 'sandbox'").fetchone()[0]
    finally:
        db.conn.close()


@command.command("score", short_help="Compare the last shortlist with the known truth.")
@click.argument("campaign")
@click.option("--size", type=click.IntRange(1, 1_000_000), default=None,
              help="Profiles of the population the store was filled from (default: what `sandbox generate` "
                   "recorded in the store, else [sandbox] size).")
@click.option("--seed", type=int, default=None, help="Its seed (default: as --size).")
@click.option("--platform", type=click.Choice(["youtube", "instagram", "tiktok"]), default=None,
              help="Score against the truth as this API platform serves it (after `demo --platform`).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@with_env
def score_cmd(env, campaign, size, seed, platform, as_json):
    """Compare CAMPAIGN's last shortlist with the sandbox's ground truth."""
    from dataclasses import asdict

    from microscout.sandbox.score import ScoreError, format_report, score

    db = env.db(readonly=True)
    # A store `sandbox generate` wrote records its population: scored against another, every
    # figure was wrong and the run said so only in a closing hint, exit 0.
    recorded = _generated_population(db)
    if recorded is not None:
        size = recorded[0] if size is None else size
        seed = recorded[1] if seed is None else seed
    size, seed = _size_seed(env, size, seed)
    try:
        report = score(db, campaign, size, seed, platform)
    except ScoreError as exc:
        if campaign not in env.config.campaigns:
            env.config.campaign(campaign)  # no such campaign: says which there are
        raise UsageProblem(str(exc)) from None
    if report.unmatched and not any(a.judged for a in report.archetypes.values()):
        # every figure would be 0 (after `demo --platform youtube`, scored without --platform):
        # what to change is the whole answer, not a hint under a table of zeros
        from microscout.sandbox.score import unmatched_hint

        raise UsageProblem(f"none of the {report.unmatched:,} profiles judged in shortlist run {report.run_id} "
                           f"is in this population: {unmatched_hint(report)}")
    click.echo(json.dumps(asdict(report), indent=2) if as_json else format_report(report))
