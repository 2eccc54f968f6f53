"""Real Instagram posts labelled by intent, for the sponsored-post detector: the Multimodal
Document Intent data set of Kruk et al., "Integrating Text and Image: Determining Multimodal
Document Intent in Instagram Posts" (EMNLP 2019), 1,299 public posts whose intent three
annotators labelled from the image and the caption together: promote (an event, a product, an
organisation), advocate, inform, entertain, express, expose, provoke. It is not in
../shared/data and is not copied into the repository: fetch its two files from
https://github.com/karansikka1/documentIntent_emnlp19 (`splits_new/train_split_0.json` and
`splits_new/val_split_0.json`, the whole set between them) into one folder, then

    python benchmarks/mdid_posts.py --src FOLDER --out /tmp/mdid-posts.csv
    microscout check posts /tmp/mdid-posts.csv --label-column promotional --label-means sponsored --quiet

Each post keeps its original caption (`orig_caption`, emoji and all) and its hashtags
(`tags`); `promotional` is 1 where the intent is "promote". Bad input (a file missing, not
the set's JSON, a post without an intent) exits 2 with one line saying which.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from real_posts import BadInput, write_rows  # this folder is on sys.path when a script in it runs

FILES = ("train_split_0.json", "val_split_0.json")
INTENTS = {"promote", "advocate", "inform", "entertain", "express", "expose", "provoke"}
COLUMNS = ("id", "text", "hashtags", "intent", "promotional")


def posts(src: Path) -> list[dict[str, str]]:
    """Every post of both files, each once (by its `filename`), in the files' order."""
    rows: list[dict[str, str]] = []
    seen: set[str] = set()
    for name in FILES:
        path = src / name
        try:
            items = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise BadInput(f"{path}: not found; fetch it from karansikka1/documentIntent_emnlp19 (splits_new/)")
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise BadInput(f"{path}: not readable as JSON ({exc})")
        if not isinstance(items, list):
            raise BadInput(f"{path}: expected a JSON array of posts")
        for number, item in enumerate(items, 1):
            intent = item.get("intent") if isinstance(item, dict) else None
            if intent not in INTENTS:
                raise BadInput(f"{path}: post {number} has intent {intent!r}; expected one of {sorted(INTENTS)}")
            key = str(item.get("filename") or f"{name}:{number}")
            if key in seen:
                continue
            seen.add(key)
            tags = item.get("tags") or []
            rows.append({"id": key, "text": item.get("orig_caption") or item.get("caption") or "",
                         "hashtags": " ".join(str(tag) for tag in tags), "intent": intent,
                         "promotional": "1" if intent == "promote" else "0"})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--src", type=Path, required=True, help="folder holding the set's two split files")
    parser.add_argument("--out", type=Path, required=True, help="CSV to write")
    args = parser.parse_args(argv)
    return write_rows(args.out, lambda: posts(args.src), COLUMNS,
                      lambda rows: f"{len(rows)} posts, {sum(r['promotional'] == '1' for r in rows)} promotional")

if __name__ == "__main__":
    sys.exit(main())
