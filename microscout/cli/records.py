"""Reading the records the `check` commands judge: CSV, JSONL or a JSON array, with our
column names mapped onto a file's own, clear errors naming file, line and column, labels
for scoring, and the printed precision/recall."""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator

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
NEGATIVE_LABELS = (FALSE - {""}) | {"real", "ham", "genuine", "human", "legit", "legitimate", "organic",
                                    "not_sponsored", "non_sponsored", "unsponsored", "not_promotional",
                                    "non_promotional", "nonpromotional", "not_ad", "non_ad", "undisclosed",
                                    "not_disclosed"}
# The pictures platforms give an account that has not set one: Mastodon's missing.png,
# Twitter's default_profile_images/, Bluesky leaves the avatar out.
DEFAULT_AVATARS = ("/missing.png", "default_profile_images/", "/default-avatar")
MAX_FILE_BYTES = 2 * 1024 ** 3  # read whole into memory: past this, split the file


# --- reading records ------------------------------------------------------------------

@dataclass
class Record:
    where: str  # "file.csv line 7" / "file.jsonl line 3" / "file.json item 12"
    row: dict[str, Any]


def read_records(path: Path) -> Iterator[Record]:
    """Rows of a .csv, .jsonl/.ndjson or .json (an array of objects) file, with where each came from."""
    suffix = path.suffix.lower()
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise UsageProblem(f"{path}: larger than {MAX_FILE_BYTES // 1024 ** 3} GiB; split it into smaller files")
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageProblem(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    except OSError as exc:
        raise UsageProblem(f"{path}: cannot read the file: {exc.strerror or exc}") from None
    if suffix == ".csv":
        yield from _read_csv(path, text)
    elif suffix in (".jsonl", ".ndjson"):
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            row = _loads(line, path, "each line must be one JSON object", number)
            if not isinstance(row, dict):
                raise UsageProblem(f"{path} line {number}: expected a JSON object, got {type(row).__name__}")
            yield Record(f"{path.name} line {number}", flattened(row))
    elif suffix == ".json":
        data = _loads(text, path, "a .json file must hold an array of objects")
        if not isinstance(data, list):
            raise UsageProblem(f"{path}: expected a JSON array of objects, got {type(data).__name__}")
        for number, row in enumerate(data, 1):
            if not isinstance(row, dict):
                raise UsageProblem(f"{path} item {number}: expected a JSON object, got {type(row).__name__}")
            yield Record(f"{path.name} item {number}", flattened(row))
    else:
        raise UsageProblem(f"{path}: unknown file type {suffix or '(none)'!r}; use .csv, .jsonl, .ndjson or .json")


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
            raise UsageProblem(f"{path} line {exc.lineno}: not valid JSON ({exc.msg}); {expected}") from None
        raise UsageProblem(f"{where}: not valid JSON ({exc.msg} at column {exc.colno}); {expected}") from None
    except RecursionError:
        raise UsageProblem(f"{where}: JSON nested too deeply; {expected}, each a flat record") from None
    except ValueError as exc:  # e.g. an integer with more digits than Python converts
        raise UsageProblem(f"{where}: not valid JSON ({exc}); {expected}") from None


def _read_csv(path: Path, text: str) -> Iterator[Record]:
    lines = text.splitlines(keepends=True)
    skipped = 0
    while skipped < len(lines) and not lines[skipped].strip():
        skipped += 1  # some published exports start with a blank line
    reader = csv.DictReader(io.StringIO("".join(lines[skipped:])))
    try:
        fieldnames = reader.fieldnames
    except csv.Error as exc:
        raise UsageProblem(f"{path} line {reader.line_num + skipped}: bad CSV header: {exc}") from None
    if not fieldnames:
        raise UsageProblem(f"{path}: no header row; the first line must name the columns")
    try:
        for row in reader:
            if None in row:
                raise UsageProblem(f"{path} line {reader.line_num + skipped}: more values than the "
                                   f"{len(fieldnames)} columns of the header")
            yield Record(f"{path.name} line {reader.line_num + skipped}", row)
    except csv.Error as exc:
        raise UsageProblem(f"{path} line {reader.line_num + skipped}: bad CSV: {exc}") from None


def parse_mapping(pairs: tuple[str, ...], known: dict[str, Any]) -> dict[str, str]:
    """--column ours=theirs, checked against our column names."""
    mapping = {}
    for pair in pairs:
        ours, sep, theirs = pair.partition("=")
        if not sep or not ours or not theirs:
            raise UsageProblem(f"--column {pair!r}: write it as OURS=THEIRS, e.g. --column followers=fans")
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


def _spelling(name: str) -> str:
    """A column name without case, spaces or punctuation: followersCount, Followers_Count and
    "followers count" are one name ('#' kept: "#posts" is Kaggle's own)."""
    return "".join(ch for ch in name.casefold() if ch.isalnum() or ch == "#")


def resolve_columns(path: Path, header: list[str], mapping: dict[str, str],
                    known: dict[str, tuple[str, tuple[str, ...]]], truth: str | None = None) -> dict[str, str]:
    """Our column -> the file's column: --column first, then our own name or a known alias as
    written, then spelt another way (case, '_', ' ', '-'), then as the last part of a nested
    key ("public_metrics.followers_count"), each way tried for all our columns before the
    next; within one, the first alias found, and the first such column of the header. The
    truth column (``truth``, --label-column) is never read as one of ours: a label named
    "bot" is not the platform's bot flag."""
    resolved = {}
    for ours, theirs in mapping.items():
        if theirs not in header:
            raise UsageProblem(f"{path}: --column {ours}={theirs}: the file has no column {theirs!r}; "
                               f"its columns are: {', '.join(header)}")
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
            nested.setdefault(_spelling(column.rpartition(".")[2]), column)
    # Each way of finding a column is tried for every one of ours before the next, looser one.
    for lookup, key in ((as_written, str), (spelt, _spelling), (nested, _spelling)):
        for ours, (_kind, aliases) in known.items():
            if ours in resolved:
                continue
            for name in (ours, *aliases):
                found = lookup.get(key(name))
                if found is not None and found not in taken:
                    resolved[ours] = found
                    taken.add(found)
                    break
    return resolved


def convert(value: Any, kind: str, where: str, column: str) -> Any:
    """One cell to our type; empty is None (unknown), a bad value is a UsageProblem."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if kind == "text":
        return str(value)
    text = str(value).strip()
    try:
        if kind == "int":
            number = float(text)
            if number != int(number):
                raise ValueError
            return int(number)
        if kind == "float":
            return float(text)
        if kind == "bool":
            if text.lower() in TRUE:
                return True
            if text.lower() in FALSE:
                return False
            raise ValueError
        if kind == "date":
            return _date(text)
        if kind == "avatar":  # yes/no, or the picture's address (an API export)
            if text.lower() in TRUE | FALSE:
                return text.lower() in TRUE
            if "/" in text or text.startswith("data:"):
                return not any(marker in text for marker in DEFAULT_AVATARS)
            raise ValueError
    except (ValueError, OverflowError):
        what = {"int": "a whole number", "float": "a number", "bool": "true/false or 1/0",
                "date": "an ISO date such as 2024-05-01T12:00:00+00:00 (or Twitter's, or Unix time)",
                "avatar": "true/false, 1/0 or the picture's URL"}[kind]
        raise UsageProblem(f"{where}: column {column!r} holds {value!r}; it should be {what}") from None
    raise AssertionError(kind)


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


def parse_label(value: Any, where: str, column: str) -> bool:
    text = str(value).strip().lower().replace("-", "_").replace(" ", "_")
    if text in POSITIVE_LABELS:
        return True
    if text in NEGATIVE_LABELS:
        return False
    if text in ("1.0", "0.0"):  # a column pandas wrote as floats
        return text == "1.0"
    raise UsageProblem(f"{where}: label column {column!r} holds {value!r}; it should be 1/true/fake/spam/"
                       f"sponsored or 0/false/real/ham/organic")


def load_rows(files: tuple[str, ...], mapping: dict[str, str], label_column: str | None, half: str,
              known: dict[str, tuple[str, tuple[str, ...]]], required_any: tuple[str, ...]):
    """(record, columns, label) for every row of every file in the chosen half."""
    for name in files:
        path = Path(name)
        columns: dict[str, str] | None = None
        records: Iterable[Record] = read_records(path)
        if path.suffix.lower() != ".csv":
            records = list(records)
            header = keys_of(record.row for record in records)
        for record in records:
            if columns is None:
                if path.suffix.lower() == ".csv":
                    header = list(record.row)
                columns = resolve_columns(path, header, mapping, known, label_column)
                if not any(c in columns for c in required_any):
                    raise UsageProblem(f"{path}: none of our columns found ({', '.join(required_any)}); "
                                       f"its columns are: {', '.join(header)}; map them with "
                                       f"--column OURS=THEIRS")
                if label_column and label_column not in header:
                    raise UsageProblem(f"{path}: --label-column {label_column!r} is not a column; "
                                       f"its columns are: {', '.join(header)}")
            if half != "all" and split_half(record.row) != half:
                continue
            label = parse_label(record.row.get(label_column), record.where, label_column) if label_column else None
            yield record, columns, label


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
