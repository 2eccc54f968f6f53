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
from collections.abc import Iterator, MutableMapping

import click

from microscout import __version__

# click >= 8.2 raises it for a group given no command, to show its help (before, it printed the help and exited)
NoArgsIsHelpError = getattr(click.exceptions, "NoArgsIsHelpError", ())

# Each module defines `command`, a click command or group, imported only when that command
# runs or its own help is shown. `microscout --help` lists every command by the summary kept
# here, without importing any (tests/test_docs.py checks each is the command's own).
COMMANDS: dict[str, tuple[str, str]] = {
    "shortlist": ("microscout.cli.shortlist", "Judge and rank every stored candidate for CAMPAIGN."),
    "explain": ("microscout.cli.explain", "Print every rule's verdict on HANDLE with its evidence in words."),
    "export": ("microscout.cli.export", "Export CAMPAIGN's latest shortlist with reasons."),
    "check": ("microscout.cli.check", "Run a detector on your own CSV or JSON file."),
    "rules": ("microscout.cli.rules", "List every rule, its options and the data it needs."),
    "try": ("microscout.cli.try_rule", "Run one rule on one stored creator."),
    "new-rule": ("microscout.cli.new_rule", "Write a rule plugin to start from, with its test."),
    "plugins": ("microscout.cli.plugins", "List loaded plugins and where each came from."),
    "config": ("microscout.cli.config", "Inspect and validate configuration."),
    "db": ("microscout.cli.db", "Inspect and migrate the SQLite database."),
    "crawl": ("microscout.cli.crawl", "Discover creators on a platform or for a campaign."),
    "import": ("microscout.cli.import_cmd", "Import profiles and posts from CSV, JSONL or instaloader JSON files."),
    "logout": ("microscout.cli.logout", "Delete the saved login session of a platform."),
    "sandbox": ("microscout.cli.sandbox", "Local simulated platforms with known truth."),
    "demo": ("microscout.cli.demo", "Crawl, shortlist and export against a local sandbox, offline."),
    "schedule": ("microscout.cli.schedule", "Run campaigns on cron schedules: list, run, run-once."),
    "browse": ("microscout.cli.browse", "Open the database in Datasette on 127.0.0.1."),
}
COMMAND_MODULES = tuple(module for module, _ in COMMANDS.values())
# commands whose summary is the first sentence of their help (click may shorten it to fit),
# not a short_help of their own (shown whole)
SUMMARY_FROM_HELP = frozenset({"shortlist", "explain", "export", "config", "db", "demo", "schedule", "browse"})


class LazyCommands(MutableMapping[str, click.Command]):
    """A group's commands, each module imported on first access to its command; the names
    alone (``list(cli.commands)``) import nothing."""

    def __init__(self, modules: dict[str, str]):
        self.pending = dict(modules)
        self.loaded: dict[str, click.Command] = {}
        self.order = list(modules)

    def __getitem__(self, name: str) -> click.Command:
        if name in self.loaded:
            return self.loaded[name]
        module_name = self.pending.pop(name, None)
        if module_name is None:
            raise KeyError(name)
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            self.order.remove(name)  # a command not written yet must not stop the others
            raise KeyError(name) from None
        self.loaded[name] = module.command
        return module.command

    def __setitem__(self, name: str, command: click.Command) -> None:
        self.pending.pop(name, None)
        if name not in self.loaded and name not in self.order:
            self.order.append(name)
        self.loaded[name] = command

    def __delitem__(self, name: str) -> None:
        if name not in self.loaded and name not in self.pending:
            raise KeyError(name)
        self.loaded.pop(name, None)
        self.pending.pop(name, None)
        self.order.remove(name)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self.order))

    def __len__(self) -> int:
        return len(self.order)


LISTED_KEY = "microscout.listed_plugin_commands"
OWNERS_KEY = "microscout.plugin_command_owners"


def one_line(exc: click.UsageError) -> click.ClickException:
    """Click's own usage errors (a bad option value, a missing argument, no such command) as the
    one line every other failure is, exit 2: click prints the usage, a hint and the error on
    four lines or more ("Choose from:" and each choice on a line of its own). `microscout` or
    a group given no command still shows its help."""
    from microscout.cli.common import UsageProblem

    if isinstance(exc, NoArgsIsHelpError):
        return exc
    message = " ".join(exc.format_message().split())
    where = f" (`{exc.ctx.command_path} --help` tells more)" if exc.ctx is not None else ""
    return UsageProblem(message + where)


class Boundary(click.Group):
    """The top-level group: whatever a command raises ends as one clear line.

    Plugins' commands (hook ``register_commands``) are found only when asked for, with the
    plugins of the config this invocation names (``microscout --config X CMD``), loaded once
    and shared with the command itself (see ``common.plugins_for``).
    """

    def _plugin_commands(self, ctx: click.Context) -> dict[str, click.Command]:
        from microscout.cli.common import plugins_for
        from microscout.config import load_config
        from microscout.engine.plugins import call_hook

        config = load_config(ctx.params.get("config_path") or os.environ.get("MICROSCOUT_CONFIG"))
        found: dict[str, click.Command] = {}
        # each plugin's commands apart, so that a command that fails is said naming its plugin
        for impl in plugins_for(config, ctx).hook.register_commands.get_hookimpls():
            holder = click.Group()
            call_hook(impl, "register_commands", cli=holder)
            for name, cmd in holder.commands.items():
                if name not in self.commands:
                    found[name] = cmd
                    ctx.meta.setdefault(OWNERS_KEY, {})[name] = impl.plugin_name
        return found

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None or ctx.resilient_parsing:
            return command
        try:
            return self._plugin_commands(ctx).get(cmd_name)
        except Exception as exc:  # noqa: BLE001 - say why the command cannot be had, in one line
            from microscout.cli.common import failure

            raise failure(exc) from None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """As click's, but a built-in command not loaded yet is listed by its summary in
        COMMANDS instead of being imported."""
        commands = []
        for name in self.list_commands(ctx):
            listed = ctx.meta.get(LISTED_KEY) or {}
            if name in listed:
                cmd: click.Command | None = listed[name]
            elif isinstance(self.commands, LazyCommands) and name in self.commands.pending:
                summary = COMMANDS[name][1]
                cmd = (click.Command(name, help=summary) if name in SUMMARY_FROM_HELP
                                             else click.Command(name, short_help=summary))
            else:
                cmd = self.get_command(ctx, name)
            if cmd is not None and not cmd.hidden:
                commands.append((name, cmd))
        if commands:
            limit = formatter.width - 6 - max(len(name) for name, _ in commands)
            with formatter.section("Commands"):
                formatter.write_dl([(name, cmd.get_short_help_str(limit)) for name, cmd in commands])

    def _listed_plugin_commands(self, ctx: click.Context) -> dict[str, click.Command]:
        """Plugins' commands for a listing (--help, completion), once per command line: from
        the plugins the command would load (plugins_for) when built already, else from the
        entry points and plugins_dir alone (no built-in adds a command, and loading them
        all costs more than `microscout --help` may take)."""
        cached = ctx.meta.get(LISTED_KEY)
        if cached is not None:
            return cached
        from microscout.cli.common import PLUGINS_KEY
        from microscout.config import load_config
        from microscout.engine.plugins import make_plugin_manager, plugins_to_load

        config = load_config(ctx.params.get("config_path") or os.environ.get("MICROSCOUT_CONFIG"))
        built = ctx.meta.get(PLUGINS_KEY)
        if built is not None and built[0] == config.source:
            pm = built[1]
        else:
            plugins_dir = config.path(config.plugins_dir) if config.plugins_dir else None
            pm = make_plugin_manager(plugins_dir, defaults=False, only=plugins_to_load())
        holder = click.Group()
        pm.hook.register_commands(cli=holder)
        listed = {name: cmd for name, cmd in holder.commands.items() if name not in self.commands}
        ctx.meta[LISTED_KEY] = listed
        return listed

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = super().list_commands(ctx)
        try:
            return sorted({*names, *self._listed_plugin_commands(ctx)})
        except Exception:  # noqa: BLE001 - a broken config or plugin must not break --help
            return names

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:  # microscout --bogus: the top level's own options
            raise one_line(exc) from None

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:  # a command's options and arguments, or a command not known
            raise one_line(exc) from None
        except KeyboardInterrupt:
            # click would print a bare "Aborted!" and exit 1, the code of a failure (a command
            # that says more, as import does, ends with its own line and 130 before this)
            name = ctx.invoked_subcommand or "command"
            click.echo(f"\nstopped (Ctrl-C): `microscout {name}` did not finish; what it had stored is kept, and a "
                       "run it had begun is recorded interrupted", err=True)
            raise click.exceptions.Exit(130) from None
        except (click.exceptions.Exit, click.exceptions.Abort, EOFError):
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
            owner = (ctx.meta.get(OWNERS_KEY) or {}).get(ctx.invoked_subcommand or "")
            if owner is not None:  # a plugin's command: whom to ask is its plugin
                problem = type(problem)(f"plugin {owner}: command {ctx.invoked_subcommand!r} failed: "
                                        + problem.message.removeprefix("unexpected error: "))
            log = log_traceback(exc)
            if problem.exit_code == 1 and log is not None:
                problem = Failure(f"{problem.message} (traceback in {log}; `microscout --debug …` prints it)")
            raise problem from None


@click.group(cls=Boundary, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="microscout")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
              help="Config file for every command (default: $MICROSCOUT_CONFIG, else ./config.toml, else "
                   "built-in defaults).")
@click.option("--db", "db_path", type=click.Path(dir_okay=False), default=None,
              help="SQLite database for every command (default: `database` from config).")
@click.option("--debug", is_flag=True, envvar="MICROSCOUT_DEBUG",
              help="On an error, print the full traceback (it always goes to the error log).")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, db_path: str | None, debug: bool) -> None:
    """Find micro-influencers worth a brand's time, with every rank explained."""
    ctx.obj = {"config_path": config_path, "db_path": db_path, "debug": debug}


cli.commands = LazyCommands({name: module for name, (module, _) in COMMANDS.items()})
