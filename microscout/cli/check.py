"""`microscout check`: judge raw records (a follower export, a list of posts) directly."""
from __future__ import annotations

import importlib

import click


@click.group(short_help="Run a detector on your own CSV or JSON file.")
def command() -> None:
    """Run the authenticity and sponsored-post detectors on a CSV or JSONL file."""


for _name in ("microscout.cli.check_accounts", "microscout.cli.check_posts", "microscout.cli.check_comments"):
    try:
        command.add_command(importlib.import_module(_name).command)
    except ModuleNotFoundError as exc:
        if exc.name != _name:
            raise

command.name = "check"
