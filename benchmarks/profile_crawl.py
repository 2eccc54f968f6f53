"""Where a crawl's CPU goes: the two crawls of `microscout demo` (profiles only, then a week
later --known with posts, replies and followers) each under cProfile, against a sandbox
served from this process.

    .venv/bin/python benchmarks/profile_crawl.py OUT_DIR [--size 400] [--top 30]

Writes OUT_DIR/crawl1.prof and OUT_DIR/crawl2.prof (read them with pstats or snakeviz) and
prints the second crawl's costliest functions by their own time.
"""
from __future__ import annotations

import argparse
import os
import pstats
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

from microscout.cli import demo_platforms
from microscout.cli.demo import CAMPAIGN, DAYS_BETWEEN_CRAWLS
from microscout.config import DEFAULTS_FILE
from microscout.sandbox.server import SandboxServer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder for the profiles and the crawls' database")
    parser.add_argument("--size", type=int, default=400, help="sandbox population")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--top", type=int, default=30, help="functions printed")
    options = parser.parse_args()
    out = options.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    db = out / "crawl.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as state, tempfile.TemporaryDirectory() as scratch, \
            SandboxServer(size=options.size, seed=options.seed, lifetime=600) as server:
        env = {**os.environ, **demo_platforms.credentials(None, state)}
        crawl = demo_platforms.crawl_args(None, CAMPAIGN, [], server.url)

        def profiled(name: str, extra: list[str]) -> None:
            args = [sys.executable, "-m", "cProfile", "-o", str(out / f"{name}.prof"), "-m", "microscout",
                    "--config", str(DEFAULTS_FILE), *crawl, "--db", str(db), *extra]
            result = subprocess.run(args, env=env, cwd=scratch, capture_output=True, text=True)
            print("\n".join(line for line in result.stdout.splitlines() if line.startswith("crawl run")))
            if result.returncode:
                sys.exit(f"{name} failed (exit {result.returncode}):\n{result.stderr[-2000:]}")

        profiled("crawl1", ["--posts", "0", "--followers", "0", "--replies", "0"])
        urllib.request.urlopen(urllib.request.Request(f"{server.url}/_sandbox/advance?days={DAYS_BETWEEN_CRAWLS}",
                                                      method="POST"), timeout=10).close()
        profiled("crawl2", ["--known"])
    pstats.Stats(str(out / "crawl2.prof")).sort_stats("tottime").print_stats(options.top)


if __name__ == "__main__":
    main()
