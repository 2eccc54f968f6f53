"""`microscout check posts`: the sponsored-post detectors on a CSV or JSONL file."""
import json

import pytest
from click.testing import CliRunner

from microscout.cli import cli

CSV = '''id,text,hashtags,paid_flag,extra
1,"Loving the serum from @glowco, use code GLOW20",,,x
2,"#ad new boots from @stompco",ad,,
3,"walk by the sea",,,
4,"#sp thanks @glowco",sp,yes,
5,"my morning routine",,true,
'''


def check(tmp_path, name, content, *args):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return CliRunner().invoke(cli, ["check", "posts", str(path), *args])


def test_csv_json_output_per_post_and_summary(tmp_path):
    result = check(tmp_path, "posts.csv", CSV, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    by_id = {p["id"]: p for p in data["posts"]}
    assert {i: (p["sponsored"], p["disclosure"]) for i, p in by_id.items()} == {
        "1": (True, "missing"), "2": (True, "adequate"), "3": (False, "not_needed"),
        "4": (True, "weak"), "5": (True, "missing")}
    assert ["discount_code", "use code GLOW20"] in by_id["1"]["signals"]
    assert ["paid_flag", "platform paid-partnership flag"] in by_id["5"]["signals"]
    assert data["summary"] == {"posts": 5, "sponsored": 4, "adequate": 1, "weak": 1, "late": 0, "buried": 0,
                               "missing": 2, "not_needed": 1}


def test_table_output_shows_rows_and_summary(tmp_path):
    result = check(tmp_path, "posts.csv", CSV)
    assert result.exit_code == 0, result.output
    assert "Sponsored posts and disclosure" in result.output
    assert "not_needed" in result.output and "undisclosed ad" in result.output
    assert "5 posts, 4 sponsored — adequate 1, weak 1, late 0, buried 0, missing 2, not_needed 1" in result.output


def test_jsonl_with_hashtag_lists_and_options(tmp_path):
    lines = [{"id": "a", "text": "x" * 150 + " #ad", "hashtags": ["ad"]},
             {"id": 7, "text": "new kit from @glowco", "hashtags": "ad, kit", "paid_flag": None}]
    content = "\n".join(json.dumps(line) for line in lines) + "\n\n"
    data = json.loads(check(tmp_path, "posts.jsonl", content, "--json").output)
    assert [(p["id"], p["disclosure"]) for p in data["posts"]] == [("a", "late"), ("7", "buried")]
    wide = json.loads(check(tmp_path, "posts.jsonl", content, "--json", "--fold-chars", "200").output)
    assert wide["posts"][0]["disclosure"] == "adequate"


@pytest.mark.parametrize("name, content, message", [
    ("posts.csv", "id,body\n1,hello\n", "no 'text' column; found: id, body; expected: id, text (required)"),
    ("posts.csv", "text\nhello\n", "no 'id' column; found: text"),
    ("posts.csv", "id,text,paid_flag\n1,hi,maybe\n", "line 2: paid_flag 'maybe' is not a yes/no value"),
    ("posts.csv", "id,text\n,hi\n", "line 2: empty id"),
    ("posts.csv", "id,text\n", "no posts in the file"),
    ("posts.jsonl", '{"id": 1, "text": "ok"}\n{"id": 2, "text": \n', "posts.jsonl line 2: not valid JSON"),
    ("posts.jsonl", '{"id": 1, "body": "ok"}\n', "line 1: no 'text' key; found: id, body"),
    ("posts.jsonl", '[1, 2]\n', "line 1: expected a JSON object"),
    ("posts.jsonl", '{"id": 1, "text": 5}\n', "line 1: text must be a string (got 5)"),
    ("posts.jsonl", '{"id": 1, "text": "x", "hashtags": [1]}\n', "hashtags must be a list of strings"),
    ("posts.txt", "id,text\n1,hi\n", "cannot tell the format from '.txt'; name the file .csv or .jsonl"),
])
def test_bad_input_exits_2_naming_file_line_and_value(tmp_path, name, content, message):
    result = check(tmp_path, name, content)
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())
    assert name in result.output


def test_missing_file_exits_2(tmp_path):
    result = CliRunner().invoke(cli, ["check", "posts", str(tmp_path / "nope.csv")])
    assert result.exit_code == 2 and "no such file" in result.output


def test_not_utf8_exits_2(tmp_path):
    path = tmp_path / "posts.csv"
    path.write_bytes(b"id,text\n1,caf\xe9\n")
    result = CliRunner().invoke(cli, ["check", "posts", str(path)])
    assert result.exit_code == 2 and "not UTF-8" in result.output
