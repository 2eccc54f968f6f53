"""Property-based fuzzing of what users hand the CLI: the config loader and the record
readers of the `check` commands. Whatever the bytes, the answer is a Config / rows, or a
ConfigError / UsageProblem (exit 2 through the CLI), never another exception."""
from __future__ import annotations

import itertools
import json

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from microscout.cli import cli
from microscout.cli.check_accounts import COLUMNS as ACCOUNT_COLUMNS
from microscout.cli.common import UsageProblem
from microscout.cli.records import convert, load_rows, parse_label, read_records
from microscout.config import Config, ConfigError, load_config, parse_config

FUZZ = settings(max_examples=80, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
CLI_FUZZ = settings(FUZZ, max_examples=20)

_names = itertools.count()


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


def write(folder, data: bytes | str, suffix: str):
    path = folder / f"f{next(_names)}{suffix}"
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    path.write_bytes(data)
    return path


# --- the config loader ----------------------------------------------------------------------

TABLES = ["", "[crawl]", "[scoring]", "[shortlists]", "[exports]", "[sandbox]", "[platforms.mastodon]",
          "[platforms.bluesky]", "[platforms.mastodon.tiers.micro]", "[rules.engagement]", "[campaigns.demo]",
          "[campaigns.demo.weights]", "[[campaigns]]", "[platforms.mastodon.rules.tier_bounds]"]
KEYS = ["database", "plugins_dir", "max_profiles", "hashtag_pages", "user_agent", "retry_times", "min", "max",
        "enabled", "base_url", "platforms", "hashtags", "target_tier", "gates", "weights", "price_per_post",
        "budget", "unknown_score", "seed", "host", "port", "size", "appview_did", "handle", "app_password",
        "max_body_bytes", "tiers", "description", "shortlist_size", "keep_runs", '"quoted key"', "a.b.c",
        "bogus"]
VALUES = ['"x.db"', "5", "-1", "0", "1e309", "nan", "inf", "true", '["mastodon"]', '["nowhere"]', '"micro"',
          '"giga"', "[50, 300]", "[300, 50]", '{ "$env" = "MICROSCOUT_FUZZ_UNSET" }', '{ min = 5, max = 2 }',
          "2026-11-01T00:00:00Z", "1" * 5000, "[" * 2000 + "]" * 2000, '"""multi\nline"""', "'lit'", '"\\ud800"',
          '"127.0.0.2"', '"did:web:x"', '"not a did"', "{}", "[[1], [2]]", '"' + "é" * 50 + '"']


@st.composite
def toml_ish(draw) -> str:
    lines = []
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.integers(0, 9))
        if kind == 0:
            lines.append(draw(st.sampled_from(TABLES)))
        elif kind == 1:
            lines.append(draw(st.text(max_size=20)))
        else:
            lines.append(f"{draw(st.sampled_from(KEYS))} = {draw(st.sampled_from(VALUES) | st.text(max_size=10))}")
    return "\n".join(lines)


@FUZZ
@given(toml_ish() | st.text(max_size=200))
def test_config_loader_answers_a_config_or_a_config_error(folder, text):
    path = write(folder, text, ".toml")
    try:
        assert isinstance(load_config(path), Config)
    except ConfigError as exc:
        assert str(exc).startswith(str(path)) and "\n" not in str(exc).strip()


@FUZZ
@given(st.binary(max_size=200) | toml_ish().map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_config_loader_on_any_bytes(folder, data):
    path = write(folder, data, ".toml")
    try:
        load_config(path)
    except ConfigError:
        pass


config_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10) | st.sampled_from(VALUES),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=5),
                                                                inner, max_size=4),
    max_leaves=20)


@FUZZ
@given(st.dictionaries(st.sampled_from(["database", "crawl", "platforms", "campaigns", "rules", "scoring",
                                        "exports", "sandbox", "plugins_dir", "junk"]), config_values, max_size=5))
def test_parse_config_on_any_table(data):
    try:
        parse_config(data, source="fuzz.toml")
    except ConfigError as exc:
        assert str(exc).startswith("fuzz.toml: ")


@CLI_FUZZ
@given(toml_ish() | st.binary(max_size=120).map(lambda b: b.decode("latin-1")))
def test_config_through_the_cli_never_a_traceback(folder, text):
    path = write(folder, text, ".toml")
    result = CliRunner().invoke(cli, ["--config", str(path), "config", "show"])
    assert isinstance(result.exception, SystemExit) or result.exception is None, result.exception
    assert result.exit_code in (0, 2) and "Traceback" not in result.output


def test_config_that_is_not_utf8_names_the_file_and_byte(folder):
    path = write(folder, b'database = "x.db"\n\x93quoted\x94 = 1\n', ".toml")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value) == f"{path}: not UTF-8 text (byte 0x93 at offset 18, line 2); save the file as UTF-8"
    nested = write(folder, "a = " + "[" * 5000 + "]" * 5000, ".toml")
    with pytest.raises(ConfigError, match="nested too deeply|not valid TOML"):
        load_config(nested)


# --- the record readers of the check commands ------------------------------------------------

CSV_PIECES = st.sampled_from([",", '"', "\n", "\r\n", "\r", "\x00", "handle", "followers", "following", "posts",
                              "label", "1", "-1", "1e400", "nan", "0x10", "true", "fake", "2026-13-45", "é", " ",
                              "1" * 5000, "\ufeff"])
csv_text = st.lists(CSV_PIECES | st.text(max_size=4), max_size=40).map("".join)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**80, 2**80) | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(list(ACCOUNT_COLUMNS) + ["label", "x"]), inner, max_size=5),
    max_leaves=20)
jsonl_text = st.lists(json_values.map(json.dumps) | st.text(max_size=20), max_size=5).map("\n".join)
deep = st.integers(60, 3000).map(lambda n: "[" * n + "]" * n)


def read_all(path, label_column=None):
    """What `check accounts` does with a file, short of classifying: rows, columns, types."""
    rows = list(read_records(path))
    for record, columns, label in load_rows((str(path),), {}, label_column, "all", ACCOUNT_COLUMNS,
                                            ("followers", "following", "posts")):
        for ours, theirs in columns.items():
            convert(record.row.get(theirs), ACCOUNT_COLUMNS[ours][0], record.where, theirs)
    return rows


@FUZZ
@given(st.sampled_from([".csv", ".jsonl", ".ndjson", ".json", ".txt"]),
       csv_text | jsonl_text | deep | st.binary(max_size=120), st.sampled_from([None, "label"]))
def test_record_readers_answer_rows_or_a_usage_problem(folder, suffix, data, label_column):
    path = write(folder, data, suffix)
    try:
        for record in read_all(path, label_column):
            assert isinstance(record.row, dict) and isinstance(record.where, str)
    except UsageProblem as exc:
        assert str(path) in exc.message or path.name in exc.message


@FUZZ
@given(json_values, st.sampled_from(["text", "int", "float", "bool", "date"]))
def test_convert_and_labels_answer_a_value_or_a_usage_problem(value, kind):
    for call in (lambda: convert(value, kind, "f.csv line 2", "col"), lambda: parse_label(value, "f.csv line 2", "l")):
        try:
            call()
        except UsageProblem:
            pass


@CLI_FUZZ
@given(st.sampled_from([".csv", ".jsonl", ".json"]), csv_text | jsonl_text | deep)
def test_check_accounts_through_the_cli_never_a_traceback(folder, suffix, data):
    path = write(folder, data, suffix)
    result = CliRunner().invoke(cli, ["check", "accounts", str(path)])
    assert isinstance(result.exception, SystemExit) or result.exception is None, result.exception
    assert result.exit_code in (0, 2) and "Traceback" not in result.output
