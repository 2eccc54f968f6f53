"""json_depth, the nesting guard run before every json.loads of a crawl, against the regex
scan it replaced (kept here as the reference): the same answer on every text, valid JSON or
not, and still linear on hostile bodies."""
from __future__ import annotations

import itertools
import json
import random
import re
from array import array
from itertools import accumulate

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from microscout.crawlers.parse_common import Malformed, json_depth, load_json, utf8_depth
from tests.cost import cpu_cost

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?', re.S)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")


def reference_depth(text: str) -> int:
    """The former json_depth: strings removed, then everything but brackets."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    if not brackets:
        return 0
    return max(accumulate(array("b", brackets.encode("ascii").translate(_STEPS))))


FUZZ = settings(max_examples=400, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SYNTAX = '"\\[]{}'
# Mostly the characters that matter, some that do not (multi-byte ones, a lone surrogate,
# the letters of escapes), and now and then anything at all.
texts = st.text(alphabet=st.sampled_from([*SYNTAX * 3, "a", " ", "u", "n", "é", "😀", "\ud800", "\n"])
                | st.characters(), max_size=300)
json_values = st.recursive(st.none() | st.integers() | st.text(alphabet=st.sampled_from([*SYNTAX, "a", "é"])
                                                               | st.characters()),
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner,
                                                                                        max_size=4),
                           max_leaves=40)


def sparse(text: str) -> str:
    """The same text after blanks enough that its backslashes are few (json_depth reads
    those another way than a text of little but escapes)."""
    return " " * (40 * len(text)) + text


def test_every_short_text_over_the_syntax_characters():
    for size in range(7):
        for chars in itertools.product(SYNTAX + "x", repeat=size):
            text = "".join(chars)
            assert json_depth(text) == json_depth(sparse(text)) == reference_depth(text), text


@FUZZ
@given(texts)
def test_any_text(text):
    assert json_depth(text) == reference_depth(text)
    assert json_depth(sparse(text)) == reference_depth(sparse(text))


@FUZZ
@given(json_values, st.booleans(), st.integers(min_value=0, max_value=50))
def test_json_documents_whole_and_cut_short(value, ascii_only, cut):
    text = json.dumps(value, ensure_ascii=ascii_only)
    for piece in (text, text[:len(text) * cut // 50], text[len(text) * cut // 50:]):
        assert json_depth(piece) == json_depth(sparse(piece)) == reference_depth(piece)
        assert utf8_depth(piece.encode("utf-8", "surrogatepass")) == reference_depth(piece)


@FUZZ
@given(texts | json_values.map(json.dumps), st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le",
                                                            "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"]))
def test_load_json_refuses_as_deep_what_the_reference_finds_too_deep(text, encoding):
    try:
        body = text.encode(encoding)
    except UnicodeEncodeError:  # a lone surrogate
        return
    try:
        read = body.decode(json.detect_encoding(body)).removeprefix("\ufeff")
    except UnicodeDecodeError:
        read = None
    try:
        load_json(body, max_depth=2)
        too_deep = False
    except Malformed as exc:
        too_deep = exc.kind == "too_deep"
    # (json.loads' own RecursionError is too_deep too, but never at this depth)
    assert too_deep == (read is not None and reference_depth(read) > 2)


@pytest.mark.parametrize("text", [
    "", "]", "][", "]]]", "}{", "[", '"', "\\", '\\"[', '"\\', '"\\"[', '["\\\\"]', '"\\\\\\"[', '[\\', '[\\\\',
    '\\\\"[', '{"a": "\\u005b\\"[", "b": [[1]]}', '"abc', '["abc', '[["\\u00e9]]"]', "é[😀]", "\ud800[",
])
def test_edges(text):
    assert json_depth(text) == json_depth(sparse(text)) == reference_depth(text)


@pytest.mark.parametrize("seed", range(4))
def test_long_texts_whose_strings_run_across_the_pieces_they_are_read_in(seed):
    rnd = random.Random(seed)
    for quotes in (3, 40, 3000):
        chars = rnd.choices("[]{}x", k=300_000)
        for at in rnd.sample(range(len(chars)), quotes):
            chars[at] = rnd.choice(['"', '"', '\\"', "\\"])
        text = "".join(chars)
        assert json_depth(text) == reference_depth(text)


@pytest.mark.parametrize("unit", ["[", '"\\\\', '\\"', '"[\\', "\\", '"', "][", "[]", '"\\u"', 'é"\\"'])
def test_hostile_bodies_stay_linear(unit):
    count = 5_000_000 // len(unit.encode())
    assert json_depth(unit * 1000) == reference_depth(unit * 1000)
    assert cpu_cost(json_depth, unit * count, 1) < 2.0
    small, large = cpu_cost(json_depth, unit * (count // 8), 3), cpu_cost(json_depth, unit * count, 3)
    # eight times the input costs about eight times as much; quadratic would be sixty-four
    assert large < 24 * small + 0.02


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_load_json_measures_wide_bodies_by_their_text(encoding):
    # U+225C is the bytes '\' and '"' in UTF-16 (LE): read as UTF-8, it would escape the quote
    # that closes its string and hide the three levels after it
    body = '["\u225c\u5c22", [[1]]]'.encode(encoding)
    with pytest.raises(Malformed) as info:
        load_json(body, max_depth=2)
    assert info.value.kind == "too_deep"
    assert load_json(body, max_depth=3) == ["\u225c\u5c22", [[1]]]


def test_every_recorded_real_answer_measures_as_the_reference_measures_it(shared_dir):
    # Real servers' answers (../shared/fixtures), as a crawl receives them: bytes, through load_json.
    bodies = sorted((shared_dir / "fixtures").rglob("*.json"))
    assert len(bodies) >= 30
    for path in bodies:
        data = path.read_bytes()
        text = data.decode(json.detect_encoding(data)).removeprefix("\ufeff")
        assert utf8_depth(data.removeprefix(b"\xef\xbb\xbf")) == reference_depth(text) > 0, path
        assert load_json(data) == json.loads(text), path
