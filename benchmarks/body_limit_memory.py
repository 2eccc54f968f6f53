"""Peak memory of a crawl that meets a decompression bomb, against the same crawl without it.

A local fake Mastodon server (tests/crawlers/fakeserver.py, on 127.0.0.1) answers one
account's statuses with a gzipped body that decompresses to SIZE MB (a JSON string of one
repeated letter: ~1,000:1). Each crawl runs as the CLI in its own child process, and its peak
RSS is that child's own (wait4), so the two are compared in the same run: what the body limit
(crawl.max_body_bytes, 8 MiB; DOWNLOAD_MAXSIZE) lets the bomb cost.

    PYTHONPATH=. .venv/bin/python benchmarks/body_limit_memory.py --size 200 --rounds 3
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.crawlers.conftest import MICROSCOUT, crawl_env, write_config  # noqa: E402
from tests.crawlers.fakeserver import FakeServer  # noqa: E402


def bomb(megabytes: int) -> bytes:
    """gzip of '[{"id":"xxx…"}]', built a megabyte at a time (no large string in this process,
    which a forked child would count as its own)."""
    packer = zlib.compressobj(6, zlib.DEFLATED, 31)
    chunk = b"x" * 1_000_000
    return b"".join([packer.compress(b'[{"id":"'), *(packer.compress(chunk) for _ in range(megabytes)),
                     packer.compress(b'"}]'), packer.flush()])


def crawl(body: bytes | None) -> tuple[int, int, str]:
    """(peak RSS in KB, exit code, alice's line of the summary) of one crawl."""
    with FakeServer() as server, tempfile.TemporaryDirectory() as tmp:
        server.fake.bomb = body
        config = write_config(Path(tmp), server.url)
        log = Path(tmp) / "stderr.txt"
        with log.open("w") as err:
            child = subprocess.Popen([MICROSCOUT, "crawl", "mastodon", "--hashtag", "coffee", "--tier", "micro",
                                      "--config", str(config)], cwd=tmp, env=crawl_env(),
                                     stdout=subprocess.DEVNULL, stderr=err)
            _, status, usage = os.wait4(child.pid, 0)  # this child's own peak, not every child's so far
        alice = next((line.strip() for line in log.read_text().splitlines() if line.strip().startswith("alice@")), "")
        return usage.ru_maxrss, os.waitstatus_to_exitcode(status), alice


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=200, help="MB the bomb decompresses to (default 200)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    packed = bomb(args.size)
    plain, bombed = [], []
    for r in range(args.rounds):
        for name, body in (("plain", None), ("bomb", packed)) if r % 2 == 0 else (("bomb", packed), ("plain", None)):
            rss, code, alice = crawl(body)
            (bombed if name == "bomb" else plain).append(rss)
            print(f"round {r + 1} {name:5}: peak RSS {rss / 1024:6.1f} MB, exit {code}"
                  + (f", {alice[:140]}" if name == "bomb" else ""))
    p, b = statistics.median(plain), statistics.median(bombed)
    print(f"bomb of {len(packed):,} bytes gzipped ({args.size} MB decompressed); medians of {args.rounds}: "
          f"without it {p / 1024:.1f} MB, with it {b / 1024:.1f} MB ({b / p:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
