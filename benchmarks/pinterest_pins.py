"""Real Pinterest pins that each carry an affiliate link, for the undisclosed-ad verdict and
sponsored-post recall: the Pinterest half of Mathur, Narayanan & Chetty, "Endorsements on Social
Media: An Empirical Study of Affiliate Marketing Disclosures on YouTube and Pinterest" (CSCW
2018). The authors kept the English pins whose links include one their rule calls affiliate,
split each description into sentences and clustered them; the clusters they read as disclosures
(an affiliate-link label, or an explanation of the commission) are listed in their notebook
(`disclosure-analysis/Pinterest/Pinterest Analysis.ipynb`, the cell after the clustering):

    link:        99, 100, 101, 103, 104, 106, 137, 138, 139, 226, 764, 833, 836, 1668, 1495-1557
    explanation: 1493, 1494

It is not in ../shared/data and is not copied into the repository: fetch
`disclosure-analysis/Pinterest/clusters.csv` from github.com/aruneshmathur/affiliate-marketing-disclosures
(commit 75bf922), then

    python benchmarks/pinterest_pins.py --clusters clusters.csv --out /tmp/pinterest-pins.csv
    microscout check posts /tmp/pinterest-pins.csv --label-column disclosed --label-means disclosed --quiet

One row per pin, its sentences joined in order; `disclosed` is 1 where any sentence is in a
disclosure cluster (the authors' labels as they stand: cluster 1555 lies in their range and
holds "Just click the pic…" sentences, and a few pins with "#sponsored" in no listed cluster are
0). The pin's own link is not in the file, only the description's words and the links written
in it. `--windows` takes the sample docs/HEURISTICS.md reports: the pins whose rows lie whole in
the file's characters 0-32,000, 300,000-332,000, 600,000-632,000, 900,000-932,000 and
1,200,000-1,232,000 (a pin cut by a window's edge left out). Bad input exits 2 with one line.
"""
from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from real_posts import BadInput, write_rows  # this folder is on sys.path when a script in it runs

LINK = {99, 100, 101, 103, 104, 106, 137, 138, 139, 226, 764, 833, 836, 1668, *range(1495, 1558)}
EXPLANATION = {1493, 1494}
HEADER = ["id", "sentence", "ward_euclidean_cluster"]
COLUMNS = ("id", "text", "disclosed", "disclosure_clusters")
WINDOWS = (0, 300_000, 600_000, 900_000, 1_200_000)
WINDOW_CHARS = 32_000


def sentences(path: Path, windows: bool) -> list[list[str]]:
    """The file's rows (id, sentence, cluster), or only those of pins whole in the windows."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BadInput(f"{path}: not found; fetch disclosure-analysis/Pinterest/clusters.csv from "
                       "aruneshmathur/affiliate-marketing-disclosures")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"{path}: not readable as UTF-8 text ({exc})")
    if not windows:
        # at "\n" only, as the windows are: splitlines() also breaks at U+2028, \x85 or \f in a sentence
        return _rows(path, text.removesuffix("\n").split("\n"), 1, header=True)
    picked: list[list[str]] = []
    for start in WINDOWS:
        lines = text[start:start + WINDOW_CHARS].split("\n")
        # a window's first line is whole only at the file's start, its last never; a row is
        # named by its line in the file, as without --windows
        first = 1 if start == 0 else text.count("\n", 0, start) + 2
        rows = _rows(path, lines[:-1] if start == 0 else lines[1:-1], first, header=start == 0)
        if not rows:  # the file ends before the window (a header alone, a sample): not the authors' file
            raise BadInput(f"{path}: no whole row in its characters {start:,}-{start + WINDOW_CHARS:,}; "
                           "--windows reads the authors' clusters.csv (1.4 MB)")
        ids = [row[0] for row in rows]
        cut = {ids[-1]} if start == 0 else {ids[0], ids[-1]}
        picked += [row for row in rows if row[0] not in cut]
    return picked


def _rows(path: Path, lines: list[str], first: int, header: bool) -> list[list[str]]:
    rows = list(csv.reader(lines))
    if header:
        if not rows or rows[0] != HEADER:
            raise BadInput(f"{path}: expected the header {','.join(HEADER)}")
        rows, first = rows[1:], first + 1
    for number, row in enumerate(rows, first):
        if len(row) != 3 or not (row[2].isascii() and row[2].isdigit()):  # "²" is a digit int() cannot read
            raise BadInput(f"{path}: row {number} is {row!r}; expected an id, a sentence and a cluster number")
    return rows


def pins(rows: list[list[str]]) -> list[dict[str, str]]:
    """One row per pin, in the order its first sentence appears."""
    texts: dict[str, list[str]] = {}
    clusters: dict[str, list[str]] = {}
    for pin, sentence, cluster in rows:
        texts.setdefault(pin, []).append(sentence)
        found = clusters.setdefault(pin, [])
        if int(cluster) in LINK | EXPLANATION and cluster not in found:
            found.append(cluster)
    return [{"id": pin, "text": " ".join(parts), "disclosed": "1" if clusters[pin] else "0",
             "disclosure_clusters": ";".join(clusters[pin])} for pin, parts in texts.items()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clusters", type=Path, required=True, help="the authors' clusters.csv")
    parser.add_argument("--out", type=Path, required=True, help="CSV to write")
    parser.add_argument("--windows", action="store_true", help="only the sample docs/HEURISTICS.md reports")
    args = parser.parse_args(argv)
    return write_rows(args.out, lambda: pins(sentences(args.clusters, args.windows)), COLUMNS,
                      lambda rows: f"{len(rows)} pins, {sum(r['disclosed'] == '1' for r in rows)} disclosed")


if __name__ == "__main__":
    sys.exit(main())
