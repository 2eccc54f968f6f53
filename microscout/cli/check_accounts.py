"""`microscout check accounts FILE…`: classify each row of a follower export, optionally score it."""
from __future__ import annotations

import json

import click

from microscout.cli.common import PLATFORM_OPTION, rule_options, with_env
from microscout.cli.records import Record, convert, load_rows, parse_mapping, print_scores, summary_lines
from microscout.heuristics.accounts import CLASSES, AccountFeatures, classify_account
from microscout.heuristics.measure import Scorecard

# Our column names, what each holds, and the names other exports use for it.
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "handle": ("text", ("username", "acct", "screen_name")),
    "followers": ("int", ("followers_count", "userFollowerCount", "#followers")),
    "following": ("int", ("following_count", "follows", "userFollowingCount", "#follows")),
    "posts": ("int", ("posts_count", "statuses_count", "media_count", "userMediaCount", "#posts")),
    "has_avatar": ("bool", ("avatar", "userHasProfilPic", "profile pic")),
    "bio": ("text", ("description", "note")),
    "bio_length": ("int", ("userBiographyLength", "description length")),
    "username_digits": ("int", ("usernameDigitCount",)),
    "username_length": ("int", ("usernameLength",)),
    "username_digit_share": ("float", ("nums/length username",)),
    "display_name": ("text", ("name", "fullname")),
    "created_at": ("date", ()),
    "last_post_at": ("date", ("last_status_at",)),
    "private": ("bool", ("userIsPrivate", "locked")),
}


def features_of(record: Record, columns: dict[str, str]) -> AccountFeatures:
    values = {ours: convert(record.row.get(theirs), COLUMNS[ours][0], record.where, theirs)
              for ours, theirs in columns.items()}
    bio = values.pop("bio", None)
    if values.get("bio_length") is None and bio is not None:
        values["bio_length"] = len(bio)
    values["posts_count"] = values.pop("posts", None)
    values["handle"] = values.get("handle") or ""
    return AccountFeatures(**values)


HELP = """Classify accounts as real, suspicious or mass_follower, with reasons.

\b
FILE is .csv, .jsonl/.ndjson or .json (an array of objects). Our columns:
  handle, followers, following, posts, has_avatar (1/0), bio or bio_length,
  username_digits, username_length, username_digit_share, display_name,
  created_at, last_post_at (ISO dates), private (1/0).
Empty cells are unknown, not zero. The InstaFake (userFollowerCount, …) and
Kaggle (#followers, "profile pic", …) names are recognised; map any other
with --column ours=theirs.

\b
Reproduce the documented figures (docs/HEURISTICS.md):
  microscout check accounts ../shared/data/instafake/fakeAccountData.json \\
      ../shared/data/instafake/realAccountData.json --label-column isFake --half held-out
  microscout check accounts ../shared/data/instagram-fake-kaggle/insta_train.csv \\
      --label-column fake --half held-out
"""


@click.command("accounts", help=HELP)
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line instead of a table.")
@click.option("--label-column", default=None, help="Column with the truth (1/fake vs 0/real): score the detector.")
@click.option("--column", "mapping", multiple=True, metavar="OURS=THEIRS",
              help="Read our column OURS from the file's column THEIRS (repeatable).")
@click.option("--half", type=click.Choice(["all", "calibration", "held-out"]), default="all", show_default=True,
              help="Only the rows of one half of the fixed split (SHA-256 of the row) used to calibrate.")
@click.option("--quiet", is_flag=True, help="Print only the summary (and scores), not every row.")
@PLATFORM_OPTION
@with_env
def command(env, files: tuple[str, ...], as_json: bool, label_column: str | None, mapping: tuple[str, ...],
            half: str, quiet: bool, platform: str) -> None:
    # The thresholds configured for the audience_authenticity rule: one classifier everywhere.
    thresholds = rule_options(env, "audience_authenticity", platform).accounts
    columns_map = parse_mapping(mapping, COLUMNS)
    counts = {c: 0 for c in CLASSES}
    # "suspicious" alone is the fake detector; mass followers are low-quality, not always fake.
    cards = {"fake = suspicious": Scorecard(), "fake = suspicious or mass_follower": Scorecard()}
    table_rows = []
    for record, columns, label in load_rows(files, columns_map, label_column, half, COLUMNS,
                                            ("followers", "following", "posts", "has_avatar", "bio_length")):
        acc = features_of(record, columns)
        verdict = classify_account(acc, thresholds)
        counts[verdict.label] += 1
        if label is not None:
            cards["fake = suspicious"].add(verdict.label == "suspicious", label)
            cards["fake = suspicious or mass_follower"].add(verdict.label != "real", label)
        if quiet:
            continue
        if as_json:
            out = {"where": record.where, "handle": acc.handle, **verdict.as_dict()}
            if label is not None:
                out["label"] = "fake" if label else "real"
            click.echo(json.dumps(out))
        else:
            table_rows.append((record.where, acc.handle, verdict.label, f"{verdict.points:.2f}",
                               "; ".join(verdict.reasons) or "-"))
    n = sum(counts.values())
    summary = summary_lines(counts, counts["suspicious"] + counts["mass_follower"], n, "suspicious_or_mass")
    if as_json:
        click.echo(json.dumps({"summary": summary}))
    else:
        _print_table(table_rows)
        share = summary["suspicious_or_mass_share"]
        ci = summary["ci95"]
        click.echo(f"{n} accounts: " + ", ".join(f"{counts[c]} {c}" for c in CLASSES)
                   + (f"; suspicious or mass followers {share:.1%} (95% CI {ci[0]:.1%}–{ci[1]:.1%})" if n else ""))
    if label_column:
        print_scores(cards, as_json)


def _print_table(rows: list[tuple[str, ...]]) -> None:
    if not rows:
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("where", "handle", "class", "score", "reasons")
    for row in rows:
        table.add_row(*row)
    Console().print(table)
