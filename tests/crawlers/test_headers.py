"""Rate-limit and Retry-After header arithmetic (pure functions of the middleware)."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from microscout.crawlers.middlewares import reset_at, retry_after
from microscout.crawlers.settings import RETRY_CODES, build_settings
from microscout.config import Crawl

NOW = datetime(2026, 8, 1, 13, 50, tzinfo=timezone.utc).timestamp()


def test_mastodon_reset_is_iso_8601():
    # as recorded: x-ratelimit-reset: '2026-08-01T13:50:00.688634Z'
    assert reset_at("2026-08-01T13:50:00.688634Z", NOW) == NOW + 0.688634
    assert reset_at("2026-08-01T14:00:00Z", NOW) == NOW + 600


def test_bluesky_reset_is_epoch_seconds_and_small_numbers_are_deltas():
    assert reset_at(str(int(NOW) + 30), NOW) == int(NOW) + 30
    assert reset_at("12", NOW) == NOW + 12
    assert reset_at("soon", NOW) is None and reset_at(None, NOW) is None


def test_retry_after_seconds_or_http_date():
    assert retry_after("7", NOW) == 7
    assert retry_after("Sat, 01 Aug 2026 13:50:05 GMT", NOW) == 5
    assert retry_after("-3", NOW) == 0
    assert retry_after("", NOW) is None and retry_after("later", NOW) is None


def test_settings_follow_the_config():
    crawl = Crawl(user_agent="scout/1 (+https://example.org/contact)", obey_robots=False, concurrency_per_host=2,
                  retry_times=5, autothrottle=False, download_delay=0.5)
    s = build_settings(crawl, db_path="x.db", run_id=3, observed_at="t", jobdir="/tmp/j")
    assert s["USER_AGENT"] == "scout/1 (+https://example.org/contact)"
    assert s["ROBOTSTXT_OBEY"] is False and s["AUTOTHROTTLE_ENABLED"] is False
    assert s["CONCURRENT_REQUESTS_PER_DOMAIN"] == 2 and s["RETRY_TIMES"] == 5 and s["DOWNLOAD_DELAY"] == 0.5
    assert 429 not in s["RETRY_HTTP_CODES"] == RETRY_CODES and 503 in RETRY_CODES  # 429 waits for Retry-After
    assert s["JOBDIR"] == "/tmp/j"


def test_no_crawl_listens_for_remote_commands():
    # Scrapy 2.19 turns on a remote control that runs Python sent to it over HTTP; built into
    # a crawler from our settings, its extension must switch itself off.
    from scrapy.exceptions import NotConfigured
    from scrapy.settings import Settings

    settings = Settings(build_settings(Crawl(), db_path="x.db", run_id=1, observed_at="t", jobdir=None))
    assert settings.getbool("TELNETCONSOLE_ENABLED") is False and settings.getbool("REMOTE_CONTROL_ENABLED") is False
    try:
        from scrapy.extensions.remote_control import RemoteControl  # type: ignore[import-not-found]
    except ImportError:
        return  # a Scrapy without it
    from types import SimpleNamespace

    with pytest.raises(NotConfigured):
        RemoteControl(SimpleNamespace(settings=settings))  # its first check, before any reactor
