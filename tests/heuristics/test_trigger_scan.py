"""prefix_free keeps the triggers that hold no other and moves what the others fire onto them."""
from __future__ import annotations

import random

import pytest

from microscout.heuristics.trigger_scan import TriggerScan, prefix_free


def pairwise(wanted):
    """The definition, every pair compared: what prefix_free must equal."""
    keep = [t for t in wanted if not any(o != t and o in t for o in wanted)]
    return {o: set().union(*(wanted[t] for t in wanted if o in t)) for o in keep}


@pytest.mark.parametrize("seed", range(40))
def test_prefix_free_equals_every_pair_compared(seed):
    rnd = random.Random(seed)
    # a small alphabet, so that triggers hold one another often (and repeat letters: "aa" in "aaa")
    words = {"".join(rnd.choice("ab c") for _ in range(rnd.randint(1, 6))) for _ in range(rnd.randint(1, 60))}
    wanted = {w: {rnd.randrange(20) for _ in range(rnd.randint(1, 3))} for w in words}
    reduced = prefix_free(wanted)
    assert reduced == pairwise(wanted)
    assert list(reduced) == [t for t in wanted if t in reduced]  # in the order given
    scan = TriggerScan(reduced)
    for _ in range(50):  # a text fires at least what every trigger it holds fires: one hit a kept trigger
        text = "".join(rnd.choice("ab cd") for _ in range(rnd.randint(0, 12)))
        fired = scan.fires(text)
        assert fired == set().union(*(reduced[o] for o in reduced if o in text))
        assert fired >= set().union(*(wanted[w] for w in wanted if w in text))


def test_the_given_sets_are_not_changed():
    wanted = {"ad": {1}, "paid ad": {2}}
    assert prefix_free(wanted) == {"ad": {1, 2}} and wanted == {"ad": {1}, "paid ad": {2}}


def test_an_empty_trigger_is_refused_not_dropped():
    with pytest.raises(ValueError, match="empty trigger"):
        prefix_free({"": {1}, "ad": {2}})
