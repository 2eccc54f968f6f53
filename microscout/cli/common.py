"""What every command shares: --config and --db, lazy loading, clear errors, exit codes.

Exit codes: 0 success, 1 a runtime failure, 2 bad configuration or bad input. Every failure
is one line saying what went wrong, where, and what to do (see :func:`failure`); the full
traceback goes to the error log, and to the terminal only with `microscout --debug`.
"""
from __future__ import annotations

import contextlib
import errno
import functools
import os
import re
import sqlite3
import sys
import traceback
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator

import click
import pluggy
from click.core import ParameterSource

from microscout.config import Config, ConfigError, load_config

if TYPE_CHECKING:
    import sqlite_utils


class FiniteFloatRange(click.FloatRange):
    """click.FloatRange that also refuses nan and inf (a float() reads them; no option means them)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if number != number or number in (float("inf"), float("-inf")):
            self.fail(f"{value!r} is not a finite number.", param, ctx)
        return number


class UsageProblem(click.ClickException):
    """Bad config or bad input: the message names the file, key or value; exit 2."""

    exit_code = 2


class Failure(click.ClickException):
    """Any other error, as the one line a user sees: exit 1 (runtime); BadInput: exit 2 (bad input)."""


class BadInput(Failure):
    """A Failure caused by configuration or input (a retry does not change it): exit 2."""

    exit_code = 2


ERROR_LOG_NAME = "errors.log"
ERROR_LOG_LIMIT = 1_000_000  # bytes; past that the log starts afresh (the old one kept as .1)


def error_log_path() -> Path:
    from microscout.crawlers.bsky_session import state_dir

    return state_dir() / ERROR_LOG_NAME


def log_traceback(exc: BaseException) -> Path | None:
    """Append the exception's traceback to the error log; its path, or None if unwritable."""
    try:
        path = error_log_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() and path.stat().st_size > ERROR_LOG_LIMIT:
            os.replace(path, path.with_name(ERROR_LOG_NAME + ".1"))
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8", errors="replace") as log:
            stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
            log.write(f"--- {stamp} microscout {' '.join(sys.argv[1:])}\n")
            log.write("".join(traceback.format_exception(exc)))
        return path
    except Exception:  # noqa: BLE001 - a log that cannot be written must not hide the error
        return None


# The largest count SQLite takes (a LIMIT beyond it was "unexpected error: OverflowError").
SQLITE_MAX = 2**63 - 1


class Count(click.ParamType):
    """A number of rows or candidates: 1 or more, and no more than SQLite can count. Its refusal
    says that in words (IntRange's said "0 is not in the range 1<=x<=9223372036854775807")."""

    name = "integer"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        number: int = click.INT.convert(value, param, ctx)
        if number < 1:
            self.fail(f"{number} is fewer than 1: give 1 or more", param, ctx)
        if number > SQLITE_MAX:
            self.fail(f"{number} is more than SQLite can count: give at most {SQLITE_MAX:,}", param, ctx)
        return number


# C0 and C1 control characters but newline and tab: crawled text printed as it is could move
# the cursor, clear the screen or retitle the window of whoever reads it.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal_safe(text: str | None) -> str:
    """``text`` (a display name, a reason quoting a post) with each control character shown as U+FFFD."""
    return _CONTROL.sub("\ufffd", text or "")


def _one_line(text: object) -> str:
    return " ".join(str(text).split()) or "(no message)"


def failure(exc: BaseException) -> Failure:
    """The one line (and exit code) for an exception no command turned into a message."""
    from microscout.config import ConfigError
    from microscout.crawlers.parse_common import Malformed
    from microscout.engine.plugins import PluginError, PluginFailed
    from microscout.store import StoreError

    if isinstance(exc, (ConfigError, PluginError, StoreError)):
        return BadInput(_one_line(exc))
    if isinstance(exc, PluginFailed):
        return Failure(_one_line(exc))
    if isinstance(exc, Malformed):
        return BadInput(f"malformed input: {_one_line(exc)}")
    if isinstance(exc, UnicodeDecodeError):
        return BadInput(f"input is not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset {exc.start}); "
                        f"save it as UTF-8")
    if isinstance(exc, RecursionError):
        return BadInput("input nested too deeply to read; check the file or the server's answer")
    # the database the command opened (with_env notes it): it may come from the config, not --db
    named = [n.removeprefix("database: ") for n in getattr(exc, "__notes__", ()) if n.startswith("database: ")]
    if isinstance(exc, sqlite3.OperationalError) and ("locked" in str(exc) or "busy" in str(exc)):
        return Failure(f"the database {named[0] + ' ' if named else ''}is busy ({_one_line(exc)}): another "
                       f"microscout process is writing to it; try again when it has finished")
    if isinstance(exc, sqlite3.OperationalError) and ("no such column" in str(exc) or "no such table" in str(exc)):
        return Failure(f"database error: {_one_line(exc)}; the database may predate this version of microscout: "
                       f"run `microscout db migrate` (or pass --db with another database)")
    if isinstance(exc, sqlite3.OperationalError) and "readonly" in str(exc):
        return BadInput(f"the database cannot be written ({_one_line(exc)}): check the permissions of the file "
                        f"given as --db and of its folder, or pass --db with a writable copy")
    if isinstance(exc, sqlite3.OperationalError) and (getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL
                                                      or "database or disk is full" in str(exc)):
        # SQLite's word for ENOSPC: the file is sound (the write was rolled back), so an
        # integrity check would send the user looking for damage that is not there.
        return Failure(f"no space left on the device holding the database{' ' + named[0] if named else ''} "
                       f"({_one_line(exc)}); free some space and run the command again")
    if isinstance(exc, sqlite3.DatabaseError):
        where = named[0] if named else "FILE"
        return Failure(f"database error: {_one_line(exc)}; check the database "
                       + (f"{where} " if named else "given as --db (or `database` in the config) ")
                       + f"(sqlite3 {where} 'PRAGMA integrity_check')")
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        what = exc.strerror or _one_line(exc)
        if exc.errno == errno.ENOSPC:
            return Failure(f"no space left on the device{where}; free some space and run the command again")
        bad_path = exc.errno in (errno.EACCES, errno.EPERM, errno.ENOENT, errno.ENOTDIR, errno.EISDIR,
                                 errno.EEXIST, errno.EROFS)
        return (BadInput if bad_path else Failure)(f"{what}{where}; check the path and its permissions")
    if isinstance(exc, MemoryError):
        return Failure("out of memory; try a smaller batch (--batch-size) or fewer profiles")
    return Failure(f"unexpected error: {type(exc).__name__}: {_one_line(exc)[:300]}")


PLUGINS_KEY = "microscout.plugins"


def plugins_for(config: Config, ctx: click.Context | None = None) -> pluggy.PluginManager:
    """The plugin manager of ``config``, built once per command line: the top-level group
    (finding a plugin's command) and the command itself (its rules) share it, so each
    plugins_dir file runs once."""
    from microscout.engine.plugins import plugin_manager_for

    ctx = ctx or click.get_current_context(silent=True)
    cached = ctx.meta.get(PLUGINS_KEY) if ctx is not None else None
    if cached is not None and cached[0] == config.source:
        return cached[1]
    pm = plugin_manager_for(config)
    plugin_commands(pm)
    _warn_of_unmatched_names(config)
    if ctx is not None:
        ctx.meta[PLUGINS_KEY] = (config.source, pm)
    return pm


def _warn_of_unmatched_names(config: Config) -> None:
    from microscout.engine.plugins import LOAD_PLUGINS_ENV, plugins_to_load, unmatched_names

    only = plugins_to_load()
    if not only:
        return
    plugins_dir = config.path(config.plugins_dir) if config.plugins_dir else None
    for name in unmatched_names(only, plugins_dir):
        click.echo(f"warning: {LOAD_PLUGINS_ENV} names {name!r}, which is no installed plugin (entry point or "
                   f"distribution) and no file in plugins_dir {plugins_dir or '(none)'}: it loads nothing", err=True)


def plugin_commands(pm: pluggy.PluginManager) -> dict[str, str]:
    """Each command the plugins add -> the plugin adding it. A plugin's command named as a
    built-in one would never run (the built-in is found first): refused, naming the plugin,
    as a rule or exporter name already taken is."""
    from microscout.cli import COMMANDS
    from microscout.engine.plugins import PluginError, call_hook

    owners: dict[str, str] = {}
    for impl in pm.hook.register_commands.get_hookimpls():
        holder = click.Group()
        call_hook(impl, "register_commands", cli=holder)
        taken = sorted(set(holder.commands) & set(COMMANDS))
        if taken:
            raise PluginError(f"plugin {impl.plugin_name}: command {taken[0]!r} is already a microscout command; "
                              "pick another name")
        for name in sorted(holder.commands):
            if name in owners:
                raise PluginError(f"plugin {impl.plugin_name}: command {name!r} is already added by plugin "
                                  f"{owners[name]}; one of them must pick another name")
            owners[name] = impl.plugin_name
    return owners


class Env:
    """Config, database and plugins for one command, each loaded on first use."""

    def __init__(self, config_path: str | None, db_path: str | None):
        self.config_path = config_path
        self.db_path = db_path
        self._config: Config | None = None
        self._pm: pluggy.PluginManager | None = None
        self._rules = None
        self._loaded_rules = None
        self._db: sqlite_utils.Database | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.config_path)
        return self._config

    @property
    def database_path(self) -> Path:
        return Path(self.db_path) if self.db_path else self.config.path(self.config.database)

    def db(self, create: bool = False, readonly: bool = False):
        """The database. ``create=False``: it must exist already (a command never creates one
        by accident). ``readonly=True``: opened read-only (mode=ro): nothing is created,
        migrated or written. A writable open also marks killed shortlist runs interrupted."""
        from microscout.store import open_store
        from microscout.store.runs import interrupt_stale_runs

        if self._db is None:
            self._db = open_store(self.database_path, create=create and not readonly, readonly=readonly)
            if not readonly:
                interrupt_stale_runs(self._db)
        return self._db

    @property
    def pm(self) -> pluggy.PluginManager:
        if self._pm is None:
            self._pm = plugins_for(self.config)
        return self._pm

    @property
    def loaded_rules(self):
        """All registered rules, whatever the config names (see warn_of_config_rules)."""
        if self._loaded_rules is None:
            from microscout.engine.plugins import collect_rules

            self._loaded_rules = collect_rules(self.pm)
        return self._loaded_rules

    @property
    def rules(self):
        """All registered rules, after checking that config names only real ones."""
        if self._rules is None:
            from microscout.engine.evaluate import check_rule_config

            check_rule_config(self.config, self.loaded_rules)
            self._rules = self.loaded_rules
        return self._rules


def warn_of_config_rules(env: Env, creating: str | None = None, options: bool = True) -> None:
    """What the config gets wrong about rules, one line on stderr, for the commands that say
    what is loaded (plugins, rules, new-rule): they must work while the config still names a
    rule whose plugin was deleted, renamed or left out, or gives one options it refuses, as
    they are how a developer finds out. The commands that judge still refuse (env.rules).
    ``creating``: the rule new-rule writes, which the config may name already; ``options``
    False: not the options a rule refuses (a command about to stop on them says so itself)."""
    from microscout.engine.evaluate import check_rule_options, switch_hint, unloaded_rules
    from microscout.words import did_you_mean

    config, rules = env.config, env.loaded_rules
    missing = [(key, name) for key, name in unloaded_rules(config, rules) if name != creating]
    if missing:
        name = missing[0][1]
        keys = [key for key, n in missing if n == name]
        others = sorted({n for _, n in missing} - {name})
        also = f" (so do other keys for {', '.join(map(repr, others))})" if others else ""
        message = (f"{config.source}: {', '.join(keys)} {'names' if len(keys) == 1 else 'name'} rule {name!r}, "
                   f"which is not loaded: no plugin registers it{also}; {did_you_mean(name, rules, cutoff=0.8)}"
                   f"{switch_hint()}restore its plugin or remove the key")
    elif not options:
        return
    else:
        try:
            check_rule_options(config, rules)
            return
        except ConfigError as exc:
            message = str(exc)
    click.echo(f"warning: {message} (shortlist, try and config check stop on it)", err=True)


def rule_options(env: Env, rule: str, platform: str):
    """A rule's options as configured for a platform (outside any campaign)."""
    from microscout.engine.evaluate import rule_setup

    return rule_setup(env.config, env.rules[rule], platform, None)[1]


PLATFORM_OPTION = click.option(
    "--platform", default="instagram", show_default=True,
    type=click.Choice(["mastodon", "bluesky", "instagram", "tiktok", "youtube"]),
    help="Whose [platforms.P.rules] overrides of the configured thresholds apply.")


def with_env(func: Callable) -> Callable:
    """Add --config and --db to a command and pass it an Env as first argument."""

    @click.option("--db", "db_path", type=click.Path(dir_okay=False), default=None,
                  help="SQLite database (default: `database` from config).")
    @click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
                  envvar="MICROSCOUT_CONFIG", help="Config file (default: ./config.toml, else built-in defaults).")
    @functools.wraps(func)
    def wrapper(*args: Any, config_path: str | None, db_path: str | None, **kwargs: Any):
        from microscout.engine.plugins import PluginError

        ctx = click.get_current_context()
        parent = ctx.find_root().obj or {}
        if parent.get("config_path") and ctx.get_parameter_source("config_path") is ParameterSource.ENVIRONMENT:
            # `microscout --config b.toml CMD` with MICROSCOUT_CONFIG set read the variable's file:
            # a flag given beats the environment
            config_path = None
        env = Env(config_path or parent.get("config_path"), db_path or parent.get("db_path"))
        try:
            return func(env, *args, **kwargs)
        except (ConfigError, PluginError) as exc:
            raise UsageProblem(str(exc)) from None
        except Exception as exc:
            # A StoreError comes only from a loaded store; importing it here (sqlite-utils, ~45 ms)
            # would slow every command that never opens the database, such as `microscout rules`.
            store = sys.modules.get("microscout.store")
            if store is not None and isinstance(exc, store.StoreError):
                raise UsageProblem(str(exc)) from None
            if isinstance(exc, sqlite3.DatabaseError) and env._db is not None:
                # name the database the command opened (it may come from the config, not --db)
                exc.add_note(f"database: {env.database_path}")
            raise

    return wrapper


@contextlib.contextmanager
def progress_bar(what: str, total: int | None) -> Iterator[Callable[[int], None] | None]:
    """A long step's progress bar on stderr, with the count and the time left; yields the
    callback to report how many are done. Off a terminal (or with nothing to do): None."""
    from rich.console import Console

    err = Console(stderr=True)
    if not err.is_terminal or total == 0:
        yield None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    with Progress(TextColumn(what), BarColumn(), MofNCompleteColumn(), TextColumn("·"), TimeElapsedColumn(),
                  TextColumn("elapsed ·"), TimeRemainingColumn(), TextColumn("left"), console=err,
                  transient=True) as bar:
        task = bar.add_task(what, total=total)
        yield lambda done: bar.update(task, completed=done)
