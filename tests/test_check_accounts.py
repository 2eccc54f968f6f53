"""`microscout check accounts` and `check comments` through the CLI."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from microscout.cli import cli
from tests.conftest import SHARED

CSV = """handle,followers,following,posts,has_avatar,bio
anna,300,250,40,1,I bake bread
user83729,10,900,0,0,
collector,2000,4000,80,1,hi there
"""


def invoke(*args):
    return CliRunner().invoke(cli, ["check", "accounts", *map(str, args)])


@pytest.fixture
def export(tmp_path):
    path = tmp_path / "followers.csv"
    path.write_text(CSV)
    return path


def test_json_lines_per_row_and_a_summary(export):
    result = invoke(export, "--json")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["class"] for line in lines[:3]] == ["real", "suspicious", "mass_follower"]
    assert lines[1]["handle"] == "user83729" and any(r.startswith("no profile picture +") for r in lines[1]["reasons"])
    assert lines[1]["where"] == f"{export} line 3"  # the path as given: two users.csv are two files
    summary = lines[3]["summary"]
    assert summary["counts"] == {"real": 1, "dormant": 0, "suspicious": 1, "mass_follower": 1, "bot": 0}
    assert summary["suspicious_share"] == pytest.approx(1 / 3, abs=1e-4)
    low, high = summary["estimated_fake_share_ci95"]
    assert low < summary["estimated_fake_share"] < high


def test_table_output(export):
    result = invoke(export)
    assert result.exit_code == 0, result.output
    assert "user83729" in result.output and "suspicious" in result.output
    assert "3 accounts: 1 real, 0 dormant, 1 suspicious, 1 mass_follower, 0 bot" in result.output
    assert "estimated fake share of the 3 not flagged as bots by the platform" in result.output


def test_label_column_scores_and_column_maps(tmp_path):
    path = tmp_path / "export.jsonl"
    rows = [{"name": "anna", "fans": 300, "following": 250, "posts": 40, "has_avatar": True, "truth": "real"},
            {"name": "u1234", "fans": 10, "following": 900, "posts": 0, "has_avatar": False, "truth": "fake"},
            {"name": "bob22", "fans": 500, "following": 100, "posts": 9, "has_avatar": True, "truth": "fake"}]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    result = invoke(path, "--json", "--quiet", "--label-column", "truth",
                    "--column", "followers=fans", "--column", "handle=name")
    assert result.exit_code == 0, result.output
    scores = [json.loads(line) for line in result.output.splitlines() if "score" in line]
    first = scores[0]
    assert first["score"] == "fake = suspicious"
    assert (first["tp"], first["fp"], first["fn"], first["tn"]) == (1, 0, 1, 1)
    assert first["precision"] == 1.0 and first["recall"] == 0.5 and first["base_rate"] == pytest.approx(0.667)


def test_reads_srf_datas_labelled_instagram_followers_without_a_column_map(tmp_path):
    # The header of SRF Data's 975 hand-labelled followers of Swiss influencers (docs/HEURISTICS.md)
    path = tmp_path / "labelled.csv"
    path.write_text('"Profile.URL","rating","Username","Number.of.posts","Number.of.people.they.follow",'
                    '"Number.of.followers","has_profile_picture","Private.account"\n'
                    '"https://instagram.com/anna","FALSE","anna",40,250,300,"TRUE",FALSE\n'
                    '"https://instagram.com/u1234","TRUE","u1234",2,900,10,"FALSE",TRUE\n')
    result = invoke(path, "--json", "--label-column", "rating")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines() if '"handle"' in line]
    assert [(r["handle"], r["class"], r["label"]) for r in rows] == [("anna", "real", "real"),
                                                                       ("u1234", "suspicious", "fake")]
    assert rows[1]["features"] == {"followers": 10, "following": 900, "posts_count": 2, "has_avatar": False,
                                   "username_digits": 4, "username_length": 5, "private": True}


@pytest.mark.parametrize("content, suffix, args, message", [
    ("handle,followers\nanna,lots\n", ".csv", [], "line 2: column 'followers' holds 'lots'; it should be a whole number"),
    ('{"followers": 1}\n{"followers": \n', ".jsonl", [], "line 2: not valid JSON"),
    ("handle,followers\nanna,1\n", ".csv", ["--column", "following=follows"], "the file has no column 'follows'"),
    ("handle,fans\nanna,1\n", ".csv", [], "none of our columns found"),
    ("handle,followers\nanna,1\n", ".csv", ["--label-column", "fake"], "--label-column 'fake' is not a column"),
    ("handle,followers,fake\nanna,1,maybe\n", ".csv", ["--label-column", "fake"], "label column 'fake' holds 'maybe'"),
    ("handle,followers,has_avatar\nanna,1,perhaps\n", ".csv", [], "column 'has_avatar' holds 'perhaps'"),
    ("handle,followers\nanna,inf\n", ".csv", [], "column 'followers' holds 'inf'"),
    ('{"followers": 1}', ".json", [], "expected a JSON array"),
    # JSON Lines saved as .json (as many Kaggle sets are): say so, not only "Extra data"
    ('{"followers": 1}\n{"followers": 2}\n', ".json", [],
     "bad.json line 2: not valid JSON (Extra data); it holds one JSON object a line (JSON Lines): name it .jsonl"),
    ('{"followers": 1}\r{"followers": 2}\r', ".json", [],  # lines ending at \r (old Mac), as JSON Lines are read
     "it holds one JSON object a line (JSON Lines): name it .jsonl"),
    # JSON's names for a value, not Python's (NoneType, dict)
    ("null", ".json", [], "expected a JSON array of objects, got null"),
    ('[{"followers": 1}, null]', ".json", [], "bad.json item 2: expected a JSON object, got null"),
    ('{"followers": 1}\n"x"\n', ".jsonl", [], "bad.jsonl line 2: expected a JSON object, got a string"),
    ("followers\n1\n", ".txt", [], "unknown file type '.txt'"),
    # a JSON record without the truth's key is not an empty cell
    ('{"followers": 1, "fake": 1}\n{"followers": 2}\n', ".jsonl", ["--label-column", "fake"],
     "bad.jsonl line 2: no 'fake' key; every record needs its truth"),
    ('{"followers": 1, "fake": 1}\n{"followers": 2, "fake": ""}\n', ".jsonl", ["--label-column", "fake"],
     "bad.jsonl line 2: label column 'fake' is empty"),
    ('{"followers": 1, "fake": 1}\n{"followers": 1, "fake": {"value": 1}}\n', ".jsonl", ["--label-column", "fake"],
     "bad.jsonl line 2: 'fake' holds an object (fake.value); name the value that is the truth: "
     "--label-column fake.value"),
    ('{"followers": 1, "class": "f"}\n{"followers": 2}\n', ".jsonl",
     ["--label-column", "class", "--label-value", "f=1", "--label-value", "r=0"],
     "bad.jsonl line 2: no 'class' key; every record needs its truth (one --label-value maps)"),
])
def test_bad_input_exits_2_naming_file_row_and_column(tmp_path, content, suffix, args, message):
    path = tmp_path / f"bad{suffix}"
    path.write_text(content)
    result = invoke(path, *args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "bad" in result.output  # the file is named


@pytest.mark.parametrize("arg, message", [
    ("folowers=followers", "'folowers' is not one of our columns; they are: handle, followers"),
    ("followers", "write it as OURS=THEIRS"),
])
def test_bad_column_option_exits_2(export, arg, message):
    result = invoke(export, "--column", arg)
    assert result.exit_code == 2 and message in result.output


def test_missing_file_exits_2(tmp_path):
    result = invoke(tmp_path / "nope.csv")
    assert result.exit_code == 2 and "nope.csv" in result.output


def test_comments_command(tmp_path):
    path = tmp_path / "comments.csv"
    path.write_text("\nCOMMENT_ID,CONTENT,CLASS\nc1,subscribe to my channel,1\nc2,love this,0\n"
                    "c3,I tried this with oat milk and it worked,0\n")
    result = CliRunner().invoke(cli, ["check", "comments", str(path), "--json", "--label-column", "CLASS"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [(line["id"], line["class"]) for line in lines[:3]] == [("c1", "spam"), ("c2", "generic"), ("c3", "genuine")]
    assert lines[3]["summary"]["counts"] == {"genuine": 1, "generic": 1, "spam": 1}
    assert (lines[4]["tp"], lines[4]["fp"], lines[4]["fn"], lines[4]["tn"]) == (1, 0, 0, 2)


def test_prints_the_one_line_baseline_beside_the_detector_on_the_same_rows():
    path = SHARED / "data" / "cresci-2015" / "bought_followers_twitter.csv"
    if not path.is_file():
        pytest.skip(f"../shared/data/cresci-2015 not found: {path}")
    result = invoke(path, "--label-column", "label", "--quiet", "--json")
    assert result.exit_code == 0, result.output
    scores = {s["score"]: s for s in map(json.loads, result.output.splitlines()) if "score" in s}
    base = scores["baseline: following >= 10x followers (one line)"]
    # docs/HEURISTICS.md: the baseline on cresci-2015, all 3,900 rows
    assert (base["tp"], base["fp"], base["fn"], base["tn"]) == (1899, 53, 51, 1897)
    assert scores["fake = suspicious"]["n"] == base["n"] == 3900
    table = invoke(path, "--label-column", "label", "--quiet")
    assert "score (baseline: following >= 10x followers (one line)): precision 97.3%, recall 97.4%, F1 97.3%" \
        in table.output
    assert "estimated fake share" in table.output


def test_thresholds_come_from_the_config(export, tmp_path):
    """The same classifier as the audience_authenticity rule: its configured cut-off applies."""
    strict = tmp_path / "strict.toml"
    strict.write_text("[rules.audience_authenticity.accounts]\nthreshold = 9.0\n")
    per_platform = tmp_path / "bluesky.toml"
    per_platform.write_text("[platforms.bluesky.rules.audience_authenticity.accounts]\nthreshold = 9.0\n")
    classes = lambda result: [json.loads(line).get("class") for line in result.output.splitlines()[:3]]  # noqa: E731
    assert classes(invoke(export, "--json", "--config", strict)) == ["real", "real", "mass_follower"]
    assert classes(invoke(export, "--json", "--config", per_platform)) == ["real", "suspicious", "mass_follower"]
    assert classes(invoke(export, "--json", "--config", per_platform, "--platform", "bluesky")) == \
        ["real", "real", "mass_follower"]
    bad = tmp_path / "bad.toml"
    bad.write_text("[rules.audience_authenticity.accounts]\nthreshhold = 0.5\n")
    result = invoke(export, "--config", bad)
    assert result.exit_code == 2 and "threshhold" in result.output



def _column(table: str, index: int) -> str:
    """Column ``index`` of a one-row rich table, its folded lines joined (spaces dropped)."""
    body = [line.split("│")[1:-1] for line in table.splitlines() if line.startswith("│")]
    return "".join(cells[index].strip() for cells in body).replace(" ", "")


def test_tables_fold_long_handles_and_places_on_a_narrow_terminal_instead_of_cutting_them(tmp_path):
    accounts = tmp_path / "a-folder-with-a-long-name-for-its-follower-exports.csv"
    accounts.write_text("handle,followers,following,posts,has_avatar,bio\n"
                        "the.most.ordinary.reader.of.bread.recipes.in.town,10,900,0,0,\n")
    comments = tmp_path / "a-folder-with-a-long-name-for-its-comment-exports.csv"
    comments.write_text("COMMENT_ID,CONTENT\nc1,subscribe to my channel please friends\n")
    for args in (["check", "accounts", str(accounts)], ["check", "comments", str(comments)]):
        result = CliRunner(env={"COLUMNS": "80"}).invoke(cli, args)
        assert result.exit_code == 0, result.output
        assert "…" not in result.output
        assert _column(result.output, 0) == f"{args[2]}line2".replace(" ", "")
        if args[1] == "accounts":
            assert _column(result.output, 1) == "the.most.ordinary.reader.of.bread.recipes.in.town"


# Refusals that came after --json had printed rows (one line a row, as they are read): the
# rows before them were printed, then the error, exit 2: half an answer in a file --json was
# piped to. Each file's rows are read once first now, so that nothing is printed but the error.
# (A JSONL line that is no JSON object was refused before any row: the file's keys are read first.)
LATE_REFUSALS = [
    ("comments", {"c.csv": "text,label\nhello,0\nworld,1\nbad,maybe\n"}, ["--label-column", "label"],
     "c.csv line 4: label column 'label' holds 'maybe'; it should be 1/true/fake/spam/sponsored or "
     "0/false/real/ham/organic, or map your labels with --label-value maybe=1 (or =0) for each"),
    ("comments", {"c.csv": "text,label\nhello,0\nworld,\n"}, ["--label-column", "label"],
     "c.csv line 3: label column 'label' is empty; every row needs its truth"),
    ("comments", {"c.jsonl": '{"text": "hello", "label": 0}\n{"text": "world"}\n'}, ["--label-column", "label"],
     "c.jsonl line 2: no 'label' key; every record needs its truth"),
    ("comments", {"c.csv": "text,label\nhello,no\nworld,f\n"}, ["--label-column", "label"],
     "c.csv line 3: label column 'label' holds 'f' and no row of it 't'"),  # said once every row is read
    ("comments", {"c.csv": "text\nhello\n", "d.csv": "words\nhi\n"}, [],
     "d.csv: none of our columns found (text); its columns are: words"),
    ("comments", {"c.csv": "text\nhello\n", "d.csv": "text\n"}, [], "d.csv: no rows to check"),
    ("comments", {"c.csv": 'text\nhello\n"world\n'}, [], "c.csv line 3: a quote opened here is never closed"),
    ("accounts", {"a.csv": "handle,followers,label\nanna,300,0\nbob,20,maybe\n"}, ["--label-column", "label"],
     "a.csv line 3: label column 'label' holds 'maybe'; it should be 1/true/fake/spam/sponsored"),
    ("accounts", {"a.csv": "handle,followers\nanna,300\nbob,lots\n"}, [],
     "a.csv line 3: column 'followers' holds 'lots'; it should be a whole number (below 2^63), or one rounded as "
     "12.5K or 1.2M (or --column followers= to leave it unread)"),
    ("accounts", {"a.csv": "handle,followers,label\nanna,300,0\n", "b.csv": "handle,followers\nbob,20\n"},
     ["--label-column", "label"], "b.csv: --label-column 'label' is not a column; its columns are: handle, followers"),
    ("accounts", {"a.csv": "handle,followers,is_real\nanna,300,yes\n", "b.csv": "handle,followers,is_real\nbob,2,1\n"},
     ["--label-column", "is_real", "--label-value", "yes=0"],
     "b.csv line 2: label column 'is_real' holds '1', which no --label-value maps (mapped: yes)"),
]


@pytest.mark.parametrize("kind, files, args, message", LATE_REFUSALS)
def test_json_prints_nothing_before_a_refusal_of_a_later_row_or_file(tmp_path, kind, files, args, message):
    paths = []
    for name, content in files.items():
        paths.append(tmp_path / name)
        paths[-1].write_text(content, encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", kind, *map(str, paths), *args, "--json"])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith(f"Error: {tmp_path}") and result.stderr.count("\n") == 1
    assert message in result.stderr
    # as the table, which prints its rows once every one is read, and --quiet, refuse it
    for other in ([], ["--quiet", "--json"]):
        again = CliRunner().invoke(cli, ["check", kind, *map(str, paths), *args, *other])
        assert (again.exit_code, again.stdout, again.stderr) == (2, "", result.stderr)


@pytest.mark.parametrize("kind", ["comments", "accounts", "posts"])
@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_json_reads_a_named_pipe_once_though_it_checks_its_rows_first(tmp_path, kind, suffix):
    """A file read twice (its rows checked, then printed; a file's keys, then its rows: check
    posts reads a CSV or JSONL file so) that can be read only once, a named pipe: its bytes are
    held for the next pass, not waited for again, which never ended (a JSONL pipe already did not)."""
    import os
    import threading

    pipe = tmp_path / f"rows{suffix}"
    os.mkfifo(pipe)
    row = {"text": "hello"} if kind == "comments" else {"handle": "anna", "followers": 300} if kind == "accounts" \
        else {"id": "7", "text": "hello #ad"}
    content = json.dumps(row) + "\n" if suffix == ".jsonl" else ",".join(row) + "\n" + ",".join(
        map(str, row.values())) + "\n"
    threading.Thread(target=pipe.write_text, args=(content,), daemon=True).start()
    results = []
    run = threading.Thread(target=lambda: results.append(CliRunner().invoke(cli, ["check", kind, str(pipe), "--json"])))
    run.start()
    run.join(timeout=30)
    if run.is_alive():  # waiting for a writer to the pipe again: given ends until it is done, so the test ends
        while run.is_alive():
            try:
                os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))
            except OSError:  # no reader has it open now
                pass
            run.join(timeout=0.1)
        pytest.fail(f"{pipe} was read twice")
    (result,) = results
    assert result.exit_code == 0, result.output
    if kind == "posts":  # one JSON document, printed once every post is read
        assert [(post["id"], post["disclosure"]) for post in json.loads(result.stdout)["posts"]] == [("7", "adequate")]
        return
    where = f"{pipe} line {1 if suffix == '.jsonl' else 2}"
    assert [json.loads(line).get("where") for line in result.stdout.splitlines()] == [where, None]
