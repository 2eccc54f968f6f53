"""What several rules do with a candidate's posts: pick the window, count engagement."""
from __future__ import annotations

import copy
from datetime import datetime, timedelta
from functools import lru_cache
from operator import attrgetter
from statistics import mean, median
from typing import TYPE_CHECKING, Any, Callable, Iterable, Literal, Protocol, TypeVar

from microscout.heuristics import post_features
from microscout.heuristics.sponsored import PostAnalysis, SponsoredSettings, analyse_post

if TYPE_CHECKING:  # annotations only: listing the rules need not build the data classes
    from microscout.models import Candidate, Post

Count = Literal["likes", "replies", "reposts", "quotes"]


class PostLike(Protocol):
    """A Post, or a row with the same attributes (a batch form's PostRow)."""

    @property
    def created_at(self) -> datetime: ...

    @property
    def is_reply(self) -> bool: ...


P = TypeVar("P", bound=PostLike)
_created_at = attrgetter("created_at")
DEFAULT_FORMULA: tuple[Count, ...] = ("likes", "replies", "reposts")
# The counts a platform has at all. One it lacks (YouTube and Instagram have no reposts)
# leaves the formula: their engagement is likes + comments (DOMAIN.md), not "unknown".
PLATFORM_COUNTS: dict[str, frozenset[str]] = {
    "youtube": frozenset({"likes", "replies"}),
    "instagram": frozenset({"likes", "replies"}),
}


def platform_formula(formula: Iterable[Count], platform: str) -> tuple[Count, ...]:
    """The formula's counts that ``platform`` has (all of them when it lacks every one)."""
    formula = tuple(formula)
    have = PLATFORM_COUNTS.get(platform)
    kept = tuple(c for c in formula if have is None or c in have)
    return kept or formula


def posts_missing(candidate: Candidate) -> str | None:
    """Why posts cannot be judged (not fetched), or None when they were."""
    return missing_reason(candidate.posts, candidate.fetched)


def missing_reason(posts: list, fetched: Iterable[str]) -> str | None:
    """posts_missing for a candidate's posts (Posts or PostRows) and what the crawl fetched."""
    if posts or "posts" in fetched:
        return None
    return "posts were not fetched for this profile"


def own_posts(candidate: Candidate, *, window_posts: int | None = None, window_days: int | None = None,
              now: datetime | None = None) -> list[Post]:
    """The creator's own posts (no replies), newest first, within the window."""
    return in_window(newest_own(candidate.posts), window_posts=window_posts, window_days=window_days, now=now)


def newest_own(posts: Iterable[P]) -> list[P]:
    """Own posts (no replies), newest first; posts created at the same time keep their order."""
    return sorted((p for p in posts if not p.is_reply), key=_created_at, reverse=True)


def in_window(posts: list[P], *, window_posts: int | None = None, window_days: int | None = None,
              now: datetime | None = None) -> list[P]:
    """Of posts newest first (``newest_own``), those within the window."""
    if window_days is not None and now is not None:
        since = now - timedelta(days=window_days)
        posts = [p for p in posts if p.created_at >= since]
    if window_posts is not None:
        posts = posts[:window_posts]
    return posts


def engagements(post: Post, formula: Iterable[Count] = DEFAULT_FORMULA) -> int | None:
    """Sum of the counts in the formula; None when one is hidden (missing is not zero)."""
    return engagements_of((post,), formula)[0]


def engagements_of(posts: Iterable[Post], formula: Iterable[Count] = DEFAULT_FORMULA) -> list[int | None]:
    """``engagements`` of each post, in order (one getter for all: rules ask for every post
    of a window)."""
    get = _counts_getter(formula if type(formula) is tuple else tuple(formula))
    return [None if None in values else sum(values) for values in map(get, posts)]


@lru_cache(maxsize=64)
def _counts_getter(formula: tuple[str, ...]) -> Callable[[object], tuple]:
    # Called for every post by three rules: one C-level getter instead of a getattr per count.
    if len(formula) == 1:
        one = attrgetter(formula[0])
        return lambda post: (one(post),)
    return attrgetter(*formula)


def analysed_forms(judge: Callable[..., Any]) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """``evaluate`` and ``evaluate_batch`` of a rule that judges a creator's own posts, newest
    first, by their sponsored analyses with ``options.sponsored``: ``judge(profile, own,
    analyse_post, options) -> Verdict`` is the rule, the same for both forms."""

    def evaluate(candidate: Candidate, options: Any, context: Any) -> Any:
        from microscout.engine.rules import Verdict

        missing = posts_missing(candidate)
        return Verdict.unknown(missing) if missing else \
            judge(candidate.profile, newest_own(candidate.posts), lambda post: analyse(post, options.sponsored),
                  options)

    def evaluate_batch(batch: Any, options: Any, context: Any) -> Any:
        from microscout.engine.batch_posts import judge_analysed

        return judge_analysed(batch, options.sponsored,
                              lambda profile, own, analyse_post: judge(profile, own, analyse_post, options))

    return evaluate, evaluate_batch


def summarise(values: list[float], statistic: Literal["mean", "median"]) -> float:
    return mean(values) if statistic == "mean" else median(values)


def analyse(post: Post, settings: SponsoredSettings | None = None) -> PostAnalysis:
    # A post loaded from the store comes with its analysis, made when it was written
    # (post_features); otherwise three rules (ad frequency, disclosure, sponsored engagement)
    # read the same posts with usually the same settings: each is analysed once.
    settings = settings or _DEFAULT_SETTINGS
    key = _settings_key(settings)
    stored = post_features.lookup(post, post_features.version_of_json(key))
    if stored is not None:
        return stored
    return _analyse_cached(post.text, tuple(post.hashtags), post.paid_flag, key)


_DEFAULT_SETTINGS = SponsoredSettings()

# id(settings) -> (settings, a copy of its fields, its JSON). Serialising the settings for
# every post cost more than many analyses; the copy notices a settings object changed since.
_SETTINGS_KEYS: dict[int, tuple[SponsoredSettings, dict, str]] = {}


def _settings_key(settings: SponsoredSettings) -> str:
    entry = _SETTINGS_KEYS.get(id(settings))
    if entry is not None and entry[0] is settings and entry[1] == settings.__dict__:
        return entry[2]
    key = settings.model_dump_json()
    if len(_SETTINGS_KEYS) >= 256:
        _SETTINGS_KEYS.clear()
    # The entry holds the object itself, so its id cannot be reused by another while cached.
    _SETTINGS_KEYS[id(settings)] = (settings, copy.deepcopy(settings.__dict__), key)
    return key


@lru_cache(maxsize=64)
def _settings_of(settings_json: str) -> SponsoredSettings:
    return SponsoredSettings.model_validate_json(settings_json)


@lru_cache(maxsize=8192)
def _analyse_cached(text: str, hashtags: tuple[str, ...], paid_flag: bool | None, settings_json: str) -> PostAnalysis:
    return analyse_post(text, list(hashtags), paid_flag, _settings_of(settings_json))


def window_label(window_posts: int | None, window_days: int | None) -> str:
    parts = []
    if window_posts is not None:
        parts.append(f"last {window_posts} posts")
    if window_days is not None:
        parts.append(f"last {window_days} days")
    return " within the ".join(parts) or "all fetched posts"
