"""Rule audience_authenticity: the share of suspicious and mass followers in a follower sample.

Each sampled follower is classified by microscout.heuristics.accounts; the verdict is
decided on the point estimate of the real share and reports its 95% Wilson interval,
so a marketer sees how much a small sample can be trusted.
"""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from microscout import Need, Rule, Verdict, hookimpl
from microscout.heuristics.accounts import AccountFeatures, AccountThresholds, classify_account, follower_labeler
from microscout.heuristics.measure import wilson_interval


class Options(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fail_below_real: float = Field(0.75, ge=0, le=1, description="Fail when fewer followers than this share "
                                   "look real (Modash: credibility < 75% real is often a sign of fraud).")
    pass_from_real: float = Field(0.80, ge=0, le=1, description="Pass when at least this share looks real "
                                  "(GRIN: > 80% genuine is good); between the two is a warning.")
    very_good_real: float = Field(0.90, ge=0, le=1, description="At least this share real is called very good "
                                  "in the reason (GRIN: > 90% genuine is very good).")
    min_sample: int = Field(30, ge=1, description="Fewer sampled followers than this gives 'unknown' (a Wilson "
                            "interval at n=30 is still about +/-15 points wide).")
    examples: int = Field(5, ge=0, description="How many flagged followers to list in the evidence.")
    accounts: AccountThresholds = Field(default_factory=AccountThresholds, description="Thresholds of the "
                                        "per-follower classifier (docs/HEURISTICS.md: calibrated on InstaFake "
                                        "and Kaggle halves).")

    @model_validator(mode="after")
    def _ordered(self) -> "Options":
        if not self.fail_below_real <= self.pass_from_real <= self.very_good_real:
            raise ValueError(f"need fail_below_real ({self.fail_below_real}) <= pass_from_real "
                             f"({self.pass_from_real}) <= very_good_real ({self.very_good_real})")
        return self


def evaluate(candidate, options: Options, context) -> Verdict:
    followers = candidate.followers
    if not followers:
        if candidate.profile.collections_hidden:
            return Verdict.unknown("the account hides its followers, so the audience cannot be sampled",
                                   sample=0, reason_code="collections_hidden")
        if "followers" not in candidate.fetched:
            return Verdict.unknown("no follower sample was fetched for this account",
                                   sample=0, reason_code="not_fetched")
        return Verdict.unknown("the follower sample is empty", sample=0, reason_code="empty_sample")
    now = getattr(context, "now", None)
    counts = {"real": 0, "suspicious": 0, "mass_follower": 0}
    flagged = []
    # Labels only for every follower; the reason sentences only for the examples shown.
    label_of = follower_labeler(options.accounts, now)
    for follower in followers:
        label = label_of(follower)
        counts[label] += 1
        if label != "real" and len(flagged) < options.examples:
            verdict = classify_account(AccountFeatures.from_follower(follower), options.accounts, now)
            flagged.append({"handle": follower.handle, "class": verdict.label, "reasons": verdict.reasons})
    n = len(followers)
    real = counts["real"]
    low, high = wilson_interval(real, n)
    evidence = {"sample": n, "counts": counts, "real_share": round(real / n, 4),
                "suspicious_share": round((n - real) / n, 4),
                "real_share_ci95": [round(low, 4), round(high, 4)], "examples": flagged}
    if n < options.min_sample:
        return Verdict.unknown(f"only {n} followers sampled (at least {options.min_sample} needed); "
                               f"{real} of them look real", **evidence)
    share = real / n
    said = (f"{share:.0%} of {n} sampled followers look real (95% CI {low:.0%}–{high:.0%}); "
            f"{counts['suspicious']} suspicious, {counts['mass_follower']} mass followers")
    if share < options.fail_below_real:
        return Verdict(outcome="fail", score=round(share, 4), evidence=evidence,
                       reason=f"{said}: below {options.fail_below_real:.0%}, often a sign of bought followers")
    if share < options.pass_from_real:
        return Verdict(outcome="warn", score=round(share, 4), evidence=evidence,
                       reason=f"{said}: below the {options.pass_from_real:.0%} a good audience reaches")
    quality = "very good" if share >= options.very_good_real else "good"
    return Verdict(outcome="pass", score=round(share, 4), evidence=evidence, reason=f"{said}: {quality}")


@hookimpl(trylast=True)
def register_rules(register):
    register(Rule(name="audience_authenticity",
                  summary="Share of a follower sample that looks real, with a 95% confidence interval",
                  options=Options, needs=frozenset({Need.FOLLOWERS}), evaluate=evaluate))
