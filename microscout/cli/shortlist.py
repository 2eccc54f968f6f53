"""`microscout shortlist CAMPAIGN`: judge every stored candidate and rank them."""
from __future__ import annotations

import json

import click
from rich.console import Console
from rich.table import Table

from microscout.cli.common import Env, with_env


def shortlist_table(db, run_id: int, limit: int, title: str) -> Table:
    from microscout.engine.shortlist import ranked_entries

    table = Table(title=title, show_lines=False)
    for name, justify in (("#", "right"), ("handle", "left"), ("platform", "left"), ("tier", "left"),
                          ("followers", "right"), ("eng. rate", "right"), ("score", "right"),
                          ("why", "left")):
        table.add_column(name, justify=justify, overflow="fold")
    for e in ranked_entries(db, run_id, limit=limit):
        rate = e["engagement_rate"]
        table.add_row(str(e["rank"]), e["handle"], e["platform"], e["tier"] or "?",
                      f"{e['followers']:,}" if e["followers"] is not None else "hidden",
                      f"{rate:.2%}" if rate is not None else "n/a", f"{e['score']:.2f}",
                      "\n".join(shorten(r) for r in json.loads(e["reasons"] or "[]")))
    return table


def shorten(reason: str, limit: int = 90) -> str:
    """One line per reason in the table; `microscout explain` has the whole text."""
    return reason if len(reason) <= limit else reason[:limit - 1].rstrip() + "…"


def make_console() -> Console:
    # Off a terminal (a log, a pipe, CI) rich would squeeze the table into 80 columns.
    probe = Console()
    return probe if probe.is_terminal else Console(width=170)


def excluded_line(summary) -> str:
    if not summary.excluded:
        return "Nothing was excluded."
    parts = ", ".join(f"{n} by {rule}" for rule, n in sorted(summary.excluded_by.items(), key=lambda kv: -kv[1]))
    return f"Excluded {summary.excluded} of {summary.candidates}: {parts}."


@click.command("shortlist")
@click.argument("campaign")
@click.option("--limit", type=int, default=None, help="Rows to show (default: the campaign's shortlist_size).")
@click.option("--budget", type=float, default=None,
              help="Fill this budget (same currency as price_per_post) with the best expected engagement per dollar.")
@click.option("--batch-size", type=int, default=500, show_default=True, help="Candidates judged per batch.")
@with_env
def command(env: Env, campaign: str, limit: int | None, budget: float | None, batch_size: int) -> None:
    """Judge and rank every stored candidate for CAMPAIGN.

    The run is persisted with every verdict and its evidence (see `microscout explain`).
    """
    from microscout.cli.common import UsageProblem
    from microscout.engine.shortlist import run_shortlist

    config = env.config
    spec = config.campaign(campaign)
    rules = env.rules
    db = env.db(create=False)
    console = make_console()
    with console.status(f"Judging candidates for {campaign}…"):
        summary = run_shortlist(db, config, rules, campaign, batch_size=batch_size)
    size = limit or spec.shortlist_size
    console.print(shortlist_table(db, summary.run_id, size, f"Shortlist: {campaign} (run {summary.run_id})"))
    console.print(f"Judged {summary.candidates} candidates with {len(rules)} rules; "
                  f"{summary.candidates - summary.excluded} ranked. {excluded_line(summary)}")
    if summary.errors:
        worst = ", ".join(f"{r} ({n})" for r, n in summary.errors_by_rule.items())
        console.print(f"[yellow]{summary.errors} rule errors[/yellow]: {worst}. "
                      f"See `microscout explain HANDLE` for details.")
    budget = budget if budget is not None else spec.budget
    if budget is not None:
        if spec.price_per_post is None:
            raise UsageProblem(f"{config.source}: campaigns.{campaign}.price_per_post is not set; "
                               f"a budget needs a price range, e.g. price_per_post = [50, 300]")
        print_budget(console, db, config, spec, summary.run_id, budget)


def print_budget(console: Console, db, config, spec, run_id: int, budget: float) -> None:
    from microscout.engine.budget import fill_budget
    from microscout.engine.shortlist import ranked_entries

    entries = [dict(e) for e in ranked_entries(db, run_id)]

    def tier_of(entry: dict):
        return config.platforms.get(entry["platform"]).tiers.get(entry["tier"] or "")

    picks = fill_budget(entries, budget, spec.price_per_post, tier_of)
    table = Table(title=f"Budget {budget:,.0f}: best expected engagement per dollar")
    for col in ("#", "handle", "platform", "est. price", "expected engagements", "per dollar"):
        table.add_column(col)
    for p in sorted(picks, key=lambda p: p.entry["rank"]):
        table.add_row(str(p.entry["rank"]), p.entry["handle"], p.entry["platform"], f"{p.price:,.0f}",
                      f"{p.expected_engagements:,.0f}", f"{p.expected_engagements / p.price:,.2f}" if p.price else "∞")
    console.print(table)
    spent = sum(p.price for p in picks)
    console.print(f"{len(picks)} creators, {spent:,.0f} of {budget:,.0f} spent, "
                  f"{sum(p.expected_engagements for p in picks):,.0f} expected engagements per post round.")
