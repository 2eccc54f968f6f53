"""A scheduler's crawl ends with the scheduler.

The crawl runs in a session of its own (a Ctrl-C in the terminal reaches the scheduler only,
which lets the crawl finish). A scheduler killed outright then left its crawl running, and
the next run, finding the lock's process gone, crawled the same store beside it. So the
scheduler names itself in PARENT_ENV, and the crawl, first thing, asks Linux for SIGTERM when
that parent dies (PR_SET_PDEATHSIG; a SIGTERM stops a crawl cleanly, recorded interrupted).
Elsewhere nothing is armed, and the lock outlives the scheduler until it expires.
"""
from __future__ import annotations

import os
import signal
import sys

PARENT_ENV = "MICROSCOUT_SCHEDULER_PID"


def follow_parent() -> bool:
    """Arm the parent-death signal when started by a scheduler; whether it was armed."""
    wanted = os.environ.get(PARENT_ENV)
    if not wanted or not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return False
    if prctl(1, signal.SIGTERM, 0, 0, 0) != 0:  # PR_SET_PDEATHSIG
        return False
    if str(os.getppid()) != wanted:  # the scheduler died before this: stop now
        os.kill(os.getpid(), signal.SIGTERM)
    return True
