"""`microscout rules`: every registered rule, its options and what it needs."""
from __future__ import annotations

import json

import click
from rich.console import Console
from rich.table import Table

from microscout.cli.common import Env, UsageProblem, warn_of_config_rules, with_env


def describe_options(model) -> list[dict]:
    return [{"name": n, "default": f.get_default(call_default_factory=True), "description": f.description or ""}
            for n, f in model.model_fields.items()]


@click.command("rules", short_help="List every rule, its options and the data it needs.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--toml", "as_toml", is_flag=True, help="Print every rule's options with defaults as config.toml tables.")
@click.option("--campaign", default=None, help="Show which rules are enabled, gating and weighted in this campaign.")
@with_env
def command(env: Env, as_json: bool, as_toml: bool, campaign: str | None) -> None:
    """List every rule with its summary, the data it needs and its options."""
    from microscout.engine.evaluate import Evaluator, rule_setup

    if as_json and as_toml:
        raise UsageProblem("--json and --toml: give one (JSON for scripts, TOML to paste into config.toml)")
    if as_toml and campaign:
        raise UsageProblem("--toml prints every rule's default options, whatever the campaign; leave out --campaign, "
                           "or drop --toml to see the campaign's rules")
    rules = env.loaded_rules  # this command shows what is loaded, whatever config.toml names
    # A campaign's view reads the options as a shortlist does, and stops on a refused one itself.
    warn_of_config_rules(env, options=not campaign)
    config = env.config
    if as_toml:
        from microscout.engine.tomlout import rules_toml

        click.echo(rules_toml(rules))
        return
    spec = config.campaign(campaign) if campaign else None
    # Gates and weights as the shortlist reads them: a rule that gates every campaign
    # (Rule.gate, e.g. automated) is a gate here too, weighted 0 unless the campaign says.
    judge = Evaluator(config, rules, campaign) if campaign else None
    rows = []
    for rule in rules.values():
        row = {"name": rule.name, "summary": rule.summary, "plugin": rule.plugin,
               "needs": sorted(n.value for n in rule.needs), "prefilter": rule.prefilter,
               "options": describe_options(rule.options)}
        if spec and judge:
            row["enabled"] = {p: rule_setup(config, rule, p, campaign)[0] for p in judge.platforms}
            row["gate"] = rule.name in judge.gates
            row["weight"] = judge.weight(rule.name)
        rows.append(row)
    if as_json:
        click.echo(json.dumps(rows, indent=2, default=str))
        return
    from rich.markup import escape

    table = Table(title=f"Rules{f' in campaign {campaign}' if campaign else ''}", show_lines=True)
    for col in ("rule", "summary", "needs", "options (default)"):
        table.add_column(col, overflow="fold")
    if spec:
        table.add_column("in campaign")
    for row in rows:
        opts = escape("\n".join(f"{o['name']} = {_shown(o['default'])}" for o in row["options"]) or "-")
        cells = [row["name"], f"{row['summary']}\n[dim]{row['plugin']}[/dim]", ", ".join(row["needs"]), opts]
        if spec:
            on = [p for p, e in row["enabled"].items() if e]
            cells.append(("gate, " if row["gate"] else "") + f"weight {row['weight']}" if on else "disabled")
        table.add_row(*cells)
    Console().print(table)


def _shown(default) -> str:
    """An option's default as config.toml writes it: a nested table by its own options
    (`microscout rules --toml` prints them whole), not a Python repr."""
    from pydantic import BaseModel

    if isinstance(default, BaseModel):
        return f"(a table of {len(type(default).model_fields)} options: see --toml)"
    return repr(default)
