"""What every command shares: --config and --db, lazy loading, clear errors, exit codes.

Exit codes: 0 success, 1 a runtime failure, 2 bad configuration or bad input.
"""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Callable

import click
import pluggy

from microscout.config import Config, ConfigError, load_config


class UsageProblem(click.ClickException):
    """Bad config or bad input: the message names the file, key or value; exit 2."""

    exit_code = 2


class Env:
    """Config, database and plugins for one command, each loaded on first use."""

    def __init__(self, config_path: str | None, db_path: str | None):
        self.config_path = config_path
        self.db_path = db_path
        self._config: Config | None = None
        self._pm: pluggy.PluginManager | None = None
        self._rules = None
        self._db = None

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.config_path)
        return self._config

    @property
    def database_path(self) -> Path:
        return Path(self.db_path) if self.db_path else self.config.path(self.config.database)

    def db(self, create: bool = False):
        from microscout.store import open_store

        if self._db is None:
            self._db = open_store(self.database_path, create=create)
        return self._db

    @property
    def pm(self) -> pluggy.PluginManager:
        if self._pm is None:
            from microscout.engine.plugins import plugin_manager_for

            self._pm = plugin_manager_for(self.config)
        return self._pm

    @property
    def rules(self):
        """All registered rules, after checking that config names only real ones."""
        if self._rules is None:
            from microscout.engine.evaluate import check_rule_config
            from microscout.engine.plugins import collect_rules

            self._rules = collect_rules(self.pm)
            check_rule_config(self.config, self._rules)
        return self._rules


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
        from microscout.store import StoreError

        parent = click.get_current_context().find_root().obj or {}
        env = Env(config_path or parent.get("config_path"), db_path or parent.get("db_path"))
        try:
            return func(env, *args, **kwargs)
        except (ConfigError, PluginError, StoreError) as exc:
            raise UsageProblem(str(exc)) from None

    return wrapper
