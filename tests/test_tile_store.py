"""benchmarks/tile_store.py grows a generated store for the 1,000,000-profile shortlist run:
each copy of a candidate must be judged exactly as the original, or the run measures
something else than a store of that size."""
from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from microscout.sandbox.storewriter import generate

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "benchmarks" / "tile_store.py"


def _cli(path: Path, *args: str) -> str:
    return subprocess.run([sys.executable, "-m", "microscout", "--config", str(REPO / "config.toml"), "--db",
                           str(path), *args], check=True, capture_output=True, text=True, cwd=REPO).stdout


def _judge(path: Path) -> None:
    """`shortlist demo` as the benchmark runs it."""
    _cli(path, "shortlist", "demo", "--json", "--workers", "1")


def _rows(path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


# Comments whose post is not a post of the same candidate (none in a generated store).
ORPHANS = ("SELECT count(*) FROM comments c WHERE NOT EXISTS (SELECT 1 FROM posts p "
           "WHERE p.profile_id = c.profile_id AND p.platform_id = c.post_platform_id)")


def test_every_copy_is_judged_as_its_original(tmp_path):
    source = tmp_path / "source.db"
    generate(source, 60, 7, posts=12, posts_with_replies=4, followers=40, workers=0)
    _cli(source, "db", "refresh-features")  # the campaign's niche terms too, as the benchmark's store has them
    tiled = tmp_path / "tiled.db"
    subprocess.run([sys.executable, str(SCRIPT), "--src", str(source), "--times", "3", "--out", str(tiled),
                    "--cache-mb", "50"], check=True, capture_output=True)
    # Every stored feature came along: judging the copies computes none (it would if a feature
    # table were not copied, and then measure work a generated store does not make).
    assert "stored features up to date" in _cli(tiled, "db", "refresh-features")
    assert _rows(tiled, ORPHANS) == [(0,)]
    _judge(tiled)

    size = _rows(source, "SELECT max(id) FROM profiles")[0][0]
    verdicts = _rows(tiled, "SELECT profile_id, rule, outcome, score, reason, evidence FROM verdicts")
    originals = {(p, rule): rest for p, rule, *rest in verdicts if p <= size}
    assert len(verdicts) == 3 * len(originals) > 0
    assert {"pass", "fail"} <= {outcome for outcome, *_ in originals.values()}  # judging tells them apart
    quoted: set[str] = set()
    for profile_id, rule, *judged in verdicts:
        copy, offset = divmod(profile_id - 1, size)
        # A reason or evidence may quote a post's or a reply's platform id, with its copy's prefix.
        if copy:
            quoted.update(re.findall(r"~\d{3}~", judged[2] + judged[3]))
            judged = [v.replace(f"~{copy:03d}~", "") if isinstance(v, str) else v for v in judged]
        assert judged == originals[(offset + 1, rule)], (profile_id, rule)
    assert quoted == {"~001~", "~002~"}  # the comparison above did meet quoted ids
    entries = _rows(tiled, "SELECT profile_id, score, rank IS NULL, excluded_by, tier, followers, "
                           "engagement_rate FROM shortlist_entries")
    first = {p: rest for p, *rest in entries if p <= size}
    for profile_id, *rest in entries:
        assert rest == first[(profile_id - 1) % size + 1]


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
    version = _rows(source, "SELECT version FROM data_version")[0][0]
    out = tmp_path / "tiled.db"
    subprocess.run([sys.executable, str(SCRIPT), "--src", str(source), "--times", "4", "--out", str(out),
                    "--move", "--cache-mb", "50"], check=True, capture_output=True)
    assert not source.exists()
    # The copies were written with the triggers off: the change counter moved on all the same,
    # so nothing recorded of the source's state (feature_marks) holds for the grown store.
    assert _rows(out, "SELECT version FROM data_version")[0][0] > version
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
    (["--times", "1"], "--times 1: give 2 to 1000"),
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


def _tile(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args, "--cache-mb", "50"], capture_output=True, text=True,
                          cwd=tmp_path)


def test_a_store_it_cannot_tile_is_refused_before_it_is_moved(tmp_path):
    judged = tmp_path / "judged.db"
    generate(judged, 5, 3, posts=2, posts_with_replies=1, followers=3, workers=0)
    _judge(judged)
    done = _tile(tmp_path, "--src", str(judged), "--times", "2", "--out", str(tmp_path / "big.db"), "--move")
    assert done.returncode == 2 and "shortlist_runs rows" in done.stderr
    assert judged.exists() and not (tmp_path / "big.db.part").exists()

    fresh = tmp_path / "fresh.db"
    generate(fresh, 5, 3, posts=2, posts_with_replies=1, followers=3, workers=0)
    assert _tile(tmp_path, "--src", str(fresh), "--times", "2", "--out", str(tmp_path / "x2.db")).returncode == 0
    done = _tile(tmp_path, "--src", str(tmp_path / "x2.db"), "--times", "2", "--out", str(tmp_path / "x4.db"),
                 "--move")
    assert done.returncode == 2 and "tiled already" in done.stderr
    assert (tmp_path / "x2.db").exists()


def test_leftovers_beside_out_are_refused_not_replayed(tmp_path):
    source = tmp_path / "source.db"
    generate(source, 5, 3, posts=2, posts_with_replies=1, followers=3, workers=0)
    for leftover in ("out.db-wal", "out.db.part"):
        (tmp_path / leftover).write_bytes(b"stale")
        done = _tile(tmp_path, "--src", str(source), "--times", "2", "--out", str(tmp_path / "out.db"), "--move")
        assert done.returncode == 2 and f"{leftover} already exists" in done.stderr
        assert source.exists() and (tmp_path / leftover).read_bytes() == b"stale"
        (tmp_path / leftover).unlink()


def test_a_source_open_elsewhere_with_unwritten_changes_is_refused(tmp_path):
    source = tmp_path / "source.db"
    generate(source, 5, 3, posts=2, posts_with_replies=1, followers=3, workers=0)
    reader = sqlite3.connect(source)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM profiles").fetchone()  # holds a read snapshot: no checkpoint past it
    writer = sqlite3.connect(source)
    writer.execute("UPDATE profiles SET followers = 999999 WHERE id = 1")
    writer.commit()
    writer.close()
    try:
        done = _tile(tmp_path, "--src", str(source), "--times", "2", "--out", str(tmp_path / "out.db"), "--move")
    finally:
        reader.close()
    assert done.returncode == 2 and "another program has it open" in done.stderr
    assert _rows(source, "SELECT followers FROM profiles WHERE id = 1") == [(999999,)]
