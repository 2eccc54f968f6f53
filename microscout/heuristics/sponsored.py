"""Is a post sponsored, and is it disclosed well enough for a reader to notice?

Signals and label lists follow shared/DOMAIN.md (FTC Disclosures 101, FTC 2023 Guides,
UK ASA/CMA, Ireland ASAI). A post is sponsored when it carries a disclosure label, the
platform's paid-partnership flag, or a commercial signal. Disclosure is then judged on
wording (adequate vs weak labels) and placement (before the fold, outside a hashtag
block, in the visible text).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Literal

from pydantic import BaseModel, ConfigDict, Field

from microscout.heuristics import text as textlib

Disclosure = Literal["adequate", "weak", "late", "buried", "missing", "not_needed"]
DISCLOSURES: tuple[Disclosure, ...] = ("adequate", "weak", "late", "buried", "missing", "not_needed")

ADEQUATE_TAGS = frozenset({"ad", "ads", "advert", "advertisement", "sponsored", "paid", "paidpartnership",
                           "paidad", "sponsoredpost"})
# Brand-specific labels (#NikePartner, #GlossierAmbassador) are adequate; the bare word is not.
BRAND_LABEL_RE = re.compile(r"^\w+(partner|ambassador)$", re.IGNORECASE)
WEAK_TAGS = frozenset({"sp", "spon", "collab", "partner", "ambassador"})
# Weak tags that on their own still say "this is paid"; #collab/#partner could be a friend.
SPONSORSHIP_TAGS = frozenset({"sp", "spon", "ambassador"})

ADEQUATE_PHRASE_RE = re.compile(
    r"\bpaid partnership\b|\bsponsored by\b|\badvertisement\b|(?:^|[\[(|])\s*ad\s*(?:[\]):|]|$)",
    re.IGNORECASE | re.MULTILINE)
# "thanks @glowco" or "Thanks Glowco!": a capitalised name stands for the brand when there is no @.
THANKS_RE = re.compile(r"\b(?i:thanks?(?: you)?(?: so much)?(?: to)?)\s+(?:@\w[\w.-]*\w|[A-Z][\w&'-]+)")

DISCOUNT_RE = re.compile(
    r"\b(?:use|with|enter|apply)\s+(?:my\s+|the\s+|our\s+)?(?:promo\s+|discount\s+|coupon\s+)?code\s*:?\s*[\"'“]?[A-Za-z0-9][\w-]{2,}"
    r"|\b(?:promo|discount|coupon)\s+code\s*:?\s*[\"'“]?[A-Za-z0-9][\w-]{2,}"
    r"|\bcode\s*:?\s*[\"'“]?[A-Za-z0-9][\w-]{2,}[\"'”]?\s+(?:for|to get|gets you|saves you)\s+\d+\s*(?:%|percent)(?:\s+off)?",
    re.IGNORECASE)
LINK_IN_BIO_RE = re.compile(r"\blink (?:is )?in (?:my )?(?:bio|profile)\b|#linkinbio\b", re.IGNORECASE)
# "gifted" only where it describes the post's product: "a gifted musician" is not an ad.
GIFTED_RE = re.compile(
    r"#gifted\b|[(*\[]\s*gifted\b|^\s*gifted\b|\bgifted\s*(?:by|from|to me|item|product)\b"
    r"|\b(?:was|were|been|got|kindly)\s+gifted\b|\bpr (?:package|box|haul|gift|parcel)s?\b|\bc/o\b"
    r"|\bsent (?:to )?me\b|\bkindly sent\b", re.IGNORECASE | re.MULTILINE)
COMMERCIAL_WORDING_RE = re.compile(
    r"\bshop (?:now|the|my|it|here)\b|\bbuy (?:now|it|yours|here)\b|\bavailable (?:at|from|on)\b"
    r"|\bget yours\b|\border (?:now|yours|here)\b|\b\d+\s*% off\b|\bdiscount\b|\bpartner(?:ed|ing)? with\b"
    r"|\bin collaboration with\b|\bsale\b|\bmy link\b|\bpromo\b|\bcheck out @", re.IGNORECASE)
# What every match of ADEQUATE_PHRASE_RE's last alternative ("[ad]", "(ad)", "AD:") contains:
# a cheap test that skips the full pattern on posts that merely contain "made" or "bread".
_BARE_AD_RE = re.compile(r"ad\s*(?:[\]):|]|$)", re.IGNORECASE | re.MULTILINE)
AFFILIATE_QUERY_RE = re.compile(r"[?&](?:utm_[a-z]+|ref|aff|aff_id|affid|affiliate|affiliate_id|tag|irclickid|clickref)=",
                                re.IGNORECASE)
AFFILIATE_PATH_RE = re.compile(r"/(?:aff|affiliate|affiliates|ref|go)/", re.IGNORECASE)


class SponsoredSettings(BaseModel):
    """Thresholds of the sponsored-post and disclosure detectors."""

    model_config = ConfigDict(extra="forbid")

    fold_chars: int = Field(
        125, ge=1,
        description="Characters shown before a caption is cut off at 'more'; a label ending after it is "
                    "'late'. Default 125: Instagram's truncation point (DOMAIN.md, FTC/ASA placement guidance).")
    hashtag_block_min: int = Field(
        5, ge=2,
        description="A run of at least this many hashtags (not opening the post) buries a label placed "
                    "in it. Default 5 (DOMAIN.md: 'a label buried in a block of hashtags').")
    affiliate_domains: list[str] = Field(
        default_factory=lambda: ["amzn.to", "amzn.eu", "geni.us", "liketk.it", "rstyle.me", "shopmy.us",
                                 "shopstyle.it", "go.magik.ly", "howl.me", "fave.co", "prf.hn", "awin1.com",
                                 "tidd.ly", "shareasale.com", "click.linksynergy.com", "go.skimresources.com",
                                 "anrdoezrs.net", "dpbolvw.net", "jdoqocy.com", "kqzyfj.com", "tkqlhce.com"],
        description="Link hosts that are affiliate networks or affiliate shorteners. Default: the common "
                    "networks (Amazon Associates, LTK, ShopMy, Awin, CJ, Impact, Skimlinks); utm_/ref=/aff "
                    "links are detected regardless (DOMAIN.md: 'affiliate/UTM links').")
    link_in_bio_alone: bool = Field(
        False,
        description="Whether 'link in bio' alone makes a post sponsored. Default false: creators point to "
                    "their own work that way too, so it counts only beside another signal or a brand "
                    "@mention (DOMAIN.md lists it as a commercial signal, not a proof).")


SETTINGS_DESCRIPTION = ("How sponsored posts and labels are recognised, as a table of its own. Default: the "
                        "SponsoredSettings defaults (fold at 125 characters, a block of 5 hashtags buries a "
                        "label, the common affiliate networks), each documented there.")


@dataclass(frozen=True)
class PostAnalysis:
    sponsored: bool
    signals: list[tuple[str, str]] = field(default_factory=list)  # (kind, matched text)
    adequate_labels: list[str] = field(default_factory=list)
    weak_labels: list[str] = field(default_factory=list)
    disclosure: Disclosure = "not_needed"
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Label:
    text: str
    start: int | None  # None: only in the post's tag metadata, not in the visible text
    end: int | None


SCHEME_RE = re.compile(r"^[a-z]+://", re.IGNORECASE)
# Under IGNORECASE the regex engine also matches these to ASCII letters ("ſale" is "sale")
# though str.lower() does not give that letter: the only three in Unicode. _folded maps them
# so the cheap "is the word there at all" checks below never miss a match.
_REGEX_CASE_FOLDS = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s"})


def _folded(text: str) -> str:
    """Lower-cased text in which every case-insensitive match of an ASCII word shows as that word."""
    if text.isascii():
        return text.lower()
    return text.translate(_REGEX_CASE_FOLDS).lower()


def _domain(url: str) -> str:
    host = SCHEME_RE.sub("", url).split("/", 1)[0].split("?", 1)[0]
    return host.lower().removeprefix("www.")


@lru_cache(maxsize=64)
def _lowered_domains(domains: tuple[str, ...]) -> frozenset[str]:
    return frozenset(d.lower() for d in domains)


def _affiliate_links(text: str, settings: SponsoredSettings) -> list[str]:
    if "/" not in text:  # every link pattern needs one
        return []
    domains = _lowered_domains(tuple(settings.affiliate_domains))
    found = []
    for link in textlib.links(text):
        host = _domain(link.value)
        if (host in domains or any(host.endswith("." + d) for d in domains)
                or AFFILIATE_QUERY_RE.search(link.value) or AFFILIATE_PATH_RE.search(link.value)):
            found.append(link.value)
    return found


def commercial_signals(text: str, paid_flag: bool | None = None,
                       settings: SponsoredSettings | None = None) -> list[tuple[str, str]]:
    """Every commercial signal in a post, as (kind, matched text)."""
    settings = settings or SponsoredSettings()
    return _commercial_signals(text, _folded(text), paid_flag, settings)


def _commercial_signals(text: str, low: str, paid_flag: bool | None,
                        settings: SponsoredSettings) -> list[tuple[str, str]]:
    # ``low`` is _folded(text). Each regex runs only when a word every one of its matches
    # contains is in the text: the result is the same, most posts skip most regexes.
    signals: list[tuple[str, str]] = []
    if paid_flag:
        signals.append(("paid_flag", "platform paid-partnership flag"))
    if "code" in low:
        signals += [("discount_code", m.group(0)) for m in DISCOUNT_RE.finditer(text)]
    signals += [("affiliate_link", url) for url in _affiliate_links(text, settings)]
    mentioned = textlib.mentions(text) if "@" in text else []
    if "gifted" in low or "pr " in low or "c/o" in low or "sent" in low:
        for m in GIFTED_RE.finditer(text):
            # "my sister sent me this" is not an ad; "@brand sent me" is.
            if m.group(0).lower().startswith("sent") and not mentioned:
                continue
            signals.append(("gifted", m.group(0)))
    if mentioned:
        wording = COMMERCIAL_WORDING_RE.search(text)
        if wording:
            signals.append(("brand_mention", f"@{mentioned[0].value} … {wording.group(0)}"))
    if "link" in low:
        bio = LINK_IN_BIO_RE.search(text)
        if bio and (settings.link_in_bio_alone or signals or mentioned):
            signals.append(("link_in_bio", bio.group(0)))
    return signals


# Posts reuse a handful of tags; normalise each spelling once.
_normalise_tag = lru_cache(maxsize=4096)(textlib.normalise_tag)


def _brand_label(key: str) -> bool:
    """BRAND_LABEL_RE.match(key) for a normalised (casefolded, stripped) tag."""
    # A casefolded key matching the pattern ends in the very letters "partner" or "ambassador".
    return key.endswith(("partner", "ambassador")) and BRAND_LABEL_RE.match(key) is not None


def _labels(text: str, hashtags: Iterable[str], low: str | None = None) -> tuple[list[_Label], list[_Label]]:
    if low is None:
        low = _folded(text)
    adequate: list[_Label] = []
    weak: list[_Label] = []
    in_text = set()
    # (value, start, end) of textlib.hashtags(text), without building a Span for each.
    text_tags = ([(m.group(1), m.start(), m.end()) for m in textlib.HASHTAG_RE.finditer(text)]
                 if "#" in text else [])
    for value, start, end in text_tags:
        key = value.casefold()  # normalise_tag of a \w+ tag found in the text
        in_text.add(key)
        if key in ADEQUATE_TAGS or (_brand_label(key) and key not in WEAK_TAGS):
            adequate.append(_Label("#" + value, start, end))
        elif key in WEAK_TAGS:
            weak.append(_Label("#" + value, start, end))
    for tag in hashtags:
        key = _normalise_tag(tag)
        if not key or key in in_text:
            continue
        if key in ADEQUATE_TAGS or (_brand_label(key) and key not in WEAK_TAGS):
            adequate.append(_Label("#" + tag.strip().lstrip("#"), None, None))
        elif key in WEAK_TAGS:
            weak.append(_Label("#" + tag.strip().lstrip("#"), None, None))
    tag_spans = [(start, end) for _, start, end in text_tags]
    if ("paid partnership" in low or "sponsored by" in low or "advertisement" in low
            or ("ad" in low and _BARE_AD_RE.search(text))):
        adequate += [_Label(m.group(0).strip(" [](|:"), m.start(), m.end())
                     for m in ADEQUATE_PHRASE_RE.finditer(text)
                     if not any(a <= m.start() < b for a, b in tag_spans)]
    if "thank" in low:
        weak += [_Label(m.group(0), m.start(), m.end()) for m in THANKS_RE.finditer(text)]
    # Usually none or one of each: nothing to sort.
    return (sorted(adequate, key=_position) if len(adequate) > 1 else adequate,
            sorted(weak, key=_position) if len(weak) > 1 else weak)


def _position(label: _Label) -> int:
    return label.start if label.start is not None else 10**9


def _buried_in(label: _Label, text: str, settings: SponsoredSettings) -> int:
    """Size of the hashtag block burying the label, or 0 when it stands where readers see it."""
    if label.start is None:
        return 0
    for block in textlib.hashtag_blocks(text):
        opens_post = not text[:block[0].start].strip()
        if (len(block) >= settings.hashtag_block_min and not opens_post
                and any(s.start == label.start for s in block)):
            return len(block)
    return 0


def _placement(label: _Label, text: str, settings: SponsoredSettings) -> tuple[Disclosure, str | None]:
    if label.start is None:
        return "buried", (f"label \"{label.text}\" is only in the post's tag list, not in the text "
                          f"readers see")
    block = _buried_in(label, text, settings)
    if block:
        return "buried", f"label \"{label.text}\" is buried in a block of {block} hashtags"
    if label.end > settings.fold_chars:
        return "late", (f"label \"{label.text}\" ends at character {label.end}, after the first "
                        f"{settings.fold_chars} shown before \"more\"")
    return "adequate", None


def analyse_post(text: str, hashtags: Iterable[str] = (), paid_flag: bool | None = None,
                 settings: SponsoredSettings | None = None) -> PostAnalysis:
    """Commercial signals, labels and a disclosure verdict for one post."""
    settings = settings or SponsoredSettings()
    text = text or ""
    low = _folded(text)
    signals = _commercial_signals(text, low, paid_flag, settings)
    adequate, weak = _labels(text, hashtags, low)
    sponsorship_weak = [w for w in weak if textlib.normalise_tag(w.text) in SPONSORSHIP_TAGS]
    sponsored = bool(signals or adequate or sponsorship_weak)
    adequate_texts = [a.text for a in adequate]
    weak_texts = [w.text for w in weak]
    if not sponsored:
        return PostAnalysis(False, signals, adequate_texts, weak_texts, "not_needed", [])

    problems: list[str] = []
    if adequate:
        placements = [_placement(a, text, settings) for a in adequate]
        if any(p == "adequate" for p, _ in placements):
            disclosure: Disclosure = "adequate"
        else:
            # The best-placed label decides: a late label is still seen by a reader who taps "more".
            disclosure = "late" if any(p == "late" for p, _ in placements) else "buried"
            problems += [msg for _, msg in placements if msg]
    elif weak:
        disclosure = "weak"
        quoted = ", ".join(f"\"{w}\"" for w in weak_texts)
        problems.append(f"only weak label {quoted}; readers need a clear label such as #ad or #sponsored "
                        f"(FTC, ASA)")
    else:
        disclosure = "missing"
        shown = "; ".join(f"{kind.replace('_', ' ')} \"{matched}\"" for kind, matched in signals)
        problems.append(f"undisclosed ad: {shown} with no #ad, #sponsored or \"Paid partnership\" label")
    return PostAnalysis(True, signals, adequate_texts, weak_texts, disclosure, problems)
