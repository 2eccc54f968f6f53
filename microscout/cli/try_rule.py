"""`microscout try RULE HANDLE`: one rule on one stored creator, without a shortlist run."""
from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from microscout.cli.common import Env, UsageProblem, with_env
from microscout.words import did_you_mean

if TYPE_CHECKING:
    from pydantic import BaseModel

    from microscout.engine.rules import Rule, RuleContext, Verdict
    from microscout.models import Candidate


@click.command("try", short_help="Run one rule on one stored creator.")
@click.argument("rule")
@click.argument("handle")
@click.option("--campaign", default=None, help="Judge with this campaign's settings (default: the rule's options in "
                                                "the config, with a campaign of every tier).")
@click.option("--platform", default=None, help="Try the profile on this platform only, when the handle names one on "
                                                "several.")
@click.option("--json", "as_json", is_flag=True,
              help="Print a JSON list of verdicts (one per matching profile, as explain --json).")
@with_env
def command(env: Env, rule: str, handle: str, campaign: str | None, platform: str | None, as_json: bool) -> None:
    """Run RULE on the stored creator HANDLE and print its verdict and evidence.

    HANDLE is a handle, a platform id or a profile URL, as `explain` takes it.
    Nothing is saved: use it while writing a rule, then `microscout shortlist` as usual.
    """
    from microscout.cli.handles import stored_profiles
    from microscout.config import TIER_NAMES, Campaign
    from microscout.engine.evaluate import Evaluator, run_rule, stored_evidence
    from microscout.store.queries import load_candidates

    rules = env.rules
    if rule not in rules:
        raise UsageProblem(f"no rule named {rule!r}; {did_you_mean(rule, rules)}rules are: {', '.join(sorted(rules))}")
    db = env.db(readonly=True)
    profiles = stored_profiles(db, handle)
    config = env.config
    if platform is not None:
        found = sorted({p["platform"] for p in profiles})
        profiles = [p for p in profiles if p["platform"] == platform]
        if not profiles:
            raise UsageProblem(f"{handle!r} is stored on {', '.join(found)}, not on {platform}; pass --platform "
                               f"{found[0]} or leave --platform out")
    given = campaign
    if campaign is None:
        campaign = "(try)"
        config = config.model_copy(update={"campaigns": {**config.campaigns,
                                                         campaign: Campaign(target_tier=list(TIER_NAMES))}})
    else:
        spec = config.campaign(campaign)  # a clear error for an unknown campaign
        judged = [p for p in profiles if not spec.platforms or p["platform"] in spec.platforms]
        if not judged:
            raise UsageProblem(f"{handle!r} is stored on {', '.join(sorted({p['platform'] for p in profiles}))}, "
                               f"which campaign {campaign!r} does not judge (platforms: {', '.join(spec.platforms)})")
        profiles = judged
    evaluator = Evaluator(config, {rule: rules[rule]}, campaign)
    out = []
    for candidate in load_candidates(db, profiles):
        context, active = evaluator.setup(candidate.profile.platform)
        if not active:
            on = candidate.profile.platform
            # without --campaign, no campaign was asked for: name the tables that switch it off
            where = (f"in campaign {given!r}" if given else
                     f"(enabled = false in [rules.{rule}] or [platforms.{on}.rules.{rule}])")
            raise UsageProblem(f"rule {rule!r} is switched off for {on} {where}"
                               + (" (enabled = false)" if given else ""))
        tried = run_rule(active[0][0], candidate, active[0][1], context)
        if rules[rule].evaluate_batch is not None:
            tried = _as_the_shortlist_judges(db, rules[rule], candidate, active[0][1], context, tried)
        verdict, evidence = stored_evidence(active[0][0], tried)
        # The evidence as a shortlist stores it (str() of what JSON cannot hold, a datetime, an
        # object), as explain shows it: pydantic's own JSON refuses such evidence with a traceback.
        out.append({"handle": candidate.handle, "platform": candidate.profile.platform, "rule": rule,
                    "outcome": verdict.outcome, "score": verdict.score, "reason": verdict.reason,
                    "evidence": json.loads(evidence), "_profile_id": candidate.profile.id})
    ids = [v.pop("_profile_id") for v in out]
    if as_json:
        # a list whether the handle names one profile or several: a script reads one shape
        click.echo(json.dumps(out, ensure_ascii=False, indent=1))
        return
    _show_in_words(db, out, ids)


def _show_in_words(db: Any, tried: list[dict], profile_ids: list[int]) -> None:
    """Each verdict as `explain` shows it, every key of its evidence in words (posts by their
    address, commenters by handle; long lists as examples, ids left out); --json gives the
    evidence whole, as the rule recorded it."""
    from rich.text import Text

    from microscout.cli.common import terminal_safe
    from microscout.cli.explain import verdict_block
    from microscout.cli.shortlist import make_console
    from microscout.engine.readable import readable

    console = make_console()
    for v, profile_id in zip(tried, profile_ids):
        console.print(Text(terminal_safe(f"{v['handle']} ({v['platform']})"), style="bold"))
        names = readable(db.conn, profile_id, [v["evidence"]])
        for part in verdict_block(v, evidence_limit=10_000, names=names):
            console.print(part)
        console.print()
    console.print(Text("(--json shows the evidence whole, as the rule recorded it)", style="dim"))


def _as_the_shortlist_judges(db: Any, rule: Rule, candidate: Candidate, options: BaseModel, context: RuleContext,
                             simple: Verdict) -> Verdict:
    """The verdict a shortlist stores for a rule with a batch form: its batch form's, on a
    batch of this one candidate, unless that fails (then the simple form's, ``simple``).
    What is wrong with the batch form, or its disagreeing with the simple form, is said in
    one warning line naming the rule and its plugin, as the shortlist notes it after a run; a
    post date Python cannot read is the data's doing, and said so, as the shortlist says it."""
    from types import MappingProxyType

    from microscout.engine.evaluate import batch_verdicts, read_only
    from microscout.engine.rules import Batch

    profile = candidate.profile
    with read_only(db.conn):
        batch = Batch(db.conn, MappingProxyType({profile.id: profile}),
                      MappingProxyType({profile.id: candidate.fetched}))
        verdicts, gave_way = batch_verdicts(rule, batch, options, context)
    who = f"rule {rule.name} ({rule.plugin})"
    if verdicts is None:
        if gave_way is not None and gave_way.unreadable_date:
            click.echo(f"note: a post date Python cannot read ({gave_way.unreadable_date}) makes rule {rule.name} "
                       f"judge with evaluate, not its batch form (shown, as the shortlist stores it); a rule that "
                       f"compares post dates gives its creator an error", err=True)
            return simple
        problem = gave_way.problem if gave_way else "failed"
        click.echo(f"warning: {who}: its batch form {problem}, so the shortlist judges its batch with evaluate "
                   f"instead (shown)", err=True)
        return simple
    batched = verdicts[profile.id]
    if batched != simple:
        click.echo(f"warning: {who}: its batch form and evaluate disagree on {candidate.handle} ({profile.platform}): "
                   f"batch form {batched.outcome}: {batched.reason}; evaluate {simple.outcome}: {simple.reason}; "
                   f"the shortlist stores the batch form's", err=True)
    return batched
