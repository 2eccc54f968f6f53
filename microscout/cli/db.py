"""`microscout db`: the database's size and its migrations."""
from __future__ import annotations

from pathlib import Path

import click

from microscout.cli.common import Env, with_env


@click.group("db")
def command() -> None:
    """Inspect and migrate the SQLite database."""


@command.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print JSON: path, size, row counts, migrations.")
@with_env
def stats(env: Env, as_json: bool) -> None:
    """Row counts per table and applied migrations."""
    from microscout.store.migrations import applied
    from microscout.store.queries import stats as table_stats

    db = env.db(readonly=True)
    if as_json:
        import json

        path = env.database_path
        size = sum(Path(f"{path}{suffix}").stat().st_size for suffix in ("", "-wal")
                   if Path(f"{path}{suffix}").exists())
        click.echo(json.dumps({"database": str(path.resolve()), "bytes": size, "tables": table_stats(db),
                               "migrations": applied(db)}, indent=2))
        return
    click.echo(f"{env.database_path}")
    for table, count in table_stats(db).items():
        click.echo(f"  {table:<20} {count:>10,}")
    click.echo(f"  migrations: {', '.join(applied(db))}")


@command.command("migrate")
@with_env
def migrate(env: Env) -> None:
    """Create the database if needed and apply pending migrations."""
    from microscout.store import open_store
    from microscout.store.migrations import migrate as run_migrations
    from microscout.store.runs import interrupt_stale_runs

    db = open_store(env.database_path, create=True, upgrade=False)
    ran = run_migrations(db)
    stale = interrupt_stale_runs(db)
    click.echo(f"{env.database_path}: " + (f"applied {', '.join(ran)}" if ran else "up to date")
               + (f"; {len(stale)} shortlist runs left by killed processes marked interrupted" if stale else ""))
