"""Export files: written atomically through a temporary file beside the target, created
with the umask's permissions, and what a killed export left behind cleaned at the next."""
from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from microscout.config import parse_config
from microscout.engine.export import ExportError, _host_tag, clean_temporary_files, export_shortlist
from microscout.engine.shortlist import run_shortlist
from microscout.store import open_store
from tests.engine.helpers import NOW, add_profile, exporting_plugins

CONFIG = parse_config({"campaigns": {"c": {"platforms": ["mastodon"], "gates": ["min_followers"]}}})


@pytest.fixture
def judged(tmp_path):
    rules, exporters = exporting_plugins()
    db = open_store(tmp_path / "t.db")
    for handle, followers in [("a", 5000), ("b", 6000)]:
        add_profile(db, handle, followers, posts=2)
    run_shortlist(db, CONFIG, rules, "c", now=NOW)
    return db, exporters


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_exports_honour_the_umask(judged, tmp_path, umask, mode):
    db, exporters = judged
    old = os.umask(umask)
    try:
        export_shortlist(db, "c", 5, exporters["csv"], tmp_path / "out" / "c.csv")
    finally:
        os.umask(old)
    assert (tmp_path / "out" / "c.csv").stat().st_mode & 0o777 == mode


@pytest.mark.parametrize("mode", [0o640, 0o600, 0o444])
def test_an_export_that_replaces_a_file_keeps_its_permissions(judged, tmp_path, mode):
    # A review: the file an --out replaced came back with the umask's 0644, so a report kept
    # to a group (0640) or read-only (0444) was opened to everyone.
    db, exporters = judged
    target = tmp_path / "c.csv"
    target.write_text("old")
    target.chmod(mode)
    old = os.umask(0o022)
    try:
        export_shortlist(db, "c", 5, exporters["csv"], target)
    finally:
        os.umask(old)
    assert target.stat().st_mode & 0o777 == mode and target.read_text(encoding="utf-8-sig") != "old"


def test_a_killed_export_leaves_a_temporary_file_the_next_export_removes(judged, tmp_path):
    db, exporters = judged
    out = tmp_path / "out"
    out.mkdir()
    # a real process, killed with SIGKILL in the middle of writing its export
    script = ("import os, sys; from pathlib import Path; from microscout.engine.export import _open_temporary; "
              "fd, tmp = _open_temporary(Path(sys.argv[1])); os.write(fd, b'rank,handle\\n1,a'); "
              "os.kill(os.getpid(), 9)")
    killed = subprocess.run([sys.executable, "-c", script, str(out / "c.csv")], timeout=60)
    assert killed.returncode == -9
    left = [p.name for p in out.iterdir()]
    assert len(left) == 1 and left[0].startswith(".c.csv.") and left[0].endswith(".part")
    # an older version's leftover (no pid), old enough, and files that are not ours
    legacy = out / ".c-20260101-000000.csv.k3j_9x2a.part"
    legacy.write_text("half")
    os.utime(legacy, (time.time() - 7200, time.time() - 7200))
    fresh_legacy = out / ".c-20260102-000000.csv.abcdefgh.part"
    fresh_legacy.write_text("maybe still being written")
    mine = [out / ".notes.part", out / "c.csv.part", out / ".report.pdf.abcdefgh.part"]
    for path in mine:
        path.write_text("the user's")
    os.utime(mine[2], (time.time() - 7200, time.time() - 7200))

    export_shortlist(db, "c", 5, exporters["csv"], out / "c.csv")
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["c.csv", fresh_legacy.name, *(p.name for p in mine)])
    assert (out / "c.csv").read_text(encoding="utf-8").startswith("\ufeffRank,Change")


def test_temporary_files_of_live_exports_and_other_hosts_are_kept(tmp_path):
    sleeper = subprocess.Popen(["sleep", "30"])
    try:
        live = tmp_path / f".a.csv.{_host_tag()}-{sleeper.pid}.0123abcd.part"
        other_host = tmp_path / f".b.csv.{'0' if _host_tag()[0] != '0' else '1'}{_host_tag()[1:]}-1.0123abcd.part"
        for path in (live, other_host):
            path.write_text("being written")
        assert clean_temporary_files(tmp_path, ".csv") == []
        assert live.exists() and other_host.exists()
    finally:
        sleeper.kill()
        sleeper.wait()
    assert clean_temporary_files(tmp_path, ".csv") == [live]  # its process is gone now


def test_a_failed_write_keeps_the_previous_file_and_leaves_no_temporary(judged, tmp_path):
    db, exporters = judged
    target = tmp_path / "c.csv"
    target.write_text("the previous export\n")
    before = target.stat().st_mtime_ns

    class Broken:
        name, extension = "csv", "csv"

        def write(self, rows, columns, out):
            out.write("half a file")
            raise RuntimeError("exporter bug")

    with pytest.raises(RuntimeError):
        export_shortlist(db, "c", 5, Broken(), target)
    assert target.read_text() == "the previous export\n" and target.stat().st_mtime_ns == before
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_unwritable_destinations_are_one_line_export_errors(judged, tmp_path):
    db, exporters = judged
    (tmp_path / "file").write_text("in the way")
    (tmp_path / "folder").mkdir()
    for out, reason in [(tmp_path / "file" / "c.csv", "a file is in the way of the folder"),
                        (tmp_path / "folder", "it is a folder")]:
        with pytest.raises(ExportError) as info:
            export_shortlist(db, "c", 5, exporters["csv"], out)
        assert f"cannot write the export to {out}: {reason}" in str(info.value)
    assert (tmp_path / "file").read_text() == "in the way"


def test_a_file_name_near_the_length_limit_is_written_and_one_past_it_is_one_line(judged, tmp_path):
    # A review: a name of 254 bytes ("é" is two) is a file the system writes, but the
    # temporary file beside it, 30 bytes longer, was refused; one past 255 bytes was an
    # OSError (exit 1, a traceback in the log), not an export error.
    db, exporters = judged
    fits = tmp_path / ("é" * 125 + ".csv")
    export_shortlist(db, "c", 5, exporters["csv"], fits)
    assert fits.read_text(encoding="utf-8-sig").startswith("Rank,")
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []
    too_long = tmp_path / ("é" * 126 + ".csv")
    with pytest.raises(ExportError) as info:
        export_shortlist(db, "c", 5, exporters["csv"], too_long)
    assert f"cannot write the export to {too_long}: the file name is too long (at most 255 bytes)" in \
        str(info.value)


def test_an_export_never_replaces_the_store_its_config_or_another_database(judged, tmp_path):
    # A review: `export --out d.db` turned the 30 MB store into a 33 KB CSV, exit 0, and
    # `--format csv --out config.toml` replaced the config.
    import sqlite3

    db, exporters = judged
    config_file = tmp_path / "config.toml"
    config_file.write_text('[campaigns.c]\nplatforms = ["mastodon"]\n')
    config = parse_config({"campaigns": {"c": {"platforms": ["mastodon"]}}}, source=str(config_file))
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    before = {p: p.read_bytes() for p in (tmp_path / "t.db", config_file, other)}
    for target, said in [(tmp_path / "t.db", "it is the database this export reads"),
                         (tmp_path / "t.db-wal", "it is the database this export reads"),
                         (config_file, "it is the config file"),
                         (other, "it is an SQLite database, which the export would replace")]:
        with pytest.raises(ExportError) as info:
            export_shortlist(db, "c", 5, exporters["csv"], target, config=config)
        assert f"cannot write the export to {target}: {said}" in str(info.value)
    assert {p: p.read_bytes() for p in before} == before
    assert db.execute("SELECT count(*) FROM exports").fetchone()[0] == 0
    # nor another database's -wal or -journal (its latest writes: a review lost a table so)
    for companion in (tmp_path / "other.sqlite-wal", tmp_path / "other.sqlite-journal"):
        companion.write_bytes(b"\x37\x7f\x06\x82 not a header")
        with pytest.raises(ExportError) as info:
            export_shortlist(db, "c", 5, exporters["csv"], companion, config=config)
        assert f"cannot write the export to {companion}: it belongs to the SQLite database other.sqlite" in \
            str(info.value)
        assert companion.read_bytes().startswith(b"\x37\x7f\x06\x82")
    # nor a pipe (the check itself blocked opening it) or a device (/dev/stdout became a file)
    fifo = tmp_path / "f.csv"
    os.mkfifo(fifo)
    with pytest.raises(ExportError) as info:
        export_shortlist(db, "c", 5, exporters["csv"], fifo, config=config)
    assert f"cannot write the export to {fifo}: it is not a regular file" in str(info.value)


@pytest.mark.parametrize("out, said", [
    ("shortlist-2026.12.04", None),  # a dotted date, no extension: written in the default format
    ("report.htm", "--out {tmp}/report.htm ends in .htm, which no exporter writes; name the file .html"),
    ("config.toml", "--out {tmp}/config.toml ends in .toml, which no exporter writes; name the file .csv"),
    # an ending with a digit is an extension too (a review: CSV text was written into it)
    ("report.json5", "--out {tmp}/report.json5 ends in .json5, which no exporter writes; name the file .csv"),
    ("-", "--out -: an export is a file (written whole, then put in place); give its name"),
])
def test_export_refuses_a_target_no_exporter_writes(tmp_path, out, said):
    from click.testing import CliRunner

    from microscout.cli import cli
    from tests.conftest import REPO

    db = tmp_path / "t.db"
    store = open_store(db)
    add_profile(store, "cook", 5_000, posts=12, likes=200)
    args = ["--db", str(db), "--config", str(REPO / "config.toml")]
    assert CliRunner().invoke(cli, [*args, "shortlist", "demo"]).exit_code == 0
    target = out if out == "-" else str(tmp_path / out)
    fmt = ["--format", "html"] if out.endswith(".htm") else []
    result = CliRunner().invoke(cli, [*args, "export", "demo", *fmt, "--out", target])
    if said is None:
        assert result.exit_code == 0 and (tmp_path / out).read_text(encoding="utf-8-sig").startswith("Rank,")
        return
    assert result.exit_code == 2
    assert said.format(tmp=tmp_path) in result.output
    assert not (tmp_path / out).exists() or out == "-"


def test_a_default_export_folder_that_cannot_be_written_names_exports_dir(tmp_path):
    # A review: `[exports] dir = "config.toml"` said "choose another --out", an option never given.
    from click.testing import CliRunner

    from microscout.cli import cli

    config = tmp_path / "config.toml"
    config.write_text('[exports]\ndir = "config.toml"\n[campaigns.demo]\nplatforms = ["mastodon"]\n')
    db = tmp_path / "t.db"
    add_profile(open_store(db), "cook", 5_000, posts=12, likes=200)
    args = ["--db", str(db), "--config", str(config)]
    assert CliRunner().invoke(cli, [*args, "shortlist", "demo"]).exit_code == 0
    result = CliRunner().invoke(cli, [*args, "export", "demo", "--format", "csv"])
    assert result.exit_code == 2
    assert "a file is in the way of the folder" in result.output
    assert f"set exports.dir in {config} (now 'config.toml') or give --out" in result.output
    assert "choose another --out" not in result.output
