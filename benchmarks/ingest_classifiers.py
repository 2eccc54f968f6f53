"""The classifiers the write path runs per item (issue #12, ingest): microseconds per post for
its sponsored analysis (``analyse_post``, as post_features stores it) and per reply for its
class (``classify_comment``, as comment_features stores it), on three kinds of text:

  synthetic  the texts benchmarks/ingest.py writes (tests/crawlers/ingest_input.py: coffee words)
  sandbox    a generated store's posts (text, tags, paid flag) and replies, distinct texts, read
             only (`microscout sandbox generate --size 10000 --posts 30 --out STORE`)
  real       the recordings in ../shared/fixtures: Instagram captions and YouTube descriptions
             (benchmarks/real_posts.py), YouTube comments, Mastodon statuses and Bluesky posts
             as posts and as replies

Each text once per round, the caches cleared first (the write path meets distinct texts);
rounds alternate the kinds; medians printed. Run it from each code directory to compare:

    PYTHONPATH=. python benchmarks/ingest_classifiers.py --store /tmp/s17scale/store-10000.db --rounds 5
    # a worktree elsewhere: --fixtures /path/to/shared/fixtures
"""
from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from microscout.crawlers.items import CommentItem, PostItem  # noqa: E402
from microscout.heuristics import comments as commentslib  # noqa: E402
from microscout.heuristics.comments import CommentThresholds, classify_comment  # noqa: E402
from microscout.heuristics.sponsored import SponsoredSettings, analyse_post  # noqa: E402
from tests.crawlers.ingest_input import pages  # noqa: E402

FIXTURES = REPO.parent / "shared" / "fixtures"
Post = tuple[str, list[str], "bool | None"]


def synthetic(profiles: int = 300) -> tuple[list[Post], list[str]]:
    posts, replies = [], []
    for page in pages(profiles):
        for item in page:
            if isinstance(item, PostItem):
                posts.append((item.text, list(item.hashtags), item.paid_flag))
            elif isinstance(item, CommentItem):
                replies.append(item.text)
    return posts, replies


def sandbox(store: Path, n: int) -> tuple[list[Post], list[str]]:
    con = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    try:
        posts = [(t or "", json.loads(h or "[]"), None if p is None else bool(p)) for t, h, p in con.execute(
            "SELECT text, hashtags, paid_flag FROM posts WHERE id % 7 = 0 LIMIT ?", [n])]
        replies = [t or "" for (t,) in con.execute(
            "SELECT DISTINCT text FROM comments WHERE id % 5 = 0 LIMIT ?", [n])]
    finally:
        con.close()
    return posts, replies


def _mastodon_and_bluesky_texts(fixtures: Path) -> list[str]:
    import yaml

    from microscout.crawlers.parse_common import html_to_text

    texts: list[str] = []

    def walk(value) -> None:
        if isinstance(value, dict):
            if isinstance(value.get("content"), str) and "account" in value:  # a Mastodon status
                texts.append(html_to_text(value["content"])[0])
            record = value.get("record")
            if isinstance(record, dict) and isinstance(record.get("text"), str):  # a Bluesky post
                texts.append(record["text"])
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    for path in sorted((fixtures / "mastodon").glob("*.yaml")):
        for interaction in yaml.safe_load(path.read_text()).get("interactions", []):
            body = interaction.get("response", {}).get("body", {}).get("string")
            try:
                walk(json.loads(body))
            except (TypeError, ValueError):
                pass
    for path in sorted((fixtures / "bluesky").glob("*.json")):
        walk(json.loads(path.read_text()))
    return texts


def real(fixtures: Path = FIXTURES) -> tuple[list[Post], list[str]]:
    from real_posts import recorded_posts

    from microscout.heuristics.text import hashtags

    social = _mastodon_and_bluesky_texts(fixtures)
    captions = [p["text"] for p in recorded_posts(fixtures)] + social
    posts = [(t, [h.value for h in hashtags(t)], None) for t in dict.fromkeys(captions)]
    replies = []
    for path in sorted((fixtures / "youtube").glob("comment_threads*.json")):
        for item in json.loads(path.read_text()).get("items", []):
            top = item.get("snippet", {}).get("topLevelComment", {}).get("snippet", {})
            replies.append(top.get("textOriginal") or top.get("textDisplay") or "")
            for reply in item.get("replies", {}).get("comments", []):
                replies.append(reply.get("snippet", {}).get("textOriginal") or "")
    return posts, list(dict.fromkeys(replies + social))


def clear_caches() -> None:
    commentslib._classify.cache_clear()  # each text classified anew, as distinct texts are


def time_posts(posts: list[Post], settings: SponsoredSettings) -> float:
    start = time.process_time()
    for text, tags, paid in posts:
        analyse_post(text, tags, paid, settings)
    return (time.process_time() - start) / len(posts) * 1e6


def time_replies(replies: list[str], thresholds: CommentThresholds) -> float:
    clear_caches()
    start = time.process_time()
    for text in replies:
        classify_comment(text, thresholds)
    return (time.process_time() - start) / len(replies) * 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, help="a generated store, read only")
    parser.add_argument("--sample", type=int, default=20_000, help="posts and distinct replies read from --store")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--fixtures", type=Path, default=FIXTURES, help="the recordings (default: ../shared/fixtures)")
    args = parser.parse_args()
    kinds = {"synthetic": synthetic()}
    if args.store:
        kinds["sandbox"] = sandbox(args.store, args.sample)
    if args.fixtures.is_dir():
        kinds["real"] = real(args.fixtures)
    settings, thresholds = SponsoredSettings(), CommentThresholds()
    times: dict[str, list[float]] = {f"{k} {w}": [] for k in kinds for w in ("posts", "replies")}
    for _ in range(args.rounds):
        for kind, (posts, replies) in kinds.items():
            times[f"{kind} posts"].append(time_posts(posts, settings))
            times[f"{kind} replies"].append(time_replies(replies, thresholds))
    for kind, (posts, replies) in kinds.items():
        for what, items in (("posts", posts), ("replies", replies)):
            ts = times[f"{kind} {what}"]
            print(f"{kind:<9} {what:<7} {len(items):>6} items  median {statistics.median(ts):7.1f} µs an item  "
                  f"(rounds: {', '.join(f'{t:.1f}' for t in ts)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
