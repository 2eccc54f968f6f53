"""Automated accounts: the platform's own flag says the account is run by a program.

Mastodon's account ``bot`` field and Bluesky's ``bot`` self-label are set by the account's
owner (or its instance) and shown by the apps as "Automated". An automated account is no
creator to brief (shared/DOMAIN.md), so this rule is a gate in every campaign: a fail
excludes the candidate. Switch the rule off (``enabled = false``) to keep such accounts.
"""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from microscout import Need, Rule, Verdict, hookimpl

FLAG = {"mastodon": "the account's \"bot\" flag", "bluesky": "the \"bot\" label on its profile"}


class Options(BaseModel):
    """No options: the flag is the platform's; switch the rule off to keep automated accounts."""

    model_config = ConfigDict(extra="forbid")


def evaluate(candidate, options: Options, context) -> Verdict:
    profile = candidate.profile
    flag = FLAG.get(profile.platform, "the platform's automated-account flag")
    if profile.bot:
        return Verdict(outcome="fail", score=0.0, evidence={"bot": True, "flag": flag},
                       reason=f"automated account: {profile.platform} marks it with {flag}")
    if profile.platform not in FLAG:
        # YouTube, Instagram, TikTok (and imported data) have no automated-account flag: no
        # flag is no evidence either way
        return Verdict.not_on_platform(f"{profile.platform} does not mark automated accounts", bot=None,
                                       reason_code="no_flag")
    return Verdict(outcome="pass", score=1.0, evidence={"bot": False, "flag": flag},
                   reason=f"not marked as automated ({flag} is not set)")


@hookimpl(trylast=True)
def register_rules(register):
    register(Rule(name="automated", summary="The platform does not flag the account as automated (a bot)",
                  options=Options, needs=frozenset({Need.PROFILE}), prefilter=True, gate=True, evaluate=evaluate))
