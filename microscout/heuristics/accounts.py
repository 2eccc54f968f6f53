"""Is an account real? Points for each published fake-account signal, with the reasons.

An account is one follower of a candidate or one row of a follower export. Each signal in
``AccountThresholds`` adds points when it fires; ``suspicious_points`` or more makes the
account "suspicious". An account that is not suspicious but follows more than
``mass_following`` accounts is a "mass_follower" (DOMAIN.md: follows > 1,500). Everything
else is "real". A missing field (None) is unknown: its signal cannot fire.

The weights and thresholds were chosen on the calibration half of the InstaFake and
Kaggle sets (``split_half(row) == "calibration"``) and are reported on the other half:
docs/HEURISTICS.md has the procedure, the figures and the commands that reproduce them.
"""
from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Iterable, Literal

from pydantic import BaseModel, ConfigDict, Field

AccountClass = Literal["real", "suspicious", "mass_follower"]
CLASSES: tuple[AccountClass, ...] = ("real", "suspicious", "mass_follower")


class AccountThresholds(BaseModel):
    """Signals, their points and the cut-off; calibrated as docs/HEURISTICS.md describes."""

    model_config = ConfigDict(extra="forbid")

    mass_following: int = Field(1500, ge=0, description="Following more than this many accounts makes a "
                                "mass follower (DOMAIN.md, HypeAuditor/Modash: follows > 1,500).")
    mass_following_points: int = Field(1, ge=0, description="Points the mass-following signal adds towards "
                                       "'suspicious' (calibrated: real accounts also follow many).")
    few_posts: int = Field(2, ge=0, description="At most this many posts counts as an empty account "
                           "(DOMAIN.md: 0 posts; calibration chose <= 2).")
    few_posts_points: int = Field(1, ge=0, description="Points for few posts (calibrated).")
    no_avatar_points: int = Field(2, ge=0, description="Points for no profile picture (DOMAIN.md signal; "
                                  "calibrated weight).")
    no_bio_points: int = Field(1, ge=0, description="Points for an empty bio (DOMAIN.md signal; weak alone: "
                               "39% of InstaFake's real accounts have none).")
    following_ratio: float = Field(2.0, gt=0, description="Following at least this many times the followers "
                                   "is 'following >> followers' (DOMAIN.md; calibration chose 2).")
    following_ratio_points: int = Field(2, ge=0, description="Points for following >> followers (calibrated).")
    username_digit_share: float = Field(0.2, ge=0, le=1, description="A username whose digits are at least "
                                        "this share of its characters is 'full of digits' (calibrated).")
    username_digits_points: int = Field(2, ge=0, description="Points for a digit-heavy username (calibrated).")
    few_followers: int = Field(100, ge=0, description="Fewer followers than this is a sign of a throwaway "
                               "account (calibrated; not in the vendor lists).")
    few_followers_points: int = Field(1, ge=0, description="Points for few followers (calibrated).")
    fresh_days: int = Field(30, ge=0, description="Created fewer than this many days ago is 'freshly created' "
                            "(DOMAIN.md; not in the labeled sets, so not calibrated).")
    fresh_points: int = Field(1, ge=0, description="Points for a freshly created account (uncalibrated: one "
                              "point, so it never decides alone).")
    inactive_days: int = Field(30, ge=0, description="No post for this many days is 'inactive' (DOMAIN.md: "
                               "no posts in 30 days; not in the labeled sets).")
    inactive_points: int = Field(1, ge=0, description="Points for inactivity (uncalibrated: one point).")
    suspicious_points: int = Field(5, ge=1, description="This many points or more makes an account suspicious "
                                   "(calibrated: precision >= 0.9 on both calibration halves, most recall).")


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
            self.username_digits = sum(c.isdigit() for c in self.handle)
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


@dataclass(slots=True)
class AccountVerdict:
    label: AccountClass
    points: int
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"class": self.label, "points": self.points, "reasons": self.reasons}


def classify_account(acc: AccountFeatures, t: AccountThresholds | None = None,
                     now: datetime | None = None) -> AccountVerdict:
    """Classify one account; every signal that fired is a reason with its numbers."""
    t = t or AccountThresholds()
    fired: list[tuple[int, str]] = []
    if acc.posts_count is not None and acc.posts_count <= t.few_posts:
        fired.append((t.few_posts_points, f"{acc.posts_count} posts (at most {t.few_posts})"))
    if acc.has_avatar is False:
        fired.append((t.no_avatar_points, "no profile picture"))
    if acc.bio_length == 0:
        fired.append((t.no_bio_points, "empty bio"))
    if acc.following is not None and acc.followers is not None and acc.following > 0 \
            and acc.following >= t.following_ratio * max(acc.followers, 1):
        fired.append((t.following_ratio_points, f"follows {acc.following:,} but has {acc.followers:,} "
                      f"followers (at least {t.following_ratio:g}x)"))
    share = acc.digit_share()
    if share is not None and share > 0 and share >= t.username_digit_share:
        fired.append((t.username_digits_points, f"username is {share:.0%} digits "
                      f"(at least {t.username_digit_share:.0%})"))
    if acc.followers is not None and acc.followers < t.few_followers:
        fired.append((t.few_followers_points, f"{acc.followers:,} followers (under {t.few_followers:,})"))
    mass = acc.following is not None and acc.following > t.mass_following
    if mass:
        fired.append((t.mass_following_points, f"follows {acc.following:,} accounts "
                      f"(over {t.mass_following:,}: mass follower)"))
    if now is not None and acc.created_at is not None and now - acc.created_at < timedelta(days=t.fresh_days):
        fired.append((t.fresh_points, f"created {(now - acc.created_at).days} days ago "
                      f"(under {t.fresh_days})"))
    if now is not None and acc.last_post_at is not None \
            and now - acc.last_post_at >= timedelta(days=t.inactive_days):
        fired.append((t.inactive_points, f"no post for {(now - acc.last_post_at).days} days "
                      f"({t.inactive_days} or more)"))
    points = sum(p for p, _ in fired if p)
    reasons = [f"{text} [+{p}]" for p, text in fired if p]
    if points >= t.suspicious_points:
        label: AccountClass = "suspicious"
    elif mass:
        label = "mass_follower"
    else:
        label = "real"
    return AccountVerdict(label=label, points=points, reasons=reasons)


# --- measuring: the fixed split, confidence intervals, precision and recall -------------

def split_half(row: dict[str, Any]) -> Literal["calibration", "held-out"]:
    """A fixed, documented split: the parity of SHA-256 of the row as sorted-key JSON.

    The row is the raw record as read (strings for CSV, numbers for JSON); identical
    rows land in the same half, so duplicates cannot leak from calibration to held-out.
    """
    digest = hashlib.sha256(json.dumps(row, sort_keys=True, default=str).encode()).digest()
    return "calibration" if digest[-1] % 2 == 0 else "held-out"


def wilson_interval(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95% Wilson score interval of the share k/n (sane at small n and near 0 or 1)."""
    if n <= 0:
        return (0.0, 1.0)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass(slots=True)
class Scorecard:
    """Confusion counts of a binary detector against labels (positive = fake/spam)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    @classmethod
    def of(cls, pairs: Iterable[tuple[bool, bool]]) -> "Scorecard":
        card = cls()
        for predicted, actual in pairs:
            card.add(predicted, actual)
        return card

    def add(self, predicted: bool, actual: bool) -> None:
        if predicted and actual:
            self.tp += 1
        elif predicted:
            self.fp += 1
        elif actual:
            self.fn += 1
        else:
            self.tn += 1

    @property
    def n(self) -> int:
        return self.tp + self.fp + self.fn + self.tn

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def base_rate(self) -> float | None:
        return (self.tp + self.fn) / self.n if self.n else None

    @property
    def false_positive_rate(self) -> float | None:
        return self.fp / (self.fp + self.tn) if self.fp + self.tn else None

    def precision_at(self, base_rate: float) -> float | None:
        """Precision expected where positives are ``base_rate`` of accounts (same recall and FPR).

        The labeled sets hold far more fakes than a real audience does, so the measured
        precision is optimistic; this is the honest figure for a realistic audience.
        """
        r, f = self.recall, self.false_positive_rate
        if r is None or f is None or r * base_rate + f * (1 - base_rate) == 0:
            return None
        return r * base_rate / (r * base_rate + f * (1 - base_rate))

    def as_dict(self, realistic_base_rate: float = 0.10) -> dict[str, Any]:
        def r(x: float | None) -> float | None:
            return None if x is None else round(x, 3)
        return {"n": self.n, "tp": self.tp, "fp": self.fp, "fn": self.fn, "tn": self.tn,
                "precision": r(self.precision), "recall": r(self.recall), "base_rate": r(self.base_rate),
                f"precision_at_{realistic_base_rate:g}_base_rate": r(self.precision_at(realistic_base_rate))}
