"""`microscout check comments`: kinds and reasons per row, the baseline beside the detector, --leave-out."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from microscout.cli import cli
from microscout.heuristics.comments import BASELINE_NAME
from tests.conftest import SHARED


def invoke(*args):
    return CliRunner().invoke(cli, ["check", "comments", *map(str, args)])


@pytest.fixture
def export(tmp_path):
    path = tmp_path / "comments.csv"
    path.write_text("COMMENT_ID,CONTENT,CLASS\n"
                    "c1,Help me get 50 subs please,1\n"
                    "c2,i made £20k with the help of @fx_trader_jo,1\n"
                    "c3,check out the video at 2:31,0\n"
                    "c4,subscribe to my channel,1\n"
                    "c5,I subscribed years ago and still love it,0\n")
    return path


def test_rows_say_kind_and_phrase_and_the_baseline_is_scored_on_the_same_rows(export):
    result = invoke(export, "--json", "--label-column", "CLASS")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [(line["id"], line["class"], line["kind"]) for line in lines[:5]] == [
        ("c1", "spam", "self_promotion"), ("c2", "spam", "scam"), ("c3", "genuine", None),
        ("c4", "spam", "self_promotion"), ("c5", "genuine", None)]
    assert "self-promotion: asks for help reaching a subscriber or view count ('Help me get')" in lines[0]["reasons"]
    scores = {line["score"]: line for line in lines if "score" in line}
    assert list(scores) == ["spam", BASELINE_NAME]
    assert [scores["spam"][k] for k in ("tp", "fp", "fn", "tn")] == [3, 0, 0, 2]
    # the baseline misses the testimonial and the subs request, and calls the timestamp and 'subscribed' spam
    assert [scores[BASELINE_NAME][k] for k in ("tp", "fp", "fn", "tn")] == [1, 2, 2, 0]


def test_table_shows_the_kind(export):
    result = invoke(export, "--label-column", "CLASS")
    assert result.exit_code == 0, result.output
    assert "spam (scam)" in result.output
    assert f"score ({BASELINE_NAME}): precision 33.3%, recall 33.3%, F1 33.3%" in result.output


def test_leave_out_names_the_detector_it_scores(export):
    result = invoke(export, "--label-column", "CLASS", "--quiet", "--leave-out", "Youtube03-LMFAO")
    assert result.exit_code == 0, result.output
    assert "score (spam, phrases as before Youtube03-LMFAO was read): precision 100.0%" in result.output
    bad = invoke(export, "--leave-out", "Youtube06-Other")
    assert bad.exit_code == 2 and "Youtube06-Other" in bad.output


@pytest.mark.parametrize("name, line", [
    ("Youtube02-KatyPerry", "score (spam): precision 96.4%, recall 91.4%, F1 93.8%, base rate 50.0%, "
                            "precision at a 10% base rate 74.8%; tp 160 fp 6 fn 15 tn 169 (n 350)"),
    ("Youtube02-KatyPerry", f"score ({BASELINE_NAME}): precision 95.5%, recall 84.0%, F1 89.4%"),
])
def test_the_documented_command(name, line):
    path = SHARED / "data" / "youtube-spam" / f"{name}.csv"
    if not path.is_file():
        pytest.skip(f"../shared/data/youtube-spam not found: {path}")
    result = invoke(path, "--label-column", "CLASS", "--quiet")
    assert result.exit_code == 0, result.output
    assert line in result.output


def test_thresholds_come_from_the_config(tmp_path):
    """The same classifier as the comment_quality rule: its configured shape limits apply."""
    path = tmp_path / "comments.csv"
    path.write_text("CONTENT\nwhat a voice she has\n")
    loose = tmp_path / "loose.toml"
    loose.write_text("[rules.comment_quality.comments]\nshort_words = 5\n")
    per_platform = tmp_path / "bluesky.toml"
    per_platform.write_text("[platforms.bluesky.rules.comment_quality.comments]\nshort_words = 5\n")
    label = lambda result: json.loads(result.output.splitlines()[0])["class"]  # noqa: E731
    assert label(invoke(path, "--json")) == "genuine"  # five words: more than the default 2
    assert label(invoke(path, "--json", "--config", loose)) == "generic"
    assert label(invoke(path, "--json", "--config", per_platform)) == "genuine"
    assert label(invoke(path, "--json", "--config", per_platform, "--platform", "bluesky")) == "generic"
    bad = tmp_path / "bad.toml"
    bad.write_text("[rules.comment_quality.comments]\nshort_wrds = 4\n")
    result = invoke(path, "--config", bad)
    assert result.exit_code == 2 and "short_wrds" in result.output
