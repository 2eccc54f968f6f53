"""Built-in exporters (csv, json, jsonl, xlsx, html), registered exactly like a plugin's would be.

Every exporter receives the same rows: flat dicts with machine keys (``columns``, in order:
``status``, ``rank``, ``platform``, ``handle``, ... then ``RULE.outcome`` / ``RULE.reason``).
The formats people open (csv, xlsx, html) show them under human names (:func:`column_label`),
engagement as a percentage; json and jsonl keep the machine keys and the rate as a fraction
for scripts and CRM imports.
"""
from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from typing import IO, Any, Callable

from microscout import hookimpl


@dataclass(frozen=True)
class Exporter:
    """Writes export rows (flat dicts, the same keys in every row) to a stream.

    ``write(rows, columns, stream)`` by default. ``binary=True``: the stream is binary
    (a spreadsheet, an archive). ``bom=True``: a text stream starts with a UTF-8
    byte-order mark unless the user asks otherwise (`--no-bom`), so spreadsheets read
    it as UTF-8. ``context=True``: ``write`` gets a fourth argument, the
    :class:`microscout.engine.export.ExportContext` (campaign, every verdict with its
    evidence, the chart's points and the tier bands).
    """

    name: str
    extension: str
    summary: str
    write: Callable[..., None]
    binary: bool = False
    bom: bool = False
    context: bool = False
    plugin: str = ""  # set by the engine: the plugin that registered it


# The columns every export row carries, in this order, then RULE.outcome and RULE.reason.
ROW_COLUMNS = ["status", "rank", "platform", "handle", "display_name", "profile_url", "contact", "change",
               "previous_rank", "platform_id", "tier", "followers", "engagement_rate", "score",
               "excluded_by", "reasons"]

LABELS = {
    "status": "Status", "rank": "Rank", "change": "Change", "previous_rank": "Previous rank",
    "display_name": "Name", "handle": "Handle", "platform": "Platform", "profile_url": "Profile URL",
    "contact": "Contact", "platform_id": "Platform ID", "tier": "Tier", "followers": "Followers",
    "engagement_rate": "Engagement rate", "score": "Score", "excluded_by": "Excluded by",
    "reasons": "Why (top reasons)",
}

# The order people read: who, how they moved, how to reach them, the numbers, why.
HUMAN_ORDER = ["rank", "change", "previous_rank", "display_name", "handle", "platform", "profile_url", "contact",
               "tier", "followers", "engagement_rate", "score", "excluded_by", "reasons", "platform_id"]


def rule_title(rule: str) -> str:
    """``ad_frequency`` -> ``Ad frequency``."""
    text = rule.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def column_label(column: str) -> str:
    """The human name of a row key: ``engagement_rate`` -> ``Engagement rate``,
    ``ad_frequency.outcome`` -> ``Ad frequency: outcome``."""
    if column in LABELS:
        return LABELS[column]
    rule, dot, part = column.rpartition(".")
    if dot and rule:
        return f"{rule_title(rule)}: {part}"
    return rule_title(column)


_RULE_REASON = re.compile(r"(\w+)((?: \(\w+\))?: )")
GATES_NOT_CHECKED = "gates not checked: "


def rule_names(columns: list[str]) -> set[str]:
    """The rules whose verdicts the rows carry (``RULE.outcome`` columns)."""
    return {c[:-len(".outcome")] for c in columns if c.endswith(".outcome")}


def reason_in_words(reason: str, rules: set[str]) -> str:
    """A shortlist reason as a marketer reads it, rules named as the column headers name them:
    ``audience_authenticity (warn): …`` -> ``Audience authenticity (warn): …``, and
    ``gates not checked: tier_bounds (unknown)`` -> ``gates not checked: Tier bounds (unknown)``
    (the JSON exports keep the names scripts select rules by)."""
    if reason.startswith(GATES_NOT_CHECKED):
        gates = reason[len(GATES_NOT_CHECKED):].split(", ")
        return GATES_NOT_CHECKED + ", ".join(
            rule_title(g.partition(" ")[0]) + " " + g.partition(" ")[2] if g.partition(" ")[0] in rules else g
            for g in gates)
    m = _RULE_REASON.match(reason)
    if m and m.group(1) in rules:
        return rule_title(m.group(1)) + reason[m.end(1):]
    return reason


def reasons_in_words(text: str | None, rules: set[str]) -> str | None:
    """A row's ``reasons`` (joined by " | ") or ``excluded_by``, each part in words."""
    if not text:
        return text
    return " | ".join(reason_in_words(r, rules) if r not in rules else rule_title(r) for r in text.split(" | "))


def human_columns(columns: list[str]) -> list[str]:
    """``columns`` in reading order, without ``status`` (``change`` says it in words)."""
    first = [c for c in HUMAN_ORDER if c in columns]
    return first + [c for c in columns if c not in first and c != "status"]


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """Text a spreadsheet would run as a formula (a display name "=HYPERLINK(…)") is kept
    as text by a leading apostrophe; numbers and other text are left alone."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_csv(rows: list[dict], columns: list[str], out: IO[str]) -> None:
    """Human headers; engagement as a number of percent (6.51, header "Engagement rate (%)"),
    so a spreadsheet can sort and sum it; text that looks like a formula is neutralised."""
    keys = human_columns(columns)
    rules = rule_names(columns)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([column_label(c) + (" (%)" if c == "engagement_rate" else "") for c in keys])
    for row in rows:
        line = []
        for c in keys:
            value = row.get(c)
            if c == "engagement_rate" and isinstance(value, (int, float)):
                value = round(value * 100, 2)
            elif c in ("reasons", "excluded_by") and isinstance(value, str):
                value = reasons_in_words(value, rules)
            line.append("" if value is None else spreadsheet_safe(value))
        writer.writerow(line)


def write_json(rows: list[dict], columns: list[str], out: IO[str]) -> None:
    json.dump([{c: r.get(c) for c in columns} for r in rows], out, ensure_ascii=False, indent=2)
    out.write("\n")


def write_jsonl(rows: list[dict], columns: list[str], out: IO[str]) -> None:
    for r in rows:
        out.write(json.dumps({c: r.get(c) for c in columns}, ensure_ascii=False) + "\n")


def write_xlsx(rows: list[dict], columns: list[str], out: IO[bytes], context) -> None:
    from microscout.engine.export_xlsx import write_workbook

    write_workbook(rows, columns, out, context)


def write_html(rows: list[dict], columns: list[str], out: IO[str], context) -> None:
    from microscout.engine.export_html import write_report

    write_report(rows, columns, out, context)


@hookimpl(trylast=True)
def register_exporters(register):
    register(Exporter("csv", "csv", "Comma-separated, human headers, UTF-8 with a byte-order mark; opens in any "
                      "spreadsheet.", write_csv, bom=True))
    register(Exporter("json", "json", "One JSON array of row objects (machine keys).", write_json))
    register(Exporter("jsonl", "jsonl", "One JSON object per line, for CRM imports and scripts.", write_jsonl))
    register(Exporter("xlsx", "xlsx", "An Excel workbook: the shortlist and every rule's verdict, links clickable.",
                      write_xlsx, binary=True, context=True))
    register(Exporter("html", "html", "A one-file report: the shortlist, a chart of engagement against followers, "
                      "every verdict.", write_html, context=True))
