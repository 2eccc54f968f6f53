"""Hashtags, @mentions and links found in a post's plain text, with where they sit.

Positions matter for disclosure (a label after the fold or in a hashtag block is not
a label a reader sees), so every finder returns (value, start, end) character spans.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from microscout.heuristics.lazy_regex import compile_on_use

# A hashtag starts after a space or punctuation, never inside a word or a URL fragment.
# The sign comes first and the look-behind checks the character before it
# (same matches as "(?<![\w&/#])#(\w+)"), so the engine can jump from one # to the next.
HASHTAG_RE = compile_on_use(r"#(?<![\w&/#]#)(\w+)")
MENTION_RE = compile_on_use(r"@(?<![\w@/]@)(\w[\w.-]*\w|\w)(?:@[\w.-]+\w)?")
URL_RE = compile_on_use(r"\bhttps?://[^\s<>\"')\]]+", re.IGNORECASE)
# Shorteners people paste without a scheme ("amzn.to/3xY"); anything else needs http(s).
BARE_LINK_RE = compile_on_use(
    r"(?<![\w./])(?:amzn\.to|amzn\.eu|geni\.us|liketk\.it|rstyle\.me|shopmy\.us|bit\.ly)/[^\s<>\"')\]]+",
    re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Span:
    value: str  # without the leading # or @, as written
    start: int
    end: int


def hashtags(text: str) -> list[Span]:
    return [Span(m.group(1), m.start(), m.end()) for m in HASHTAG_RE.finditer(text)]


def mentions(text: str) -> list[Span]:
    return [Span(m.group(1), m.start(), m.end()) for m in MENTION_RE.finditer(text)]


def links(text: str) -> list[Span]:
    found = [Span(m.group(0).rstrip(".,!?;:"), m.start(), m.end()) for m in URL_RE.finditer(text)]
    taken = [(s.start, s.end) for s in found]
    for m in BARE_LINK_RE.finditer(text):
        if not any(a <= m.start() < b for a, b in taken):
            found.append(Span(m.group(0).rstrip(".,!?;:"), m.start(), m.end()))
    return sorted(found, key=lambda s: s.start)


def normalise_tag(tag: str) -> str:
    """'#VeganRecipes' and 'veganrecipes' are the same tag."""
    return tag.strip().lstrip("#").casefold()


def hashtag_blocks(text: str) -> list[list[Span]]:
    """Runs of hashtags with nothing but whitespace and separators between them."""
    blocks: list[list[Span]] = []
    for span in hashtags(text):
        gap = text[blocks[-1][-1].end:span.start] if blocks else None
        if gap is not None and re.fullmatch(r"[\s,.;|·•/-]*", gap):
            blocks[-1].append(span)
        else:
            blocks.append([span])
    return blocks


def sentence_span(text: str, start: int, end: int, prose: bool = False) -> tuple[int, int]:
    """Where the sentence around [start, end) starts and ends: from after the last ".", "!", "?" or line
    break before ``start`` to the first one at or after ``end``. ``prose``: a "." ends a sentence only
    before a space or the end, and not after "Mrs", "Dr", "e.g"… ("@anna.invests.fx", "$1.5k" and
    "Mrs. Anna" are inside one)."""
    if not prose:
        left = max(text.rfind(mark, 0, start) for mark in ".!?\n") + 1
        rights = [i for i in (text.find(mark, end) for mark in ".!?\n") if i >= 0]
        return left, min(rights) if rights else len(text)
    left, right = 0, len(text)
    for m in _SENTENCE_END_RE.finditer(text):
        if m.group() == "." and _ABBREVIATION_RE.search(text, max(0, m.start() - 5), m.start()):
            continue
        if m.start() < start:
            left = m.end()
        elif m.start() >= end:
            right = m.start()
            break
    return left, right


_SENTENCE_END_RE = compile_on_use(r"[!?\n]|\.(?!\S)")
_ABBREVIATION_RE = compile_on_use(r"(?<![\w.])(?:mrs?|ms|dr|st|vs|etc|jr|sr|no|e\.g|i\.e)$", re.IGNORECASE)
