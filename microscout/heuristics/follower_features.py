"""A sampled follower's class as the store keeps it: computed once when the follower is
written (``follower_features``), keyed by the version of the AccountThresholds that shaped it.

A version is a hash of the thresholds and of the classifier's code (accounts.py), so an
edited classifier or a changed threshold makes stored classes stale instead of wrong.
Beside the class of a follower a verdict may show as an example (neither real, dormant nor
undescribed), its reasons in words (``detail``), so judging never runs the classifier on
stored followers (issue #12).
"""
from __future__ import annotations

import json
from functools import lru_cache
from typing import Callable, NamedTuple

from microscout.heuristics import accounts, feature_version
from microscout.heuristics.accounts import AccountFeatures, AccountThresholds, classify_account, follower_labeler

# Bump when the stored form changes. 2: the reasons of the followers an example may show.
FORMAT = "2"


class Inputs(NamedTuple):
    """What the class reads of a follower_samples row, with the values a Follower would hold."""
    handle: str
    followers: int | None
    following: int | None
    posts_count: int | None
    has_avatar: bool
    bio: str
    bot: bool | None

    @classmethod
    def from_row(cls, handle, followers, following, posts_count, has_avatar, bio, bot) -> "Inputs":
        # As store.queries loads a Follower: an unknown picture counts as present, an unknown bio as empty.
        return cls(handle or "", followers, following, posts_count,
                   bool(has_avatar) if has_avatar is not None else True, bio or "",
                   None if bot is None else bool(bot))


@lru_cache(maxsize=1)
def _code_hash() -> str:
    return feature_version.code_hash(accounts.__file__)


@lru_cache(maxsize=256)
def version_of_json(settings_json: str) -> str:
    """The version of thresholds given as their JSON (``AccountThresholds.model_dump_json()``)."""
    return feature_version.version(FORMAT, _code_hash(), settings_json)


def settings_version(settings: AccountThresholds) -> str:
    return version_of_json(settings.model_dump_json())


@lru_cache(maxsize=64)
def _labeler(settings_json: str) -> Callable:
    return follower_labeler(AccountThresholds.model_validate_json(settings_json))


def described(inputs: Inputs) -> bool:
    """Whether a follower can be judged: it comes with counts or a bot flag (TikTok's
    follower list gives names only; their missing counts are unknown, not evidence)."""
    return bool(inputs.bot or inputs.followers is not None or inputs.following is not None)


UNDESCRIBED = "undescribed"


# id(settings) -> (settings, its labeler): serialising the settings for every follower cost
# more than labelling it. The entry holds the object, so its id cannot be reused meanwhile.
_LABELERS: dict[int, tuple[AccountThresholds, Callable]] = {}


def _labeler_of(settings: AccountThresholds) -> Callable:
    entry = _LABELERS.get(id(settings))
    if entry is None or entry[0] is not settings:
        if len(_LABELERS) >= 64:
            _LABELERS.clear()
        entry = _LABELERS[id(settings)] = (settings, _labeler(settings.model_dump_json()))
    return entry[1]


def label(inputs: Inputs, settings: AccountThresholds) -> str:
    """What is stored for a follower whose row reads back as these inputs: its class, or
    ``undescribed`` for one that cannot be judged. ``settings`` must not change afterwards
    (the store's are validated from JSON and never changed)."""
    return _labeler_of(settings)(inputs) if described(inputs) else UNDESCRIBED


# The classes whose followers are a verdict's examples, and so have their reasons stored.
SHOWN = frozenset({"suspicious", "mass_follower", "bot"})
# json.dumps(v, ensure_ascii=False), built once: json.dumps makes an encoder per call when given options.
_to_json = json.JSONEncoder(ensure_ascii=False).encode


def stored(inputs: Inputs, settings: AccountThresholds) -> tuple[str, str | None]:
    """What is stored for a follower whose row reads back as these inputs: its class
    (``label``), and for one a verdict may show, its reasons as classify_account words them."""
    found = label(inputs, settings)
    return (found, None) if found not in SHOWN else (found, _reasons(inputs, settings))


def storer(settings: AccountThresholds) -> Callable[[Inputs], tuple[str, str | None]]:
    """``stored`` with these settings, for many followers: the labeler looked up once, not
    per follower (the look-up cost half as much as the class)."""
    labeler = _labeler_of(settings)

    def store(inputs: Inputs) -> tuple[str, str | None]:
        found = labeler(inputs) if described(inputs) else UNDESCRIBED
        return (found, None) if found not in SHOWN else (found, _reasons(inputs, settings))

    return store


def _reasons(inputs: Inputs, settings: AccountThresholds) -> str:
    # The reasons read the counts, picture, bio and handle only: the inputs are all they need.
    return _to_json(classify_account(AccountFeatures.from_follower(inputs), settings).reasons)
