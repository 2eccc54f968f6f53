"""`microscout demo` end to end, as a user runs it: a subprocess from the repository folder."""
import csv
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO


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


def test_demo_crawls_shortlists_exports_and_leaves_nothing_running(tmp_path):
    db = tmp_path / "demo.db"
    exports = tmp_path / "exports"
    config = tmp_path / "config.toml"
    # The repository's own config, with exports redirected so the test leaves no files behind.
    text = (REPO / "config.toml").read_text().replace('dir = "exports"', f'dir = "{exports}"')
    text = text.replace('plugins_dir = "plugins"', f'plugins_dir = "{REPO / "plugins"}"')
    config.write_text(text)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MICROSCOUT_")}
    result = subprocess.run([sys.executable, "-m", "microscout", "--config", str(config), "demo", "--db", str(db)],
                            capture_output=True, text=True, timeout=240, cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout

    exported = list(exports.glob("demo-*.csv"))
    assert len(exported) == 1, out
    assert f"Export: {exported[0]}" in out
    rows = list(csv.DictReader(exported[0].open()))
    assert len(rows) == 20
    for column in ("status", "rank", "platform", "handle", "followers", "engagement_rate", "score", "reasons",
                   "tier_bounds.outcome", "disclosure.reason", "audience_authenticity.outcome"):
        assert column in rows[0], f"export lacks column {column}"
    assert [int(r["rank"]) for r in rows] == list(range(1, 21))
    assert all(r["tier"] == "micro" and r["status"] == "new" for r in rows)
    assert re.search(r"Excluded \d+ of \d+: \d+ by tier_bounds", out)

    # Against the sandbox's truth: every planted archetype caught by its own rule, no genuine
    # micro creator excluded, opt-outs never judged.
    from microscout.sandbox.score import score
    from microscout.store import open_store

    import tomllib

    sandbox = tomllib.loads(text)["sandbox"]
    report = score(open_store(db), "demo", sandbox["size"], sandbox["seed"])
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
    import sqlite3

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
