"""Built-in exporters (csv, json, jsonl), registered exactly like a plugin's would be."""
from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from typing import IO, Callable

from microscout import hookimpl


@dataclass(frozen=True)
class Exporter:
    """Writes export rows (flat dicts, the same keys in every row) to a text stream."""

    name: str
    extension: str
    summary: str
    write: Callable[[list[dict], list[str], IO[str]], None]


def write_csv(rows: list[dict], columns: list[str], out: IO[str]) -> None:
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)


def write_json(rows: list[dict], columns: list[str], out: IO[str]) -> None:
    json.dump([{c: r.get(c) for c in columns} for r in rows], out, ensure_ascii=False, indent=2)
    out.write("\n")


def write_jsonl(rows: list[dict], columns: list[str], out: IO[str]) -> None:
    for r in rows:
        out.write(json.dumps({c: r.get(c) for c in columns}, ensure_ascii=False) + "\n")


@hookimpl(trylast=True)
def register_exporters(register):
    register(Exporter("csv", "csv", "Comma-separated, one row per creator; opens in any spreadsheet.", write_csv))
    register(Exporter("json", "json", "One JSON array of row objects.", write_json))
    register(Exporter("jsonl", "jsonl", "One JSON object per line, for CRM imports and scripts.", write_jsonl))
