"""Crawl throughput: our spider (parsing + SQLite storage) vs a no-op Scrapy spider that
requests the same URLs and does nothing, against the same local sandbox server.

    .venv/bin/python benchmarks/crawl_throughput.py [--size 400] [--platform mastodon]

Prints pages/s of both and the ratio of times; the budget is ours <= 1.5x the no-op's.
Each crawl runs in its own process (a fresh reactor); the sandbox runs in this one.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

from microscout.sandbox import IDENTIFIER, PASSWORD, SandboxServer
from microscout.sandbox.text import CAMPAIGN_TAGS

BUDGET = 1.5
MICROSCOUT = str(Path(sys.executable).with_name("microscout"))
CONCURRENCY = 8

NOOP = textwrap.dedent("""
    import json, sys, time
    from scrapy import Request, Spider, signals
    from scrapy.crawler import CrawlerProcess

    urls = json.load(open(sys.argv[1]))
    times = {}

    class Noop(Spider):
        name = "noop"
        async def start(self):
            for url in urls:
                yield Request(url, callback=self.parse, dont_filter=True, meta={"handle_httpstatus_all": True})
        def parse(self, response):
            pass

    process = CrawlerProcess({"LOG_LEVEL": "WARNING", "TELNETCONSOLE_ENABLED": False, "ROBOTSTXT_OBEY": False,
                              "CONCURRENT_REQUESTS": %(c)d * 2, "CONCURRENT_REQUESTS_PER_DOMAIN": %(c)d,
                              "AUTOTHROTTLE_ENABLED": False, "RETRY_ENABLED": False, "COOKIES_ENABLED": False,
                              "USER_AGENT": "microscout-benchmark"})
    crawler = process.create_crawler(Noop)
    def opened(spider):
        times["open"] = time.monotonic()
    def closed(spider, reason):
        times["close"] = time.monotonic()
    crawler.signals.connect(opened, signals.spider_opened)  # module-level: signals hold weak references
    crawler.signals.connect(closed, signals.spider_closed)
    process.crawl(crawler)
    process.start()
    print(json.dumps({"seconds": times["close"] - times["open"],
                      "responses": crawler.stats.get_value("response_received_count", 0)}))
""") % {"c": CONCURRENCY}


def write_config(folder: Path, url: str) -> Path:
    config = folder / "config.toml"
    config.write_text(f"""
database = "bench.db"
plugins_dir = "none"
[platforms.mastodon]
base_url = "{url}"
[platforms.bluesky]
base_url = "{url}"
pds = "{url}"
[crawl]
obey_robots = false
autothrottle = false
concurrency_per_host = {CONCURRENCY}
max_profiles = 100000
max_requests = 1000000
""")
    return config


def ours(config: Path, platform: str, tags: list[str], log_level: str) -> tuple[dict, str]:
    env = {**os.environ, "MICROSCOUT_LOG_LEVEL": log_level,
           "MICROSCOUT_BSKY_HANDLE": IDENTIFIER, "MICROSCOUT_BSKY_APP_PASSWORD": PASSWORD}
    db = config.parent / "bench.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    args = [MICROSCOUT, "crawl", platform, "--config", str(config), "--no-prefilter"]
    for tag in tags:
        args += ["--hashtag", tag]
    result = subprocess.run(args, capture_output=True, text=True, env=env, cwd=config.parent, timeout=600)
    if result.returncode != 0:
        raise SystemExit(f"crawl failed:\n{result.stdout}\n{result.stderr[-3000:]}")
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    run = dict(con.execute("SELECT * FROM crawl_runs ORDER BY id DESC LIMIT 1").fetchone())
    counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
              for t in ("profiles", "posts", "comments", "follower_samples")}
    con.close()
    return {"seconds": run["duration"], "responses": run["requests"], "rows": counts}, result.stderr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=400, help="sandbox population")
    parser.add_argument("--platform", choices=("mastodon", "bluesky"), default="mastodon")
    parser.add_argument("--hashtag", action="append", help="hashtags (default: the sandbox campaign's)")
    options = parser.parse_args()
    tags = options.hashtag or list(CAMPAIGN_TAGS)
    with tempfile.TemporaryDirectory() as tmp, SandboxServer(size=options.size, seed=7, lifetime=1200) as server:
        folder = Path(tmp)
        config = write_config(folder, server.url)
        # 1. a crawl that logs every URL it fetched (DEBUG), for the no-op spider to replay
        _, log = ours(config, options.platform, tags, "DEBUG")
        urls = re.findall(r"Crawled \(\d+\) <GET ([^>]+)>", log)
        (folder / "urls.json").write_text(json.dumps(urls))
        # 2. the timed crawl: ours, quiet, fresh database
        mine, _ = ours(config, options.platform, tags, "WARNING")
        # 3. the no-op spider on the same URLs
        (folder / "noop.py").write_text(NOOP)
        out = subprocess.run([sys.executable, str(folder / "noop.py"), str(folder / "urls.json")],
                             capture_output=True, text=True, timeout=600)
        if out.returncode != 0:
            raise SystemExit(out.stderr[-3000:])
        noop = json.loads(out.stdout.strip().splitlines()[-1])
    ratio = mine["seconds"] / noop["seconds"]
    print(f"sandbox size {options.size}, {options.platform}, hashtags {', '.join(tags)}, concurrency {CONCURRENCY}")
    print(f"ours : {mine['responses']} pages in {mine['seconds']:.2f}s = {mine['responses'] / mine['seconds']:.1f} pages/s "
          f"(stored {mine['rows']})")
    print(f"no-op: {noop['responses']} pages in {noop['seconds']:.2f}s = {noop['responses'] / noop['seconds']:.1f} pages/s")
    print(f"ratio: ours takes {ratio:.2f}x the no-op's time (budget {BUDGET}x): {'OK' if ratio <= BUDGET else 'OVER BUDGET'}")


if __name__ == "__main__":
    main()
