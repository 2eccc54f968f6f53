"""Why the undisclosed-ad verdict misses what it misses on ../shared/data/affiliate-youtube.

Every row of that set is a paid post (its descriptions all carried affiliate links when the
study resolved them); label 0 = its coders found no disclosure. The verdict (disclosure
`missing`, as `microscout check posts … --label-column label --label-means disclosed
--platform youtube` scores it) finds about half of the label-0 rows. This script sorts the label-0 rows it does not
accuse into one reason each, first match wins, reading the text with the tool's own link
finder and its settings' social and shortener domains:

  label read        the tool reads a label in the text (adequate, late or weak)
  selling only      sponsored by selling wording alone (no brand signal: no accusation)
  no link           no link left in the text (the study's sentence filter dropped it)
  app link          only the links an app adds to what it exported ("Created using Video
                    Star: http://VideoStarApp.com/FREE", "Get Song: http://VideoStarApp.com/…"):
                    the app maker's referral, not the creator's connection to a brand
  social only       every link goes to a social, video or music platform
  bare shortener    a shortened link with nothing commercial on its line or list
  other link        links to other sites (own pages, shops without an affiliate tag)

    python benchmarks/affiliate_misses.py [--data ../shared/data/affiliate-youtube/affiliate_videos.csv]

Prints one line per reason with its count and share of the misses, and a few examples of
each with --examples N. Exits 2 with one line when the data is absent.
"""
from __future__ import annotations

import argparse
import csv
import json
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "data" / "affiliate-youtube" / "affiliate_videos.csv"
sys.path.insert(0, str(REPO))

from microscout.heuristics.sponsored import SponsoredSettings  # noqa: E402
from microscout.heuristics.sponsored_links import domain, host_matches, links_in, lowered_domains  # noqa: E402

# An app's own line under what it exported: "Created using Video Star: <link>".
APP_LINE_RE = re.compile(r"^\s*(?:created|made|edited)\s+(?:using|with)\s+[\w .'-]{2,40}:?\s*\S+\s*$",
                         re.IGNORECASE | re.MULTILINE)
REASONS = ("label read", "selling only", "no link", "app link", "social only", "bare shortener", "other link")


def creator_links(text: str) -> list[tuple[str, int]]:
    """The text's links but an app's: its "Created using …" line and other links to that
    app's site. (link, where)"""
    found = links_in(text)
    app_lines = [m.span() for m in APP_LINE_RE.finditer(text)]
    apps = {domain(url) for url, a, _ in found if any(s <= a < e for s, e in app_lines)}
    return [(url, a) for url, a, _ in found if domain(url) not in apps]


def reason(post: dict, text: str, settings: SponsoredSettings) -> str:
    if post["disclosure"] in ("adequate", "late", "weak", "buried"):
        return "label read"
    if post["sponsored"]:
        return "selling only"
    if not links_in(text):
        return "no link"
    rest = creator_links(text)
    if not rest:
        return "app link"
    social = lowered_domains(tuple(settings.social_domains))
    shorteners = lowered_domains(tuple(settings.shortener_domains))
    hosts = [domain(url) for url, _ in rest]
    if all(host_matches(h, social) for h in hosts):
        return "social only"
    if any(host_matches(h, shorteners) for h in hosts):
        return "bare shortener"
    return "other link"


def checked_posts(data: Path) -> list[dict]:
    """`microscout check posts` on the set, as HEURISTICS.md scores it: each row's verdict."""
    checked = subprocess.run(
        [sys.executable, "-m", "microscout", "check", "posts", str(data), "--label-column", "label",
         "--label-means", "disclosed", "--platform", "youtube", "--json"],
        capture_output=True, text=True, cwd=REPO, check=False)
    if checked.returncode != 0:
        raise RuntimeError(f"microscout check posts failed: {checked.stderr.strip()}")
    return json.loads(checked.stdout)["posts"]


def misses_by_reason(posts: list[dict], rows: list[dict[str, str]]) -> tuple[int, int, dict[str, list[str]]]:
    """(undisclosed rows, of them accused, the texts of the missed ones by reason)."""
    settings = SponsoredSettings()
    undisclosed = [(p, r) for p, r in zip(posts, rows, strict=True) if r["label"] == "0"]
    by_reason: dict[str, list[str]] = {why: [] for why in REASONS}
    accused = 0
    for post, row in undisclosed:
        if post["disclosure"] == "missing":
            accused += 1
        else:
            by_reason[reason(post, row["text"], settings)].append(row["text"])
    return len(undisclosed), accused, by_reason


def with_creator_links(posts: list[dict], rows: list[dict[str, str]]) -> tuple[int, int]:
    """(undisclosed rows holding a link other than an app's, of them accused)."""
    linked = [p for p, r in zip(posts, rows, strict=True) if r["label"] == "0" and creator_links(r["text"])]
    return len(linked), sum(p["disclosure"] == "missing" for p in linked)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--examples", type=int, default=0, help="print this many example texts per reason")
    args = parser.parse_args()
    if not args.data.is_file():
        print(f"{args.data}: not found; this script reads ../shared/data beside the repository", file=sys.stderr)
        return 2
    try:
        posts = checked_posts(args.data)
    except RuntimeError as exc:
        print(str(exc).splitlines()[-1], file=sys.stderr)
        return 1
    with args.data.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    total, accused, by_reason = misses_by_reason(posts, rows)
    missed = total - accused
    print(f"{total} undisclosed paid posts (label 0), {accused} accused, {missed} missed:")
    for why, texts in by_reason.items():
        print(f"  {why:15} {len(texts):5}  {len(texts) / missed:6.1%}")
        for text in texts[:args.examples]:
            print(f"      {text.replace(chr(10), ' | ')[:150]}")
    linked, linked_accused = with_creator_links(posts, rows)
    print(f"undisclosed rows with a link other than an app's: {linked}, accused {linked_accused} "
          f"({linked_accused / linked:.1%}; a subset chosen after reading the misses, not the set's figure)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
