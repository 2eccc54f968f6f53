"""Sandbox time → wall-clock time.

The population lives in seconds relative to its day 0. The sandbox's *current* moment
(day ``day``, i.e. ``day * 86400`` seconds after day 0) is pinned to the wall clock at
the moment the server started, so that rules judging "the last 60 days" against real
now see recent posts. Advancing the day therefore makes every post a day older and
reveals the posts scheduled in between — ids never change, only ages.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timezone

DAY = 86_400


@dataclass
class Clock:
    day: int = 0
    start: float = field(default_factory=time.time)

    def wall(self, t: float) -> float:
        return self.start + t - self.day * DAY

    def dt(self, t: float) -> datetime:
        return datetime.fromtimestamp(self.wall(t), timezone.utc)

    def iso(self, t: float) -> str:
        """Millisecond ISO-8601 with Z, as both Mastodon and Bluesky write it."""
        return self.dt(t).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"

    def iso_day(self, t: float) -> str:
        """Mastodon's account created_at: day precision."""
        return self.dt(t).strftime("%Y-%m-%dT00:00:00.000Z")

    def date(self, t: float) -> str:
        return self.dt(t).strftime("%Y-%m-%d")
