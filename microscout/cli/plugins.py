"""`microscout plugins`: what is loaded, from where, with which hooks."""
from __future__ import annotations

import json
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from microscout.cli.common import Env, plugin_commands, warn_of_config_rules, with_env


@click.command("plugins", short_help="List loaded plugins and where each came from.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_env
def command(env: Env, as_json: bool) -> None:
    """List loaded plugins (built-in, entry points, plugins_dir) with their hooks and the
    rules, export formats and commands each adds."""
    from microscout.engine.plugins import collect_exporters, plugin_source

    pm = env.pm
    formats: dict[str, list[str]] = {}
    collect_exporters(pm, formats)
    rules: dict[str, list[str]] = {}
    warn_of_config_rules(env)
    for rule in env.loaded_rules.values():
        rules.setdefault(rule.plugin, []).append(rule.name)
    commands: dict[str, list[str]] = {}
    for command_name, plugin_name in plugin_commands(pm).items():
        commands.setdefault(plugin_name, []).append(command_name)
    rows: list[dict[str, Any]] = []
    for plugin in pm.get_plugins():
        name = pm.get_name(plugin) or ""
        hooks = sorted(c.name for c in pm.get_hookcallers(plugin) or [])
        rows.append({"name": name, "source": plugin_source(pm, plugin), "hooks": hooks,
                     "rules": sorted(rules.get(name, [])), "formats": sorted(formats.get(name, [])),
                     "commands": sorted(commands.get(name, []))})
    rows.sort(key=lambda r: (r["source"] != "built-in", r["name"]))
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    table = Table(title="Plugins")
    for col in ("name", "source", "hooks", "adds"):
        table.add_column(col, overflow="fold")  # a name cut to "microscout.rules.a…" names nothing
    for r in rows:
        adds = [f"{key}: {', '.join(r[key])}" for key in ("rules", "formats", "commands") if r[key]]
        table.add_row(r["name"], r["source"], ", ".join(r["hooks"]), "; ".join(adds))
    Console().print(table)
