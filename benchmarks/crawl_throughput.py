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
import resource
import sqlite3
import statistics
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


def child_cpu(run):
    """run() in a child process, and the CPU seconds (user + system) that child used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = run()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return result, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def ours(config: Path, platform: str, tags: list[str], log_level: str) -> tuple[dict, str]:
    env = {**os.environ, "MICROSCOUT_LOG_LEVEL": log_level,
           "MICROSCOUT_BSKY_HANDLE": IDENTIFIER, "MICROSCOUT_BSKY_APP_PASSWORD": PASSWORD}
    db = config.parent / "bench.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    args = [MICROSCOUT, "crawl", platform, "--config", str(config), "--no-prefilter"]
    for tag in tags:
        args += ["--hashtag", tag]
    result, cpu = child_cpu(lambda: subprocess.run(args, capture_output=True, text=True, env=env,
                                                   cwd=config.parent, timeout=600))
    if result.returncode != 0:
        raise SystemExit(f"crawl failed:\n{result.stdout}\n{result.stderr[-3000:]}")
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    run = dict(con.execute("SELECT * FROM crawl_runs ORDER BY id DESC LIMIT 1").fetchone())
    counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
              for t in ("profiles", "posts", "comments", "follower_samples")}
    con.close()
    return {"seconds": run["duration"], "cpu": cpu, "responses": run["requests"], "rows": counts}, result.stderr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=400, help="sandbox population")
    parser.add_argument("--platform", choices=("mastodon", "bluesky"), default="mastodon")
    parser.add_argument("--hashtag", action="append", help="hashtags (default: the sandbox campaign's)")
    parser.add_argument("--rounds", type=int, default=1, help="timed pairs, alternating which goes first; medians")
    options = parser.parse_args()
    tags = options.hashtag or list(CAMPAIGN_TAGS)
    mine_runs, noop_runs = [], []
    # The sandbox answers from this process: gzipping them here (its default, as real servers'
    # proxies do) would slow both spiders' answers alike and hide our own cost in the ratio.
    with tempfile.TemporaryDirectory() as tmp, SandboxServer(size=options.size, seed=7, lifetime=3600,
                                                              gzip_min_bytes=None) as server:
        folder = Path(tmp)
        config = write_config(folder, server.url)
        # 1. a crawl that logs every URL it fetched (DEBUG), for the no-op spider to replay
        _, log = ours(config, options.platform, tags, "DEBUG")
        urls = re.findall(r"Crawled \(\d+\) <GET ([^>]+)>", log)
        (folder / "urls.json").write_text(json.dumps(urls))
        (folder / "noop.py").write_text(NOOP)

        def noop() -> dict:
            out, cpu = child_cpu(lambda: subprocess.run([sys.executable, str(folder / "noop.py"),
                                                         str(folder / "urls.json")],
                                                        capture_output=True, text=True, timeout=600))
            if out.returncode != 0:
                raise SystemExit(out.stderr[-3000:])
            return {**json.loads(out.stdout.strip().splitlines()[-1]), "cpu": cpu}

        # 2. the timed crawls: ours (quiet, fresh database) and the no-op spider on the same URLs
        for n in range(options.rounds):
            if n % 2:
                noop_runs.append(noop())
            mine_runs.append(ours(config, options.platform, tags, "WARNING")[0])
            if not n % 2:
                noop_runs.append(noop())
    mine = {k: statistics.median(r[k] for r in mine_runs) for k in ("seconds", "cpu")}
    noop_ = {k: statistics.median(r[k] for r in noop_runs) for k in ("seconds", "cpu")}
    pages, rows = mine_runs[0]["responses"], mine_runs[0]["rows"]
    ratio = mine["seconds"] / noop_["seconds"]
    print(f"sandbox size {options.size}, {options.platform}, hashtags {', '.join(tags)}, concurrency {CONCURRENCY}, "
          f"medians of {options.rounds} round(s)")
    print(f"ours : {pages} pages in {mine['seconds']:.2f}s = {pages / mine['seconds']:.1f} pages/s, "
          f"CPU {mine['cpu']:.2f}s (stored {rows})")
    print(f"no-op: {noop_runs[0]['responses']} pages in {noop_['seconds']:.2f}s = "
          f"{noop_runs[0]['responses'] / noop_['seconds']:.1f} pages/s, CPU {noop_['cpu']:.2f}s")
    print(f"ratio: ours takes {ratio:.2f}x the no-op's time (budget {BUDGET}x): {'OK' if ratio <= BUDGET else 'OVER BUDGET'}; "
          f"{mine['cpu'] / noop_['cpu']:.2f}x its CPU (child processes: start-up and the sandbox's answers aside, "
          f"the sandbox runs in this process)")


if __name__ == "__main__":
    main()
