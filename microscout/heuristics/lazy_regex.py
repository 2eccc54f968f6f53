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


def trie(words: list[str]) -> str:
    """One regex for a prefix-free set of strings, as a trie ("ab|ac" -> "a(?:b|c)"): the regex
    engine then tries one branch per first character instead of every string at every position."""
    root: dict[str, dict] = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})

    def build(node: dict[str, dict]) -> str:
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items())]
        if len(branches) <= 1:
            return "".join(branches)
        return "(?:" + "|".join(branches) + ")"
    return build(root)


def prefix_free(wanted: dict[str, set[int]]) -> dict[str, set[int]]:
    """Trigger strings -> what each may fire, reduced to the triggers that contain no other: a
    longer one is redundant (wherever it is, the shorter one is too) and what it fires moves to
    the shorter. What is left is prefix-free, so ``trie`` matches at most one at a position."""
    words = list(wanted)
    keep = [t for t in words if not any(o != t and o in t for o in words)]
    reduced = {t: set(wanted[t]) for t in keep}
    for t in words:
        for o in keep:
            if o in t:
                reduced[o] |= wanted[t]
    return reduced
