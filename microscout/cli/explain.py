"""`microscout explain HANDLE`: every verdict behind a rank, with its evidence in words.

Each verdict is its outcome, the rule, the rule's one-line reason and its evidence as a few
`key: value` lines with units (shares as percentages, counts, ranges); `--json` prints the
raw evidence the rule recorded.
"""
from __future__ import annotations

import json

import click
from rich.padding import Padding
from rich.text import Text

from microscout.cli.common import Env, UsageProblem, terminal_safe, with_env

OUTCOME_STYLE = {"pass": "green", "warn": "yellow", "fail": "red", "unknown": "dim", "error": "magenta"}


def verdict_block(verdict: dict, evidence_limit: int = 8, names=None) -> list:
    """A verdict as a few renderables: `pass  Engagement (score 1.00)`, the reason, the
    evidence; ``names`` (engine.readable.Readable): posts and commenters by address and handle."""
    from microscout.engine.evidence import evidence_lines
    from microscout.engine.exporters import rule_title
    from microscout.engine.readable import Readable, loaded

    names = names or Readable()

    outcome = verdict["outcome"]
    head = Text()
    head.append(f"{outcome:<8}", style=f"bold {OUTCOME_STYLE.get(outcome, '')}")
    head.append(rule_title(verdict["rule"]), style="bold")
    head.append(f" ({verdict['rule']}, score {verdict['score']:.2f})" if verdict["score"] is not None
                else f" ({verdict['rule']})", style="dim")
    out = [head, Padding(Text(terminal_safe(names.reason(verdict["reason"]))), (0, 0, 0, 8))]
    for line in evidence_lines(names.evidence(loaded(verdict["evidence"])), limit=evidence_limit):
        out.append(Padding(Text(terminal_safe(line), style="dim"), (0, 0, 0, 10)))
    return out


@click.command("explain")
@click.argument("handle")
@click.option("--campaign", default=None, help="Campaign whose latest shortlist to explain (default: the latest run).")
@click.option("--platform", default=None,
              help="Explain the profile on this platform only, when the handle names one on several.")
@click.option("--json", "as_json", is_flag=True,
              help="Print a JSON list (one item per matching profile) with the raw evidence instead of words.")
@with_env
def command(env: Env, handle: str, campaign: str | None, platform: str | None, as_json: bool) -> None:
    """Print every rule's verdict on HANDLE with its evidence in words.

    HANDLE is a handle (name@instance, name.bsky.social), a platform id or a profile URL, as
    the exports' Profile URL column shows it.
    """
    from microscout.cli.handles import stored_profiles
    from microscout.cli.shortlist import make_console
    from microscout.engine.contact import contact_for, profile_url
    from microscout.engine.readable import readable
    from microscout.engine.shortlist import verdicts_for
    from microscout.store.transaction import snapshot

    db = env.db(readonly=True)
    profiles = stored_profiles(db, handle)
    if platform is not None:
        found = sorted({p["platform"] for p in profiles})
        profiles = [p for p in profiles if p["platform"] == platform]
        if found and not profiles:
            raise UsageProblem(f"{handle!r} is stored on {', '.join(found)}, not on {platform}; "
                               f"pass --platform {found[0]} or leave --platform out")
    console = make_console()
    out = []
    unjudged: list[str] = []  # one line per matching profile no finished run judged
    for profile in profiles:
        sql = ("SELECT e.*, r.campaign FROM shortlist_entries e JOIN shortlist_runs r ON r.id = e.run_id "
               "WHERE e.profile_id = ? AND r.status = 'finished'")
        params = [profile["id"]]
        if campaign:
            sql += " AND r.campaign = ?"
            params.append(campaign)
        # The entry and its verdicts from one snapshot: a shortlist finishing meanwhile may
        # prune the run just read (shortlists.keep_runs).
        with snapshot(db):
            entries = list(db.query(sql + " ORDER BY r.id DESC LIMIT 1", params))
            verdicts = verdicts_for(db, entries[0]["run_id"], profile["id"]) if entries else []
        if not entries:
            if campaign and campaign not in env.config.campaigns:
                env.config.campaign(campaign)  # no such campaign: says which there are
            pruned = db.execute("SELECT 1 FROM shortlist_runs WHERE status = 'pruned'"
                                + (" AND campaign = ?" if campaign else ""), [campaign] if campaign else []).fetchone()
            if profile.get("gone_since"):  # no shortlist will judge it: say why
                unjudged.append(f"{profile['handle']} ({profile['platform']}) is no longer on {profile['platform']}: "
                                f"a crawl on {profile['gone_since'][:10]} found no such account, so shortlists "
                                "leave it out until a crawl finds it again")
                continue
            judges = env.config.campaigns[campaign].platforms if campaign else None
            if judges and profile["platform"] not in judges:  # no shortlist of it ever will
                unjudged.append(f"{profile['handle']} ({profile['platform']}) is not judged by campaign "
                                f"{campaign!r} (campaign {campaign!r} judges {', '.join(judges)}, not "
                                f"{profile['platform']})"
                                + (", or only by runs since pruned (shortlists.keep_runs)" if pruned else "")
                                + f"; add {profile['platform']} to campaigns.{campaign}.platforms "
                                f"in {env.config.source} to judge it")
                continue
            unjudged.append(f"{profile['handle']} ({profile['platform']}) has not been judged yet"
                            + (f" for campaign {campaign!r}" if campaign else "")
                            + (", or only by runs since pruned (shortlists.keep_runs)" if pruned else "")
                            + f"; run `microscout shortlist {campaign or 'CAMPAIGN'}` first")
            continue
        entry = entries[0]
        url = profile_url(profile["platform"], profile["handle"], profile.get("url"), profile.get("instance"),
                          profile.get("platform_id"))
        contact = contact_for(profile.get("bio"), profile.get("website"))
        names = readable(db.conn, profile["id"], (v["evidence"] for v in verdicts))
        if as_json:
            out.append({"handle": profile["handle"], "platform": profile["platform"],
                        "display_name": profile.get("display_name"), "profile_url": url, "contact": contact,
                        "campaign": entry["campaign"], "run_id": entry["run_id"],
                        "judged_in": entry.get("verdicts_run") or entry["run_id"], "rank": entry["rank"],
                        "score": entry["score"], "excluded_by": entry["excluded_by"],
                        "gone_since": profile.get("gone_since"),
                        "verdicts": [{**v, "evidence": json.loads(v["evidence"] or "{}")} for v in verdicts],
                        "post_links": names.posts, "commenters": names.people})
            continue
        failed = [v["rule"] for v in verdicts if v["outcome"] == "fail" and v["rule"] != entry["excluded_by"]]
        status = (f"excluded by {entry['excluded_by']}" + (f" (also failing: {', '.join(failed)})" if failed else "")
                  if entry["excluded_by"] else f"rank {entry['rank']}")
        title = Text()
        title.append(terminal_safe(profile["handle"]), style="bold")
        title.append(f" ({profile['platform']}), campaign {entry['campaign']} run {entry['run_id']}: {status}, "
                     f"score {entry['score']:.2f}")
        console.print(title)
        about = [profile.get("display_name") or "", url or "",
                 f"contact: {contact}" if contact else "no contact (none in the bio, no website)"]
        console.print(Text(terminal_safe(" · ".join(a for a in about if a)), style="dim"))
        if profile.get("gone_since"):
            console.print(Text(f"no longer on {profile['platform']}: a crawl on {profile['gone_since'][:10]} found no "
                               f"such account; left out of shortlists until a crawl finds it again (these are the "
                               f"verdicts of the last run that judged it)", style="bold"))
        if entry.get("verdicts_run"):
            console.print(Text(f"verdicts of run {entry['verdicts_run']}, kept: nothing of this creator changed since "
                               f"it judged them", style="dim"))
        # What decided first: the excluding gate, other failures, errors, warnings, then the rest.
        first = {"fail": 1, "error": 2, "warn": 3, "pass": 4, "unknown": 5}
        for v in sorted(verdicts, key=lambda v: (v["rule"] != entry["excluded_by"], first.get(v["outcome"], 6),
                                                 v["rule"])):
            console.print()
            # A fail or a warning is read closely: its evidence gets more lines (a pod warning's
            # regulars come after the comment counts).
            limit = 12 if v["outcome"] in ("fail", "warn") else 8
            for part in verdict_block(v, evidence_limit=limit, names=names):
                console.print(part)
        console.print()
    if len(unjudged) == len(profiles):
        raise UsageProblem(unjudged[0] if len(unjudged) == 1 else "; ".join(unjudged))
    for line in unjudged:  # the handle's other profiles were judged and shown: this one is said
        click.echo(f"note: {line}", err=True)
    if as_json:
        # A list whether the handle names one profile or several (one per platform): a
        # script reads the same shape either way.
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
