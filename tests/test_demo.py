"""`microscout demo` end to end, as a new user runs it: a subprocess in an empty folder
outside the repository, with no config file (the packaged defaults), then the commands it
prints, in that folder. One demo run (~25 s) is shared by the tests of this module."""
import csv
import json
import os
import re
import shlex
import shutil
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from microscout.cli import cli
from microscout.config import load_config
from tests.conftest import REPO

pytestmark = pytest.mark.slow


def processes_mentioning(text: str) -> list[str]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in args:
            found.append(args)
    return found


def clean_env(state: Path) -> dict:
    """A new user's environment: no MICROSCOUT_* settings (the state folder aside, so the
    error log stays out of the home folder), and, as the README runs `.venv/bin/microscout demo`,
    the venv not activated: the folder of this interpreter is not on PATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MICROSCOUT_") and k not in ("COLUMNS", "LINES")}
    env["MICROSCOUT_STATE_DIR"] = str(state)  # output goes to a pipe, as in a script: its width is the pipe's
    here = Path(sys.executable).parent.resolve()
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p and Path(p).resolve() != here)
    return env


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("new-user")
    assert not any(folder.iterdir()) and REPO not in folder.parents
    state = tmp_path_factory.mktemp("state")
    result = subprocess.run([sys.executable, "-m", "microscout", "demo"], capture_output=True, text=True,
                            timeout=240, cwd=folder, env=clean_env(state))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return folder, state, result.stdout


def test_demo_crawls_shortlists_exports_and_leaves_nothing_running(demo):
    folder, _, out = demo
    db = folder / "microscout.db"  # the default database: the next commands find it
    assert db.exists() and "(the default database)" in out

    exported = list((folder / "exports").glob("demo-*.csv"))
    assert len(exported) == 1, out
    assert f"Export: {exported[0]}" in out
    with open(exported[0], encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 20
    for column in ("Rank", "Change", "Handle", "Platform", "Followers", "Engagement rate (%)", "Score",
                   "Why (top reasons)", "Tier bounds: outcome", "Disclosure: reason", "Audience authenticity: outcome"):
        assert column in rows[0], f"export lacks column {column}"
    assert [int(r["Rank"]) for r in rows] == list(range(1, 21))
    assert all(r["Tier"] == "micro" and r["Change"] == "new" for r in rows)
    assert re.search(r"Excluded \d+ of \d+: \d+ by tier_bounds", out)

    # Against the sandbox's truth: every planted archetype caught by its own rule, no genuine
    # micro creator excluded, opt-outs never judged.
    from microscout.sandbox.score import score
    from microscout.store import open_store

    sandbox = load_config(REPO / "microscout" / "defaults.toml").sandbox
    report = score(open_store(db), "demo", sandbox.size, sandbox.seed)
    assert report.unmatched == 0
    for name, a in report.archetypes.items():
        if a.rule:
            assert a.judged > 0 and a.caught_by_rule / a.judged >= 0.9, f"{name}: {a}"
    genuine = report.archetypes["genuine_micro"]
    assert genuine.judged == genuine.generated and genuine.excluded == 0
    # Platform-flagged bots are excluded by the automated gate, an exclusion the truth expects.
    automated = report.archetypes["automated"]
    assert automated.judged > 0 and automated.excluded == automated.judged and automated.wrongly_excluded == 0
    assert report.opted_out.leaked == 0 and report.opted_out.shortlisted == 0

    # The truth never travelled over the wire: no archetype name anywhere in what was crawled.
    conn = sqlite3.connect(db)
    crawled = " ".join(str(v) for table in ("profiles", "posts", "comments", "follower_samples")
                       for row in conn.execute(f"SELECT * FROM {table}") for v in row)
    for name in report.archetypes:
        if "_" in name:  # the distinctive ones: bought_followers, genuine_micro, weak_disclosure…
            assert name not in crawled, f"archetype label {name} reached the crawled data"

    # Nothing left running: the sandbox's port is closed and no crawl process survives.
    url = re.search(r"at http://127\.0\.0\.1:(\d+)", out)
    assert url, out
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", int(url.group(1)))) != 0, "the sandbox is still listening"
    assert processes_mentioning(str(db)) == []


def printed_commands(out: str, as_printed: bool = False) -> list[list[str]]:
    """The commands printed after "Next:" (two spaces in; their descriptions six), each
    starting with "microscout" unless ``as_printed`` (a full path where PATH does not find it)."""
    tail = out[out.index("Next:"):].splitlines()[1:]
    commands = [shlex.split(line) for line in tail if line.startswith("  ") and not line.startswith("   ")]
    assert commands and all(Path(c[0]).name == "microscout" for c in commands), tail
    return commands if as_printed else [["microscout", *c[1:]] for c in commands]


def test_the_commands_it_prints_run_as_printed_in_a_shell_without_the_venv(demo):
    # `.venv/bin/microscout demo`, as the README runs it, printed `microscout shortlist demo`:
    # "command not found" in that shell, the venv not being activated.
    folder, state, out = demo
    env = clean_env(state)
    mine = shutil.which("microscout", path=str(Path(sys.executable).parent))
    assert mine, "the tests run from an installation with its microscout script"
    commands = printed_commands(out, as_printed=True)
    for command in commands:
        found = shutil.which(command[0], path=env["PATH"])
        assert found and os.path.samefile(found, mine), command
    done = subprocess.run(commands[0], capture_output=True, text=True, timeout=120, cwd=folder, env=env)
    assert done.returncode == 0 and "Nothing changed since run 1" in done.stdout, done.stdout + done.stderr


def test_the_commands_it_prints_continue_from_its_data(demo, monkeypatch):
    folder, state, out = demo
    commands = printed_commands(out)
    assert [c[1] for c in commands] == ["shortlist", "explain", "export", "browse", "schedule", "sandbox"]
    assert all("--db" not in c and "--config" not in c for c in commands), commands  # the defaults find it
    monkeypatch.chdir(folder)
    for key in [k for k in os.environ if k.startswith("MICROSCOUT_") and k != "MICROSCOUT_STATE_DIR"]:
        monkeypatch.delenv(key)
    runner = CliRunner()

    def run(args):
        result = runner.invoke(cli, args)
        assert result.exit_code == 0, f"{shlex.join(args)}:\n{result.output}"
        return result.output

    shown = run(commands[0][1:])   # microscout shortlist demo
    assert "Nothing changed since run 1" in shown and "Shortlist: demo (run 1)" in shown
    assert "Computing" not in shown  # the demo stored the features its shortlist needs
    handle = commands[1][2]        # microscout explain @<the top creator>
    assert handle.startswith("@") and handle.lstrip("@") in run(commands[1][1:])
    exported = run(commands[2][1:])  # microscout export demo --format csv
    assert "Wrote 20 rows" in exported and "20 unchanged" in exported
    assert "demo-weekly" in run(commands[4][1:])
    assert "Shortlist run 1 of campaign 'demo' vs sandbox truth" in run(commands[5][1:])
    stats = json.loads(run(["db", "stats", "--json"]))
    assert stats["database"] == str((folder / "microscout.db").resolve())
    assert stats["tables"]["shortlist_runs"] == 1 and stats["tables"]["crawl_runs"] == 4
    assert "m006_shortlist_fingerprint" in stats["migrations"]
