"""The HTML export: one self-contained file a marketer opens in any browser.

No scripts, fonts, images or style sheets from anywhere else: the styles are inline and the
chart is inline SVG (engagement rate against followers on a log axis, the campaign's tier
bands shaded, the exported creators marked and numbered). Then the shortlist with reasons,
links and rank changes, and every creator's verdicts, one line each. Everything crawled is
escaped; only http(s) and mailto links become links.
"""
from __future__ import annotations

import math
import re
from html import escape
from typing import IO, Iterable

from microscout.engine.contact import contact_link, safe_link
from microscout.engine.exporters import reasons_in_words, rule_title

# The chart's colours: the tests look for them in a screenshot.
MARK = "#e8590c"          # an exported creator
TARGET_BAND = "#cfe3f7"   # a target tier's follower range
OTHER_BAND = ("#f3f4f6", "#e9ebee")
DOT = "#8d99a6"           # another judged creator

WIDTH, HEIGHT = 1000, 440
LEFT, RIGHT, TOP, BOTTOM = 70, 20, 28, 52

STYLE = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
       color: #1f2933; margin: 24px auto; max-width: 1100px; padding: 0 16px; background: #fff; }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 28px 0 8px; }
h3 { font-size: 15px; margin: 18px 0 4px; }
.sub, .meta { color: #52606d; margin: 2px 0; }
figure { margin: 8px 0 0; } svg { display: block; max-width: 100%; height: auto; }
.legend { color: #52606d; font-size: 13px; margin: 6px 0 0; }
.legend span { display: inline-block; width: 12px; height: 12px; vertical-align: -2px; margin: 0 4px 0 14px;
               border-radius: 2px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 6px 8px; border-bottom: 1px solid #e4e7eb; }
th { background: #f5f7fa; position: sticky; top: 0; }
td.num, th.num { text-align: right; white-space: nowrap; }
td.why div + div { margin-top: 4px; }
tr.dropped td { color: #7b8794; }
.handle { color: #52606d; font-size: 12px; overflow-wrap: anywhere; }
td.creator { min-width: 170px; }
.change-new, .change-up { color: #2f7d32; font-weight: 600; } .change-down, .change-dropped { color: #c62828; }
.change-unchanged { color: #7b8794; }
ul.verdicts { list-style: none; padding: 0; margin: 0; }
ul.verdicts li { padding: 1px 0; }
.badge { display: inline-block; min-width: 58px; text-align: center; border-radius: 3px; font-size: 12px;
         font-weight: 600; padding: 0 4px; margin-right: 6px; }
.pass { background: #e3f1df; color: #2f5f1f; } .warn { background: #fff3c4; color: #7a5a00; }
.fail { background: #fbd9d3; color: #8a1c0c; } .unknown { background: #eceff1; color: #52606d; }
.error { background: #eadcf8; color: #5b2a86; }
a { color: #1f5fae; }
@media print { th { position: static; } body { margin: 0; } }
"""


def _fmt_followers(n: float) -> str:
    for size, suffix in ((1_000_000, "M"), (1_000, "k")):
        if n >= size:
            value = n / size
            return f"{value:.0f}{suffix}" if value >= 10 or value.is_integer() else f"{value:.1f}{suffix}"
    return f"{n:.0f}"


def _nice_step(top: float) -> float:
    raw = top / 5
    power = 10 ** math.floor(math.log10(raw)) if raw > 0 else 0.01
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * power:
            return m * power
    return 10 * power


def chart_svg(context) -> str:
    points = [p for p in context.points if p["followers"] and p["engagement_rate"] is not None]
    exported = [p for p in points if p["exported"]]
    targets = [b for b in context.bands if b["target"]]
    lows = [p["followers"] for p in points] + [b["min"] for b in targets if b["min"] > 0]
    # An open-ended target tier (mega: 100,000 and up) reaches past every point of a crawl for
    # smaller ones: its start is on the axis, or the band the campaign targets was not drawn.
    highs = [p["followers"] for p in points] + [b["max"] or b["min"] for b in targets]
    # a decade's margin or so each side, so the neighbouring tiers show around the target
    lo = 10 ** math.floor(math.log10(max(min(lows) / 2, 1))) if lows else 100
    hi = 10 ** math.ceil(math.log10(max(max(highs) * 2, lo * 10))) if highs else lo * 1000
    rates = sorted(p["engagement_rate"] for p in points)
    top = max([rates[int(0.95 * (len(rates) - 1))] if rates else 0.05] + [p["engagement_rate"] for p in exported])
    step = _nice_step(max(top * 1.1, 0.01))
    ymax = step * math.ceil(max(top * 1.1, 0.01) / step)
    pw, ph = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(f: float) -> float:
        f = min(max(f, lo), hi)
        return LEFT + pw * (math.log10(f) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))

    def y(rate: float) -> float:
        return TOP + ph * (1 - min(max(rate, 0), ymax) / ymax)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
           f'height="{HEIGHT}" role="img" aria-label="Engagement rate against followers" id="chart">',
           f'<rect x="{LEFT}" y="{TOP}" width="{pw}" height="{ph}" fill="#ffffff" stroke="#cbd2d9"/>']
    for i, band in enumerate(context.bands):
        if band["min"] >= hi or (band["max"] is not None and band["max"] <= lo):
            continue
        x0, x1 = x(max(band["min"], lo)), x(band["max"] if band["max"] is not None else hi)
        fill = TARGET_BAND if band["target"] else OTHER_BAND[i % 2]
        top = "no limit" if band["max"] is None else f"{band['max']:,}"
        where = escape(", ".join(band["platforms"]))
        out.append(f'<rect class="band{" target" if band["target"] else ""}" x="{x0:.1f}" y="{TOP}" '
                   f'width="{max(x1 - x0, 0):.1f}" height="{ph}" fill="{fill}"><title>{escape(band["tier"])}: '
                   f'{band["min"]:,} to {top} followers ({where})</title></rect>')
        if x1 - x0 > 40:
            weight = ' font-weight="bold"' if band["target"] else ""
            out.append(f'<text x="{(x0 + x1) / 2:.1f}" y="{TOP + 16}" text-anchor="middle" font-size="12" '
                       f'fill="#52606d"{weight}>{escape(band["tier"])}</text>')
    decade = lo
    while decade <= hi:
        for m in (1, 2, 5):
            f = decade * m
            if lo <= f <= hi:
                gx = x(f)
                out.append(f'<line x1="{gx:.1f}" y1="{TOP}" x2="{gx:.1f}" y2="{TOP + ph}" stroke="#9aa5b1" '
                           f'stroke-opacity="{0.5 if m == 1 else 0.2}"/>')
                out.append(f'<text x="{gx:.1f}" y="{TOP + ph + 18}" text-anchor="middle" font-size="12" '
                           f'fill="#52606d">{_fmt_followers(f)}</text>')
        decade *= 10
    tick = 0.0
    while tick <= ymax + 1e-12:
        gy = y(tick)
        out.append(f'<line x1="{LEFT}" y1="{gy:.1f}" x2="{LEFT + pw}" y2="{gy:.1f}" stroke="#9aa5b1" '
                   f'stroke-opacity="0.25"/>')
        label = f"{tick:.0%}" if round(tick * 100, 6).is_integer() else f"{tick:.1%}"
        out.append(f'<text x="{LEFT - 8}" y="{gy + 4:.1f}" text-anchor="end" font-size="12" fill="#52606d">'
                   f'{label}</text>')
        tick += step
    out.append(f'<text x="{LEFT + pw / 2:.0f}" y="{HEIGHT - 10}" text-anchor="middle" font-size="13" '
               f'fill="#1f2933">Followers (log scale)</text>')
    out.append(f'<text transform="translate(16 {TOP + ph / 2:.0f}) rotate(-90)" text-anchor="middle" '
               f'font-size="13" fill="#1f2933">Engagement rate</text>')
    above = 0
    for p in points:
        if p["exported"]:
            continue
        hollow = p["excluded_by"] is not None
        title = (f'<title>{escape(p["handle"] or "")}: {p["followers"]:,} followers, {p["engagement_rate"]:.2%}'
                 f'{" (excluded by " + escape(rule_title(p["excluded_by"])) + ")" if hollow else ""}</title>')
        paint = f'fill="none" stroke="{DOT}" stroke-width="1"' if hollow else f'fill="{DOT}" fill-opacity="0.7"'
        if p["engagement_rate"] > ymax:
            # beyond the axis (the top is the 95th percentile): a mark pointing up at the top
            # edge, not a dot drawn there as if its rate were the axis's top
            above += 1
            cx = x(p["followers"])
            out.append(f'<path class="above" d="M{cx - 4:.1f} {TOP + 7} L{cx:.1f} {TOP + 1} L{cx + 4:.1f} {TOP + 7} Z" '
                       f'{paint}>{title}</path>')
            continue
        out.append(f'<circle cx="{x(p["followers"]):.1f}" cy="{y(p["engagement_rate"]):.1f}" r="3" {paint}>'
                   f'{title}</circle>')
    if above:
        out.append(f'<text x="{LEFT + pw - 6}" y="{TOP + 32}" text-anchor="end" font-size="11" fill="#52606d">'
                   f'▲ {above} not exported above {ymax:.1%} (at the top edge)</text>')
    for p in sorted(exported, key=lambda p: -(p["rank"] or 0)):
        cx, cy = x(p["followers"]), y(p["engagement_rate"])
        out.append(f'<circle class="mark" cx="{cx:.1f}" cy="{cy:.1f}" r="7" fill="{MARK}" stroke="#ffffff" '
                   f'stroke-width="1.5"><title>#{p["rank"]} {escape(p["handle"] or "")}: {p["followers"]:,} '
                   f'followers, {p["engagement_rate"]:.2%}</title></circle>')
        if p["rank"] is not None and p["rank"] <= 10:
            out.append(f'<text x="{cx + 9:.1f}" y="{cy - 7:.1f}" font-size="11" font-weight="bold" '
                       f'fill="#7a2e05">{p["rank"]}</text>')
    out.append("</svg>")
    return "\n".join(out)


def _change(row: dict) -> str:
    status = row.get("status") or ""
    return f'<span class="change-{escape(status)}">{escape(row.get("change") or "")}</span>'


def _creator(row: dict) -> str:
    name = escape(row.get("display_name") or row.get("handle") or row.get("platform_id") or "")
    url = safe_link(row.get("profile_url"))
    title = f'<a href="{escape(url)}">{name}</a>' if url else name
    handle = escape(row.get("handle") or "")
    return f'{title}<div class="handle">{handle}</div>' if handle and handle != name else title


def _contact(row: dict) -> str:
    contact = row.get("contact")
    if not contact:
        return ""
    link = contact_link(contact)
    return f'<a href="{escape(link)}">{escape(contact)}</a>' if link else escape(contact)


def _linked(text: str, links: Iterable[str]) -> str:
    """``text`` escaped, with the addresses of the posts it names (``links``, the export's
    own: never a link the crawled text holds) as links."""
    html = escape(text)
    for url in sorted({u for u in links if safe_link(u) and u in text}, key=len, reverse=True):
        html = html.replace(escape(url), f'<a href="{escape(url)}">{escape(url)}</a>')
    return html


def _reason(reason: str, rules: set[str], links: Iterable[str] = ()) -> str:
    """``engagement: 6.45% engagement …`` (``ad_frequency (warn): …``) with the rule's name in
    words, in bold, and its outcome unless a pass."""
    m = re.match(r"(\w+)(?: \((\w+)\))?: ", reason)
    if m and m.group(1) in rules:
        outcome = f" ({escape(m.group(2))})" if m.group(2) else ""
        return f"<b>{escape(rule_title(m.group(1)))}</b>{outcome}: {_linked(reason[m.end():], links)}"
    # "gates not checked: tier_bounds (unknown)", or a dropped row's excluded_by, in words too
    return _linked(reasons_in_words(reason, rules) or "", links)


def _when(stamp: str | None) -> str:
    """``2026-12-01T06:15:19+00:00`` -> ``2026-12-01 06:15 UTC``."""
    if not stamp:
        return ""
    text = stamp.replace("T", " ")
    return text[:16] + " UTC" if text.endswith("+00:00") else text


def _table(rows: list[dict], context) -> str:
    from microscout.engine.export import row_key

    head = ("<tr><th class=num>Rank</th><th>Change</th><th>Creator</th><th>Platform</th>"
            "<th class=num>Followers</th><th class=num>Engagement</th><th class=num>Score</th>"
            "<th>Contact</th><th>Why</th></tr>")
    body = []
    rules = set(context.rules) if context is not None else set()
    for row in rows:
        rate, followers, score = row.get("engagement_rate"), row.get("followers"), row.get("score")
        reasons = context.reasons.get(row_key(row)) if context is not None else None
        reasons = reasons or ([row["excluded_by"]] if row.get("excluded_by") else
                              [r for r in (row.get("reasons") or "").split(" | ") if r])
        links = context.links.get(row_key(row), {}).values() if context is not None else ()
        why = "".join(f"<div>{_reason(r, rules, links)}</div>" for r in reasons)
        before = f' <span class="handle">(was {row["previous_rank"]})</span>' if row.get("previous_rank") else ""
        body.append(
            f'<tr class="{escape(row.get("status") or "")}">'
            f'<td class=num>{row["rank"] if row.get("rank") is not None else ""}</td>'
            f'<td>{_change(row)}{before}</td><td class=creator>{_creator(row)}</td>'
            f'<td>{escape(row.get("platform") or "")}</td>'
            f'<td class=num>{_or_unsaid(row, "followers", "hidden" if followers is None else f"{followers:,}")}</td>'
            f'<td class=num>{_or_unsaid(row, "engagement_rate", "n/a" if rate is None else f"{rate:.2%}")}</td>'
            f'<td class=num>{f"{score:.2f}" if score is not None else ""}</td>'
            f'<td>{_contact(row)}</td><td class=why>{why}</td></tr>')
    return f"<table><thead>{head}</thead><tbody>{''.join(body)}</tbody></table>"


def _or_unsaid(row: dict, key: str, shown: str) -> str:
    """A dropped creator that is not in the latest run (opted out, gone, not judged) has no
    figures at all: its cells stay empty, where "hidden" would say the platform hides them."""
    return shown if key in row else ""


def _verdicts(rows: list[dict], context) -> str:
    from microscout.engine.export import row_key

    out = []
    for row in rows:
        verdicts = context.verdicts.get(row_key(row)) if context is not None else None
        if not verdicts:
            continue
        rank = f"#{row['rank']} " if row.get("rank") is not None else ""
        out.append(f"<h3>{rank}{_creator(row)}</h3><ul class=verdicts>")
        links = context.links.get(row_key(row), {}).values()
        for v in verdicts:
            outcome = escape(v["outcome"])
            words = "; ".join(v.get("words") or [])
            out.append(f'<li title="{escape(words)}"><span class="badge {outcome}">{outcome}</span>'
                       f'<b>{escape(rule_title(v["rule"]))}</b>: {_linked(v["reason"] or "", links)}</li>')
        out.append("</ul>")
    return "\n".join(out)


def render_report(rows: list[dict], columns: list[str], context) -> str:
    campaign = escape(context.campaign if context is not None else "")
    counts = {s: sum(1 for r in rows if r.get("status") == s) for s in ("new", "up", "down", "unchanged", "dropped")}
    listed = len(rows) - counts["dropped"]
    meta = []
    if context is not None:
        top = f"the top {listed} below" if listed else "none below"
        meta.append(f"Shortlist run {context.run_id}: {context.judged:,} creators judged, {context.ranked:,} "
                    f"ranked; {top}. Written {escape(_when(context.generated_at))}.")
        if context.previous:
            moved = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
            meta.append(f"Compared with the export of {escape(_when(context.previous['written_at']))}: {moved}.")
        else:
            meta.append("The first export of this campaign: every creator is new.")
    shown = sum(1 for p in context.points if not p["exported"]) if context is not None else 0
    total_others = (context.points_total - sum(1 for p in context.points if p["exported"])) if context else 0
    sampled = f" (a sample of {shown:,} of {total_others:,})" if context is not None and shown < total_others else ""
    # A shortlisted creator without followers or an engagement rate has no place on the chart:
    # said, or a shortlist of them showed a chart with none of its marks and no word why.
    unplotted = sum(1 for r in rows if r.get("status") != "dropped"
                    and not (r.get("followers") and r.get("engagement_rate") is not None))
    missing = (f" ({unplotted} not in the chart: followers or engagement rate not known)" if unplotted else "")
    legend = (f'<p class="legend"><span style="background:{MARK}"></span>shortlisted (numbered by rank){missing}'
              f'<span style="background:{DOT}"></span>other judged creators{sampled}'
              f'<span style="border:1px solid {DOT}"></span>excluded by a gate'
              f'<span style="background:{TARGET_BAND}"></span>the campaign\'s target tier</p>')
    chart = (f"<h2>Engagement rate against followers</h2><figure>{chart_svg(context)}{legend}</figure>"
             if context is not None and context.points else "")
    description = escape(context.description) if context is not None and context.description else ""
    return "\n".join([
        "<!doctype html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Shortlist: {campaign}</title><style>{STYLE}</style></head><body>",
        f"<header><h1>Shortlist: {campaign}</h1>"
        + (f'<p class="sub">{description}</p>' if description else "")
        + "".join(f'<p class="meta">{m}</p>' for m in meta) + "</header>",
        chart,
        f"<h2>Shortlist</h2>{_table(rows, context)}",
        f"<h2>Every verdict</h2>{_verdicts(rows, context)}",
        "</body></html>", ""])


def write_report(rows: list[dict], columns: list[str], out: IO[str], context=None) -> None:
    out.write(render_report(rows, columns, context))
