"""`microscout import`: profiles and posts from files into the database (docs/IMPORT.md).

For platforms without a usable API (LinkedIn) and for what other tools export. Every row is
checked on its own: the good rows are stored, the bad ones are listed with file, line and
reason, and the command exits 1 so a script notices. Profiles are imported before posts,
whatever the order of the files, so one command can take both.
"""
from __future__ import annotations

import functools
import itertools
import json
import os
import sys
import time
import urllib.parse
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import click

from microscout.cli.common import Env, UsageProblem, with_env
from microscout.config import Platforms
from microscout.store.transaction import transaction
from microscout.words import counted

BATCH = 500
BAD_SHOWN = 50  # bad rows printed (all of them, up to BAD_KEPT, in the run record)
BAD_KEPT = 1000


@contextmanager
def progress_bar(total: int, label: str) -> Iterator[Callable[[int], None]]:
    """On a terminal, a rich progress bar on stderr; elsewhere nothing."""
    if total < 2 * BATCH or not sys.stderr.isatty():
        yield lambda n: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)


def _mtime(path: Path) -> str:
    return datetime.fromtimestamp(int(path.stat().st_mtime), tz=timezone.utc).isoformat()


class Source:
    """One file: what it holds ("profiles", "posts" or "comments") and its raw rows as (line,
    row | RowError). Comments (instaloader's) are comments-table rows of the post ``post``.
    ``records``: the rows, or for a CSV or JSONL file the function that reads them again from
    the disk (a file is read once to check it and count its rows, once to store them: a 200 MB
    export held as rows took 2 GB); ``count``: how many there are."""

    def __init__(self, path: Path, kind: str, records: list | Callable[[], Iterator[Any]], columns: dict[str, str],
                 per_row: bool = False, post: str | None = None, thousands: str | None = None,
                 count: int | None = None):
        self.path, self.kind, self.columns = path, kind, columns
        self._records = records
        self.count = len(records) if isinstance(records, list) else count or 0
        self.per_row = per_row  # JSONL: each object's own keys name its columns
        self.post = post
        self.thousands = thousands  # how a CSV's numbers group thousands (read.table)
        self.observed_at = _mtime(path)

    def records(self) -> Iterator[Any]:
        return iter(self._records) if isinstance(self._records, list) else self._records()


def sources(paths: list[Path], platform: str, kind: str, notes: list[str],
            explicit: set[Path] | None = None, unreadable: list[dict] | None = None) -> list[Source]:
    """The files' sources. A .json file that is not instaloader's (no wrapper, not a comments
    file) is an error when named in ``explicit`` (on the command line), else skipped with a note;
    one that cannot be read (cut short, not UTF-8) is an error when named, else added to
    ``unreadable`` (file, reason): data lost, which the import counts as bad rows are."""
    from microscout.importers import instaloader, read
    from microscout.importers.rows import (
        POST_COLUMNS,
        PROFILE_COLUMNS,
        RowError,
        columns_for,
        names_posts,
        unknown_columns,
    )

    out: list[Source] = []
    explicit = set(paths) if explicit is None else explicit
    post_files: dict[Path, str] = {}  # a post's JSON without .json / .json.xz -> its shortcode
    comment_files: list[tuple[Path, list]] = []
    for path in paths:
        if read.suffix_of(path) in (".json", ".json.xz"):
            try:
                data = read.load_json(path)
            except UsageProblem as exc:
                if path in explicit:
                    raise
                if unreadable is None:
                    notes.append(f"{exc.message}: skipped")
                else:
                    unreadable.append({"file": str(path), "line": None,
                                       "reason": exc.message.removeprefix(f"{path}: ")})
                continue
            found = read.wrapped(data)
            if found is None and not read.is_comments(path, data):
                # beside instaloader's structures: its resume files (iterator_*.json.xz), or
                # anything else; an error only for a file named on the command line
                if path in explicit:
                    raise UsageProblem(f"{path}: {read.NOT_INSTALOADER}")
                notes.append(f"{path}: not instaloader's JSON (no \"node\" and \"instaloader\" keys): skipped")
                continue
            if platform != "instagram":
                raise UsageProblem(f"{path}: instaloader JSON holds Instagram data; import it with --platform "
                                   "instagram")
            if found is None:
                comment_files.append((path, data))
                continue
            node_type, node = found
            try:
                if node_type == "Profile":
                    row: Any = instaloader.profile(node)
                    if instaloader.is_private(node):
                        notes.append(f"{path}: @{node.get('username')} is private: its posts are unknown")
                elif node_type == "Post":
                    row = instaloader.post(node, owner_hint=path.parent.name)
                    post_files[_without_json(path)] = row["id"]
                else:
                    notes.append(f"{path}: an instaloader {node_type or 'structure'}, not a Profile or Post: skipped")
                    continue
            except RowError as exc:
                row = exc
            what = "profiles" if node_type == "Profile" else "posts"
            known = PROFILE_COLUMNS if what == "profiles" else POST_COLUMNS
            record = read.Record(1, error=row) if isinstance(row, RowError) else read.Record(1, row)
            out.append(Source(path, what, [record], {k: k for k in known}))
            continue
        header, records, thousands = read.table(path)
        # as columns_for reads them: "Post URL" is post_url, as "Instagram Username" is instagram_username
        lowered = {h.strip().lower().replace(" ", "_") for h in header}
        what = kind if kind != "auto" else ("posts" if names_posts(lowered) else "profiles")
        if kind != "auto" and (refused := _other_kind(path, header, kind)):
            raise UsageProblem(refused)
        known = PROFILE_COLUMNS if what == "profiles" else POST_COLUMNS
        columns, ignored = columns_for(header, known)
        per_row = read.suffix_of(path) not in read.DELIMITED
        if per_row:
            ignored = unknown_columns(header, known)
        if what == "profiles" and not {"platform_id", "handle"} & set(columns):
            raise UsageProblem(f"{path}: no handle or id column for profiles; the columns are "
                               f"{', '.join(repr(h) for h in header)}; name one 'handle' or 'platform_id' "
                               "(a posts file names its author in a 'profile' column)")
        if what == "posts" and "profile" not in columns:
            raise UsageProblem(f"{path}: no 'profile' column naming each post's author; the columns are "
                               f"{', '.join(repr(h) for h in header)}")
        if what == "posts" and header:
            # a column every post needs, missing from the file: one line, not every row listed as bad
            if "created_at" not in columns:
                raise UsageProblem(f"{path}: no 'created_at' column (or date, published_at, timestamp, taken_at, "
                                   f"create_time) giving each post's date; the columns are "
                                   f"{', '.join(repr(h) for h in header)}")
            if not {"id", "url"} & set(columns):
                raise UsageProblem(f"{path}: no 'id' column (or post_id, shortcode, video_id) and no 'url' column "
                                   f"naming each post; the columns are {', '.join(repr(h) for h in header)}")
        if ignored:
            notes.append(f"{path}: columns not imported: {', '.join(ignored)}")
        # the first pass: every row read (a file that cannot be read stops the import before
        # anything is stored), counted, and a profile listed twice noted; none of them kept
        count, repeated = _repeated(path, records, columns, per_row, what == "profiles")
        notes += repeated
        out.append(Source(path, what, functools.partial(_again, path), columns, per_row, thousands=thousands,
                          count=count))
    for path, items in comment_files:
        base = path.with_name(path.name[:-len(read.COMMENTS_SUFFIX)])
        post_id = post_files.get(base) or _sibling_post(base)
        if post_id is None:
            notes.append(f"{path}: comments of a post whose JSON is not beside it ({base.name}.json or "
                         ".json.xz): skipped")
            continue
        said = [read.Record(n, error=r) if isinstance(r, RowError) else read.Record(n, r)
                for n, r in instaloader.comments(items)]
        if said:
            out.append(Source(path, "comments", said, {}, post=post_id))
    return out


def _other_kind(path: Path, header: list[str], kind: str) -> str | None:
    """Why a CSV or JSONL file given ``--kind kind`` is not imported: its header has columns only
    the other kind has and none only ``kind`` has (``id,text`` with --kind profiles: the post's
    id was stored as a profile's, its text dropped); else None. Where the header says nothing
    of the kind (username, id, created_at: both kinds have them), or both, --kind decides."""
    from microscout.importers.rows import POST_COLUMNS, PROFILE_COLUMNS, columns_for, own_columns

    own = own_columns(header)
    other = "posts" if kind == "profiles" else "profiles"
    # a date, a count, a name or a description alone does not say the other kind: a list of
    # accounts with the "date" it was made or their total "likes", videos with a "description"
    if own[kind] or not own_columns(header, decisive=True)[other]:
        return None
    theirs = own[other]
    named = ", ".join(repr(h) for h in theirs[:4]) + (", …" if len(theirs) > 4 else "")
    columns = set(columns_for(header, POST_COLUMNS if other == "posts" else PROFILE_COLUMNS)[0])
    if other == "posts":
        ours = "(handle, followers, bio…)"
        needs = [said for need, said in (("profile", "a 'profile' column naming each post's author"),
                                         ("created_at", "a 'created_at' column giving each post's date"))
                 if need not in columns]
        if not {"id", "url"} & columns:
            needs.append("an 'id' or 'url' column naming each post")
    else:
        ours = "(profile, text, likes…)"
        needs = [] if {"platform_id", "handle"} & columns else ["a 'handle' or 'platform_id' column"]
    right = f"import it with --kind {other}, or without --kind"
    if needs:
        right = (f"as {other} it needs {', '.join(needs[:-1])}{' and ' if len(needs) > 1 else ''}{needs[-1]}: "
                 f"add {'them' if len(needs) > 1 else 'one'}, then {right}")
    return (f"{path}: --kind {kind}, but the file holds {other}: {named} "
            f"{'is a column' if len(theirs) == 1 else 'are columns'} only {other} have, and no column is one only "
            f"{kind} have {ours}; {right}")


def _again(path: Path) -> Iterator[Any]:
    """The records of a CSV or JSONL file read and checked before: its second pass."""
    from microscout.importers import read

    return read.table(path, again=True)[1]


@functools.lru_cache(maxsize=256)
def row_columns(keys: tuple[str, ...], kind: str) -> dict[str, str]:
    """{ours: theirs} of a JSONL object whose keys are ``keys``, in a ``kind`` file ("profiles"
    or "posts"): looked up once for each set of keys (most rows of a file share one), not for
    every row of every pass. Not to be changed by the caller."""
    from microscout.importers.rows import POST_COLUMNS, PROFILE_COLUMNS, columns_for

    return columns_for(list(keys), PROFILE_COLUMNS if kind == "profiles" else POST_COLUMNS)[0]


def _repeated(path: Path, records: Iterable[Any], columns: dict[str, str], per_row: bool = False,
              profiles: bool = True) -> tuple[int, list[str]]:
    """(how many records, a note for each profile a file lists again), by its id or by its
    handle (in any case, a profile URL read as its handle), as the import takes them for one
    profile: the later row's values are stored over the earlier's, an empty cell keeping the
    earlier value. Only each id or handle is kept, with the line it is first on. ``per_row``:
    a JSONL file, whose objects each name their own columns. ``profiles``:
    False for a posts file, whose records are only counted."""
    from microscout.cli.handles import normalize

    first: dict[str, int] = {}  # an id or a handle, lower case: the importer takes either for the profile
    said = []
    count = 0
    for record in records:
        count += 1
        if record.error is not None or not profiles:
            continue
        named = row_columns(tuple(record.row), "profiles") if per_row else columns
        keys = []
        for ours in ("platform_id", "handle"):
            value = str(record.row.get(named.get(ours, "")) or "").strip()
            if ours == "handle" and value:
                value = normalize(value) or value
            if value.lstrip("@"):
                keys.append((named[ours], value.lstrip("@").lower()))
        again = next(((column, value) for column, value in keys if value in first), None)
        if again is not None:
            said.append(f"{path} line {record.line}: {again[0]} {again[1]!r} again (first on line "
                        f"{first[again[1]]}): the later row's values are stored, its empty cells keeping the "
                        f"earlier row's")
        for _column, value in keys:
            first.setdefault(value, record.line)
    return count, said


def _without_json(path: Path) -> Path:
    name = path.name
    return path.with_name(name[:-len(".json.xz")] if name.lower().endswith(".json.xz") else name[:-len(".json")])


def _sibling_post(base: Path) -> str | None:
    """The shortcode in the post JSON instaloader wrote beside a comments file, if any."""
    from microscout.importers import read

    for suffix in (".json", ".json.xz"):
        path = base.with_name(base.name + suffix)
        if not path.is_file():
            continue
        try:
            found = read.wrapped(read.load_json(path))
        except UsageProblem:
            continue
        if found and found[0] == "Post":
            code = found[1].get("shortcode") or found[1].get("code")
            if isinstance(code, str) and code:
                return code
    return None


class BadRows:
    """The bad rows of an import: all counted, the first BAD_KEPT kept (what the run records;
    a file whose every row is bad is not held whole as the list of them)."""

    def __init__(self, first: Iterable[dict] = ()) -> None:
        self.kept: list[dict] = []
        self.count = 0
        for row in first:
            self.append(row)

    def append(self, row: dict) -> None:
        self.count += 1
        if len(self.kept) < BAD_KEPT:
            self.kept.append(row)


def _batches(src: Source, bad: BadRows) -> Iterator[list[Any]]:
    """``src``'s records, BATCH at a time, read as they are stored. A file that changed since its
    first pass so that it can no longer be read (not UTF-8 now, a quote left open, gone) is
    listed with the bad rows, as a file that cannot be read is, after the rows read before."""
    def read() -> Iterator[Any]:  # the file opened in the loop's try, as it is read
        yield from src.records()

    records = read()
    while True:
        chunk: list[Any] = []
        try:
            chunk.extend(itertools.islice(records, BATCH))
        except UsageProblem as exc:
            reason: str | None = exc.message.removeprefix(f"{src.path}: ")
        except UnicodeDecodeError as exc:
            reason = f"not UTF-8 text ({exc.reason})"
        except OSError as exc:
            reason = f"cannot read the file: {exc.strerror or exc}"
        else:
            reason = None
        if chunk:
            yield chunk
        if reason is not None:
            bad.append({"file": str(src.path), "line": None,
                        "reason": f"the file changed since it was first read ({reason}): the rest of it is not "
                                  "imported; import it again"})
            return
        if len(chunk) < BATCH:
            return


def run_import(db, platform: str, files: list[str], srcs: list[Source], profile_site: str | None = None,
               unreadable: list[dict] | None = None) -> dict:
    """Store every good row; the import's record (a crawl_runs row) and its summary.
    ``profile_site``: LinkedIn's base_url, from which a profile the file gives no url for
    gets its public address (SITE/in/HANDLE/). ``unreadable``: files of a folder that could
    not be read, listed with the bad rows."""
    from microscout.importers.rows import RowError, post_row, profile_row
    from microscout.importers.store import Importer
    from microscout.store.writes import now_iso

    started = time.monotonic()
    with transaction(db):
        run_id = db["crawl_runs"].insert({
            "platform": platform, "arguments": json.dumps({"import": files, "platform": platform}),
            "started_at": now_iso(), "status": "running", "stats": json.dumps({"pid": os.getpid()})}).last_pk
    importer = Importer(db, platform, run_id)
    bad = BadRows(unreadable or [])
    rows_read = 0
    ordered = [s for kind in ("profiles", "posts", "comments") for s in srcs if s.kind == kind]
    total = sum(s.count for s in ordered)
    try:
        with progress_bar(total, f"Importing {platform}") as advance:
            for src in ordered:
                answered = importer.post_owner(src.post) if src.kind == "comments" and src.post else None
                if src.kind == "comments" and answered is None:
                    rows_read += src.count
                    bad.append({"file": str(src.path), "line": 1, "reason": (
                        f"no {platform} post {src.post!r} stored: its {counted(src.count, 'comment')} are not "
                        "imported; import the post's JSON first (or in the same command)")})
                    advance(src.count)
                    continue
                # BATCH rows at a time, as the file is read: only a batch is held, never the file
                for chunk in _batches(src, bad):
                    good: list[dict] = []
                    where = src.path.name
                    with transaction(db):
                        for record in chunk:
                            rows_read += 1
                            try:
                                if record.error is not None:
                                    raise record.error
                                if src.kind == "comments":
                                    good.append(record.row)
                                    continue
                                columns = row_columns(tuple(record.row), src.kind) if src.per_row \
                                    else src.columns
                                at = f"{where} line {record.line}"
                                if src.kind == "profiles":
                                    profile = profile_row(record.row, columns, platform, at, src.thousands)
                                    if profile_site and not profile["url"] and profile["handle"]:
                                        profile["url"] = (f"{profile_site.rstrip('/')}/in/"
                                                          f"{urllib.parse.quote(profile['handle'].lstrip('@'))}/")
                                    good.append(profile)
                                else:
                                    row = post_row(record.row, columns, platform, at, src.thousands)
                                    row["profile_alt"] = record.row.get("profile_alt")
                                    row["profile_id"] = importer.owner(row)
                                    del row["profile"], row["profile_alt"]
                                    good.append(row)
                            except RowError as exc:
                                bad.append({"file": str(src.path), "line": record.line, "reason": str(exc)})
                        if src.kind == "profiles":
                            importer.add_profiles(good, src.observed_at)
                        elif src.kind == "comments":
                            assert answered is not None and src.post
                            importer.add_comments(good, answered, src.post, src.observed_at)
                        else:
                            importer.add_posts(good, src.observed_at)
                    advance(len(chunk))
    except KeyboardInterrupt:
        # Recorded as a crawl's is, never left "running"; a second import of the same files
        # updates what this one stored and adds the rest.
        with transaction(db):
            db["crawl_runs"].update(run_id, {"status": "interrupted", "finished_at": now_iso(),
                                             "profiles": len(importer.profiles), "posts": importer.posts})
        click.echo(f"\nstopped after {rows_read:,} of {total:,} rows (import run {run_id} recorded interrupted); "
                   f"importing the same files again stores the rest, without duplicating what is stored", err=True)
        raise click.exceptions.Exit(130) from None
    summary = {"run": run_id, "platform": platform, "files": len(srcs), "rows": rows_read,
               "profiles": len(importer.profiles), "posts": importer.posts, "comments": importer.comments,
               "snapshots": importer.snapshots,
               "posts_kept_newer": len(importer.newer_posts), "comments_kept_newer": len(importer.newer_comments),
               "opted_out": sorted(importer.skipped_opted_out), "opted_out_posts": importer.skipped_posts,
               "bad_rows": bad.count, "bad": bad.kept}
    with transaction(db):
        db["crawl_runs"].update(run_id, {
            "status": "incomplete" if bad.count else "finished", "finished_at": now_iso(),
            "profiles": len(importer.profiles), "posts": importer.posts, "items": rows_read - bad.count,
            "duration": round(time.monotonic() - started, 3),
            "stats": json.dumps({"import": {k: v for k, v in summary.items() if k != "run"}}, ensure_ascii=False)})
    return summary


@click.command(name="import", short_help="Import profiles and posts from CSV, JSONL or instaloader JSON files.")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--platform", required=True, type=click.Choice(list(Platforms.model_fields)),
              help="Whose profiles and posts the files hold (linkedin: the platform with no API).")
@click.option("--kind", type=click.Choice(["auto", "profiles", "posts"]), default="auto", show_default=True,
              help="What CSV/JSONL files hold; auto: posts when a 'profile' column names each post's author, or "
                   "a post's text (text, content…) stands without a column only profiles have (handle, "
                   "followers…); a file with only columns both kinds have (id, username, created_at; user_id: an "
                   "account's own id or a post's author) is what --kind says, profiles without it. A file whose "
                   "columns say the other kind (text, caption; followers, bio) and nothing of this one is refused.")
@click.option("--json", "as_json", is_flag=True, help="Print the import's summary as JSON.")
@with_env
def command(env: Env, files: tuple[str, ...], platform: str, kind: str, as_json: bool) -> None:
    """Import FILE… (CSV: .csv, or .tsv separated by tabs; JSONL: .jsonl, .ndjson; or the
    .json/.json.xz files instaloader writes, its _comments.json files too; a folder stands for
    the files in it, its other JSON skipped with a note) as PLATFORM's profiles and posts.

    Profiles: a handle or platform_id column, and any of display_name, bio, followers,
    following, posts_count, created_at, last_post_at, url, website (the creator's own site,
    the export's contact when the bio has no email), has_avatar, observed_at. Posts: profile
    (the author's handle or id), id, created_at, and any of text, likes, replies, reposts,
    views, url, paid_flag, observed_at. observed_at (else the file's modification time) is
    when the numbers were taken: a file observed before what is stored only fills in what is
    unknown there. Empty cells are unknown, never 0. Rows are stored through the crawl's store functions,
    so `microscout shortlist` judges imported creators by the same rules; importing a file
    again updates its rows, never duplicates them.

    Exit status: 0 when every row was imported; 1 when some rows were bad, or instaloader's
    JSON found in a folder could not be read (the good rows are stored, the bad ones listed
    with file, line and reason); 2, with nothing stored, when a file cannot be read at all: a
    CSV, TSV or JSONL file (in a folder too: empty, no header or handle column, not UTF-8, or
    a post's text or author and no column only profiles have with --kind profiles, or followers
    or a bio and no column only posts have with --kind posts), or a JSON file named on the
    command line.
    """
    from microscout.importers.read import TABLE_SUFFIXES, expand

    paths = expand(files)
    notes: list[str] = []
    named = {Path(name) for name in files if Path(name).is_file()}  # not found in a folder
    unreadable: list[dict] = []
    srcs = sources(paths, platform, kind, notes, explicit=named, unreadable=unreadable)
    for note in notes:
        click.echo(note, err=True)
    if not srcs:
        if unreadable:
            raise UsageProblem(f"{unreadable[0]['file']}: {unreadable[0]['reason']}")
        raise UsageProblem("nothing to import: no profile or post in the files given")
    for src in srcs:  # beside files with rows, a table with none is said, not passed over
        if not src.count and src.path.suffix.lower() in TABLE_SUFFIXES and \
                any(s.count for s in srcs):
            click.echo(f"{src.path}: a header and no rows: nothing imported from it", err=True)
    if not unreadable and not any(s.count for s in srcs):
        names = ", ".join(str(s.path) for s in srcs[:3]) + (f" and {len(srcs) - 3} more" if len(srcs) > 3 else "")
        raise UsageProblem(f"nothing to import: {names} hold{'s' if len(srcs) == 1 else ''} a header and no rows")
    site = env.config.platforms.get(platform).base_url if platform == "linkedin" else None
    summary = run_import(env.db(create=True), platform, [str(p) for p in paths], srcs, profile_site=site,
                         unreadable=unreadable)
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False, indent=1))
    else:
        click.echo(f"import run {summary['run']} ({platform}): {counted(summary['rows'], 'row')} from "
                   f"{counted(summary['files'], 'file')}: {counted(summary['profiles'], 'profile')}, "
                   f"{counted(summary['posts'], 'post')}"
                   f"{', ' + counted(summary['comments'], 'comment') if summary['comments'] else ''} stored")
    if summary["posts_kept_newer"] or summary["comments_kept_newer"]:
        newer = {k: summary[f"{k}s_kept_newer"] for k in ("post", "comment") if summary[f"{k}s_kept_newer"]}
        click.echo(f"{' and '.join(counted(n, k) for k, n in newer.items())} kept "
                   f"{'its' if sum(newer.values()) == 1 else 'their'} newer counts: stored from a later observation "
                   "(a crawl, a newer file) than the file's observed_at (else its modification time), they took from "
                   "the file only what they lacked", err=as_json)  # --json: stdout stays the JSON
    if summary["opted_out"]:
        names = summary["opted_out"]
        posts = f" and {counted(summary['opted_out_posts'], 'post')}" if summary["opted_out_posts"] else ""
        click.echo(f"skipped {counted(len(names), 'profile')}{posts} of accounts stored as opted out (only the "
                   f"opt-out is kept): {', '.join(names[:10])}{' …' if len(names) > 10 else ''}")
    if summary["bad_rows"]:
        n = summary["bad_rows"]
        click.echo(f"{n} bad row{'s' if n != 1 else ''} or unreadable file{'s' if n != 1 else ''} not imported:"
                   if unreadable else f"{n} bad row{'s' if n != 1 else ''} not imported:", err=True)
        for row in summary["bad"][:BAD_SHOWN]:
            where = f" line {row['line']}" if row.get("line") is not None else ""
            click.echo(f"  {row['file']}{where}: {row['reason']}", err=True)
        if n > BAD_SHOWN:
            click.echo(f"  … and {n - BAD_SHOWN} more (crawl_runs.stats of run {summary['run']})", err=True)
        click.echo("  the good rows are stored; fix the bad ones and import the file again (stored rows are "
                   "updated, never duplicated)", err=True)
        sys.exit(1)
