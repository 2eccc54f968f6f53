"""The crawlable platforms: name -> spider class, and which CLI option overrides the
configured server. The CLI, the runner and the sandbox read this one table."""
from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from microscout.crawlers.spiders.base import CrawlSpider

SPIDERS = {
    "mastodon": "microscout.crawlers.spiders.mastodon:MastodonSpider",
    "bluesky": "microscout.crawlers.spiders.bluesky:BlueskySpider",
    "youtube": "microscout.crawlers.spiders.youtube:YouTubeSpider",
    "instagram": "microscout.crawlers.spiders.instagram:InstagramSpider",
    "tiktok": "microscout.crawlers.spiders.tiktok:TikTokSpider",
}
CRAWLABLE = tuple(SPIDERS)
# Platforms reached through an official API with credentials; `--api URL` points them at
# another server (the sandbox, a recording proxy).
API_PLATFORMS = ("youtube", "instagram", "tiktok")


def spider_class(platform: str) -> type[CrawlSpider]:
    module, _, name = SPIDERS[platform].partition(":")
    return getattr(import_module(module), name)


# How a missing page's reason begins when the server's pagination looped, and when its next
# link named another host: the spiders write them (spiders/base.py), the summary reads them
# (cli/crawl.py).
LOOP = "pagination loop"
ELSEWHERE = "next page on another host"
