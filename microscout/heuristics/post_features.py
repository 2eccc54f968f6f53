"""A post's sponsored analysis as the store keeps it: computed once when the post is written
(``post_features``), keyed by the version of the SponsoredSettings that shaped it.

A version is a hash of the settings and of the detector's code (sponsored.py and the
heuristics modules it reads: sponsored_codes.py, sponsored_links.py, sponsored_selling.py, text.py for links
and mentions, lazy_regex.py), so an edited
detector or a changed setting makes stored analyses stale instead of wrong. The
store loads a batch's analyses with its posts and hands them to ``attach``; ``lookup``
then gives :func:`microscout.heuristics.posts.analyse` the stored analysis of a post it was
loaded with (still unmodified) instead of analysing the post again.
"""
from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from microscout import jsontext
from microscout.heuristics import (
    feature_version,
    lazy_regex,
    sponsored,
    sponsored_codes,
    sponsored_links,
    sponsored_selling,
    trigger_scan,
)
from microscout.heuristics import text as textlib
from microscout.heuristics.sponsored import PostAnalysis, SponsoredSettings, analyse_post

# Bump when the stored form below changes.
FORMAT = "1"
# The analysis of most posts: nothing sponsored, no label, no denial. Stored as NULL.
NOT_SPONSORED = PostAnalysis(False)
# json.dumps(v, ensure_ascii=False, separators=(",", ":")), built once: json.dumps makes an
# encoder per call when given options.
_to_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


@lru_cache(maxsize=1)
def _code_hash() -> str:
    return feature_version.code_hash(sponsored.__file__, sponsored_codes.__file__, sponsored_links.__file__,
                                     sponsored_selling.__file__, textlib.__file__, lazy_regex.__file__,
                                     trigger_scan.__file__)


@lru_cache(maxsize=256)
def version_of_json(settings_json: str) -> str:
    """The version of settings given as their JSON (``SponsoredSettings.model_dump_json()``)."""
    return feature_version.version(FORMAT, _code_hash(), settings_json)


def settings_version(settings: SponsoredSettings) -> str:
    return version_of_json(settings.model_dump_json())


def encode(analysis: PostAnalysis) -> str | None:
    """The stored form: None for a post with nothing to say, else a compact JSON list."""
    a = analysis
    if not (a.sponsored or a.signals or a.adequate_labels or a.weak_labels or a.problems or a.denials) \
            and a.disclosure == "not_needed":
        return None
    return _to_json([int(a.sponsored), [list(s) for s in a.signals], a.adequate_labels, a.weak_labels,
                     a.disclosure, a.problems, a.denials])


def decode(stored: str | None) -> PostAnalysis:
    if stored is None:
        return NOT_SPONSORED
    sponsored_, signals, adequate, weak, disclosure, problems, denials = jsontext.loads(stored)
    return PostAnalysis(bool(sponsored_), [(k, m) for k, m in signals], adequate, weak, disclosure, problems, denials)


def analyse_stored(text: str | None, hashtags: list[str], paid_flag: bool | None,
                   settings: SponsoredSettings) -> str | None:
    """What is stored for a post whose columns read back as these (as the store loads them)."""
    return encode(analyse_post(text or "", list(hashtags), paid_flag, settings))


# id(post) -> (post, its text, a copy of its hashtags, its paid flag, {version: stored or decoded}).
# The post is held, so its id cannot be reused while its entry lives; the inputs are checked
# on every lookup, so a post changed after loading is analysed afresh.
_ATTACHED: dict[int, tuple[Any, str, list[str], bool | None, dict[str, Any]]] = {}
_UNDECODED = object()


def attach(entries: list[tuple[Any, dict[str, str | None]]]) -> None:
    """The stored analyses of a batch of freshly loaded posts; replaces the previous batch's."""
    _ATTACHED.clear()
    for post, versions in entries:
        _ATTACHED[id(post)] = (post, post.text, list(post.hashtags), post.paid_flag,
                               {v: (_UNDECODED, s) for v, s in versions.items()})


def detach() -> None:
    _ATTACHED.clear()


def lookup(post: Any, version: str) -> PostAnalysis | None:
    """The stored analysis of ``post`` for ``version``, or None when there is none (or the post changed)."""
    entry = _ATTACHED.get(id(post))
    if entry is None or entry[0] is not post:
        return None
    value = entry[4].get(version)
    if value is None or post.text != entry[1] or post.paid_flag is not entry[3] or post.hashtags != entry[2]:
        return None
    if type(value) is tuple:
        value = decode(value[1])
        entry[4][version] = value
    return value
