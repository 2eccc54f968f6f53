"""benchmarks/tile_store.py grows a generated store for the 1,000,000-profile shortlist run:
each copy of a candidate must be judged exactly as the original, or the run measures
something else than a store of that size."""
from __future__ import annotations

import importlib.util
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from microscout.sandbox.storewriter import generate

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "benchmarks" / "tile_store.py"


def _load_script():
    spec = importlib.util.spec_from_file_location("tile_store", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def _judge(path: Path) -> None:
    """`shortlist demo` as the benchmark runs it (the stored features it lacks are computed first)."""
    subprocess.run([sys.executable, "-m", "microscout", "--config", str(REPO / "config.toml"), "--db", str(path),
                    "shortlist", "demo", "--json", "--workers", "1"], check=True, capture_output=True, cwd=REPO)


def _rows(path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_every_copy_is_judged_as_its_original(tmp_path):
    source = tmp_path / "source.db"
    generate(source, 60, 7, posts=12, posts_with_replies=4, followers=40, workers=0)
    subprocess.run([sys.executable, str(SCRIPT), "--src", str(source), "--times", "3",
                    "--out", str(tmp_path / "tiled.db"), "--cache-mb", "50"], check=True, capture_output=True)
    original = tmp_path / "original.db"
    generate(original, 60, 7, posts=12, posts_with_replies=4, followers=40, workers=0)
    _judge(original)
    _judge(tmp_path / "tiled.db")

    size = _rows(original, "SELECT max(id) FROM profiles")[0][0]
    verdicts = _rows(original, "SELECT profile_id, rule, outcome, score, reason FROM verdicts")
    by_key = {(p, rule): rest for p, rule, *rest in verdicts}
    tiled = _rows(tmp_path / "tiled.db", "SELECT profile_id, rule, outcome, score, reason FROM verdicts")
    assert len(tiled) == 3 * len(verdicts) > 0
    outcomes = {outcome for _, _, outcome, _, _ in verdicts}
    assert {"pass", "fail"} <= outcomes  # a store where judging has something to tell apart
    quoted: set[str] = set()
    for profile_id, rule, outcome, score, reason in tiled:
        copy, offset = divmod(profile_id - 1, size)
        want_outcome, want_score, want_reason = by_key[(offset + 1, rule)]
        assert (outcome, score) == (want_outcome, want_score), (profile_id, rule)
        # A reason may quote a post's platform id, which carries its copy's own suffix.
        assert (reason.replace(f"~{copy}", "") if copy else reason) == want_reason
        quoted.update(re.findall(r"~\d+", reason))
    assert quoted == {"~1", "~2"}  # the check above did compare quoted ids
    entries = {p: rest for p, *rest in _rows(original, "SELECT profile_id, score, rank IS NULL, excluded_by "
                                                       "FROM shortlist_entries")}
    for profile_id, *rest in _rows(tmp_path / "tiled.db", "SELECT profile_id, score, rank IS NULL, excluded_by "
                                                          "FROM shortlist_entries"):
        assert rest == entries[(profile_id - 1) % size + 1]


def test_the_store_keeps_its_triggers_and_counts(tmp_path):
    source = tmp_path / "source.db"
    generate(source, 10, 3, posts=3, posts_with_replies=1, followers=5, workers=0)
    triggers = _rows(source, "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
    own = ("SELECT count(*) FROM comments c JOIN profiles p ON p.id = c.profile_id "
           "WHERE c.author_id = p.platform_id")
    # A creator answering on their own post (the generator writes none): its author id is the
    # profile's platform id, in every copy too.
    conn = sqlite3.connect(source)
    conn.execute("INSERT INTO comments (platform, platform_id, profile_id, post_platform_id, author_id, "
                  "author_handle, text, created_at) SELECT c.platform, c.platform_id || '-own', c.profile_id, "
                  "c.post_platform_id, p.platform_id, 'someone-else', 'thanks!', c.created_at FROM comments c "
                  "JOIN profiles p ON p.id = c.profile_id ORDER BY c.id LIMIT 2")
    conn.commit()
    conn.close()
    own_replies = _rows(source, own)[0][0]
    assert own_replies == 2
    counts = {t: _rows(source, f"SELECT count(*) FROM {t}")[0][0] for t in ("profiles", "posts", "comments",
                                                                             "follower_samples", "post_features")}
    out = tmp_path / "tiled.db"
    subprocess.run([sys.executable, str(SCRIPT), "--src", str(source), "--times", "4", "--out", str(out),
                    "--move", "--cache-mb", "50"], check=True, capture_output=True)
    assert not source.exists()
    assert _rows(out, "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name") == triggers
    for table, n in counts.items():
        assert _rows(out, f"SELECT count(*) FROM {table}")[0][0] == 4 * n
    assert _rows(out, own)[0][0] == 4 * own_replies
    assert _rows(out, "PRAGMA journal_mode")[0][0] == "wal"
    # A write to a copied row moves the store's data version, as in any store.
    before = _rows(out, "SELECT version FROM data_version")[0][0]
    conn = sqlite3.connect(out)
    conn.execute("UPDATE posts SET likes = likes + 1 WHERE id = (SELECT max(id) FROM posts)")
    conn.commit()
    conn.close()
    assert _rows(out, "SELECT version FROM data_version")[0][0] == before + 1


@pytest.mark.parametrize("args, message", [
    (["--times", "1"], "--times 1: give 2 or more"),
    (["--src", "missing.db"], "no such file"),
])
def test_bad_arguments_are_one_line_and_exit_2(tmp_path, args, message):
    source = tmp_path / "source.db"
    source.write_bytes(b"")
    argv = ["--src", str(source), "--times", "2", "--out", str(tmp_path / "out.db")]
    for i in range(0, len(args), 2):
        argv[argv.index(args[i]) + 1] = args[i + 1]
    done = subprocess.run([sys.executable, str(SCRIPT), *argv], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 2
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_a_store_with_a_shortlist_run_is_refused(tmp_path):
    source = tmp_path / "source.db"
    generate(source, 5, 3, posts=2, posts_with_replies=1, followers=3, workers=0)
    _judge(source)
    module = _load_script()
    conn = sqlite3.connect(source)
    with pytest.raises(module.BadInput, match="shortlist_runs rows"):
        module.tile(conn, 2)
    conn.close()
