"""A comment's class as the store keeps it: computed once when the comment is written
(``comment_features``), keyed by the version of the CommentThresholds that shaped it.

A version is a hash of the thresholds and of the classifier's code (comments.py, the text
helpers it reads and the lazy regexes it compiles with), so an edited classifier or a
changed threshold makes stored classes stale instead of wrong. Beside the class of a comment that is not genuine, its
detail: the class, matched text and reasons a verdict shows when it is an example, so
judging never runs the classifier on stored comments (issue #12).
"""
from __future__ import annotations

import json
from functools import lru_cache

from microscout import jsontext
from microscout.heuristics import comments, feature_version, lazy_regex, text, trigger_scan
from microscout.heuristics.comments import CommentThresholds, classify_comment

# Bump when the stored form changes. 2: the detail of comments not genuine.
FORMAT = "2"
# json.dumps(v, ensure_ascii=False), built once: json.dumps makes an encoder per call when given options.
_to_json = json.JSONEncoder(ensure_ascii=False).encode


@lru_cache(maxsize=1)
def _code_hash() -> str:
    return feature_version.code_hash(comments.__file__, lazy_regex.__file__, text.__file__, trigger_scan.__file__)


@lru_cache(maxsize=256)
def version_of_json(settings_json: str) -> str:
    """The version of thresholds given as their JSON (``CommentThresholds.model_dump_json()``)."""
    return feature_version.version(FORMAT, _code_hash(), settings_json)


def settings_version(settings: CommentThresholds) -> str:
    return version_of_json(settings.model_dump_json())


def stored(text: str | None, settings: CommentThresholds) -> tuple[str, str | None]:
    """What is stored for a comment whose text reads back as this: its class, and for one
    not genuine its detail (``detail``)."""
    verdict = classify_comment(text or "", settings)
    if verdict.label == "genuine":
        return verdict.label, None
    return verdict.label, _to_json([verdict.label, verdict.matched, verdict.reasons])


def example(detail: str) -> tuple[str, list[str], list[str]]:
    """(class, matched, reasons) of a stored detail."""
    label, matched, reasons = jsontext.loads(detail)
    return label, matched, reasons
