"""`microscout export CAMPAIGN`: write the latest shortlist, with each rank's change since the last export."""
from __future__ import annotations

import json
import re
from pathlib import Path

import click

from microscout.cli.common import Count, Env, Failure, UsageProblem, with_env


@click.command("export")
@click.argument("campaign")
@click.option("--format", "fmt", default=None,
              help="Exporter name: csv, xlsx, html, json, jsonl or a plugin's (default: from --out's "
                   "extension, else from config).")
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help="File to write (default: exports dir from config, CAMPAIGN-TIMESTAMP.EXT).")
@click.option("--limit", type=Count(), default=None,
              help="Rows (default: the campaign's shortlist_size).")
@click.option("--bom/--no-bom", default=True, show_default=True,
              help="Start a csv with a UTF-8 byte-order mark, so spreadsheets read it as UTF-8.")
@click.option("--json", "as_json", is_flag=True, help="Print what was written as JSON.")
@with_env
def command(env: Env, campaign: str, fmt: str | None, out: str | None, limit: int | None, bom: bool,
            as_json: bool) -> None:
    """Export CAMPAIGN's latest shortlist with reasons.

    Each row carries the profile link, display name, a contact (an email in the bio, else
    the creator's own website as the platform gives it, else a website in the bio), every
    rule's outcome and reason, and the rank's change against the previous export (new,
    up N, down N, unchanged, dropped); the file is written atomically.
    """
    from microscout.engine.export import ExportError, default_path, export_shortlist, vanished_folder
    from microscout.engine.plugins import collect_exporters

    if out is not None and not out.strip():
        raise UsageProblem("--out is empty; give the file to write, or leave --out out for the default path")
    if out == "-":
        raise UsageProblem("--out -: an export is a file (written whole, then put in place); give its name")
    config = env.config
    spec = config.campaign(campaign)
    exporters = collect_exporters(env.pm)
    by_extension = {e.extension.lower(): n for n, e in sorted(exporters.items(), reverse=True)}
    suffix = Path(out).suffix.lstrip(".").lower() if out else ""
    # --out report.xlsx alone asks for a workbook: the extension chooses the format.
    if fmt and fmt not in exporters:  # --format CSV is csv: one exporter of that name in any case
        same = [n for n in exporters if n.lower() == fmt.lower()]
        fmt = same[0] if len(same) == 1 else fmt
    name = fmt or by_extension.get(suffix) or config.exports.default_format
    if name not in exporters:
        where = "--format" if fmt else "exports.default_format in the config"
        raise UsageProblem(f"no exporter {name!r} ({where}); available: {', '.join(sorted(exporters))}")
    exporter = exporters[name]
    if fmt and suffix in by_extension and suffix != exporter.extension.lower():
        raise UsageProblem(f"--out {out} ends in .{suffix}, but --format {fmt} writes .{exporter.extension}; "
                           f"name the file .{exporter.extension} or give --format {by_extension[suffix]}")
    # An ending with a letter is an extension (.json5, .mp4); "shortlist-2026.12.04" has none.
    if any(c.isalpha() for c in suffix) and suffix not in by_extension:
        # report.htm got CSV text, and config.toml was replaced by a CSV
        raise UsageProblem(f"--out {out} ends in .{suffix}, which no exporter writes; name the file "
                           f".{exporter.extension} (formats: "
                           f"{', '.join(f'{n} .{e.extension}' for n, e in sorted(exporters.items()))})")
    path = Path(out) if out else default_path(config.path(config.exports.dir), campaign, exporter)
    db = env.db(create=False)
    # The configured folder, gone since exports were written there (an unmounted share), is
    # not made again on the local disk; --out names a file, whose folder is made as asked.
    gone = None if out else vanished_folder(db, path.parent, f"change exports.dir in {config.source} or give --out")
    if gone:
        raise Failure(gone)
    try:
        result = export_shortlist(db, campaign, limit or spec.shortlist_size, exporter, path,
                                  config=config, bom=bom, new_name=out is None)
    except ExportError as exc:
        if out is None:  # the path came from the config, not from --out: name the key to change
            keys = f"set exports.dir in {config.source} (now {config.exports.dir!r}) or give --out"
            raise UsageProblem(re.sub(r"(?:choose another|pass) --out(?: with a file name)?", keys, str(exc))) from None
        raise UsageProblem(str(exc)) from None
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    click.echo(f"Wrote {result['rows']} rows to {result['path']} ({summary_of(result)}).")


def summary_of(result: dict) -> str:
    """"3 new, 2 up, 14 unchanged, 1 dropped against export 7" (the counts that are not 0)."""
    parts = [f"{result[s]} {s}" for s in ("new", "up", "down", "unchanged", "dropped") if result.get(s)]
    against = f" against export {result['compared_with']}" if result.get("compared_with") else ""
    return (", ".join(parts) or "no rows") + against
