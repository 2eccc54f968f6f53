"""What a rule is and what it returns.

A rule is registered once (``register(Rule(...))`` from a ``register_rules`` hook) and
evaluated once per candidate: ``evaluate(candidate, options, context) -> Verdict``. A rule
may also offer a batch form, ``evaluate_batch(batch, options, context)``, which reads the
rows of many candidates from the store at once; the engine then uses it instead.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable, Literal, Mapping

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    import sqlite3

    from microscout.config import Campaign, Platform
    from microscout.models import Candidate, Profile

Outcome = Literal["pass", "warn", "fail", "unknown", "error"]
OUTCOMES: tuple[Outcome, ...] = ("pass", "warn", "fail", "unknown", "error")


class Need(str, enum.Enum):
    """The data a rule reads; the crawl fetches only what enabled rules need."""

    PROFILE = "profile"
    POSTS = "posts"
    COMMENTS = "comments"
    FOLLOWERS = "followers"
    HISTORY = "history"

    @property
    def doc(self) -> str:
        return NEED_DOCS[self.value]


NEED_DOCS = {
    "profile": "the profile alone (counts, bio, flags): cheap rules that may run as a crawl-time prefilter",
    "posts": "recent posts with their counts (candidate.posts)",
    "comments": "replies by others to recent posts (candidate.comments); implies posts",
    "followers": "a sample of followers with their own counts (candidate.followers)",
    "history": "the profile's counts at every crawl (candidate.snapshots)",
}


class Verdict(BaseModel):
    """One rule's judgement of one candidate."""

    # A verdict changed after it was made is checked again ("Pass", a score of 1.35).
    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    outcome: Outcome = Field(description="pass, warn, fail, unknown (no data to judge by) or error (the rule "
                                         "raised; set by the engine)")
    score: float = Field(ge=0.0, le=1.0, description="0 to 1, 1 best; the campaign's weights average it")
    reason: str = Field(description="one line a marketer reads, with the numbers it rests on")
    evidence: dict[str, Any] = Field(default_factory=dict, description="JSON-serialisable: the numbers, ids and "
                                     "matched text behind the reason")

    @classmethod
    def unknown(cls, reason: str, **evidence: Any) -> "Verdict":
        """No data to judge by: say so rather than pass."""
        return cls(outcome="unknown", score=0.5, reason=reason, evidence=evidence)

    @classmethod
    def not_on_platform(cls, reason: str, **evidence: Any) -> "Verdict":
        """Unknown because the platform never gives the data (no follower list, no bot flag): the
        same for every creator there, so a ranked creator's reasons do not end with it among the
        gates not checked (the verdict itself says it)."""
        return cls(outcome="unknown", score=0.5, reason=reason, evidence={**evidence, NOT_ON_PLATFORM: True})


# The evidence key of Verdict.not_on_platform (not shown among the evidence's lines).
NOT_ON_PLATFORM = "not_on_platform"


# The numbers the engine stores beside each shortlist entry (shown, exported, used by
# --budget). A rule offers one by naming it in Rule.metrics and putting it in its evidence;
# the engine asks for the metric, never for a rule by name.
METRICS = {
    "engagement_rate": "engagements per follower per post, as a fraction (0.035 = 3.5%)",
}


class NoOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")


@dataclass(frozen=True)
class RuleContext:
    """What a rule may know besides the candidate: the campaign and the platform."""

    campaign_name: str = field(metadata={"doc": "the campaign's name in the config"})
    campaign: "Campaign" = field(metadata={"doc": "the campaign's settings: hashtags, keywords, target_tiers, gates, "
                                                  "weights"})
    platform: "Platform" = field(metadata={"doc": "the platform's settings: tiers (bounds per tier name)"})
    now: datetime = field(metadata={"doc": "the judging time (UTC); windows count back from it"})

    def tier_of(self, followers: int | None) -> str | None:
        """The platform's tier name for a follower count (None for hidden counts)."""
        if followers is None:
            return None
        for name, tier in self.platform.tiers.items():
            if tier.contains(followers):
                return name
        return None


@dataclass(frozen=True)
class Batch:
    """Candidates of one platform judged together, for a rule's batch form.

    The rule reads the rows it needs itself, with SQL over ``conn``, for the profile ids
    in ``profiles`` (``profile_id`` in posts, comments, follower_samples and
    profile_snapshots; ``in_ids()`` gives the placeholders and parameters)."""

    conn: "sqlite3.Connection" = field(metadata={"doc": "the store, to read from only (SELECT): a write is "
                                                        "refused, so the batch is judged with evaluate; the engine "
                                                        "writes verdicts through its own transaction"})
    profiles: "Mapping[int, Profile]" = field(metadata={"doc": "the candidates' profiles by store id, in id order"})
    fetched: Mapping[int, frozenset[str]] = field(metadata={
        "doc": "by store id, which kinds of data the crawl fetched (as Candidate.fetched)"})
    memo: dict[Any, Any] = field(default_factory=dict, compare=False, metadata={
        "doc": "shared by every rule's batch form for this batch: a read several rules need (the built-in post "
               "rules' posts) is made once; key it by your plugin's name"})

    def in_ids(self) -> tuple[str, list[int]]:
        """``("?, ?, ...", ids)`` for ``WHERE profile_id IN (...)``."""
        ids = list(self.profiles)
        return ", ".join("?" * len(ids)), ids


@dataclass(frozen=True)
class Rule:
    """A named judgement with documented options.

    ``prefilter`` marks rules that need only the profile and are cheap, so the crawler
    may run them before fetching posts, replies and followers. ``gate`` makes a fail
    exclude the candidate in every campaign, as if the campaign listed the rule in its
    gates (switch the rule off to keep such candidates); such a rule weighs 0 in the
    score unless the campaign gives it a weight.
    """

    name: str = field(metadata={"doc": "lower_snake_case, unique; its options live in [rules.NAME]"})
    summary: str = field(metadata={"doc": "one line a marketer understands"})
    evaluate: Callable[["Candidate", BaseModel, RuleContext], Verdict] = field(
        metadata={"doc": "evaluate(candidate, options, context) -> Verdict"})
    options: type[BaseModel] = field(default=NoOptions, metadata={
        "doc": "a pydantic model with extra='forbid', a default and a description for every field"})
    needs: frozenset[Need] = field(default_factory=lambda: frozenset({Need.PROFILE}),
                                   metadata={"doc": "the Need values of the data it reads"})
    prefilter: bool = field(default=False, metadata={
        "doc": "cheap and profile-only: the crawl may run it before fetching more"})
    gate: bool = field(default=False, metadata={"doc": "a fail excludes the candidate in every campaign; it adds to "
                                                       "the score only where a campaign's `weights` name it (default "
                                                       "weight 0)"})
    metrics: frozenset[str] = field(default_factory=frozenset, metadata={
        "doc": "the shortlist metrics (METRICS) its evidence carries under those keys, e.g. engagement_rate"})
    evaluate_batch: Callable[[Batch, BaseModel, RuleContext], Mapping[int, Verdict]] | None = field(
        default=None, metadata={"doc": "optional faster form: the Verdict of every candidate of a Batch, by store id, "
                                       "the same as evaluate's; the engine prefers it and falls back to evaluate "
                                       "for the batch if it raises, leaves a candidate out, names one not in the "
                                       "batch or returns a bad Verdict, which `shortlist` and `try` then say"})
    plugin: str = field(default="", metadata={"doc": "filled in by the engine: which plugin registered it"})
