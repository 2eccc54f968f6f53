"""`microscout check accounts FILE…`: classify each row of a follower export, optionally score it."""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict
from datetime import datetime

import click

from microscout.cli.common import PLATFORM_OPTION, UsageProblem, rule_options, terminal_safe, with_env
from microscout.cli.records import (
    MISSING,
    Record,
    convert,
    distinct_files,
    label_options,
    load_rows,
    parse_mapping,
    parse_truth,
    print_scores,
    records_option,
    summary_lines,
)
from microscout.heuristics.accounts import (
    CLASSES,
    FAKE_CLASSES,
    AccountFeatures,
    classify_account,
    fake_share,
    not_followed_back,
)
from microscout.heuristics.measure import Scorecard

BASELINE_NAME = "baseline: following >= 10x followers (one line)"

# Our column names, what each holds, and the names other exports use for it.
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "handle": ("text", ("username", "acct", "screen_name", "user_name", "unique_id")),
    "followers": ("count", ("followers_count", "follower_count", "userFollowerCount", "#followers", "edge_followed_by",
                          "Number.of.followers")),
    "following": ("count", ("following_count", "friends_count", "follows", "follows_count", "userFollowingCount",
                          "#follows", "#following", "edge_follow", "Number.of.people.they.follow")),
    "posts": ("count", ("posts_count", "statuses_count", "tweet_count", "media_count", "video_count", "userMediaCount",
                      "#posts", "Number.of.posts")),
    "has_avatar": ("avatar", ("avatar", "userHasProfilPic", "profile pic", "has_profile_pic", "profile_image_url",
                              "profile_picture_url", "profile_pic_url", "avatar_url", "has_profile_picture")),
    "no_avatar": ("bool", ("default_profile_image",)),
    "bio": ("text", ("description", "note", "biography", "signature")),
    "bio_length": ("int", ("userBiographyLength", "description length")),
    "username_digits": ("int", ("usernameDigitCount",)),
    "username_length": ("int", ("usernameLength",)),
    "username_digit_share": ("float", ("nums/length username",)),
    "display_name": ("text", ("name", "fullname", "full_name", "nickname")),
    "created_at": ("date", ()),
    "last_post_at": ("date", ("last_status_at",)),
    "private": ("bool", ("userIsPrivate", "locked", "protected", "is_private", "Private.account")),
    "bot": ("bool", ("is_bot", "automated")),
}


# Twitter's own `following` is whether the asking account follows this one (empty, null
# or false in cresci's users.csv, TwiBot and tweepy dumps); its count is friends_count.
BEFORE_OURS = {"following": ("friends_count",)}


# What the classifier reads: a row with none of them known cannot be judged (TwiBot-20's
# "profile": null).
SCORED = ("followers", "following", "posts_count", "has_avatar", "bio_length")

# Read to be shown, never scored: a cell in a form we cannot read is left unread, not refused.
SHOWN_ONLY = ("created_at", "last_post_at")


def features_of(record: Record, columns: dict[str, str], unread: Counter[str] | None = None) -> AccountFeatures:
    """An account from a row; ``unread`` counts, by column, the cells of a date that is only
    shown (created_at, last_post_at) and could not be read (``2/1/2016 15:29``)."""
    values = {}
    for ours, theirs in columns.items():
        try:
            values[ours] = convert(record.row.get(theirs), COLUMNS[ours][0], record.where, theirs, ours,
                                   record.thousands)
        except UsageProblem:
            if ours not in SHOWN_ONLY:
                raise
            values[ours] = None
            if unread is not None:
                unread[theirs] += 1
    for ours in ("display_name", "bio"):
        # NULL, NaN or None there (cresci-2017's users.csv, pandas) is nothing; a handle may
        # really be "null".
        if isinstance(values.get(ours), str) and values[ours].strip().lower() in MISSING:
            values[ours] = None
    bio = values.pop("bio", None)
    known = any(values.get(k) is not None for k in ("followers", "following", "posts", "has_avatar", "no_avatar"))
    if bio is None and "bio" in columns and (columns["bio"] in record.row or known):
        # A bio column with nothing in it (or blanks: TwiBot-20 pads every value with a
        # space; or NULL) is an empty bio, not an unknown one.
        bio = ""
    if values.get("bio_length") is None and bio is not None:
        values["bio_length"] = len(bio.strip())
    no_avatar = values.pop("no_avatar", None)
    if values.get("has_avatar") is None and no_avatar is not None:
        values["has_avatar"] = not no_avatar  # Twitter's default_profile_image: the default picture
    if values.get("has_avatar") is None and "has_avatar" in columns and record.row.get(columns["has_avatar"]) is None \
            and str(record.row.get("did") or "").startswith("did:"):
        # Bluesky's profile views leave avatar out when none is set (the file has the key
        # where one is); a file without any picture column says nothing about pictures.
        values["has_avatar"] = False
    for count in ("followers", "following", "posts", "bio_length"):
        if isinstance(values.get(count), int) and values[count] < 0:
            values[count] = None  # -1, as some exports write a count they do not have: unknown
    values["posts_count"] = values.pop("posts", None)
    values["handle"] = (values.get("handle") or "").strip()  # TwiBot-20 pads "name " too
    return AccountFeatures(**values)


def read_back(acc: AccountFeatures) -> dict:
    """What was read of a row, as JSON (the unknown left out): to check that a file's columns
    were found where the user meant them."""
    out = {}
    for key, value in asdict(acc).items():
        if value is None or key == "handle":
            continue
        out[key] = value.isoformat() if isinstance(value, datetime) else value
    return out


HELP = """Classify each account as real, dormant, suspicious, mass follower or bot.

Every class comes with its reasons.

\b
FILE is .csv/.tsv, .jsonl/.ndjson, .json (an array of objects, or an API
page holding one: --records KEY names it where the page holds more) or .xlsx
(the first sheet), also compressed (.gz, .xz, .bz2); UTF-8, UTF-16 with its
byte-order mark, or Windows-1252 (said in a note). A
truth column named for the genuine class (is_genuine, not_spam) holding 1/0
needs --label-value to say which way it reads. Our columns:
  handle, followers, following, posts, has_avatar (1/0, or the picture's
  URL), no_avatar (1/0: the platform's default picture), bio or bio_length,
  username_digits, username_length, username_digit_share, display_name,
  created_at, last_post_at (ISO dates), private (1/0), bot (1/0: the
  platform's automated-account flag).
Empty cells are unknown, not zero. The names of Mastodon, Bluesky, Twitter
(friends_count, default_profile_image, public_metrics.*), Instagram, TikTok,
InstaFake (userFollowerCount, …), Kaggle (#followers, "profile pic", …)
and SRF Data's labelled Instagram followers (Number.of.followers, …)
exports are recognised, in any case or spelling (followersCount,
Followers_Count), nested JSON objects included; map any other with
--column ours=theirs, or leave one unread with --column ours= (e.g. a
date column in a format not read). NULL, NaN and NA cells are unknown
(in bio: an empty bio). Counts may be rounded as exports write them
(12.5K, 1.2M).

\b
With --label-column, prints precision, recall and F1 beside the one-line
baseline (following >= 10x followers) on the same rows. The figures in
docs/HEURISTICS.md were measured leaving one data set out:
  python benchmarks/calibrate_accounts.py
"""


@click.command("accounts", help=HELP, short_help="Classify accounts: real, dormant, suspicious, mass, bot.")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line instead of a table.")
@click.option("--label-column", default=None, help="Column with the truth (1/fake vs 0/real): score the detector.")
@click.option("--column", "mapping", multiple=True, metavar="OURS=THEIRS",
              help="Read our column OURS from the file's column THEIRS (repeatable).")
@click.option("--half", type=click.Choice(["all", "calibration", "held-out"]), default="all", show_default=True,
              help="Only the rows of one half of the fixed split (SHA-256 of the row) used to calibrate.")
@click.option("--quiet", is_flag=True, help="Print only the summary (and scores), not every row.")
@label_options
@records_option
@PLATFORM_OPTION
@with_env
def command(env, files: tuple[str, ...], as_json: bool, label_column: str | None, mapping: tuple[str, ...],
            half: str, quiet: bool, label_values: tuple[str, ...], label_files: tuple[str, ...],
            records: str | None, platform: str) -> None:
    files = distinct_files(files)
    truth = parse_truth(label_column, label_values, label_files, files)
    # The thresholds configured for the audience_authenticity rule: one classifier everywhere.
    thresholds = rule_options(env, "audience_authenticity", platform).accounts
    columns_map = parse_mapping(mapping, COLUMNS)
    counts: dict[str, int] = {c: 0 for c in CLASSES}
    # "suspicious" is the fake detector; the baseline is the one-line rule on the same rows.
    cards = {"fake = suspicious": Scorecard(), "fake = suspicious or mass_follower": Scorecard(),
             BASELINE_NAME: Scorecard()}
    table_rows: list[tuple[str, ...]] = []
    unread: Counter[str] = Counter()
    nothing: list[str] = []  # rows with nothing the classifier reads
    # --json prints each row as it comes: the rows are read once first, their features too, so
    # that a refusal (a label or a count not read, a later file not read) comes before any is printed
    streamed = as_json and not quiet
    for record, columns, label in load_rows(files, columns_map, truth, half, COLUMNS,
                                            ("followers", "following", "posts", "has_avatar", "bio_length"),
                                            BEFORE_OURS, records, first_pass=features_of if streamed else None):
        acc = features_of(record, columns, unread)
        if all(getattr(acc, name) is None for name in SCORED) and not acc.bot:
            nothing.append(record.where)
            continue
        verdict = classify_account(acc, thresholds)
        counts[verdict.label] += 1
        if label is not None:
            cards["fake = suspicious"].add(verdict.label in FAKE_CLASSES, label)
            cards["fake = suspicious or mass_follower"].add(verdict.label in ("suspicious", "mass_follower"), label)
            cards[BASELINE_NAME].add(bool(not_followed_back(acc.following, acc.followers, 10)), label)
        if quiet:
            continue
        if as_json:
            out = {"where": record.where, "handle": acc.handle, **verdict.as_dict(), "features": read_back(acc)}
            if label is not None:
                out["label"] = "fake" if label else "real"
            click.echo(json.dumps(out))
        else:
            table_rows.append((record.where, acc.handle, verdict.label, f"{verdict.points:.2f}",
                               "; ".join(verdict.reasons) or "-"))
    if nothing:
        click.echo(f"note: {len(nothing)} row{'s' if len(nothing) != 1 else ''} with none of followers, following, "
                   f"posts, picture or bio known {'were' if len(nothing) != 1 else 'was'} left out, not judged "
                   f"(the first: {nothing[0]})", err=True)
    for column, cells in unread.items():
        click.echo(f"note: {cells} cell{'s' if cells != 1 else ''} of {column!r} could not be read as a date (an ISO "
                   f"date, Twitter's or Unix time) and {'were' if cells != 1 else 'was'} left unread; dates are "
                   f"shown, not scored", err=True)
    n = sum(counts.values())
    judged = n - counts["bot"]
    share = fake_share(counts["suspicious"], judged, thresholds)
    summary = summary_lines(counts, counts["suspicious"], judged, "suspicious")
    summary["estimated_fake_share"] = round(share.estimate, 4)
    summary["estimated_fake_share_ci95"] = [round(share.low, 4), round(share.high, 4)]
    if as_json:
        click.echo(json.dumps({"summary": summary}))
    else:
        _print_table(table_rows)
        click.echo(f"{n} accounts: " + ", ".join(f"{counts[c]} {c}" for c in CLASSES)
                   + (f"; estimated fake share of the {judged} not flagged as bots by the platform "
                      f"{share.estimate:.1%} (95% CI {share.low:.1%}–{share.high:.1%}), corrected for the "
                      f"check's measured sensitivity {thresholds.sensitivity:.0%} and specificity "
                      f"{thresholds.specificity:.0%} from {share.observed:.1%} flagged" if judged else ""))
    if truth:
        print_scores(cards, as_json)


def _print_table(rows: list[tuple[str, ...]]) -> None:
    if not rows:
        return
    from rich.console import Console
    from rich.table import Table

    table = Table()
    for column in ("where", "handle", "class", "score", "reasons"):
        table.add_column(column, overflow="fold")  # a handle cut short names no one
    for row in rows:
        table.add_row(*map(terminal_safe, row))  # a file's handles and bios, as they came
    Console().print(table)
