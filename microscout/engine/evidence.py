"""A verdict's evidence in words a marketer reads: `key: value` lines with units.

Rules store their evidence as JSON of any shape (see docs/PLUGINS.md); this turns any of
it into a few short lines without knowing the rule: shares and rates become percentages,
confidence intervals ranges, counts "58 real, 13 dormant", lists of post ids a count,
examples their first one or two. `microscout explain --json` keeps the raw evidence.
"""
from __future__ import annotations

import re
from typing import Any

# Keys whose number in [0, 1] is a fraction of a whole, shown as a percentage.
_PERCENT = re.compile(r"(share|rate|benchmark|sensitivity|specificity|fraction|probability|percent|jump|growth)")
_ISO = re.compile(r"^(\d{4}-\d{2}-\d{2})T\d{2}:\d{2}")
_ID_KEYS = re.compile(r"(^|_)(ids?|uri|cid|did)$")
_SKIP = {"reason_code", "not_on_platform"}  # the second: Verdict.not_on_platform's mark
_LABELS = {"ci95": "95% CI", "per_week": "per week", "mass_follower": "mass followers"}
_DATE_KEYS = {"from", "to", "at", "since", "until", "date", "day"}


def label(key: str) -> str:
    """``estimated_fake_share_ci95`` -> ``estimated fake share 95% CI``; a unit the value
    carries (``longest_gap_days`` -> ``longest gap``: 18 days) is left out of the label."""
    text = str(key)
    for unit in ("_days", "_hours"):
        if text.endswith(unit) and len(text) > len(unit):
            text = text[:-len(unit)]
    for raw, words in _LABELS.items():
        text = text.replace(raw, words)
    return text.replace("_", " ").strip()


def _is_id(value: Any) -> bool:
    return isinstance(value, str) and (value.startswith(("at://", "did:")) or
                                       (len(value) > 40 and " " not in value))


def _number(key: str, value: float | int) -> str:
    k = key.lower()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if "ratio" in k:
        return f"{value:,.2f}×"
    if isinstance(value, float) and 0 <= value <= 1 and _PERCENT.search(k):
        return "0%" if value == 0 else f"{value:.2%}" if value < 0.1 else f"{value:.0%}"
    if k.endswith("_days") or k == "days":
        return f"{value:,.0f} days" if float(value).is_integer() else f"{value:,.1f} days"
    if k.endswith("_hours") or k == "hours":
        return f"{value:,.1f} hours"
    if k.endswith("per_week"):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".") if abs(value) < 1e6 else f"{value:,.0f}"


def _scalar(key: str, value: Any) -> str:
    if value is None:
        return "not known"
    if isinstance(value, (bool, int, float)):
        return _number(key, value)
    text = str(value)
    iso = _ISO.match(text)
    return iso.group(1) if iso else text


def _pairs(value: list) -> bool:
    return bool(value) and all(isinstance(v, (list, tuple)) and len(v) == 2 and isinstance(v[0], str)
                               for v in value)


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:") + "…"


def _list(key: str, value: list, range_: bool = False) -> str:
    if not value:
        return "none"
    if key.lower().endswith("ci95") and len(value) == 2 and all(isinstance(v, (int, float)) for v in value):
        low, high = (_number(key.lower().replace("ci95", "share"), float(v)) for v in value)
        if low.endswith("%") and high.endswith("%") and any(0 < v < 0.1 for v in value) and max(value) <= 1:
            # one precision for both ends ("3.8%–19.0%", not "3.81%–19%"): a range read as one;
            # two decimals where one would read a share under 0.05% as 0.0%
            places = 1 if min(v for v in value if v > 0) >= 0.001 else 2
            low, high = (f"{float(v):.{places}%}" for v in value)
        return f"{low}–{high}"
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
        if range_ and len(value) == 2:
            return f"{_number(key, value[0])}–{_number(key, value[1])}"
        shown = [_number(key, v) for v in value[:6]]
        return " → ".join(shown) + (f" (+{len(value) - 6} more)" if len(value) > 6 else "")
    if _pairs(value):
        shown = [f"{label(kind)} {_scalar(kind, text)}" for kind, text in value[:3]]
        return "; ".join(shown) + (f" (+{len(value) - 3} more)" if len(value) > 3 else "")
    if all(isinstance(v, dict) for v in value):
        shown = [s for s in (_summary(v) for v in value[:2]) if s]
        head = f"{len(value)}"
        return f"{head}, e.g. " + "; ".join(shown) if shown else head
    if all(_is_id(v) for v in value):
        return f"{len(value)}"
    shown = [_scalar(key, v) if not isinstance(v, (list, dict)) else _value(key, v) for v in value[:5]]
    return ", ".join(shown) + (f" (+{len(value) - 5} more)" if len(value) > 5 else "")


def _dict(key: str, value: dict) -> str:
    if not value:
        return "none"
    items = list(value.items())
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for _, v in items):
        if all(isinstance(v, int) for _, v in items):  # counts: the largest first, zeros left out
            shown = [f"{v:,} {label(k)}" for k, v in sorted(items, key=lambda kv: -kv[1]) if v]
            return ", ".join(shown[:6]) + (f" (+{len(shown) - 6} more)" if len(shown) > 6 else "") or "none"
        return ", ".join(f"{label(k)} {_number(k if _PERCENT.search(k) else key, v)}" for k, v in items[:6])
    return ", ".join(f"{label(k)} {_value(k, v, range_=True)}" for k, v in items[:6] if not _ID_KEYS.search(k))


def _summary(item: dict) -> str:
    """One example (a post, a comment, a follower) in a few words, its ids left out. An
    example that states its problems in sentences (a post's "undisclosed ad: discount code
    …") is those sentences: its status and signals would only say them again, cut short."""
    problems = item.get("problems")
    if isinstance(problems, list) and problems and all(isinstance(p, str) for p in problems):
        return _shorten("; ".join(problems), 160)
    parts = []
    for k, v in item.items():
        if _ID_KEYS.search(k) or k in ("post", "url") or _is_id(v) or v in (None, [], {}, ""):
            continue
        plain = isinstance(v, (list, dict)) or (isinstance(v, str) and k not in _DATE_KEYS)
        parts.append(_value(k, v) if plain else f"{label(k)} {_value(k, v)}")
    return _shorten(", ".join(parts), 100)


def _value(key: str, value: Any, range_: bool = False) -> str:
    if isinstance(value, dict):
        return _dict(key, value)
    if isinstance(value, list):
        return _list(key, value, range_)
    return _scalar(key, value)


def evidence_lines(evidence: Any, limit: int = 8, width: int = 160, more: str = "--json shows all") -> list[str]:
    """Up to ``limit`` `key: value` lines (the last one says how many more there are, and
    ``more``: where the reader finds them)."""
    if evidence in (None, {}, []):
        return []
    if not isinstance(evidence, dict):
        return [_shorten(_value("evidence", evidence), width)]
    lines = []
    for key, value in evidence.items():
        if key in _SKIP or (_ID_KEYS.search(key) and not isinstance(value, (int, float))):
            continue
        if isinstance(value, list) and value and all(_is_id(v) for v in value) and key.endswith("ids"):
            continue
        lines.append(_shorten(f"{label(key)}: {_value(key, value)}", width))
    if len(lines) > limit:
        rest = len(lines) - (limit - 1)
        lines = lines[:limit - 1] + [f"(+{rest} more; {more})"]
    return lines
