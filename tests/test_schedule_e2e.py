"""A schedule due every minute, run by the scheduler against the sandbox with the real
steps (the crawl in its own process, the shortlist, the export) and an injected clock
moved on a minute between runs: two exports, the second marking what changed."""
from __future__ import annotations

import csv
import json
import urllib.request
from datetime import datetime, timedelta, timezone

import pytest

from microscout.config import load_config
from microscout.sandbox.routes_bluesky import IDENTIFIER, PASSWORD
from microscout.sandbox.server import SandboxServer
from microscout.schedule import history
from microscout.schedule.scheduler import Scheduler
from microscout.store import open_store
from tests.conftest import REPO

pytestmark = pytest.mark.slow


class FakeClock:
    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def test_a_schedule_due_every_minute_writes_two_exports_the_second_marking_changes(tmp_path, monkeypatch):
    monkeypatch.setenv("MICROSCOUT_BSKY_HANDLE", IDENTIFIER)
    monkeypatch.setenv("MICROSCOUT_BSKY_APP_PASSWORD", PASSWORD)
    monkeypatch.delenv("MICROSCOUT_CONFIG", raising=False)
    with SandboxServer(size=80, seed=7, lifetime=300) as server:
        text = (REPO / "microscout" / "defaults.toml").read_text()
        text = text.replace('base_url = "https://mastodon.social"', f'base_url = "{server.url}"')
        text = text.replace('base_url = "https://public.api.bsky.app"', f'base_url = "{server.url}"')
        text = text.replace('pds = "https://bsky.social"', f'pds = "{server.url}"')
        text = text.replace("shortlist_size = 20", "shortlist_size = 6")
        text += """
[schedules.minutely]
cron = "* * * * *"
timezone = "Europe/Paris"
campaign = "demo"
crawl_args = ["--known"]
formats = ["csv", "json"]
destination = "exports/{schedule}"
filename = "{campaign}-{date:%Y%m%d-%H%M}.{ext}"
retries = 1
retry_delay = 5
catch_up = "skip"
"""
        (tmp_path / "config.toml").write_text(text)
        config = load_config(tmp_path / "config.toml")
        db_path = tmp_path / "microscout.db"
        db = open_store(db_path)
        clock = FakeClock(datetime(2025, 3, 10, 9, 59, 30, tzinfo=timezone.utc))

        def a_week_later(run: dict) -> None:
            # Between two runs the simulated platform lives a week: new posts, new followers.
            urllib.request.urlopen(urllib.request.Request(f"{server.url}/_sandbox/advance?days=7", method="POST"),
                                   timeout=10).close()

        said: list[str] = []
        runs = Scheduler(config, db, db_path, clock=clock, sleep=clock.sleep, say=said.append, max_runs=2,
                         after_run=a_week_later).run()

    assert [r["status"] for r in runs] == ["succeeded", "succeeded"], "\n".join(said)
    first, second = runs
    # Cron times of the schedule, in its time zone (Paris is UTC+1 in March), in the file names.
    names = [sorted(p.rsplit("/", 1)[1] for p in r["exports"]) for r in runs]
    assert names == [["demo-20250310-1100.csv", "demo-20250310-1100.json"],
                     ["demo-20250310-1101.csv", "demo-20250310-1101.json"]]
    assert all(p.startswith(str(tmp_path / "exports" / "minutely")) for r in runs for p in r["exports"])
    assert [s["step"] for s in second["steps"]] == ["crawl", "shortlist", "export"]
    assert second["steps"][0]["detail"].startswith("crawl run 3 (mastodon): finished")

    def rows(path):
        with open(path, encoding="utf-8-sig") as f:
            return list(csv.DictReader(f))

    before = rows(next(p for p in first["exports"] if p.endswith(".csv")))
    after = rows(next(p for p in second["exports"] if p.endswith(".csv")))
    assert before and {r["Change"] for r in before} == {"new"}
    changes = [r["Change"] for r in after]
    # The second export is compared with the first: what moved, came or went says so.
    assert set(changes) - {"new"}, changes
    assert any(c != "unchanged" for c in changes), changes
    recorded = history.runs(open_store(db_path), "minutely")
    assert [r["id"] for r in recorded] == [second["id"], first["id"]]
    # As `microscout shortlist` does, the scheduled one stores what its rules read first: the
    # campaign's niche terms of every post (posts crawled before the campaign was registered).
    stored = open_store(db_path)
    assert stored.execute("SELECT count(*) FROM posts p WHERE NOT EXISTS (SELECT 1 FROM niche_features f "
                          "WHERE f.post_id = p.id)").fetchone()[0] == 0 < stored["niche_features"].count

    # The JSON export of the same run carries the same marks as its CSV: both are compared with
    # the previous run's export, not with each other.
    data = json.loads(open(next(p for p in second["exports"] if p.endswith(".json"))).read())
    assert [r.get("change") for r in data] == changes
