"""Which of a campaign's terms a text uses: its hashtags (from the post's tags or its text)
and its keywords as whole words, case-insensitively. niche_relevance judges on it, and the
store keeps each post's terms per campaign (niche_features) so they are found once."""
from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Callable, Iterable

from pydantic import BaseModel, ConfigDict, Field

from microscout.heuristics import feature_version, lazy_regex
from microscout.heuristics import text as textlib

# Bump when the stored form changes.
FORMAT = "1"

# Posts reuse a handful of tags; normalise each spelling once.
_normalise_tag = lru_cache(maxsize=4096)(textlib.normalise_tag)


class NicheTerms(BaseModel):
    """A campaign's terms: what a post's niche terms are looked for among."""

    model_config = ConfigDict(extra="forbid")

    keywords: list[str] = Field(default_factory=list, description="the campaign's keywords")
    hashtags: list[str] = Field(default_factory=list, description="the campaign's hashtags")


def matcher(keywords: list[str], hashtags: list[str]) -> Callable[..., set[str]]:
    """``terms(text, post_tags=())``: the campaign terms a text (and its tags) uses."""
    tags = {textlib.normalise_tag(h) for h in hashtags if textlib.normalise_tag(h)}
    words = [k.strip() for k in keywords if k.strip()]
    # Each keyword as a whole word; the look-arounds are shared, which matches exactly what
    # "(?<!\w)kw1(?!\w)|(?<!\w)kw2(?!\w)|..." matches, several times faster.
    word_re = (re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)", re.IGNORECASE)
               if words else None)
    normalise, hashtag_re = _normalise_tag, textlib.HASHTAG_RE

    def terms(text: str, post_tags: Iterable[str] = ()) -> set[str]:
        # A hashtag found in the text is \w+ (no space, no #): normalising it is casefold().
        found = {normalise(t) for t in post_tags} | {v.casefold() for v in hashtag_re.findall(text)}
        matched = {"#" + t for t in found & tags}
        if word_re:
            matched |= {m.group(0).casefold() for m in word_re.finditer(text)}
        return matched

    return terms


@lru_cache(maxsize=64)
def _matcher_of(settings_json: str) -> Callable[..., set[str]]:
    settings = NicheTerms.model_validate_json(settings_json)
    return matcher(settings.keywords, settings.hashtags)


@lru_cache(maxsize=1)
def _code_hash() -> str:
    return feature_version.code_hash(__file__, textlib.__file__, lazy_regex.__file__)


@lru_cache(maxsize=256)
def version_of_json(settings_json: str) -> str:
    """The version of a campaign's terms given as their JSON (``NicheTerms.model_dump_json()``)."""
    return feature_version.version(FORMAT, _code_hash(), settings_json)


def settings_version(settings: NicheTerms) -> str:
    return version_of_json(settings.model_dump_json())


def encode(found: set[str]) -> str | None:
    """The stored form: None for a post with no term, else the terms sorted, as JSON."""
    return json.dumps(sorted(found), ensure_ascii=False, separators=(",", ":")) if found else None


def decode(stored: str | None) -> set[str]:
    return set(json.loads(stored)) if stored else set()


def terms_stored(text: str | None, hashtags: list[str], settings: NicheTerms) -> str | None:
    """What is stored for a post whose columns read back as these: its terms."""
    return encode(_matcher_of(settings.model_dump_json())(text or "", hashtags))
