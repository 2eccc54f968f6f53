"""`microscout export CAMPAIGN`: write the latest shortlist, marked new/unchanged/dropped."""
from __future__ import annotations

from pathlib import Path

import click

from microscout.cli.common import Env, UsageProblem, with_env


@click.command("export")
@click.argument("campaign")
@click.option("--format", "fmt", default=None, help="Exporter name: csv, json, jsonl or a plugin's (default from config).")
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help="File to write (default: exports dir from config, CAMPAIGN-TIMESTAMP.EXT).")
@click.option("--limit", type=int, default=None, help="Rows (default: the campaign's shortlist_size).")
@with_env
def command(env: Env, campaign: str, fmt: str | None, out: str | None, limit: int | None) -> None:
    """Export CAMPAIGN's latest shortlist with reasons.

    Each row carries every rule's outcome and reason and is marked new, unchanged or
    dropped against the previous export; the file is written atomically.
    """
    from microscout.engine.export import ExportError, default_path, export_shortlist
    from microscout.engine.plugins import collect_exporters

    config = env.config
    spec = config.campaign(campaign)
    exporters = collect_exporters(env.pm)
    name = fmt or config.exports.default_format
    if name not in exporters:
        raise UsageProblem(f"no exporter {name!r}; available: {', '.join(sorted(exporters))}")
    exporter = exporters[name]
    path = Path(out) if out else default_path(config.path(config.exports.dir), campaign, exporter)
    try:
        result = export_shortlist(env.db(create=False), campaign, limit or spec.shortlist_size, exporter, path)
    except ExportError as exc:
        raise UsageProblem(str(exc)) from None
    click.echo(f"Wrote {result['rows']} rows to {result['path']} "
               f"({result['new']} new, {result['unchanged']} unchanged, {result['dropped']} dropped).")
