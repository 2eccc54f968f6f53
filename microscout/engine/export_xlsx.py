"""The xlsx export: a workbook a marketer opens as it is.

Sheet "Shortlist": one row per creator under human column names, profile and contact links
clickable, engagement formatted as a percentage, followers with thousands separators, each
rule's outcome coloured. Sheet "Verdicts": one row per creator and rule with the reason and
the evidence in words. Both with a frozen, filterable header row and sensible widths.
"""
from __future__ import annotations

import io
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from microscout.engine.contact import contact_link, safe_link
from microscout.engine.exporters import (
    column_label,
    human_columns,
    reason_in_words,
    reasons_in_words,
    rule_names,
    rule_title,
)

NUMBER_FORMATS = {"rank": "0", "previous_rank": "0", "followers": "#,##0", "engagement_rate": "0.00%",
                  "score": "0.00"}
OUTCOME_FILL = {"pass": "E2F0D9", "warn": "FFF2CC", "fail": "F8CBAD", "error": "E4C1F9", "unknown": "EDEDED"}
CHANGE_COLOUR = {"new": "2E75B6", "up": "548235", "down": "C00000", "dropped": "C00000", "unchanged": "7F7F7F"}
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
WIDTH_CAP = {"reasons": 80, "profile_url": 45, "contact": 32, "reason": 70, "evidence": 80}


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _put(ws, row: int, col: int, value: Any):
    cell = ws.cell(row=row, column=col, value=_clean(value))
    if isinstance(value, str):
        cell.data_type = "s"  # crawled text starting with "=" stays text, never a formula
    return cell


def _link(cell, url: str | None) -> None:
    if url:
        cell.hyperlink = url
        cell.style = "Hyperlink"


def _header(ws, labels: list[str]) -> None:
    for col, text in enumerate(labels, start=1):
        cell = _put(ws, 1, col, text)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(labels))}{max(ws.max_row, 1)}"


def _widths(ws, keys: list[str], labels: list[str]) -> None:
    for col, (key, label) in enumerate(zip(keys, labels), start=1):
        longest = len(label) if len(label) <= 16 else 12  # long headers wrap
        for (value,) in ws.iter_rows(min_row=2, min_col=col, max_col=col, values_only=True):
            if value is not None:
                text = f"{value:.2%}" if key == "engagement_rate" and isinstance(value, float) else str(value)
                longest = max(longest, *(len(line) for line in text.splitlines() or [""]))
        cap = WIDTH_CAP.get(key, 40)
        ws.column_dimensions[get_column_letter(col)].width = max(6, min(longest + 2, cap))


def _shortlist_sheet(ws, rows: list[dict], columns: list[str], context) -> None:
    from microscout.engine.export import row_key

    rule_outcomes = [c for c in columns if c.endswith(".outcome")]
    rules = rule_names(columns)
    keys = [c for c in human_columns(columns) if not c.endswith((".outcome", ".reason"))] + rule_outcomes
    labels = [column_label(k) for k in keys]
    for r, row in enumerate(rows, start=2):
        for c, key in enumerate(keys, start=1):
            value = row.get(key)
            if key == "reasons" and context is not None and context.reasons.get(row_key(row)):
                # one reason a line, its rule named in words
                value = "\n".join(reason_in_words(r, rules) for r in context.reasons[row_key(row)])
            elif key in ("reasons", "excluded_by") and isinstance(value, str):
                value = reasons_in_words(value, rules)
            cell = _put(ws, r, c, value)
            if key in NUMBER_FORMATS:
                cell.number_format = NUMBER_FORMATS[key]
            if key == "profile_url":
                _link(cell, safe_link(value))
            elif key == "contact":
                _link(cell, contact_link(value))
            elif key == "change":
                colour = CHANGE_COLOUR.get(row.get("status") or "")
                if colour:
                    cell.font = Font(color=colour, bold=row.get("status") in ("new", "up"))
            elif key == "reasons":
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            elif key.endswith(".outcome") and value in OUTCOME_FILL:
                cell.fill = PatternFill("solid", fgColor=OUTCOME_FILL[value])
    _header(ws, labels)
    _widths(ws, keys, labels)


VERDICT_KEYS = ["rank", "handle", "display_name", "rule", "outcome", "score", "reason", "evidence"]
VERDICT_LABELS = ["Rank", "Handle", "Name", "Rule", "Outcome", "Score", "Reason", "Evidence"]


def _verdicts_sheet(ws, rows: list[dict], context) -> None:
    from microscout.engine.export import row_key

    r = 2
    for row in rows:
        for v in (context.verdicts.get(row_key(row), []) if context is not None else []):
            values = [row.get("rank"), row.get("handle"), row.get("display_name"), rule_title(v["rule"]),
                      v["outcome"], v["score"], v["reason"], "; ".join(v.get("words") or [])]
            for c, value in enumerate(values, start=1):
                cell = _put(ws, r, c, value)
                key = VERDICT_KEYS[c - 1]
                if key in NUMBER_FORMATS:
                    cell.number_format = NUMBER_FORMATS[key]
                if key == "outcome" and value in OUTCOME_FILL:
                    cell.fill = PatternFill("solid", fgColor=OUTCOME_FILL[value])
                if key in ("reason", "evidence"):
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
            r += 1
    _header(ws, VERDICT_LABELS)
    _widths(ws, VERDICT_KEYS, VERDICT_LABELS)


def write_workbook(rows: list[dict], columns: list[str], out: IO[bytes], context=None) -> None:
    wb = Workbook()
    shortlist = wb.active
    shortlist.title = "Shortlist"
    _shortlist_sheet(shortlist, rows, columns, context)
    _verdicts_sheet(wb.create_sheet("Verdicts"), rows, context)
    if context is not None:
        wb.properties.title = f"Shortlist: {context.campaign}"
        wb.properties.subject = context.description or None
        wb.properties.creator = "microscout"
    # Saved in memory first: a write that fails (a full disk) inside wb.save leaves its zip
    # file half closed, and Python then prints that zip's traceback when it collects it.
    buffer = io.BytesIO()
    wb.save(buffer)
    out.write(buffer.getbuffer())
