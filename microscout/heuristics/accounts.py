"""Is an account real? An explainable scorecard of fake-account evidence, with the reasons.

An account is one follower of a candidate or one row of a follower export. The classes,
decided in this order:

- ``bot``: the platform itself flags the account as automated (Mastodon ``bot``,
  Bluesky's ``bot`` label). Not a guess, so not corrected for error.
- ``dormant``: no posts at all, a modest following (at most ``dormant_max_following``)
  and not missing its profile picture: a real person who signed up and reads. Real
  audiences hold many of them; on count features alone they look like fakes
  (shared/DOMAIN.md), so they are told apart before the scorecard decides.
- ``suspicious``: the scorecard's score reaches ``threshold``. Each known signal adds its
  points (a logistic regression on yes/no signals): follows at least ``ratio_cut`` times
  as many accounts as follow it, no profile picture, empty bio, and (weight 0 by
  default) the digit share of the username.
- ``mass_follower``: not suspicious, but follows more than ``mass_following`` accounts.
- ``real``: everything else.

Only signals that hold across platforms are in the defaults: the weights were fitted by
``benchmarks/calibrate_accounts.py`` on InstaFake, the Kaggle set and cresci-2015 together,
and every figure reported for them was measured leaving one whole data set out
(docs/HEURISTICS.md). Post counts and private accounts are left out: they point one way on
Instagram and the other on Twitter-like sets. A missing field is unknown and adds nothing.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

AccountClass = Literal["real", "dormant", "suspicious", "mass_follower", "bot"]
CLASSES: tuple[AccountClass, ...] = ("real", "dormant", "suspicious", "mass_follower", "bot")
# The classes counted as fake in the audience estimate and scored as "fake" by `check accounts`.
FAKE_CLASSES = frozenset({"suspicious"})

# The fitted signals, in the order benchmarks/calibrate_accounts.py fits them.
FEATURES: tuple[str, ...] = ("ratio", "no_avatar", "no_bio", "digits")

_FITTED = ("Fitted by benchmarks/calibrate_accounts.py on InstaFake, Kaggle and cresci-2015 together (each set "
           "re-weighted to a 10% fake base rate); figures are leave-one-data-set-out")


def _w(default: float, what: str) -> Any:
    return Field(default, description=f"Default {default}: points (log-odds) when {what}. {_FITTED}.")


class AccountScorecard(BaseModel):
    """The scorecard's points, cut-offs and class bounds; docs/HEURISTICS.md says how each was set."""

    model_config = ConfigDict(extra="forbid")

    intercept: float = Field(default=-3.54, description=f"Default -3.54: score of an account with no signal "
                             f"(log-odds of fake at a 10% base rate). {_FITTED}.")
    ratio_weight: float = _w(3.61, "the account follows at least ratio_cut times as many accounts as follow it")
    ratio_cut: float = Field(
        default=10.0, gt=0,
        description="Default 10: following at least this many times the followers is the 'not followed back' signal "
                    "(DOMAIN.md: bought followers follow accounts that do not follow back; IGAudit's "
                    "following/follower rule).")
    no_avatar_weight: float = _w(2.29, "the account has no profile picture")
    no_bio_weight: float = _w(1.15, "the bio is empty")
    digits_weight: float = Field(
        default=0.0,
        description="Points per unit of the username's digit share (0-1). Default 0: digits help on the Instagram "
                    "sets and hurt on cresci-2015 (Twitter), the set closest to Mastodon and Bluesky "
                    "(docs/HEURISTICS.md); set it per platform.")
    threshold: float = Field(
        default=-2.35,
        description="Default -2.35: a score at or above this is 'suspicious'. Chosen by "
                    "benchmarks/calibrate_accounts.py: the lowest cut-off whose precision at a 10% base rate is at "
                    "least 0.7 on every training set.")
    dormant_max_following: int = Field(
        default=1000, ge=0,
        description="Default 1000: an account with 0 posts that follows at most this many and has a profile picture "
                    "is 'dormant', a real reader (DOMAIN.md: dormant real people follow a modest number; bought "
                    "followers follow hundreds to thousands).")
    mass_following: int = Field(
        default=1500, ge=0,
        description="Default 1500: following more than this many accounts makes a mass follower when not suspicious "
                    "(DOMAIN.md, HypeAuditor/Modash: follows > 1,500).")
    sensitivity: float = Field(
        default=0.7783, gt=0, le=1,
        description="Default 0.7783: share of fake accounts the scorecard calls suspicious, measured leaving one data "
                    "set out, each set weighing the same (benchmarks/calibrate_accounts.py); audience estimates are "
                    "corrected with it (Rogan-Gladen).")
    sensitivity_n: int = Field(
        default=7, ge=1,
        description="Default 7: how many accounts a binomial rate would need to be as uncertain as sensitivity is "
                    "(it was 62-93% on the three sets); its uncertainty widens the audience estimate's interval.")
    specificity: float = Field(
        default=0.9794, gt=0, le=1,
        description="Default 0.9794: share of real accounts the scorecard does not call suspicious, measured leaving "
                    "one data set out, each set weighing the same (benchmarks/calibrate_accounts.py).")
    specificity_n: int = Field(default=112, ge=1,
                               description="Default 112: how many accounts a binomial rate would need to be as "
                                           "uncertain as specificity is (96.6-99.3% on the three sets).")


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
    created_at: datetime | None = None   # shown, not scored: no labeled set has account age
    last_post_at: datetime | None = None
    private: bool | None = None          # read, not scored: it points opposite ways across platforms
    bot: bool | None = None

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
        """From an engine ``Follower`` (or what reads like one: a stored follower's
        ``follower_features.Inputs`` has no name or dates); an empty bio there is known to be empty."""
        return cls(handle=_local_part(follower.handle), followers=follower.followers,
                   following=follower.following, posts_count=follower.posts_count,
                   has_avatar=follower.has_avatar, bio_length=len(follower.bio or ""),
                   display_name=getattr(follower, "display_name", None),
                   created_at=getattr(follower, "created_at", None),
                   last_post_at=getattr(follower, "last_post_at", None), bot=getattr(follower, "bot", None))


def _local_part(handle: str) -> str:
    # "@name@instance.social" -> "name": the instance's digits say nothing about the user.
    return handle.lstrip("@").split("@")[0]


def not_followed_back(following: int | None, followers: int | None, ratio_cut: float) -> bool | None:
    """Following at least ``ratio_cut`` times the followers (and following someone); None if unknown."""
    if following is None or followers is None:
        return None
    return following > 0 and following >= ratio_cut * max(followers, 0)


def feature_values(acc: AccountFeatures, t: AccountScorecard | None = None) -> dict[str, float | None]:
    """The fitted signals of one account (None = unknown); the fit and the classifier share this."""
    t = t or AccountScorecard()
    ratio = not_followed_back(acc.following, acc.followers, t.ratio_cut)
    return {
        "ratio": None if ratio is None else float(ratio),
        "no_avatar": None if acc.has_avatar is None else float(not acc.has_avatar),
        "no_bio": None if acc.bio_length is None else float(acc.bio_length == 0),
        "digits": acc.digit_share(),
    }


def _times(following: int, followers: int) -> str:
    r = following / max(followers, 1)
    return f"{r:,.0f}x" if r >= 10 else f"{r:.1f}x"


def _sentence(name: str, acc: AccountFeatures) -> str:
    if name == "ratio":
        following, followers = acc.following, acc.followers
        assert following is not None and followers is not None  # the ratio signal needs both counts
        return (f"follows {following:,} but has {followers:,} follower"
                f"{'' if followers == 1 else 's'} ({_times(following, followers)})")
    if name == "no_avatar":
        return "no profile picture"
    if name == "no_bio":
        return "empty bio"
    if name == "digits":
        return f"username is {acc.digit_share():.0%} digits"
    raise AssertionError(name)


def contributions(acc: AccountFeatures, t: AccountScorecard | None = None) -> list[tuple[float, str]]:
    """(points, sentence) of every signal present; absent and unknown ones add nothing."""
    t = t or AccountScorecard()
    out: list[tuple[float, str]] = []
    for name, value in feature_values(acc, t).items():
        points = getattr(t, f"{name}_weight") * value if value else 0.0
        if points:
            out.append((points, _sentence(name, acc)))
    return out


def account_score(acc: AccountFeatures, t: AccountScorecard | None = None) -> float:
    """The log-odds score: intercept plus every contribution."""
    t = t or AccountScorecard()
    score = t.intercept
    for points, _ in contributions(acc, t):  # added in the order _judge adds them: the same float
        score += points
    return score


def _judge(t: AccountScorecard):
    intercept, threshold, cut = t.intercept, t.threshold, t.ratio_cut
    rw, aw, bw, dw = t.ratio_weight, t.no_avatar_weight, t.no_bio_weight, t.digits_weight
    dormant_max, mass_following = t.dormant_max_following, t.mass_following

    def judge(followers, following, posts_count, has_avatar, bio_length, digits, bot) -> AccountClass:
        if bot:
            return "bot"
        if (posts_count == 0 and following is not None and following <= dormant_max
                and has_avatar is not False):
            return "dormant"
        score = intercept
        if following is not None and followers is not None and following > 0 \
                and following >= cut * max(followers, 0):
            score += rw
        if has_avatar is False:
            score += aw
        if bio_length == 0:
            score += bw
        if digits:
            score += dw * digits
        if score >= threshold:
            return "suspicious"
        if following is not None and following > mass_following:
            return "mass_follower"
        return "real"

    return judge


def account_labeler(t: AccountScorecard | None = None):
    """A function giving the label ``classify_account(acc, t).label`` would give, faster: no
    reason sentences (shortlisting labels every sampled follower and explains only a few)."""
    judge = _judge(t or AccountScorecard())

    def label(acc: AccountFeatures) -> AccountClass:
        return judge(acc.followers, acc.following, acc.posts_count, acc.has_avatar, acc.bio_length,
                     acc.digit_share(), acc.bot)

    return label


def follower_labeler(t: AccountScorecard | None = None):
    """``account_labeler`` for engine ``Follower``s: the label of ``AccountFeatures.from_follower(f)``."""
    judge = _judge(t or AccountScorecard())

    def label(follower: Any) -> AccountClass:
        handle = _local_part(follower.handle)
        digits = sum(map(str.isdigit, handle)) / len(handle) if handle else None
        return judge(follower.followers, follower.following, follower.posts_count, follower.has_avatar,
                     len(follower.bio or ""), digits, getattr(follower, "bot", None))

    return label


@dataclass(slots=True)
class AccountVerdict:
    label: AccountClass
    points: float  # the score (log-odds); "suspicious" from the scorecard's threshold
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"class": self.label, "points": round(self.points, 2), "reasons": self.reasons}


def classify_account(acc: AccountFeatures, t: AccountScorecard | None = None) -> AccountVerdict:
    """Classify one account; the reasons say why, in words with numbers and points."""
    t = t or AccountScorecard()
    parts = contributions(acc, t)
    score = t.intercept
    for points, _ in parts:  # as account_score adds them: the same float
        score += points
    reasons = [f"{text} +{p:.1f}" for p, text in sorted(parts, key=lambda pt: -pt[0]) if p > 0]
    label = _judge(t)(acc.followers, acc.following, acc.posts_count, acc.has_avatar, acc.bio_length,
                      acc.digit_share(), acc.bot)
    if label == "bot":
        reasons = ["the platform flags it as an automated account"]
    elif label == "dormant":
        picture = "with a profile picture" if acc.has_avatar else "(whether it has a picture is not known)"
        reasons = [f"0 posts and follows {acc.following:,} (at most {t.dormant_max_following:,}) {picture}: a real "
                   f"reader who does not post"]
    elif label == "mass_follower" or (label == "suspicious" and acc.following is not None
                                       and acc.following > t.mass_following):
        reasons.append(f"follows {acc.following:,} accounts (over {t.mass_following:,}: mass follower)")
    return AccountVerdict(label=label, points=score, reasons=reasons)


@dataclass(frozen=True, slots=True)
class FakeShare:
    """The estimated share of fake accounts among those judged, corrected for the classifier's errors."""

    observed: float       # share the scorecard called suspicious
    estimate: float       # Rogan-Gladen: (observed + specificity - 1) / (sensitivity + specificity - 1)
    low: float            # 95% interval: the sample's (Wilson) and the measured rates' uncertainty
    high: float


def fake_share(flagged: int, n: int, t: AccountScorecard | None = None, z: float = 1.96) -> FakeShare:
    """Estimate the fake share of an audience from ``flagged`` of ``n`` sampled accounts.

    A classifier with sensitivity Se and specificity Sp flags Se*p + (1-Sp)*(1-p) of an
    audience whose true fake share is p; solving for p gives the Rogan-Gladen estimator. Its
    interval adds, in quadrature, the sample's own (the Wilson interval of the flagged share,
    mapped through the estimator) and that of Se and Sp as measured (binomial, delta method).
    """
    from microscout.heuristics.measure import wilson_interval

    t = t or AccountScorecard()
    se, sp = t.sensitivity, t.specificity
    youden = se + sp - 1
    if n <= 0 or youden <= 0:
        return FakeShare(0.0, 0.0, 0.0, 1.0)

    def corrected(q: float) -> float:
        return min(1.0, max(0.0, (q + sp - 1) / youden))

    q = flagged / n
    estimate = corrected(q)
    q_low, q_high = wilson_interval(flagged, n, z)
    rates_sd = math.sqrt(estimate ** 2 * se * (1 - se) / t.sensitivity_n
                         + (1 - estimate) ** 2 * sp * (1 - sp) / t.specificity_n) / youden
    low = estimate - math.hypot(estimate - corrected(q_low), z * rates_sd)
    high = estimate + math.hypot(corrected(q_high) - estimate, z * rates_sd)
    return FakeShare(q, estimate, max(0.0, low), min(1.0, high))
