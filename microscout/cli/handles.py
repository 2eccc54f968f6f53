"""`crawl --handles FILE`: the accounts a team keeps in a spreadsheet, and what became of each.

A file is read as
- CSV (.csv, .tsv): the column named handle / username / account / channel / @ / url /
  profile (case-insensitive; the first that is present), or the only column there is;
- Excel (.xlsx): the same, from the first sheet (openpyxl is already a dependency);
- text (anything else): one handle per line, ``#`` comments and blank lines ignored.
Profile URLs become handles (https://www.tiktok.com/@name -> name, https://mastodon.social/@user
-> user@mastodon.social, https://bsky.app/profile/x.bsky.social -> x.bsky.social). A legacy
YouTube URL (/c/NAME, /user/NAME) gives NAME with a note per line: it is often not the
channel's @handle. Any
problem stops the crawl before it starts with one line naming the file and line (exit 2):
a partial list crawled quietly would look like a complete one. Duplicates are dropped.

After the crawl, :func:`report_lines` says per handle: found, not found, private, opted out,
skipped by the prefilter (from crawl_runs.stats["handles"], see CrawlSpider.handle_outcome).
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import click

from microscout.cli.common import UsageProblem

# Column names that hold the handle, best first (compared lower-cased, spaces and dashes as _)
COLUMNS = ("handle", "handles", "username", "user_name", "user", "account", "acct", "channel", "channel_id",
           "@", "url", "profile_url", "profile", "link")
# A handle: a user name (letters, digits, . _ -), optionally @ a server (Mastodon; with a
# port, as a development instance's domain is: localhost:3000), or a DID.
# Letters and digits of any script: YouTube handles and fediverse domains need not be Latin.
HANDLE = re.compile(r"\w[\w.-]{0,99}(@([\w-]+(\.[\w-]+)+|localhost)(:\d{1,5})?)?")
DID = re.compile(r"did:[a-z]+:[A-Za-z0-9._:%-]{1,200}")
_SCHEME = re.compile(r"(?i)https?://")
_BARE_SITE = re.compile(r"(?i)(www\.)?[a-z0-9-]+\.[a-z]{2,}/")
RIGHT = "a handle such as @name, name@instance.social or a profile URL"
MAX_BYTES = 50 * 1024 ** 2
# Sites whose profile URL is host/@name (or host/name) and whose handle is the bare name
BARE_NAME_SITES = ("instagram.com", "tiktok.com", "youtube.com", "x.com", "twitter.com", "threads.net",
                   "facebook.com", "linkedin.com")


def handle_from_url(text: str) -> str | None:
    """The handle in a profile URL, or None when the URL names none."""
    try:
        parts = urlsplit(text)
    except ValueError:  # "http://[::1/@bob": an address urllib cannot read names no profile
        return None
    host = (parts.hostname or "").lower()
    segments = [unquote(s) for s in parts.path.split("/") if s]
    if not host or not segments:
        return None
    site = host.removeprefix("www.").removeprefix("m.")
    if site == "bsky.app" and len(segments) >= 2 and segments[0] == "profile":
        return None if segments[2:3] == ["post"] else segments[1]  # /profile/x/post/ID: a post's URL
    if any(site == s or site.endswith("." + s) for s in BARE_NAME_SITES):
        if site.endswith("youtube.com") and segments[0] in ("channel", "c", "user") and len(segments) >= 2:
            return segments[1]
        if site.endswith("linkedin.com") and segments[0] in ("in", "company") and len(segments) >= 2:
            return segments[1]
        if segments[0] in ("p", "reel", "reels", "explore", "video", "watch", "shorts", "status", "hashtag"):
            return None  # a post's or a page's URL, not a profile's
        return segments[0].lstrip("@")
    if segments[0].startswith("@"):  # any other server with /@user profiles: a Mastodon instance
        if len(segments) >= 2 and segments[1].isdigit():
            return None  # /@user/ID: a post's URL
        name = segments[0][1:]
        return name if "@" in name else f"{name}@{host}"
    if len(segments) >= 2 and segments[0] == "users":  # the ActivityPub actor URL
        return None if segments[2:3] == ["statuses"] else f"{segments[1]}@{host}"  # …/statuses/ID: a post
    return None


def stored_profiles(db, given: str) -> list[dict]:
    """The stored profiles, not opted out, that ``given`` names: a handle, a platform id, or a
    profile URL (the exports' Profile URL column, or one naming the handle: bsky.app/profile/…,
    a Mastodon server's /@name); one clear line when none."""
    from microscout.store.queries import find_profile

    text = given.strip()
    found = find_profile(db, text)
    if not found and re.match(r"(?i)https?://", text):
        named = handle_from_url(text)
        found = find_profile(db, named) if named else []
    profiles = [p for p in found if not p["opted_out"]]
    if not profiles:
        raise UsageProblem(f"no stored profile matches {given!r}; check the handle (user@instance on Mastodon, "
                           f"name.bsky.social on Bluesky) or profile URL, or crawl it first")
    return profiles


def legacy_youtube(value: str) -> bool:
    """Whether a cell is a legacy YouTube custom URL (youtube.com/c/NAME, /user/NAME): its NAME
    is taken as the handle, but it is often not the channel's @handle."""
    text = value.strip().strip("\ufeff")
    if not re.match(r"(?i)https?://", text):
        if not re.match(r"(?i)(www\.|m\.)?youtube\.com/", text):
            return False
        text = "https://" + text
    parts = urlsplit(text)
    site = (parts.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    segments = [s for s in parts.path.split("/") if s]
    return (site == "youtube.com" or site.endswith(".youtube.com")) and len(segments) >= 2 \
        and segments[0] in ("c", "user")


def normalize(value: str) -> str | None:
    """The handle a cell or line holds ('' for nothing), or None when it is not one."""
    text = value.strip().strip("\ufeff")
    if not text:
        return ""
    # both address forms hold a '/': a plain handle (most cells) skips their regexes
    if "/" in text and (_SCHEME.match(text) or _BARE_SITE.match(text)):
        if not _SCHEME.match(text):
            text = "https://" + text
        found = handle_from_url(text)
        if found is None:
            return None
        text = found
    text = text.lstrip("@")
    if DID.fullmatch(text) or HANDLE.fullmatch(text):
        return text
    return None


def _column(header: list[str]) -> int | None:
    names = [re.sub(r"[\s-]+", "_", (h or "").strip().lower()) for h in header]
    for wanted in COLUMNS:
        if wanted in names:
            return names.index(wanted)
    for i, name in enumerate(names):  # "Instagram handle", "tiktok_username"
        if name.endswith(("handle", "username")):
            return i
    return None


def _rows_csv(path: Path, text: str) -> list[list[str]]:
    # the separator as the check commands and the import read it
    from microscout.cli.records import delimiter_of, excel_separator

    lines = text[:4096].splitlines()
    first = lines[0] if lines else ""
    named = excel_separator(first)  # European Excel's first line, sep=;
    delimiter = named or delimiter_of(first, path.suffix.lower())
    try:
        if named:  # an empty row in its place, so the rows keep their line numbers
            return [[], *csv.reader(io.StringIO(text[len(first):].removeprefix("\r").removeprefix("\n")),
                                    delimiter=delimiter)]
        return list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as exc:
        raise UsageProblem(f"{path}: bad CSV: {exc}; save the sheet as CSV (UTF-8)") from None


def _rows_xlsx(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook

    # openpyxl raises many kinds for a file that is no workbook, as it opens it or reads its sheet
    # (AttributeError, ParseError, IndexError…): each was an unexpected error, exit 1
    book = None
    try:
        book = load_workbook(path, read_only=True, data_only=True)
        return [["" if v is None else str(v) for v in row] for row in book.worksheets[0].iter_rows(values_only=True)]
    except Exception as exc:  # noqa: BLE001
        raise UsageProblem(f"{path}: not a readable .xlsx workbook ({type(exc).__name__}); "
                           "save it from the spreadsheet as .xlsx or CSV") from None
    finally:
        if book is not None:
            book.close()


def _table(path: Path, rows: list[list[str]]) -> list[tuple[int, str]]:
    """(line number, cell) of the handle column of a CSV or a sheet."""
    numbered = [(n, row) for n, row in enumerate(rows, 1) if any(c.strip() for c in row)]
    if not numbered:
        return []
    head_line, header = numbered[0]
    column = _column(header)
    width = max(len(r) for _, r in numbered)
    if column is None and width == 1:
        # one column without a known name: its first cell is a header, unless it is a handle
        first = header[0].strip()
        if first.startswith("@") or "://" in first:
            return [(n, r[0]) for n, r in numbered]
        click.echo(f"{path}: line {head_line} ({first!r}) taken as the column's name, not a handle", err=True)
        return [(n, r[0] if r else "") for n, r in numbered[1:]]
    if column is None:
        named = ", ".join(repr(h.strip()) for h in header if h.strip()) or "(none)"
        raise UsageProblem(f"{path} line {head_line}: no handle column; the columns are {named}; "
                           f"name one 'handle' (or username, account, channel, url)")
    return [(n, r[column] if column < len(r) else "") for n, r in numbered[1:]]


def _lines(text: str) -> list[tuple[int, str]]:
    out = []
    # Lines as an editor numbers them: str.splitlines also splits at U+2028, \x0c, \x1c…,
    # which put every later line's number one too high in the messages.
    for number, line in enumerate(re.split(r"\r\n|\r|\n", text), 1):
        line = re.split(r"(?:^|\s)#", line, maxsplit=1)[0]  # a comment: a line or its end
        if line.strip():
            out.append((number, line))
    return out


def read_handles(path_name: str) -> list[str]:
    """The handles in a CSV, .xlsx or text file, in order, without duplicates (a note on
    stderr names them); UsageProblem (exit 2) naming the file and line for bad input."""
    path = Path(path_name)
    if not path.exists():
        raise UsageProblem(f"{path}: no such file; --handles takes a CSV, .xlsx or text file of handles")
    if path.is_dir():
        raise UsageProblem(f"{path}: a directory; --handles takes a CSV, .xlsx or text file of handles")
    suffix = path.suffix.lower()
    try:
        if path.stat().st_size > MAX_BYTES:
            raise UsageProblem(f"{path}: larger than {MAX_BYTES // 1024 ** 2} MB; that is not a list of handles")
        if suffix == ".xlsx":
            cells = _table(path, _rows_xlsx(path))
        else:
            text = path.read_text(encoding="utf-8-sig")
            cells = _table(path, _rows_csv(path, text)) if suffix in (".csv", ".tsv") else _lines(text)
    except UnicodeDecodeError as exc:
        raise UsageProblem(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8 (or as .xlsx)") from None
    except OSError as exc:
        raise UsageProblem(f"{path}: cannot read the file: {exc.strerror or exc}") from None
    handles: list[str] = []
    seen: dict[str, int] = {}
    dropped: list[str] = []
    for number, cell in cells:
        handle = normalize(cell)
        if handle is None:
            raise UsageProblem(f"{path} line {number}: {cell.strip()[:80]!r} is not a handle; write {RIGHT}")
        if not handle:
            continue
        if legacy_youtube(cell):
            click.echo(f"{path} line {number}: {cell.strip()[:80]!r} is a legacy YouTube URL (/c/ or /user/): "
                       f"{handle!r} may not be the channel's @handle; a /channel/UC… URL or the @handle is exact",
                       err=True)
        key = handle.lower()
        if key in seen:
            dropped.append(f"{handle} (line {number}, first on line {seen[key]})")
            continue
        seen[key] = number
        handles.append(handle)
    if not handles:
        raise UsageProblem(f"{path}: no handles in the file; write one per line ({RIGHT}), "
                           "or a CSV with a column named handle")
    if dropped:
        shown = ", ".join(dropped[:10]) + (f", … and {len(dropped) - 10} more" if len(dropped) > 10 else "")
        click.echo(f"{path}: {len(dropped)} duplicate handle{'s' if len(dropped) != 1 else ''} dropped: {shown}",
                   err=True)
    return handles


# --- after the crawl: what became of each handle ----------------------------------------

OUTCOMES = {  # outcome -> what the report calls it, in the report's order
    "found": "found (stored)",
    "not_found": "not found",
    "moved": "moved (the account it moved to is crawled in its place)",
    "suspended": "suspended by its server",
    "private": "private/hidden",
    "opted_out": "opted out",
    "prefiltered": "skipped by the prefilter (out of tier)",
    "bridged": "bridged account (skipped)",
    "no_answer": "no answer (the lookup failed or a bound was reached; see above)",
    "not_reached": "not reached (the crawl was stopped; --resume asks for them)",
}
SHOWN = 50


def outcomes_for(given: list[str], recorded: dict[str, str] | None, stopped: bool = False) -> dict[str, str]:
    """{handle as given: outcome} for every given handle; where the crawl recorded none,
    ``no_answer``, or ``not_reached`` when the crawl was stopped (Ctrl-C) before it got there.
    Matched case-insensitively, with or without a leading @."""
    lowered = {k.lstrip("@").lower(): v for k, v in (recorded or {}).items()}
    none = "not_reached" if stopped else "no_answer"
    return {h: lowered.get(h.lstrip("@").lower(), none) for h in given}


def report(given: list[str], recorded: dict[str, str] | None, stopped: bool = False) -> dict:
    """The per-handle report for --json: {"counts": {outcome: n}, "handles": {handle: outcome}}."""
    outcomes = outcomes_for(given, recorded, stopped)
    counts: dict[str, int] = {}
    for outcome in outcomes.values():
        counts[outcome] = counts.get(outcome, 0) + 1
    return {"counts": counts, "handles": outcomes}


# A YouTube channel id (UC and 22 characters) is no @handle: "@UC…" named no channel anyone knows.
CHANNEL_ID = re.compile(r"UC[A-Za-z0-9_-]{22}")


def _as_said(name: str) -> str:
    """A handle as the report shows it: @name, but a DID or a channel id as it is."""
    bare = name.lstrip("@")
    return bare if DID.fullmatch(bare) or CHANNEL_ID.fullmatch(bare) else "@" + bare


def report_lines(given: list[str], recorded: dict[str, str] | None, stopped: bool = False) -> list[str]:
    """The printed report: a count line, then the handles of each outcome."""
    data = report(given, recorded, stopped)
    order = [*OUTCOMES, *sorted(set(data["counts"]) - set(OUTCOMES))]
    counts = ", ".join(f"{data['counts'][o]} {OUTCOMES.get(o, o)}" for o in order if o in data["counts"])
    lines = [f"  handles: {len(given)} given: {counts}"]
    for outcome in order:
        names = [h for h, o in data["handles"].items() if o == outcome]
        if not names:
            continue
        shown = ", ".join(map(_as_said, names[:SHOWN]))
        if len(names) > SHOWN:
            shown += f", … and {len(names) - SHOWN} more (all in crawl_runs.stats, key \"handles\")"
        lines.append(f"    {OUTCOMES.get(outcome, outcome)}: {shown}")
    return lines
