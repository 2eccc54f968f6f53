"""Counts in words people read: "1 post", "2 posts", "no posts"."""
from __future__ import annotations


def counted(n: int, noun: str, plural: str | None = None, zero: str | None = None) -> str:
    """``n`` and ``noun``, plural unless n is 1 (``plural`` when the noun does not take an
    s); ``zero``: what to say for none ("no audience comments"), when given."""
    if n == 0 and zero is not None:
        return zero
    return f"{n:,} {noun if n == 1 else (plural or noun + 's')}"


def did_you_mean(name: str, choices, cutoff: float = 0.6) -> str:
    """'did you mean 'engagement'? ' when a choice is close to ``name`` (difflib's ratio at
    least ``cutoff``), else ''."""
    import difflib

    near = difflib.get_close_matches(name, list(choices), n=1, cutoff=cutoff)
    return f"did you mean {near[0]!r}? " if near else ""
