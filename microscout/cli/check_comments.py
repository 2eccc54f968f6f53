"""`microscout check comments FILE…`: classify comment texts as genuine, generic or spam."""
from __future__ import annotations

import json

import click

from microscout.cli.common import PLATFORM_OPTION, UsageProblem, rule_options, terminal_safe, with_env
from microscout.cli.records import (
    Record,
    distinct_files,
    label_options,
    load_rows,
    parse_mapping,
    parse_truth,
    print_scores,
    records_option,
    summary_lines,
)
from microscout.heuristics.comments import (
    BASELINE_NAME,
    COMMENT_CLASSES,
    DATA_SETS,
    baseline_is_spam,
    classify_comment,
    detector_before,
)
from microscout.heuristics.measure import Scorecard

COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "id": ("text", ("comment_id", "COMMENT_ID", "platform_id")),
    "author": ("text", ("author_handle", "AUTHOR", "authorDisplayName", "author_name")),
    # YouTube's commentThreads give textOriginal (as written) and textDisplay (as shown)
    "text": ("text", ("content", "CONTENT", "comment", "body", "textOriginal", "textDisplay", "comment_text")),
}

HELP = """Classify each comment in FILE(s) as genuine, generic or spam, with reasons.

\b
FILE is .csv/.tsv, .jsonl/.ndjson, .json or .xlsx, also compressed (.gz, .xz,
.bz2); UTF-8, UTF-16 with its byte-order mark, or Windows-1252. Our columns: text (required), id, author;
CONTENT/COMMENT_ID/AUTHOR (UCI YouTube Spam Collection) and YouTube's
commentThreads (snippet.topLevelComment.snippet.textOriginal, …) are
recognised, in any case or spelling, nested JSON objects included; map
others with --column ours=theirs. Spam says its kind (self_promotion, selling,
scam, link) and the phrase that matched. Generic comments' shape limits are
the comment_quality rule's, as configured ([rules.comment_quality.comments],
with --platform's overrides).

\b
With --label-column, prints precision, recall and F1 of the spam detector beside
the one-line baseline (a link or 'subscribe|my channel|check out') on the same
rows. Reproduce the documented figures (docs/HEURISTICS.md):
  microscout check comments ../shared/data/youtube-spam/Youtube02-KatyPerry.csv \\
      --label-column CLASS --quiet
and a file's leave-one-out figure (the phrases as they were before that file
was read) with --leave-out, e.g. --leave-out Youtube03-LMFAO.
"""


@click.command("comments", help=HELP, short_help="Classify comments: genuine, generic or spam.")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line instead of a table.")
@click.option("--label-column", default=None, help="Column with the truth (1/spam vs 0/ham): score the spam detector.")
@click.option("--column", "mapping", multiple=True, metavar="OURS=THEIRS",
              help="Read our column OURS from the file's column THEIRS (repeatable).")
@click.option("--leave-out", type=click.Choice(DATA_SETS), default=None,
              help="Use the phrase families as they were fixed before this labeled file was read "
                   "(its leave-one-out figure; docs/HEURISTICS.md).")
@click.option("--quiet", is_flag=True, help="Print only the summary (and scores), not every row.")
@label_options
@records_option
@PLATFORM_OPTION
@with_env
def command(env, files: tuple[str, ...], as_json: bool, label_column: str | None, mapping: tuple[str, ...],
            leave_out: str | None, quiet: bool, label_values: tuple[str, ...], label_files: tuple[str, ...],
            records: str | None, platform: str) -> None:
    files = distinct_files(files)
    truth = parse_truth(label_column, label_values, label_files, files)
    # The thresholds configured for the comment_quality rule: one classifier everywhere.
    thresholds = rule_options(env, "comment_quality", platform).comments
    columns_map = parse_mapping(mapping, COLUMNS)
    detector = detector_before(leave_out) if leave_out else None
    counts: dict[str, int] = {c: 0 for c in COMMENT_CLASSES}
    name = f"spam, phrases as before {leave_out} was read" if leave_out else "spam"
    # The detector first, then the one-line baseline on the same rows.
    cards = {name: Scorecard(), BASELINE_NAME: Scorecard()}
    rows = []
    # --json prints each row as it comes: the rows are read once first, so that a refusal
    # (a label not read, a later file without a text column) comes before any is printed
    streamed = as_json and not quiet
    for record, columns, label in load_rows(files, columns_map, truth, "all", COLUMNS, ("text",),
                                            records=records, classes=("spam", "genuine"),
                                            first_pass=_text_column if streamed else None):
        text = str(record.row.get(_text_column(record, columns)) or "")
        verdict = classify_comment(text, thresholds, detector)
        counts[verdict.label] += 1
        if label is not None:
            cards[name].add(verdict.label == "spam", label)
            cards[BASELINE_NAME].add(baseline_is_spam(text), label)
        if quiet:
            continue
        ident = str(record.row.get(columns.get("id", ""), "") or "")
        if as_json:
            out = {"where": record.where, "id": ident, "text": text, **verdict.as_dict()}
            if label is not None:
                out["label"] = "spam" if label else "ham"
            click.echo(json.dumps(out))
        else:
            label_of = f"{verdict.label} ({verdict.kind})" if verdict.kind else verdict.label
            rows.append((record.where, text[:60], label_of, "; ".join(verdict.reasons) or "-"))
    n = sum(counts.values())
    summary = summary_lines(counts, counts["generic"] + counts["spam"], n, "generic_or_spam")
    if as_json:
        click.echo(json.dumps({"summary": summary}))
    else:
        if rows:
            from rich.console import Console
            from rich.table import Table

            table = Table()
            for column in ("where", "text", "class", "reasons"):
                table.add_column(column, overflow="fold")  # "file.csv:1…" names no row
            for row in rows:
                table.add_row(*map(terminal_safe, row))  # the file's comments, as they came
            Console().print(table)
        ci = summary["ci95"]
        click.echo(f"{n} comments: " + ", ".join(f"{counts[c]} {c}" for c in COMMENT_CLASSES)
                   + (f"; generic or spam {summary['generic_or_spam_share']:.1%} "
                      f"(95% CI {ci[0]:.1%}–{ci[1]:.1%})" if n else ""))
    if truth:
        print_scores(cards, as_json)


def _text_column(record: Record, columns: dict[str, str]) -> str:
    """The file's column of comment texts; a file without one is refused, naming where."""
    if "text" not in columns:
        raise UsageProblem(f"{record.where}: no text column; map it with --column text=THEIRS")
    return columns["text"]
