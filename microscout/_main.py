"""The `microscout` command's entry point: Ctrl-C while the command line is still loading
ends quietly (exit 130), as it does once a command runs, instead of with a traceback."""
import sys


def main() -> None:
    import os

    if os.environ.get("MICROSCOUT_SCHEDULER_PID"):  # a scheduler's crawl: it ends with the scheduler
        from microscout.schedule.parent import follow_parent

        follow_parent()
    try:
        from microscout.cli import cli
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
    cli(prog_name="microscout")
