"""Is an account real? An explainable scorecard of fake-account evidence, with the reasons.

An account is one follower of a candidate or one row of a follower export. Each feature
adds ``weight * (value - centre)`` to a score on the log-odds scale (a logistic
regression): followers, following/followers, posts (all as log1p), avatar, bio, private
and the digit share of the username. The weights and centres were fitted by
``benchmarks/calibrate_accounts.py`` on the calibration halves of the InstaFake and
Kaggle sets only (``split_half(row) == "calibration"``); the cut-off ``threshold`` was
chosen there by 5-fold cross-validation. A missing field (None) is unknown and adds 0,
as if the account were average on it. Two DOMAIN.md signals the labeled sets lack
(freshly created, inactive) add small fixed, uncalibrated amounts.

A score at or above ``threshold`` is "suspicious". An account that is not suspicious but
follows more than ``mass_following`` accounts is a "mass_follower" (DOMAIN.md: follows >
1,500). Everything else is "real". The reasons are the features that pushed the account
towards fake, as sentences with their numbers and points, largest first.
docs/HEURISTICS.md has the procedure, the figures and the commands that reproduce them.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

AccountClass = Literal["real", "suspicious", "mass_follower"]
CLASSES: tuple[AccountClass, ...] = ("real", "suspicious", "mass_follower")

# The fitted features, in the order benchmarks/calibrate_accounts.py fits them.
FEATURES: tuple[str, ...] = ("followers", "ratio", "posts", "no_avatar", "no_bio", "private", "digits")

_FITTED = "Fitted by benchmarks/calibrate_accounts.py on the calibration halves of InstaFake and Kaggle"


def _w(default: float, what: str) -> Any:
    return Field(default, description=f"Points (log-odds) per unit of {what}. {_FITTED} "
                 f"(L2-regularised logistic regression).")


def _c(default: float, what: str) -> Any:
    return Field(default, description=f"Centre of {what}: the mean on the calibration halves; an account "
                 f"at the centre gets 0 points for it. {_FITTED}.")


class AccountScorecard(BaseModel):
    """The scorecard's weights, centres and cut-off; docs/HEURISTICS.md says how each was fitted."""

    model_config = ConfigDict(extra="forbid")

    intercept: float = Field(-3.6562, description="Score of an account at every centre: the log-odds of fake "
                             f"at InstaFake's base rate (17%). {_FITTED} (InstaFake's own intercept).")
    followers_weight: float = _w(-0.5033, "log1p(followers)")
    followers_centre: float = _c(5.3413, "log1p(followers)")
    ratio_weight: float = _w(1.0835, "log1p(following) - log1p(followers)")
    ratio_centre: float = _c(0.4734, "log1p(following) - log1p(followers)")
    posts_weight: float = _w(-0.6415, "log1p(posts)")
    posts_centre: float = _c(2.7666, "log1p(posts)")
    no_avatar_weight: float = _w(2.2719, "'no profile picture' (1 = none, 0 = has one)")
    no_avatar_centre: float = _c(0.1479, "'no profile picture'")
    no_bio_weight: float = _w(0.8301, "'empty bio' (1 = bio length 0)")
    no_bio_centre: float = _c(0.4805, "'empty bio'")
    private_weight: float = _w(-1.3447, "'private account' (1 = private)")
    private_centre: float = _c(0.5662, "'private account'")
    digits_weight: float = _w(5.7992, "the username's digit share (0-1)")
    digits_centre: float = _c(0.078, "the username's digit share")
    threshold: float = Field(0.35, description="A score at or above this is 'suspicious'. Chosen by 5-fold "
                             "cross-validation on InstaFake's calibration half (benchmarks/calibrate_accounts.py): "
                             "the lowest cut-off whose out-of-fold precision is >= 0.92 at it and at every higher "
                             "cut-off that still flags 20 accounts.")
    mass_following: int = Field(1500, ge=0, description="Following more than this many accounts makes a "
                                "mass follower when not suspicious (DOMAIN.md, HypeAuditor/Modash: follows > 1,500).")
    fresh_days: int = Field(30, ge=0, description="Created fewer than this many days ago is 'freshly created' "
                            "(DOMAIN.md; not in the labeled sets).")
    fresh_points: float = Field(0.5, ge=0, description="Points for a freshly created account. UNCALIBRATED: the "
                                "labeled sets lack account age, so a small fixed amount that never decides alone.")
    inactive_days: int = Field(30, ge=0, description="No post for this many days is 'inactive' (DOMAIN.md: "
                               "no posts in 30 days; not in the labeled sets).")
    inactive_points: float = Field(0.5, ge=0, description="Points for inactivity. UNCALIBRATED: the labeled sets "
                                   "lack the last post date, so a small fixed amount that never decides alone.")


# The name the rules and the CLI have always used.
AccountThresholds = AccountScorecard


@dataclass(slots=True)
class AccountFeatures:
    """What the crawlers know about an account; None means unknown, never zero."""

    handle: str = ""
    followers: int | None = None
    following: int | None = None
    posts_count: int | None = None
    has_avatar: bool | None = None
    bio_length: int | None = None
    username_digits: int | None = None
    username_length: int | None = None
    username_digit_share: float | None = None  # for exports that give only the ratio (Kaggle)
    display_name: str | None = None
    created_at: datetime | None = None
    last_post_at: datetime | None = None
    private: bool | None = None

    def __post_init__(self) -> None:
        # The handle is the username when the export did not count digits itself.
        if self.handle and self.username_digits is None:
            self.username_digits = sum(map(str.isdigit, self.handle))
        if self.handle and self.username_length is None:
            self.username_length = len(self.handle)

    def digit_share(self) -> float | None:
        if self.username_digit_share is not None:
            return self.username_digit_share
        if self.username_digits is None or not self.username_length:
            return None
        return self.username_digits / self.username_length

    @classmethod
    def from_follower(cls, follower: Any) -> "AccountFeatures":
        """From an engine ``Follower``; an empty bio there is known to be empty."""
        return cls(handle=_local_part(follower.handle), followers=follower.followers,
                   following=follower.following, posts_count=follower.posts_count,
                   has_avatar=follower.has_avatar, bio_length=len(follower.bio or ""),
                   display_name=follower.display_name, created_at=follower.created_at,
                   last_post_at=follower.last_post_at)


def _local_part(handle: str) -> str:
    # "@name@instance.social" -> "name": the instance's digits say nothing about the user.
    return handle.lstrip("@").split("@")[0]

def feature_values(acc: AccountFeatures) -> dict[str, float | None]:
    """The fitted features of one account (None = unknown); the fit and the classifier share this."""
    def log(x: int | None) -> float | None:
        return None if x is None else math.log1p(max(x, 0))

    ratio = None
    if acc.following is not None and acc.followers is not None:
        ratio = log(acc.following) - log(acc.followers)
    return {
        "followers": log(acc.followers),
        "ratio": ratio,
        "posts": log(acc.posts_count),
        "no_avatar": None if acc.has_avatar is None else float(not acc.has_avatar),
        "no_bio": None if acc.bio_length is None else float(acc.bio_length == 0),
        "private": None if acc.private is None else float(acc.private),
        "digits": acc.digit_share(),
    }


def _times(following: int, followers: int) -> str:
    r = following / max(followers, 1)
    return f"{r:,.0f}x" if r >= 10 else f"{r:.1f}x"


def _sentence(name: str, acc: AccountFeatures) -> str:
    if name == "followers":
        return f"{acc.followers:,} follower{'' if acc.followers == 1 else 's'}"
    if name == "ratio":
        return (f"follows {acc.following:,} but has {acc.followers:,} follower"
                f"{'' if acc.followers == 1 else 's'} ({_times(acc.following, acc.followers)})")
    if name == "posts":
        return f"{acc.posts_count:,} post{'' if acc.posts_count == 1 else 's'}"
    if name == "no_avatar":
        return "no profile picture" if not acc.has_avatar else "has a profile picture"
    if name == "no_bio":
        return "empty bio" if acc.bio_length == 0 else f"bio of {acc.bio_length:,} characters"
    if name == "private":
        return "private account" if acc.private else "public account"
    if name == "digits":
        return f"username is {acc.digit_share():.0%} digits"
    raise AssertionError(name)


def contributions(acc: AccountFeatures, t: AccountScorecard | None = None,
                  now: datetime | None = None) -> list[tuple[float, str]]:
    """(points, sentence) of every known feature, fitted and uncalibrated; unknown ones are left out."""
    t = t or AccountScorecard()
    out: list[tuple[float, str]] = []
    for name, value in feature_values(acc).items():
        if value is None:
            continue
        weight, centre = getattr(t, f"{name}_weight"), getattr(t, f"{name}_centre")
        out.append((weight * (value - centre), _sentence(name, acc)))
    if now is not None and acc.created_at is not None and now - acc.created_at < timedelta(days=t.fresh_days):
        out.append((t.fresh_points, f"created {(now - acc.created_at).days} days ago "
                    f"(under {t.fresh_days}; uncalibrated)"))
    if now is not None and acc.last_post_at is not None \
            and now - acc.last_post_at >= timedelta(days=t.inactive_days):
        out.append((t.inactive_points, f"no post for {(now - acc.last_post_at).days} days "
                    f"({t.inactive_days} or more; uncalibrated)"))
    return out


def account_score(acc: AccountFeatures, t: AccountScorecard | None = None, now: datetime | None = None) -> float:
    """The log-odds score: intercept plus every contribution."""
    t = t or AccountScorecard()
    return t.intercept + sum(p for p, _ in contributions(acc, t, now))


def account_labeler(t: AccountScorecard | None = None, now: datetime | None = None):
    """A function giving the label ``classify_account(acc, t, now).label`` would give, faster.

    It adds up the same points in the same order (so the score is the same float) but
    writes no reason sentences: shortlisting classifies every sampled follower and needs
    the reasons only for the few it shows. ``t`` must not change while the labeler is used.
    """
    judge = _judge(t or AccountScorecard(), now)

    def label(acc: AccountFeatures) -> AccountClass:
        return judge(acc.followers, acc.following, acc.posts_count, acc.has_avatar, acc.bio_length, acc.private,
                     acc.digit_share(), acc.created_at, acc.last_post_at)

    return label


def follower_labeler(t: AccountScorecard | None = None, now: datetime | None = None):
    """``account_labeler`` for engine ``Follower``s: the label of ``AccountFeatures.from_follower(f)``."""
    judge = _judge(t or AccountScorecard(), now)

    def label(follower: Any) -> AccountClass:
        handle = _local_part(follower.handle)
        digits = sum(map(str.isdigit, handle)) / len(handle) if handle else None
        return judge(follower.followers, follower.following, follower.posts_count, follower.has_avatar,
                     len(follower.bio or ""), None, digits, follower.created_at, follower.last_post_at)

    return label


def _judge(t: AccountScorecard, now: datetime | None):
    log1p = math.log1p
    fw, fc = t.followers_weight, t.followers_centre
    rw, rc = t.ratio_weight, t.ratio_centre
    pw, pc = t.posts_weight, t.posts_centre
    aw, ac = t.no_avatar_weight, t.no_avatar_centre
    bw, bc = t.no_bio_weight, t.no_bio_centre
    vw, vc = t.private_weight, t.private_centre
    dw, dc = t.digits_weight, t.digits_centre
    intercept, threshold, mass_following = t.intercept, t.threshold, t.mass_following
    fresh, fresh_points = timedelta(days=t.fresh_days), t.fresh_points
    inactive, inactive_points = timedelta(days=t.inactive_days), t.inactive_points

    def judge(followers, following, posts_count, has_avatar, bio_length, private, digits, created_at,
              last_post_at) -> AccountClass:
        # The order of feature_values() and contributions(), added left to right from 0 as
        # sum() does: the score is the same float classify_account computes.
        total = 0
        lf = None if followers is None else log1p(max(followers, 0))
        if lf is not None:
            total += fw * (lf - fc)
        if following is not None and followers is not None:
            total += rw * ((log1p(max(following, 0)) - lf) - rc)
        if posts_count is not None:
            total += pw * (log1p(max(posts_count, 0)) - pc)
        if has_avatar is not None:
            total += aw * (float(not has_avatar) - ac)
        if bio_length is not None:
            total += bw * (float(bio_length == 0) - bc)
        if private is not None:
            total += vw * (float(private) - vc)
        if digits is not None:
            total += dw * (digits - dc)
        if now is not None and created_at is not None and now - created_at < fresh:
            total += fresh_points
        if now is not None and last_post_at is not None and now - last_post_at >= inactive:
            total += inactive_points
        score = intercept + total
        if score >= threshold:
            return "suspicious"
        if following is not None and following > mass_following:
            return "mass_follower"
        return "real"

    return judge


@dataclass(slots=True)
class AccountVerdict:
    label: AccountClass
    points: float  # the score (log-odds); "suspicious" from the scorecard's threshold
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"class": self.label, "points": round(self.points, 2), "reasons": self.reasons}


def classify_account(acc: AccountFeatures, t: AccountScorecard | None = None,
                     now: datetime | None = None) -> AccountVerdict:
    """Classify one account; the reasons are what pushed it towards fake, largest first."""
    t = t or AccountScorecard()
    parts = contributions(acc, t, now)
    score = t.intercept + sum(p for p, _ in parts)
    towards_fake = sorted((p, text) for p, text in parts if round(p, 1) > 0)
    reasons = [f"{text} +{p:.1f}" for p, text in sorted(towards_fake, key=lambda pt: -pt[0])]
    mass = acc.following is not None and acc.following > t.mass_following
    if mass:
        reasons.append(f"follows {acc.following:,} accounts (over {t.mass_following:,}: mass follower)")
    if score >= t.threshold:
        label: AccountClass = "suspicious"
    elif mass:
        label = "mass_follower"
    else:
        label = "real"
    return AccountVerdict(label=label, points=score, reasons=reasons)
