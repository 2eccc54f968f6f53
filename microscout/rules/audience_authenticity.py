"""Rule audience_authenticity: how much of the audience is real, estimated from a follower sample.

Each sampled follower is classified by microscout.heuristics.accounts (real, dormant,
suspicious, mass follower, bot) with its reasons. What a brand pays for is the share of
the audience that is fake, so the observed share of suspicious followers is corrected for
the classifier's measured sensitivity and specificity (Rogan-Gladen, shared/DOMAIN.md),
with a 95% interval that includes both the sample's and the measurement's uncertainty.
Followers the platform flags as automated count as not real as they are. The verdict is
decided on the estimated real share.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable, Literal, NamedTuple, Sequence

from pydantic import BaseModel, ConfigDict, Field, model_validator

from microscout import Need, Rule, Verdict, hookimpl, jsontext
from microscout.heuristics.accounts import (
    CLASSES,
    AccountFeatures,
    AccountThresholds,
    classify_account,
    fake_share,
    follower_labeler,
)

# Platforms whose API lists nobody's followers: no sample can ever be fetched there, and
# "not fetched" would read as if another crawl could (docs/crawl-youtube.md, crawl-instagram.md).
NO_FOLLOWER_LIST = {"youtube": "YouTube lists no channel's subscribers, so the audience cannot be sampled",
                    "instagram": "Instagram's Graph API lists no account's followers, so the audience cannot "
                                 "be sampled"}


class Options(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fail_below_real: float = Field(0.75, ge=0, le=1, description="Default 0.75: fail when fewer followers than this "
                                   "share look real (Modash: credibility < 75% real is often a sign of fraud).")
    pass_from_real: float = Field(0.80, ge=0, le=1, description="Default 0.8: pass when at least this share looks real "
                                  "(GRIN: > 80% genuine is good); between the two is a warning.")
    very_good_real: float = Field(0.90, ge=0, le=1, description="Default 0.9: at least this share real is called "
                                  "very good in the reason (GRIN: > 90% genuine is very good).")
    fail_when: Literal["sure", "estimate"] = Field(
        "sure", description="Default sure: fail only when the whole 95% interval of the real share lies below "
        "fail_below_real (the sample and the check's measured error cannot put it at or above); an estimate "
        "below with an interval reaching above is a warning, as excluding a creator is an accusation. "
        "estimate: fail on the estimate alone.")
    min_sample: int = Field(30, ge=1, description="Default 30: fewer sampled followers than this gives 'unknown' "
                            "(a Wilson interval at n=30 is still about +/-15 points wide).")
    examples: int = Field(5, ge=0, description="Default 5: how many flagged followers to list in the evidence.")
    accounts: AccountThresholds = Field(default_factory=AccountThresholds,
                                        description="Default: the table below. Thresholds of the "
                                        "per-follower classifier and its measured error rates (docs/HEURISTICS.md: "
                                        "fitted on InstaFake, Kaggle and cresci-2015, measured leaving one set out).")

    @model_validator(mode="after")
    def _ordered(self) -> "Options":
        if not self.fail_below_real <= self.pass_from_real <= self.very_good_real:
            raise ValueError(f"need fail_below_real ({self.fail_below_real}) <= pass_from_real "
                             f"({self.pass_from_real}) <= very_good_real ({self.very_good_real})")
        return self


def evaluate(candidate, options: Options, context) -> Verdict:
    return judge_sample(candidate.followers, candidate.profile.collections_hidden, candidate.fetched, options,
                        AccountFeatures.from_follower, candidate.profile.platform)


class _FollowerRow(NamedTuple):
    """A follower_samples row with the values a Follower would hold (dates unparsed)."""
    platform_id: str
    handle: str
    display_name: str
    bio: str
    has_avatar: bool
    followers: int | None
    following: int | None
    posts_count: int | None
    created_at: Any  # the stored text here; _features passes datetimes on
    last_post_at: Any
    bot: bool | None


def _features(row: _FollowerRow) -> AccountFeatures:
    from microscout.store.queries import parse_timestamp  # only here: `microscout rules` loads this module

    return AccountFeatures.from_follower(row._replace(created_at=parse_timestamp(row.created_at),
                                                      last_post_at=parse_timestamp(row.last_post_at)))


_ROW = ("s.platform_id, s.handle, s.display_name, s.bio, s.has_avatar, s.followers, s.following, s.posts_count, "
        "s.created_at, s.last_post_at, s.bot")


def _row(values: tuple) -> _FollowerRow:
    platform_id, handle, name, bio, avatar, followers, following, posts, created, last, bot = values
    return _FollowerRow(platform_id, handle or "", name or "", bio or "", bool(avatar) if avatar is not None else True,
                        followers, following, posts, created, last, None if bot is None else bool(bot))


def evaluate_batch(batch, options: Options, context) -> dict[int, Verdict]:
    """evaluate's verdicts for a whole batch: the classes stored with the followers
    (follower_features) counted in SQL, and only the flagged examples read as rows. A
    candidate with a follower whose class is not stored is tallied from its rows."""
    from microscout.heuristics.follower_features import UNDESCRIBED, settings_version

    marks, ids = batch.in_ids()
    version = settings_version(options.accounts)
    conn = batch.conn
    totals = dict(conn.execute(f"SELECT profile_id, count(*) FROM follower_samples WHERE profile_id IN ({marks}) "
                               "GROUP BY profile_id", ids).fetchall())
    # Counted per class in one pass along the primary key (profile first): no sort by class.
    counted = ", ".join(f"sum(label = '{c}')" for c in (*CLASSES, UNDESCRIBED))
    stored = {pid: counts for pid, *counts in conn.execute(
        f"SELECT profile_id, count(*), {counted} FROM follower_features WHERE version = ? "
        f"AND profile_id IN ({marks}) GROUP BY profile_id", [version, *ids])}
    tallies: dict[int, _Tally] = {}
    unstored: list[int] = []
    for pid, total in totals.items():
        found = stored.get(pid)
        if found is None or found[0] != total:
            unstored.append(pid)
            continue
        tallies[pid] = _Tally(total, total - found[-1], dict(zip(CLASSES, found[1:-1])), [])
    flagged = [pid for pid, t in tallies.items() if t.described - t.counts["real"] - t.counts["dormant"]]
    if options.examples and flagged:
        t = options.accounts
        # Each flagged candidate's first few flagged followers (by platform id): a LIMIT on
        # its range of the primary key, not a window over every flagged follower of the batch.
        # Their class and reasons are stored, so only the handle is read beside them; a row
        # stored without its reasons is read whole, and classified for them.
        for pid, label, detail, platform_id, handle in conn.execute(
                "SELECT f.profile_id, f.label, f.detail, s.platform_id, s.handle FROM json_each(?) c "
                "JOIN follower_features f ON f.profile_id = c.value AND f.version = ? AND f.platform_id IN "
                "(SELECT e.platform_id FROM follower_features e WHERE e.profile_id = c.value AND e.version = ? "
                "AND e.label NOT IN ('real', 'dormant', ?) ORDER BY e.platform_id LIMIT ?) "
                "JOIN follower_samples s ON s.profile_id = f.profile_id AND s.platform_id = f.platform_id "
                "ORDER BY f.profile_id, f.platform_id",
                [json.dumps(flagged), version, version, UNDESCRIBED, options.examples]):
            if detail is None:
                values = conn.execute(f"SELECT {_ROW} FROM follower_samples s WHERE s.profile_id = ? "
                                      "AND s.platform_id = ?", [pid, platform_id]).fetchone()
                verdict = classify_account(_features(_row(values)), t)
                label, reasons = verdict.label, verdict.reasons
            else:
                reasons = jsontext.loads(detail)
            tallies[pid].flagged.append({"handle": handle or "", "class": label, "reasons": reasons})
    if unstored:
        rows: dict[int, list[_FollowerRow]] = {i: [] for i in unstored}
        for pid, *values in conn.execute(
                f"SELECT s.profile_id, {_ROW} FROM follower_samples s WHERE s.profile_id IN "
                f"({', '.join('?' * len(unstored))}) ORDER BY s.profile_id, s.platform_id", unstored):
            rows[pid].append(_row(tuple(values)))
        for pid in unstored:
            tallies[pid] = tally(rows[pid], options, _features)
    empty = _Tally(0, 0, {}, [])
    return {i: judge_tally(tallies.get(i, empty), batch.profiles[i].collections_hidden, batch.fetched[i], options,
                           batch.profiles[i].platform)
            for i in ids}


@dataclass
class _Tally:
    total: int  # followers sampled
    described: int  # of them, those with counts or a bot flag: the ones judged
    counts: dict[str, int]  # described followers per class (CLASSES order)
    flagged: list[dict[str, Any]]  # the first few neither real nor dormant, with reasons


def tally(followers: Sequence[Any], options: Options, features_of: Callable[[Any], AccountFeatures]) -> _Tally:
    """Classes and flagged examples of one follower sample (Follower objects or rows alike)."""
    described = [f for f in followers if f.bot or f.followers is not None or f.following is not None]
    t = options.accounts
    counts: dict[str, int] = {c: 0 for c in CLASSES}
    flagged: list[dict[str, Any]] = []
    # Labels for every follower; the reason sentences only for the examples shown.
    label_of = follower_labeler(t)
    for follower in described:
        label = label_of(follower)
        counts[label] += 1
        if label not in ("real", "dormant") and len(flagged) < options.examples:
            verdict = classify_account(features_of(follower), t)
            flagged.append({"handle": follower.handle, "class": verdict.label, "reasons": verdict.reasons})
    return _Tally(len(followers), len(described), counts, flagged)


def judge_sample(followers: Sequence[Any], collections_hidden: bool, fetched: frozenset[str], options: Options,
                 features_of: Callable[[Any], AccountFeatures], platform: str | None = None) -> Verdict:
    """The verdict on one candidate's follower sample (Follower objects or rows alike)."""
    return judge_tally(tally(followers, options, features_of), collections_hidden, fetched, options, platform)


def judge_tally(sample: _Tally, collections_hidden: bool, fetched: frozenset[str], options: Options,
                platform: str | None = None) -> Verdict:
    """The verdict on one candidate's tallied follower sample (``platform``: the candidate's)."""
    if not sample.total:
        if collections_hidden:
            return Verdict.unknown("the account hides its followers, so the audience cannot be sampled",
                                   sample=0, reason_code="collections_hidden")
        if "followers" not in fetched and platform in NO_FOLLOWER_LIST:
            return Verdict.not_on_platform(NO_FOLLOWER_LIST[platform], sample=0, reason_code="no_follower_list")
        if "followers" not in fetched:
            return Verdict.unknown("no follower sample was fetched for this account",
                                   sample=0, reason_code="not_fetched")
        return Verdict.unknown("the follower sample is empty", sample=0, reason_code="empty_sample")
    if not sample.described:
        return Verdict.not_on_platform(f"the {sample.total} sampled followers come without their counts (the "
                                       "platform gives their names only), so they cannot be judged",
                                       sample=0, undescribed=sample.total, reason_code="no_counts")
    t = options.accounts
    counts, flagged = sample.counts, sample.flagged
    n = sample.described
    bots = counts["bot"]
    judged = n - bots  # the platform's bot flag is taken as it is; the rest is estimated
    fake = fake_share(counts["suspicious"], judged, t)
    # Share of the whole sample that is fake or automated, and its interval.
    share_of = lambda x: (bots + x * judged) / n  # noqa: E731
    not_real, low_nr, high_nr = share_of(fake.estimate), share_of(fake.low), share_of(fake.high)
    real = 1 - not_real
    evidence = {"sample": n, "counts": counts,
                "observed_suspicious_share": round(fake.observed, 4),
                "estimated_fake_share": round(fake.estimate, 4),
                "estimated_fake_share_ci95": [round(fake.low, 4), round(fake.high, 4)],
                "bot_share": round(bots / n, 4),
                "real_share": round(real, 4), "real_share_ci95": [round(1 - high_nr, 4), round(1 - low_nr, 4)],
                "classifier": {"sensitivity": t.sensitivity, "specificity": t.specificity},
                "examples": flagged}
    if n < options.min_sample:
        return Verdict.unknown(f"only {n} followers sampled (at least {options.min_sample} needed); "
                               f"{counts['suspicious']} look fake", **evidence)
    parts = [f"{counts[c]} {name if counts[c] != 1 or c != 'mass_follower' else 'mass follower'}"
             for c, name in (("suspicious", "suspicious"), ("bot", "automated"),
                             ("mass_follower", "mass followers"), ("dormant", "dormant"))
             if counts[c]]
    limits = (options.fail_below_real, options.pass_from_real, options.very_good_real)
    said = (f"about {_share(real, limits)} of the audience is real (95% CI {1 - high_nr:.0%}–{1 - low_nr:.0%}): "
            f"{counts['suspicious']} of {judged} sampled followers look fake ({fake.observed:.0%}), corrected for "
            f"the check's measured error to {fake.estimate:.0%} fake"
            + (f", plus {bots} flagged automated" if bots else "")
            + (f" ({', '.join(parts)})" if parts else ""))
    upper = 1 - low_nr
    if real < options.fail_below_real and (options.fail_when == "estimate" or upper < options.fail_below_real):
        return Verdict(outcome="fail", score=round(real, 4), evidence=evidence,
                       reason=f"{said}: below {options.fail_below_real:.0%}, often a sign of bought followers")
    if real < options.fail_below_real:
        return Verdict(outcome="warn", score=round(real, 4), evidence=evidence,
                       reason=f"{said}: below {options.fail_below_real:.0%} by the estimate, but the interval "
                              f"reaches {upper:.0%}: a larger sample or a look at the examples decides")
    if real < options.pass_from_real:
        return Verdict(outcome="warn", score=round(real, 4), evidence=evidence,
                       reason=f"{said}: below the {options.pass_from_real:.0%} a good audience reaches")
    quality = "very good" if real >= options.very_good_real else "good"
    return Verdict(outcome="pass", score=round(real, 4), evidence=evidence, reason=f"{said}: {quality}")


def _share(x: float, limits: tuple[float, ...]) -> str:
    """``x`` as a percentage, with a decimal where a whole number would round onto a limit it is
    below ("79.6%", not "80%", below the 80% a good audience reaches)."""
    whole = f"{x:.0%}"
    if any(x < limit and round(x * 100) >= round(limit * 100) for limit in limits):
        return f"{x:.1%}"
    return whole


@hookimpl(trylast=True)
def register_rules(register):
    register(Rule(name="audience_authenticity",
                  summary="Estimated real share of the audience from a follower sample, "
                          "corrected for the check's error, with a 95% interval",
                  options=Options, needs=frozenset({Need.FOLLOWERS}), evaluate=evaluate,
                  evaluate_batch=evaluate_batch))
