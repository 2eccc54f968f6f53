"""Exports: the latest shortlist with reasons, diffed against the previous export, atomic."""
import csv
import json

import pytest

from microscout.config import parse_config
from microscout.engine.export import ExportError, export_shortlist, write_atomically
from microscout.engine.shortlist import run_shortlist
from microscout.store import open_store
from tests.engine.helpers import NOW, add_profile, exporting_plugins

CONFIG = parse_config({"campaigns": {"c": {"platforms": ["mastodon"], "gates": ["min_followers"]}}})


@pytest.fixture
def setup(tmp_path):
    rules, exporters = exporting_plugins()
    db = open_store(tmp_path / "t.db")
    for handle, followers, likes in [("a", 5000, 50), ("b", 6000, 60), ("c", 7000, 70)]:
        add_profile(db, handle, followers, posts=2, likes=likes)
    return db, rules, exporters


def test_csv_marks_new_moved_dropped(setup, tmp_path):
    db, rules, exporters = setup
    run_shortlist(db, CONFIG, rules, "c", now=NOW)
    first = export_shortlist(db, "c", 2, exporters["csv"], tmp_path / "one.csv")
    assert (first["new"], first["unchanged"], first["dropped"]) == (2, 0, 0)
    rows = list(csv.DictReader(open(tmp_path / "one.csv", encoding="utf-8-sig")))
    assert [r["Handle"] for r in rows] == ["c", "b"]
    assert rows[0]["Engagement: outcome"] == "pass" and rows[0]["Min followers: reason"].startswith("7000 followers")

    add_profile(db, "d", 9000, posts=2, likes=99)  # a newcomer pushes b out of the top two
    run_shortlist(db, CONFIG, rules, "c", now=NOW)
    second = export_shortlist(db, "c", 2, exporters["csv"], tmp_path / "two.csv")
    change = {r["Handle"]: r["Change"] for r in csv.DictReader(open(tmp_path / "two.csv", encoding="utf-8-sig"))}
    assert change == {"d": "new", "c": "down 1", "b": "dropped"}
    assert (second["new"], second["down"], second["dropped"]) == (1, 1, 1)


def test_an_account_that_opts_out_or_is_gone_after_the_run_is_not_exported_at_its_old_rank(setup, tmp_path):
    # A review: an opt-out recorded between the shortlist and the export was exported first,
    # an empty name with its score and platform id, "opted out" in every rule column.
    from microscout.store.writes import forget_opted_out

    db, rules, exporters = setup
    run_shortlist(db, CONFIG, rules, "c", now=NOW)
    export_shortlist(db, "c", 3, exporters["csv"], tmp_path / "one.csv")
    ids = dict(db.execute("SELECT handle, id FROM profiles").fetchall())
    with db.conn:
        db.execute("UPDATE profiles SET opted_out = 1, opt_out_reason = 'noindex', handle = '' WHERE id = ?", [ids["c"]])
        forget_opted_out(db, [ids["c"]])
        db.execute("UPDATE profiles SET gone_since = '2026-11-02T00:00:00+00:00' WHERE id = ?", [ids["b"]])
    export_shortlist(db, "c", 3, exporters["csv"], tmp_path / "two.csv")
    rows = list(csv.DictReader(open(tmp_path / "two.csv", encoding="utf-8-sig")))
    assert [(r["Handle"], r["Change"]) for r in rows if r["Change"] != "dropped"] == [("a", "unchanged")]  # the run's ranks, not renumbered
    dropped = {r["Platform ID"]: r["Excluded by"] for r in rows if r["Change"] == "dropped"}
    assert dropped == {"c@example.social": "opted out",
                       "b@example.social": "no longer on mastodon (no such account since 2026-11-02)"}


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_json_formats_carry_the_same_rows(setup, tmp_path, fmt):
    db, rules, exporters = setup
    run_shortlist(db, CONFIG, rules, "c", now=NOW)
    path = tmp_path / f"out.{fmt}"
    export_shortlist(db, "c", 3, exporters[fmt], path)
    text = path.read_text()
    rows = json.loads(text) if fmt == "json" else [json.loads(line) for line in text.splitlines()]
    assert [r["rank"] for r in rows] == [1, 2, 3]
    assert all(r["status"] == "new" and r["change"] == "new" for r in rows)
    assert rows[0]["profile_url"] == "https://example.social/@c" and 0 < rows[0]["engagement_rate"] < 1


def test_no_shortlist_yet_is_a_clear_error(setup, tmp_path):
    db, _, exporters = setup
    with pytest.raises(ExportError, match="run `microscout shortlist c` first"):
        export_shortlist(db, "c", 3, exporters["csv"], tmp_path / "x.csv")


def test_a_failed_write_leaves_the_old_file_whole(setup, tmp_path):
    _, _, exporters = setup
    folder = tmp_path / "exports"
    folder.mkdir()
    target = folder / "keep.csv"
    target.write_text("the previous export\n")

    class Boom(Exception):
        pass

    def half_then_fail(rows, columns, out):
        out.write("half a row,")
        raise Boom()

    exporter = exporters["csv"].__class__("broken", "csv", "fails midway", half_then_fail)
    with pytest.raises(Boom):
        write_atomically(target, exporter, [{"a": 1}], ["a"])
    assert target.read_text() == "the previous export\n"
    assert [p.name for p in folder.iterdir()] == ["keep.csv"]  # no temporary file left behind


def test_a_store_that_cannot_record_the_export_leaves_the_previous_file(setup, tmp_path):
    db, rules, exporters = setup
    run_shortlist(db, CONFIG, rules, "c", now=NOW)
    target = tmp_path / "keep.csv"
    target.write_text("the previous export\n")
    readonly = open_store(tmp_path / "t.db", readonly=True)
    with pytest.raises(Exception, match="readonly"):
        export_shortlist(readonly, "c", 3, exporters["csv"], target)
    assert target.read_text() == "the previous export\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".keep.csv")] == []


def test_an_export_whose_file_fails_is_not_recorded(setup, tmp_path):
    db, rules, exporters = setup
    run_shortlist(db, CONFIG, rules, "c", now=NOW)

    def fail(rows, columns, out):
        raise OSError(28, "No space left on device")

    exporter = exporters["csv"].__class__("broken", "csv", "fails", fail)
    with pytest.raises(OSError):
        export_shortlist(db, "c", 3, exporter, tmp_path / "x.csv")
    assert db.execute("SELECT count(*) FROM exports").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM export_entries").fetchone()[0] == 0
    first = export_shortlist(db, "c", 3, exporters["csv"], tmp_path / "y.csv")
    assert first["new"] == 3  # compared with nothing: the failed one left no ranks behind


def test_default_names_taken_in_the_same_second_get_the_next_free_one(setup, tmp_path):
    db, rules, exporters = setup
    run_shortlist(db, CONFIG, rules, "c", now=NOW)
    path = tmp_path / "c-20261201-120000.csv"
    first = export_shortlist(db, "c", 3, exporters["csv"], path, new_name=True)
    second = export_shortlist(db, "c", 2, exporters["csv"], path, new_name=True)
    assert (first["path"], second["path"]) == (str(path), str(tmp_path / "c-20261201-120000-2.csv"))
    assert len(list(csv.DictReader(open(path, encoding="utf-8-sig")))) == 3  # the first is kept whole
    recorded = [row[0] for row in db.execute("SELECT path FROM exports ORDER BY id")]
    assert recorded == [first["path"], second["path"]]
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".csv") == [
        "c-20261201-120000-2.csv", "c-20261201-120000.csv"]


def test_a_full_disk_names_the_export_and_leaves_no_zip_behind(setup, tmp_path, monkeypatch):
    import errno
    import gc
    import sys

    db, rules, exporters = setup
    run_shortlist(db, CONFIG, rules, "c", now=NOW)
    unraisable = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    real_fdopen = __import__("os").fdopen

    class Full:
        def __init__(self, f):
            self.f = f

        def __getattr__(self, name):
            return getattr(self.f, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("microscout.engine.export.os.fdopen", lambda *a, **k: Full(real_fdopen(*a, **k)))
    target = tmp_path / "out.xlsx"
    with pytest.raises(OSError) as raised:
        export_shortlist(db, "c", 3, exporters["xlsx"], target)
    got = (raised.value.errno, raised.value.filename)
    del raised  # its traceback holds the workbook's frames: free them, then collect
    gc.collect()
    assert got == (errno.ENOSPC, str(target))
    assert unraisable == [] and not target.exists()
    assert db.execute("SELECT count(*) FROM exports").fetchone()[0] == 0


def test_the_store_is_not_locked_while_the_file_is_written(setup, tmp_path):
    import sqlite3

    db, rules, exporters = setup
    run_shortlist(db, CONFIG, rules, "c", now=NOW)
    seen = []

    def write(rows, columns, out):
        # a crawl's flush meanwhile: it takes the write lock at once, waiting for nothing
        other = sqlite3.connect(tmp_path / "t.db", timeout=0, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        other.execute("COMMIT")
        other.close()
        seen.append(True)
        out.write("rows\n")

    exporter = exporters["csv"].__class__("slow", "csv", "takes its time", write)
    export_shortlist(db, "c", 3, exporter, tmp_path / "x.csv")
    assert seen == [True] and (tmp_path / "x.csv").read_text() == "rows\n"
