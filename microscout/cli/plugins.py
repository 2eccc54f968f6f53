"""`microscout plugins`: what is loaded, from where, with which hooks."""
from __future__ import annotations

import json
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from microscout.cli.common import Env, with_env


@click.command("plugins", short_help="List loaded plugins and where each came from.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_env
def command(env: Env, as_json: bool) -> None:
    """List loaded plugins (built-in, entry points, plugins_dir) with their hooks."""
    from microscout.engine.plugins import plugin_source

    pm = env.pm
    rows: list[dict[str, Any]] = []
    for plugin in pm.get_plugins():
        name = pm.get_name(plugin)
        hooks = sorted(c.name for c in pm.get_hookcallers(plugin) or [])
        rows.append({"name": name, "source": plugin_source(pm, plugin), "hooks": hooks})
    rows.sort(key=lambda r: (r["source"] != "built-in", r["name"]))
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    table = Table(title="Plugins")
    for col in ("name", "source", "hooks"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["name"], r["source"], ", ".join(r["hooks"]))
    Console().print(table)
