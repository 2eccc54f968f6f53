"""`microscout explain HANDLE`: every verdict behind a rank, with its evidence."""
from __future__ import annotations

import json

import click
from rich.console import Console
from rich.table import Table

from microscout.cli.common import Env, UsageProblem, with_env

OUTCOME_STYLE = {"pass": "green", "warn": "yellow", "fail": "red", "unknown": "dim", "error": "magenta"}


@click.command("explain")
@click.argument("handle")
@click.option("--campaign", default=None, help="Campaign whose latest shortlist to explain (default: the latest run).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
@with_env
def command(env: Env, handle: str, campaign: str | None, as_json: bool) -> None:
    """Print every rule's verdict on HANDLE with its evidence."""
    from microscout.engine.shortlist import verdicts_for
    from microscout.store.queries import find_profile

    db = env.db(readonly=True)
    profiles = [p for p in find_profile(db, handle) if not p["opted_out"]]
    if not profiles:
        raise UsageProblem(f"no stored profile matches {handle!r}; check the handle (user@instance on Mastodon, "
                           f"name.bsky.social on Bluesky) or crawl it first")
    console = Console()
    out = []
    for profile in profiles:
        sql = ("SELECT e.*, r.campaign FROM shortlist_entries e JOIN shortlist_runs r ON r.id = e.run_id "
               "WHERE e.profile_id = ? AND r.status = 'finished'")
        params = [profile["id"]]
        if campaign:
            sql += " AND r.campaign = ?"
            params.append(campaign)
        entries = list(db.query(sql + " ORDER BY r.id DESC LIMIT 1", params))
        if not entries:
            raise UsageProblem(f"{profile['handle']} has not been judged yet"
                               + (f" for campaign {campaign!r}" if campaign else "")
                               + "; run `microscout shortlist CAMPAIGN` first")
        entry = entries[0]
        verdicts = verdicts_for(db, entry["run_id"], profile["id"])
        if as_json:
            out.append({"handle": profile["handle"], "platform": profile["platform"], "campaign": entry["campaign"],
                        "run_id": entry["run_id"], "rank": entry["rank"], "score": entry["score"],
                        "excluded_by": entry["excluded_by"],
                        "verdicts": [{**v, "evidence": json.loads(v["evidence"] or "{}")} for v in verdicts]})
            continue
        status = f"excluded by {entry['excluded_by']}" if entry["excluded_by"] else f"rank {entry['rank']}"
        console.print(f"[bold]{profile['handle']}[/bold] ({profile['platform']}), campaign {entry['campaign']} "
                      f"run {entry['run_id']}: {status}, score {entry['score']:.2f}")
        table = Table(show_lines=True)
        for col in ("rule", "outcome", "score", "reason", "evidence"):
            table.add_column(col, overflow="fold")
        for v in verdicts:
            style = OUTCOME_STYLE.get(v["outcome"], "")
            evidence = json.dumps(json.loads(v["evidence"] or "{}"), ensure_ascii=False, indent=1)
            table.add_row(v["rule"], f"[{style}]{v['outcome']}[/{style}]", f"{v['score']:.2f}", v["reason"], evidence)
        console.print(table)
    if as_json:
        click.echo(json.dumps(out if len(out) > 1 else out[0], ensure_ascii=False, indent=2))
