"""The `microscout` command line."""
from __future__ import annotations

import importlib

import click

from microscout import __version__

# Each module defines `command`, a click command or group added to the CLI below.
COMMAND_MODULES = (
    "microscout.cli.shortlist",
    "microscout.cli.explain",
    "microscout.cli.export",
    "microscout.cli.check",
    "microscout.cli.rules",
    "microscout.cli.try_rule",
    "microscout.cli.new_rule",
    "microscout.cli.plugins",
    "microscout.cli.config",
    "microscout.cli.db",
    "microscout.cli.crawl",
    "microscout.cli.logout",
    "microscout.cli.sandbox",
    "microscout.cli.demo",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="microscout")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
              help="Config file for every command (default: ./config.toml).")
@click.option("--db", "db_path", type=click.Path(dir_okay=False), default=None,
              help="SQLite database for every command (default: `database` from config).")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, db_path: str | None) -> None:
    """Find micro-influencers worth a brand's time, with every rank explained."""
    ctx.obj = {"config_path": config_path, "db_path": db_path}


def _add_commands() -> None:
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        cli.add_command(module.command)


def _add_plugin_commands() -> None:
    # Plugins' commands need the config's plugins_dir; a broken config must not break --help.
    from microscout.config import ConfigError, load_config
    from microscout.engine.plugins import PluginError, plugin_manager_for

    try:
        pm = plugin_manager_for(load_config(None))
    except (ConfigError, PluginError):
        return
    pm.hook.register_commands(cli=cli)


_add_commands()
_add_plugin_commands()
