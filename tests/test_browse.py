"""`microscout browse`: Datasette on 127.0.0.1 with metadata, facets and canned queries."""
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from click.testing import CliRunner

from microscout.cli import cli
from microscout.cli.browse import HIDDEN, QUERIES, TABLES, metadata
from microscout.store import open_store
from tests.conftest import REPO
from tests.engine.helpers import add_profile

CONFIG = REPO / "config.toml"


@pytest.fixture
def judged(tmp_path):
    db_path = tmp_path / "scout.db"
    db = open_store(db_path)
    add_profile(db, "cook", 5_000, posts=12, likes=200, bio="vegan recipes")
    add_profile(db, "chef", 4_000, posts=12, likes=150, bio="tofu and lentils")
    add_profile(db, "giant", 500_000, posts=12, likes=200)
    db.conn.close()
    result = CliRunner().invoke(cli, ["shortlist", "demo", "--db", str(db_path), "--config", str(CONFIG)])
    assert result.exit_code == 0, result.output
    return db_path


def test_metadata_describes_every_table_and_hides_the_bookkeeping(judged):
    tables = open_store(judged).table_names()
    meta = metadata("scout", tables)["databases"]["scout"]
    for table in tables:
        assert table in meta["tables"], f"browse metadata says nothing about {table}"
        if table not in HIDDEN:
            assert meta["tables"][table]["description"]
    for table, layout in TABLES.items():
        columns = {c for c in open_store(judged)[table].columns_dict}
        assert set(layout.get("facets", [])) <= columns, table
        assert set(layout.get("columns", {})) <= columns, table
    assert set(meta["queries"]) == set(QUERIES)


def test_the_canned_queries_answer(judged):
    conn = sqlite3.connect(judged)
    conn.row_factory = sqlite3.Row
    shortlist = [dict(r) for r in conn.execute(QUERIES["latest_shortlist"]["sql"], {"campaign": "demo"})]
    assert [r["rank"] for r in shortlist] == list(range(1, len(shortlist) + 1)) and shortlist[0]["handle"] == "cook"
    first_reason = shortlist[0]["reasons"].split(" | ")[0]
    assert first_reason.split(": ")[0].split(" (")[0] in {v["rule"] for v in conn.execute(  # words, not JSON
        "SELECT rule FROM verdicts")} and not first_reason.startswith("[")
    verdicts = [dict(r) for r in conn.execute(QUERIES["creator_verdicts"]["sql"], {"handle": "@giant"})]
    assert {v["rule"] for v in verdicts} >= {"tier_bounds", "engagement"}
    assert {v["excluded_by"] for v in verdicts} == {"tier_bounds"}
    assert [dict(r) for r in conn.execute(QUERIES["campaigns"]["sql"])][0]["campaign"] == "demo"
    assert list(conn.execute(QUERIES["schedule_history"]["sql"])) == []


def test_without_datasette_one_line_names_the_extra(judged, monkeypatch):
    monkeypatch.setitem(sys.modules, "datasette.cli", None)  # import fails as if not installed
    result = CliRunner().invoke(cli, ["browse", "--db", str(judged), "--config", str(CONFIG)])
    assert result.exit_code == 2
    assert result.output.strip() == ("Error: browsing needs Datasette, which is not installed: "
                                     "pip install 'microscout[browse]'")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str):
    with urllib.request.urlopen(url, timeout=10) as answer:
        return json.loads(answer.read())


def test_browse_serves_the_canned_queries_on_loopback(judged):
    pytest.importorskip("datasette", reason="Datasette is not installed: pip install 'microscout[browse]'")
    port = _free_port()
    scratch = judged.parent / "tmp"
    scratch.mkdir()
    proc = subprocess.Popen([sys.executable, "-m", "microscout", "browse", "--db", str(judged), "--config",
                             str(CONFIG), "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, env={**os.environ, "PYTHONUNBUFFERED": "1", "TMPDIR": str(scratch)})
    base = f"http://127.0.0.1:{port}/scout"
    try:
        deadline, rows = time.monotonic() + 60, None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                rows = _get(f"{base}/latest_shortlist.json?campaign=demo&_shape=array")
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        assert rows is not None, proc.communicate(timeout=10)[0] if proc.poll() is not None else "no answer"
        assert [r["handle"] for r in rows[:2]] == ["cook", "chef"] and rows[0]["rank"] == 1
        verdicts = _get(f"{base}/creator_verdicts.json?handle=cook&_shape=array")
        assert {v["rule"] for v in verdicts} >= {"tier_bounds", "engagement"}
        table = _get(f"{base}/shortlist_entries.json?_shape=objects")
        assert {"platform", "tier", "excluded_by"} <= set(table["facet_results"])
        described = _get(f"http://127.0.0.1:{port}/-/metadata.json")
        assert described["databases"]["scout"]["tables"]["verdicts"]["columns"]["outcome"].startswith("pass, warn")
        # Loopback only: the port is not open on the machine's other addresses.
        other = socket.gethostbyname(socket.gethostname())
        if not other.startswith("127."):
            with socket.socket() as s:
                assert s.connect_ex((other, port)) != 0
    finally:
        proc.terminate()
        try:
            out, _ = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
    assert f"Browsing {judged} at http://127.0.0.1:{port}/scout" in out
    # Stopped by SIGTERM (a service manager's stop), it leaves no metadata folder behind.
    assert proc.returncode == 128 + signal.SIGTERM and list(scratch.iterdir()) == []


def test_the_printed_address_opens_a_database_whose_name_has_dots_spaces_and_accents(judged):
    # "Frühling 2026.v2" as written: Datasette answered 404 (the dot), and a terminal's link
    # ended at the space.
    pytest.importorskip("datasette", reason="Datasette is not installed: pip install 'microscout[browse]'")
    db_path = judged.parent / "Frühling 2026.v2.db"
    source, copy = sqlite3.connect(judged), sqlite3.connect(db_path)
    source.backup(copy)  # its WAL too, which a rename would leave behind
    source.close()
    copy.close()
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "microscout", "browse", "--db", str(db_path), "--config",
                             str(CONFIG), "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        assert line.startswith(f"Browsing {db_path} at "), line
        url = line.split(" at ", 1)[1].split()[0]
        deadline, answer = time.monotonic() + 60, None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                answer = _get(f"{url}/latest_shortlist.json?campaign=demo&_shape=array")
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        assert answer is not None and answer[0]["handle"] == "cook", (url, answer)
    finally:
        proc.terminate()
        try:
            proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
