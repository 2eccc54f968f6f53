"""`microscout config check`: validate the config file and every rule option in it."""
from __future__ import annotations

from pathlib import Path

import click

from microscout.cli.common import Env, with_env
from microscout.words import counted


@click.group("config")
def command() -> None:
    """Inspect and validate configuration."""


@command.command("check", short_help="Validate the config and every rule option in it.")
@with_env
def check(env: Env) -> None:
    """Validate the config: keys, types, tiers, campaigns, every rule's options and the
    export formats named (exports.default_format, each schedule's formats)."""
    from microscout.cli.schedule import check_campaign_tags, check_formats
    from microscout.config import read_toml, secrets_in_file, unset_secrets
    from microscout.engine.evaluate import idle_gates

    config = env.config
    rules = env.rules  # checks rule names and options against the registered rules
    check_formats(env, list(config.schedules), default_format=True)
    for campaign in config.campaigns:
        check_campaign_tags(env, campaign)
    if config.from_file:
        for key in secrets_in_file(read_toml(Path(config.source))):
            click.echo(f"warning: {config.source}: {key} is written in the file; use {{\"$env\" = \"NAME\"}} "
                       f"and export NAME=..., so the secret stays out of the file", err=True)
    for message in unset_secrets(config):  # the config loads; the command that reads one stops
        click.echo(f"warning: {message}: a command that needs it stops there", err=True)
    for message in idle_gates(config, rules):
        click.echo(f"warning: {message}", err=True)
    click.echo(f"{config.source}: OK ({counted(len(config.campaigns), 'campaign')}, {counted(len(rules), 'rule')}, "
               f"database {env.database_path})")


@command.command("show")
@with_env
def show(env: Env) -> None:
    """Print the effective configuration as JSON (secrets masked)."""
    import json

    from microscout.jsontext import finite

    # str() of a secret masks it (and says which variable an unset one waits for); pydantic's
    # own JSON would read an unset secret's value. An infinite bound is null, as pydantic wrote it.
    shown = finite(env.config.model_dump())
    # the database the commands open: --db, else `database` resolved against the config's folder
    shown["database"] = str(Path(env.database_path).resolve())
    click.echo(json.dumps(shown, indent=2, ensure_ascii=False, default=str))
