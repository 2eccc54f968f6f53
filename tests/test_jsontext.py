"""microscout.jsontext: the JSON text verdict evidence and stored features are written in."""
from __future__ import annotations

import dataclasses
import enum
import json
from collections import Counter
from datetime import datetime, timezone
from typing import NamedTuple

import pytest

from microscout import jsontext


def json_module(value):
    """What the shortlist wrote before orjson: the json module, default=str, UTF-8 unescaped."""
    return json.dumps(value, default=str, ensure_ascii=False)


class Colour(str, enum.Enum):
    RED = "red"


@dataclasses.dataclass
class Point:
    x: int


class Pair(NamedTuple):
    first: int
    second: str


class Share(float):
    """As numpy.float64 is: a float subclass."""


EVIDENCE = [
    {"engagement_rate": 0.066339, "posts": 12, "post_ids": ["at://did:plc:abc/app.bsky.feed.post/3k"], "tier": None},
    {"counts": {"genuine": 79, "generic": 16}, "ci95": [0.1064, 0.2562], "ok": True, "ratio": -0.0},
    {"matched": ["Absolutely gorgeous!! 😻", "très bien", "line\u2028break", 'quote " and \\ slash']},
    {"big": 2 ** 63 - 1, "small": -(2 ** 63), "float": 1e16, "tiny": 1e-05, "ints": (1, 2, 3)},
    {"when": datetime(2026, 11, 1, 12, 0, tzinfo=timezone.utc), "point": Point(1), "colour": Colour.RED,
     "set": {1}, "counter": Counter(a=2)},
    {"pair": Pair(1, "a"), "pairs": [Pair(2, "b")], "share": Share(0.25)},
]


@pytest.mark.parametrize("evidence", EVIDENCE, ids=range(len(EVIDENCE)))
def test_dumps_writes_the_json_value_the_json_module_wrote(evidence):
    text = jsontext.dumps(evidence)
    assert json.loads(text) == json.loads(json_module(evidence))


def test_namedtuples_are_arrays_and_float_subclasses_numbers_as_the_json_module_wrote_them():
    assert jsontext.dumps({"pair": Pair(1, "a"), "share": Share(0.25)}) == '{"pair":[1,"a"],"share":0.25}'


def test_datetimes_and_dataclasses_are_written_as_str_like_the_json_module_did():
    value = {"when": datetime(2026, 11, 1, 12, 0, tzinfo=timezone.utc), "point": Point(1)}
    assert json.loads(jsontext.dumps(value)) == {"when": "2026-11-01 12:00:00+00:00", "point": "Point(x=1)"}


@pytest.mark.parametrize("value", [{1: "int key"}, {"n": 2 ** 64}, {"text": "lone \ud800 surrogate"}],
                         ids=["non-str key", "beyond 64 bits", "lone surrogate"])
def test_what_orjson_refuses_is_written_by_the_json_module(value):
    assert jsontext.dumps(value) == json_module(value)


def test_characters_stay_themselves():
    assert jsontext.dumps(["😻 très"]) == '["😻 très"]'


def test_text_is_compact():
    assert jsontext.dumps({"a": [1, 2], "b": "c"}) == '{"a":[1,2],"b":"c"}'


def test_loads_reads_both_spacings():
    assert jsontext.loads('{"a": [1, 2]}') == jsontext.loads('{"a":[1,2]}') == {"a": [1, 2]}


@pytest.mark.parametrize("value, written", [
    ({"nan": float("nan"), "inf": float("inf"), "nested": {1: "int key"}},
     {"nan": None, "inf": None, "nested": {"1": "int key"}}),
    ({1: [float("-inf"), (2.5, float("nan"))]}, {"1": [None, [2.5, None]]}),
    ({"n": 2 ** 64, "x": float("nan")}, {"n": 2 ** 64, "x": None}),
])
def test_non_finite_floats_are_null_where_the_json_module_writes_the_rest(value, written):
    # What a plugin's evidence may hold beside a key orjson refuses: the text stays JSON that
    # any strict reader accepts (the json module would have written NaN and Infinity).
    text = jsontext.dumps(value)
    assert json.loads(text, parse_constant=lambda name: pytest.fail(f"{name} is not JSON")) == written
