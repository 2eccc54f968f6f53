"""Terminal output that fits (issue #11): the shortlist table at 80 and 200 columns with no
reason cut mid-word, `shortlist --json`, `explain` in words, the progress bar on a terminal."""
import io
import json
import re

import pytest
from click.testing import CliRunner
from rich.console import Console

from microscout.cli import cli
from microscout.store import open_store
from tests.conftest import REPO
from tests.engine.helpers import add_profile

CONFIG = REPO / "config.toml"


def invoke(*args, columns=None):
    env = {"COLUMNS": str(columns)} if columns else {"COLUMNS": None}
    return CliRunner(env=env).invoke(cli, [*map(str, args)])


@pytest.fixture(scope="module")
def judged(tmp_path_factory):
    db = tmp_path_factory.mktemp("terminal") / "t.db"
    store = open_store(db)
    add_profile(store, "cook", 5_000, posts=12, likes=200, bio="vegan recipes, hi@cook.org",
                display_name="Cook – Zoë")
    for i, (followers, likes) in enumerate([(2_000, 90), (3_500, 120), (7_000, 250), (9_000, 260), (1_500, 40)]):
        add_profile(store, f"creator{i}_with_a_long_handle@kitchen.example.social", followers, posts=12, likes=likes,
                    bio="plant-based lentils and tofu")
    add_profile(store, "giant", 500_000, posts=12, likes=200)
    result = invoke("shortlist", "demo", "--db", db, "--config", CONFIG)
    assert result.exit_code == 0, result.output
    return db


def shortlist_json(db) -> dict:
    result = invoke("shortlist", "demo", "--json", "--db", db, "--config", CONFIG)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_shortlist_json_is_the_run_and_its_rows(judged):
    data = shortlist_json(judged)
    assert data["campaign"] == "demo" and data["candidates"] == 7 and data["excluded_by"].get("tier_bounds") == 1
    top = data["shortlist"][0]
    assert top["rank"] == 1 and top["handle"] == "cook" and top["display_name"] == "Cook – Zoë"
    assert top["contact"] == "hi@cook.org" and top["profile_url"] == "https://example.social/@cook"
    assert 0 < top["engagement_rate"] < 1 and top["reasons"] and all(isinstance(r, str) for r in top["reasons"])


@pytest.mark.parametrize("columns", [80, 200])
def test_the_table_fits_and_never_cuts_a_reason_mid_word(judged, columns):
    reasons = [r for row in shortlist_json(judged)["shortlist"] for r in row["reasons"]]
    assert any(len(r) > 100 for r in reasons)  # long enough to wrap at either width
    result = invoke("shortlist", "demo", "--db", judged, "--config", CONFIG, columns=columns)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= columns, "a line is wider than the terminal"
    printed = set(re.split(r"[\s│┃]+", result.output))
    for reason in reasons:
        missing = [w for w in reason.split() if w not in printed]
        assert not missing, f"at {columns} columns, words of {reason!r} were cut: {missing}"
    assert "…" not in result.output
    header = next(line for line in lines if "followers" in line and "score" in line)
    if columns == 200:  # every column, the reasons beside
        assert all(h in header for h in ("platform", "tier", "eng. rate", "why"))
    else:  # low-priority columns dropped, reasons under each creator
        assert "tier" not in header and "why" not in header
        first = lines.index(header) + 1
        assert lines[first].split()[:2] == ["1", "cook"] and lines[first + 1].startswith("    ")


def test_a_pipe_without_columns_gets_a_readable_width(judged):
    result = invoke("shortlist", "demo", "--db", judged, "--config", CONFIG)
    assert result.exit_code == 0
    assert max(len(line) for line in result.output.splitlines()) <= 120


def test_explain_says_the_evidence_in_words_and_json_keeps_it_raw(judged):
    result = invoke("explain", "cook", "--db", judged, "--config", CONFIG, columns=80)
    assert result.exit_code == 0, result.output
    text = result.output
    assert "Cook – Zoë · https://example.social/@cook · contact: hi@cook.org" in text
    assert re.search(r"engagement rate: \d+\.\d\d%", text) and "benchmark: 3.86%" in text
    assert '"' + "engagement_rate" not in text and "{" not in text  # no raw JSON
    assert len(text.splitlines()) < 200
    for line in text.splitlines():
        assert len(line) <= 80
    (raw,) = json.loads(invoke("explain", "cook", "--json", "--db", judged, "--config", CONFIG).output)
    engagement = next(v for v in raw["verdicts"] if v["rule"] == "engagement")
    assert isinstance(engagement["evidence"]["engagement_rate"], float)


def test_the_progress_bar_counts_candidates_with_the_time_left(judged, monkeypatch):
    from microscout.cli import shortlist

    screen = io.StringIO()
    # the bar's console is made where the bar is drawn (cli.common.progress_bar)
    monkeypatch.setattr("rich.console.Console", lambda **kw: Console(file=screen, force_terminal=True, width=120))
    db = open_store(judged)
    with shortlist.judging_progress(db, ["mastodon", "bluesky"], "demo") as progress:
        assert progress is not None
        for done in (2, 4, 7):
            progress(done)
    shown = screen.getvalue()
    assert "Judging candidates for demo" in shown and "7/7" in shown and "left" in shown


def test_off_a_terminal_there_is_no_progress_bar(judged):
    from microscout.cli.shortlist import judging_progress

    with judging_progress(open_store(judged), ["mastodon"], "demo") as progress:
        assert progress is None


def test_evidence_words():
    from microscout.engine.evidence import evidence_lines

    lines = evidence_lines({
        "engagement_rate": 0.064467, "benchmark": 0.0386, "ratio_to_benchmark": 1.67, "posts": 12,
        "real_share_ci95": [0.8515, 0.9625], "counts": {"real": 58, "dormant": 13, "bot": 0},
        "post_ids": ["at://did:plc:x/app.bsky.feed.post/1"], "longest_gap_days": 18.3, "bot": False,
        "target": {"micro": [1000, 10000]}, "reason_code": "x"}, limit=20)
    assert lines == ["engagement rate: 6.45%", "benchmark: 3.86%", "ratio to benchmark: 1.67×", "posts: 12",
                     "real share 95% CI: 85%–96%", "counts: 58 real, 13 dormant", "longest gap: 18.3 days",
                     "bot: no", "target: micro 1,000–10,000"]
    # a range is read as one: both ends to one precision (a review: "3.81%–19%")
    assert evidence_lines({"estimated_fake_share_ci95": [0.0381, 0.19]}) == ["estimated fake share 95% CI: 3.8%–19.0%"]
    assert evidence_lines({"real_share_ci95": [0.0, 0.5]}) == ["real share 95% CI: 0%–50%"]
    assert evidence_lines({"estimated_fake_share_ci95": [0.0004, 0.031]}) == [
        "estimated fake share 95% CI: 0.04%–3.10%"]  # not "0.0%–3.1%"
    # an example that states its problems is read as them, not as its status and signals again
    # ("sponsored posts: 4, e.g. missing, discount code use code SAVE20, undisclosed ad: …")
    posts = evidence_lines({"sponsored_posts": [
        {"id": "1", "disclosure": "missing", "signals": [["discount_code", "use code SAVE20"]],
         "problems": ['undisclosed ad: discount code "use code SAVE20" with no #ad label']},
        {"id": "2", "disclosure": "weak", "signals": [], "problems": ['only weak label "#sp"']}]})
    assert posts == ['sponsored posts: 2, e.g. undisclosed ad: discount code "use code SAVE20" with no #ad label; '
                     'only weak label "#sp"']
    many = evidence_lines({f"k{i}": i for i in range(12)}, limit=8)
    assert len(many) == 8 and many[-1] == "(+5 more; --json shows all)"
    # In a spreadsheet or a report no command can be run: the JSON export holds the rest.
    assert evidence_lines({f"k{i}": i for i in range(12)}, limit=8, more="the JSON export holds all")[-1] == \
        "(+5 more; the JSON export holds all)"


def test_explain_prints_no_terminal_control_sequence_a_crawled_text_holds(tmp_path):
    # A display name (or a quoted comment) is the platform's text: an escape sequence in it
    # retitled, recoloured or cleared the user's terminal when explain printed it.
    db = tmp_path / "t.db"
    add_profile(open_store(db), "cook", 5_000, posts=12, likes=200, bio="vegan recipes",
                display_name="Cook\x1b]0;pwned\x07 \x1b[2JZoë\x9b31m")
    assert invoke("shortlist", "demo", "--db", db, "--config", CONFIG).exit_code == 0
    result = invoke("explain", "cook", "--db", db, "--config", CONFIG, columns=120)
    assert result.exit_code == 0, result.output
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", result.output), repr(result.output[:300])
    assert "Cook" in result.output and "Zoë" in result.output


@pytest.mark.parametrize("command, header, row", [
    ("comments", "CONTENT,CLASS", '"\x1b]0;pwned\x07buy followers at spam.example \x1b[2J",1'),
    ("accounts", "handle,followers,following,label", '"bot\x1b[2J\x9b31m",3,900,1'),
    ("posts", "text,label", "\"Shop it: https://glow.example/p?utm_source=me\x9b31m\x1b[2J\",1"),
])
def test_check_tables_print_no_terminal_control_sequence_a_file_holds(tmp_path, command, header, row):
    # The same as explain's: the check tables printed a file's text as it came.
    path = tmp_path / "f.csv"
    path.write_text(f"{header}\n{row}\n", encoding="utf-8")
    label = "CLASS" if command == "comments" else "label"
    means = ["--label-means", "sponsored"] if command == "posts" else []
    result = invoke("check", command, path, "--label-column", label, *means, columns=160)
    assert result.exit_code == 0, result.output
    assert "\ufffd" in result.output and not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", result.output), \
        repr(result.output)
