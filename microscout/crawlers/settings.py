"""Scrapy settings built from the [crawl] config: manners, bounds, our components."""
from __future__ import annotations

import os

from microscout.config import Crawl

RETRY_CODES = [500, 502, 503, 504, 522, 524, 408]  # 429 is RateLimitMiddleware's


def build_settings(crawl: Crawl, *, db_path: str, run_id: int, observed_at: str, jobdir: str | None,
                   progress: bool = False, previous: dict | None = None, log_level: str | None = None,
                   log_file: str | None = None) -> dict:
    return {
        "BOT_NAME": "microscout",
        "USER_AGENT": crawl.user_agent,
        "ROBOTSTXT_OBEY": crawl.obey_robots,
        "CONCURRENT_REQUESTS": max(16, crawl.concurrency_per_host * 2),
        "CONCURRENT_REQUESTS_PER_DOMAIN": crawl.concurrency_per_host,
        "DOWNLOAD_DELAY": crawl.download_delay,
        "DOWNLOAD_DELAY_JITTER": 0.5 if crawl.download_delay > 0 else 0.0,
        "AUTOTHROTTLE_ENABLED": crawl.autothrottle,
        "AUTOTHROTTLE_START_DELAY": max(crawl.download_delay, 0.05),
        "AUTOTHROTTLE_MAX_DELAY": 30.0,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(crawl.concurrency_per_host),
        "DOWNLOAD_TIMEOUT": 30,
        "RETRY_ENABLED": crawl.retry_times > 0,
        "RETRY_TIMES": crawl.retry_times,
        "RETRY_HTTP_CODES": RETRY_CODES,
        # a request that failed for good is recorded as missing and reported by the run, not logged as an error
        "RETRY_GIVE_UP_LOG_LEVEL": "INFO",
        "MICROSCOUT_RETRY_BACKOFF": float(os.environ.get("MICROSCOUT_RETRY_BACKOFF", "0.5")),
        "MICROSCOUT_RATE_LIMIT_RESERVE": crawl.rate_limit_reserve,
        "MICROSCOUT_MAX_RATE_WAIT": float(os.environ.get("MICROSCOUT_MAX_RATE_WAIT", "900")),
        "COOKIES_ENABLED": False,
        # a callback yields a handful of items (pages come as one ItemBatch); Scrapy starts
        # CONCURRENT_ITEMS workers per response, so the default 100 is mostly idle tasks
        "CONCURRENT_ITEMS": 4,
        "TELNETCONSOLE_ENABLED": False,
        # Scrapy 2.19's remote control runs Python sent to it over HTTP on 127.0.0.1 and
        # leaves a token file behind a killed crawl; a crawl needs neither (older Scrapy
        # ignores the setting).
        "REMOTE_CONTROL_ENABLED": False,
        # Scrapy reads and parses a generator callback's source for every response to warn
        # about a `return value` (its cache misses bound methods): a tenth of a crawl's CPU.
        # tests/crawlers/test_spider_callbacks.py runs the same check once per callback.
        "WARN_ON_GENERATOR_RETURN_VALUE": False,
        "LOG_LEVEL": log_level or os.environ.get("MICROSCOUT_LOG_LEVEL", "WARNING"),
        # by default Scrapy's log goes to the job folder; the console gets the run's summary
        "LOG_FILE": log_file,
        "JOBDIR": jobdir,
        "DEFAULT_REQUEST_HEADERS": {"Accept": "application/json"},
        "REFERER_ENABLED": False,
        # components a JSON API crawl has no use for, off to save work per request
        "SPIDER_MIDDLEWARES": {
            "scrapy.spidermiddlewares.referer.RefererMiddleware": None,
            "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware": None,
            "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
        },
        "DOWNLOADER_MIDDLEWARES": {
            "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware": None,
            "scrapy.downloadermiddlewares.httpproxy.HttpProxyMiddleware": None,
            "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
            "microscout.crawlers.middlewares.OriginGuardMiddleware": 40,
            "microscout.crawlers.middlewares.RobotsUnavailableMiddleware": 95,
            "microscout.crawlers.middlewares.CrawlDelayMiddleware": 110,
            "microscout.crawlers.middlewares.BackoffRetryMiddleware": 550,
            # Scrapy's decompression (590) moved above ours: on the way back every middleware
            # then reads the decoded answer (an ExpiredToken, a quota spent) even when a proxy
            # gzipped it; an answer that does not decode goes on as it came
            "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
            "microscout.crawlers.middlewares.DecodingMiddleware": 660,
            # right after decompression on the way back: no middleware of ours reads, logs or
            # notes an answer before the credentials it echoes are scrubbed
            "microscout.crawlers.middlewares.SecretScrubMiddleware": 655,
            "microscout.crawlers.middlewares.RateLimitMiddleware": 620,
            "microscout.crawlers.middlewares.BearerAuthMiddleware": 650,
        },
        "ITEM_PIPELINES": {"microscout.crawlers.pipelines.SQLitePipeline": 300},
        "EXTENSIONS": {
            "microscout.crawlers.extensions.RunRecord": 500,
            "microscout.crawlers.extensions.Progress": 510,
        },
        "MICROSCOUT_DB": db_path,
        "MICROSCOUT_RUN_ID": run_id,
        "MICROSCOUT_OBSERVED_AT": observed_at,
        "MICROSCOUT_PROGRESS": progress,
        "MICROSCOUT_PREVIOUS": previous or {},
        "MICROSCOUT_MAX_BODY_BYTES": int(getattr(crawl, "max_body_bytes", 0) or 0),
        # no body larger than the largest parsed is downloaded or decompressed (Scrapy's own
        # limit is 1 GiB, and a gzipped answer of 200 KB can hold 200 MB)
        "DOWNLOAD_MAXSIZE": int(getattr(crawl, "max_body_bytes", 0) or 0) or 1024 ** 3,
    }
