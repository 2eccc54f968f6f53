"""What a call costs in CPU time, for the tests that check a parser or pattern stays linear."""
from __future__ import annotations

import gc
import time
from typing import Any, Callable


def cpu_cost(func: Callable[[Any], Any], arg: Any, runs: int = 3) -> float:
    """The best of a few runs in CPU time, garbage collection off: what the work costs, not
    the noise (wall time on a busy machine also counts the other processes' turns)."""
    gc.collect()
    gc.disable()
    try:
        best = float("inf")
        for _ in range(runs):
            started = time.process_time()
            func(arg)
            best = min(best, time.process_time() - started)
        return best
    finally:
        gc.enable()
