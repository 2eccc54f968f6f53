"""Real posts for the sponsored-post and undisclosed-ad detectors: every Instagram caption
and YouTube video description recorded from the platforms' APIs in ../shared/fixtures,
joined to the labels read by hand in docs/caption-sets/real-posts.csv, written as one CSV
for `microscout check posts`:

    python benchmarks/real_posts.py --out /tmp/real-posts.csv
    microscout check posts /tmp/real-posts.csv --label-column promotional --label-means sponsored --quiet
    microscout check posts /tmp/real-posts.csv --label-column undisclosed --label-means undisclosed --quiet

The texts stay in ../shared/fixtures (they are not copied into the repository); the labels
name each post by its recording and its id there. Bad input (no fixtures, a labeled post
not found, a post without a label) exits 2 with one line saying which.
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO.parent / "shared" / "fixtures"
LABELS = REPO / "docs" / "caption-sets" / "real-posts.csv"
COLUMNS = ("id", "platform", "text", "promotional", "brand_ad", "undisclosed")
# (undisclosed, brand_ad, promotional): organic, selling, a disclosed brand ad, an undisclosed one
LABEL_KINDS = {("0", "0", "0"), ("0", "0", "1"), ("0", "1", "1"), ("1", "1", "1")}


class BadInput(Exception):
    """One line for the user: what is wrong and where."""


def recorded_posts(fixtures: Path) -> list[dict[str, str]]:
    """Each distinct post text in the recordings, first seen first: Instagram media captions
    (hashtag pages, business discovery) and YouTube descriptions (videos, search results,
    playlist items; not channels). Keyed by recording and the platform's id."""
    posts: list[dict[str, str]] = []
    seen: set[str] = set()  # texts, and platform:id (a video recorded twice, its text edited between)

    def add(source: Path, post_id: object, text: object) -> None:
        key = f"{source.parent.name}:{post_id}"
        if isinstance(text, str) and text.strip() and text not in seen and key not in seen:
            seen.update((text, key))
            posts.append({"source": source.relative_to(fixtures).as_posix(), "source_id": str(post_id),
                          "platform": source.parent.name, "text": text})

    for path in sorted((fixtures / "instagram").glob("*.json")):
        answer = _answer(path)
        media = answer.get("data") or answer.get("business_discovery", {}).get("media", {}).get("data") or []
        for item in media:
            add(path, item.get("id"), item.get("caption"))
    for path in sorted((fixtures / "youtube").glob("*.json")):
        if path.name.startswith("channels"):
            continue
        for item in _answer(path).get("items", []):
            video_id = item.get("id")
            if isinstance(video_id, dict):  # search results: {"kind": …, "videoId": …}
                video_id = video_id.get("videoId")
            add(path, video_id, item.get("snippet", {}).get("description"))
    return posts


def _answer(path: Path) -> dict:
    """A recorded API answer: one JSON object."""
    try:
        answer = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise BadInput(f"{path}: not a readable JSON answer ({e})") from e
    if not isinstance(answer, dict):
        raise BadInput(f"{path}: holds a JSON {type(answer).__name__}; a recorded API answer is an object")
    return answer


def labeled_posts(fixtures: Path = FIXTURES, labels: Path = LABELS) -> list[dict[str, str]]:
    """The recorded posts with their labels, in the order recorded."""
    if not fixtures.is_dir():
        raise BadInput(f"{fixtures}: not found; the recordings live in ../shared/fixtures beside the repository")
    try:
        with labels.open(newline="", encoding="utf-8") as f:
            return _joined(fixtures, labels, list(csv.DictReader(f)))
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise BadInput(f"{labels}: cannot read the labels ({e})") from e


def _joined(fixtures: Path, labels: Path, records: list[dict[str, str]]) -> list[dict[str, str]]:
    wanted = ("source", "source_id", *COLUMNS[3:])
    if records and any(k not in records[0] for k in wanted):
        raise BadInput(f"{labels}: the columns must be {', '.join(wanted)} (and a note)")
    by_key: dict[tuple[str, str], dict[str, str]] = {}
    for line, row in enumerate(records, start=2):
        key = (row["source"], row["source_id"])
        bad = [k for k in COLUMNS[3:] if row.get(k) not in ("0", "1")]
        if bad:
            problem = f"{', '.join(bad)} must be 0 or 1"
        elif key in by_key:
            problem = f"a second label for {key[0]} id {key[1]}"
        elif (row["undisclosed"], row["brand_ad"], row["promotional"]) not in LABEL_KINDS:
            problem = "an undisclosed ad has a brand behind it, and a brand ad is promotional"
        else:
            by_key[key] = row
            continue
        raise BadInput(f"{labels} line {line}: {problem}")
    rows = []
    for post in recorded_posts(fixtures):
        label = by_key.pop((post["source"], post["source_id"]), None)
        if label is None:
            raise BadInput(f"{labels}: no label for {post['source']} id {post['source_id']}; "
                           f"add a row for it")
        rows.append({"id": f"{post['source']}#{post['source_id']}", "platform": post["platform"],
                     "text": post["text"], **{k: label[k] for k in COLUMNS[3:]}})
    if by_key:
        (source, source_id), *_ = by_key
        raise BadInput(f"{labels}: {len(by_key)} labeled post(s) not in {fixtures}, e.g. {source} id {source_id}")
    return rows


def write_csv(out: Path, rows: list[dict[str, str]], columns: tuple[str, ...]) -> int:
    """Write the rows whole or not at all (a file already at `out` stays as it was until the
    new one is complete). Returns 0, or the exit code after saying what went wrong."""
    if out.is_dir() or not out.parent.is_dir():
        print(f"error: --out {out}: give a file in an existing folder", file=sys.stderr)
        return 2
    part = out.with_name(out.name + ".part")
    try:
        with part.open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)
        part.replace(out)
    except OSError as e:
        part.unlink(missing_ok=True)
        print(f"error: --out {out}: {e.strerror or e}", file=sys.stderr)
        return 1
    return 0


def write_rows(out: Path, read: Callable[[], list[dict[str, str]]], columns: tuple[str, ...],
               summary: Callable[[list[dict[str, str]]], str]) -> int:
    """The rows `read` gives, written whole to `out` with a line saying what they hold; bad
    input is one line naming what is wrong. Returns the exit code (0, 2 for bad input)."""
    try:
        rows = read()
    except BadInput as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    failed = write_csv(out, rows, columns)
    if failed:
        return failed
    print(f"{out}: {summary(rows)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="the CSV to write")
    parser.add_argument("--fixtures", type=Path, default=FIXTURES, help="the recordings (default ../shared/fixtures)")
    parser.add_argument("--labels", type=Path, default=LABELS,
                        help="the labels (default docs/caption-sets/real-posts.csv)")
    args = parser.parse_args(argv)
    return write_rows(args.out, lambda: labeled_posts(args.fixtures, args.labels), COLUMNS,
                      lambda rows: f"{len(rows)} posts, {sum(r['promotional'] == '1' for r in rows)} promotional, "
                                   f"{sum(r['undisclosed'] == '1' for r in rows)} undisclosed ads")


if __name__ == "__main__":
    sys.exit(main())
