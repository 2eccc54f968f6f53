"""`microscout db`: the database's size, its migrations, its stored features and its runs."""
from __future__ import annotations

from pathlib import Path

import click

from microscout.cli.common import Env, with_env


@click.group("db")
def command() -> None:
    """Inspect and migrate the SQLite database."""


@command.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print JSON: path, size, row counts, migrations applied "
                                                      "and pending.")
@with_env
def stats(env: Env, as_json: bool) -> None:
    """Row counts per table, applied and pending migrations."""
    from microscout.store.migrations import applied, pending
    from microscout.store.queries import stats as table_stats

    db = env.db(readonly=True)
    # Opened read-only, an older store is not migrated here: say so, or its applied list
    # reads as a store that is up to date.
    waiting = pending(db)
    if as_json:
        import json

        path = env.database_path
        size = sum(Path(f"{path}{suffix}").stat().st_size for suffix in ("", "-wal")
                   if Path(f"{path}{suffix}").exists())
        click.echo(json.dumps({"database": str(path.resolve()), "bytes": size, "tables": table_stats(db),
                               "migrations": applied(db), "pending": waiting}, indent=2))
        return
    click.echo(f"{env.database_path}")
    for table, count in table_stats(db).items():
        click.echo(f"  {table:<20} {count:>10,}")
    click.echo(f"  migrations: {', '.join(applied(db))}")
    if waiting:
        click.echo(f"  pending: {', '.join(waiting)}; `microscout db migrate` applies them (so does any command "
                   f"that writes)")


@command.command("migrate")
@with_env
def migrate(env: Env) -> None:
    """Create the database, apply pending migrations."""
    from microscout.store import open_store
    from microscout.store.migrations import migrate as run_migrations
    from microscout.store.runs import interrupt_stale_runs

    db = open_store(env.database_path, create=True, upgrade=False)
    ran = run_migrations(db)
    stale = interrupt_stale_runs(db)
    click.echo(f"{env.database_path}: " + (f"applied {', '.join(ran)}" if ran else "up to date")
               + (f"; {len(stale)} shortlist runs left by killed processes marked interrupted" if stale else ""))


@command.command("interrupt-run")
@click.argument("run_id", type=click.IntRange(1, 2**63 - 1))
@with_env
def interrupt_run(env: Env, run_id: int) -> None:
    """Mark a run killed on another machine interrupted.

    Every command that writes marks the shortlist runs left `running` by a killed process of
    this machine `interrupted`; a run started on another machine sharing the database cannot
    be checked from here, and while it stays `running` its campaign's older runs are not
    pruned (`shortlist` says which run is in the way). Its partial verdicts are removed;
    should its process still be judging after all, that run ends interrupted, not finished.
    """
    from microscout.cli.common import UsageProblem
    from microscout.store import open_store
    from microscout.store.runs import discard_run, interrupt_stale_runs, process_alive
    from microscout.store.transaction import transaction

    # Not env.db(): it marks the runs this machine's killed processes left interrupted first,
    # the run asked for among them, which was then refused as "not running: nothing to interrupt".
    db = open_store(env.database_path, create=False)
    row = db.execute("SELECT campaign, status, pid, owner FROM shortlist_runs WHERE id = ?", [run_id]).fetchone()
    if row is None:
        raise UsageProblem(f"{env.database_path}: no shortlist run {run_id}; `microscout db stats` counts the runs, "
                           f"`microscout browse` lists them")
    campaign, status, pid, owner = row
    if status != "running":
        raise UsageProblem(f"shortlist run {run_id} ({campaign}) is {status}, not running: nothing to interrupt")
    if pid is not None and process_alive(pid, owner):
        raise UsageProblem(f"shortlist run {run_id} ({campaign}) is still being judged by process {pid} on this "
                           f"machine; stop that process (Ctrl-C) instead")
    with transaction(db):  # looked at again under the write lock: it may have finished meanwhile
        (now,) = db.execute("SELECT status FROM shortlist_runs WHERE id = ?", [run_id]).fetchone()
        if now != "running":
            raise UsageProblem(f"shortlist run {run_id} ({campaign}) has just become {now}: nothing to interrupt")
        discard_run(db, run_id)
    interrupt_stale_runs(db)  # the others, as every command that writes does
    click.echo(f"shortlist run {run_id} ({campaign}) marked interrupted; its partial verdicts were removed")


def features_progress(total: int, what: str = "Computing stored features"):
    """The progress bar of computing stored per-item features (None off a terminal)."""
    from microscout.cli.common import progress_bar

    return progress_bar(what, total)


@command.command("refresh-features")
@click.option("--json", "as_json", is_flag=True, help="Print JSON: features computed per settings version, "
                                                      "stale ones removed.")
@with_env
def refresh_features(env: Env, as_json: bool) -> None:
    """Recompute stale stored per-item features.

    A post's sponsored analysis and a comment's or follower's class are stored when written,
    for the settings the configured rules use; after a change of those settings (or of a
    detector) this brings every item up to date. `shortlist` runs it itself when needed.
    """
    from microscout.engine import features
    from microscout.store import features as store_features

    db = env.db(create=False)
    missing = features.prepare(db, env.config, env.rules)
    with features_progress(missing) as progress:
        result = store_features.refresh(db, progress)
    if as_json:
        import json

        click.echo(json.dumps({"database": str(env.database_path.resolve()), "computed": result.computed,
                               "versions": result.versions, "removed": result.removed}, indent=2))
        return
    if not result.computed and not result.removed:
        click.echo(f"{env.database_path}: stored features up to date")
        return
    click.echo(f"{env.database_path}: computed {result.computed:,} stored features"
               + (f" ({', '.join(f'{n:,} for settings {v}' for v, n in sorted(result.versions.items()))})"
                  if result.versions else "")
               + (f"; removed {result.removed:,} of settings no longer in use" if result.removed else ""))
