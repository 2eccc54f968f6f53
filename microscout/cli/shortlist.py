"""`microscout shortlist CAMPAIGN`: judge every stored candidate and rank them.

The table fits the terminal (or COLUMNS): at full width every column with the reasons
beside; narrower, the tier and platform columns go; narrower still, each creator is one
line of numbers with its reasons below, wrapped at word boundaries, never cut.
"""
from __future__ import annotations

import json
import os

import click
from rich import box
from rich.console import Console, ConsoleOptions, JustifyMethod, RenderResult
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from microscout.cli.common import Count, Env, FiniteFloatRange, terminal_safe, with_env
from microscout.words import counted

# Narrower than this, the reasons column would fold long words: drop columns, then stack.
MIN_REASON_WIDTH = 44
# Off a terminal (a log, a pipe, CI) without COLUMNS, the table is this wide.
PIPE_WIDTH = 120


def shortlist_rows(db, run_id: int, limit: int | None) -> list[dict]:
    """The ranked entries of a run, best first, with profile link, display name and contact."""
    from microscout.engine.contact import contact_for, profile_url
    from microscout.store.queries import candidates_where

    sql = ("SELECT e.rank, e.handle, e.platform, p.platform_id, p.display_name, p.url, p.bio, p.website, "
           "p.instance, e.tier, e.followers, e.engagement_rate, e.score, e.reasons, e.profile_id "
           "FROM shortlist_entries e JOIN profiles p ON p.id = e.profile_id "
           "WHERE e.run_id = ? AND e.rank IS NOT NULL AND "
           f"{candidates_where(None, 'p')[0]} ORDER BY e.rank")
    params: list = [run_id]
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    rows = []
    for e in db.query(sql, params):
        rows.append({"rank": e["rank"], "handle": e["handle"], "display_name": e["display_name"] or None,
                     "platform": e["platform"], "platform_id": e["platform_id"],
                     "profile_url": profile_url(e["platform"], e["handle"], e["url"], e["instance"], e["platform_id"]),
                     "contact": contact_for(e["bio"], e["website"]), "tier": e["tier"], "followers": e["followers"],
                     "engagement_rate": e["engagement_rate"], "score": e["score"],
                     "reasons": _readable(db, run_id, e["profile_id"], json.loads(e["reasons"] or "[]"))})
    return rows


def _readable(db, run_id: int, profile_id: int, reasons: list[str]) -> list[str]:
    """The reasons with the posts they name by their addresses (engine.readable), read only
    for the few reasons that name a post."""
    if not any("post " in r for r in reasons):
        return reasons
    from microscout.engine.readable import readable

    evidences = [e for (e,) in db.execute("SELECT evidence FROM run_verdicts WHERE run_id = ? AND profile_id = ?",
                                          [run_id, profile_id])]
    names = readable(db.conn, profile_id, evidences)
    return [names.reason(r) or "" for r in reasons]


# (key, header, justify): the columns of the wide table, dropped right to left from DROPPABLE.
COLUMNS: list[tuple[str, str, JustifyMethod]] = [
    ("rank", "#", "right"), ("handle", "handle", "left"), ("platform", "platform", "left"),
    ("tier", "tier", "left"), ("followers", "followers", "right"), ("rate", "eng. rate", "right"),
    ("score", "score", "right")]
DROPPABLE = ["tier", "platform"]
HANDLE_MAX = 34


def _cells(row: dict) -> dict[str, str]:
    rate, followers = row["engagement_rate"], row["followers"]
    return {"rank": str(row["rank"]), "handle": terminal_safe(row["handle"]), "platform": row["platform"] or "",
            "tier": row["tier"] or "?", "followers": f"{followers:,}" if followers is not None else "hidden",
            "rate": f"{rate:.2%}" if rate is not None else "n/a",
            "score": f"{row['score']:.2f}" if row["score"] is not None else ""}


class ShortlistView:
    """A shortlist that lays itself out for the width it is given (see the module doc)."""

    def __init__(self, rows: list[dict], title: str):
        self.rows = rows
        self.title = title
        self.cells = [_cells(r) for r in rows]

    def _natural(self, key: str, header: str) -> int:
        width = max([len(header)] + [len(c[key]) for c in self.cells])
        return min(width, HANDLE_MAX) if key == "handle" else width

    def layout(self, width: int) -> list[str] | None:
        """The columns of the wide table at ``width``, or None: stack."""
        keys = [k for k, _, _ in COLUMNS]
        for dropped in range(len(DROPPABLE) + 1):
            shown = [k for k in keys if k not in DROPPABLE[:dropped]]
            fixed = sum(self._natural(k, h) for k, h, _ in COLUMNS if k in shown)
            # box.SIMPLE_HEAD without edges: one separator between columns, one space of padding each side
            reasons = width - fixed - len(shown) - 2 * (len(shown) + 1)
            if reasons >= MIN_REASON_WIDTH:
                return shown
        return None

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        shown = self.layout(width)
        if shown is not None:
            yield self._table(shown, width)
        else:
            yield from self._stacked(width)

    def _table(self, shown: list[str], width: int) -> Table:
        table = Table(title=self.title, box=box.SIMPLE_HEAD, show_edge=False, width=width, leading=1)
        for key, header, justify in COLUMNS:
            if key in shown:
                table.add_column(header, justify=justify, no_wrap=key != "handle", overflow="fold",
                                 max_width=HANDLE_MAX if key == "handle" else None)
        table.add_column("why", ratio=1, overflow="fold")
        for row, cells in zip(self.rows, self.cells):
            table.add_row(*(cells[k] for k in shown), Text(terminal_safe("\n".join(row["reasons"]))))
        return table

    def _stacked(self, width: int):
        yield Text(self.title, style="italic", justify="center")
        grid_cols: list[tuple[str, str, JustifyMethod, int | None]] = [
            ("rank", "#", "right", 3), ("handle", "handle", "left", None),
            ("followers", "followers", "right", 9), ("rate", "eng. rate", "right", 9),
            ("score", "score", "right", 5)]

        def grid(values: list[str], style: str = "") -> Table:
            g = Table.grid(padding=(0, 1), expand=True)
            for key, _, justify, w in grid_cols:
                g.add_column(justify=justify, width=w, ratio=None if w else 1, overflow="fold",
                             no_wrap=key != "handle")
            g.add_row(*values, style=style)
            return g

        yield grid([h for _, h, _, _ in grid_cols], style="bold")
        for row, cells in zip(self.rows, self.cells):
            yield grid([cells[k] for k, _, _, _ in grid_cols])
            for reason in row["reasons"]:
                yield Padding(Text(terminal_safe(reason), overflow="fold"), (0, 0, 0, 4))
            yield Text("")


def shortlist_table(db, run_id: int, limit: int, title: str) -> ShortlistView:
    """The shortlist of ``run_id`` as a renderable that fits the console it is printed on."""
    return ShortlistView(shortlist_rows(db, run_id, limit), title)


def make_console(stderr: bool = False) -> Console:
    """A console as wide as the terminal, or COLUMNS; off a terminal without COLUMNS, PIPE_WIDTH."""
    probe = Console(stderr=stderr)
    columns = os.environ.get("COLUMNS", "")
    if probe.is_terminal or columns.isdigit():
        return probe
    return Console(stderr=stderr, width=PIPE_WIDTH)


def candidate_count(db, platforms: list[str]) -> int:
    """How many candidates a run of these platforms judges (what the progress bar counts to)."""
    from microscout.store.queries import candidates_where

    where, params = candidates_where(platforms)
    return db.execute(f"SELECT COUNT(*) FROM profiles WHERE {where}", params).fetchone()[0]


def judging_progress(db, platforms: list[str], campaign: str):
    """The progress bar run_shortlist reports to after each batch (None off a terminal)."""
    from microscout.cli.common import progress_bar

    return progress_bar(f"Judging candidates for {campaign}", candidate_count(db, platforms) or None)


def refresh_features(db, config, rules, console: Console) -> None:
    """Compute the per-item features the rules' settings need and the store lacks (a changed
    setting, posts written before), saying so in one line."""
    from microscout.cli.db import features_progress
    from microscout.engine import features
    from microscout.store import features as store_features

    missing = features.prepare(db, config, rules)
    if not missing:
        return
    console.print(f"Computing {missing:,} stored features for the current settings "
                  f"(as `microscout db refresh-features` does)…")
    with features_progress(missing) as progress:
        store_features.refresh(db, progress)


def excluded_line(summary) -> str:
    if not summary.excluded:
        return "Nothing was excluded."
    parts = ", ".join(f"{n} by {rule}" for rule, n in sorted(summary.excluded_by.items(), key=lambda kv: -kv[1]))
    return f"Excluded {summary.excluded} of {summary.candidates}: {parts}."


def workers_option(value: str | None) -> int:
    """--workers: a whole number of processes, 1 or more (default: the usable cores)."""
    from microscout.cli.common import UsageProblem
    from microscout.engine.pool import usable_cores

    if value is None:
        return usable_cores()
    try:
        workers = int(value)
    except ValueError:
        workers = 0
    if workers < 1:
        raise UsageProblem(f"--workers must be a whole number of processes, 1 or more (got {value!r}); "
                           f"1 judges in this process")
    return workers


@click.command("shortlist")
@click.argument("campaign")
@click.option("--limit", type=Count(), default=None,
              help="Rows to show (default: the campaign's shortlist_size).")
@click.option("--budget", type=FiniteFloatRange(min=0, min_open=True), default=None,
              help="Fill this budget (same currency as price_per_post) with the best expected engagement per dollar "
                   "(default: the campaign's budget, if any).")
@click.option("--batch-size", type=Count(), default=500, show_default=True,
              help="Candidates judged per batch.")
@click.option("--rejudge", is_flag=True,
              help="Judge every candidate again, even when neither the data nor the settings changed since "
                   "the last run, or only weights or gates did (which re-scores the last verdicts), or only some "
                   "candidates' data did (which judges only those).")
@click.option("--workers", metavar="N", default=None, callback=lambda ctx, param, value: workers_option(value),
              help="Processes that judge at once (default: every core this process may use; "
                   "1 judges in this process).")
@click.option("--json", "as_json", is_flag=True, help="Print the run and its shortlist as JSON instead of a table.")
@with_env
def command(env: Env, campaign: str, limit: int | None, budget: float | None, batch_size: int,
            rejudge: bool, workers: int, as_json: bool) -> None:
    """Judge and rank every stored candidate for CAMPAIGN.

    The run is persisted with every verdict and its evidence (see `microscout explain`).
    """
    from microscout.cli.common import Failure, UsageProblem
    from microscout.engine.evaluate import idle_gates, rule_setup
    from microscout.engine.shortlist import JudgingStopped, pruning_said, run_shortlist

    config = env.config
    spec = config.campaign(campaign)
    budget = budget if budget is not None else spec.budget
    if budget is not None and spec.price_per_post is None:  # said before a run is judged, not after
        raise UsageProblem(f"{config.source}: campaigns.{campaign}.price_per_post is not set; "
                           f"a budget needs a price range, e.g. price_per_post = [50, 300]")
    rules = env.rules
    db = env.db(create=False)
    console = make_console(stderr=as_json)  # with --json, stdout carries the JSON alone
    for message in idle_gates(config, rules, only=campaign):
        click.echo(f"warning: {message}", err=True)
    refresh_features(db, config, rules, console)
    try:
        with judging_progress(db, spec.platforms, campaign) as progress:
            summary = run_shortlist(db, config, rules, campaign, batch_size=batch_size, reuse=not rejudge,
                                    progress=progress, workers=workers)
    except JudgingStopped as exc:
        raise Failure(f"{exc}; the run was discarded") from None
    # the rules that judged: enabled for the campaign on a platform it judges (not every one loaded)
    judging = sum(1 for rule in rules.values()
                  if any(rule_setup(config, rule, p, campaign)[0] for p in config.judged_platforms(campaign)))
    if as_json:
        click.echo(json.dumps(run_json(db, config, spec, summary, limit or spec.shortlist_size, judging, budget),
                              ensure_ascii=False, indent=2))
        say_batch_fallbacks(summary)
        return
    if summary.reused:
        console.print(f"Nothing changed since run {summary.run_id} (same data, settings and rules, judged today): "
                      f"showing it again; --rejudge judges anew.")
    elif summary.rescored_from is not None:
        console.print(f"Verdicts re-used from run {summary.rescored_from}: only weights/gates changed; re-scored "
                      f"(--rejudge judges anew).")
    elif summary.kept_from is not None:
        console.print(f"Verdicts of {summary.kept:,} unchanged candidates kept from run {summary.kept_from} (same "
                      f"rules and settings, judged today); {summary.candidates - summary.kept:,} changed or new "
                      f"judged (--rejudge judges all anew).")
    size = limit or spec.shortlist_size
    console.print(shortlist_table(db, summary.run_id, size, f"Shortlist: {campaign} (run {summary.run_id})"))
    console.print(f"Judged {counted(summary.candidates, 'candidate')} with {counted(judging, 'rule')}; "
                  f"{summary.candidates - summary.excluded} ranked. {excluded_line(summary)}")
    if not summary.candidates:
        console.print(no_candidates_hint(db, config, campaign, spec.platforms))
    said = pruning_said(summary, config.shortlists.keep_runs)
    if said:
        said = said[:1].upper() + said[1:]
        if summary.pruned:
            console.print(f"{said} (shortlists.keep_runs in {config.source}).")
        else:  # not pruned: an error, or a run in the way
            console.print(Text(f"{said}.", style="yellow"))
    if summary.errors:
        worst = ", ".join(f"{r} ({n})" for r, n in summary.errors_by_rule.items())
        first = db.execute("SELECT p.handle FROM run_verdicts v JOIN profiles p ON p.id = v.profile_id "
                           "WHERE v.run_id = ? AND v.outcome = 'error' ORDER BY p.id LIMIT 1",
                           [summary.run_id]).fetchone()
        example = f"microscout explain {first[0]}" if first else "microscout explain HANDLE"
        console.print(f"[yellow]{summary.errors} rule errors[/yellow]: {worst}. "
                      f"See `{example}` for details.")
    say_batch_fallbacks(summary)
    if budget is not None:
        print_budget(console, db, config, spec, summary.run_id, budget)


def say_batch_fallbacks(summary) -> None:
    """The rules whose batch form gave way in the run, a note each, on stderr as `try`'s
    warnings are (with --json too, whose batch_fallbacks holds them): after the shortlist
    and its counts, whose rule errors they may explain."""
    from microscout.engine.shortlist import batch_fallback_notes

    for note in batch_fallback_notes(summary):
        click.echo(f"note: {note}", err=True)


def no_candidates_hint(db, config, campaign: str, platforms: list[str]) -> str:
    """Why a run judged no one: the store is empty, or its profiles are on platforms the
    campaign does not judge, or all opted out."""
    from microscout.store.queries import candidates_where

    stored = dict(db.execute(f"SELECT platform, count(*) FROM profiles WHERE {candidates_where(None)[0]} "
                             "GROUP BY platform"))
    if not stored:
        return (f"The store at {db.conn.execute('PRAGMA database_list').fetchone()[2]} holds no profile that may be "
                f"judged: crawl first (`microscout crawl {campaign}`).")
    held = ", ".join(f"{n:,} on {p}" for p, n in sorted(stored.items()))
    return (f"No candidate is on the campaign's platforms ({', '.join(platforms) or 'any'}); the store holds {held}: "
            f"set campaigns.{campaign}.platforms in {config.source}, or crawl for this campaign.")


def run_json(db, config, spec, summary, size: int, rule_count: int, budget: float | None) -> dict:
    """What `shortlist --json` prints: the run, its exclusions and errors, the shortlist."""
    out = {"campaign": summary.campaign, "run_id": summary.run_id, "reused": bool(getattr(summary, "reused", False)),
           "rescored_from": getattr(summary, "rescored_from", None),
           "kept_from": getattr(summary, "kept_from", None), "kept": getattr(summary, "kept", 0),
           "judged_at": judged_at(db, summary.run_id),
           "rules": rule_count, "candidates": summary.candidates, "ranked": summary.candidates - summary.excluded,
           "excluded": summary.excluded, "excluded_by": summary.excluded_by, "errors": summary.errors,
           "errors_by_rule": summary.errors_by_rule, "pruned_runs": summary.pruned,
           "prune_error": summary.prune_error,
           "prune_blocked_by": summary.prune_blocked_by,
           "batch_fallbacks": batch_fallbacks(summary),
           "shortlist": shortlist_rows(db, summary.run_id, size)}
    if budget is not None:
        picks = budget_picks(db, config, spec, summary.run_id, budget)
        out["budget"] = {"budget": budget, "spent": sum(p.price for p in picks),
                         "expected_engagements": sum(p.expected_engagements for p in picks),
                         "picks": [{"rank": p.entry["rank"], "handle": p.entry["handle"],
                                    "platform": p.entry["platform"], "price": p.price,
                                    "expected_engagements": p.expected_engagements} for p in picks]}
    return out


def batch_fallbacks(summary) -> list[dict]:
    """The rules whose batch form gave way to evaluate in the run (what the notes say), as
    `--json` holds them; empty for a run given back whole or re-scored (no rule ran)."""
    return [{"rule": name, "plugin": tally.plugin, "batches": tally.batches, "gave_way": tally.gave_way,
             "first": tally.first, "unreadable_dates": tally.unreadable_dates,
             "first_unreadable_date": tally.first_unreadable_date}
            for name, tally in getattr(summary, "batch_forms", {}).items() if tally.gave_way or tally.unreadable_dates]


def judged_at(db, run_id: int) -> str | None:
    """The moment run ``run_id``'s rules judged as of (a run that kept verdicts: theirs)."""
    row = db.execute("SELECT judged_at FROM shortlist_runs WHERE id = ?", [run_id]).fetchone()
    return row[0] if row else None


def budget_picks(db, config, spec, run_id: int, budget: float) -> list:
    from microscout.engine.budget import fill_budget
    from microscout.engine.shortlist import ranked_entries

    entries = [dict(e) for e in ranked_entries(db, run_id)]

    def tier_of(entry: dict):
        return config.platforms.get(entry["platform"]).tiers.get(entry["tier"] or "")

    return fill_budget(entries, budget, spec.price_per_post, tier_of)


def print_budget(console: Console, db, config, spec, run_id: int, budget: float) -> None:
    picks = budget_picks(db, config, spec, run_id, budget)
    table = Table(title=f"Budget {budget:,.0f}: best expected engagement per dollar")
    for col in ("#", "handle", "platform", "est. price", "expected engagements", "per dollar"):
        table.add_column(col)
    for p in sorted(picks, key=lambda p: p.entry["rank"]):
        table.add_row(str(p.entry["rank"]), terminal_safe(p.entry["handle"]), p.entry["platform"], f"{p.price:,.0f}",
                      f"{p.expected_engagements:,.0f}", f"{p.expected_engagements / p.price:,.2f}" if p.price else "∞")
    console.print(table)
    spent = sum(p.price for p in picks)
    console.print(f"{len(picks)} creators, {spent:,.0f} of {budget:,.0f} spent, "
                  f"{sum(p.expected_engagements for p in picks):,.0f} expected engagements per post round.")
