"""JSON text for what a shortlist writes and reads in bulk: verdict evidence, stored features.

A run encodes ten verdicts' evidence for every candidate and decodes the stored features it
reads; with the json module that was a sixth of a run's CPU. orjson encodes ~10x and decodes
~3x faster. Its text is compact (no space after ``:`` and ``,``) and is the same JSON value
the json module writes, with three differences readers never meet in the built-in rules'
evidence: non-finite floats are ``null`` (json wrote ``NaN``, which is not JSON), an Enum
that is not also a str or int is its value (json wrote ``str()`` of it), and 1e-05 is written
0.00001. A value orjson refuses (with keys that are not strings, integers beyond 64 bits, or
text with lone surrogates) is written whole by the json module, with non-finite floats as
``null`` there too and a key JSON cannot hold (a date, a tuple) as str() of it, so what is
stored, and what ``explain --json`` prints, is always JSON.
"""
from __future__ import annotations

import json
import math
from typing import Any

import orjson

# As json's default=str: a datetime or a dataclass in evidence is written as str() of it,
# not in orjson's own form.
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
_JSON = json.JSONEncoder(default=str, ensure_ascii=False, check_circular=False, allow_nan=False).encode


def _default(value: Any) -> Any:
    # What orjson leaves to ``default`` that the json module wrote as JSON: a tuple subclass
    # (a namedtuple) as an array, a float subclass (numpy.float64) as a number.
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, float):
        return float(value)
    return str(value)


def dumps(value: Any) -> str:
    """``value`` as JSON text (str() of what JSON cannot hold), UTF-8 characters unescaped."""
    try:
        return orjson.dumps(value, default=_default, option=_OPTIONS).decode()
    except orjson.JSONEncodeError:
        try:
            return _JSON(value)
        except (ValueError, TypeError):  # NaN or an infinity (null, as orjson writes them) or a key JSON cannot hold
            return _JSON(finite(value))


def finite(value: Any) -> Any:
    """``value`` with every NaN and infinity (in dicts, lists and tuples) made None, and
    every dict key JSON cannot hold (a date, a tuple) made str() of it."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k if k is None or isinstance(k, (str, int, float, bool)) else str(k): finite(v)
                for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    return value


# JSON text written by ``dumps`` or by the json module (but for its NaN and Infinity).
loads = orjson.loads
