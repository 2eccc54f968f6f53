"""What the benchmarks that judge a copy of a generated store share: a fixed hash seed and
the --db / --config arguments."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def store_parser(doc: str | None) -> argparse.ArgumentParser:
    """This script run again with PYTHONHASHSEED=0 unless it is (rules count terms in sets,
    so only a fixed hash seed makes two runs comparable byte for byte), and a parser with
    --db (a generated store, copied, never written) and --config."""
    if os.environ.get("PYTHONHASHSEED") != "0":
        os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, "PYTHONHASHSEED": "0"})
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="a generated store (copied, never written)")
    parser.add_argument("--config", default=str(REPO / "config.toml"))
    return parser


def verdicts_of_runs(db) -> str:
    """Where a run's verdicts are read: run_verdicts (since m017 a kept candidate's are the
    judging run's rows), or the verdicts table in a store of the code before."""
    found = db.execute("SELECT 1 FROM sqlite_master WHERE name = 'run_verdicts'").fetchone()
    return "run_verdicts" if found else "verdicts"
