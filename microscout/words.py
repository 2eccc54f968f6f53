"""Counts in words people read: "1 post", "2 posts", "no posts"."""
from __future__ import annotations


def counted(n: int, noun: str, plural: str | None = None, zero: str | None = None) -> str:
    """``n`` and ``noun``, plural unless n is 1 (``plural`` when the noun does not take an
    s); ``zero``: what to say for none ("no audience comments"), when given."""
    if n == 0 and zero is not None:
        return zero
    return f"{n:,} {noun if n == 1 else (plural or noun + 's')}"
