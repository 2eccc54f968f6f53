"""What a rule is and what it returns.

A rule is registered once (``register(Rule(...))`` from a ``register_rules`` hook) and
evaluated once per candidate: ``evaluate(candidate, options, context) -> Verdict``.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable, Literal

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from microscout.config import Campaign, Platform
    from microscout.engine.candidate import Candidate

Outcome = Literal["pass", "warn", "fail", "unknown", "error"]
OUTCOMES: tuple[Outcome, ...] = ("pass", "warn", "fail", "unknown", "error")


class Need(str, enum.Enum):
    """The data a rule reads; the crawl fetches only what enabled rules need."""

    PROFILE = "profile"
    POSTS = "posts"
    COMMENTS = "comments"
    FOLLOWERS = "followers"
    HISTORY = "history"


class Verdict(BaseModel):
    """One rule's judgement of one candidate."""

    model_config = ConfigDict(extra="forbid")

    outcome: Outcome
    score: float = Field(ge=0.0, le=1.0)
    reason: str
    evidence: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def unknown(cls, reason: str, **evidence: Any) -> "Verdict":
        """No data to judge by: say so rather than pass."""
        return cls(outcome="unknown", score=0.5, reason=reason, evidence=evidence)


class NoOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")


@dataclass(frozen=True)
class RuleContext:
    """What a rule may know besides the candidate: the campaign and the platform."""

    campaign_name: str
    campaign: "Campaign"
    platform: "Platform"
    now: datetime

    def tier_of(self, followers: int | None) -> str | None:
        if followers is None:
            return None
        for name, tier in self.platform.tiers.items():
            if tier.contains(followers):
                return name
        return None


@dataclass(frozen=True)
class Rule:
    """A named judgement with documented options.

    ``prefilter`` marks rules that need only the profile and are cheap, so the crawler
    may run them before fetching posts, replies and followers. ``gate`` makes a fail
    exclude the candidate in every campaign, as if the campaign listed the rule in its
    gates (switch the rule off to keep such candidates); such a rule weighs 0 in the
    score unless the campaign gives it a weight.
    """

    name: str
    summary: str
    evaluate: Callable[["Candidate", BaseModel, RuleContext], Verdict]
    options: type[BaseModel] = NoOptions
    needs: frozenset[Need] = field(default_factory=lambda: frozenset({Need.PROFILE}))
    prefilter: bool = False
    gate: bool = False
    plugin: str = ""  # filled in by the engine: which plugin registered it
