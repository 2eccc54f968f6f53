"""Import files -> records: (line, dict) or (line, RowError) for a line that cannot be read.

A problem with the whole file (missing, not UTF-8, no header, unknown type) is a
UsageProblem: nothing of it can be imported. A problem with one line (a JSONL line that is not
JSON, a CSV row with more cells than the header) is that row's error: the rest is kept.
Instaloader's JSON (.json, .json.xz; a folder of them) is recognised by its
``{"node": …, "instaloader": {"node_type": …}}`` wrapper; its comments files
(``<post filename>_comments.json``, --comments) by their name and their plain list.
"""
from __future__ import annotations

import codecs
import csv
import itertools
import json
import lzma
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from microscout.cli.common import UsageProblem
from microscout.crawlers.parse_common import MAX_JSON_DEPTH, json_depth
from microscout.importers.rows import RowError

TABLE_SUFFIXES = (".csv", ".tsv", ".jsonl", ".ndjson")
DELIMITED = (".csv", ".tsv")  # a .tsv is a CSV whose cells tabs separate, as crawl --handles reads it
MAX_FILE_BYTES = 2 * 1024 ** 3


@dataclass
class Record:
    line: int
    row: dict[str, Any] | None = None
    error: RowError | None = None


def suffix_of(path: Path) -> str:
    name = path.name.lower()
    return ".json.xz" if name.endswith(".json.xz") else path.suffix.lower()


def expand(names: tuple[str, ...]) -> list[Path]:
    """The files named, a folder standing for the import files in it (instaloader's layout:
    one folder per profile), in a stable order."""
    files: list[Path] = []
    for name in names:
        path = Path(name)
        if not path.exists():
            raise UsageProblem(f"{path}: no such file or folder")
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and suffix_of(p) in (
                *TABLE_SUFFIXES, ".json", ".json.xz"))
            if not found:
                raise UsageProblem(f"{path}: a folder without .csv, .tsv, .jsonl, .json or .json.xz files")
            files += found
        else:
            if suffix_of(path) not in (*TABLE_SUFFIXES, ".json", ".json.xz"):
                raise UsageProblem(f"{path}: unknown file type {suffix_of(path) or '(none)'!r}; "
                                   "use .csv, .tsv, .jsonl, .ndjson, or instaloader's .json / .json.xz")
            files.append(path)
    return list(dict.fromkeys(files))


def _text(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise UsageProblem(f"{path}: larger than 2 GiB; split it into smaller files")
        if suffix_of(path) == ".json.xz":
            with lzma.open(path, "rt", encoding="utf-8") as fh:
                return fh.read(MAX_FILE_BYTES)
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageProblem(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    except lzma.LZMAError as exc:
        raise UsageProblem(f"{path}: not a readable .xz file ({exc})") from None
    except EOFError:
        # lzma's word for a stream cut short; click would print a bare "Aborted!" for it
        raise UsageProblem(f"{path}: the .xz file is cut short (truncated); copy or export it again") from None
    except OSError as exc:
        raise UsageProblem(f"{path}: cannot read the file: {exc.strerror or exc}") from None


def table(path: Path, again: bool = False) -> tuple[list[str], Iterator[Record], str | None]:
    """(the header, the records, how the file groups thousands in its numbers' text: "." in a
    ';' CSV as European Excel writes it, "," in another CSV or a TSV, None in JSONL) of a CSV, TSV or
    JSONL file, read from the disk a line at a time. ``again``: a second pass over a file read
    before (its rows, to store them): it is not checked for UTF-8 again, and a JSONL file's header
    (every key of every object, a pass of its own) is not looked for."""
    if suffix_of(path) in DELIMITED:
        return _csv(path, again)
    return (*_jsonl(path, again), None)


def _utf8(path: Path) -> None:
    """UsageProblem unless the whole file is UTF-8: read in pieces, as a CSV is then read line
    by line (a 200 MB export held whole, split into lines and joined again took 3 GB)."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    offset = 0
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise UsageProblem(f"{path}: larger than 2 GiB; split it into smaller files")
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                pending = len(decoder.getstate()[0])
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    raise UsageProblem(f"{path}: not UTF-8 text (byte {offset - pending + exc.start}); save it as "
                                       "UTF-8") from None
                offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise UsageProblem(f"{path}: not UTF-8 text (byte {offset - len(decoder.getstate()[0])}); save it "
                               "as UTF-8") from None
    except OSError as exc:
        raise UsageProblem(f"{path}: cannot read the file: {exc.strerror or exc}") from None


def _one_newline(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _csv(path: Path, again: bool = False) -> tuple[list[str], Iterator[Record], str]:
    from microscout.cli.records import BadRecord, CountedLines, delimiter_of, excel_separator, records_by_line

    if not again:
        _utf8(path)
    # newline="": a line ends at \r too (Excel for Mac), and a quoted cell keeps its line breaks
    fh = path.open(encoding="utf-8-sig", newline="")
    lines = CountedLines(fh)
    first = next(lines, "")
    while first and not first.strip():  # blank lines before the header
        first = next(lines, "")
    # European Excel's first line naming the separator (sep=;), as `check` reads it: else the
    # file was read as one of columns 'sep=' and '', and refused as having no handle column
    named_separator = excel_separator(first) if first else None
    if named_separator:
        first = next(lines, "")
    skipped = lines.taken - 1 if first else lines.taken
    delimiter = named_separator or delimiter_of(first, suffix_of(path))
    # A long bio or caption is one cell: the csv module's 131,072-character default stopped the
    # import there, while `check` read the same file whole (the limit is a C long).
    csv.field_size_limit(max(csv.field_size_limit(), 2 ** 31 - 1))
    lines.record, lines.taken = [first] if first else [], 0
    reader = csv.reader(itertools.chain([first] if first else [], lines), delimiter=delimiter)
    try:
        header = next(reader, [])
    except csv.Error as exc:
        fh.close()
        raise UsageProblem(f"{path} line {skipped + 1}: bad CSV header: {exc}") from None
    lines.taken = reader.line_num
    if not header:
        fh.close()
        raise UsageProblem(f"{path}: empty, or no header row; the first line must name the columns")
    named: dict[str, str] = {}
    for cell in header:
        key = cell.strip().lower().replace(" ", "_")
        if key and key in named:
            # a dict keeps the last cell of a name: the other's values would vanish
            fh.close()
            raise UsageProblem(f"{path}: the header names the column {cell.strip()!r} twice; rename or remove one")
        named[key] = cell

    def records() -> Iterator[Record]:
        try:
            for line, values in records_by_line(reader, lines, skipped, path, delimiter):
                if not any(v.strip() for v in values):
                    # a blank line, or Excel's row of separators alone (";;;;;;", as wide as the
                    # cells once used, wider than the header too): no record, as check reads it
                    continue
                if len(values) > len(header):
                    yield Record(line, error=RowError(f"{len(values)} cells, but the header names {len(header)} "
                                                      "columns"))
                else:
                    # a quoted cell's line breaks are stored as \n, whatever system wrote the file
                    # (newline="" keeps a Windows \r\n): the same bio from Windows and from a Mac
                    # is the same bio, not a change that re-imports and recomputes its features
                    values = [_one_newline(v) if "\r" in v else v for v in values]
                    # a short row leaves its last columns empty (unknown), as csv.DictReader did
                    yield Record(line, dict(zip(header, values + [None] * (len(header) - len(values)))))
        except BadRecord as bad:
            yield Record(bad.line, error=RowError(f"bad CSV: {bad.error}; the rest of the file is not read"))
        finally:
            fh.close()
    return header, records(), "." if delimiter == ";" else ","


def _jsonl(path: Path, again: bool = False) -> tuple[list[str], Iterator[Record]]:
    header: list[str] = []
    if not again:
        _utf8(path)
        keys: dict[str, None] = {}
        lines = 0
        for _, line in _json_lines(path):  # the columns: every key of every object, in order of appearance
            lines += 1
            try:
                row = json.loads(line)
            except (ValueError, RecursionError):
                continue
            if isinstance(row, dict):
                keys.update(dict.fromkeys(row))
        if not lines:
            raise UsageProblem(f"{path}: empty; write one JSON object per line")
        header = list(keys)

    def records() -> Iterator[Record]:
        for number, line in _json_lines(path):
            try:
                if json_depth(line) > MAX_JSON_DEPTH:
                    raise ValueError("nested too deeply")
                row = json.loads(line)
            except (ValueError, RecursionError) as exc:
                yield Record(number, error=RowError(f"not valid JSON ({str(exc)[:80]}); each line must be one "
                                                    "JSON object"))
                continue
            if not isinstance(row, dict):
                yield Record(number, error=RowError(f"a JSON {type(row).__name__}, not an object"))
            elif twice := _one_name(row):
                # as a CSV header naming a column twice: the import would keep one, the other lost
                yield Record(number, error=RowError(f"the keys {twice[0]!r} and {twice[1]!r} name one column "
                                                    "(names are read in any case, spaces as _); remove one"))
            else:
                yield Record(number, {k: _flat(v) for k, v in row.items()})
    return header, records()


def _json_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, line) of a JSON Lines file's lines that are not blank, read from the disk one
    at a time: a line ends at \\n, \\r\\n or \\r, as json_lines splits a text (newline="": not at
    U+2028 and the like, which a JSON string may hold raw)."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for number, line in enumerate(fh, 1):
            line = line.rstrip("\r\n")
            if line.strip():
                yield number, line


def _one_name(row: dict[str, Any]) -> tuple[str, str] | None:
    """Two keys of an object that the import reads as one column name (Followers, followers)."""
    seen: dict[str, str] = {}
    for key in row:
        name = key.strip().lower().replace(" ", "_")
        if name and name in seen:
            return seen[name], key
        seen[name] = key
    return None


def _flat(value: Any) -> Any:
    return value if value is None or isinstance(value, (str, int, float, bool)) else json.dumps(value)


NOT_INSTALOADER = ("not instaloader JSON (no \"node\" and \"instaloader\" keys); a .json file must be one "
                   "instaloader wrote (--metadata-json); tables go in .csv or .jsonl")
COMMENTS_SUFFIX = "_comments.json"


def load_json(path: Path) -> Any:
    """The parsed JSON of a .json or .json.xz file; UsageProblem when it is not JSON."""
    text = _text(path)
    if json_depth(text) > MAX_JSON_DEPTH:
        raise UsageProblem(f"{path}: JSON nested deeper than {MAX_JSON_DEPTH} levels")
    try:
        return json.loads(text)
    except ValueError as exc:
        raise UsageProblem(f"{path}: not valid JSON ({exc})") from None


def wrapped(data: Any) -> tuple[str, dict[str, Any]] | None:
    """(node_type, node) of instaloader's ``{"node", "instaloader"}`` wrapper, else None."""
    meta = data.get("instaloader") if isinstance(data, dict) else None
    if not isinstance(meta, dict) or not isinstance(data.get("node"), dict):
        return None
    return str(meta.get("node_type") or ""), data["node"]


def is_comments(path: Path, data: Any) -> bool:
    """instaloader's ``<post filename>_comments.json`` (--comments): a plain list, never .xz."""
    return path.name.lower().endswith(COMMENTS_SUFFIX) and isinstance(data, list)


def structure(path: Path) -> tuple[str, dict[str, Any]]:
    """(node_type, node) of an instaloader JSON file; UsageProblem for anything else."""
    found = wrapped(load_json(path))
    if found is None:
        raise UsageProblem(f"{path}: {NOT_INSTALOADER}")
    return found
