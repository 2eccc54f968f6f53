"""Reading the records the `check` commands judge: CSV, JSONL or a JSON array, with our
column names mapped onto a file's own, clear errors naming file, line and column, labels
for scoring, and the printed precision/recall."""
from __future__ import annotations

import csv
import io
import json
import re
import shlex
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import IO, Any, Callable, Iterable, Iterator, Mapping

import click

from microscout.cli.common import UsageProblem
from microscout.crawlers.parse_common import MAX_JSON_DEPTH, json_depth
from microscout.heuristics.measure import Scorecard, split_half, wilson_interval

TRUE = {"1", "true", "yes", "y", "t"}
FALSE = {"0", "false", "no", "n", "f", ""}
# Truth columns as labeled sets spell them (lower case, '-' and ' ' read as '_'): fake
# accounts, spam comments, sponsored posts, or disclosed ones (check posts --label-means).
POSITIVE_LABELS = TRUE | {"fake", "spam", "bot", "suspicious", "sponsored", "promotional", "promo", "ad", "advert",
                          "advertisement", "paid", "commercial", "disclosed"}
NEGATIVE_LABELS = (FALSE - {""}) | {"real", "ham", "genuine", "human", "legit", "legitimate", "authentic", "quality",
                                    "organic", "not_spam", "non_spam", "nonspam", "no_spam", "not_fake",
                                    "non_fake", "not_bot", "non_bot", "nonbot", "not_sponsored", "non_sponsored",
                                    "unsponsored", "not_promotional", "non_promotional", "nonpromotional", "not_ad",
                                    "non_ad", "undisclosed", "not_disclosed"}
# Labels that say which meaning a post set's truth column has (check posts --label-means).
SPONSORED_WORDS = {"sponsored", "not_sponsored", "non_sponsored", "unsponsored", "promotional", "not_promotional",
                   "non_promotional", "nonpromotional", "promo", "ad", "not_ad", "non_ad", "advert",
                   "advertisement", "paid", "commercial", "organic"}
DISCLOSED_WORDS = {"disclosed", "undisclosed", "not_disclosed"}
# Typed cells (numbers, yes/no, dates, pictures) that exports write for a missing value:
# SQL dumps' NULL, pandas' NaN, R's NA.
MISSING = {"null", "none", "nan", "na", "n/a"}
# The pictures platforms give an account that has not set one: Mastodon's missing.png,
# Twitter's default_profile_images/, Instagram's anonymous silhouette (its file name, and
# "anonymous_profile_pic" base64-encoded in the URL's ig_cache_key); Bluesky leaves the
# avatar out.
DEFAULT_AVATARS = ("/missing.png", "default_profile_images/", "/default-avatar",
                   "44884218_345707102882519_2446069589734326272_n", "YW5vbnltb3VzX3Byb2ZpbGVfcGlj")
MAX_FILE_BYTES = 2 * 1024 ** 3  # read whole into memory: past this, split the file


# --- reading records ------------------------------------------------------------------

@dataclass
class Record:
    where: str  # "file.csv line 7" / "file.jsonl line 3" / "file.json item 12"
    row: dict[str, Any]
    # How the file groups a whole number's thousands, when its cells are text: "," in a comma
    # CSV (1,234), "." in a semicolon one (European Excel: 2.000); None where numbers are typed.
    thousands: str | None = None


def read_records(path: Path, notes: bool = True, records: str | None = None,
                 content: bytes | None = None) -> Iterator[Record]:
    """Rows of a .csv/.tsv, .jsonl/.ndjson, .json (an array of objects, or an API page
    holding one) or .xlsx file (its first sheet), also compressed (.gz, .xz, .bz2), with where
    each came from. A JSON Lines file in UTF-8 is read from the disk a line at a time; any
    other is read whole (a JSONL file's rows still one at a time). ``notes``: say on stderr
    how a file not in UTF-8 is read (False for a second pass over the same file).
    ``records``: --records, the key of a JSON page's list to read (a dotted path: data.videos).
    ``content``: the file's bytes, read before (held_bytes: a pipe, which cannot be read twice)."""
    suffix = path.suffix.lower()
    if records is not None:
        inner = Path(path.stem).suffix.lower() if suffix in COMPRESSED else suffix
        if inner != ".json":
            raise UsageProblem(f"{path}: --records {records!r} picks a list of records in a .json file, and this "
                               f"is no .json file; check it without --records (in a run of its own)")
    if content is None and suffix in JSON_LINES and (stream := _utf8_stream(path)) is not None:
        with stream:
            yield from _read_jsonl(path, stream)
        return
    raw = _bytes_of(path) if content is None else content
    if suffix in COMPRESSED:
        raw = _decompressed(path, raw)
        suffix = Path(path.stem).suffix.lower()
    if suffix == ".xlsx":
        yield from _read_xlsx(path, raw)
        return
    text = decoded(path, raw, notes)
    del raw  # the text is what is read now: a big file's bytes are not held beside it
    if suffix in (".csv", ".tsv"):
        yield from _read_csv(path, text)
    elif suffix in JSON_LINES:
        yield from _read_jsonl(path, _TextLines(text))
    elif suffix == ".json":
        data = _loads(text, path, "a .json file must hold an array of objects")
        where = f"{path} item"
        if records is not None:
            data, where = _picked(data, records, path), f"{path} {records} item"
        elif isinstance(data, dict) and isinstance(data.get("node"), dict) and "instaloader" in data:
            # instaloader's file of one post or profile: {"node": {…}, "instaloader": {…}}
            data, where = [data["node"]], f"{path} node"
        elif isinstance(data, dict):
            # A page saved from an API: its records are the one list of objects in it
            # (YouTube's "items", Bluesky's "followers", Mastodon's search "accounts").
            key = _records_key(data, path)
            data, where = data[key], f"{path} {key} item"
        if not isinstance(data, list):
            raise UsageProblem(f"{path}: expected a JSON array of objects, got {_json_kind(data)}")
        for number, row in enumerate(data, 1):
            if not isinstance(row, dict):
                raise UsageProblem(f"{where} {number}: expected a JSON object, got {_json_kind(row)}")
            yield Record(f"{where} {number}", flattened(row))
    else:
        raise UsageProblem(f"{path}: unknown file type {suffix or '(none)'!r}; use .csv, .tsv, .jsonl, .ndjson, "
                           f".json or .xlsx (also compressed: .gz, .xz, .bz2)")


COMPRESSED = (".gz", ".xz", ".bz2")
JSON_LINES = (".jsonl", ".ndjson")


def _json_kind(value: Any) -> str:
    """A JSON value's kind in JSON's words (null, an array), not Python's (NoneType, list)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    return {str: "a string", int: "a number", float: "a number", list: "an array", dict: "an object"}.get(
        type(value), type(value).__name__)


def read_in_passes(path: Path) -> bool:
    """Whether a file's records are read as they come (a CSV, a JSON Lines file), so that one
    pass can find its columns and a second read its rows, instead of every row held: a
    200,000-row JSONL file held as rows took 525 MB to check."""
    suffix = path.suffix.lower()
    if suffix in COMPRESSED:
        suffix = Path(path.stem).suffix.lower()
    return suffix in (".csv", ".tsv", *JSON_LINES)


def _read_jsonl(path: Path, source: IO[str] | _TextLines) -> Iterator[Record]:
    """The objects of a JSON Lines text, one a line (a line ends at \\n, \\r\\n or \\r, as
    json_lines splits one; blank lines skipped), from ``source``'s readline."""
    number = 0
    while line := source.readline():
        number += 1
        line = line.rstrip("\r\n")
        if not line.strip():
            continue
        row = _loads(line, path, "each line must be one JSON object", number)
        if not isinstance(row, dict):
            raise UsageProblem(f"{path} line {number}: expected a JSON object, got {_json_kind(row)}")
        yield Record(f"{path} line {number}", flattened(row))


def _bytes_of(path: Path) -> bytes:
    """A file's bytes, refused (UsageProblem) past MAX_FILE_BYTES or when it cannot be read."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise UsageProblem(f"{path}: larger than {MAX_FILE_BYTES // 1024 ** 3} GiB; split it into smaller files")
        return path.read_bytes()
    except OSError as exc:
        raise UsageProblem(f"{path}: cannot read the file: {exc.strerror or exc}") from None


def held_bytes(path: Path, held: dict[Path, bytes]) -> bytes | None:
    """The bytes of a file that is read more than once (its keys, then its rows; or its rows
    checked before any is printed) but can be read only once: a named pipe (mkfifo), or
    /dev/stdin under a name ending .csv. Read whole on the first call and kept in ``held``
    for the next; None for a regular file, read from the disk each pass."""
    try:
        if path.is_file() or not path.exists():  # one that is not there: said by the reader, as for any file
            return None
    except OSError:
        return None
    if path not in held:
        held[path] = _bytes_of(path)
    return held[path]


def _utf8_stream(path: Path) -> IO[str] | None:
    """The file open as UTF-8 text (its BOM dropped, line ends kept as written) when all of it
    is UTF-8, checked 64 KiB at a time; None for anything decoded() reads another way
    (UTF-16, Windows-1252, a ZIP archive), or refuses."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise UsageProblem(f"{path}: larger than {MAX_FILE_BYTES // 1024 ** 3} GiB; split it into smaller files")
        with path.open("rb") as fh:
            head = fh.read(4096)
            if b"\x00" in head or head.startswith(b"PK\x03\x04"):
                return None
            chunk = head
            while chunk:
                decoder.decode(chunk)
                chunk = fh.read(1 << 16)
            decoder.decode(b"", final=True)
        return path.open(encoding="utf-8-sig", newline="")
    except UnicodeDecodeError:
        return None
    except OSError as exc:
        raise UsageProblem(f"{path}: cannot read the file: {exc.strerror or exc}") from None


def _decompressed(path: Path, data: bytes) -> bytes:
    import bz2
    import gzip
    import lzma

    opener = {".gz": gzip.decompress, ".xz": lzma.decompress, ".bz2": bz2.decompress}[path.suffix.lower()]
    try:
        return opener(data)
    except (OSError, EOFError, lzma.LZMAError, ValueError) as exc:
        raise UsageProblem(f"{path}: cannot decompress it as {path.suffix.lower()} ({exc})") from None


def decoded(path: Path, data: bytes, notes: bool = True) -> str:
    """A file's text: UTF-8 (with or without its BOM), UTF-16 with its BOM (Excel's "Unicode
    text") or without it (said in a note), else Windows-1252, as Excel and older Kaggle sets
    save (said in a note); UTF-8 with stray bytes is refused, not garbled."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise UsageProblem(f"{path}: not UTF-16 text after its byte-order mark (byte {exc.start}); "
                               f"save it as UTF-8") from None
    head = data[:4096]
    if len(head) >= 4 and head.count(0) >= len(head) // 3 and (not any(head[1::2]) or not any(head[0::2])):
        # Every other byte 0: UTF-16 text whose byte-order mark was lost (valid UTF-8 holds no NUL).
        encoding = "utf-16-le" if not any(head[1::2]) else "utf-16-be"
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            raise UsageProblem(f"{path}: looks like UTF-16 text without its byte-order mark, but is not; save it as "
                               f"UTF-8") from None
        if notes:
            click.echo(f"note: {path} has no byte-order mark; read as {encoding.upper()} (every other byte is 0)",
                       err=True)
        return text
    if data.startswith(b"PK\x03\x04"):
        raise UsageProblem(f"{path}: a ZIP archive (an Excel workbook?); name a workbook .xlsx, or unzip the "
                           f"archive and check the files in it")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if b"\x00" in head:
            raise UsageProblem(f"{path}: binary data, not text (byte {exc.start}); export it as CSV or JSON") \
                from None
        if any(ord(c) > 127 and c != "\ufffd" for c in data.decode("utf-8", errors="replace")):
            # Mostly UTF-8 (its accents and emoji decode) with a stray byte: read as Windows-1252,
            # every one of them would be garbled.
            raise UsageProblem(f"{path}: UTF-8 text with bytes that are not UTF-8 (the first at byte {exc.start}); "
                               f"save it as UTF-8 again") from None
        if notes:
            click.echo(f"note: {path} is not UTF-8 (byte {exc.start}); read as Windows-1252 (Latin-1)", err=True)
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:  # one of the five bytes cp1252 leaves undefined: Latin-1 has them all
            return data.decode("latin-1")


def _cell_text(value: Any) -> Any:
    """A workbook cell as a CSV would hold it (a typed 2024 caption is text, a count is read
    from its text as any other), None when empty."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(path: Path, data: bytes) -> Iterator[Record]:
    """The rows of a workbook's first sheet, its first row naming the columns; each cell as
    the sheet types it (a number, a date, a yes/no)."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a file that is no workbook
        raise UsageProblem(f"{path}: not an Excel workbook openpyxl can read ({type(exc).__name__}: {exc})") \
            from None
    try:
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if not header or not any(cell is not None for cell in header):
            raise UsageProblem(f"{path}: no header row in its first sheet ({sheet.title!r}); the first row must "
                               f"name the columns")
        names = [str(cell).strip() if cell is not None else "" for cell in header]
        for number, values in enumerate(rows, 2):
            if all(value is None or (isinstance(value, str) and not value.strip()) for value in values):
                continue
            row: dict[str, Any] = {}
            for name, value in zip(names, values):
                if name:
                    row.setdefault(name, _cell_text(value))
            yield Record(f"{path} sheet {sheet.title!r} row {number}", row)
    finally:
        book.close()  # a read-only workbook keeps its archive open until closed


# Where API pages keep their records: YouTube's items, TikTok's and Graph APIs' data,
# Bluesky's followers/follows/feed/posts/actors, Mastodon's search accounts/statuses.
PAGE_KEYS = ("items", "data", "followers", "follows", "accounts", "statuses", "posts", "feed", "actors",
             "results", "comments", "users", "videos", "media", "records", "profiles", "itemList", "userList",
             "aweme_list", "user_list", "comment_list")


def _records_key(data: dict[str, Any], path: Path) -> str:
    """The key of an API page's records: the one key of PAGE_KEYS holding a list of objects
    (a single record saved as an object, a Mastodon status with its media_attachments, is
    no page). Two such lists, or none, are refused, saying how to pick one: --records."""
    lists = [key for key in PAGE_KEYS if isinstance(data.get(key), list)
             and all(isinstance(v, dict) for v in data[key])]
    if len(lists) > 1:  # a search page's other, empty kinds ("statuses": [] beside its accounts)
        lists = [key for key in lists if data[key]] or lists[:1]
    if len(lists) == 1:
        return lists[0]
    if lists:  # Mastodon's search, its accounts and its statuses found
        found = (f"lists of records under {', '.join(map(repr, lists))}; say which to check: "
                 f"{_either(lists)}")
    else:
        found = f"no list of records under {', '.join(PAGE_KEYS)}"
        others = _lists_of_objects(data)
        if others:  # TikTok's Research API: {"data": {"videos": […]}}; a key of the exporter's own
            found += (f"; {_under(others)}: if {'it holds' if len(others) == 1 else 'one holds'} the records, "
                      f"read it with {_either(others)}")
    raise UsageProblem(f"{path}: expected a JSON array of objects, or an API page holding one; found {found}")


def _either(keys: list[str]) -> str:
    """--records a, --records b or --records c (each quoted as a shell needs it)."""
    options = [f"--records {shlex.quote(key)}" for key in keys]
    return options[0] if len(options) == 1 else f"{', '.join(options[:-1])} or {options[-1]}"


def _under(keys: list[str]) -> str:
    return (f"a list of objects is under {keys[0]!r}" if len(keys) == 1
            else f"lists of objects are under {', '.join(map(repr, keys))}")


def _lists_of_objects(data: Any, prefix: str = "", depth: int = 3) -> list[str]:
    """The dotted keys of the non-empty lists of objects in a JSON page, ``depth`` levels down
    at most (the first 5): what --records may name."""
    found: list[str] = []
    if isinstance(data, dict) and depth:
        for key, value in data.items():
            name = f"{prefix}{key}"
            if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
                found.append(name)
            elif isinstance(value, dict):
                found.extend(_lists_of_objects(value, name + ".", depth - 1))
    return list(dict.fromkeys(found))[:5]  # "a.b" once, under the key "a.b" and under b in a


def _picked(data: Any, key: str, path: Path) -> list[Any]:
    """The list --records names in a JSON file: a key of its top-level object, or a dotted
    path to one nested in it (data.videos); a dot may also be part of a key ("a.b"): the one
    way of reading the path that leads to a list of records is read, two are refused."""
    if not key.strip():
        raise UsageProblem(f"--records {key!r} names no key; give the key of the list to read, e.g. --records items")
    found = [(value, parts) for value, parts in _paths(data, key)
             if isinstance(value, list) and all(isinstance(v, dict) for v in value)]
    if len(found) > 1:
        ways = " and ".join("".join(f"[{json.dumps(part)}]" for part in parts) for _, parts in found[:2])
        raise UsageProblem(f"{path}: --records {key!r} names two lists of records, {ways}; rename a key, or "
                           f"save the list to read in a file of its own")
    if found:
        return found[0][0]
    # none: where the path leads nowhere, or what it leads to, said as the path reads first
    value, rest, done = data, key, ""
    while True:
        if not isinstance(value, dict):
            inside = f"{done!r} holds" if done else "the file holds"
            raise UsageProblem(f"{path}: --records {key!r}: {inside} {_json_kind(value)}, not an object with keys"
                               + ("" if done else "; check it without --records (in a run of its own) to read "
                                                  "its array"))
        if rest in value:
            value = value[rest]
            break
        head = next((part for part in _prefixes(rest) if part in value), None)
        if head is None:
            inside = f" in {done!r}" if done else ""
            keys = ", ".join(map(repr, list(value)[:20])) or "none"
            hint = _lists_of_objects(data)
            hint_text = f"; {_under(hint)}" if hint else ""
            raise UsageProblem(f"{path}: --records {key!r}: no key {rest.split('.')[0]!r}{inside}; its keys are: "
                               f"{keys}{hint_text}")
        value, rest, done = value[head], rest[len(head) + 1:], f"{done}.{head}" if done else head
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        kind = "a list of other values" if isinstance(value, list) else _json_kind(value)
        raise UsageProblem(f"{path}: --records {key!r} holds {kind}, not a list of records (JSON objects)")
    return value


def _paths(value: Any, key: str, parts: tuple[str, ...] = ()) -> Iterator[tuple[Any, tuple[str, ...]]]:
    """Every value a dotted ``key`` reaches inside ``value``, each with its keys: each dot of
    ``key`` splits two keys, or is part of one."""
    if not isinstance(value, dict):
        return
    if key in value:
        yield value[key], (*parts, key)
    for head in _prefixes(key):
        if head in value:
            yield from _paths(value[head], key[len(head) + 1:], (*parts, head))


def _prefixes(key: str) -> list[str]:
    """The parts of a dotted key before each of its dots, the first part first: a.b.c gives a, a.b."""
    return [key[:i] for i, ch in enumerate(key) if ch == "."]


def flattened(row: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """A JSON object with its nested objects' keys spelt out ("public_metrics.followers_count"),
    as platform APIs give them (a Twitter user's public_metrics, a YouTube comment's snippet);
    lists stay values."""
    flat: dict[str, Any] = {}
    for key, value in row.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            flat.update(flattened(value, name + "."))
        else:
            flat[name] = value
    return flat


def _loads(text: str, path: Path, expected: str, line: int | None = None) -> Any:
    """One JSON value (the whole file, or its ``line``), nested at most MAX_JSON_DEPTH deep;
    every problem a UsageProblem naming the file and line."""
    where = f"{path} line {line}" if line is not None else str(path)
    if json_depth(text) > MAX_JSON_DEPTH:
        raise UsageProblem(f"{where}: JSON nested deeper than {MAX_JSON_DEPTH} levels; {expected}, "
                           f"each a flat record")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        if line is None:
            # a compressed file keeps its compression's suffix: x.json.gz is to be x.jsonl.gz
            jsonl = ".jsonl" + (path.suffix.lower() if path.suffix.lower() in COMPRESSED else "")
            lines = f"it holds one JSON object a line (JSON Lines): name it {jsonl}" if exc.msg == "Extra data" \
                and _json_lines(text) else expected
            raise UsageProblem(f"{path} line {exc.lineno}: not valid JSON ({exc.msg}); {lines}") from None
        raise UsageProblem(f"{where}: not valid JSON ({exc.msg}, column {exc.colno}); {expected}") from None
    except RecursionError:
        raise UsageProblem(f"{where}: JSON nested too deeply; {expected}, each a flat record") from None
    except ValueError as exc:  # e.g. an integer with more digits than Python converts
        raise UsageProblem(f"{where}: not valid JSON ({exc}); {expected}") from None


_LEADING_BLANKS = re.compile("[\ufeff \t\r\n]*")
_FIRST_LINE = re.compile("[^\r\n]*")


def _json_lines(text: str) -> bool:
    """Whether a text that is no one JSON value starts as JSON Lines does: an object on its first line."""
    start = _LEADING_BLANKS.match(text).end()  # type: ignore[union-attr]  # matches any text
    first = _FIRST_LINE.match(text, start).group()  # type: ignore[union-attr]  # the first line only, not a copy
    # of a large file's rest; a line ends at \n, \r\n or \r, as JSON Lines are read
    try:
        return isinstance(json.loads(first), dict)
    except ValueError:
        return False


# A line as a stream opened with newline="" reads it: ending at \r\n, \r or \n, its end kept.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


class _TextLines:
    """The lines of a text held whole, one at a time, as a stream's readline gives them: a
    buffer of a copy of it (io.StringIO) holds four bytes a character."""

    def __init__(self, text: str) -> None:
        self._lines = _LINE.finditer(text)
        self.pending: list[str] = []  # lines read ahead (the header), handed out again first

    def readline(self) -> str:
        if self.pending:
            return self.pending.pop(0)
        found = next(self._lines, None)
        return found.group() if found else ""


class CountedLines:
    """The lines of a text stream, counting how many were handed out: the csv module's
    line_num is where a record ends, and an error should name the line where it starts. The
    lines of the record being read are kept in ``record``. Open the stream with newline="": a
    line ends at \r too (Excel for Mac's "CSV (Macintosh)"), as the import and crawl --handles
    read it (the csv module refused such a file as one line), and a quoted cell keeps its
    line breaks."""

    def __init__(self, stream: IO[str] | _TextLines) -> None:
        self._lines = stream
        self.taken = 0
        self.record: list[str] = []

    def __iter__(self) -> "CountedLines":
        return self

    def __next__(self) -> str:
        line = self._lines.readline()
        if not line:
            raise StopIteration
        self.taken += 1
        self.record.append(line)
        return line


class BadRecord(Exception):
    """A record the csv module refused (records_by_line), with the line it starts on."""

    def __init__(self, line: int, error: csv.Error) -> None:
        super().__init__(f"line {line}: {error}")
        self.line, self.error = line, error


def records_by_line(reader, lines: CountedLines, before: int, path: Path, delimiter: str
                    ) -> Iterator[tuple[int, list[str]]]:
    """The records of ``reader`` (reading ``lines``), each with the line it starts on
    (``before``: the lines before those ``lines`` counts). A quote left open is refused at the
    line where it opens: it runs to the end of the file, where the csv module hands back that
    last record cut short (its cells would be misread as missing, or the rest of the file as
    one cell). A record the csv module cannot read raises BadRecord, naming its line."""
    while True:
        start = lines.taken + 1 + before
        lines.record = []
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise BadRecord(start, exc) from None
        if unclosed_quote(lines.record, delimiter):
            raise UsageProblem(f"{path} line {start}: a quote opened here is never closed, so the rest of the file "
                               "would be read as one cell; close it (a quote in a cell is written twice, \"\", "
                               "inside a quoted cell)")
        yield start, values


DELIMITERS = ",;\t|"


def excel_separator(line: str) -> str | None:
    """The separator a file's first line names as Excel writes it (``sep=;``, European
    Excel's CSV), None for any other line: the one test `check`, `import` and `crawl --handles`
    share, so a file one of them reads the others read the same way."""
    found = re.fullmatch(r"sep=(.)", line.rstrip("\r\n"))
    return found.group(1) if found else None


def delimiter_of(header_line: str, suffix: str) -> str:
    """The separator of a delimited file: a tab for .tsv, else whichever of , ; tab | its
    header line uses most outside quotes (European Excel writes ';'); ',' on a tie."""
    if suffix == ".tsv":
        return "\t"
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for ch in header_line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(DELIMITERS, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def unclosed_quote(lines: list[str], delimiter: str) -> bool:
    """Whether a record's lines run to the end of the file inside a quote: the csv module hands
    such a record back cut short, the rest of the file one cell of it. An odd count of quotes
    alone is no proof: a quote inside an unquoted cell (a bio's 5" tall) is a character of it."""
    if sum(line.count('"') for line in lines) % 2 == 0:
        return False
    try:
        for _ in csv.reader(io.StringIO("".join(lines), newline=""), delimiter=delimiter, strict=True):
            pass
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


def _read_csv(path: Path, text: str) -> Iterator[Record]:
    source = _TextLines(text)
    # Some published exports start with blank lines (or lines of spaces): skipped.
    skipped, first = 0, source.readline()
    while first and not first.strip():
        skipped, first = skipped + 1, source.readline()
    delimiter = excel_separator(first) if first else None
    if delimiter:
        skipped, first = skipped + 1, source.readline()  # Excel's first line naming the separator
    if first:
        source.pending.append(first)
    lines = CountedLines(source)
    delimiter = delimiter or delimiter_of(first.rstrip("\r\n"), path.suffix.lower())
    thousands = "." if delimiter == ";" else ","
    # A long caption is one cell; the limit is a C long, 32 bits on Windows.
    csv.field_size_limit(max(csv.field_size_limit(), min(MAX_FILE_BYTES, 2 ** 31 - 1)))
    reader = csv.reader(lines, delimiter=delimiter)
    start = 1 + skipped
    try:
        header = next(reader)
    except StopIteration:
        raise UsageProblem(f"{path}: no header row; the first line must name the columns") from None
    except csv.Error as exc:
        raise UsageProblem(f"{path} line {start}: bad CSV header: {exc}") from None
    header = [name.strip() for name in header]  # "COMMENT_ID, AUTHOR, CLASS" names CLASS
    try:
        for start, values in records_by_line(reader, lines, skipped, path, delimiter):
            if not any(value.strip() for value in values):
                continue  # a blank line, or Excel's row of separators alone (";;;"): no record, as in a workbook
            if len(values) > len(header):
                shown = "tab" if delimiter == "\t" else repr(delimiter)
                raise UsageProblem(f"{path} line {start}: {len(values)} values, more than the {len(header)} "
                                   f"columns of the header (separated by {shown}); quote a value that holds "
                                   f"the separator")
            # A short row leaves its last columns empty (unknown), as csv.DictReader would.
            row: dict[str, Any] = {}
            for name, value in zip(header, values + [None] * (len(header) - len(values))):
                row.setdefault(name, value)  # a repeated name: its first column, the one resolve_columns names
            yield Record(f"{path} line {start}", row, thousands)
    except BadRecord as bad:
        raise UsageProblem(f"{path} line {bad.line}: bad CSV: {bad.error}") from None


def parse_mapping(pairs: tuple[str, ...], known: dict[str, Any]) -> dict[str, str]:
    """--column ours=theirs, checked against our column names; ours= (nothing after the
    '=') leaves our column unread, whatever the file holds under its names."""
    mapping = {}
    for pair in pairs:
        ours, sep, theirs = pair.partition("=")
        if not sep or not ours:
            raise UsageProblem(f"--column {pair!r}: write it as OURS=THEIRS, e.g. --column followers=fans "
                               f"(or OURS= to leave it unread)")
        if ours not in known:
            raise UsageProblem(f"--column {pair!r}: {ours!r} is not one of our columns; "
                               f"they are: {', '.join(known)}")
        mapping[ours] = theirs
    return mapping


def keys_of(rows: Iterable[dict[str, Any]]) -> list[str]:
    """Every key of these rows, in the order first seen: JSON objects need not share their
    keys (Instagram leaves caption out of a post without one), so a file's columns are all
    of them, and a key a row leaves out is an empty value."""
    return list(dict.fromkeys(key for row in rows for key in row))


def truth_hint(path: Path, header: list[str], mapping: dict[str, str], known: dict[str, tuple[str, tuple[str, ...]]],
               truth: str | None, wanted: Iterable[str], before_ours: Mapping[str, tuple[str, ...]] | None = None
               ) -> str:
    """What to add to "no column of ours found" when the --label-column is the column one of
    ``wanted`` would be read from: the header lists it, so the message alone contradicts itself."""
    if not truth:
        return ""
    found = resolve_columns(path, header, mapping, known, None, before_ours)
    if not any(found.get(ours) == truth for ours in wanted):
        return ""
    return (f"; {truth!r} is the --label-column, and the truth is never read as what is judged: give "
            f"--label-column the column that holds the truth")


def _spelling(name: str) -> str:
    """A column name without case, spaces or punctuation: followersCount, Followers_Count and
    "followers count" are one name ('#' kept: "#posts" is Kaggle's own)."""
    return "".join(ch for ch in name.casefold() if ch.isalnum() or ch == "#")


def file_column(path: Path, header: list[str], name: str, option: str) -> str | None:
    """The file's column a name given on the command line (``option``) names: as written, else
    in any case or spelling, as our own names are found (Label, label; "Is Spam", is_spam);
    None when no column is. Refused when the name is not written as any column and more than
    one matches it by case or spelling: either could be the one meant."""
    if name in header:
        return name
    spelt = _spelling(name)
    matches = list(dict.fromkeys(column for column in header if spelt and _spelling(column) == spelt))
    if len(matches) > 1:
        raise UsageProblem(f"{path}: {option}: {name!r} is no column as written, and {len(matches)} match it in "
                           f"another case or spelling: {', '.join(map(repr, matches))}; give one of them as "
                           f"written")
    return matches[0] if matches else None


def resolve_columns(path: Path, header: list[str], mapping: dict[str, str],
                    known: dict[str, tuple[str, tuple[str, ...]]], truth: str | None = None,
                    before_ours: Mapping[str, tuple[str, ...]] | None = None) -> dict[str, str]:
    """Our column -> the file's column: --column first, then our own name or a known alias as
    written, then spelt another way (case, '_', ' ', '-'), then as the last part of a nested
    key ("public_metrics.followers_count"), each way tried for all our columns before the
    next; within one, the first alias found, and the first such column of the header. The
    truth column (``truth``, --label-column) is never read as one of ours: a label named
    "bot" is not the platform's bot flag. ``before_ours``: aliases tried before our own name,
    where a platform uses that name for something else (Twitter's ``following`` says whether
    the asker follows the account; the count is friends_count). An empty --column value
    (ours=) leaves ours unread."""
    resolved = {}
    skipped = {ours for ours, theirs in mapping.items() if not theirs}
    for ours, theirs in mapping.items():
        if not theirs:
            continue
        # the file's own spelling of it (Followers for followers), as our columns are found
        found = file_column(path, header, theirs, f"--column {ours}={theirs}")
        if found is None:
            raise UsageProblem(f"{path}: --column {ours}={theirs}: the file has no column {theirs!r}; "
                               f"its columns are: {', '.join(header)}")
        theirs = found
        if theirs == truth:
            raise UsageProblem(f"{path}: --column {ours}={theirs}: {theirs!r} is the --label-column; the truth "
                               f"cannot also be read as what is judged")
        resolved[ours] = theirs
    taken = set(resolved.values()) | {truth}
    # A key that is an object in some rows ("caption": {"text": …}) and null in others is
    # read through its nested keys, not as a value of its own.
    containers = {column.rsplit(".", n)[0] for column in header for n in range(1, column.count(".") + 1)}
    header = [column for column in header if column not in containers]
    as_written = {column: column for column in header}
    spelt: dict[str, str] = {}
    nested: dict[str, str] = {}
    for column in header:
        spelt.setdefault(_spelling(column), column)
        # Bluesky's viewer.* is the asking account's relation to this one (viewer.following
        # is its follow record), never a property of the account itself.
        if "." in column and not column.startswith("viewer."):
            parent, _, last = column.rpartition(".")
            nested.setdefault(_spelling(last), column)
            if last == "count":  # Instagram's {"edge_followed_by": {"count": 12}}
                nested.setdefault(_spelling(parent.rpartition(".")[2]), column)
    # Each way of finding a column is tried for every one of ours before the next, looser one.
    for lookup, key in ((as_written, str), (spelt, _spelling), (nested, _spelling)):
        for ours, (_kind, aliases) in known.items():
            if ours in resolved or ours in skipped:
                continue
            for name in (*(before_ours or {}).get(ours, ()), ours, *aliases):
                found = lookup.get(key(name))
                if found is not None and found not in taken:
                    resolved[ours] = found
                    taken.add(found)
                    break
    return resolved


def convert(value: Any, kind: str, where: str, column: str, ours: str | None = None,
            thousands: str | None = None) -> Any:
    """One cell to our type; empty is None (unknown), and so is NULL, NaN or NA in a typed
    column; a bad value is a UsageProblem (naming ``ours`` to say how to leave it unread).
    A "count" is a whole number, or one rounded as exports write it (12.5K: rounded_count).
    ``thousands``: the file's thousands separator (Record.thousands), so a whole number
    written as text with its thousands grouped (1,234; 2.000; 1 234) is read whole, and a number
    in a file that groups them with '.' (a ';' CSV) has its decimals after a comma (0,27;
    1.234,5; a count pandas wrote as a float: 1.500,0), one in a ',' file after a point (1,234.5)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if kind == "text":
        return str(value)
    text = str(value).strip()
    if text.lower() in MISSING:
        return None
    try:
        if kind == "count" and isinstance(value, str) and (rounded := rounded_count(text, thousands)) is not None:
            return rounded
        if kind in ("int", "count"):
            if text.isascii() and text.isdigit():  # most cells: neither grouped, rounded nor decimal
                whole = int(text)
                if whole >= 2 ** 63:
                    raise ValueError
                return whole
            if thousands and isinstance(value, str) and _grouped(thousands).fullmatch(text):
                text = re.sub(r"\D", "", text)
            elif thousands and isinstance(value, str):
                text = _with_decimals(text, thousands)  # a count written 1.500,0 (pandas' floats, a ';' file)
            number = int(text) if text.lstrip("-").isdigit() else float(text)
            if number != int(number) or not -2 ** 63 <= int(number) < 2 ** 63:  # what SQLite can store
                raise ValueError
            return int(number)
        if kind == "float":
            if thousands and isinstance(value, str):
                text = _with_decimals(text, thousands)  # 0,27 and 1.234,5 in a ';' file; 1,234.5 in a ',' one
            return float(text)
        if kind == "bool":
            return _yes_no(text)
        if kind == "date":
            return _date(text)
        if kind == "avatar":  # yes/no, or the picture's address (an API export)
            if "/" in text or text.startswith("data:"):
                return not any(marker in text for marker in DEFAULT_AVATARS)
            return _yes_no(text)
    except (ValueError, OverflowError):
        what = {"int": "a whole number (below 2^63)",
                "count": "a whole number (below 2^63), or one rounded as 12.5K or 1.2M" + (
                    " (12,5K in a ';' file)" if thousands == "." else ""),
                "float": "a number", "bool": "true/false or 1/0",
                "date": "an ISO date such as 2024-05-01T12:00:00+00:00 (or Twitter's, or Unix time)",
                "avatar": "true/false, 1/0 or the picture's URL"}[kind]
        unread = f" (or --column {ours}= to leave it unread)" if ours else ""
        raise UsageProblem(f"{where}: column {column!r} holds {value!r}; it should be {what}{unread}") from None
    raise AssertionError(kind)


# A count as creator tools' exports round it: 12.5K, 475.8m, 1,2 M.
_ROUNDED = re.compile(r"(\d+(?:[.,]\d+)?)\s*([kKmM])")


def rounded_count(text: str, thousands: str | None) -> int | None:
    """A count written rounded, as creator tools export them ("12.5K", "475.8m", "1.2 M"), as the
    number it says (as precise as the file is); None for text not written so. Its decimals follow
    a comma ("12,5K") only where the file writes decimals so (``thousands`` "." : a ';' CSV);
    elsewhere that is a ValueError, the comma there may group thousands. The one reading `import`
    and `check` share."""
    short = _ROUNDED.fullmatch(text.strip())
    if short is None:
        return None
    number = short.group(1)
    if "," in number and thousands != ".":
        raise ValueError(text)
    return round(float(number.replace(",", ".")) * {"k": 1_000, "m": 1_000_000}[short.group(2).lower()])


# A number with its decimals after a comma (0,27; -1,5; 1.234,5), as files that group thousands
# with '.' write it; and one with its thousands grouped by ',' before a decimal point (1,234.5).
_DECIMAL_COMMA = re.compile(r"[+-]?(?:[1-9]\d{0,2}(?:\.\d{3})+|\d*),\d+")
_GROUPED_DECIMALS = re.compile(r"[+-]?[1-9]\d{0,2}(?:,\d{3})+\.\d+")


def _with_decimals(text: str, thousands: str) -> str:
    """``text`` as float() reads it when it writes a number the way a file that groups thousands
    with ``thousands`` does: in a ';' file a comma before the decimals and '.' between thousands
    (0,27; 1.234,5), in a ',' file ',' between thousands and a point before the decimals
    (1,234.5); any other text unchanged (a ',' file's 0,27 may be a grouped number: not read)."""
    if thousands == "." and _DECIMAL_COMMA.fullmatch(text):
        return text.replace(".", "").replace(",", ".")
    if thousands == "," and _GROUPED_DECIMALS.fullmatch(text):
        return text.replace(",", "")
    return text


@lru_cache(maxsize=None)
def _grouped(thousands: str) -> re.Pattern[str]:
    """A whole number with its thousands grouped by ``thousands``, a space (also no-break or
    thin) or "'", the same mark throughout; never one starting 0 (0.001 is no thousand)."""
    return re.compile(rf"[1-9]\d{{0,2}}(?:([{re.escape(thousands)}'\u00a0\u202f ])\d{{3}})(?:\1\d{{3}})*")


def _yes_no(text: str) -> bool:
    """true/false, yes/no, 1/0, and 1.0/0.0 as pandas writes a yes/no column with gaps."""
    lowered = text.lower()
    if lowered in TRUE or lowered == "1.0":
        return True
    if lowered in FALSE or lowered == "0.0":
        return False
    raise ValueError(text)


def _date(text: str) -> datetime:
    """An ISO date; also Twitter's "Tue Dec 01 10:00:00 +0000 2009" and Unix time (seconds,
    or milliseconds past 1e11), as public exports give account dates."""
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    try:
        return datetime.strptime(text, "%a %b %d %H:%M:%S %z %Y")
    except ValueError:
        pass
    number = float(text)  # ValueError when it is no number either
    if number < 1e8:  # before 1973: a year ("2015") or a count, not Unix time
        raise ValueError(text)
    try:
        return datetime.fromtimestamp(number / 1000 if number > 1e11 else number, timezone.utc)
    except (OverflowError, OSError) as exc:  # past what the platform's clock can hold
        raise ValueError(text) from exc


def label_words(value: Any) -> str:
    """A truth cell as the label vocabularies spell it: lower case, '-' and ' ' read as '_'."""
    return str(value).strip().lower().replace("-", "_").replace(" ", "_")


@dataclass(frozen=True)
class Truth:
    """How rows get their truth: ``column`` (--label-column) read in the label words, or
    only as ``values`` maps its cells (--label-value RAW=TRUTH); ``files`` gives every row of
    a file one truth (--label-file FILE=TRUTH). Each truth is (label, its word)."""
    column: str | None = None
    values: Mapping[str, tuple[bool, str]] = field(default_factory=dict)
    files: Mapping[Path, tuple[bool, str]] = field(default_factory=dict)
    # The letters of PAIRED_LETTERS read by the default words: each one's first cell, as
    # written, and where it was (check_pairs).
    letters: dict[str, tuple[str, str]] = field(default_factory=dict, compare=False, repr=False)

    def __bool__(self) -> bool:
        return bool(self.column or self.files)

    def of_file(self, path: Path) -> tuple[bool, str] | None:
        return self.files.get(path.resolve())

    def read(self, value: Any, where: str, thousands: str | None = None) -> tuple[bool, str]:
        """The truth of one cell of the label column, and its word (label_words' spelling);
        ``thousands`` as Record.thousands ("." in a ';' file, whose 1,0 is 1.0)."""
        column = self.column or ""
        if not self.values or value is None or not str(value).strip():
            truth = parse_label(value, where, column, thousands)  # an empty cell: one error for it
            self.note(value, where)
            return truth, label_words(value)
        word = label_words(value)
        if word in self.values:
            return self.values[word]
        # the number a --label-value maps, as pandas (1.0) or a ';' file (1,0) writes it, as the
        # default words read it: the pair the genuine-column question asks for, 1=0 0=1, reads them
        number = _whole(_decimal_point(word, thousands))
        if number in self.values:
            return self.values[number]
        if word in MISSING:  # NaN beside mapped labels is no label to map either: a missing truth
            return parse_label(value, where, column), word
        mapped = ", ".join(sorted(self.values))
        raise UsageProblem(f"{where}: label column {column!r} holds {_shown(value)}, which no --label-value maps "
                           f"(mapped: {mapped}); add --label-value {_mapping_hint(value)} (or =0)")

    def note(self, value: Any, where: str) -> None:
        """Keep a cell that is one of PAIRED_LETTERS, read by the default words, for check_pairs:
        every row's, also a row --half leaves out (a t there still says what the column's f is)."""
        word = label_words(value)
        if not self.values and (word in PAIRED_LETTERS or word in PAIRED_LETTERS.values()):
            self.letters.setdefault(word, (str(value).strip(), where))

    def check_pairs(self, classes: tuple[str, str] = ("fake", "real")) -> None:
        """Once every row is read: an f read by the default words (as false) with no t in the
        column is refused, asked which it is. f is false beside t (t/f: PostgreSQL's booleans),
        but the Instagram fake/authentic set's f is fake, beside r: a file of its fakes alone
        read as all real, its scores without a word the wrong way round, where the same f
        beside r asked for --label-value. ``classes``: what 1 and 0 mean to the command."""
        positive, negative = classes
        for letter, partner in PAIRED_LETTERS.items():
            if letter in self.letters and partner not in self.letters:
                cell, where = self.letters[letter]
                raise UsageProblem(f"{where}: label column {self.column!r} holds {cell!r} and no row of it "
                                   f"{partner!r}: {letter} is false beside {partner} (t/f, as PostgreSQL writes "
                                   f"booleans), but some sets write it for the class they look for (the "
                                   f"Instagram fake/authentic set's f/r: f is fake); say which: --label-value "
                                   f"{_mapping_hint(cell)} ({positive}) or --label-value "
                                   f"{shlex.quote(cell + '=0')} (false, {negative})")


# Truth letters read only as a pair: f (false) where t is in the column too (Truth.check_pairs).
PAIRED_LETTERS = {"f": "t"}


def _mapping_hint(value: Any) -> str:
    """RAW=1 for a cell, quoted as a shell needs it ("Spam Comment" holds a space)."""
    return shlex.quote(f"{_written(value)}=1")


def _written(value: Any) -> str:
    """A cell as the file writes it: a JSON true/false as JSON spells it, not Python's True/False."""
    return json.dumps(value) if isinstance(value, bool) else str(value).strip()


def _shown(value: Any) -> str:
    """A cell quoted in a message: 'f', 2, false (a JSON file's typed values as JSON writes them)."""
    return repr(value) if isinstance(value, str) else _written(value)


def _whole(word: str) -> str:
    """A label word that is a whole number written with decimals (1.0, 2.00) as the number (1, 2)."""
    found = re.fullmatch(r"(\d+)\.0+", word)
    return found.group(1) if found else word


def truth_word(text: str, option: str) -> tuple[bool, str]:
    """A truth as an option gives it: 1/0 or the label words (fake/real, spam/ham, sponsored/organic…)."""
    word = label_words(text)
    truth = _truth_of(word)
    if truth is None:
        raise UsageProblem(f"{option}: {text!r} is no truth; write 1 or 0 (or fake/real, spam/ham, "
                           f"sponsored/organic)")
    return truth, word


def _truth_of(word: str) -> bool | None:
    """The truth a label word (label_words' spelling) says, or None for a word that says none."""
    if word in POSITIVE_LABELS:
        return True
    if word in NEGATIVE_LABELS:
        return False
    if word in ("1.0", "0.0"):  # a column pandas wrote as floats
        return word == "1.0"
    return None


def parse_truth(label_column: str | None, values: tuple[str, ...] = (), files: tuple[str, ...] = (),
                given: tuple[str, ...] = ()) -> Truth:
    """--label-column, --label-value RAW=TRUTH and --label-file FILE=TRUTH (FILE one of ``given``)."""
    if label_column is not None and not label_column.strip():
        # --label-column "$COL" with COL unset: read as no truth at all, the scores quietly left out
        raise UsageProblem(f"--label-column {label_column!r} names no column; give the name of the column that "
                           f"holds the truth, e.g. --label-column label")
    mapped: dict[str, tuple[bool, str]] = {}
    for pair in values:
        raw, sep, truth = pair.rpartition("=")
        if not sep or not raw.strip():
            raise UsageProblem(f"--label-value {pair!r}: write it as RAW=TRUTH, e.g. --label-value f=1 "
                               f"--label-value r=0")
        meant = truth_word(truth, f"--label-value {pair!r}")
        if mapped.get(label_words(raw), meant)[0] != meant[0]:
            raise UsageProblem(f"--label-value {pair!r}: {raw.strip()!r} is mapped the other way by an earlier "
                               f"--label-value (labels are read in any case, '-' and ' ' as '_')")
        mapped[label_words(raw)] = meant
    if mapped and not label_column:
        raise UsageProblem("--label-value maps the cells of the --label-column: give --label-column too")
    by_file: dict[Path, tuple[bool, str]] = {}
    named = {Path(g).resolve(): g for g in given}
    for pair in files:
        name, sep, truth = pair.rpartition("=")
        if not sep or not name.strip():
            raise UsageProblem(f"--label-file {pair!r}: write it as FILE=TRUTH, e.g. --label-file "
                               f"fake/users.csv=1")
        if Path(name).resolve() not in named:
            raise UsageProblem(f"--label-file {pair!r}: {name!r} is not one of the files to check "
                               f"({', '.join(given)})")
        meant = truth_word(truth, f"--label-file {pair!r}")
        if by_file.get(Path(name).resolve(), meant)[0] != meant[0]:
            raise UsageProblem(f"--label-file {pair!r}: {name!r} is given the other truth by an earlier --label-file")
        by_file[Path(name).resolve()] = meant
    if by_file and not label_column:
        unlabeled = [g for path, g in named.items() if path not in by_file]
        if unlabeled:
            raise UsageProblem(f"{unlabeled[0]}: no truth for its rows; give it a --label-file {unlabeled[0]}=1 "
                               f"(or =0), or a --label-column")
    return Truth(label_column, mapped, by_file)


def _decimal_point(word: str, thousands: str | None) -> str:
    """A truth word with a ';' file's decimal comma read as a point: 1,0 and 0,0, as European
    Excel writes the 1.0/0.0 pandas gives a truth column (thousands "." : Record.thousands)."""
    return _with_decimals(word, thousands) if thousands and word in ("1,0", "0,0") else word


def parse_label(value: Any, where: str, column: str, thousands: str | None = None) -> bool:
    if value is None or str(value).strip() == "":
        raise UsageProblem(f"{where}: label column {column!r} is empty; every row needs its truth "
                           f"(1/true/fake/spam/sponsored or 0/false/real/ham/organic)")
    truth = _truth_of(_decimal_point(label_words(value), thousands))
    if truth is not None:
        return truth
    if label_words(value) in MISSING:
        # pandas' NaN beside its 1.0/0.0, a SQL dump's NULL: no truth, not a class to map to one
        raise UsageProblem(f"{where}: label column {column!r} holds {value!r}, a missing truth; every row needs "
                           f"its truth (1/true/fake/spam/sponsored or 0/false/real/ham/organic): give this row "
                           f"its truth, or leave it out of the file")
    raise UsageProblem(f"{where}: label column {column!r} holds {value!r}; it should be 1/true/fake/spam/"
                       f"sponsored or 0/false/real/ham/organic, or map your labels with --label-value "
                       f"{_mapping_hint(value)} (or =0) for each")


# Words of a truth column's name: the positive class (is_spam, fake), the genuine class
# (is_genuine, isHuman, real), negations (not_spam), and what after "human" says it is a
# label made by people (human_label), not the class.
POSITIVE_NAME_WORDS = {"fake", "fakes", "spam", "bot", "bots", "scam", "suspicious", "bought", "sponsored", "ad",
                       "ads", "promo", "promotional"}
NEGATIVE_NAME_WORDS = {"genuine", "real", "human", "humans", "ham", "legit", "legitimate", "authentic", "benign",
                       "nonspam", "notspam", "nonbot", "notbot", "nonfake", "notfake"}
NAME_NEGATIONS = {"not", "non", "no", "isnt"}
ANNOTATION_WORDS = {"label", "labels", "labelled", "labeled", "annotation", "annotations", "annotated", "verified",
                    "rating", "rated", "judgement", "judgment", "coded", "coder"}


def name_words(column: str) -> list[str]:
    """The words of a column's name, in lower case: isUndisclosed, is_not_fake, "Non Spam"."""
    return [w for w in re.split(r"[^a-z]+", re.sub(r"([a-z])([A-Z])", r"\1_\2", column).lower()) if w]


def names_negative(column: str) -> bool:
    """Whether a truth column's name says 1 is the genuine class: is_genuine, isHuman, real,
    not_spam, is_not_fake; not spam_or_not, fake_or_real, human_label, human_verified_spam (a
    positive word without a negation before it decides; "human" before "label" is who labelled)."""
    words = name_words(column)
    if any(w in NAME_NEGATIONS and nxt in POSITIVE_NAME_WORDS for w, nxt in zip(words, words[1:])):
        return True
    if POSITIVE_NAME_WORDS.intersection(words):
        return False
    return any(w in NEGATIVE_NAME_WORDS and not (w.startswith("human") and nxt in ANNOTATION_WORDS)
               for w, nxt in zip(words, words[1:] + [""]))


# The two spellings of a yes/no truth, as the genuine-column question names them back.
TRUTH_PAIRS = (("1", "0"), ("true", "false"), ("yes", "no"), ("y", "n"), ("t", "f"))


def truth_pair(words: Iterable[str]) -> tuple[str, str]:
    """The spelling of yes/no a truth column's words use (label_words' spelling; 1.0 is 1):
    ("true", "false") for a column of true/false, ("1", "0") when none says."""
    found = {_whole(word) for word in words}
    return next((pair for pair in TRUTH_PAIRS if found & set(pair)), TRUTH_PAIRS[0])


def _check_not_negative(truth: Truth, value: Any, where: str, thousands: str | None = None) -> None:
    """A bare 1/0 (true/false, yes/no) in a column named for the negative class is refused:
    mapping it says which way it goes, in the file's own spelling (true=0 false=1 for a
    column of true/false: 1=0 0=1 would map none of its cells)."""
    word = _whole(_decimal_point(label_words(value), thousands))
    if any(word in pair for pair in TRUTH_PAIRS):
        yes, no = truth_pair({word})
        raise UsageProblem(f"{where}: --label-column {truth.column!r} is named for the real or genuine class, so its "
                           f"{_shown(value) if not isinstance(value, str) else repr(value.strip())} may mean the "
                           f"opposite of fake or spam; say which way it reads: --label-value {yes}=0 --label-value "
                           f"{no}=1 if {yes} means genuine (or --label-value {yes}=1 --label-value {no}=0 if {yes} "
                           f"means fake or spam)")


def distinct_files(files: tuple[Any, ...]) -> tuple[Any, ...]:
    """``files`` with each file once, the first naming kept, and a note on stderr for each
    other: a file named twice (a shell glob and its name, ./a.csv and a.csv) had its rows
    counted twice, its estimate's interval narrowed and its scores weighed double."""
    seen: dict[Path, Any] = {}
    for name in files:
        path = Path(name).resolve()
        if path not in seen:
            seen[path] = name
        else:
            first = seen[path]
            also = "given twice" if str(first) == str(name) else f"the same file as {first}, given before"
            click.echo(f"{name}: {also}; its rows are checked once", err=True)
    return tuple(seen.values())


Row = tuple[Record, dict[str, str], bool | None]  # load_rows: a record, its columns (ours: theirs), its truth


def load_rows(files: tuple[str, ...], mapping: dict[str, str], truth: Truth | str | None, half: str,
              known: dict[str, tuple[str, tuple[str, ...]]], required_any: tuple[str, ...],
              before_ours: Mapping[str, tuple[str, ...]] | None = None, records: str | None = None,
              classes: tuple[str, str] = ("fake", "real"),
              first_pass: Callable[[Record, dict[str, str]], object] | None = None) -> Iterator[Row]:
    """(record, columns, label) for every row of every file in the chosen half; ``truth``
    as parse_truth gives it, or just the label column's name; ``records``: --records;
    ``classes``: what a label of 1 and of 0 mean to the command (fake/real, spam/genuine).

    ``first_pass``: for a caller that prints each row as it comes (check --json): every row is
    read once before the first is given, and ``first_pass(record, columns)`` run on each (what
    the caller refuses of a row: a cell of the wrong type), so that whatever would be refused
    (a label not read, a later file not read, a bad line, an f never beside a t) is refused
    before anything is printed, not after half the answer with exit 2. The rows are not held:
    each file is read again (as `import` reads a file to check it, then to store it), but for
    one that cannot be read twice (a named pipe), whose bytes are held (held_bytes)."""
    if not isinstance(truth, Truth):
        truth = Truth(truth)
    held: dict[Path, bytes] = {}
    keys: dict[Path, list[str]] = {}
    if first_pass is not None:
        for record, columns, _label in _load_rows(files, mapping, truth, half, known, required_any, before_ours,
                                                  records, classes, held, keys, notes=True):
            first_pass(record, columns)
    yield from _load_rows(files, mapping, truth, half, known, required_any, before_ours, records, classes, held,
                          keys, notes=first_pass is None)


def _load_rows(files: tuple[str, ...], mapping: dict[str, str], truth: Truth, half: str,
               known: dict[str, tuple[str, tuple[str, ...]]], required_any: tuple[str, ...],
               before_ours: Mapping[str, tuple[str, ...]] | None, records: str | None,
               classes: tuple[str, str], held: dict[Path, bytes], keys: dict[Path, list[str]],
               notes: bool) -> Iterator[Row]:
    """load_rows' one pass over the files; what it learns of each is kept for the next pass:
    ``held``, the bytes of a file that cannot be read twice (held_bytes), and ``keys``, a JSONL
    file's keys (not read a third time); ``notes``: say how a file is read (once)."""
    for name in files:
        path = Path(name)
        delimited = path.suffix.lower() in (".csv", ".tsv")
        columns: dict[str, str] | None = None
        content = held_bytes(path, held)
        rows: Iterable[Record] = read_records(path, notes=notes, records=records, content=content)
        if not delimited:
            # JSON objects need not share their keys: the columns are every key of the file, found
            # by a first pass over a JSONL file (its rows not held), or of every record held
            if path in keys:
                header = keys[path]
            elif read_in_passes(path):
                header = keys[path] = keys_of(record.row for record in rows)
                rows = read_records(path, notes=False, records=records, content=content)
            else:
                rows = list(rows)
                header = keys_of(record.row for record in rows)
        of_file = truth.of_file(path)
        label_column = None if of_file else truth.column
        negative = False
        for record in rows:
            if columns is None:
                if delimited:
                    header = list(record.row)
                # the file's own spelling of the --label-column (Label for its label), as our columns are found
                if label_column:
                    label_column = file_column(path, header, label_column, "--label-column") or label_column
                    negative = not truth.values and names_negative(label_column)
                if of_file and truth.column and file_column(path, header, truth.column, "--label-column"):
                    # two truths for each row, which may disagree: the file's won without a word
                    raise UsageProblem(f"{path}: --label-column {truth.column!r} and --label-file {name}={of_file[1]} "
                                       f"both give the truth of its rows; give one of them for this file")
                columns = resolve_columns(path, header, mapping, known, label_column, before_ours)
                if not any(c in columns for c in required_any):
                    # A set of ids and labels only (varol-2017, rtbust) cannot be mapped: it needs its
                    # accounts fetched first.
                    hint = truth_hint(path, header, mapping, known, label_column, required_any, before_ours)
                    ids_only = len([h for h in header if h != label_column]) <= 2 and not hint
                    hydrate = (" (a set of ids and labels only, as varol-2017, must first be hydrated from the "
                               "platform's API)") if ids_only else ""
                    raise UsageProblem(f"{path}: none of our columns found ({', '.join(required_any)}); "
                                       f"its columns are: {', '.join(header)}; map them with "
                                       f"--column OURS=THEIRS{hydrate}{hint}")
                if label_column and label_column not in header:
                    raise UsageProblem(f"{path}: --label-column {label_column!r} is not a column; "
                                       f"its columns are: {', '.join(header)}")
            if negative:
                _check_not_negative(truth, record.row.get(label_column or ""), record.where, record.thousands)
                negative = False  # the first row says how the column is written
            if half != "all" and split_half(record.row) != half:
                if label_column and not of_file:
                    truth.note(record.row.get(label_column), record.where)
                continue
            if label_column and not of_file and label_column not in record.row:
                # a JSON record without the key (a CSV row has every column, an empty cell None)
                nested = sorted(k for k in record.row if k.startswith(f"{label_column}."))
                if nested:
                    raise UsageProblem(f"{record.where}: {label_column!r} holds an object ({', '.join(nested[:3])}); "
                                       f"name the value that is the truth: --label-column {nested[0]}")
                words = ("one --label-value maps" if truth.values
                         else "1/true/fake/spam/sponsored or 0/false/real/ham/organic")
                raise UsageProblem(f"{record.where}: no {label_column!r} key; every record needs its truth ({words})")
            label = of_file[0] if of_file else (truth.read(record.row.get(label_column), record.where,
                                                           record.thousands)[0]
                                                if label_column else None)
            yield record, columns, label
        if columns is None:
            inner = Path(path.stem).suffix.lower() if path.suffix.lower() in COMPRESSED else path.suffix.lower()
            after = " after its header" if inner in (".csv", ".tsv", ".xlsx") else ""  # a JSON file has none
            raise UsageProblem(f"{path}: no rows to check (the file holds no records{after})")
    truth.check_pairs(classes)  # an f never beside a t, in any file: asked, once every row is read


def label_options(command):
    """--label-value and --label-file, beside --label-column."""
    command = click.option(
        "--label-file", "label_files", multiple=True, metavar="FILE=TRUTH",
        help="Every row of FILE (one of the files checked) has this truth, 1 or 0 (fake/real, spam/ham): "
             "for labeled sets kept as one file per class (repeatable).")(command)
    return click.option(
        "--label-value", "label_values", multiple=True, metavar="RAW=TRUTH",
        help="Read the --label-column's cells RAW as TRUTH, 1 or 0 (e.g. --label-value f=1 --label-value "
             "r=0, or cresci's dataset column: --label-value E13=0 --label-value FSF=1); with it, only "
             "mapped cells are read (repeatable).")(command)


def records_option(command):
    """--records KEY: the list of a JSON page to read, where it holds more than one, or one
    under a key not known."""
    return click.option(
        "--records", "records", default=None, metavar="KEY",
        help="Read a .json file's records from the list under KEY (a dotted path for a nested one: "
             "data.videos), for an API page holding more than one list (Mastodon's search: accounts, "
             "statuses) or one under a key not recognised.")(command)


def summary_lines(counts: dict[str, int], flagged: int, n: int, noun: str) -> dict[str, Any]:
    low, high = wilson_interval(flagged, n)
    return {"rows": n, "counts": counts, f"{noun}_share": round(flagged / n, 4) if n else None,
            "ci95": [round(low, 4), round(high, 4)] if n else None}


def print_scores(cards: dict[str, Scorecard], as_json: bool) -> None:
    """One line per scorecard; a card whose name starts with "baseline" is the one-line rule
    measured on the same rows, printed beside the detector's figures."""
    for name, card in cards.items():
        if as_json:
            click.echo(json.dumps({"score": name, **card.as_dict()}))
            continue
        d = card.as_dict()
        p10 = d["precision_at_0.1_base_rate"]
        click.echo(f"score ({name}): precision {_pct(d['precision'])}, recall {_pct(d['recall'])}, F1 {_pct(d['f1'])}, "
                   f"base rate {_pct(d['base_rate'])}, precision at a 10% base rate {_pct(p10)}; "
                   f"tp {card.tp} fp {card.fp} fn {card.fn} tn {card.tn} (n {card.n})")


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.1%}"
