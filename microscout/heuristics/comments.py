"""Is a comment spam, generic or genuine? Phrase and shape rules, each firing with a reason.

Spam is self-promotion: links, "check out my channel", "subscribe", follow-for-follow.
Generic is engagement without content (HypeAuditor's alarm is 50%+ of comments): emoji
only, mention only, very short, or short stock praise ("love this", "nice pic").
Spam wins over generic; anything else is genuine.

The phrases were written while reading the Psy and LMFAO files of the UCI YouTube Spam
Collection (calibration) and are reported on KatyPerry (held out, unread); see
docs/HEURISTICS.md.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

CommentClass = Literal["genuine", "generic", "spam"]
COMMENT_CLASSES: tuple[CommentClass, ...] = ("genuine", "generic", "spam")

LINK = re.compile(r"https?://\S+|www\.\S+|\b[\w-]+\.(?:com|net|org|ly|co|io|be|tv|me|info|gl|se|us)/\S*",
                  re.IGNORECASE)
# Self-promotion wording; each pattern is a reason when it matches.
PROMO = [re.compile(p, re.IGNORECASE) for p in (
    r"\bcheck (?:out )?(?:my|our)\b",
    r"\bcheck (?:it|this|them) out\b",
    r"\bcheck out this (?:video|playlist|channel)\b",
    r"\b(?:take a look at|look at) (?:my|this video)\b",
    r"\b(?:subscribe|subscribers|sub)\b",
    r"\bsub ?(?:4|for) ?sub\b",
    r"\bmy (?:new )?(?:channel|video|videos|page|music|song|songs|cover|blog|instagram|youtube|twitter)\b",
    r"\bfollow (?:me|back|4 follow|for follow)\b",
    r"\bf4f\b|\bl4l\b",
    r"\blike this comment\b",
    r"\b(?:please|pls|plz) (?:like|follow|share|visit|help)\b",
    r"\badd me\b",
    r"\bvisit (?:my|our)\b",
    r"\bi (?:just )?(?:started|made|uploaded) (?:a|my)\b",
    r"\bnew (?:youtube|yt) ?(?:channel|r)\b",
    r"\bgive (?:it|me|my \w+) a (?:chance|try|listen)\b",
    r"\bmake money\b|\bfree (?:gift|iphone|money)\b|\bearn \$",
)]
PRAISE = re.compile(
    r"\b(?:love (?:this|it|you)|loves? it|nice|great|awesome|amazing|beautiful|cute|cool|wow+|"
    r"best(?: \w+)? ever|so good|gorgeous|perfect|fire|lit|good (?:job|song|video)|"
    r"super|fantastic|omg|lol|yes+|like it)\b", re.IGNORECASE)
# One scan that fails exactly when every PROMO pattern fails (same flags, no groups to
# renumber), so a comment without self-promotion costs one search instead of one per pattern.
ANY_PROMO = re.compile("|".join(f"(?:{p.pattern})" for p in PROMO), re.IGNORECASE)
MENTION = re.compile(r"@[\w.]+")
WORD = re.compile(r"[^\W_]+", re.UNICODE)
TAGS = re.compile(r"<[^>]+>")


class CommentThresholds(BaseModel):
    """Shape limits of a generic comment."""

    model_config = ConfigDict(extra="forbid")

    short_words: int = Field(2, ge=0, description="A comment of at most this many words is 'very short' "
                             "and generic (DOMAIN.md: emoji-only / 'love this' comments; calibrated).")
    praise_words: int = Field(5, ge=0, description="Stock praise in a comment of at most this many words "
                              "makes it generic: the praise is all it says (calibrated).")


@dataclass(slots=True)
class CommentVerdict:
    label: CommentClass
    reasons: list[str] = field(default_factory=list)
    matched: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"class": self.label, "reasons": self.reasons, "matched": self.matched}


def clean(text: str) -> str:
    """Visible text: HTML entities and tags (YouTube exports keep them) and BOMs removed."""
    text = text or ""
    if "&" in text:  # html.unescape changes nothing without one
        text = html.unescape(text)
    text = text.replace("\ufeff", " ")
    if "<" in text:  # no tag without one
        text = TAGS.sub(" ", text)
    return " ".join(text.split())


def classify_comment(text: str, t: CommentThresholds | None = None) -> CommentVerdict:
    t = t or CommentThresholds()
    # Audiences repeat themselves ("🔥🔥🔥", "Love this!"): each distinct text is judged once.
    label, reasons, matched = _classify(text or "", t.short_words, t.praise_words)
    return CommentVerdict(label, list(reasons), list(matched))


@lru_cache(maxsize=8192)
def _classify(text: str, short_words: int, praise_words: int) -> tuple[CommentClass, tuple[str, ...],
                                                                        tuple[str, ...]]:
    visible = clean(text)
    reasons: list[str] = []
    matched: list[str] = []
    m = LINK.search(visible)
    if m:
        reasons.append("contains a link")
        matched.append(m.group(0))
    if ANY_PROMO.search(visible):
        for pattern in PROMO:
            m = pattern.search(visible)
            if m:
                reasons.append(f"self-promotion wording {m.group(0)!r}")
                matched.append(m.group(0))
    if reasons:
        return "spam", tuple(reasons), tuple(matched)
    without_mentions = MENTION.sub(" ", visible) if "@" in visible else visible
    words = WORD.findall(without_mentions)
    if not words:
        if MENTION.search(visible):
            return "generic", ("only mentions other accounts",), tuple(MENTION.findall(visible))
        return "generic", ("emoji or punctuation only" if visible else "empty",), (visible,)
    if len(words) <= short_words:
        return "generic", (f"very short: {len(words)} word(s) (at most {short_words})",), (visible,)
    praise = PRAISE.search(without_mentions)
    if praise and len(words) <= praise_words:
        return "generic", (f"stock praise {praise.group(0)!r} in {len(words)} words "
                           f"(at most {praise_words})",), (praise.group(0),)
    return "genuine", (), ()
