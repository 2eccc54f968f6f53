"""Every failure a user can run into is one clear line with the right exit code, never a
traceback, and leaves the user's files as they were (bytes, mtime, no files beside them).

Exit 2: bad input or configuration. Exit 1: a runtime failure.
"""
from __future__ import annotations

import errno
import json
import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest
from click.testing import CliRunner

from microscout.cli import cli
from microscout.store import open_store
from tests.conftest import REPO
from tests.engine.helpers import add_profile

CONFIG = REPO / "config.toml"
NOT_SQLITE = b"my notes, not a database\n" * 40
READ_ONLY = [["explain", "cook"], ["db", "stats"], ["try", "engagement", "cook"], ["sandbox", "score", "demo"]]
EXISTING_ONLY = [["shortlist", "demo"], ["export", "demo"]]


def invoke(*args, env: dict | None = None):
    return CliRunner().invoke(cli, [*map(str, args)], env=env, prog_name="microscout")


@pytest.fixture(scope="module")
def judged(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("judged") / "scout.db"
    store = open_store(db)
    add_profile(store, "cook", 5_000, posts=12, likes=200, bio="vegan recipes")
    result = invoke("shortlist", "demo", "--db", db, "--config", CONFIG)
    assert result.exit_code == 0, result.output
    return db


def snapshot(folder: Path) -> dict[str, tuple[bytes, int] | None]:
    """Every file in the folder with its bytes and mtime."""
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) if p.is_file() else None
            for p in sorted(folder.iterdir())}


@dataclass
class Case:
    name: str
    setup: Callable[[Path], list]  # folder -> the command line (files made in folder)
    exit_code: int
    message: str
    one_line: bool = True


def _config_not_utf8(folder: Path) -> list:
    (folder / "bad.toml").write_bytes(b'database = "scout.db"\n# caf\xe9 au lait\n')
    return ["--config", folder / "bad.toml", "config", "check"]


def _config_not_utf8_shortlist(folder: Path) -> list:
    (folder / "bad.toml").write_bytes(b'database = "scout.db"\n# caf\xe9 au lait\n')
    return ["--config", folder / "bad.toml", "shortlist", "demo"]


def _db_file(content: bytes | None, command: list) -> Callable[[Path], list]:
    def setup(folder: Path) -> list:
        if content is not None:
            (folder / "user.db").write_bytes(content)
        return ["--config", CONFIG, "--db", folder / "user.db", *command]
    return setup


def _other_programs_sqlite(command: list) -> Callable[[Path], list]:
    def setup(folder: Path) -> list:
        conn = sqlite3.connect(folder / "theirs.db")
        conn.execute("CREATE TABLE contacts (name TEXT)")
        conn.execute("INSERT INTO contacts VALUES ('ada')")
        conn.commit()
        conn.close()
        return ["--config", CONFIG, "--db", folder / "theirs.db", *command]
    return setup


def _nested_json(suffix: str) -> Callable[[Path], list]:
    def setup(folder: Path) -> list:
        nested = "[" * 5000 + "]" * 5000
        body = ('{"handle": "a", "followers": ' + nested + "}\n") if suffix == ".jsonl" else nested
        (folder / f"accounts{suffix}").write_text(body)
        return ["check", "accounts", folder / f"accounts{suffix}"]
    return setup


def _export_over(kind: str, judged_db: Callable[[], Path]) -> Callable[[Path], list]:
    def setup(folder: Path) -> list:
        if kind == "file in the way":
            (folder / "report").write_text("a file where a folder should be\n")
            out = folder / "report" / "demo.csv"
        else:
            (folder / "reports").mkdir()
            out = folder / "reports"
        return ["--config", CONFIG, "export", "demo", "--db", judged_db(), "--out", out]
    return setup


_JUDGED: list[Path] = []

CASES = [
    Case("config not UTF-8", _config_not_utf8, 2, "bad.toml: not UTF-8 text (byte 0xe9 at offset 27, line 2)"),
    Case("config not UTF-8 (shortlist)", _config_not_utf8_shortlist, 2, "bad.toml: not UTF-8 text"),
    *[Case(f"--db not SQLite: {' '.join(c)}", _db_file(NOT_SQLITE, c), 2, "user.db: not an SQLite database")
      for c in READ_ONLY + EXISTING_ONLY + [["db", "migrate"]]],
    *[Case(f"--db empty: {' '.join(c)}", _db_file(b"", c), 2, "no database at ") for c in READ_ONLY + EXISTING_ONLY],
    *[Case(f"--db missing: {' '.join(c)}", _db_file(None, c), 2, "no database at ") for c in READ_ONLY + EXISTING_ONLY],
    *[Case(f"--db of another program: {' '.join(c)}", _other_programs_sqlite(c), 2, "not microscout's")
      for c in READ_ONLY + EXISTING_ONLY + [["db", "migrate"]]],
    Case("check accounts: nested .json", _nested_json(".json"), 2, "nested deeper than 64 levels"),
    Case("check accounts: nested .jsonl", _nested_json(".jsonl"), 2, "line 1: JSON nested deeper than 64 levels"),
    Case("export --out under a file", _export_over("file in the way", lambda: _JUDGED[0]), 2,
         "cannot write the export to"),
    Case("export --out over a folder", _export_over("folder", lambda: _JUDGED[0]), 2, "is a directory"),
    # click's own usage errors: one line too, naming the command whose --help tells more
    Case("a choice misspelt", lambda f: ["import", f / "x.csv", "--platform", "mastodn"], 2,
         "Invalid value for '--platform': 'mastodn' is not one of"),
    Case("a required option missing", lambda f: ["import", f / "x.csv"], 2,
         "Missing option '--platform'. Choose from: mastodon, bluesky, instagram, tiktok, youtube, linkedin "
         "(`microscout import --help` tells more)"),
    Case("an argument missing", lambda f: ["shortlist"], 2,
         "Missing argument 'CAMPAIGN'. (`microscout shortlist --help` tells more)"),
    Case("a number out of range", lambda f: ["--config", CONFIG, "shortlist", "demo", "--limit", "0"], 2,
         "Invalid value for '--limit'"),
    # (click words these by version: "Did you mean 'export'?" since 8.2; "No such option '--bogus'" or
    # "No such option: --bogus")
    Case("no such command", lambda f: ["expot", "demo"], 2, "No such command 'expot'."),
    Case("no such command in a group", lambda f: ["schedule", "lst"], 2, "No such command 'lst'."),
    Case("no such option of the top level", lambda f: ["--bogus", "shortlist", "demo"], 2, "--bogus"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_failure_is_one_clear_line_and_touches_nothing(case, tmp_path, judged):
    _JUDGED[:] = [judged]
    folder = tmp_path / "user"
    folder.mkdir()
    args = case.setup(folder)
    before = snapshot(folder)
    result = invoke(*args)
    assert result.exit_code == case.exit_code, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # handled, not a crash
    assert case.message in result.output
    assert "Traceback" not in result.output
    if case.one_line:
        assert result.output.strip().count("\n") == 0, result.output
        assert result.output.startswith("Error: ")
    assert snapshot(folder) == before, "the user's files changed"


def test_export_to_a_folder_it_may_not_write(judged, tmp_path, monkeypatch):
    from microscout.engine import export

    def refused(path):
        raise PermissionError(errno.EACCES, "Permission denied", str(path.parent / ".x.part"))

    monkeypatch.setattr(export, "_open_temporary", refused)
    folder = tmp_path / "locked"
    folder.mkdir()
    result = invoke("--config", CONFIG, "export", "demo", "--db", judged, "--out", folder / "demo.csv")
    assert result.exit_code == 2, result.output
    assert f"cannot write the export to {folder / 'demo.csv'}: permission denied" in result.output
    assert "choose another --out" in result.output and "Traceback" not in result.output
    assert list(folder.iterdir()) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into any folder")
def test_export_to_a_read_only_folder(judged, tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        result = invoke("--config", CONFIG, "export", "demo", "--db", judged, "--out", folder / "demo.csv")
    finally:
        folder.chmod(0o755)
    assert result.exit_code == 2 and "permission denied" in result.output, result.output


def test_an_unexpected_error_is_one_line_and_its_traceback_goes_to_the_log(judged, monkeypatch, _state_dir):
    from microscout.store import queries

    def broken(db):
        raise RuntimeError("something nobody planned for")

    monkeypatch.setattr(queries, "stats", broken)
    result = invoke("--config", CONFIG, "db", "stats", "--db", judged)
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    line = result.output.strip().splitlines()[-1]  # after the database's path, printed first
    assert line.startswith("Error: unexpected error: RuntimeError: something nobody planned for")
    log = _state_dir / "errors.log"
    assert f"traceback in {log}" in line
    assert "Traceback (most recent call last)" in log.read_text() and "broken" in log.read_text()
    assert log.stat().st_mode & 0o077 == 0  # the log is the user's alone

    debug = invoke("--debug", "--config", CONFIG, "db", "stats", "--db", judged)
    assert isinstance(debug.exception, RuntimeError)  # --debug lets the traceback through


def _run(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "microscout", *args], capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=60)


def test_in_a_real_process_stderr_holds_one_line_and_no_traceback(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_bytes(b"\xff\xfe not toml")
    notes = tmp_path / "notes.db"
    notes.write_bytes(NOT_SQLITE)
    nested = tmp_path / "deep.jsonl"
    nested.write_text('{"handle": ' + "[" * 3000 + "]" * 3000 + "}\n")
    before = snapshot(tmp_path)
    for args, message in [
        (["--config", str(bad), "config", "check"], "bad.toml: not UTF-8 text (byte 0xff at offset 0, line 1)"),
        (["--config", str(CONFIG), "--db", str(notes), "db", "stats"], "notes.db: not an SQLite database"),
        (["check", "accounts", str(nested)], "deep.jsonl line 1: JSON nested deeper than 64 levels"),
    ]:
        proc = _run(*args)
        assert proc.returncode == 2, proc.stderr
        assert "Traceback" not in proc.stderr + proc.stdout
        assert proc.stderr.strip().count("\n") == 0 and message in proc.stderr, proc.stderr
    assert snapshot(tmp_path) == before
    # a broken ./config.toml does not break --help, and commands name it
    cwd = tmp_path / "project"
    cwd.mkdir()
    (cwd / "config.toml").write_bytes(b"[crawl]\nuser_agent = \"caf\xe9\"\n")
    for args, code, message in [(["--help"], 0, ""), (["config", "check"], 2, "config.toml: not UTF-8 text")]:
        proc = subprocess.run([sys.executable, "-m", "microscout", *args], capture_output=True, text=True,
                              cwd=cwd, env={k: v for k, v in os.environ.items() if k != "MICROSCOUT_CONFIG"},
                              timeout=60)
        assert proc.returncode == code and message in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    # with --debug (or MICROSCOUT_DEBUG=1) the traceback of a handled error is printed too
    proc = _run("--debug", "--config", str(bad), "config", "check")
    assert proc.returncode == 2 and "Traceback" in proc.stderr and "not UTF-8 text" in proc.stderr


def test_read_only_commands_never_write_to_the_database(judged, tmp_path):
    copy = tmp_path / "scout.db"
    source, target = sqlite3.connect(judged), sqlite3.connect(copy)
    source.backup(target)
    source.close()
    target.close()
    before = (copy.read_bytes(), copy.stat().st_mtime_ns)
    for command in (["explain", "cook", "--json"], ["db", "stats"], ["try", "engagement", "cook"]):
        result = invoke("--config", CONFIG, "--db", copy, *command)
        assert result.exit_code == 0, result.output
    assert (copy.read_bytes(), copy.stat().st_mtime_ns) == before
    assert json.loads(invoke("--config", CONFIG, "--db", copy, "explain", "cook", "--json").output)[0]["rank"] == 1


def test_a_database_another_process_is_writing_is_named_as_busy(judged, tmp_path):
    # "the database is busy" named no file: with the database from the config, not --db,
    # the user could not tell which one (a schedule's, a campaign's copy) to wait for
    copy = tmp_path / "scout.db"
    source, target = sqlite3.connect(judged), sqlite3.connect(copy)
    source.backup(target)
    source.close()
    target.close()
    config = tmp_path / "config.toml"
    config.write_text(CONFIG.read_text().replace('database = "microscout.db"', 'database = "scout.db"', 1))
    writer = sqlite3.connect(copy, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another process's crawl, holding the write lock past the busy timeout
    try:
        result = invoke("--config", config, "export", "demo", "--out", tmp_path / "demo.csv")
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(f"Error: the database {copy} is busy (database is locked): another microscout "
                                    f"process is writing to it; try again when it has finished")
    assert len(result.stderr.splitlines()) == 1 and not (tmp_path / "demo.csv").exists()


@pytest.mark.parametrize("exc, code, message", [
    (sqlite3.OperationalError("database is locked"), 1, "the database is busy"),
    (sqlite3.OperationalError("no such column: bot"), 1, "run `microscout db migrate`"),
    (sqlite3.DatabaseError("database disk image is malformed"), 1, "database error: database disk image"),
    (PermissionError(errno.EACCES, "Permission denied", "/srv/x"), 2, "Permission denied (/srv/x); check the path"),
    (OSError(errno.ENOSPC, "No space left on device", "/srv/x"), 1, "no space left on the device (/srv/x)"),
    # a full disk under SQLite is no damaged database: no integrity check to run
    (sqlite3.OperationalError("database or disk is full"), 1, "no space left on the device holding the database "
                                                             "(database or disk is full); free some space"),
    (RecursionError("maximum recursion depth exceeded"), 2, "nested too deeply"),
    (UnicodeDecodeError("utf-8", b"ab\xff", 2, 3, "invalid start byte"), 2, "byte 0xff at offset 2"),
    (KeyError("x\ny"), 1, "unexpected error: KeyError: 'x\\ny'"),
])
def test_every_exception_maps_to_one_line_and_an_exit_code(exc, code, message):
    from microscout.cli.common import failure

    problem = failure(exc)
    assert problem.exit_code == code and message in problem.message and "\n" not in problem.message


def test_ctrl_c_while_the_command_line_loads_ends_quietly():
    """A KeyboardInterrupt while microscout.cli is still being imported (the first half
    second of any command) is exit 130 and one word, not a traceback."""
    import subprocess
    import sys

    code = ("import sys\n"
            "class Interrupt:\n"
            "    def find_spec(self, name, path, target=None):\n"
            "        if name == 'microscout.cli':\n"
            "            raise KeyboardInterrupt\n"
            "sys.meta_path.insert(0, Interrupt())\n"
            "from microscout._main import main\n"
            "main()\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 130 and out.stderr == "interrupted\n", out.stderr


def test_an_empty_out_is_refused_not_read_as_the_default_path(judged):
    result = invoke("--config", CONFIG, "export", "demo", "--out", "", "--db", judged)
    assert result.exit_code == 2 and "--out is empty; give the file to write" in result.output


def test_export_takes_its_format_from_the_out_extension(judged, tmp_path):
    result = invoke("--config", CONFIG, "export", "demo", "--db", judged, "--out", tmp_path / "r.xlsx", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["format"] == "xlsx"
    assert (tmp_path / "r.xlsx").read_bytes()[:2] == b"PK"  # a zip: a workbook, not CSV text


def test_export_format_names_are_read_in_any_case(judged, tmp_path):
    result = invoke("--config", CONFIG, "export", "demo", "--db", judged, "--format", "XLSX",
                    "--out", tmp_path / "r.xlsx", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["format"] == "xlsx"


def test_export_refuses_an_out_extension_of_another_format(judged, tmp_path):
    (tmp_path / "r.csv").write_text("the previous export\n")
    result = invoke("--config", CONFIG, "export", "demo", "--db", judged, "--format", "xlsx",
                    "--out", tmp_path / "r.csv")
    assert result.exit_code == 2, result.output
    assert "ends in .csv, but --format xlsx writes .xlsx" in result.output
    assert (tmp_path / "r.csv").read_text() == "the previous export\n"


def test_an_export_to_a_read_only_store_says_so_and_keeps_the_file(judged, tmp_path, monkeypatch):
    from microscout.engine import export

    def readonly(*args, **kwargs):
        raise sqlite3.OperationalError("attempt to write a readonly database")

    # What SQLite says when the file or its folder is read-only (root ignores permissions).
    monkeypatch.setattr(export, "interrupt_stale_runs", readonly)
    (tmp_path / "r.csv").write_text("the previous export\n")
    result = invoke("--config", CONFIG, "export", "demo", "--db", judged, "--out", tmp_path / "r.csv")
    assert result.exit_code == 2, result.output
    assert "the database cannot be written" in result.output and "integrity_check" not in result.output
    assert (tmp_path / "r.csv").read_text() == "the previous export\n"


@pytest.mark.parametrize("args, message", [
    (["explain", "cook", "--campaign", "nope"], "no campaign 'nope' in [campaigns]; known: demo"),
    (["sandbox", "score", "nope"], "no campaign 'nope' in [campaigns]; known: demo"),
    (["shortlist", "demo", "--limit", "0"], "Invalid value for '--limit': 0 is fewer than 1: give 1 or more"),
    (["shortlist", "demo", "--limit", "-1"], "Invalid value for '--limit': -1 is fewer than 1: give 1 or more"),
    (["shortlist", "demo", "--budget", "-5"], "Invalid value for '--budget'"),
    (["shortlist", "demo", "--batch-size", "0"], "Invalid value for '--batch-size'"),
    (["shortlist", "demo", "--budget", "nan"], "Invalid value for '--budget': 'nan' is not a finite number"),
    (["shortlist", "demo", "--budget", "inf"], "Invalid value for '--budget': 'inf' is not a finite number"),
])
def test_an_unknown_campaign_or_a_bad_number_is_named(judged, args, message):
    result = invoke("--config", CONFIG, *args, "--db", judged)
    assert result.exit_code == 2 and message in result.output, result.output


@pytest.mark.parametrize("toml, message", [
    ('[campaigns.c]\nplatforms = ["mastodon"]\nkeywords = ["x"]\nprice_per_post = [50, inf]\n',
     "campaigns.c.price_per_post.1: Input should be a finite number"),
    ("[crawl]\ndownload_delay = inf\n", "crawl.download_delay: Input should be a finite number"),
    ("[rules.engagement]\nfail_below = nan\n", "rules.engagement.fail_below: must be a finite number (got nan)"),
    ('[platforms.mastodon.rules.engagement.benchmarks]\nmicro = inf\n',
     "platforms.mastodon.rules.engagement.benchmarks.micro: must be a finite number (got inf)"),
])
def test_nan_and_inf_in_the_config_are_refused_naming_the_key(tmp_path, toml, message):
    (tmp_path / "config.toml").write_text(toml)
    result = invoke("--config", tmp_path / "config.toml", "config", "check")
    assert result.exit_code == 2 and message in result.output, result.output


@pytest.mark.parametrize("url", ["127.0.0.1:47111", "htp://mastodon.example", "https://", "http://a b.example"])
def test_a_server_address_that_is_no_http_url_fails_config_check_naming_the_key(tmp_path, url):
    (tmp_path / "config.toml").write_text(f'[platforms.mastodon]\nbase_url = "{url}"\n'
                                          f'[platforms.bluesky]\npds = "https://bsky.social"\n')
    result = invoke("--config", tmp_path / "config.toml", "config", "check")
    assert result.exit_code == 2
    assert "platforms.mastodon.base_url: not an http:// or https:// address with a host name" in result.output


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.1", "::"])
def test_the_sandbox_refuses_to_bind_anything_but_the_loopback_interface(host):
    result = invoke("sandbox", "serve", "--host", host, "--lifetime", "0.1")
    assert result.exit_code == 2
    assert f"--host: the sandbox binds only the loopback interface: use 127.0.0.1, not {host!r}" in result.output


def test_a_run_that_judges_no_one_says_why(tmp_path):
    db = tmp_path / "yt.db"
    store = open_store(db)
    add_profile(store, "tuber", 5_000, posts=3, platform="youtube")
    store.conn.close()
    result = invoke("--config", CONFIG, "shortlist", "demo", "--db", db)
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "Judged 0 candidates" in said
    assert "No candidate is on the campaign's platforms (mastodon, bluesky); the store holds 1 on youtube" in said
    assert "campaigns.demo.platforms" in said


def _without_root_powers() -> list[str] | None:
    """A prefix that runs a command without root's power to ignore file permissions."""
    if os.geteuid() != 0:
        return []
    setpriv = "/usr/bin/setpriv"
    if not Path(setpriv).exists():
        return None
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search", "--inh-caps",
            "-dac_override,-dac_read_search"]


def test_a_database_in_a_folder_the_user_may_not_write_to_is_refused_plainly(judged, tmp_path):
    # SQLite must create the WAL's -shm file to read; reading the file as it stands instead
    # (immutable) would read wrong data while its owner's crawl writes to it.
    prefix = _without_root_powers()
    if prefix is None:
        pytest.skip("running as root without setpriv: permissions cannot be taken away")
    folder = tmp_path / "shared"
    folder.mkdir()
    copy = folder / "scout.db"
    source = sqlite3.connect(judged)
    target = sqlite3.connect(copy)
    source.backup(target)
    source.close()
    target.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{copy}{suffix}").unlink(missing_ok=True)
    folder.chmod(0o555)
    try:
        done = subprocess.run([*prefix, sys.executable, "-m", "microscout", "--config", str(CONFIG), "--db",
                               str(copy), "explain", "cook"], capture_output=True, text=True, cwd=tmp_path)
    finally:
        folder.chmod(0o755)
    assert done.returncode == 2, done.stderr
    assert "SQLite must create scout.db-shm beside the database" in done.stderr and "Traceback" not in done.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["scout.db"]


@pytest.mark.parametrize("args, message", [
    (["mastodon", "--hashtag", "#"], "--hashtag '#': not a hashtag"),
    (["mastodon", "--hashtag", ""], "--hashtag '': not a hashtag"),
    (["mastodon", "--hashtag", "coffee tea"], "--hashtag 'coffee tea': not a hashtag"),
    (["mastodon", "--hashtag", "a/b"], "--hashtag 'a/b': not a hashtag"),
    (["mastodon", "--hashtag", "cof?fee"], "--hashtag 'cof?fee': not a hashtag"),
    (["mastodon", "--hashtag", "a&b"], "--hashtag 'a&b': not a hashtag"),
    (["mastodon", "--handle", "@"], "--handle '@' is not a handle"),
    (["mastodon", "--handle", "a b"], "--handle 'a b' is not a handle"),
    (["mastodon", "--handle", "alice?x=1"], "--handle 'alice?x=1' is not a handle"),
    (["bluesky", "--handle", "not a handle"], "--handle 'not a handle' is not a handle"),
])
def test_crawl_names_a_bad_hashtag_or_handle_before_crawling(tmp_path, args, message):
    result = invoke("--config", CONFIG, "crawl", *args, "--db", tmp_path / "c.db")
    assert result.exit_code == 2 and message in result.output, result.output
    assert not (tmp_path / "c.db").exists()


def test_crawl_of_linkedin_says_it_has_no_crawler_and_how_to_bring_it_in(tmp_path):
    # linkedin is a platform of the config (import --platform linkedin), not a campaign
    result = invoke("--config", CONFIG, "crawl", "linkedin", "--hashtag", "vegan", "--db", tmp_path / "c.db")
    assert result.exit_code == 2, result.output
    assert "no campaign" not in result.output and "microscout import FILE --platform linkedin" in result.output
    assert len(result.output.strip().splitlines()) == 1 and not (tmp_path / "c.db").exists()


def test_a_misspelt_platform_in_crawl_is_named_as_the_platform_it_was_meant_to_be(tmp_path):
    # `crawl mastodn` was told only "no campaign 'mastodn' in [campaigns]; known: demo"
    result = invoke("--config", CONFIG, "crawl", "mastodn", "--hashtag", "vegan", "--db", tmp_path / "c.db")
    assert result.exit_code == 2, result.output
    assert "did you mean 'mastodon'?" in result.output and "not a platform" in result.output, result.output
    assert len(result.output.strip().splitlines()) == 1 and not (tmp_path / "c.db").exists()


def test_crawl_takes_tags_in_any_script_and_handles_as_written():
    from microscout.cli.crawl import checked_handle, checked_tag

    tags = ("#café", "日本", "vegan_recipes", "#2024", "हिन्दी", "l·l", "اینستاگرام\u200cنویس", "covid-19")
    assert [checked_tag(t, "--hashtag") for t in tags] == [t.lstrip("#") for t in tags]
    assert [checked_handle(h) for h in ("@alice", "alice@mastodon.social", "did:plc:abc123",
                                        "https://mastodon.social/@bob", "@日本語チャンネル", "@user@例え.jp")] == [
        "alice", "alice@mastodon.social", "did:plc:abc123", "bob@mastodon.social", "日本語チャンネル", "user@例え.jp"]


@pytest.mark.parametrize("option, url", [
    ("--instance", "https://bob:s3cret@example.social"), ("--appview", "https://bob:s3cret@example.social"),
    ("--pds", "https://bob:s3cret@example.social"), ("--instance", "bob:s3cret@mastodon.social"),
    ("--instance", "https://bob:pa/s3cret@host"), ("--instance", "https:/bob:s3cret@host"),
])
def test_a_server_address_with_a_password_is_refused_without_echoing_it(tmp_path, option, url):
    platform = "mastodon" if option == "--instance" else "bluesky"
    result = invoke("--config", CONFIG, "crawl", platform, option, url, "--hashtag", "x", "--db", tmp_path / "c.db")
    assert result.exit_code == 2 and "holds a user name or password" in result.output, result.output
    assert "s3cret" not in result.output and "bob" not in result.output
    assert not (tmp_path / "c.db").exists()


@pytest.mark.parametrize("platform, option, url", [
    ("youtube", "--api", "http://127.0.0.1:9/youtube/v3?key=SECRET-yt-7f3a9"),
    ("instagram", "--api", "http://127.0.0.1:9/v21.0?access_token=SECRET-yt-7f3a9"),
    ("mastodon", "--instance", "http://127.0.0.1:9/?access_token=SECRET-yt-7f3a9"),
    ("bluesky", "--appview", "http://127.0.0.1:9?token=SECRET-yt-7f3a9"),
])
def test_a_server_address_with_a_query_string_is_refused_without_echoing_it(tmp_path, platform, option, url):
    # Before: the crawl ran, and the key rode in the run's arguments (crawl_runs.arguments,
    # `--json`), its messages and the job folder's crawl.log.
    result = invoke("--config", CONFIG, "crawl", platform, option, url, "--hashtag", "x", "--db", tmp_path / "c.db")
    assert result.exit_code == 2 and "holds a query string" in result.output, result.output
    assert "SECRET" not in result.output
    assert not (tmp_path / "c.db").exists()


@pytest.mark.parametrize("url", ["https://mastodon.social?x=a@b", "https://mastodon.social:443/@alice"])
def test_an_at_sign_outside_the_address_is_no_password(url):
    from microscout.cli.crawl import without_userinfo

    assert without_userinfo(url) == url


def test_a_database_with_damaged_pages_is_named_in_its_one_line(tmp_path):
    # A review: "check the file given as --db" when no --db was given (the config named it)
    # and the file was not named.
    db = tmp_path / "pc.db"
    store = open_store(db)
    for n in range(300):
        add_profile(store, f"p{n}", 5_000, posts=3, bio="vegan " * 40)
    store.conn.close()
    size = db.stat().st_size
    with open(db, "r+b") as f:  # the later half of the pages: it opens, then fails on reading them
        f.seek(size // 2 // 4096 * 4096)
        f.write(b"\xff" * (size - size // 2 // 4096 * 4096))
    (tmp_path / "pc.toml").write_text('database = "pc.db"\n')
    result = invoke("--config", str(tmp_path / "pc.toml"), "db", "refresh-features",
                    env={"MICROSCOUT_STATE_DIR": str(tmp_path / "state")})
    assert result.exit_code == 1, result.output
    assert f"check the database {db} (sqlite3 {db} 'PRAGMA integrity_check')" in result.output
    assert "given as --db" not in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("args", [["shortlist", "demo", "--limit"], ["shortlist", "demo", "--json", "--limit"],
                                  ["shortlist", "demo", "--batch-size"], ["export", "demo", "--limit"]])
def test_a_count_beyond_what_sqlite_holds_is_bad_input_not_an_unexpected_error(judged, tmp_path, args):
    # --limit 99999999999999999999 reached SQLite's LIMIT: "unexpected error: OverflowError", exit 1
    out = ["--out", tmp_path / "x.csv"] if args[0] == "export" else []
    result = invoke(*args, 10**20, *out, "--db", judged, "--config", CONFIG)
    assert result.exit_code == 2, result.output
    assert f"Invalid value for '{args[-1]}': {10**20} is more than SQLite can count: give at most " \
           "9,223,372,036,854,775,807" in result.output and "OverflowError" not in result.output
    assert not (tmp_path / "x.csv").exists()


@pytest.mark.parametrize("value", ["0", "-1", "9223372036854775808"])
def test_a_bad_count_is_said_in_words_not_as_a_range_of_nineteen_digits(judged, value):
    # IntRange said "0 is not in the range 1<=x<=9223372036854775807"
    result = invoke("--config", CONFIG, "shortlist", "demo", "--limit", value, "--db", judged)
    assert result.exit_code == 2 and "1<=x" not in result.output and value in result.output, result.output


def test_the_largest_count_sqlite_holds_is_taken(judged):
    result = invoke("--config", CONFIG, "shortlist", "demo", "--limit", str(2**63 - 1), "--db", judged)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("args, command", [(["schedule", "lst"], "microscout schedule"), (["--bogus"], "microscout"),
                                           (["export"], "microscout export")])
def test_a_usage_error_names_the_command_whose_help_tells_more(args, command):
    result = invoke(*args)
    assert result.exit_code == 2 and result.output.rstrip().endswith(f"(`{command} --help` tells more)"), \
        result.output


@pytest.mark.parametrize("args, usage", [([], "Usage: microscout [OPTIONS] COMMAND"),
                                         (["db"], "Usage: microscout db [OPTIONS] COMMAND")])
def test_a_group_given_no_command_still_shows_its_help(args, usage):
    # click's usage errors are one line (above); a group given nothing to do answers with its help
    result = invoke(*args)
    assert result.output.startswith(usage) and "Commands:" in result.output, result.output
