"""Regular expressions compiled on first use instead of at import.

The heuristics hold about a hundred module-level patterns; compiling them all at import
cost `microscout rules` (and every command that only lists rules or reads their options)
about 45 ms of a 0.38 s start, for patterns it never runs. ``compile_on_use(pattern, flags)``
stands where ``re.compile(pattern, flags)`` stood: the same methods and attributes
(``search``, ``finditer``, ``sub``, ``pattern``, ``flags``…), compiled the first time any
of them is asked for. After that each attribute is a plain instance attribute (the compiled
pattern's own bound method), so a hot loop pays nothing extra.
"""
from __future__ import annotations

import functools
import re
from typing import Any, cast


@functools.cache
def _compiled(pattern: str, flags: int) -> re.Pattern[str]:
    return re.compile(pattern, flags)


class _OnUse:
    def __init__(self, pattern: str, flags: int):
        self._source = (pattern, flags)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # dunders (copy, pickle probes) and _source before __init__
            raise AttributeError(name)
        value = getattr(_compiled(*self._source), name)
        setattr(self, name, value)  # next time found in __dict__: __getattr__ is not called
        return value

    def __repr__(self) -> str:
        return repr(_compiled(*self._source))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, _OnUse):
            return self._source == other._source
        return _compiled(*self._source) == other

    def __hash__(self) -> int:
        return hash(_compiled(*self._source))

    def __reduce__(self) -> tuple[Any, ...]:
        return (compile_on_use, self._source)


def compile_on_use(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(pattern, flags)``, done when the pattern is first used."""
    return cast("re.Pattern[str]", _OnUse(pattern, flags))
