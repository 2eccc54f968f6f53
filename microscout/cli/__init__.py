"""The `microscout` command line.

Every command runs inside one error boundary (:class:`Boundary`): a failure is one line,
exit 2 for bad input or configuration and 1 for a runtime failure; the traceback goes to
the error log, and to the terminal only with `--debug`.
"""
from __future__ import annotations

import errno
import importlib
import os
import traceback

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
    "microscout.cli.import_cmd",
    "microscout.cli.logout",
    "microscout.cli.sandbox",
    "microscout.cli.demo",
    "microscout.cli.schedule",
    "microscout.cli.browse",
)


class Boundary(click.Group):
    """The top-level group: whatever a command raises ends as one clear line.

    Plugins' commands (hook ``register_commands``) are found only when asked for, with the
    plugins of the config this invocation names (``microscout --config X CMD``), loaded once
    and shared with the command itself (see ``common.plugins_for``).
    """

    def _plugin_commands(self, ctx: click.Context) -> dict[str, click.Command]:
        from microscout.cli.common import plugins_for
        from microscout.config import load_config

        config = load_config(ctx.params.get("config_path") or os.environ.get("MICROSCOUT_CONFIG"))
        holder = click.Group()
        plugins_for(config, ctx).hook.register_commands(cli=holder)
        return {name: cmd for name, cmd in holder.commands.items() if name not in self.commands}

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None or ctx.resilient_parsing:
            return command
        try:
            return self._plugin_commands(ctx).get(cmd_name)
        except Exception as exc:  # noqa: BLE001 - say why the command cannot be had, in one line
            from microscout.cli.common import failure

            raise failure(exc) from None

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = super().list_commands(ctx)
        try:
            return sorted({*names, *self._plugin_commands(ctx)})
        except Exception:  # noqa: BLE001 - a broken config or plugin must not break --help
            return names

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, KeyboardInterrupt, EOFError):
            raise
        except click.ClickException:
            if ctx.params.get("debug"):
                traceback.print_exc()
            raise
        except Exception as exc:
            if isinstance(exc, OSError) and exc.errno == errno.EPIPE:
                raise  # click ends quietly when the reader of a pipe goes away
            if ctx.params.get("debug"):
                raise
            from microscout.cli.common import Failure, failure, log_traceback

            problem = failure(exc)
            log = log_traceback(exc)
            if problem.exit_code == 1 and log is not None:
                problem = Failure(f"{problem.message} (traceback in {log}; `microscout --debug …` prints it)")
            raise problem from None


@click.group(cls=Boundary, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="microscout")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
              help="Config file for every command (default: ./config.toml).")
@click.option("--db", "db_path", type=click.Path(dir_okay=False), default=None,
              help="SQLite database for every command (default: `database` from config).")
@click.option("--debug", is_flag=True, envvar="MICROSCOUT_DEBUG",
              help="On an error, print the full traceback (it always goes to the error log).")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, db_path: str | None, debug: bool) -> None:
    """Find micro-influencers worth a brand's time, with every rank explained."""
    ctx.obj = {"config_path": config_path, "db_path": db_path, "debug": debug}


def _add_commands() -> None:
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        cli.add_command(module.command)


_add_commands()
