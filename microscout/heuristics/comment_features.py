"""A comment's class as the store keeps it: computed once when the comment is written
(``comment_features``), keyed by the version of the CommentThresholds that shaped it.

A version is a hash of the thresholds and of the classifier's code (comments.py and the
lazy regexes it compiles with), so an edited classifier or a changed threshold makes stored
classes stale instead of wrong. Only the class is stored: the reasons and matched text
of the few comments shown as examples are worked out again when a verdict needs them.
"""
from __future__ import annotations

from functools import lru_cache

from microscout.heuristics import comments, feature_version, lazy_regex
from microscout.heuristics.comments import CommentThresholds, classify_comment

# Bump when the stored form changes.
FORMAT = "1"


@lru_cache(maxsize=1)
def _code_hash() -> str:
    return feature_version.code_hash(comments.__file__, lazy_regex.__file__)


@lru_cache(maxsize=256)
def version_of_json(settings_json: str) -> str:
    """The version of thresholds given as their JSON (``CommentThresholds.model_dump_json()``)."""
    return feature_version.version(FORMAT, _code_hash(), settings_json)


def settings_version(settings: CommentThresholds) -> str:
    return version_of_json(settings.model_dump_json())


def label(text: str | None, settings: CommentThresholds) -> str:
    """What is stored for a comment whose text reads back as this: its class."""
    return classify_comment(text or "", settings).label
