"""Judging collects garbage less often, and leaves the collector as it found it."""
from __future__ import annotations

import gc

import pytest

from microscout.engine.collector import YOUNG_THRESHOLD, fewer_collections


@pytest.fixture
def collector():
    before = gc.get_threshold()
    yield before
    gc.set_threshold(*before)
    gc.unfreeze()


def test_inside_the_block_old_objects_are_frozen_and_young_ones_collected_less_often(collector):
    assert gc.get_freeze_count() == 0
    with fewer_collections():
        assert gc.get_threshold() == (YOUNG_THRESHOLD, *collector[1:])
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == collector
    assert gc.get_freeze_count() == 0


def test_the_collector_is_restored_when_judging_fails(collector):
    with pytest.raises(RuntimeError), fewer_collections():
        raise RuntimeError("a rule's bug")
    assert gc.get_threshold() == collector
    assert gc.get_freeze_count() == 0


def test_cycles_made_inside_the_block_are_still_collected(collector):
    class Node:
        pass

    with fewer_collections():
        a, b = Node(), Node()
        a.other, b.other = b, a  # type: ignore[attr-defined]
        del a, b
        assert gc.collect() >= 2
