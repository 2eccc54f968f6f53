"""Fewer pauses of Python's cyclic garbage collector while a run judges.

Judging allocates millions of small containers (row tuples, evidence dicts), almost none
of them in reference cycles, so the collector's default (a young-generation pass every 700
allocations, and full passes over every object loaded before the run: modules, schemas,
compiled patterns) is ~2% of a shortlist's instructions for nothing found. Measured with
cachegrind in benchmarks/BENCHMARKS.md ("Shortlist against the SQL floor").
"""
from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator

YOUNG_THRESHOLD = 20_000


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Within the block: objects that exist already are left out of collections
    (``gc.freeze``), and the young generation is collected every 20,000 allocations
    instead of 700. Both are restored after it, whatever happens."""
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()
