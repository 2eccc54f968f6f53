"""The comment pre-check (one scan for every family's trigger strings) never changes what matches."""
from __future__ import annotations

import csv
import functools
import io
import random
import re
import string
import sys

import pytest

from microscout.heuristics import comments as c
from tests.conftest import SHARED
from tests.heuristics.test_comments import FIRES, NEAR_MISSES


def _distinct(named):
    """The detectors of today and before each data set, each once: several data sets were read
    with the same families (and pre-check), and what matches depends on nothing else."""
    by_families: dict = {}
    for name, detector in named:
        key = (tuple(map(id, detector.phrases)), detector.gated, detector.spared)
        by_families.setdefault(key, (detector, []))[1].append(name)
    return [detector for detector, _ in by_families.values()], ["=".join(names) for _, names in by_families.values()]


DETECTORS, DETECTOR_IDS = _distinct([("today", c.DETECTOR), *((name, c.detector_before(name)) for name in c.DATA_SETS)])
# Characters that only the regex engine (not str.lower) folds to ASCII letters, the typographic
# apostrophe, digits and separators that the phone, money and link families read.
ODD = ["İ", "ı", "ſ", "K", "’", "+", "@", ".", " . ", "$", "£", "€", "/", ":", "2:31", "1234", "5678", "-",
       "'", '"']


def corpus(n=3000, seed=5):
    words = [w for text, _ in FIRES + NEAR_MISSES for w in c.clean(text).split()] + ODD
    rnd = random.Random(seed)
    for _ in range(n):
        text = " ".join(rnd.choice(words) for _ in range(rnd.randint(1, 12)))
        if rnd.random() < 0.5:  # odd casing and regex-only case folds
            text = "".join(rnd.choice([ch, ch.upper(), {"i": "ı", "I": "İ", "s": "ſ", "k": "K"}.get(ch, ch)])
                           for ch in text)
        yield text


def _same(detector, text):
    visible = c.clean(text)
    return detector.matches(visible) == detector.matches_without_pre_check(visible)


@pytest.mark.parametrize("detector", DETECTORS, ids=DETECTOR_IDS)
def test_pre_check_never_changes_the_matches(detector):
    texts = [t for t, _ in FIRES + NEAR_MISSES] + list(corpus())
    assert all(_same(detector, text) for text in texts), [t for t in texts if not _same(detector, t)][:5]


def test_pre_check_on_the_labeled_comments():
    folder = SHARED / "data" / "youtube-spam"
    if not folder.is_dir():
        pytest.skip(f"../shared/data/youtube-spam not found: {folder}")
    for path in sorted(folder.glob("*.csv")):
        text = path.read_text(encoding="utf-8-sig").lstrip("\n")
        for row in csv.DictReader(io.StringIO(text)):
            for detector in DETECTORS:
                assert _same(detector, row["CONTENT"]), (path.name, row["CONTENT"])


def test_every_family_fires_through_the_pre_check():
    fired = {p.says for text, _ in FIRES for p, _ in c.DETECTOR.matches(c.clean(text))}
    assert fired == {p.says for p in c.PHRASES}  # and FIRES has an example of each family


def test_triggers_are_what_fold_gives():
    for phrase in (*c.PHRASES, *c.RETIRED):
        assert phrase.triggers and all(t == c.DIGITS or c.fold(t) == t for t in phrase.triggers), phrase.says


def test_fold_covers_every_regex_only_case_fold():
    """Every character that re.IGNORECASE matches with an ASCII letter folds to that letter."""
    every = "".join(map(chr, range(0x80, sys.maxunicode + 1)))
    every = every.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    folded_by_regex = set(re.findall(r"[a-z]", every, re.IGNORECASE))
    assert folded_by_regex  # İ ı ſ K
    for ch in folded_by_regex:
        assert c.fold(ch) in string.ascii_lowercase and re.fullmatch(c.fold(ch), ch, re.IGNORECASE), hex(ord(ch))


@pytest.mark.parametrize("text", [
    "This reminds me of the summer we spent in Lisbon",
    "what a voice, she sings so well at the end",
    "the colours in this one are great, what lens did you use for it",
])
def test_a_comment_without_any_signal_costs_one_scan(text):
    assert not c.DETECTOR.triggers.fires(c.fold(c.clean(text)))


# --- texts drawn from each family's own regex ---------------------------------------------

@functools.lru_cache(maxsize=None)
def _parsed(pattern: re.Pattern[str]):
    from re import _parser

    return _parser.parse(pattern.pattern, pattern.flags)


_POOL = string.ascii_letters + string.digits + " .,!?:'\"@#$£€/-_+&()" + "éíîİıſK٣₹"


@functools.lru_cache(maxsize=None)
def _category():
    """The pool's characters in each of the regex engine's categories (\\d, \\w, ...)."""
    from re import _constants as k

    return {cat: {ch for ch in _POOL if re.fullmatch(rx, ch)} for cat, rx in (
        (k.CATEGORY_DIGIT, r"\d"), (k.CATEGORY_WORD, r"\w"), (k.CATEGORY_SPACE, r"\s"),
        (k.CATEGORY_NOT_DIGIT, r"\D"), (k.CATEGORY_NOT_WORD, r"\W"), (k.CATEGORY_NOT_SPACE, r"\S"))}


_IN_CHOICES: dict[int, tuple[list, list[str]]] = {}


def _in_choices(items) -> list[str]:
    """The pool's characters a character class (the parsed IN items) accepts, worked out once per
    class: the parse trees are cached (_parsed), so a class is the same list object every time."""
    cached = _IN_CHOICES.get(id(items))
    if cached is not None and cached[0] is items:
        return cached[1]
    from re import _constants as k

    category = _category()
    negate = any(op is k.NEGATE for op, _ in items)

    def inside(ch):
        return any((op is k.LITERAL and ord(ch) == av) or (op is k.RANGE and av[0] <= ord(ch) <= av[1])
                   or (op is k.CATEGORY and ch in category[av]) for op, av in items)
    choices = [ch for ch in _POOL if inside(ch) != negate]
    _IN_CHOICES[id(items)] = (items, choices)  # holds items, so its id is not reused
    return choices


def sample(pattern: re.Pattern[str], rnd: random.Random) -> str:
    """A random string built from the regex's parse tree (a lookahead's text written out, the other
    look-arounds ignored, so it may not match: callers keep the ones that do), in random case with
    the regex-only case folds."""
    from re import _constants as k

    pool = _POOL

    def pick_in(items) -> str:
        choices = _in_choices(items)
        return rnd.choice(choices) if choices else ""

    def walk(tree) -> str:
        out = []
        for op, av in tree:
            if op is k.LITERAL:
                out.append(chr(av))
            elif op is k.NOT_LITERAL:
                out.append(rnd.choice([ch for ch in pool if ord(ch) != av]))
            elif op is k.ANY:
                out.append(rnd.choice(pool))
            elif op is k.IN:
                out.append(pick_in(av))
            elif op is k.BRANCH:
                out.append(walk(rnd.choice(av[1])))
            elif op is k.SUBPATTERN:
                out.append(walk(av[3]))
            elif op in (k.MAX_REPEAT, k.MIN_REPEAT, k.POSSESSIVE_REPEAT):
                low, high, sub = av
                out.extend(walk(sub) for _ in range(rnd.randint(low, min(high, low + 3))))
            elif op is k.ATOMIC_GROUP:
                out.append(walk(av))
            elif op is k.ASSERT and av[0] == 1 and [o for o, _ in av[1]] != [k.IN]:
                out.append(f" {walk(av[1])} ")  # a lookahead's text, written out apart, matches more often
            elif op in (k.AT, k.ASSERT, k.ASSERT_NOT):
                continue
            else:
                raise AssertionError(f"sample(): add {op}")
        return "".join(out)

    text = walk(_parsed(pattern))
    flips = {"i": "İı", "I": "İı", "s": "ſ", "S": "ſ", "k": "K", "K": "K"}
    return "".join(rnd.choice([ch, ch.swapcase(), *flips.get(ch, "")]) if rnd.random() < 0.3 else ch
                   for ch in text)


@pytest.mark.parametrize("phrase", [*c.PHRASES, *c.RETIRED], ids=lambda p: p.says[:40])
def test_every_text_a_family_matches_holds_one_of_its_triggers(phrase):
    digits = re.compile(c._DIGIT_RUN)
    rnd = random.Random(phrase.says)
    matched = tried = 0
    while tried < 500 or (matched < 25 and tried < 3000):  # families with more parts need more draws
        tried += 1
        # a gated family's text holds its quote and each of its gates
        parts = [sample(phrase.pattern, rnd), *(sample(gate, rnd) for gate in phrase.gates)]
        text = " ".join(" ".join(rnd.sample(parts, len(parts))).split())  # clean() leaves single spaces
        if not phrase.fire(text):
            continue
        matched += 1
        folded = c.fold(text)
        assert any(digits.search(folded) if t == c.DIGITS else t in folded for t in phrase.triggers), text
    assert matched >= 25  # the samples do reach the family


# --- a gated family's look-ahead for its first characters ----------------------------------

def _first(seq) -> tuple[set[str], bool]:
    """The characters (lower-cased; "ANY" for any) a match of the parsed ``seq`` can start with, and
    whether it can match the empty string."""
    from re import _constants as k

    out: set[str] = set()
    for op, av in seq:
        if op is k.LITERAL:
            chars, empty = {chr(av).lower()}, False
        elif op in (k.NOT_LITERAL, k.ANY):
            chars, empty = {"ANY"}, False
        elif op is k.IN:
            chars, empty = set(), False
            for o, a in av:
                if o is k.LITERAL:
                    chars.add(chr(a).lower())
                elif o is k.RANGE:
                    chars |= {chr(x).lower() for x in range(a[0], a[1] + 1)} if a[1] - a[0] < 200 else {"ANY"}
                elif o is k.CATEGORY:
                    chars |= set(string.digits) if a is k.CATEGORY_DIGIT else {"ANY"}
                else:  # a negated class
                    chars = {"ANY"}
        elif op is k.BRANCH:
            chars, empty = set(), False
            for branch in av[1]:
                c_, e_ = _first(branch)
                chars, empty = chars | c_, empty or e_
        elif op is k.SUBPATTERN:
            chars, empty = _first(av[-1])
        elif op is k.ATOMIC_GROUP:
            chars, empty = _first(av)
        elif op in (k.MAX_REPEAT, k.MIN_REPEAT, k.POSSESSIVE_REPEAT):
            chars, empty = _first(av[2])
            empty = empty or av[0] == 0
        elif op in (k.AT, k.ASSERT, k.ASSERT_NOT):
            chars, empty = set(), True
        elif op is k.CATEGORY:
            chars, empty = (set(string.digits) if av is k.CATEGORY_DIGIT else {"ANY"}), False
        else:
            raise AssertionError(f"_first(): add {op}")
        out |= chars
        if not empty:
            return out, False
    return out, True


@pytest.mark.parametrize("phrase", [p for p in c.PHRASES if p.gates or p.unless_warned], ids=lambda p: p.says[:40])
def test_a_gated_familys_look_ahead_holds_every_character_it_can_start_with(phrase):
    """_gated puts a look-ahead for the quote's first characters in front of it (a speed-up); a
    character missing there would lose every match that starts with it."""
    from re import _parser

    source = phrase.pattern.pattern
    assert source.startswith("(?=[") and "])(?:" in source
    letters, rest = source[len("(?=["):].split("])(?:", 1)
    allowed, _ = _first(_parser.parse(f"[{letters}]", re.IGNORECASE))
    first, empty = _first(_parser.parse(f"(?:{rest}", re.IGNORECASE))
    assert not empty and "ANY" not in first and first <= allowed, sorted(first - allowed)


@pytest.mark.parametrize("pattern", ["_WARNING_RE", "_QUOTATION_RE", "_RECOMMENDS_RE", "_REPORTED_RE"])
def test_the_warning_checks_look_ahead_holds_every_character_they_can_start_with(pattern):
    """warned() searches each pattern led by a look-ahead for its first characters, as _gated does."""
    from re import _parser

    source = getattr(c, pattern).pattern
    letters, rest = source[len("(?=["):].split("])(?:", 1)
    allowed, _ = _first(_parser.parse(f"[{letters}]", re.IGNORECASE))
    first, empty = _first(_parser.parse(f"(?:{rest}", re.IGNORECASE))
    assert not empty and "ANY" not in first and first <= allowed, sorted(first - allowed)


def labeled_comments() -> list[str]:
    """The labeled YouTube comments in ../shared/data/youtube-spam, when there."""
    folder = SHARED / "data" / "youtube-spam"
    texts = []
    for path in sorted(folder.glob("*.csv")) if folder.is_dir() else []:
        text = path.read_text(encoding="utf-8-sig").lstrip("\n")
        texts += [row["CONTENT"] for row in csv.DictReader(io.StringIO(text))]
    return texts


TAIL_TEXTS = ["like this if you agree", "LIKE THIS IF", "lİke if", "lıke if", "liKe this if you love it", "Like if",
              "thumbs up if you're watching in 2015", "THUMB UP FOR", "thumbs it up if", "thumbs this up for me",
              "thumb\nup if", "like  this if", "i like it", "love it", "love this so much wow", "nice", "nice one",
              "omg yes", "omg yes this is the best song ever", "@anna like this if", "like@x this if", "so good",
              "great video man, love it", "this is so good and I mean it a lot", "🔥🔥🔥", "",
              "wow wow wow wow wow wow"]


@pytest.mark.parametrize("thresholds", [c.CommentThresholds(), c.CommentThresholds(short_words=0, praise_words=12),
                                        c.CommentThresholds(short_words=5, praise_words=0)])
def test_the_tails_pre_checks_never_change_a_verdict(monkeypatch, thresholds):
    """Stock praise looked for only in a comment short enough for it to decide, engagement bait only
    where "like" or "thumb" is (as fold() writes the text): the same verdicts as looking every time."""
    texts = TAIL_TEXTS + [t for t, _ in FIRES + NEAR_MISSES] + list(corpus()) + [
        " ".join(random.Random(i).choice(TAIL_TEXTS + ODD) for _ in range(random.Random(-i).randint(1, 6)))
        for i in range(2000)] + labeled_comments()
    classify = c._classify.__wrapped__  # no cache between the two sides

    def verdicts():
        return [classify(t, thresholds.short_words, thresholds.praise_words, c.DETECTOR) for t in texts]

    fast = verdicts()
    monkeypatch.setattr(c, "_TAIL_PRECHECKS", False)
    plain = verdicts()
    assert fast == plain, [t for t, a, b in zip(texts, fast, plain) if a != b][:5]
    assert {v[0] for v in plain} == {"spam", "generic", "genuine"}
    assert any("engagement bait" in r for v in plain for r in v[1])
    assert any("generic praise" in r for v in plain for r in v[1]) == bool(thresholds.praise_words)
